"""OffsetMap: canonical spans map back to half-open original spans that normalise to the same text."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casualties.langpack import available_languages, load_pack
from casualties.offsets import OffsetMap

LANGS = available_languages()
PIECES = ["قتل", "تكبَّد", "مدنيًّا", "قتـــلى", "٦٢", "۱۲", "١٬٢٠٠", " ", "  ", "\u00a0", "\t", "\n", "\r\n\r\n",
          "\u200f", "\ufeff", "\u00ad", "«", "»", "–", "،", "؛", "آلاف", "إصابة", "At Least", "CIVILIANS", "“x”",
          "Twenty\u2011Five", ".", ",", "ً", "a", "7"]
texts = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40).map("".join), st.text(max_size=120))


def test_identity_map():
    offsets = OffsetMap()
    assert offsets.is_identity
    assert offsets.to_original(3, 7) == (3, 7)
    assert offsets.to_original(5, 5) == (5, 5)


def test_diacritics_stay_with_their_letter():
    norm = load_pack("ar").normalise("تكبَّد")
    assert norm.canonical == "تكبد"
    assert norm.to_original(0, 4) == (0, 6)
    assert norm.original_slice(2, 3) == "بَّ"


def test_collapsed_spaces_map_to_the_whole_run():
    norm = load_pack("ar").normalise("قتل   62")
    assert norm.canonical == "قتل 62"
    assert norm.original_slice(4, 6) == "62"
    assert norm.original_slice(3, 4) == "   "


def test_deleted_marks_before_a_number():
    text = "\u200f62\u200f مدنياً"
    norm = load_pack("ar").normalise(text)
    start, end = norm.to_original(0, 2)
    assert text[start:end].strip("\u200f") == "62"


def test_chained_edits_compose():
    text = "قتـــلى  \u200fو٦٢"
    norm = load_pack("ar").normalise(text)
    assert norm.canonical == "قتلي و62"
    a = norm.canonical.index("62")
    assert text[slice(*norm.to_original(a, a + 2))] == "٦٢"


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=80, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, data=st.data())
def test_any_canonical_span_maps_back(lang, text, data):
    pack = load_pack(lang)
    norm = pack.normalise(text)
    n = len(norm.canonical)
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(a, n))
    start, end = norm.to_original(a, b)
    assert 0 <= start <= end <= len(text)
    if a < b:
        assert pack.canonical(text[start:end]) == norm.canonical[a:b]


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=60, deadline=2000)
@given(text=texts)
def test_whole_text_maps_to_whole_text(lang, text):
    norm = load_pack(lang).normalise(text)
    if norm.canonical:
        start, end = norm.to_original(0, len(norm.canonical))
        assert pack_canonical(lang, text[start:end]) == norm.canonical


def pack_canonical(lang: str, text: str) -> str:
    return load_pack(lang).canonical(text)


@pytest.mark.parametrize("lang", LANGS)
@settings(max_examples=60, deadline=2000)
@given(text=texts)
def test_spans_are_monotonic(lang, text):
    norm = load_pack(lang).normalise(text)
    previous = (0, 0)
    for i in range(len(norm.canonical) + 1):
        start, _ = norm.to_original(i, i)
        assert start >= previous[0]
        previous = (start, start)
