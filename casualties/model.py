"""Typed records passed between stages. Every stage takes and returns these; none is mutated."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

QUALIFIERS = ("exact", "about", "at_least", "more_than", "less_than", "at_most", "range", "vague")
QUANTITY_KINDS = (
    "count", "percent", "time", "duration", "date", "year", "ordinal", "money", "age", "counter", "phone", "objects",
)
POPULATIONS = ("civilians", "combatants", "mixed", "unknown")
OUTCOMES = (
    "killed", "wounded", "missing", "executed", "detained", "evacuated", "displaced", "present",
    "killed_or_wounded", "wounded_or_missing",
)
UNITS = ("people", "buses", "convoys")
ATTRIBUTIONS = ("explicit", "own")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: str) -> bool:
    """Whether `value` holds a surrogate code point: the one thing strict UTF-8 cannot encode.
    Encoding reads an article several times faster than a search for the class does."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True, slots=True)
class Article:
    """One news article. `text` is never edited by any stage: offsets point into it."""

    doc_id: str
    text: str
    publisher: str | None = None
    published: date | None = None
    language: str | None = None
    url: str | None = None
    path: str | None = None
    line: int | None = None
    title: str | None = None
    # The file as it was when read (corpus.file_state): a rerun that finds it so again takes
    # the stored article without reading the file. None: not from a file, or not to be trusted.
    file_state: str | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        # A lone surrogate (from a JSON escape such as "\\ud800") is no character: no file,
        # table or workbook can hold it. U+FFFD takes its place one for one, so offsets hold.
        for name in ("text", "publisher", "url", "title"):
            value = getattr(self, name)
            if isinstance(value, str) and _has_surrogate(value):
                object.__setattr__(self, name, LONE_SURROGATE.sub("\ufffd", value))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A written amount. `start`/`end` are half-open offsets into the text given to the finder.

    `low`/`high` follow docs/CONVENTIONS.md; None means open or unknown.
    `noun` is set when the amount is carried by a counted noun itself (a dual such as
    "two fighters" written as one word, or "noun + one"): the canonical form of that noun.
    """

    text: str
    start: int
    end: int
    low: int | None
    high: int | None
    qualifier: str
    kind: str = "count"
    rule: str = ""
    noun: str | None = None
    negated: bool = False
    core_start: int = -1
    core_end: int = -1

    def as_dict(self) -> dict:
        return {
            "text": self.text, "start": self.start, "end": self.end, "low": self.low,
            "high": self.high, "qualifier": self.qualifier, "kind": self.kind, "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None
    end: date | None
    evidence: str = ""
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    """Who claims a figure: a canonical source id, the words naming it, and how it was found."""

    claimed_by: str
    text: str = ""
    attribution: str = "own"
    start: int = -1
    end: int = -1
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the figure table (see casualties.table for the data dictionary)."""

    figure_id: str
    doc_id: str
    publisher: str | None
    published: date | None
    language: str | None
    claimed_by: str
    claimed_by_text: str
    attribution: str
    population: str
    actor: str | None
    subgroup: str | None
    subset_of: str | None
    outcome: str
    unit: str
    low: int | None
    high: int | None
    qualifier: str
    period_start: date | None
    period_end: date | None
    number_text: str
    start: int
    end: int
    quote: str
    rule: str
    stance: str = "asserted"
    latent: bool = False
    quote_start: int = -1
    quote_end: int = -1
    extra: dict = field(default_factory=dict, compare=False, hash=False)
