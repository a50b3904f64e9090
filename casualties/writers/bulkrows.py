"""Stream the rows of large tables straight into the sheets of an openpyxl-built workbook.

openpyxl spends about 9 µs per cell even in write-only mode, so a figure table of 100,000 rows
and 25 columns takes about 25 s on its own. This module writes the cell XML itself (about
1 µs per cell) and splices it into the package that openpyxl saved.

Note: how the splice works. openpyxl saves each bulk sheet with its header (and any rows it
wrote itself, such as rows with comments) followed by one *template row*, whose cells carry
each style the bulk rows need (right-to-left text, text that looks like a formula, a
hyperlink, a number format). The splice keeps everything openpyxl wrote (styles, column widths,
frozen panes, autofilter, conditional formats, comments, relationships), reads the template
cells' style ids, and writes the bulk rows in place of the template row:

    <sheetData><row r="1">header</row><row r="2">template</row></sheetData>
    ->  <sheetData><row r="1">header</row><row r="2">figure 1</row>...<row r="100001">...</row></sheetData>

The template hyperlink is likewise replaced by one hyperlink (and relationship) per row.
Text is written as inline strings, so a cell holding `=HYPERLINK(...)` is text, never a formula.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
import queue
import re
import shutil
import tempfile
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.comments import Comment
from openpyxl.utils import coordinate_to_tuple, get_column_letter

try:  # optional (casualties[fast]): ISA-L's deflate, four times as fast as zlib's fastest level, as small
    from isal import isal_zlib as deflate_module
except ImportError:  # pragma: no cover - exercised where isal is absent
    deflate_module = zlib

try:  # optional: joins the cells of large sheets in C (pandas 3 installs it)
    import pyarrow as pa
    import pyarrow.compute as pc
    _ARROW = True
except ImportError:  # pragma: no cover - exercised where pyarrow is absent
    pa = pc = None
    _ARROW = False

RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
CELL_TEXT_LIMIT = 32_767
# Excel refuses a sheet with more than 65,530 hyperlinks; past this the address stays plain text.
HYPERLINK_LIMIT = 65_000
CHUNK_ROWS = 20_000
SHEET_ROW_LIMIT = 1_048_576
RTL_ALIGNMENT = Alignment(readingOrder=2, horizontal="right")
LINK_FONT = Font(color="0563C1", underline="single")
# The template row: one cell per style, in this column order.
TEMPLATE_STYLES = ("rtl", "formula_like", "rtl_formula_like", "link", "ratio")
RATIO_FORMAT = "0.00"

_HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_NEEDS_ESCAPE = re.compile(r"[&<>\r]")
# Lone surrogates (from text decoded with errors="surrogateescape") and the two non-characters.
_NOT_IN_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_WEB_ADDRESS = re.compile(r"https?://[^\s\"<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class BulkRows:
    """Rows for one sheet: `frame`'s rows go from row `first_row` on, where the template row is.

    `link_column` names a column whose web addresses become hyperlinks; `ratio_columns` are
    numbers shown with two decimals; `comments` are the sheet's notes, (cell reference, text)
    in row order, written in place of the one note on the template row (`template_row`).
    """

    frame: pd.DataFrame
    first_row: int
    link_column: str | None = None
    ratio_columns: tuple[str, ...] = field(default=())
    comments: tuple[tuple[str, str], ...] = field(default=())


def clean_text(value: str) -> str:
    """Text a cell can hold: characters XML forbids removed, cut at Excel's limit."""
    return _NOT_IN_XML.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))[:CELL_TEXT_LIMIT]


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or value in ERROR_CODES


def template_row(sheet, *, comment_size: tuple[int, int] | None = None) -> list:
    """The template row to append last to a write-only sheet that gets bulk rows. With
    `comment_size` (width, height), its first cell carries a note of that size, the model of
    the sheet's notes (BulkRows.comments)."""
    cells = []
    for name in TEMPLATE_STYLES:
        cell = WriteOnlyCell(sheet, value=name)
        if name.startswith("rtl"):
            cell.alignment = RTL_ALIGNMENT
        if "formula_like" in name:
            cell.quotePrefix = True
        if name == "link":
            cell.font = LINK_FONT
        if name == "ratio":
            cell.number_format = RATIO_FORMAT
        cells.append(cell)
    if comment_size:
        note = Comment(COMMENT_MODEL, COMMENT_AUTHOR)
        note.width, note.height = comment_size
        cells[0].comment = note
    return cells


