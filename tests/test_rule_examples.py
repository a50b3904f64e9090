"""Every example and counterexample written in the number and normalisation data, run as tests.

The examples live next to the entries they illustrate (`numbers.yaml`, `normalization.yaml` of
every language pack and of `common/`); this module only collects them. Test ids are the entry id
(or the step name) followed by the example text.

A number example `[text, expected]` passes when `read_quantities(text)` yields
- for a value ("low-high qualifier", or "n qualifier" with the other side open; "?" is empty):
  exactly one count quantity, with those values, covering the whole text except a leading
  proclitic and a trailing counted noun;
- for a kind ("percent", "date", ...): exactly one quantity of that kind and no count.
A counterexample passes when no quantity has the entry's reading (its qualifier, its range rule,
its vague values, its kind, its zero phrase, ...); the top-level counterexamples of `words`
must yield no count at all.

A normalisation example `[input, output]` passes when the step alone, or the whole chain of its
file's scope (the common steps for `common/`, the full pack otherwise), turns input into output;
a counterexample is left unchanged by its step.
"""
from __future__ import annotations

import pytest

from casualties.langpack import LANG_DIR, available_languages, compile_steps, load_pack, read_yaml
from casualties.model import QUANTITY_KINDS
from casualties.numbers import read_quantities
from casualties.text import normalise

LANGS = available_languages()
LINKERS = {"of", "من"}  # a word allowed between an amount and its trailing noun in an example
LIST_ENTRIES = {
    "one_after_noun": lambda q: "one_after_noun" in q.rule,
    "one_before_noun": lambda q: "one_before_noun" in q.rule,
    "dual_by_agreement": lambda q: "dual_agreement" in q.rule,
    "negated_any": lambda q: "negated_noun" in q.rule,
    "negators": lambda q: q.negated,
}


def _reading(section: str, entry: dict):
    """A predicate: does a quantity carry this entry's reading?"""
    if section == "words":
        return lambda q: q.kind == "count"
    if section == "vague":
        low, high = entry.get("low"), entry.get("high")
        return lambda q: q.kind == "count" and q.rule.endswith(".vague") and (q.low == low or q.high == high)
    if section == "qualifiers":
        return lambda q: q.kind == "count" and q.qualifier == entry["qualifier"]
    if section == "ranges":
        return lambda q: q.kind == "count" and q.rule.endswith(f".range.{entry['id']}")
    if section == "zero":
        return lambda q: q.kind == "count" and "zero_phrase" in q.rule
    if section == "kinds":
        return lambda q: q.kind == entry["kind"]
    predicate = LIST_ENTRIES[section]
    return lambda q: q.kind == "count" and predicate(q)


def number_entries(code: str):
    """(entry id, section, entry) for every recognising entry of a pack's numbers.yaml."""
    data = load_pack(code).data.get("numbers", {})
    out = [(f"{code}.number.words", "words", {"examples": data.get("examples"), "counterexamples": data.get("counterexamples")})]
    for section in ("vague", "qualifiers", "ranges", "zero", "kinds"):
        for i, entry in enumerate(data.get(section) or []):
            default = entry.get("qualifier") or entry.get("kind") or str(i)
            entry_id = entry.get("id") or f"{code}.number.{section}.{default}"
            if section == "ranges":
                entry_id = f"{code}.number.range.{entry['id']}"
            out.append((entry_id, section, entry))
    for section in LIST_ENTRIES:
        value = data.get(section)
        if value is not None:
            entry = value if isinstance(value, dict) else {"forms": value}
            out.append((f"{code}.number.{section}", section, entry))
    return out


def parse_expected(expected: str):
    """'62-62 exact' -> (62, 62, 'exact'); '62 at_least' -> (62, None, 'at_least'); 'percent' -> kind."""
    expected = str(expected).strip()
    if expected in QUANTITY_KINDS and expected != "count":
        return ("kind", expected)
    values, qualifier = expected.rsplit(" ", 1)

    def value(v):
        return None if v == "?" else int(v)

    if "-" in values:
        low, high = values.split("-", 1)
        return ("count", value(low), value(high), qualifier)
    if qualifier in ("less_than", "at_most"):
        return ("count", None, value(values), qualifier)
    if qualifier in ("at_least", "more_than"):
        return ("count", value(values), None, qualifier)
    return ("count", value(values), value(values), qualifier)


def _counted_nouns(pack) -> set[str]:
    forms = set()
    for term in pack.section("populations", "terms", []) or []:
        for key in ("forms", "singular", "dual"):
            forms.update(pack.canonical(str(f)) for f in term.get(key) or [])
    return forms


def _is_trailing_noun(pack, rest: str) -> bool:
    words = pack.canonical(rest).split()
    if words and words[0] in LINKERS:
        words = words[1:]
    if not words:
        return True
    nouns = _counted_nouns(pack)
    prefixes = [""] + [pack.canonical(p) for p in pack.section("morphology", "proclitics", []) or []]
    suffixes = [""] + [pack.canonical(s) for s in pack.section("morphology", "enclitics", []) or []]
    phrase = " ".join(words)
    return any(phrase.startswith(p) and phrase[len(p):] in nouns for p in prefixes) or any(
        phrase.startswith(p) and phrase[len(p):].endswith(s) and phrase[len(p):len(phrase) - len(s)] in nouns
        for p in prefixes for s in suffixes if s)


