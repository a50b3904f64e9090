"""PhraseStarts: the places a lexicon's pattern is tried. Found in one pass shared by a pack's
lexicons (SharedPhrases), they must be the places each lexicon's own automaton gives."""
import dataclasses
import random
from pathlib import Path

import ahocorasick
import pytest

from casualties.gazetteer import load_gazetteers
from casualties.langpack import LiteralSets, SharedPhrases, load_pack, phrase_starts
from casualties.numbers import grammar

ROOT = Path(__file__).parent.parent


def texts(lang: str) -> list[str]:
    folder = ROOT / ("seeds" if lang == "ar" else "tests/fixtures/english_articles")
    pack = load_pack(lang)
    return [pack.canonical(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))[:4]]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_shared_pass_gives_each_lexicon_its_own_places(lang):
    pack = load_pack(lang)
    gz = load_gazetteers()
    starts = [grammar(pack).scanner_starts, gz.actor_lexicon(pack).starts, gz.source_lexicon(pack).starts]
    assert all(s.shared is not None for s in starts)
    rng = random.Random(3)
    for text in texts(lang):
        for s in starts:
            alone = dataclasses.replace(s, shared=None)
            assert s.positions(text) == alone.positions(text)
            assert s.positions(text)  # the texts name actors, sources and numbers
            for _ in range(20):
                pos = rng.randrange(len(text))
                end = rng.randrange(pos, len(text) + 1)
                assert s.positions(text, pos, end) == alone.positions(text, pos, end), (pos, end)


def test_a_lexicon_that_joins_later_finds_its_phrases_in_a_text_already_scanned():
    shared = SharedPhrases()
    first = phrase_starts(["alpha", "beta", "gamma", "delta"], shared=shared)
    text = "alpha and gamma met epsilon, zeta and eta near beta"
    assert first.positions(text) == [0, 10, 47]
    second = phrase_starts(["epsilon", "zeta", "eta", "theta"], shared=shared)
    assert second.positions(text) == [20, 29, 30, 38, 48]  # not bounded: "eta" in "zeta" and "beta"
    assert first.positions(text) == [0, 10, 47]
    assert first.positions(text, 1, 47) == [10]  # a phrase must lie wholly within the window


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_number_scanner_can_match_only_where_its_places_are(lang):
    g = grammar(load_pack(lang))
    for text in texts(lang) + ["a few and about an area, a, a thousand or a-half"]:
        text = load_pack(lang).canonical(text)
        places = set(g.scanner_starts.positions(text))
        for at in range(len(text)):
            m = g.scanner.match(text, at)
            if m is not None and m.group("digits") is None:
                assert at in places, (at, m.group())


def test_a_one_letter_phrase_of_whole_words_is_tried_only_where_it_is_a_word():
    starts = phrase_starts(["a", "a few", "about", "one", "two"], word_chars=r"\w", whole_words=True)
    text = "a few, about an area: a"
    # "a" before "n" (an) and "r" (area) is no word; "about" is found as a phrase
    assert starts.positions(text) == [0, 7, 22]
    loose = phrase_starts(["a", "a few", "about", "one", "two"], word_chars=r"\w")
    assert set(starts.positions(text)) < set(loose.positions(text))


def automaton_of(words: dict) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


def test_a_shared_pass_gives_each_automaton_what_its_own_pass_gives():
    shared = SharedPhrases()
    first = automaton_of({"kill": 1, "killed": ("k", 2), "led": 3})
    second = automaton_of({"led": "L", "wounded": "W", "ed": "E"})
    texts = ["killed and wounded, led by", "nothing", "edged killed"]
    for text in texts + texts:
        for automaton in (first, second):
            assert sorted(shared.iter(automaton, text), key=repr) == sorted(automaton.iter(text), key=repr)
            ends = [last for last, _ in shared.iter(automaton, text)]
            assert ends == sorted(ends)


def test_literal_sets_on_a_shared_pass_hold_what_they_hold_alone():
    shared = SharedPhrases()
    phrase_starts(["killed", "wounded", "dead", "people"], shared=shared).positions("people killed")  # another member
    alone, together = LiteralSets(), LiteralSets(shared)
    for literals in (alone, together):
        literals.add([frozenset({"killed", "wounded"}), frozenset({" at least"})])
    text = "12 were killed, at least 5 wounded"
    a, b = alone.index(text), together.index(text)
    for lo in range(0, len(text), 3):
        for hi in range(lo, len(text) + 1, 2):
            assert a.within(lo, hi) == b.within(lo, hi)
            assert a.holds_all((0, 1), lo, hi) == b.holds_all((0, 1), lo, hi)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_lexicon_can_match_only_where_its_places_are(lang):
    pack = load_pack(lang)
    gz = load_gazetteers()
    for lexicon in (gz.actor_lexicon(pack), gz.source_lexicon(pack)):
        for text in texts(lang)[:2]:
            places = set(lexicon.starts.positions(text))
            matched = [at for at in range(len(text)) if lexicon.anchored.match(text, at)]
            assert matched and set(matched) <= places


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_word_anchored_patterns_find_what_their_patterns_find(lang):
    """figures.WordAnchored (outcome words, loss verbs) tries its pattern only at its words'
    places: in any window, the matches of the pattern's own finditer and search."""
    from casualties.figures import figure_grammar

    g = figure_grammar(load_pack(lang))
    rng = random.Random(5)
    for text in texts(lang):
        for anchored in (g.outcome_words, g.loss_words):
            assert anchored.starts is not None
            spans = lambda found: [(m.start(), m.end(), m.groups()) for m in found]
            assert spans(anchored.finditer(text, 0, len(text))) == spans(anchored.pattern.finditer(text, 0, len(text)))
            for _ in range(200):
                pos = rng.randrange(len(text))
                end = rng.randrange(pos, min(len(text), pos + 400) + 1)
                assert spans(anchored.finditer(text, pos, end)) == spans(anchored.pattern.finditer(text, pos, end)), (pos, end)
                found, expected = anchored.search(text, pos, end), anchored.pattern.search(text, pos, end)
                assert (found and found.span()) == (expected and expected.span()), (pos, end)