@dataclass(frozen=True)
class MadeSheet:
    """A bulk sheet made ahead of its workbook (make_sheet): the placeholder XML it was made
    from, its deflated bytes and its hyperlinks."""

    xml: str
    member: _DeflatedFile
    links: list


def make_sheet(package: bytes, name: str, bulk: BulkRows) -> MadeSheet:
    """The sheet `name` of the xlsx `package` with the rows of `bulk`, made now for a later
    splice_rows(..., made=...) into a package whose sheet has the same placeholder."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        xml = source.read(_sheet_path(source, name)).decode("utf-8")
    return MadeSheet(xml, *_render_sheet(xml, bulk))


@dataclass(frozen=True)
class SheetOnDisk:
    """A MadeSheet whose deflated bytes are in the file `path`: what a forked process that made
    the sheet hands back (taken_sheet makes it a MadeSheet again)."""

    xml: str
    path: str
    crc: int
    size: int
    links: list


def sheet_on_disk(sheet: MadeSheet, folder) -> SheetOnDisk:
    """`sheet`'s deflated bytes written to a new file in `folder` (the sheet's own let go)."""
    with sheet.member as member, tempfile.NamedTemporaryFile(dir=folder, prefix=".sheet-", delete=False) as handle:
        member.file.seek(0)
        shutil.copyfileobj(member.file, handle, 1 << 20)
    return SheetOnDisk(sheet.xml, handle.name, member.crc, member.size, sheet.links)


def taken_sheet(on_disk: SheetOnDisk) -> MadeSheet:
    """The MadeSheet of `on_disk`; its file is removed at once (read through the open handle)."""
    member = _DeflatedFile.__new__(_DeflatedFile)
    member.file = open(on_disk.path, "rb")  # noqa: SIM115 - closed with the member
    os.unlink(on_disk.path)
    member.compressor = None
    member.crc, member.size = on_disk.crc, on_disk.size
    return MadeSheet(on_disk.xml, member, on_disk.links)


def splice_rows(package: bytes, out, sheets: dict[str, BulkRows], made: dict | None = None) -> None:
    """Copy the xlsx `package` to the binary file `out`, writing each sheet's bulk rows into it.

    The bulk sheets are made on SHEET_THREADS threads, the largest first, each deflated into a
    temporary file, and added to the package in their order when their turn comes: rendering
    is mostly pyarrow's kernels and deflating is zlib, both outside the interpreter lock.
    `made` maps a sheet's name to a future of its MadeSheet (make_sheet), taken instead of
    making the sheet when it was made from the same placeholder.
    """
    made = made or {}
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        paths = {_sheet_path(source, name): (name, bulk) for name, bulk in sheets.items()}
        rels_paths = {_rels_path(path): path for path in paths}
        names = set(source.namelist())
        notes = {}
        for path, (name, bulk) in paths.items():
            if bulk.comments:
                notes.update(_comment_parts(source, path, bulk.comments))
        largest_first = sorted(paths, key=lambda path: -paths[path][1].frame.size)
        with ThreadPoolExecutor(max_workers=SHEET_THREADS, thread_name_prefix="xlsx-sheet") as pool:
            rendered = {path: pool.submit(_render_or_take, source.read(path).decode("utf-8"), paths[path][1],
                                          made.get(paths[path][0]))
                        for path in largest_first}
            try:
                # Level 1 compresses about three times faster than the default for a file only 10% larger.
                # A member copied with its ZipInfo keeps that info's level (the default, 6) unless told.
                with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
                    for info in source.infolist():
                        if info.filename in notes:
                            target.writestr(info, notes[info.filename], compresslevel=1)
                        elif info.filename not in paths and info.filename not in rels_paths:
                            target.writestr(info, source.read(info.filename), compresslevel=1)
                    for path in paths:
                        member, links = rendered[path].result()
                        with member:
                            _add_deflated(target, path, member)
                        rels_path = _rels_path(path)
                        rels = source.read(rels_path).decode("utf-8") if rels_path in names else None
                        if links or rels:
                            target.writestr(rels_path, _relationships(rels, links))
            finally:
                for future in rendered.values():
                    # Sheets made when another failed: their temporary files go too.
                    if not future.cancel() and future.exception() is None:
                        future.result()[0].close()


def _render_or_take(xml: str, bulk: BulkRows, made) -> tuple[_DeflatedFile, list[tuple[str, str]]]:
    """The sheet made beforehand (a future of a MadeSheet) when it was made from this
    placeholder `xml`, else the sheet made now (_render_sheet)."""
    sheet = None
    if made is not None:
        try:
            sheet = made.result()
        except Exception:  # noqa: BLE001 - made again here, where an error is raised as it comes
            sheet = None
    if sheet is not None:
        if sheet.xml == xml:
            return sheet.member, sheet.links
        sheet.member.close()
    return _render_sheet(xml, bulk)


def _render_sheet(xml: str, bulk: BulkRows) -> tuple[_DeflatedFile, list[tuple[str, str]]]:
    """The sheet `xml` (openpyxl's, ending in the template row) with the rows of `bulk` in place
    of its template row, deflated into a temporary file; and the sheet's hyperlinks."""
    if bulk.first_row + len(bulk.frame) - 1 > SHEET_ROW_LIMIT:
        raise ValueError(f"{len(bulk.frame)} rows do not fit in one sheet ({SHEET_ROW_LIMIT} rows); write CSV instead")
    before, template, after = _split_sheet(xml, bulk.first_row)
    styles = _template_styles(template, bulk.first_row)
    links: list[tuple[str, str]] = []
    member = _DeflatedFile()
    try:
        with _BackgroundWriter(member) as writer:
            writer.write(before.encode("utf-8"))
            for chunk in _row_chunks(bulk, styles, links):
                writer.write(chunk)
            writer.write(_with_hyperlinks(after, links).encode("utf-8"))
        member.finish()
    except BaseException:
        member.close()
        raise
    return member, links


# Bulk sheets made at once: a machine of two cores makes the Figures and Claims sheets side by side.
SHEET_THREADS = 2
SPOOL_BYTES = 16 << 20  # a deflated sheet up to this size stays in memory


class _DeflatedFile:
    """A zip member's bytes, deflated as they come into a temporary file, with their CRC-32 and size."""

    def __init__(self):
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        # Raw deflate, as a zip member holds it; level 1 is the fastest level of zlib, and of ISA-L
        # a little smaller than zlib's.
        self.compressor = deflate_module.compressobj(1, zlib.DEFLATED, -15)
        self.crc = self.size = 0

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.file.write(self.compressor.compress(data))

    def finish(self) -> None:
        self.file.write(self.compressor.flush())

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> _DeflatedFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _BackgroundWriter:
    """Writes to `target` from a second thread, a few chunks behind.

    Deflating a sheet is a third of the work, and zlib lets go of the interpreter lock while
    it compresses: on another core, the next rows are rendered meanwhile.
    """

    def __init__(self, target, depth: int = 2):
        self.target = target
        self.chunks: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._drain, name="xlsx-deflate", daemon=True)

    def __enter__(self) -> _BackgroundWriter:
        self.thread.start()
        return self

    def _drain(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.target.write(chunk)
                except BaseException as error:  # raised again in the writing thread
                    self.error = error

    def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def __exit__(self, *exc) -> None:
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error


def _add_deflated(target: zipfile.ZipFile, name: str, member: _DeflatedFile) -> None:
    """Add `member`'s bytes, deflated already, to `target` as the member `name`.

    zipfile compresses whatever it is given, so the bytes go in as a stored member; then its
    local header, rewritten in place (same length), and its entry in the central directory,
    written when `target` closes, say what they are: deflated, with the CRC and size of the
    bytes before deflating.
    """
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_STORED
    member.file.seek(0)
    with target.open(info, "w", force_zip64=True) as handle:
        shutil.copyfileobj(member.file, handle, 1 << 20)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.CRC, info.file_size = member.crc, member.size
    end = target.fp.tell()
    target.fp.seek(info.header_offset)
    target.fp.write(info.FileHeader(True))
    target.fp.seek(end)


COMMENT_AUTHOR = "casualties"
COMMENT_MODEL = "casualties-comment-model"  # the text of the template row's note
_COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"


def _comment_parts(package: zipfile.ZipFile, sheet_path: str, comments) -> dict[str, bytes]:
    """The sheet's comments part and its VML drawing, holding `comments` instead of the model note.

    Note: why not let openpyxl write every note. It makes each note an element tree, about
    100 µs a note: a fixed second for the 10,000 notes of the Comparison sheet. Here each
    note is openpyxl's own output for the model note, with its cell, number and text put in,
    escaped as openpyxl escapes text.
    """
    rels = package.read(_rels_path(sheet_path)).decode("utf-8")
    targets = {}
    for relation in re.findall(r"<Relationship\b[^>]*>", rels):
        kind = re.search(r'\bType="([^"]+)"', relation).group(1)
        target = re.search(r'\bTarget="([^"]+)"', relation).group(1)
        folder = sheet_path.rpartition("/")[0]
        targets[kind] = target.lstrip("/") if target.startswith("/") else _joined_path(folder, target)
    comments_path, vml_path = targets[_COMMENTS_TYPE], targets[_VML_TYPE]
    comments_xml = package.read(comments_path).decode("utf-8")
    vml = package.read(vml_path).decode("utf-8")
    note = re.search(r'<comment ref="[A-Z]+\d+"([^>]*)><text><t>' + re.escape(COMMENT_MODEL) + r"</t></text></comment>",
                     comments_xml)
    shape = re.search(r'<(\w+):shape\b[^>]*\bid="_x0000_s1026".*?</\1:shape>', vml, re.S)
    if note is None or shape is None or comments_xml.count("<comment ") != 1 or vml.count(":shape ") != 1:
        raise RuntimeError("the template note is not where openpyxl used to write it")
    before, after = comments_xml[:note.start()], comments_xml[note.end():]
    note_attributes = note.group(1)
    model = shape.group(0).replace("{", "{{").replace("}", "}}").replace('id="_x0000_s1026"', 'id="_x0000_s{number}"')
    model = re.sub(r"(:Row>)\d+(<)", r"\1{row}\2", model)
    model = re.sub(r"(:Column>)\d+(<)", r"\1{column}\2", model)
    notes, shapes = [], []
    for number, (ref, text) in enumerate(comments, 1026):
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
        notes.append(f'<comment ref="{ref}"{note_attributes}><text><t{space}>{escaped}</t></text></comment>')
        row, column = coordinate_to_tuple(ref)
        shapes.append(model.format(number=number, row=row - 1, column=column - 1))
    return {comments_path: (before + "".join(notes) + after).encode("utf-8"),
            vml_path: (vml[:shape.start()] + "".join(shapes) + vml[shape.end():]).encode("utf-8")}


def _joined_path(folder: str, target: str) -> str:
    parts = folder.split("/")
    for part in target.split("/"):
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _rels_path(sheet_path: str) -> str:
    folder, _, name = sheet_path.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _sheet_path(package: zipfile.ZipFile, sheet_name: str) -> str:
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    sheet = re.search(rf"<sheet\b[^>]*\bname={re.escape(quoteattr(sheet_name))}[^>]*>", workbook)
    if sheet is None:
        raise RuntimeError(f"no sheet named {sheet_name!r} in the workbook")
    rel_id = re.search(r'\br:id="([^"]+)"', sheet.group(0)).group(1)
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for relation in re.findall(r"<Relationship\b[^>]*>", rels):
        if re.search(rf'\bId="{re.escape(rel_id)}"', relation):
            target = re.search(r'\bTarget="([^"]+)"', relation).group(1)
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise RuntimeError(f"sheet {sheet_name!r} has no part in the workbook")


def _split_sheet(xml: str, template_row_number: int) -> tuple[str, str, str]:
    """(everything up to the template row, the template row, everything after the rows)."""
    template = re.search(rf'<row r="{template_row_number}"[^>]*>.*?</row></sheetData>', xml, re.S)
    if template is None:
        raise RuntimeError(f"the placeholder sheet has no template row {template_row_number}")
    row_xml = template.group(0)[: -len("</sheetData>")]
    return xml[: template.start()], row_xml, xml[template.end() - len("</sheetData>"):]


def _template_styles(row_xml: str, row_number: int) -> dict[str, str]:
    """Each template style name -> the ` s="N"` attribute to give a cell of that style."""
    found = {}
    for cell in re.finditer(rf'<c r="([A-Z]+){row_number}"([^>]*)>', row_xml):
        style = re.search(r'\bs="(\d+)"', cell.group(2))
        found[cell.group(1)] = f' s="{style.group(1)}"' if style else ""
    return {name: found.get(get_column_letter(index), "") for index, name in enumerate(TEMPLATE_STYLES, 1)}


def _row_chunks(bulk: BulkRows, styles: dict[str, str], links: list, *, arrow: bool | None = None):
    """The rows of `bulk` as UTF-8 XML, a chunk of CHUNK_ROWS rows at a time.

    Each column's cell bodies are made a column at a time (`_column_bodies`); with pyarrow
    (installed with pandas 3) the cells and rows are then joined by its string kernels,
    otherwise in Python: the same bytes, three times faster.
    """
    arrow = _ARROW if arrow is None else arrow
    frame = bulk.frame
    letters = [get_column_letter(index) for index in range(1, len(frame.columns) + 1)]
    kinds = [_column_kind(frame.iloc[:, position]) for position in range(len(frame.columns))]
    for first in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[first: first + CHUNK_ROWS]
        numbers = [str(bulk.first_row + first + offset) for offset in range(len(part))]
        columns = []
        for position, (letter, name, kind) in enumerate(zip(letters, part.columns, kinds)):
            column = part.iloc[:, position]
            if name == bulk.link_column and kind == "text":
                bodies = _text_link_bodies(column, letter, numbers, styles, links)
            elif name == bulk.link_column:
                bodies = _link_bodies(_python_values(column), letter, numbers, styles, links)
            else:
                bodies = _column_bodies(column, kind, styles, styles["ratio"] if name in bulk.ratio_columns else "",
                                        arrow=arrow)
            columns.append(bodies)
        yield _joined_rows_arrow(letters, numbers, columns) if arrow else _joined_rows(letters, numbers, columns)


def _joined_rows(letters: list[str], numbers: list[str], columns: list[list[str]]) -> bytes:
    cells = []
    for letter, bodies in zip(letters, columns):
        prefix = f'<c r="{letter}'
        cells.append([f'{prefix}{number}"{body}' if body else "" for number, body in zip(numbers, bodies)])
    return "".join([f'<row r="{number}">{"".join(row)}</row>' for number, row in zip(numbers, zip(*cells))]).encode()


def _joined_rows_arrow(letters: list[str], numbers: list[str], columns: list) -> bytes | memoryview:
    """`_joined_rows` by pyarrow's string kernels: no Python object per cell."""
    refs = pa.array(numbers, type=pa.string())
    pieces = []
    for letter, bodies in zip(letters, columns):
        # An empty cell is null here: its cell is null too, and the row leaves it out.
        if not isinstance(bodies, pa.Array):
            bodies = pa.array([body or None for body in bodies], type=pa.string())
        elif bodies.null_count < len(bodies) and pc.min(pc.binary_length(bodies)).as_py() == 0:
            bodies = pc.if_else(pc.equal(bodies, ""), pa.scalar(None, pa.string()), bodies)
        if bodies.null_count:
            pieces.append(pc.binary_join_element_wise(f'<c r="{letter}', refs, '"', bodies, ""))
        else:  # a cell in every row: its parts go straight into the row join, one pass fewer
            pieces += [f'<c r="{letter}', refs, '"', bodies]
    rows = pc.binary_join_element_wise('<row r="', refs, '">', *pieces, "</row>", "", null_handling="skip")
    # The rows' UTF-8 bytes lie end to end in the array's data buffer: a view of them, not a copy.
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1 + rows.offset)[rows.offset:]
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]] if len(rows) else b""


