"""Every figure rule's own examples and counterexamples (figures.yaml), test ids = rule ids."""
import pytest

from casualties.api import extract_text
from casualties.langpack import available_languages, load_pack

CASES, COUNTER, RULES = [], [], []
for code in available_languages():
    pack = load_pack(code)
    for rule in (pack.data.get("figures") or {}).get("rules", []):
        RULES.append((code, rule))
        for i, example in enumerate(rule.get("examples") or []):
            CASES.append(pytest.param(code, rule["id"], example, id=f"{rule['id']}[{i}]"))
        for i, text in enumerate(rule.get("counterexamples") or []):
            COUNTER.append(pytest.param(code, rule["id"], text, bool(rule.get("latent")), id=f"{rule['id']}[not {i}]"))


@pytest.mark.parametrize("code,rule", RULES, ids=lambda v: v["id"] if isinstance(v, dict) else v)
def test_every_rule_has_examples_and_counterexamples(code, rule):
    assert rule.get("examples"), f"{rule['id']} has no example"
    assert rule.get("counterexamples"), f"{rule['id']} has no counterexample"


@pytest.mark.parametrize("code,rule_id,example", CASES)
def test_rule_example(code, rule_id, example):
    # an example of a latent rule ("latent": true) shows the figure the table leaves out
    latent = any(expected.get("latent") for expected in example["figures"])
    figures = extract_text(example["text"], lang=code, published=None, include_latent=latent)
    assert any(f.rule == rule_id for f in figures), f"no figure from {rule_id}: {[(f.number_text, f.rule) for f in figures]}"
    for expected in example["figures"]:
        found = [f for f in figures if f.number_text == str(expected["number"])]
        assert found, f"{expected['number']!r} not found among {[f.number_text for f in figures]}"
        figure = found[0]
        for name, value in expected.items():
            if name != "number":
                assert getattr(figure, name) == value, f"{expected['number']}: {name} {getattr(figure, name)!r} != {value!r}"


@pytest.mark.parametrize("code,rule_id,text,latent_rule", COUNTER)
def test_rule_counterexample(code, rule_id, text, latent_rule):
    # a latent rule's figures are left out of the table: its counterexamples must not be
    # swallowed by it either (a figure read as latent is a figure lost)
    figures = extract_text(text, lang=code, include_latent=latent_rule)
    assert [f.number_text for f in figures if f.rule == rule_id] == []


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_before_patterns_checked_right_to_left_find_what_a_forward_search_finds(lang):
    """A rule's `before` pattern ends at the amount; a right-to-left attempt from there decides
    whether it matches (fast) before the left-to-right search runs. On every spec sentence and
    seed, before every amount, both say the same, and the match is the left-to-right one."""
    import regex

    from casualties.figures import figure_grammar
    from casualties.numbers import find_quantities
    from tests.test_periods import _texts_per_language

    pack = load_pack(lang)
    rules = [r for r in figure_grammar(pack).rules if r.before is not None]
    found = 0
    for raw in _texts_per_language()[lang]:
        text = pack.canonical(raw)
        for q in find_quantities(text, pack):
            lo = max(0, q.start - 80)
            for rule in rules:
                backward = rule.before.backward.search(text, lo, q.start)
                expected = regex.compile(rule.before.pattern, regex.V1).search(text, lo, q.start)
                assert (backward is None) == (expected is None), (rule.id, text[lo:q.start])
                got = rule.before.search(text, lo, q.start)
                assert (got and (got.span(), got.groupdict())) == (expected and (expected.span(), expected.groupdict()))
                found += expected is not None
    assert found > 50
