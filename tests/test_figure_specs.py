"""Sentence-level figure specs: tests/specs/figures/<lang>.jsonl and <lang>.<topic>.jsonl (e.g. ar.claimants.jsonl),
one case a line, for every language present.

A case: {"id", "text", "published": "YYYY-MM-DD" | null, "publisher": id | null, "expected": [figure, ...],
optional "xfail": "<reason>", optional "note"}. An expected figure gives "number_text" ("A ... B" when the
extracted text starts with A and ends with B) and any of low,
high, qualifier, population, actor, subgroup, subset_of (the parent's number_text, or null), outcome,
unit, claimed_by ("publisher" means the outlet's own voice). The case passes when every expected
figure is extracted (its number_text equal to, or containing, the expected one) with every given field
equal, and no other figure is extracted. A case with "xfail" is a known gap, never deleted.
"""
from __future__ import annotations

from datetime import date

import pytest

from casualties.api import extract_text
from conftest import SPECS, read_jsonl

SPEC_DIR = SPECS / "figures"
FIELDS = ("low", "high", "qualifier", "population", "actor", "subgroup", "outcome", "unit")


def _cases():
    for path in sorted(SPEC_DIR.glob("*.jsonl")):
        lang = path.stem.split(".")[0]
        for line, case in enumerate(read_jsonl(path), 1):
            marks = [pytest.mark.xfail(strict=False, reason=case["xfail"])] if case.get("xfail") else []
            yield pytest.param(lang, case, id=f"{lang}:{case.get('id', line)}", marks=marks)


def _matches(got: str, want: str, exact: bool) -> bool:
    if " ... " in want:  # words left out between the amount and a qualifier after the noun
        head, _, tail = want.partition(" ... ")
        return got.startswith(head) and got.endswith(tail)
    return got == want if exact else want in got


def _find(figures, number_text, used):
    for exact in (True, False):
        for i, f in enumerate(figures):
            if i not in used and _matches(f.number_text, number_text, exact):
                return i
    return None


@pytest.mark.parametrize("lang,case", list(_cases()))
def test_figure_spec(lang, case):
    published = date.fromisoformat(case["published"]) if case.get("published") else None
    figures = extract_text(case["text"], lang=lang, published=published, publisher=case.get("publisher"))
    by_id = {f.figure_id: f for f in figures}
    used: set[int] = set()
    problems = []
    for expected in case["expected"]:
        number_text = expected["number_text"]
        i = _find(figures, number_text, used)
        if i is None:
            problems.append(f"{number_text!r} not found")
            continue
        used.add(i)
        f = figures[i]
        for name in FIELDS:
            if name in expected and getattr(f, name) != expected[name]:
                problems.append(f"{number_text!r}: {name} {getattr(f, name)!r} != {expected[name]!r}")
        if "claimed_by" in expected:
            want = expected["claimed_by"]
            ok = f.attribution == "own" if want == "publisher" else f.claimed_by == want
            if not ok:
                problems.append(f"{number_text!r}: claimed_by {f.claimed_by!r} ({f.attribution}) != {want!r}")
        if "subset_of" in expected:
            parent = by_id.get(f.subset_of) if f.subset_of else None
            got = parent.number_text if parent else None
            want = expected["subset_of"]
            if not (got == want or (want is not None and got is not None and want in got)):
                problems.append(f"{number_text!r}: subset_of {got!r} != {want!r}")
    extra = [(f.number_text, f.rule) for i, f in enumerate(figures) if i not in used]
    if extra:
        problems.append(f"unexpected figures {extra}")
    assert problems == [], "; ".join(problems)
