"""The number finder: sentence specs, the seed gold and traps, and the engine's contract.

- `tests/specs/quantities/<lang>.jsonl`: each case lists the count quantities of a sentence, in
  order, and any other kinds worth pinning; a known gap carries `xfail: "<reason>"`.
- `tests/gold/seeds.jsonl`: every gold figure's amount is found inside its quote with the gold
  low, high and qualifier; `seeds_traps.jsonl`: no count inside a trap quote.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import regex

from casualties import numbers
from casualties.langpack import available_languages, load_pack
from casualties.numbers import find_quantities, read_quantities

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs" / "quantities"
GOLD = ROOT / "tests" / "gold"
SEEDS = ROOT / "seeds"


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _spec_cases():
    cases = []
    for path in sorted(SPECS.glob("*.jsonl")):
        for i, case in enumerate(_jsonl(path)):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
            cases.append(pytest.param(path.stem, case, id=f"{path.stem}[{i}]:{case['text'][:40]}", marks=marks))
    return cases


def _show(quantities) -> list[tuple]:
    return [(q.text, q.low, q.high, q.qualifier, q.kind) for q in quantities]


@pytest.mark.parametrize(("lang", "case"), _spec_cases())
def test_quantity_spec(lang, case):
    text = case["text"]
    found = read_quantities(text, load_pack(lang))
    for q in found:
        assert text[q.start:q.end] == q.text
    counts = [q for q in found if q.kind == "count"]
    expected_counts = [e for e in case["expected"] if e.get("kind", "count") == "count"]
    got = [(q.text, q.low, q.high, q.qualifier) for q in counts]
    want = [(e["text"], e["low"], e["high"], e["qualifier"]) for e in expected_counts]
    assert got == want, f"all found: {_show(found)}"
    for e in case["expected"]:
        if e.get("kind", "count") != "count":
            assert any(q.text == e["text"] and q.kind == e["kind"] for q in found), \
                f"no {e['kind']} {e['text']!r}: {_show(found)}"


def test_spec_files_are_big_enough():
    assert len(_jsonl(SPECS / "ar.jsonl")) >= 40
    assert len(_jsonl(SPECS / "en.jsonl")) >= 30
    for path in SPECS.glob("*.jsonl"):
        for case in _jsonl(path):
            assert set(case) <= {"text", "expected", "xfail"}, case
            for e in case["expected"]:
                assert e["text"] in case["text"], (path.name, e)


def _article(doc: str) -> str:
    return (SEEDS / f"{doc}.txt").read_text(encoding="utf-8")


def _spans_of(text: str, quote: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(quote)
    while start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


@pytest.fixture(scope="module")
def seed_quantities():
    pack = load_pack("ar")
    docs = {case["doc"] for case in _jsonl(GOLD / "seeds.jsonl") + _jsonl(GOLD / "seeds_traps.jsonl")}
    return {doc: (_article(doc), read_quantities(_article(doc), pack)) for doc in docs}


GOLD_FIGURES = _jsonl(GOLD / "seeds.jsonl")
TRAPS = _jsonl(GOLD / "seeds_traps.jsonl")


@pytest.mark.parametrize("gold", [pytest.param(g, id=f"{g['doc'][:3]}:{g['number_text']}") for g in GOLD_FIGURES])
def test_seed_gold_amount_is_read(gold, seed_quantities):
    text, quantities = seed_quantities[gold["doc"]]
    spans = _spans_of(text, gold["quote"])
    assert spans, f"quote not in article: {gold['quote']!r}"
    pieces = [p.strip() for p in gold["number_text"].split("...")]
    candidates = [
        q for q in quantities
        if q.kind == "count" and any(a <= q.start and q.end <= b for a, b in spans)
        and q.text.startswith(pieces[0]) and q.text.endswith(pieces[-1])
        and (len(pieces) > 1 or q.text == gold["number_text"])
    ]
    assert candidates, f"no count {gold['number_text']!r} in {gold['quote']!r}: {_show(quantities)}"
    q = candidates[0]
    assert (q.low, q.high, q.qualifier) == (gold["low"], gold["high"], gold["qualifier"])
    assert text[q.start:q.end] == q.text


@pytest.mark.parametrize("trap", [pytest.param(t, id=f"{t['doc'][:3]}:{t['why']}") for t in TRAPS])
def test_seed_trap_yields_no_count(trap, seed_quantities):
    text, quantities = seed_quantities[trap["doc"]]
    spans = _spans_of(text, trap["quote"])
    assert spans, f"trap quote not in article: {trap['quote']!r}"
    inside = [q for q in quantities if q.kind == "count" and any(a <= q.start and q.end <= b for a, b in spans)]
    assert not inside, f"{trap['why']}: {_show(inside)}"


@pytest.mark.parametrize("lang", available_languages())
def test_find_quantities_offsets_are_canonical(lang):
    pack = load_pack(lang)
    text = {"ar": "قتل نحو ٦٠ عنصراً، بينهم قتيلان", "en": "About 60 fighters, including two officers"}.get(lang, "12 3")
    canonical = pack.normalise(text).canonical
    for q in find_quantities(canonical, pack):
        assert canonical[q.start:q.end] == q.text
        assert q.start <= q.core_start <= q.core_end <= q.end


def test_core_is_the_bare_number():
    pack = load_pack("ar")
    [q] = read_quantities("قتل نحو ٦٠ عنصراً", pack)
    assert q.text == "نحو ٦٠" and "قتل نحو ٦٠ عنصراً"[q.core_start:q.core_end] == "٦٠"


def test_dual_and_noun_plus_one_carry_their_noun():
    pack = load_pack("ar")
    dual, one = read_quantities("قتل مقاتلان ومدني واحد", pack)
    assert (dual.text, dual.low, dual.noun) == ("مقاتلان", 2, pack.canonical("مقاتلان"))
    assert (one.low, one.noun) == (1, pack.canonical("مدني"))
    assert numbers._find_cores(numbers.grammar(pack), pack.canonical("قتيلان"))[0].noun == pack.canonical("قتيلان")


def test_negated_amounts_are_zero_and_flagged():
    [q] = read_quantities("لم يخرج مقاتل واحد من دمشق", load_pack("ar"))
    assert (q.text, q.low, q.high, q.negated) == ("لم يخرج مقاتل واحد", 0, 0, True)
    [q] = read_quantities("No civilians were hurt", load_pack("en"))
    assert (q.text, q.low, q.noun, q.negated) == ("No civilians", 0, "civilians", True)


def test_qualifier_before_the_next_amount_is_not_taken_by_the_previous_one():
    quantities = read_quantities("killed 20, at least 5 of them children", load_pack("en"))
    assert [(q.text, q.qualifier) for q in quantities] == [("20", "exact"), ("at least 5", "at_least")]


def test_year_spans_are_not_ranges():
    quantities = read_quantities("between 2011 and 2018", load_pack("en"))
    assert {q.kind for q in quantities} == {"year"}


def test_long_number_word_run_is_linear():
    pack = load_pack("en")
    text = "one " * 20_000
    quantities = read_quantities(text, pack)
    assert len(quantities) == 20_000


ENGINE_MODULES = ["numbers.py", "langpack.py", "text.py"]
ARABIC_BLOCK = regex.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


@pytest.mark.parametrize("module", ENGINE_MODULES)
def test_engine_module_names_no_language(module):
    source = (ROOT / "casualties" / module).read_text(encoding="utf-8")
    assert not ARABIC_BLOCK.search(source), f"{module} contains Arabic letters"
    codes = set(available_languages())
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value not in codes, f"{module} names the language code {node.value!r}"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_number_scanner_is_tried_wherever_it_can_match(lang):
    """The finder tries its scanner only at digits and where the automaton finds a number word
    (or a proclitic or conjunction before one): every place the scanner matches must be one."""
    from casualties.numbers import _scanner_tries, grammar
    from tests.test_periods import _texts_per_language

    pack = load_pack(lang)
    g = grammar(pack)
    texts = [pack.canonical(t) for t in _texts_per_language()[lang] if t]
    matched = 0
    for text in texts:
        tries = set(_scanner_tries(g, text))
        for at in range(len(text)):
            if g.scanner.match(text, at):
                matched += 1
                assert at in tries or text[at].isdigit(), (text[max(0, at - 20):at + 20], at)
    assert matched > 200
