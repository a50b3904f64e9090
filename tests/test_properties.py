"""The number finder on any text, in every language pack: no exception, bounded time, and
every quantity's text is the original text sliced at its offsets."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casualties.langpack import available_languages, load_pack
from casualties.numbers import read_quantities

LANGS = available_languages()
PIECES = ["قتل ", "و", " ", "62 ", "٦٢", "۱۲", "مدنياً ", "على الأقل ", "نحو ", "أكثر من ", "بين ", "إلى ", "أو ", "-",
          "عشرات ", "آلاف ", "ألف ", "ألفاً ", "و356 ", "خمسة ", "وعشرون ", "مئة ", "نصف ", "مليون ", "واحد ", "لم ",
          "أي ", "قتيل ", "مقاتلان ", "في المئة ", "الساعة ", ":", "30", "(", ")", "/", "%", "$", "+", "ـ", "\u064e",
          "\u200f", "\u00a0", "\n", ".", "،", ",", "1,200 ", "2.5 ", "at least ", "about ", "more than ", "between ",
          "and ", "to ", "or ", "a ", "half ", "million ", "twenty", "-five ", "hundred ", "thousand ", "no ",
          "not a single ", "civilians ", "soldier ", "dozens ", "of ", "percent ", "pm ", "May ", "2018 ", "MH17 "]

fragments = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
any_text = st.text(max_size=400)


def check(text: str, lang: str) -> None:
    for q in read_quantities(text, load_pack(lang)):
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start:q.end] == q.text
        assert q.start <= q.core_start <= q.core_end <= q.end
        if q.low is not None and q.high is not None:
            assert q.low <= q.high, q
        assert q.kind and q.qualifier


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(fragments, any_text))
def test_any_text_is_read_without_error(lang, text):
    check(text, lang)


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=60, deadline=2000)
@given(text=st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6ff), max_size=200))
def test_arabic_block_noise(lang, text):
    check(text, lang)


SIZE = 200_000


def _repeat(piece: str) -> str:
    return (piece * (SIZE // len(piece) + 1))[:SIZE]


ADVERSARIAL = {
    "digits": "1" * SIZE,
    "spaced_digits": _repeat("12 "),
    "digit_groups": _repeat("1,000,"),
    "dashes": _repeat("1-2-"),
    "clock": _repeat("10:30 "),
    "waw_space": _repeat("و "),
    "waw_glued": "و" * SIZE,
    "spaces": " " * SIZE,
    "newlines": "\n" * SIZE,
    "ar_number_words": _repeat("خمسة وعشرون "),
    "ar_number_words_joined": _repeat("وخمسة "),
    "ar_multipliers": _repeat("ألف "),
    "ar_vague": _repeat("عشرات آلاف "),
    "ar_qualifiers": _repeat("أكثر من نحو على الأقل "),
    "ar_negators": _repeat("لم لا مقاتل واحد "),
    "en_number_words": _repeat("twenty-five thousand three hundred and twelve "),
    "en_single_words": _repeat("one two three "),
    "en_hyphens": _repeat("twenty-"),
    "en_and": _repeat("hundred and "),
    "en_articles": _repeat("a "),
    "en_half": _repeat("half a "),
    "en_negation": _repeat("not a single soldier "),
    "parentheses": _repeat("(1)"),
    "plus_digits": _repeat("+1 "),
    "diacritics": _repeat("\u064e"),
    "mixed": _repeat("قتل 12 مدنياً at least 5 civilians و"),
}


# 200 KB of digits, of "و ", of spaces, of number words: under two seconds each.
REQUIRED = {"digits", "spaced_digits", "waw_space", "waw_glued", "spaces", "newlines", "ar_number_words",
            "en_number_words", "diacritics"}
# Amount-dense input (an amount every two to six characters) is linear in the number of amounts.
PER_AMOUNT = 40e-6


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_is_fast(lang, name):
    text = ADVERSARIAL[name]
    read_quantities("1", load_pack(lang))  # compile outside the timing
    started = time.process_time()  # CPU time: other processes on the machine do not count
    quantities = read_quantities(text, load_pack(lang))
    elapsed = time.process_time() - started
    budget = 2.0 if name in REQUIRED else 2.0 + PER_AMOUNT * len(quantities)
    assert elapsed < budget, f"{name} ({len(text)} chars, {len(quantities)} amounts) took {elapsed:.2f}s"
    for q in quantities[:1000] + quantities[-1000:]:
        assert text[q.start:q.end] == q.text
