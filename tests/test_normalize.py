"""Normalisation: each step's own behaviour, the canonical form per language, and the chain.

The examples written inside the normalization files run in test_rule_examples.py; here are the
properties every step must keep and a canonical-form spec per language (input, canonical).
"""
from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from casualties.langpack import LANG_DIR, available_languages, compile_steps, load_pack, read_yaml
from casualties.text import Step, merge_translate_steps, normalise, sentence_spans

CANONICAL = {
    "ar": [
        ("قُتِلَ ٦٢ مدنيًّا، بينهم ١٦ طفلاً", "قتل 62 مدنيا, بينهم 16 طفلا"),
        ("أكثر من إحدى عشرة حافلة", "اكثر من احدي عشره حافله"),
        ("قتـــلى   وجرحى", "قتلي وجرحي"),
        ("مسؤول في «الدفاع المدني»:  ٣٠–٤٠ شخصاً", 'مسوول في "الدفاع المدني": 30-40 شخصا'),
        ("۱۲۳ نازحی", "123 نازحي"),
        ("\u200fالمرصد\u200f السوري", "المرصد السوري"),
        ("ارتفع العدد إلى ١٬٢٠٠ قتيل؛ و٪٧٠ دمار؟", "ارتفع العدد الي 1,200 قتيل; و%70 دمار?"),
        ("سطر\r\n\r\nآخر", "سطر\nاخر"),
        ("آلاف الأطفال وإصابة", "الاف الاطفال واصابه"),
        ("مئتان", "ميتان"),
        ("کتائب", "كتايب"),
        ("\ufeffنص", "نص"),
    ],
    "en": [
        ("At Least 62 Civilians – Including 16 Children", "at least 62 civilians - including 16 children"),
        ("The “Syrian Observatory”\u00a0said", 'the "syrian observatory" said'),
        ("Twenty\u2011five  people\tdied", "twenty-five people died"),
        ("UN’s OCHA", "un's ocha"),
        ("line one\r\n\r\nline two", "line one\nline two"),
        ("1,200 KILLED", "1,200 killed"),
        ("٦٢ civilians", "62 civilians"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
}


@pytest.mark.parametrize(("lang", "raw", "expected"),
                         [pytest.param(lang, raw, out, id=f"{lang}:{raw[:30]}") for lang, cases in CANONICAL.items() for raw, out in cases])
def test_canonical_form(lang, raw, expected):
    assert load_pack(lang).canonical(raw) == expected


def test_every_language_has_a_canonical_spec():
    assert set(available_languages()) <= set(CANONICAL)


def _all_steps():
    out = []
    for scope, path in [("common", LANG_DIR / "common" / "normalization.yaml")] + [
            (code, LANG_DIR / code / "normalization.yaml") for code in available_languages()]:
        raw = read_yaml(path).get("steps") or []
        for entry, step in zip(raw, compile_steps(path, raw)):
            out.append(pytest.param(step, id=f"{scope}.{entry.get('name')}"))
    return out


STEPS = _all_steps()
SAMPLE = "قُتِلَ ٦٢ مدنيًّا،\u200f «الدفاع»  ١٬٢٠٠ – At Least\u00a0Twenty\u2011Five\r\n\n  قتـــلى"


@pytest.mark.parametrize("step", STEPS)
def test_step_is_idempotent(step):
    once = normalise(SAMPLE, [step]).canonical
    assert normalise(once, [step]).canonical == once


@pytest.mark.parametrize("step", STEPS)
def test_translate_steps_keep_length_and_record_nothing(step):
    result = normalise(SAMPLE, [step])
    if step.table is not None:
        assert len(result.canonical) == len(SAMPLE)
        assert result.offsets.is_identity
    else:
        start, end = result.to_original(0, len(result.canonical))
        assert (start, end) == (0, len(SAMPLE))


@pytest.mark.parametrize("step", STEPS)
def test_every_step_has_examples(step):
    assert step.name


def test_steps_run_common_first_then_the_pack():
    pack = load_pack("ar")
    common = compile_steps(LANG_DIR / "common" / "normalization.yaml",
                           read_yaml(LANG_DIR / "common" / "normalization.yaml")["steps"])
    common_names = {s.name for s in common}
    first = pack.steps[0].name.split("+")
    assert set(first) <= common_names


def test_merged_translate_steps_apply_in_order():
    a = Step("a", table={ord("x"): "y"})
    b = Step("b", table={ord("y"): "z"})
    [merged] = merge_translate_steps([a, b])
    assert "xy".translate(merged.table) == "zz"


@pytest.mark.parametrize("lang", available_languages())
@settings(max_examples=60, deadline=1000)
@given(text=st.text(alphabet=st.sampled_from(list(SAMPLE) + list("abcXYZ0189 ,.-\n\t")), max_size=80))
def test_canonical_form_is_a_fixed_point(lang, text):
    pack = load_pack(lang)
    once = pack.canonical(text)
    assert pack.canonical(once) == once


@pytest.mark.parametrize("text, expected", [
    ("a \u064b b", "a b"), ("a \u0640\u064b\nb", "a\nb"), ("a\n\u0640 b", "a\nb"), ("\u064b b", "b"),
    ("a \u064b", "a "), ("a\u064b b", "a b"),
])
def test_marks_carried_by_no_letter_leave_one_space(text, expected):
    """Space runs are merged before the pack's marks are deleted: marks standing alone between
    two spaces take one of them along, so no double space is left behind."""
    assert load_pack("ar").canonical(text) == expected


def test_marks_map_back_with_their_letter():
    norm = load_pack("ar").normalise("قتل ٦٢ مدنياً ـ بينهم")
    start = norm.canonical.index("مدنيا")
    assert norm.original_slice(start, start + len("مدنيا")) == "مدنياً"
    assert norm.canonical == "قتل 62 مدنيا بينهم"


def test_marks_without_a_letter_are_all_removed():
    assert load_pack("ar").canonical("\u064b\u064b") == ""


def test_sentence_spans_are_half_open_and_trimmed():
    text = "قتل 5. وجرح 7!\nثم  هدأ"
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == ["قتل 5.", "وجرح 7!", "ثم  هدأ"]


@pytest.mark.parametrize("lang", ["ar", "en"])
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_translate_by_replacements_equals_str_translate(lang, data):
    """A translate step runs as one str.replace per mapped character (fast); that must give
    what translating the text gives, and a table whose replacements are mapped again must not
    take that path."""
    from casualties.text import translate

    for step in (s for s in load_pack(lang).steps if s.table is not None):
        alphabet = [chr(c) for c in step.table] + list(step.table.values()) + list("ab 1\n")
        text = data.draw(st.text(alphabet=alphabet, max_size=60))
        assert translate(text, step) == text.translate(step.table)
    chained = Step("chained", table={ord("a"): "b", ord("b"): "c"})
    assert chained.pairs is None and translate("ab", chained) == "bc"
