"""Stage 8a: the researcher's workbook: claimants side by side, the figure table, sources, charts.

Sheets: Comparison (one row per group, one column per claimant, the quote as a comment),
Claims (every claim, earlier ones too, with its outlets and quote), Figures (the figure table;
cells corrected by hand are filled), Changes (only when given: figures new, changed or withdrawn
since the previous run), Sources (each claimant), Chart (floating-bar charts of the widest spreads), About (the run and
the conventions for reading amounts). A table longer than a sheet (bulkrows.SHEET_ROW_LIMIT rows,
Excel's limit) goes on in "Figures (2)", "Figures (3)", ..., each with its header again.

    >>> write_workbook("reports/casualties.xlsx", figures, reconcile(figures),
    ...                about={"run date": "2026-11-23", "inputs": "seeds/", "rules version": "0.1.0",
    ...                       "conventions_rows": conventions_rows()},
    ...                sources={"sohr": {"kind": "monitor", "name": "Syrian Observatory for Human Rights"}})

Every text cell is stored as text: a quote that begins with `=`, `+`, `-` or `@` is shown as
written and never runs as a formula.
"""
from __future__ import annotations

import io
import json
import re
import types
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..reconcile import KEY, Comparison, claimant_column
from ..table import COLUMN_NAMES, holds_only_text, text_with_blanks
from . import bulkrows
from .atomic import atomic_write
from .bulkrows import (
    RATIO_FORMAT, RIGHT_TO_LEFT, RTL_ALIGNMENT, BulkRows, clean_text, is_formula_like, splice_rows, template_row,
)

INTEGER_COLUMNS = ("low", "high", "start", "end")
SHEETS = ("Comparison", "Claims", "Figures", "Sources", "Chart", "About")
# Sheets that grow with the corpus: past Excel's row limit they go on in "Figures (2)", ...
BULK_SHEETS = ("Comparison", "Claims", "Figures", "Changes")
MAX_CHARTS = 50
# Comments are VML shapes: tens of thousands make Excel crawl. Past these rows the quotes are
# in the Claims sheet only.
MAX_COMMENTED_ROWS = 2_000
MAX_COLUMN_WIDTH = 60
COMMENT_TEXT_LIMIT = 2_000
COMMENT_SIZE = (320, 160)  # width, height of a claimant cell's note
CONVENTIONS_FILE = Path(__file__).resolve().parents[2] / "docs" / "CONVENTIONS.md"

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDDDDD")
_NOTE_FONT = Font(italic=True, color="666666")
_CORRECTED_FILL = PatternFill("solid", start_color="FFF2CC", end_color="FFF2CC")
CORRECTED = "corrected"


def write_workbook(path, figures: pd.DataFrame, comparison: Comparison, about: dict,
                   sources: dict | None = None, changes: pd.DataFrame | None = None, *,
                   figures_sheet: Future | None = None, claims_sheet: Future | None = None) -> None:
    """Write the workbook to `path` atomically.

    `figures` is the figure table (table.COLUMN_NAMES; an extra `url` column, the article's
    address, becomes a hyperlink column; an extra `corrected` column, the fields corrected by
    hand separated by `;`, fills those cells). `changes`, when given, becomes the Changes sheet. `about` is printed on the About sheet; its
    `conventions_rows` entry, if any, is printed as the conventions table instead (else the
    repository's docs/CONVENTIONS.md when present). `sources` maps a claimant id to
    {"kind": ..., "name": ...}. `figures_sheet`: the Figures sheet made beforehand from the
    same `figures` (figures_sheet_meanwhile), taken when it is the sheet made here;
    `claims_sheet` likewise, the Claims sheet of `comparison.claims` (claims_sheet_meanwhile).
    """
    figures = figures.reset_index(drop=True)
    book = Workbook(write_only=True)
    _register_bulk_styles(book)
    bulk = {
        **_comparison_sheets(book, comparison),
        **_continued(book, "Claims", comparison.claims, _claims_sheet),
        **_continued(book, "Figures", _figure_sheet_table(figures), _figures_sheet),
    }
    if changes is not None:
        bulk.update(_continued(book, "Changes", changes.reset_index(drop=True), _changes_sheet))
    _sources_sheet(book.create_sheet("Sources"), figures, comparison, sources or {})
    _chart_sheet(book.create_sheet("Chart"), comparison)
    _about_sheet(book.create_sheet("About"), about, len(comparison.groups),
                 continued=[name for name in bulk if name not in BULK_SHEETS])
    placeholder = io.BytesIO()
    book.save(placeholder)
    with atomic_write(path, "wb") as out:
        made = {name: sheet for name, sheet in (("Figures", figures_sheet), ("Claims", claims_sheet)) if sheet}
        splice_rows(placeholder.getvalue(), out, bulk, made=made)


