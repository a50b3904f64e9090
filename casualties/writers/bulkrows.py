"""Stream the rows of a large table straight into a sheet of an openpyxl-built workbook.

openpyxl spends about 9 µs per cell even in write-only mode, so a figure table of 100,000 rows
and 25 columns takes about 25 s on its own. This module builds the cell XML for whole columns
at once with pandas string operations and splices it into the package that openpyxl saved.

Note: how the splice works. openpyxl saves the workbook with the big sheet holding its header
row and one *template row*, whose cells carry each style the rows need (right-to-left text,
text that looks like a formula, a hyperlink). The splice keeps everything openpyxl wrote
(styles, column widths, frozen panes, autofilter, relationships), reads the template cells'
style ids, drops the template row, and writes the real rows in its place:

    <sheetData><row r="1">header</row><row r="2">template</row></sheetData>
    ->  <sheetData><row r="1">header</row><row r="2">figure 1</row>...<row r="100001">...</row></sheetData>

The template hyperlink is likewise replaced by one hyperlink (and one relationship) per row.
Text is written as inline strings, so a cell holding `=HYPERLINK(...)` is text, never a formula.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
CELL_TEXT_LIMIT = 32_767
# Excel refuses to open a sheet with more hyperlinks than 65,530; past this the URL stays as text.
HYPERLINK_LIMIT = 65_000
TEMPLATE_STYLES = ("rtl", "formula_like", "rtl_formula_like", "link")
CHUNK_ROWS = 5_000

_HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def clean_text(value: str) -> str:
    """Text a cell can hold: XML-illegal control characters removed, cut at Excel's limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_TEXT_LIMIT]


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or value in ERROR_CODES


def splice_rows(package: bytes, out, sheet_name: str, frame: pd.DataFrame, styles: dict[str, int],
                link_column: str | None = None) -> None:
    """Copy the xlsx `package` to the binary file `out`, with `frame`'s rows in sheet `sheet_name`.

    `styles` maps each name of TEMPLATE_STYLES to the style id read by `template_styles`.
    Rows start at row 2, below openpyxl's header row; the template row is dropped.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        sheet_path = _sheet_path(source, sheet_name)
        rels_path = sheet_path.replace("worksheets/", "worksheets/_rels/") + ".rels"
        before, header, after = _split_sheet(source.read(sheet_path).decode("utf-8"))
        links: list[tuple[str, str]] = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename in (sheet_path, rels_path):
                    continue
                target.writestr(info, source.read(info.filename))
            with target.open(sheet_path, "w", force_zip64=True) as sheet:
                sheet.write(before.encode("utf-8"))
                sheet.write(header.encode("utf-8"))
                for chunk in _row_chunks(frame, styles, link_column, links):
                    sheet.write(chunk.encode("utf-8"))
                sheet.write(_with_hyperlinks(after, links).encode("utf-8"))
            rels = source.read(rels_path).decode("utf-8") if rels_path in source.namelist() else None
            if links or rels:
                target.writestr(rels_path, _relationships(rels, links))


def template_styles(package: bytes, sheet_name: str) -> dict[str, int]:
    """Style ids of the template row (row 2), in TEMPLATE_STYLES order, from a saved package."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        xml = source.read(_sheet_path(source, sheet_name)).decode("utf-8")
    row = re.search(r'<row r="2"[^>]*>(.*?)</row>', xml, re.S)
    if row is None:
        raise RuntimeError(f"sheet {sheet_name!r} has no template row")
    found = {}
    for cell in re.finditer(r'<c r="([A-Z]+)2"([^>]*)>', row.group(1)):
        style = re.search(r'\bs="(\d+)"', cell.group(2))
        found[cell.group(1)] = int(style.group(1)) if style else 0
    return {name: found.get(get_column_letter(index), 0) for index, name in enumerate(TEMPLATE_STYLES, 1)}


def _sheet_path(package: zipfile.ZipFile, sheet_name: str) -> str:
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    sheet = re.search(rf'<sheet\b[^>]*\bname={re.escape(quoteattr(sheet_name))}[^>]*>', workbook)
    if sheet is None:
        raise RuntimeError(f"no sheet named {sheet_name!r} in the workbook")
    rel_id = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', sheet.group(0))
    rel_id = rel_id.group(1) or rel_id.group(2)
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for relation in re.finditer(r"<Relationship\b[^>]*>", rels):
        if re.search(rf'\bId="{re.escape(rel_id)}"', relation.group(0)):
            target = re.search(r'\bTarget="([^"]+)"', relation.group(0)).group(1)
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise RuntimeError(f"sheet {sheet_name!r} has no part in the workbook")


