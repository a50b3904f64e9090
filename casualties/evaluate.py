"""Score extracted figures against a hand-annotated gold file (JSONL, one figure a line).

An extracted figure matches a gold figure of the same document when its number lies inside
the gold quote. `claimed_by: publisher` in the gold means the outlet's own voice, so it
matches an extracted figure whose attribution is `own`. Periods count as right within one day.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import ArticleError
from .model import Figure

FIELDS = ("value", "population", "actor", "subgroup", "outcome", "unit", "claimed_by", "period", "subset_of")


@dataclass
class Evaluation:
    true_positives: int = 0
    false_negatives: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)
    optional_found: int = 0
    required: int = 0
    field_right: dict = field(default_factory=lambda: {f: 0 for f in FIELDS})
    field_total: dict = field(default_factory=lambda: {f: 0 for f in FIELDS})
    field_errors: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.optional_found + len(self.false_positives)
        return (self.true_positives + self.optional_found) / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.required if self.required else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def accuracy(self, name: str) -> float | None:
        total = self.field_total[name]
        return self.field_right[name] / total if total else None

    @property
    def perfect(self) -> bool:
        return not self.false_negatives and not self.false_positives and not self.field_errors


def read_gold(path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ArticleError(path, f"not valid JSON: {error.msg}", number) from None
    return rows


def _spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(quote)
    while start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _close(a, b) -> bool:
    a, b = _day(a), _day(b)
    if a is None or b is None:
        return a is None and b is None
    return abs((a - b).days) <= 1


def _check(gold: dict, figure: Figure, by_id: dict) -> dict[str, tuple]:
    """Field name -> (expected, got) for each checked field."""
    claimed = "own" if gold.get("claimed_by") == "publisher" else gold.get("claimed_by")
    got_claim = "own" if figure.attribution == "own" and claimed == "own" else figure.claimed_by
    parent = by_id.get(figure.subset_of)
    return {
        "value": ((gold["low"], gold["high"], gold["qualifier"]), (figure.low, figure.high, figure.qualifier)),
        "population": (gold.get("population"), figure.population),
        "actor": (gold.get("actor"), figure.actor),
        "subgroup": (gold.get("subgroup"), figure.subgroup),
        "outcome": (gold.get("outcome"), figure.outcome),
        "unit": (gold.get("unit", "people"), figure.unit),
        "claimed_by": (claimed, got_claim),
        "period": ((gold.get("period_start"), gold.get("period_end")), (figure.period_start, figure.period_end)),
        "subset_of": (gold.get("subset_of"), parent.number_text if parent else None),
    }


def _right(name: str, expected, got) -> bool:
    if name == "period":
        return _close(expected[0], got[0]) and _close(expected[1], got[1])
    if name == "subset_of":  # the gold names the parent by its number: "62" inside "62 مدنياً على الأقل"
        return (expected is None) == (got is None) and (expected is None or str(expected) in got)
    return expected == got


def evaluate(gold: list[dict], figures: list[Figure], texts: dict[str, str]) -> Evaluation:
    """Match figures to gold rows per document; count hits, misses, false figures, field accuracy."""
    result = Evaluation()
    by_id = {f.figure_id: f for f in figures}
    used: set[str] = set()
    for row in gold:
        text = texts.get(row["doc"], "")
        spans = _spans(text, row["quote"])
        candidates = [f for f in figures if f.doc_id == row["doc"] and f.figure_id not in used
                      and any(a <= f.start and f.end <= b for a, b in spans)]
        if row.get("required", True):
            result.required += 1
        if not candidates:
            if row.get("required", True):
                result.false_negatives.append(row)
            continue
        figure = candidates[0]
        used.add(figure.figure_id)
        if row.get("required", True):
            result.true_positives += 1
        else:
            result.optional_found += 1
        for name, (expected, got) in _check(row, figure, by_id).items():
            result.field_total[name] += 1
            if _right(name, expected, got):
                result.field_right[name] += 1
            else:
                result.field_errors.append((row, name, expected, got))
    docs = {row["doc"] for row in gold}
    result.false_positives = [f for f in figures if f.doc_id in docs and f.figure_id not in used]
    return result


def report_lines(result: Evaluation) -> list[str]:
    lines = [
        f"figures: precision {result.precision:.3f}  recall {result.recall:.3f} (required)  F1 {result.f1:.3f}",
        f"required found {result.true_positives}/{result.required}; optional found {result.optional_found}; "
        f"false figures {len(result.false_positives)}",
        "field accuracy (over matched figures):",
    ]
    for name in FIELDS:
        acc = result.accuracy(name)
        if acc is not None:
            lines.append(f"  {name:<11} {acc:.3f} ({result.field_right[name]}/{result.field_total[name]})")
    for row in result.false_negatives:
        lines.append(f"MISS  {row['doc']}: {row['quote']}")
    for figure in result.false_positives:
        lines.append(f"FALSE {figure.doc_id}: {figure.number_text!r} in {figure.quote[:120]!r} ({figure.rule})")
    for row, name, expected, got in result.field_errors:
        flag = "" if row.get("required", True) else " (optional)"
        lines.append(f"FIELD {row['doc']}: {row['quote'][:60]!r} {name}: expected {expected}, got {got}{flag}")
    return lines


def texts_of(articles) -> dict[str, str]:
    return {a.doc_id: a.text for a in articles}


def gold_path_default() -> Path:
    return Path("tests/gold/seeds.jsonl")