# Figure tables longer than this make their Figures sheet when the rest of the workbook is
# made, not beforehand: made beside the comparison, it would add its rows to the run's peak memory.
FIGURES_SHEET_MEANWHILE_ROWS = 1_000_000


def figures_sheet_meanwhile(figures: pd.DataFrame) -> Future | None:
    """Start making the Figures sheet of `figures` on a second thread, so that it is made while
    the figures are reconciled (the sheet needs nothing else). write_workbook(...,
    figures_sheet=...) takes it when its placeholder is the one the workbook holds, and makes
    the sheet itself otherwise. None when the table is too long (FIGURES_SHEET_MEANWHILE_ROWS).
    """
    return _sheet_meanwhile("Figures", _figure_sheet_table(figures.reset_index(drop=True)), _figures_sheet)


def claims_sheet_meanwhile(claims: pd.DataFrame) -> Future | None:
    """Start making the Claims sheet of `claims` (Comparison.claims) on a second thread, as
    figures_sheet_meanwhile does the Figures sheet: a run begins it once the figures are
    reconciled, and the rest of the workbook is built meanwhile (most of the sheet's time is in
    pyarrow's kernels and deflating, which let go of the interpreter lock). None when the
    table is too long (FIGURES_SHEET_MEANWHILE_ROWS)."""
    return _sheet_meanwhile("Claims", claims.reset_index(drop=True), _claims_sheet)


def _sheet_meanwhile(title: str, table: pd.DataFrame, make) -> Future | None:
    """The bulk sheet `title` of `table` (_made_sheet) begun on a second thread; None past
    FIGURES_SHEET_MEANWHILE_ROWS or a sheet's rows."""
    if _too_long(table):
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{title.lower()}-sheet")
    try:
        return pool.submit(_made_sheet, title, table, make)
    finally:
        pool.shutdown(wait=False)


def figures_sheet_on_disk(figures: pd.DataFrame, folder) -> bulkrows.SheetOnDisk | None:
    """The Figures sheet of `figures` made now, as figures_sheet_meanwhile makes it, its
    deflated bytes in a file in `folder` (for a forked process to hand back; bulkrows.taken_sheet).
    None when the table is too long (FIGURES_SHEET_MEANWHILE_ROWS)."""
    table = _figure_sheet_table(figures.reset_index(drop=True))
    if _too_long(table):
        return None
    return bulkrows.sheet_on_disk(_made_sheet("Figures", table, _figures_sheet), folder)


def _too_long(table: pd.DataFrame) -> bool:
    """Too long to make beforehand (FIGURES_SHEET_MEANWHILE_ROWS), or for one sheet."""
    return len(table) > min(FIGURES_SHEET_MEANWHILE_ROWS, bulkrows.SHEET_ROW_LIMIT - 1)


def _made_sheet(title: str, table: pd.DataFrame, make) -> bulkrows.MadeSheet:
    """The bulk sheet `title` of `table` as `make` (_figures_sheet, _claims_sheet) starts it,
    in a workbook of its own with the styles registered as write_workbook registers them."""
    book = Workbook(write_only=True)
    _register_bulk_styles(book)
    bulk = make(book.create_sheet(title), table, 0, table)
    placeholder = io.BytesIO()
    book.save(placeholder)
    return bulkrows.make_sheet(placeholder.getvalue(), title, bulk)