def _describe(quantities) -> str:
    return "; ".join(f"{q.text!r} {q.low}-{q.high} {q.qualifier} {q.kind} {q.rule}" for q in quantities) or "nothing"


def check_example(code: str, text: str, expected: str) -> None:
    pack = load_pack(code)
    quantities = read_quantities(str(text), pack)
    parsed = parse_expected(expected)
    if parsed[0] == "kind":
        of_kind = [q for q in quantities if q.kind == parsed[1]]
        counts = [q for q in quantities if q.kind == "count"]
        assert len(of_kind) == 1 and not counts, f"{text!r}: expected one {parsed[1]}, got {_describe(quantities)}"
        return
    _, low, high, qualifier = parsed
    counts = [q for q in quantities if q.kind == "count"]
    assert len(counts) == 1, f"{text!r}: expected one count, got {_describe(quantities)}"
    q = counts[0]
    assert (q.low, q.high, q.qualifier) == (low, high, qualifier), f"{text!r}: got {_describe(counts)}"
    assert str(text)[q.start:q.end] == q.text
    prefix = pack.canonical(str(text)[:q.start]).strip()
    proclitics = {pack.canonical(p) for p in pack.section("morphology", "proclitics", []) or []}
    assert prefix == "" or prefix in proclitics, f"{text!r}: {q.text!r} leaves {prefix!r} before it"
    rest = str(text)[q.end:]
    if "dual_agreement" in q.rule:  # the agreeing word that makes the noun a dual is the example's context
        cues = pack.data.get("numbers", {}).get("dual_by_agreement", {}).get("cues_after") or []
        assert pack.canonical(rest).strip() in {pack.canonical(c) for c in cues}, f"{text!r}: {rest!r} is no dual cue"
        return
    assert _is_trailing_noun(pack, rest), f"{text!r}: {q.text!r} leaves {rest!r} after it"


def _number_cases():
    examples, counterexamples = [], []
    for code in LANGS:
        for entry_id, section, entry in number_entries(code):
            for pair in entry.get("examples") or []:
                examples.append(pytest.param(code, pair[0], pair[1], id=f"{entry_id}:{pair[0]}"))
            for text in entry.get("counterexamples") or []:
                counterexamples.append(pytest.param(code, section, entry, text, id=f"{entry_id}:{text}"))
    return examples, counterexamples


NUMBER_EXAMPLES, NUMBER_COUNTEREXAMPLES = _number_cases()


@pytest.mark.parametrize(("code", "text", "expected"), NUMBER_EXAMPLES)
def test_number_example(code, text, expected):
    check_example(code, text, expected)


@pytest.mark.parametrize(("code", "section", "entry", "text"), NUMBER_COUNTEREXAMPLES)
def test_number_counterexample(code, section, entry, text):
    reading = _reading(section, entry)
    wrong = [q for q in read_quantities(str(text), load_pack(code)) if reading(q)]
    assert not wrong, f"{text!r} must not be read as {section}: {_describe(wrong)}"


@pytest.mark.parametrize(("code", "entry_id", "section", "entry"),
                         [pytest.param(c, i, s, e, id=i) for c in LANGS for i, s, e in number_entries(c)])
def test_every_number_entry_has_examples_and_counterexamples(code, entry_id, section, entry):
    assert entry.get("examples"), f"{entry_id} has no examples"
    assert entry.get("counterexamples"), f"{entry_id} has no counterexamples"
    for pair in entry["examples"]:
        assert isinstance(pair, list) and len(pair) == 2, f"{entry_id}: example {pair!r} is not [text, expected]"
        parse_expected(pair[1])


def _normalisation_files():
    files = [("common", LANG_DIR / "common" / "normalization.yaml")]
    files += [(code, LANG_DIR / code / "normalization.yaml") for code in LANGS]
    return files


def _step_cases():
    examples, counterexamples = [], []
    for scope, path in _normalisation_files():
        raw_steps = read_yaml(path).get("steps") or []
        steps = compile_steps(path, raw_steps)
        for raw, step in zip(raw_steps, steps):
            name = raw.get("name")
            for pair in raw.get("examples") or []:
                examples.append(pytest.param(scope, path, step, pair[0], pair[1], id=f"{scope}.{name}:{pair[0]!r}"))
            for text in raw.get("counterexamples") or []:
                counterexamples.append(pytest.param(step, text, id=f"{scope}.{name}:{text!r}"))
    return examples, counterexamples


STEP_EXAMPLES, STEP_COUNTEREXAMPLES = _step_cases()


@pytest.mark.parametrize(("scope", "path", "step", "text", "expected"), STEP_EXAMPLES)
def test_normalisation_example(scope, path, step, text, expected):
    alone = normalise(text, [step]).canonical
    if scope == "common":
        chain = normalise(text, compile_steps(path, read_yaml(path).get("steps"))).canonical
    else:
        chain = load_pack(scope).canonical(text)
    assert expected in (alone, chain), f"{text!r}: step gives {alone!r}, chain gives {chain!r}, expected {expected!r}"


@pytest.mark.parametrize(("step", "text"), STEP_COUNTEREXAMPLES)
def test_normalisation_counterexample(step, text):
    assert normalise(text, [step]).canonical == text


def test_examples_were_collected():
    assert len(NUMBER_EXAMPLES) > 100 and STEP_EXAMPLES
