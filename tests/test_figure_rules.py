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
            COUNTER.append(pytest.param(code, rule["id"], text, id=f"{rule['id']}[not {i}]"))


@pytest.mark.parametrize("code,rule", RULES, ids=lambda v: v["id"] if isinstance(v, dict) else v)
def test_every_rule_has_examples_and_counterexamples(code, rule):
    assert rule.get("examples"), f"{rule['id']} has no example"
    assert rule.get("counterexamples"), f"{rule['id']} has no counterexample"


@pytest.mark.parametrize("code,rule_id,example", CASES)
def test_rule_example(code, rule_id, example):
    figures = extract_text(example["text"], lang=code, published=None)
    assert any(f.rule == rule_id for f in figures), f"no figure from {rule_id}: {[(f.number_text, f.rule) for f in figures]}"
    for expected in example["figures"]:
        found = [f for f in figures if f.number_text == str(expected["number"])]
        assert found, f"{expected['number']!r} not found among {[f.number_text for f in figures]}"
        figure = found[0]
        for name, value in expected.items():
            if name != "number":
                assert getattr(figure, name) == value, f"{expected['number']}: {name} {getattr(figure, name)!r} != {value!r}"


@pytest.mark.parametrize("code,rule_id,text", COUNTER)
def test_rule_counterexample(code, rule_id, text):
    figures = extract_text(text, lang=code)
    assert [f.number_text for f in figures if f.rule == rule_id] == []
