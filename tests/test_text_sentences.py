"""Where sentence_spans splits canonical text: closing quotes after end punctuation, and
abbreviation periods before a number."""
from __future__ import annotations

import pytest

from casualties.langpack import load_pack
from casualties.text import sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


@pytest.mark.parametrize("text,expected", [
    # the quote closed after the end mark stays with its sentence; the next one starts after it
    ('he said "go." then we left.', ['he said "go."', "then we left."]),
    ("it was 'just the beginning.' turkey has troops.", ["it was 'just the beginning.'", "turkey has troops."]),
    ('"who did this?" the mayor asked.', ['"who did this?"', "the mayor asked."]),
    ('he said: "they killed 5."\'\n12 more died', ['he said: "they killed 5."\'', "12 more died"]),
    ("قال: \"قتل 5.\" وأضاف أن 3 جرحوا.", ["قال: \"قتل 5.\"", "وأضاف أن 3 جرحوا."]),
])
def test_a_sentence_ends_after_the_quote_it_closes(text, expected):
    assert _sentences(text) == expected


@pytest.mark.parametrize("text", [
    'the strike "at the most convenient time" killed 5 people.',  # a quote inside: no end mark
    'he called it "a massacre", adding that 5 died.',
    'they shouted "go!"',  # the text's end
    'the sign read "no.5" and 3 people died.',  # no space after the quote
])
def test_a_quote_without_an_end_mark_before_it_ends_nothing(text):
    assert _sentences(text) == [text]


@pytest.mark.parametrize("text", [
    "since a jan. 14 strike that killed 46 people.",
    "between feb. 24, 2022, and april 23, 2023, 8,574 civilians were killed.",
    "flash update no. 3 says 700 people were killed.",
    "under art. 5 of the treaty, 12 officers were detained.",
    "after the sept. 11 attacks 3,000 people were dead.",
    "the u.s. 5th fleet lost 2 sailors.",  # one-letter words: abbreviations before anything
])
def test_an_abbreviation_before_a_number_ends_no_sentence(text):
    assert _sentences(text) == [text]


@pytest.mark.parametrize("text,expected", [
    # a longer word, or a number, before the period: a sentence ends
    ("they were killed in aleppo. 15 more died later.", ["they were killed in aleppo.", "15 more died later."]),
    ("the toll rose to 20. 15 of them were children.", ["the toll rose to 20.", "15 of them were children."]),
    # a short word before a period ends its sentence when no number follows
    ("he fled to gaza. the toll rose.", ["he fled to gaza.", "the toll rose."]),
    ("is it over? 5 more died!", ["is it over?", "5 more died!"]),  # only a period abbreviates
    ("no. 5 died.\n6 wounded", ["no. 5 died.", "6 wounded"]),  # a line break always ends one
    # Arabic script writes no abbreviation periods: a short word's period before digits ends it
    ("قتل في غزة. 15 جريحا نقلوا", ["قتل في غزة.", "15 جريحا نقلوا"]),
])
def test_other_periods_still_end_sentences(text, expected):
    assert _sentences(text) == expected


def test_english_canonical_text_keeps_a_date_abbreviation_in_its_sentence():
    """The rule reads canonical text: English is lower-cased before it is split."""
    text = load_pack("en").normalise("Since a Jan. 14 strike, 46 people died. Rescuers left.").canonical
    assert _sentences(text) == ["since a jan. 14 strike, 46 people died.", "rescuers left."]


@pytest.mark.parametrize("filler", ["casualties were reported in the area ", "وأفادت مصادر محلية في المنطقة ", "x" * 50])
def test_text_without_end_punctuation_is_cut_into_bounded_pieces_at_spaces(filler):
    from casualties.text import MAX_SENTENCE_CHARS

    text = filler * (3 * MAX_SENTENCE_CHARS // len(filler) + 7) + "end"
    spans = sentence_spans(text)
    assert len(spans) >= 3
    assert all(b - a <= MAX_SENTENCE_CHARS for a, b in spans)
    assert all(text[a] != " " and text[b - 1] != " " for a, b in spans)
    assert [a for a, _b in spans] == sorted(a for a, _b in spans) and spans[0][0] == 0 and spans[-1][1] == len(text)
    # every word lies in one piece: cuts fall on spaces (a word longer than the limit is the exception)
    if " " in filler:
        assert "".join(text[a:b] + " " for a, b in spans).split() == text.split()


def test_a_figure_far_into_a_run_on_line_keeps_its_offsets():
    from casualties import api
    from casualties.model import Article
    from casualties.text import MAX_SENTENCE_CHARS

    filler = "the convoy moved on along the road " * (3 * MAX_SENTENCE_CHARS // 2 // 35)  # the figure lies inside the second piece
    text = filler + "and at least 12 civilians were killed " + filler
    [figure] = api.extract_figures(Article("run-on", text, language="en"))
    assert text[figure.start:figure.end] == figure.number_text == "at least 12" and figure.low == 12
