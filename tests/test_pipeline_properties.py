"""Whole-pipeline robustness: any text, every language pack, bounded time, offsets that hold."""
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casualties.api import extract_text
from casualties.langpack import available_languages

LANGS = list(available_languages())
PIECES = ["قتل ", "و", " ", "62 ", "مدنياً ", "على الأقل ", "بينهم ", "عشرات ", "من ", "داعش ", "المرصد ",
          "، ", ".", "\n", "٦٢", "ـ", "\u064e", "\u200f", "killed ", "at least ", "civilians ", "including ",
          "said ", "the Observatory ", "dozens of ", "and ", "1,200 ", "-", "(0)", "%", "\"", "ألف ", "آلاف "]

fragments = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
any_text = st.text(max_size=300)


def check_offsets(text, figures):
    for f in figures:
        assert text[f.start:f.end] == f.number_text
        assert text[f.quote_start:f.quote_end] == f.quote
        assert 0 <= f.start <= f.end <= len(text)


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(fragments, any_text))
def test_any_text_extracts_without_error(lang, text):
    check_offsets(text, extract_text(text, lang=lang, include_latent=True))


ADVERSARIAL = {
    "digits": "1" * 50_000,
    "digit_groups": "1,000," * 10_000,
    "waw": "و " * 25_000,
    "waw_glued": "و" * 50_000,
    "spaces": " " * 50_000,
    "number_words": "خمسة وعشرون " * 4_000,
    "qualifiers": "أكثر من نحو على الأقل " * 3_000,
    "figure_sentences": "قتل 12 مدنياً بينهم 3 أطفال، وفق المرصد السوري. " * 1_000,
    "english": "at least 12 civilians including 3 children were killed, the Observatory said. " * 800,
    "no_breaks": ("قتل 12 مدنياً بينهم 3 أطفال و" * 2_000),
    "diacritics": "\u064e\u064f" * 25_000,
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_finishes_in_bounded_time(lang, name):
    text = ADVERSARIAL[name]
    started = time.process_time()  # CPU time: other processes on the machine do not count
    figures = extract_text(text, lang=lang)
    elapsed = time.process_time() - started
    check_offsets(text, figures)
    assert elapsed < 10, f"{name} ({len(text)} chars) took {elapsed:.1f}s"


def _regressions():
    from conftest import SPECS, read_jsonl

    return read_jsonl(SPECS / "regressions.jsonl")


@pytest.mark.parametrize("case", _regressions(), ids=lambda c: c["why"][:50])
def test_inputs_that_once_crashed(case):
    text = case.get("text") or case["text_repeat"][0] * case["text_repeat"][1]
    check_offsets(text, extract_text(text, lang=case["lang"], include_latent=True))
