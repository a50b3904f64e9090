"""Stage 8c: a short summary of the comparison for the terminal (or markdown, CSV, JSON).

Arabic and other right-to-left text is kept in logical order, never reversed: terminals that
implement the Unicode bidirectional algorithm display it correctly, and reversing it would
corrupt every copy-paste. What does go wrong is a right-to-left name pulling the neighbouring
columns into its run; wrapping it in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE
(U+2068 … U+2069) stops that. The marks are added only when `color` is on, i.e. when the text
goes to a terminal: in files and pipes they would be invisible junk inside the data.

    >>> print(render_summary(reconcile(figures), fmt="table", color=True, limit=10))
"""
from __future__ import annotations

import csv
import io
import json
import math
import unicodedata

import click
import pandas as pd

from ..reconcile import KEY, Comparison
from .bulkrows import RIGHT_TO_LEFT

FORMATS = ("table", "markdown", "csv", "json")
ISOLATE, POP_ISOLATE = "\u2068", "\u2069"
HEADERS = ("group", "counted", "period", "claims", "spread", "flags")


def render_summary(comparison: Comparison, fmt: str = "table", color: bool = False, limit: int | None = 20) -> str:
    """The groups with the widest spread first, as `table`, `markdown`, `csv` or `json` text.

    `limit` keeps the first groups (None or 0 keeps all). `color` styles the table with ANSI
    colours and isolates right-to-left text (see the module note); other formats ignore it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    groups = comparison.groups if not limit else comparison.groups.head(limit)
    records = [_record(group, comparison.claimants) for group in groups.to_dict("records")]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    rows = [_row(record, isolate=color and fmt == "table") for record in records]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADERS)
        writer.writerows(rows)
        return out.getvalue()
    if fmt == "markdown":
        return _markdown(rows)
    return _table(rows, color, total=len(comparison.groups))


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: combining marks and format controls take none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def _record(group: dict, claimants: list[str]) -> dict:
    return {
        "group_id": group["group_id"],
        **{name: group[name] or None for name in KEY},
        "is_subset": bool(group["is_subset"]),
        "period_start": group["period_start"] or None,
        "period_end": group["period_end"] or None,
        "claims": {name: group[name] for name in claimants if group[name]},
        "n_claimants": int(group["n_claimants"]),
        "low": _number(group["low"]),
        "high": _number(group["high"]),
        "spread_ratio": _number(group["spread_ratio"], digits=2),
        "spread_abs": _number(group["spread_abs"]),
        "flags": [flag for flag in group["flags"].split(";") if flag],
    }


def _number(value, digits: int | None = None):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits) if digits is not None else int(value)


def _row(record: dict, isolate: bool = False) -> list[str]:
    mark = _isolate if isolate else str
    counted = " ".join(mark(str(record[name])) for name in KEY if record[name])
    if record["is_subset"]:
        counted += " (subset)"
    start, end = record["period_start"] or "", record["period_end"] or ""
    period = start if start == end else f"{start}–{end}"
    claims = ", ".join(f"{mark(claimant)} {shown}" for claimant, shown in record["claims"].items())
    ratio = record["spread_ratio"]
    spread = f"×{ratio:.2f}" if ratio is not None else ""
    return [record["group_id"], counted, period, claims, spread, " ".join(record["flags"])]


def _markdown(rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _table(rows: list[list[str]], color: bool, total: int) -> str:
    widths = [max([display_width(header)] + [display_width(row[index]) for row in rows])
              for index, header in enumerate(HEADERS)]
    lines = [_line(HEADERS, widths, color, header=True)]
    lines += [_line(row, widths, color) for row in rows]
    if len(rows) < total:
        lines.append(f"… {total - len(rows)} more groups")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _line(values, widths, color: bool, header: bool = False) -> str:
    cells = []
    for index, (value, width) in enumerate(zip(values, widths)):
        padded = value + " " * (width - display_width(value))
        if color:
            if header:
                padded = click.style(padded, bold=True)
            elif HEADERS[index] == "flags" and "contradiction" in value:
                padded = click.style(padded, fg="red")
            elif HEADERS[index] == "spread" and value:
                padded = click.style(padded, fg="yellow")
        cells.append(padded)
    return "  ".join(cells)


def _isolate(text: str) -> str:
    return f"{ISOLATE}{text}{POP_ISOLATE}" if RIGHT_TO_LEFT.search(text) else text
