"""Required literals (langpack.required_literals): a precheck that must never rule out a match."""
import json
import re
from pathlib import Path

import pytest

from casualties.figures import BEFORE_WINDOW, figure_grammar
from casualties.langpack import LiteralSets, available_languages, load_pack, required_literals
from casualties.text import sentence_spans

SPECS = Path(__file__).parent / "specs"


def holds(sets, text: str) -> bool:
    return all(any(s in text for s in group) for group in sets)


@pytest.mark.parametrize("pattern,matches,misses", [
    ("(?:killed|wounded) (?:at least )?\\Z", ["killed ", "wounded at least "], ["dead "]),
    ("(?:every|each) (?:day|week)", ["each week"], ["every month", "a day"]),
    ("(?:of )?people", ["people"], ["persons"]),
])
def test_sets_hold_in_matches_and_rule_out_others(pattern, matches, misses):
    sets = required_literals(pattern)
    assert sets
    for text in matches:
        assert re.fullmatch(pattern.replace("\\Z", ""), text) and holds(sets, text)
    for text in misses:
        assert not holds(sets, text)


def test_lookarounds_are_not_required():
    # they may read outside the window the pattern is tried in
    assert required_literals("(?<=among )people(?= killed)") == (frozenset({"people"}),)


@pytest.mark.parametrize("pattern", [
    "(?i)killed",            # case folded: the literals would not be the text's
    "(?P<a>ab)(?P=a)",       # a back reference
    "[[a-z]--[aeiou]]+",     # a `regex` V1 set operation the standard parser misreads
    "(?:killed)?",           # nothing required
    "k\\w+",                 # too short to tell anything
])
def test_unreadable_or_uninformative_patterns_give_no_sets(pattern):
    assert required_literals(pattern) == ()


def test_a_lexicon_name_stands_for_its_forms():
    sets = required_literals("(?:a |the )?{NOUN} (?:were|was) {OUTCOME}",
                             {"NOUN": ["civilians", "fighters"], "OUTCOME": ["killed", "wounded"]})
    assert holds(sets, "the civilians were killed")
    assert not holds(sets, "the civilians were hurt")
    assert not holds(sets, "the soldiers were killed")


def test_a_name_without_forms_may_match_anything():
    assert required_literals("{NOUN} were killed") == (frozenset({" were killed"}),)
    assert required_literals("{NOUN} were killed", {"NOUN": []}) == (frozenset({" were killed"}),)
    assert required_literals("x{NOUN}yz") == ()  # no literal of three characters or more on either side


def test_index_finds_a_string_only_wholly_inside_the_window():
    literals = LiteralSets()
    ids = literals.add([frozenset({"killed", "wounded"})])
    index = literals.index("12 were killed and 3 wounded")
    assert index.holds_all(ids, 0, 14)
    assert not index.holds_all(ids, 0, 13)  # "kille"
    assert not index.holds_all(ids, 9, 20)
    assert index.holds_all(ids, 9, 29)
    assert index.within(0, 14) == index.within(0, 29) == 1 and index.within(0, 13) == 0


def spec_texts(code: str) -> list[str]:
    texts = []
    for path in sorted(SPECS.glob(f"*/{code}.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str):
                texts.append(text)
    return texts


@pytest.mark.parametrize("code", available_languages())
def test_no_figure_frame_matches_where_its_literals_are_missing(code):
    """Every rule frame, tried at every word of every spec sentence: wherever it matches, its
    required literals are found in the same window."""
    pack = load_pack(code)
    g = figure_grammar(pack)
    tried = matched = 0
    for raw in spec_texts(code):
        text = pack.canonical(raw)
        index = g.literals.index(text)
        for lo, hi in sentence_spans(text):
            for at in [lo] + [m.end() for m in re.finditer(r"[ ,]", text[lo:hi]) if lo + m.end() < hi]:
                at = at if at == lo else lo + at
                for rule in g.rules:
                    if rule.after is not None and rule.after.match(text, at, hi):
                        matched += 1
                        assert index.holds_all(rule.after_needs, at, hi), (rule.id, "after", text[at:hi])
                    start = max(lo, at - BEFORE_WINDOW)
                    if rule.before is not None and rule.before.search(text, start, at):
                        matched += 1
                        assert index.holds_all(rule.before_needs, start, at), (rule.id, "before", text[start:at])
                        assert not rule.before_mask & ~index.within(start, at), (rule.id, "before mask", text[start:at])
                    tried += 1
    assert matched > 100
    assert sum(bool(rule.before_needs or rule.after_needs) for rule in g.rules) >= len(g.rules) // 2