def _register_bulk_styles(book) -> None:
    """Register the header's style and the template row's styles first, in this order, so that
    their ids in the workbook never depend on the data (a claimant header in Arabic adds a
    style of its own): a bulk sheet's XML is then the same in any workbook."""
    holder = types.SimpleNamespace(parent=book)  # what a cell needs to reach the workbook's style tables
    for cell in [_cell(holder, "header", font=_BOLD, fill=_HEADER_FILL), *template_row(holder)]:
        _ = cell.style_id  # noqa: F841 - reading it registers the style


def conventions_rows(path=CONVENTIONS_FILE) -> list[list[str]]:
    """The tables of docs/CONVENTIONS.md as rows (a title row before each table); [] if absent."""
    path = Path(path)
    if not path.is_file():
        return []
    rows: list[list[str]] = []
    title = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip()
        elif line.startswith("|") and not re.fullmatch(r"[|\-\s:]+", line):
            cells = [cell.strip().replace("`", "") for cell in line.strip().strip("|").split("|")]
            if title:
                rows.append([title])
                title = ""
            rows.append(cells)
    return rows


def _cell(sheet, value, *, font=None, fill=None, comment: str | None = None, number_format: str | None = None):
    """`value` ready for a write-only row: a plain value, or a styled cell when one is needed."""
    value = _plain(value)
    text = isinstance(value, str)
    rtl = text and RIGHT_TO_LEFT.search(value) is not None
    formula_like = text and is_formula_like(value)
    if not (font or fill or comment or number_format or rtl or formula_like):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if text:
        # openpyxl turns any string starting with "=" into a formula; force it back to text.
        cell.data_type = "s"
    if formula_like:
        cell.quotePrefix = True
    if rtl:
        cell.alignment = RTL_ALIGNMENT
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    if comment:
        note = Comment(clean_text(comment)[:COMMENT_TEXT_LIMIT], "casualties")
        note.width, note.height = COMMENT_SIZE
        cell.comment = note
    return cell


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, str):
        return clean_text(value) if value else None
    return value


def _header(sheet, names) -> list:
    return [_cell(sheet, name, font=_BOLD, fill=_HEADER_FILL) for name in names]


def _fit_widths(sheet, frame: pd.DataFrame, headers) -> None:
    """Column widths from the longest text in each column (must run before the first row)."""
    for index, (name, header) in enumerate(zip(frame.columns, headers), 1):
        width = max(_longest_written(frame[name]), len(str(header))) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(width, MAX_COLUMN_WIDTH)


def _longest_written(values: pd.Series) -> int:
    """Length of the longest value of a column as a cell shows it; blanks skipped."""
    if isinstance(values.dtype, pd.CategoricalDtype):  # the categories in use
        used = np.unique(values.cat.codes.to_numpy())
        return _longest_written(pd.Series(values.cat.categories.take(used[used >= 0])))
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        # A text column at once; max skips blanks (filtering them first copied the column:
        # the quotes of two million figures are a quarter of a gigabyte).
        lengths = values.str.len()
        return int(lengths.max()) if lengths.notna().any() else 0
    if holds_only_text(values):
        # Texts and blanks (the Comparison's claimant columns, two hundred of them): no copy without the blanks.
        return max((len(text) for text in values.tolist() if isinstance(text, str)), default=0)
    values = values[values.notna()]
    if pd.api.types.is_float_dtype(values.dtype):
        values = values.round(2)
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        # The longest integer written is the largest or, with its minus sign, the smallest.
        return max(len(str(int(values.max()))), len(str(int(values.min())))) if len(values) else 0
    return max(map(len, map(str, values.tolist())), default=0)


