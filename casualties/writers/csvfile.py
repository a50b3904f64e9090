"""Flat files: CSV for spreadsheets, JSON Lines for programs."""
from __future__ import annotations

import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from .atomic import atomic_write

# A CSV cell starting with one of these is run as a formula when the file is opened in
# Excel or LibreOffice (CSV injection); a quoted text from a news site must never run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """`value` prefixed with `'` when it is a string a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path) -> None:
    """Write `frame` as CSV, atomically, safe to open in a spreadsheet.

    The file is UTF-8 with a byte order mark: without it Excel reads a CSV in the machine's
    legacy code page and Arabic text turns into mojibake; every other reader skips the mark.
    Text cells that a spreadsheet would run as a formula get a leading `'`; numbers are
    written as they are, so a negative count stays a number.

        >>> write_csv(comparison.groups, "reports/comparison.csv")
    """
    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe[name] = pd.Series([defuse(value) for value in column], index=column.index, dtype=object)
    with atomic_write(path, "w", encoding="utf-8-sig", newline="") as out:
        safe.to_csv(out, index=False, lineterminator="\n")


def write_jsonl(frame: pd.DataFrame, path) -> None:
    """Write `frame` as JSON Lines (one object per row), UTF-8, atomically; blanks become null.

    No formula defusing here: JSON is read by programs, which must get the text as written.
    """
    columns = [str(name) for name in frame.columns]
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as out:
        for values in frame.itertuples(index=False, name=None):
            record = dict(zip(columns, (_plain(value) for value in values)))
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
