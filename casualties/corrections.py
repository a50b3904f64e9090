"""Hand corrections that survive reruns, read from `reports/corrections.csv`.

Columns: figure_id, field, value, note, reviewer, date (note, reviewer and date are for people
and are not read). One row per correction:

- `field` a figure-table column (`low`, `qualifier`, `claimed_by`, `period_end`, ...): `value`
  replaces that cell; an empty value empties an optional cell;
- `field=reject`: the figure is dropped;
- `field=add`: a figure the rules missed. `value` is a JSON object of its columns, with at
  least doc_id, number_text, quote, low, high, qualifier, population and outcome; its id is
  the row's figure_id, or, when that is empty, `added-` and a hash of doc_id, number_text
  and quote.

Corrections refer to figures by figure_id, which stays the same across reruns, so they are
applied again on every run. A correction whose figure is not among the run's figures (the
rules withdrew it, or its article is not in the inputs) is reported, never dropped in
silence; so is every row that cannot be read, with its file and line.

    >>> corrections, issues = read_corrections("reports/corrections.csv")   # doctest: +SKIP
    >>> result = apply_corrections(figures, corrections)                    # doctest: +SKIP
    >>> result.corrected["12be1410d8e00f1d"]                               # doctest: +SKIP
    ('low', 'high')
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .errors import Problem as Issue  # a row that cannot be read or applied: file, line, why
from .model import ATTRIBUTIONS, OUTCOMES, POPULATIONS, QUALIFIERS, UNITS, Figure

COLUMNS = ("figure_id", "field", "value", "note", "reviewer", "date")
REQUIRED_COLUMNS = ("figure_id", "field", "value")
REJECT = "reject"
ADD = "add"
ADD_REQUIRED = ("doc_id", "number_text", "quote", "low", "high", "qualifier", "population", "outcome")
ADDED_RULE = "correction.add"
_TYPES = {f.name: str(f.type) for f in dataclasses.fields(Figure) if f.name != "extra"}
EDITABLE = tuple(name for name in _TYPES if name not in ("figure_id", "doc_id"))
VOCABULARY = {
    "qualifier": QUALIFIERS, "population": POPULATIONS, "outcome": OUTCOMES, "unit": UNITS,
    "attribution": ATTRIBUTIONS, "stance": ("asserted", "denied"),
}
# Columns of an added figure that its JSON may leave out.
ADD_DEFAULTS = {
    "publisher": None, "published": None, "language": None, "claimed_by": "publisher", "claimed_by_text": "",
    "attribution": "own", "actor": None, "subgroup": None, "subset_of": None, "unit": "people",
    "period_start": None, "period_end": None, "start": None, "end": None, "rule": ADDED_RULE,
    "stance": "asserted", "latent": False, "quote_start": -1, "quote_end": -1,
}


@dataclass(frozen=True)
class Correction:
    """One readable row. `value` is already typed: the new cell value, a dict for `add`, None for `reject`."""

    path: str
    line: int
    figure_id: str
    field: str
    value: object


@dataclass
class Corrected:
    """Figures after corrections; `corrected` maps a figure_id to the fields changed by hand
    (`add` for an added figure); `not_applied` are the corrections whose figure is missing."""

    figures: list[Figure]
    corrected: dict[str, tuple[str, ...]] = field(default_factory=dict)
    applied: int = 0
    not_applied: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


class BadValue(ValueError):
    pass


def read_corrections(path) -> tuple[list[Correction], list[Issue]]:
    """The readable corrections of `path`, and an Issue (file and line) for every other row."""
    path = Path(path)
    where = str(path)
    corrections: list[Correction] = []
    issues: list[Issue] = []
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        return [], [Issue(where, None, f"cannot read: {error.strerror or error}", "error")]
    with handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or ())]
        if missing:
            return [], [Issue(where, 1, f"missing column(s) {missing}; expected {', '.join(COLUMNS)}", "error")]
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            try:
                corrections.append(_correction(where, start, row))
            except BadValue as error:
                issues.append(Issue(where, start, f"{error}; row skipped"))
    return corrections, issues


def _correction(where: str, line: int, row: dict) -> Correction:
    figure_id = (row.get("figure_id") or "").strip()
    name = (row.get("field") or "").strip()
    text = (row.get("value") or "").strip()
    if name == REJECT:
        if not figure_id:
            raise BadValue("reject needs a figure_id")
        return Correction(where, line, figure_id, name, None)
    if name == ADD:
        figure = _added_fields(text)
        return Correction(where, line, figure_id or added_id(figure), name, figure)
    if not figure_id:
        raise BadValue("no figure_id")
    if name not in EDITABLE:
        raise BadValue(f"unknown field {name!r}; expected reject, add or one of {', '.join(EDITABLE)}")
    return Correction(where, line, figure_id, name, convert(name, text))


def _added_fields(text: str) -> dict:
    try:
        given = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadValue(f"add: value is not JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(given, dict):
        raise BadValue("add: value must be a JSON object of figure columns")
    if "figure_id" in given:
        raise BadValue("add: the figure's id goes in the figure_id column, not in value")
    unknown = sorted(set(given) - set(_TYPES))
    if unknown:
        raise BadValue(f"add: unknown column(s) {unknown}")
    missing = [name for name in ADD_REQUIRED if name not in given]
    if missing:
        raise BadValue(f"add: missing column(s) {missing}")
    return {name: convert(name, value) for name, value in given.items()}


def added_id(fields: dict) -> str:
    key = "\x1f".join(str(fields.get(name) or "") for name in ("doc_id", "number_text", "quote"))
    return "added-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def convert(name: str, value):
    """`value` (text from the CSV or a JSON value) as the type of figure column `name`."""
    kind = _TYPES[name]
    if value is None or value == "":
        if "None" in kind:
            return None
        raise BadValue(f"{name} cannot be empty")
    base = kind.split(" ")[0]
    try:
        if base == "int":
            if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if base == "date":
            return date.fromisoformat(str(value))
        if base == "bool":
            return _boolean(value)
    except ValueError:
        raise BadValue(f"{name}: {value!r} is not {'an ISO date' if base == 'date' else 'a ' + base}") from None
    if not isinstance(value, str):
        raise BadValue(f"{name}: {value!r} is not text")
    if name in VOCABULARY and value not in VOCABULARY[name]:
        raise BadValue(f"{name}: {value!r} is not one of {', '.join(VOCABULARY[name])}")
    return value


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError


def unmatched(corrections: list[Correction], figure_ids) -> list[Issue]:
    """An Issue for each edit or rejection whose figure is neither in `figure_ids` nor added."""
    known = set(figure_ids) | {c.figure_id for c in corrections if c.field == ADD}
    return [_not_applied(c) for c in corrections if c.field != ADD and c.figure_id not in known]


def _not_applied(c: Correction) -> Issue:
    return Issue(c.path, c.line, f"figure {c.figure_id} is not among this run's figures (withdrawn by the rules,"
                                 f" or its article is not in the inputs): {c.field} not applied")


def apply_corrections(figures: list[Figure], corrections: list[Correction], *,
                      defaults: Callable[[str], dict] | None = None) -> Corrected:
    """Figures with `corrections` applied: additions first, then edits, then rejections, each
    in file order (a later edit of the same cell wins). `defaults(doc_id)` gives the columns an
    added figure leaves out (publisher, published, language, claimant)."""
    result = Corrected(list(figures))
    index = {f.figure_id: i for i, f in enumerate(result.figures)}
    changed: dict[str, list[str]] = {}
    last: dict[str, Correction] = {}
    for c in (c for c in corrections if c.field == ADD):
        if c.figure_id in index:
            result.issues.append(Issue(c.path, c.line, f"add: figure {c.figure_id} already exists; not added again"))
            continue
        base = {**ADD_DEFAULTS, **(defaults(c.value["doc_id"]) if defaults else {})}
        if "claimed_by" in c.value and "attribution" not in c.value:
            base["attribution"] = "explicit"
        index[c.figure_id] = len(result.figures)
        result.figures.append(Figure(figure_id=c.figure_id, **{**base, **c.value}))
        changed[c.figure_id] = [ADD]
        last[c.figure_id] = c
        result.applied += 1
    rejected = set()
    for c in corrections:
        if c.field == ADD:
            continue
        if c.figure_id not in index:
            result.not_applied.append(_not_applied(c))
            continue
        if c.field == REJECT:
            rejected.add(c.figure_id)
        else:
            position = index[c.figure_id]
            result.figures[position] = dataclasses.replace(result.figures[position], **{c.field: c.value})
            fields = changed.setdefault(c.figure_id, [])
            if c.field not in fields:
                fields.append(c.field)
            last[c.figure_id] = c
        result.applied += 1
    for figure in result.figures:
        c = last.get(figure.figure_id)
        if c and figure.low is not None and figure.high is not None and figure.low > figure.high:
            result.issues.append(Issue(c.path, c.line, f"figure {figure.figure_id}: low {figure.low} > high {figure.high} after corrections"))
    result.figures = [f for f in result.figures if f.figure_id not in rejected]
    result.corrected = {i: tuple(fields) for i, fields in changed.items() if i not in rejected}
    return result