def _start_table(sheet, table: pd.DataFrame, freeze: str, whole: pd.DataFrame | None = None) -> None:
    """Widths, frozen panes, autofilter and the header row of a sheet holding `table`, a part
    of `whole` when the table continues on other sheets (the widths are the whole table's)."""
    _fit_widths(sheet, table if whole is None else whole, table.columns)
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    sheet.append(_header(sheet, table.columns))


def _continued(book, title: str, table: pd.DataFrame, make) -> dict[str, BulkRows]:
    """The sheets holding `table`, each as `make(sheet, part, first, whole)` makes it: `title`,
    then `title (2)`, `title (3)`, ... as long as the rows go on, each with its header, since
    a sheet holds at most bulkrows.SHEET_ROW_LIMIT rows. `first` is the position in `table`
    of the part's first row. An empty table still gets its sheet."""
    per_sheet = bulkrows.SHEET_ROW_LIMIT - 1  # row 1 is the header
    sheets = {}
    for number, first in enumerate(range(0, max(len(table), 1), per_sheet), 1):
        name = title if number == 1 else f"{title} ({number})"
        sheets[name] = make(book.create_sheet(name), table.iloc[first:first + per_sheet], first, table)
    return sheets


def _comparison_sheets(book, comparison: Comparison) -> dict[str, BulkRows]:
    table = _comparison_table(comparison)
    # The claimant cells of the first rows carry their quotes as notes.
    notes = _claim_notes(comparison, set(table["group_id"].head(MAX_COMMENTED_ROWS)))
    return _continued(book, "Comparison", table,
                      lambda sheet, part, first, whole: _comparison_sheet(sheet, part, first, whole, comparison, notes))


def _comparison_sheet(sheet, table: pd.DataFrame, first: int, whole: pd.DataFrame, comparison: Comparison,
                      notes: dict) -> BulkRows:
    claimants = list(comparison.claimants)
    first_claimant = len(KEY) + 4
    _print_on_one_page_width(sheet)
    _start_table(sheet, table, freeze=f"{get_column_letter(first_claimant)}2", whole=whole)

    # Every row goes in bulk; the claimant cells of the table's first rows carry their notes.
    commented = table.head(max(MAX_COMMENTED_ROWS - first, 0))
    comments = []
    group_ids = commented["group_id"].tolist()
    for claimant, position in zip(claimants, range(first_claimant, first_claimant + len(claimants))):
        letter = get_column_letter(position)
        for row, (group_id, value) in enumerate(zip(group_ids, commented[claimant].tolist()), 2):
            note = notes.get((group_id, claimant)) if value else None
            if note:
                comments.append((row, position, f"{letter}{row}", clean_text(note)[:COMMENT_TEXT_LIMIT]))
    comments.sort()  # row by row, left to right, as a spreadsheet lists them
    sheet.append(template_row(sheet, comment_size=COMMENT_SIZE if comments else None))

    if len(table):
        ratio_column = get_column_letter(list(table.columns).index("spread_ratio") + 1)
        sheet.conditional_formatting.add(
            f"{ratio_column}2:{ratio_column}{len(table) + 1}",
            ColorScaleRule(start_type="min", start_color="FFFFFF", mid_type="percentile", mid_value=50,
                           mid_color="FFEB84", end_type="max", end_color="F8696B"),
        )
    return BulkRows(table, first_row=2, ratio_columns=("spread_ratio",),
                    comments=tuple((ref, text) for _, _, ref, text in comments))


def _comparison_table(comparison: Comparison) -> pd.DataFrame:
    groups = comparison.groups
    period = groups["period_start"].astype(str) + " – " + groups["period_end"].astype(str)
    return pd.DataFrame({
        "group_id": groups["group_id"],
        **{name: groups[name] for name in KEY},
        "subset": groups["is_subset"].map({True: "subset", False: ""}),
        "period": period.where(period != " – ", ""),
        **{name: groups[name] for name in comparison.claimants},
        **{name: groups[name] for name in ("n_claimants", "low", "high", "spread_ratio", "flags")},
    })