def _column_kind(column: pd.Series) -> str:
    """How a column's cells are written: `int`, `float`, `bool`, `text` (only strings) or `any`."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # repeated texts held once each (table.compact_text)
        return "text" if pd.api.types.infer_dtype(dtype.categories, skipna=True) in ("string", "empty") else "any"
    if pd.api.types.is_bool_dtype(dtype):
        return "any"  # few columns, and a nullable one may hold NA
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return "text"
    return "any"


def _column_bodies(column: pd.Series, kind: str, styles: dict[str, str], number_style: str, *,
                   arrow: bool = False) -> list[str]:
    """What follows `<c r="A2"` for each cell of a column ("" for an empty cell), by the
    column's kind instead of each value's type: the same XML as `_bodies`, faster. With
    `arrow`, text and integer bodies come as a pyarrow array, an empty cell as null."""
    missing = column.isna().to_numpy()
    if kind == "text":
        codes, uniques = _factorized(column)
        # Each distinct value once; many of them (ids, quotes) by pyarrow's kernels.
        many = arrow and len(uniques) >= ARROW_TEXT_VALUES and _text_bodies_arrow(pd.Series(uniques), styles)
        if many is not None and many is not False:
            rendered = pa.concat_arrays([many, pa.array([None], type=pa.string())])  # code -1: a missing value
            return rendered.take(np.where(codes < 0, len(rendered) - 1, codes))
        rendered = _text_bodies(uniques.tolist(), styles)
        rendered.append("")  # code -1: a missing value
        if arrow:  # an empty cell as null (see _joined_rows_arrow)
            rendered = pa.array([body or None for body in rendered], type=pa.string())
            return rendered.take(np.where(codes < 0, len(rendered) - 1, codes))
        return [rendered[code] for code in codes.tolist()]
    if kind == "any" and arrow and pd.api.types.is_bool_dtype(column.dtype) and not missing.any():
        return pa.array(np.where(column.to_numpy(dtype=bool), _TRUE_BODY, _FALSE_BODY), type=pa.string())
    if kind == "int" and arrow and column.dtype.kind == "i":
        values = pa.array(column.to_numpy(dtype="int64", na_value=0), mask=missing)
        return pc.binary_join_element_wise(f"{number_style}><v>", pc.cast(values, pa.string()), "</v></c>", "")
    if kind == "int":
        values = column.astype(object).tolist()
        bodies = [f"{number_style}><v>{value}</v></c>" for value in values] if not missing.any() else [
            "" if gone else f"{number_style}><v>{int(value)}</v></c>" for value, gone in zip(values, missing)]
        return bodies
    if kind == "float":
        return ["" if value != value or value in (math.inf, -math.inf) else f"{number_style}><v>{value!r}</v></c>"
                for value in column.astype("float64").tolist()]
    return _bodies(_python_values(column), styles, number_style)


def _factorized(column: pd.Series):
    """pd.factorize of a text column: the codes and the distinct texts, as an Index of text
    even for a categorical column (of which factorize gives a Categorical)."""
    codes, uniques = pd.factorize(column)
    if isinstance(column.dtype, pd.CategoricalDtype):
        uniques = pd.Index(np.asarray(uniques, dtype=object), dtype=column.cat.categories.dtype)
    return codes, uniques


# A character that needs more than copying: one XML forbids, a surrogate or non-character, or one to escape.
_NEEDS_CARE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ud800-\udfff\ufffe\uffff&<>\r]")


def _text_bodies(values: list[str], styles: dict[str, str]) -> list[str]:
    """`[_text_body(value, styles) for value in values]`, checking all the values at once for
    what most text does not need (cleaning, escaping, right-to-left)."""
    everything = "".join(values)
    if _NEEDS_CARE.search(everything) or max(map(len, values), default=0) > CELL_TEXT_LIMIT:
        return [_text_body(value, styles) for value in values]
    rtl = [False] * len(values) if everything.isascii() else [RIGHT_TO_LEFT.search(value) is not None
                                                               for value in values]
    formula_like = [value.startswith(FORMULA_STARTS) or value in ERROR_CODES for value in values]
    style = {(False, False): "", (True, False): styles["rtl"], (False, True): styles["formula_like"],
             (True, True): styles["rtl_formula_like"]}
    return [f'{style[key]}{_OPEN_KEEPING_SPACE if _keeps_space(value) else _OPEN}{value}</t></is></c>' if value else ""
            for value, key in zip(values, zip(rtl, formula_like))]


def _python_values(column: pd.Series) -> list:
    return column.astype(object).where(column.notna(), None).tolist()


def _bodies(values: list, styles: dict[str, str], number_style: str) -> list[str]:
    """What follows `<c r="A2"` for each value: attributes, value and the closing tag."""
    cache: dict = {}
    bodies = []
    for value in values:
        if isinstance(value, str):
            body = cache.get(value)
            if body is None:
                body = cache[value] = _text_body(value, styles)
        else:
            body = _other_body(value, number_style)
        bodies.append(body)
    return bodies


def _text_body(value: str, styles: dict[str, str], style: str | None = None) -> str:
    text = clean_text(value)
    if not text:
        return ""
    if style is None:
        rtl = RIGHT_TO_LEFT.search(text) is not None
        formula_like = is_formula_like(text)
        name = "rtl_formula_like" if rtl and formula_like else "rtl" if rtl else "formula_like" if formula_like else ""
        style = styles[name] if name else ""
    opening = _OPEN_KEEPING_SPACE if _keeps_space(text) else _OPEN
    if _NEEDS_ESCAPE.search(text):
        text = _NEEDS_ESCAPE.sub(lambda match: _ESCAPES[match.group(0)], text)
    return f"{style}{opening}{text}</t></is></c>"


# An inline string; it asks to keep its white space only when that could be lost: at either
# end (readers trim there), as openpyxl does. Most text has none, and the sheet is 10% smaller.
_OPEN = ' t="inlineStr"><is><t>'
_OPEN_KEEPING_SPACE = ' t="inlineStr"><is><t xml:space="preserve">'
_XML_SPACE = " \t\n\r"


def _keeps_space(text: str) -> bool:
    return bool(text) and (text[0] in _XML_SPACE or text[-1] in _XML_SPACE)


_TRUE_BODY, _FALSE_BODY = ' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>'


def _other_body(value, number_style: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _TRUE_BODY if value else _FALSE_BODY
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f"{number_style}><v>{value!r}</v></c>"
    if hasattr(value, "item"):
        return _other_body(value.item(), number_style)
    if hasattr(value, "isoformat"):
        return _text_body(value.isoformat(), {}, style="")
    return _text_body(str(value), {}, style="")


def _link_bodies(values: list, letter: str, numbers: list[str], styles: dict[str, str], links: list) -> list[str]:
    # Only web addresses become clickable: a `file:` or `javascript:` link from an input is not.
    bodies = []
    for value, number in zip(values, numbers):
        if isinstance(value, str) and len(links) < HYPERLINK_LIMIT and _WEB_ADDRESS.fullmatch(value):
            links.append((f"{letter}{number}", value))
            bodies.append(_text_body(value, styles, style=styles["link"]))
        else:
            bodies.append(_text_body(value, styles) if isinstance(value, str) else _other_body(value, ""))
    return bodies


# Below this many distinct values in a chunk, a column's text cells are cheaper made in Python.
ARROW_TEXT_VALUES = 500
# _NEEDS_CARE and RIGHT_TO_LEFT for pyarrow's regular expressions (RE2).
_NEEDS_CARE_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f&<>\r\x{fffe}\x{ffff}]"
_RIGHT_TO_LEFT_RE2 = r"[\x{0590}-\x{08ff}\x{fb1d}-\x{fdff}\x{fe70}-\x{feff}]"


def _text_bodies_arrow(column: pd.Series, styles: dict[str, str]):
    """`_column_bodies` of a text column by pyarrow's kernels, as a pyarrow array; the few
    values that need cleaning or escaping go through `_text_body`. None when the column
    cannot be an Arrow array (text with lone surrogates)."""
    try:
        values = pc.cast(pa.array(column, from_pandas=True), pa.string())
    except (pa.ArrowException, UnicodeError, TypeError):
        return None
    rtl = pc.match_substring_regex(values, _RIGHT_TO_LEFT_RE2)
    first, last = pc.utf8_slice_codeunits(values, 0, 1), pc.utf8_slice_codeunits(values, -1)
    formula_like = pc.or_(pc.is_in(first, value_set=pa.array(list(FORMULA_STARTS))),
                          pc.is_in(values, value_set=pa.array(sorted(ERROR_CODES))))
    style = pc.if_else(rtl, pc.if_else(formula_like, styles["rtl_formula_like"], styles["rtl"]),
                       pc.if_else(formula_like, styles["formula_like"], ""))
    space = pa.array(list(_XML_SPACE))
    opening = pc.if_else(pc.or_(pc.is_in(first, value_set=space), pc.is_in(last, value_set=space)),
                         _OPEN_KEEPING_SPACE, _OPEN)
    # Empty or missing text: a null body, an empty cell (see _joined_rows_arrow).
    values = pc.if_else(pc.equal(pc.binary_length(values), 0), pa.scalar(None, pa.string()), values)
    bodies = pc.binary_join_element_wise(style, opening, values, "</t></is></c>", "")
    care = pc.or_(pc.match_substring_regex(values, _NEEDS_CARE_RE2),
                  pc.greater(pc.utf8_length(values), CELL_TEXT_LIMIT))
    careful = np.flatnonzero(pc.fill_null(care, False).to_numpy(zero_copy_only=False))
    if len(careful):
        texts = column.iloc[careful].tolist()
        mask = np.zeros(len(values), dtype=bool)
        mask[careful] = True
        bodies = pc.replace_with_mask(bodies, pa.array(mask), pa.array([_text_body(t, styles) for t in texts],
                                                                          type=pa.string()))
    return bodies


def _text_link_bodies(column: pd.Series, letter: str, numbers: list[str], styles: dict[str, str],
                      links: list) -> list[str]:
    """`_link_bodies` of a text column, each distinct value rendered once."""
    codes, uniques = _factorized(column)
    values = uniques.tolist()
    bodies_of = [*_text_bodies(values, styles), ""]  # code -1: a missing value
    web = np.array([_WEB_ADDRESS.fullmatch(value) is not None for value in values] + [False])
    bodies = [bodies_of[code] for code in codes.tolist()]
    for position in np.flatnonzero(web[codes])[:max(HYPERLINK_LIMIT - len(links), 0)].tolist():
        value = values[codes[position]]
        links.append((f"{letter}{numbers[position]}", value))
        bodies[position] = _text_body(value, styles, style=styles["link"])
    return bodies


def _with_hyperlinks(after: str, links: list[tuple[str, str]]) -> str:
    after = re.sub(r"<hyperlinks>.*?</hyperlinks>", "", after, flags=re.S)
    if not links:
        return after
    items = "".join(
        f'<hyperlink xmlns:r="{_RELATIONSHIPS_NS}" ref="{ref}" r:id="link{number}"/>'
        for number, (ref, _) in enumerate(links, 1)
    )
    element = f"<hyperlinks>{items}</hyperlinks>"
    # Schema order: hyperlinks come just before printOptions, pageMargins and what follows them.
    for follower in ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<drawing", "<legacyDrawing",
                     "</worksheet>"):
        position = after.find(follower)
        if position >= 0:
            return after[:position] + element + after[position:]
    raise RuntimeError("cannot place hyperlinks in the sheet")


def _relationships(existing: str | None, links: list[tuple[str, str]]) -> str:
    kept = [relation for relation in re.findall(r"<Relationship\b[^>]*/>", existing or "")
            if _HYPERLINK_TYPE not in relation]
    kept += [
        f'<Relationship Id="link{number}" Type="{_HYPERLINK_TYPE}" Target={quoteattr(target)} TargetMode="External"/>'
        for number, (_, target) in enumerate(links, 1)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(kept)}'
        "</Relationships>"
    )
