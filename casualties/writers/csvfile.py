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

from ..table import holds_only_text
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
_FORMULA_FIRST = pa.array(list(FORMULA_STARTS), type=pa.string()) if _ARROW else None


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
    if _ARROW and frame.shape[1]:
        with atomic_write(path, "wb") as out:
            out.write(codecs.BOM_UTF8)
            out.write(",".join(_csv_field(str(name)) for name in frame.columns).encode("utf-8") + b"\n")
            for first in range(0, len(frame), CSV_CHUNK_ROWS):
                part = frame.iloc[first:first + CSV_CHUNK_ROWS]
                out.write(_csv_rows_arrow([_csv_fields_arrow(part.iloc[:, position])
                                           for position in range(part.shape[1])]))
        return
    columns = [_csv_cells(frame.iloc[:, position]) for position in range(frame.shape[1])]
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


CSV_CHUNK_ROWS = 25_000
FEW_VALUES = 4  # a text column with fewer distinct values than a quarter of its rows makes each once
PYTHON_FIELDS = 64  # ... and up to this many of them by the csv module, one by one
# A field the csv module always quotes (the delimiter, the quote, the line terminator).
_MUST_QUOTE = '[,"\n]'


def _csv_field(value) -> str:
    """One field exactly as the csv module writes it (QUOTE_MINIMAL quotes each field alone)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([value, ""])
    return buffer.getvalue()[:-2]


def _csv_fields_arrow(column: pd.Series):
    """The fields of one column as the csv module writes them (`_csv_cells`, then quoted where
    it quotes), as a pyarrow array: text, integer and boolean columns by pyarrow's kernels,
    other columns a cell at a time."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # Each category's field once, then taken per row by its code (-1, a blank: "").
        fields = _csv_fields_arrow(pd.Series(dtype.categories))
        fields = pa.concat_arrays([fields, pa.array([""], type=fields.type)])
        codes = column.cat.codes.to_numpy()
        return fields.take(pa.array(np.where(codes < 0, len(dtype.categories), codes)))
    missing = column.isna().to_numpy()
    if pd.api.types.is_integer_dtype(dtype) and dtype.kind == "i":
        return pc.fill_null(pc.cast(pa.array(column.to_numpy(dtype="int64", na_value=0), mask=missing), pa.string()), "")
    if pd.api.types.is_bool_dtype(dtype) and not missing.any():
        return pc.if_else(pa.array(column.to_numpy(dtype=bool)), "True", "False")
    array = None
    if (dtype != object and pd.api.types.is_string_dtype(dtype)) or holds_only_text(column):
        # Text, also an object column holding only strings and blanks (the comparison's
        # claimant columns, two hundred of them): made as the csv module makes them, by pyarrow.
        codes, values = pd.factorize(column)
        if len(values) * FEW_VALUES < len(column):
            # Few distinct texts (languages, outcomes, rules): each made once, then taken per row;
            # a handful by the csv module itself (a pyarrow pass costs more per column than that).
            if len(values) <= PYTHON_FIELDS:
                fields = pa.array([_csv_field(defuse(text)) for text in values.tolist()] + [""], type=pa.string())
            else:
                fields = _csv_fields_arrow(pd.Series(values, dtype=dtype))
                fields = pa.concat_arrays([fields, pa.array([""], type=fields.type)])  # code -1: a blank
            return fields.take(pa.array(np.where(codes < 0, len(values), codes)))
        try:
            array = pc.cast(pa.array(column, from_pandas=True), pa.string())
        except (pa.ArrowException, UnicodeError, TypeError):  # text Arrow cannot hold: a cell at a time
            array = None
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()  # rows that straddle two chunks of the column's Arrow data
        if array is not None:
            risky = pc.is_in(pc.utf8_slice_codeunits(array, 0, 1), value_set=_FORMULA_FIRST)
            if pc.any(risky).as_py():
                array = pc.if_else(risky, pc.binary_join_element_wise("'", array, ""), array)
            array = pc.fill_null(array, "")
    if array is None:
        array = pa.array([cell if cell.__class__ is str else repr(cell) if cell.__class__ is float else str(cell)
                          for cell in _csv_cells(column)], type=pa.string())
    # The csv module quotes a field holding the delimiter, the quote or a line end, doubling quotes.
    quoted = pc.match_substring_regex(array, _MUST_QUOTE)
    if pc.any(quoted).as_py():
        array = pc.if_else(quoted, pc.binary_join_element_wise('"', pc.replace_substring(array, '"', '""'), '"', ""),
                           array)
    # A carriage return alone: as the csv module of this Python writes it.
    odd = np.flatnonzero(pc.and_not(pc.match_substring(array, "\r"), quoted).to_numpy(zero_copy_only=False))
    if len(odd):
        mask = np.zeros(len(array), dtype=bool)
        mask[odd] = True
        fields = [_csv_field(text) for text in array.take(pa.array(odd)).to_pylist()]
        array = pc.replace_with_mask(array, pa.array(mask), pa.array(fields, type=pa.string()))
    return array


def _csv_rows_arrow(fields: list) -> bytes | memoryview:
    """Rows of fields (`_csv_fields_arrow`) joined by commas, each ended by a newline, as UTF-8."""
    rows = pc.binary_join_element_wise(pc.binary_join_element_wise(*fields, ","), "\n", "")
    # The rows' UTF-8 bytes lie end to end in the array's data buffer.
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1 + rows.offset)[rows.offset:]
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]] if len(rows) else b""  # a view, not a copy


def _csv_cells(column: pd.Series) -> list:
    """The cells of one column as the csv module writes them: blanks for missing values,
    defused text, numbers as Python numbers."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
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