def _print_on_one_page_width(sheet) -> None:
    # Printed or exported to PDF, a comparison (or a chart beside its data) is read across:
    # keep each row on one page.
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _claim_notes(comparison: Comparison, group_ids: set) -> dict[tuple[str, str], str]:
    """Comment text for each claimant cell: the quote, the outlets, and earlier figures.

    Only the columns a note needs are taken, and a claimant's earlier figures only as far as a
    note can show them (COMMENT_TEXT_LIMIT): at 100,000 articles a claimant can have thousands
    of earlier figures in one group, and the notes of the first groups held half a gigabyte.
    """
    claims = comparison.claims
    chosen = claims["group_id"].isin(group_ids).to_numpy() if len(claims) else np.zeros(0, dtype=bool)
    current = claims["current"].to_numpy(dtype=bool)
    history: dict[tuple[str, str], list[str]] = {}
    shown_length: dict[tuple[str, str], int] = {}
    earlier = claims.loc[chosen & ~current, ["group_id", "claimed_by", "display", "period_end"]]
    for group_id, claimant, shown, end in zip(
        earlier["group_id"].tolist(), earlier["claimed_by"].tolist(), earlier["display"].tolist(),
        earlier["period_end"].tolist(),
    ):
        key = (group_id, claimant)
        if shown_length.get(key, 0) > COMMENT_TEXT_LIMIT:
            continue  # past what a note shows (earlier figures are digits and days: nothing to clean)
        entry = f"{shown} (to {end})" if end else shown
        history.setdefault(key, []).append(entry)
        shown_length[key] = shown_length.get(key, 0) + len(entry) + 2
    del earlier
    notes = {}
    now = claims.loc[chosen & current, ["group_id", "claimed_by", "quote", "outlets"]]
    for group_id, claimant, quote, outlets in zip(
        now["group_id"].tolist(), now["claimed_by"].tolist(), now["quote"].tolist(), now["outlets"].tolist(),
    ):
        text = f"«{quote}»\noutlets: {outlets.replace(';', ', ')}"
        if (group_id, claimant) in history:
            text += "\nearlier: " + "; ".join(history[(group_id, claimant)])
        notes[(group_id, claimant_column(claimant))] = text
    return notes


def _claims_sheet(sheet, table: pd.DataFrame, first: int, whole: pd.DataFrame) -> BulkRows:
    _start_table(sheet, table, freeze="C2", whole=whole)
    sheet.append(template_row(sheet))
    return BulkRows(table, first_row=2)


def _figure_sheet_table(figures: pd.DataFrame) -> pd.DataFrame:
    """The columns of the Figures sheet: the figure table's, then `url` and `corrected` if given."""
    extras = [name for name in ("url", CORRECTED) if name in figures.columns]
    table = figures.reindex(columns=list(COLUMN_NAMES) + extras)
    for name in INTEGER_COLUMNS:
        # Without this, a column read from a file with blanks arrives as floats and shows `900.0`.
        if table[name].dtype != "Int64":
            table[name] = pd.to_numeric(table[name], errors="coerce").round().astype("Int64")
    return table


def _figures_sheet(sheet, table: pd.DataFrame, first: int, whole: pd.DataFrame) -> BulkRows:
    names = list(table.columns)
    _start_table(sheet, table, freeze="A2", whole=whole)
    if CORRECTED in names:
        _fill_corrected(sheet, table, names)
    sheet.append(template_row(sheet))
    return BulkRows(table, first_row=2, link_column="url" if "url" in names else None)