def _split_sheet(xml: str) -> tuple[str, str, str]:
    """(everything before the rows, the header row, everything after the rows)."""
    data = re.search(r"<sheetData>(<row r=\"1\"[^>]*>.*?</row>).*?</sheetData>", xml, re.S)
    if data is None:
        raise RuntimeError("the placeholder sheet has no header row")
    return xml[: data.start()] + "<sheetData>", data.group(1), "</sheetData>" + xml[data.end():]


def _row_chunks(frame: pd.DataFrame, styles: dict[str, int], link_column: str | None, links: list):
    letters = [get_column_letter(index) for index in range(1, len(frame.columns) + 1)]
    for first in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[first: first + CHUNK_ROWS]
        numbers = pd.Series(np.arange(first + 2, first + 2 + len(part)).astype(str), index=part.index)
        rows = '<row r="' + numbers + '">'
        for letter, name in zip(letters, part.columns):
            link = name == link_column
            rows = rows + _cells(part[name], letter, numbers, styles, link)
            if link:
                links.extend(_links(part[name], letter, numbers, len(links)))
        yield "".join((rows + "</row>").tolist())


def _cells(column: pd.Series, letter: str, numbers: pd.Series, styles: dict[str, int], link: bool) -> pd.Series:
    """The `<c>` element of each cell of one column (empty string for an empty cell)."""
    start = '<c r="' + letter + numbers
    if pd.api.types.is_bool_dtype(column.dtype):
        values = column.astype(object)
        present = values.notna()
        body = '" t="b"><v>' + values.map({True: "1", False: "0"}).fillna("") + "</v></c>"
        return (start + body).where(present, "")
    if pd.api.types.is_numeric_dtype(column.dtype):
        present = pd.Series(np.isfinite(column.to_numpy(dtype="float64", na_value=np.nan)), index=column.index)
        text = column.astype(object).where(present, "").map(str)
        return (start + '"><v>' + text + "</v></c>").where(present, "")
    values = column.astype(object)
    present = values.notna() & values.astype(str).ne("")
    text = values.where(present, "").astype(str)
    text = text.str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True).str.slice(0, CELL_TEXT_LIMIT)
    rtl = text.str.contains(RIGHT_TO_LEFT)
    risky = text.str.startswith(FORMULA_STARTS) | text.isin(ERROR_CODES)
    style = np.select(
        [rtl & risky, rtl, risky], [styles["rtl_formula_like"], styles["rtl"], styles["formula_like"]], 0,
    )
    if link:
        style = np.where(_linkable(text), styles["link"], style)
    style_attr = pd.Series(np.where(style > 0, ' s="' + style.astype(str) + '"', ""), index=text.index)
    escaped = (
        text.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False).str.replace("\r", "&#13;", regex=False)
    )
    body = '"' + style_attr + ' t="inlineStr"><is><t xml:space="preserve">' + escaped + "</t></is></c>"
    return (start + body).where(present, "")


def _linkable(text: pd.Series) -> pd.Series:
    # Only web addresses become clickable: a `file:` or `javascript:` link from an input is not.
    return text.str.match(r"https?://[^\s\"<>]+$", case=False)


def _links(column: pd.Series, letter: str, numbers: pd.Series, already: int) -> list[tuple[str, str]]:
    text = column.astype(object).where(column.notna(), "").astype(str)
    keep = _linkable(text)
    refs = (letter + numbers)[keep].tolist()
    targets = text[keep].tolist()
    room = max(HYPERLINK_LIMIT - already, 0)
    return list(zip(refs, targets))[:room]


def _with_hyperlinks(after: str, links: list[tuple[str, str]]) -> str:
    after = re.sub(r"<hyperlinks>.*?</hyperlinks>", "", after, flags=re.S)
    if not links:
        return after
    items = "".join(
        f'<hyperlink xmlns:r="{_RELATIONSHIPS_NS}" ref="{ref}" r:id="link{number}"/>'
        for number, (ref, _) in enumerate(links, 1)
    )
    element = f"<hyperlinks>{items}</hyperlinks>"
    # Schema order: hyperlinks come before printOptions, pageMargins and everything after them.
    for follower in ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "</worksheet>"):
        position = after.find(follower)
        if position >= 0:
            return after[:position] + element + after[position:]
    raise RuntimeError("cannot place hyperlinks in the sheet")


def _relationships(existing: str | None, links: list[tuple[str, str]]) -> str:
    kept = []
    if existing:
        for relation in re.findall(r"<Relationship\b[^>]*/>", existing):
            if _HYPERLINK_TYPE not in relation:
                kept.append(relation)
    kept += [
        f'<Relationship Id="link{number}" Type="{_HYPERLINK_TYPE}" Target={quoteattr(target)} TargetMode="External"/>'
        for number, (_, target) in enumerate(links, 1)
    ]
    body = "".join(kept)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'
    )
