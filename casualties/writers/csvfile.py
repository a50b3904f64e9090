"""Flat files: CSV for spreadsheets, JSON Lines for programs."""
from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from .atomic import atomic_write

try:  # optional: joins the fields of large tables in C (pandas 3 installs it)
    import pyarrow as pa
    import pyarrow.compute as pc
    _ARROW = True
except ImportError:  # pragma: no cover - exercised where pyarrow is absent
    pa = pc = None
    _ARROW = False

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

    The file is what `frame.to_csv(index=False)` writes (blanks for missing values, floats
    as Python writes them), through the csv module directly: a column at a time instead of
    a cell at a time, about five times faster on a large figure table.
    """
    columns = [_csv_cells(frame.iloc[:, position]) for position in range(frame.shape[1])]
    if _ARROW and columns:
        with atomic_write(path, "wb") as out:
            out.write(codecs.BOM_UTF8)
            out.write(",".join(_csv_field(str(name)) for name in frame.columns).encode("utf-8") + b"\n")
            for first in range(0, len(frame), CSV_CHUNK_ROWS):
                out.write(_csv_rows_arrow([cells[first:first + CSV_CHUNK_ROWS] for cells in columns]))
        return
    with atomic_write(path, "w", encoding="utf-8-sig", newline="") as out:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([str(name) for name in frame.columns])
        rows = zip(*columns)
        while chunk := list(itertools.islice(rows, CSV_CHUNK_ROWS)):
            writer.writerows(chunk)
            out.write(buffer.getvalue())  # one write per chunk: a write per row costs an encode call each
            buffer.seek(0)
            buffer.truncate()
        out.write(buffer.getvalue())


CSV_CHUNK_ROWS = 10_000
# A field the csv module may quote; any other text it writes as it is.
_MAY_QUOTE = '[,"\r\n]'


def _csv_field(value) -> str:
    """One field exactly as the csv module writes it (QUOTE_MINIMAL quotes each field alone)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, ""])
    return buffer.getvalue()[:-2]


def _csv_rows_arrow(columns: list[list]) -> bytes:
    """Rows of cells (`_csv_cells`) as the csv module writes them, joined by pyarrow's string
    kernels: only the fields with a comma, quote or line break go through the csv module."""
    fields = []
    for cells in columns:
        texts = [cell if cell.__class__ is str else repr(cell) if cell.__class__ is float else str(cell)
                 for cell in cells]
        array = pa.array(texts, type=pa.string())
        quoted = np.flatnonzero(pc.match_substring_regex(array, _MAY_QUOTE).to_numpy(zero_copy_only=False))
        if len(quoted):
            for position in quoted.tolist():
                texts[position] = _csv_field(cells[position])
            array = pa.array(texts, type=pa.string())
        fields.append(array)
    rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\n", "")
    # The rows' UTF-8 bytes lie end to end in the array's data buffer.
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1 + rows.offset)[rows.offset:]
    return rows.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]] if len(rows) else b""


def _csv_cells(column: pd.Series) -> list:
    """The cells of one column as the csv module writes them: blanks for missing values,
    defused text, numbers as Python numbers."""
    missing = column.isna().to_numpy()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        values = column.astype(object).tolist()
        for position in np.flatnonzero(missing):
            values[position] = ""
        if column.dtype != object:
            # A text column: find the few cells to defuse at once, then patch only those.
            risky = column.str.startswith(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            for position in np.flatnonzero(risky):
                values[position] = "'" + values[position]
            return values
        return [("'" + value if value.startswith(FORMULA_STARTS) else value) if value.__class__ is str else value
                for value in values]
    values = column.tolist()
    if missing.any():
        for position in np.flatnonzero(missing):
            values[position] = ""
    return values


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