def _fill_corrected(sheet, table: pd.DataFrame, names: list[str]) -> None:
    """A conditional fill on each cell whose column is named in its row's `corrected` list:
    the rows are streamed in bulk, so cells cannot carry their own fill."""
    marked = {field for value in table[CORRECTED].dropna() for field in str(value).split(";") if field}
    corrected_column = get_column_letter(names.index(CORRECTED) + 1)
    last_row = len(table) + 1
    for name in sorted(marked & set(names)):
        letter = get_column_letter(names.index(name) + 1)
        formula = f'ISNUMBER(SEARCH(";{name};",";"&${corrected_column}2&";"))'
        sheet.conditional_formatting.add(f"{letter}2:{letter}{last_row}",
                                         FormulaRule(formula=[formula], fill=_CORRECTED_FILL))
    if "add" in marked:
        sheet.conditional_formatting.add(
            f"A2:A{last_row}", FormulaRule(formula=[f'ISNUMBER(SEARCH(";add;",";"&${corrected_column}2&";"))'],
                                           fill=_CORRECTED_FILL))


def _changes_sheet(sheet, table: pd.DataFrame, first: int, whole: pd.DataFrame) -> BulkRows:
    _start_table(sheet, table, freeze="C2", whole=whole)
    sheet.append(template_row(sheet))
    return BulkRows(table, first_row=2)


def _sources_sheet(sheet, figures: pd.DataFrame, comparison: Comparison, sources: dict) -> None:
    figures = figures.reindex(columns=["claimed_by", "claimed_by_text"])
    # Counted by codes: a Python string per figure (and their pairs' table) was a third of
    # a gigabyte at two million figures, for a few hundred claimants.
    id_codes, id_values = pd.factorize(text_with_blanks(figures["claimed_by"]))
    name_codes, name_values = pd.factorize(text_with_blanks(figures["claimed_by_text"]))
    id_values, name_values = list(id_values), list(name_values)
    counts = dict(zip(id_values, np.bincount(id_codes, minlength=len(id_values)).tolist()))
    pairs = np.unique(id_codes.astype(np.int64) * max(len(name_values), 1) + name_codes)
    named: dict[str, list[str]] = {}
    for id_code, name_code in zip(*np.divmod(pairs, max(len(name_values), 1))):
        if name_values[name_code] != "":
            named.setdefault(id_values[id_code], []).append(name_values[name_code])
    names = {claimant: "; ".join(sorted(written)) for claimant, written in named.items()}
    reach = comparison.claims.groupby("claimed_by")["group_id"].nunique()
    ids = sorted(counts, key=lambda claimant: (-counts[claimant], claimant))
    table = pd.DataFrame({
        "claimant": ids,
        "name": [str(sources.get(claimant, {}).get("name", "")) for claimant in ids],
        "kind": [str(sources.get(claimant, {}).get("kind", "unknown")) for claimant in ids],
        "names in the text": [names.get(claimant, "") for claimant in ids],
        "figures": [int(counts[claimant]) for claimant in ids],
        "groups": [int(reach.get(claimant, 0)) for claimant in ids],
    })
    _start_table(sheet, table, freeze="B2")
    for values in table.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, value) for value in values])


def _chart_sheet(sheet, comparison: Comparison) -> None:
    """One floating-bar chart per group with two or more claimants, widest spread first.

    Each claimant's bar runs from its low to its high: a stacked bar chart whose first,
    invisible series is the low and whose second series is the length. An open high
    (`≥251`) runs to the group's largest figure; an exact figure gets a thin bar (1% of the
    group's scale) so that it shows at all.
    """
    groups = comparison.groups[comparison.groups["n_claimants"] >= 2]
    shown = groups.head(MAX_CHARTS)
    for column, width in zip("ABCDEF", (28, 12, 10, 10, 10, 10)):
        sheet.column_dimensions[column].width = width
    _print_on_one_page_width(sheet)
    note = (
        f"{len(shown)} of {len(groups)} groups with two or more claimants are charted, widest spread first"
        f" (at most {MAX_CHARTS}); every group is in the Comparison sheet."
    )
    sheet.append([_cell(sheet, note, font=_NOTE_FONT)])
    row = 2
    claims = comparison.claims
    claims = claims[claims["current"] & claims["group_id"].isin(shown["group_id"])]
    by_group = {group_id: part for group_id, part in claims.groupby("group_id", sort=False)}
    for group in shown.itertuples(index=False):
        part = by_group[group.group_id]
        row = _chart_block(sheet, group, part, row)


def _chart_block(sheet, group, claims: pd.DataFrame, row: int) -> int:
    title = " ".join(str(value) for value in (
        group.group_id, group.population, group.actor, group.subgroup, group.outcome, group.unit,
        group.period_start, "–" if group.period_start or group.period_end else "", group.period_end,
    ) if value)
    lows = claims["low"].astype("Float64")
    highs = claims["high"].astype("Float64")
    top = float(pd.concat([lows, highs]).max(skipna=True)) if (lows.notna() | highs.notna()).any() else 0.0
    thin = max(top * 0.01, 0.5)
    sheet.append([_cell(sheet, title, font=_BOLD)])
    sheet.append(_header(sheet, ["claimant", "figure", "low", "high", "bar from", "bar length"]))
    header_row = row + 1
    for claimant, shown, low, high in zip(claims["claimed_by"], claims["display"], lows, highs):
        start = 0.0 if pd.isna(low) else float(low)
        end = top if pd.isna(high) else float(high)
        end = max(end, start)
        sheet.append([
            _cell(sheet, f"{claimant} {shown}"), _cell(sheet, shown),
            None if pd.isna(low) else int(low), None if pd.isna(high) else int(high),
            start, max(end - start, thin),
        ])
    last = header_row + len(claims)

    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = " ".join(str(value) for value in (group.group_id, group.subgroup or group.population, group.outcome))
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1
    # Categories read top-down in the same order as the rows of the table beside the chart.
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.title = group.unit
    data = Reference(sheet, min_col=5, max_col=6, min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last))
    invisible, visible = chart.series
    invisible.graphicalProperties.noFill = True
    invisible.graphicalProperties.line.noFill = True
    visible.graphicalProperties.solidFill = "4472C4"
    chart.height = 4.0 + 0.9 * len(claims)
    chart.width = 18
    sheet.add_chart(chart, f"H{row}")

    # Leave room below the chart so the next one does not overlap it (about 2 rows per cm).
    used = last - row + 1
    room = int(chart.height * 2) + 2
    for _ in range(max(room - used, 1)):
        sheet.append([])
    return row + max(room, used + 1)


def _about_sheet(sheet, about: dict, n_groups: int, continued: list[str] = ()) -> None:
    sheet.column_dimensions["A"].width = 40
    for column in "BCD":
        sheet.column_dimensions[column].width = 40
    sheet.append(_header(sheet, ["about this workbook", ""]))
    for key, value in about.items():
        if key == "conventions_rows":
            continue
        sheet.append([_cell(sheet, str(key)), _cell(sheet, _about_value(value))])
    sheet.append([
        _cell(sheet, "text cells"),
        _cell(sheet, "Every text is stored as text: a quote starting with =, +, - or @ never runs as a formula."),
    ])
    if continued:
        sheet.append([
            _cell(sheet, "continued sheets"),
            _cell(sheet, f"A sheet holds at most {bulkrows.SHEET_ROW_LIMIT - 1:,} rows under its header; the rows go on"
                         f" in {', '.join(continued)}, each with the header again."),
        ])
    if n_groups > MAX_COMMENTED_ROWS:
        sheet.append([
            _cell(sheet, "comments"),
            _cell(sheet, f"Claimant cells of the first {MAX_COMMENTED_ROWS} of {n_groups} groups carry the quote"
                         " as a comment; every quote is in the Claims sheet."),
        ])
    rows = about.get("conventions_rows")
    if rows is None:
        rows = conventions_rows()
    if rows:
        sheet.append([])
        sheet.append(_header(sheet, ["conventions"]))
        for values in rows:
            values = list(values.values()) if isinstance(values, dict) else list(values)
            font = _BOLD if len(values) == 1 else None
            sheet.append([_cell(sheet, str(value), font=font) for value in values])


def _about_value(value) -> str:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
