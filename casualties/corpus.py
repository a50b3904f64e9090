"""Stage 1: read articles into `Article` records, never editing their text.

Inputs, several at once:
- a folder, searched recursively for `.txt`, `.html` and `.htm` files (one article each, id =
  file stem), with optional `manifest.csv` files (columns id, publisher, published, language,
  url, title; only id is required). A file takes the row of the manifest in its own folder or
  the nearest folder above;
- a `.jsonl` file (one JSON object per line), a `.csv` file or a `.parquet` file, one article
  per row with a `text` field and the same optional fields; a missing id becomes
  `<file stem>:<line>` (for Parquet, the row number: 1 is the first row). Parquet is read in
  batches of rows, so memory does not grow with the file (needs the `parquet` extra);
- a single `.txt`, `.html` or `.htm` file (the manifest beside it is used when it has a row for it).

Encodings are detected, never guessed silently: a UTF-8 BOM, a UTF-16/UTF-32 BOM, strict
UTF-8, then Windows-1256 only when the decoded text is Arabic script and ASCII, then
Windows-1252 only when it is ASCII with a few Latin letters and typographic marks (curly quotes,
dashes, accented names: English copy saved by Windows tools), each with a warning; anything else
(Cyrillic or Greek code pages, random bytes) is reported and skipped. Text with NUL bytes and no
BOM is binary.
An HTML page may also declare its charset (`<meta charset>`, `http-equiv`, an XML
declaration): after a BOM and valid UTF-8, the declared charset is tried before Windows-1256.

HTML pages (needs the `html` extra, trafilatura): the article is the page's main text as
trafilatura extracts it, without navigation, footers, scripts or sidebars; `Article.text` is
that extracted text, so figure offsets (`start`, `end`) point into it, not into the HTML. The
page's title, publication date (from its markup only: meta tags, `<time datetime>`, JSON-LD)
and canonical URL fill what the manifest leaves empty; the manifest wins. A page with no main
text is reported and skipped.

The language is the manifest's, else detected from the share of each pack's script among the
letters: a script with over 30% of the letters marks its language, and when several do, a
script other than Latin wins, because names, links and acronyms in Latin letters turn up in
news in any language (an Arabic article quoting Latin names is Arabic; an English one quoting
a few Arabic words is English). With no script over 30%, the commonest wins. The publication date is the manifest's, else (HTML) the page's,
else a dateline with a written year in the first five non-blank lines (read with
`casualties.dates` and the article's language pack), else None.

Reruns need not read a file again: `load_articles(..., unread=...)` is asked, before article
files are read, whether the articles they held when they were last read will do, given each
file's state (`file_state`: its size, modification and change times, inode, and its manifest
row). On POSIX systems every write to a file moves its change time, and so does restoring its
modification time (`touch -d`, `os.utime`), so a file in the same state holds the same bytes
(on Windows, Python's st_ctime is the creation time: a file rewritten in place at the same size
with its modification time restored keeps its state; `run(rehash=True)` reads every file). A
file changed in the last SETTLE_NANOSECONDS before it is looked at has no state, as it may
change again within the same tick of its file system's clock, and neither has one whose
reading was reported (a guessed encoding, a bad page date), so that its problems are
reported on every run.

One bad article never stops the batch: every problem becomes a `Problem` (path, line,
message) passed to `on_error`, and the rest goes on.

Example:
    >>> articles, problems = collect_articles(["seeds"])            # doctest: +SKIP
    >>> articles[0].doc_id, articles[0].published, articles[0].language  # doctest: +SKIP
    ('000_2e25e6177bec242b', datetime.date(2018, 5, 21), 'ar')
"""
from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import logging
import math
import os
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from .dates import find_dates
from .errors import CasualtiesError, Problem
from .langpack import available_languages, load_pack
from .model import Article

MANIFEST = "manifest.csv"
HTML_SUFFIXES = (".html", ".htm")
DOCUMENT_SUFFIXES = (".txt", *HTML_SUFFIXES)  # one article per file, id = file stem
HTML_EXTRA = "pip install 'casualties[html]'"
PARQUET_EXTRA = "pip install 'casualties[parquet]'"
PARQUET_BATCH_ROWS = 512  # rows converted to Python at once: memory holds one batch, not the file
# Browsers look for a declared charset in the first 1024 bytes; pages saved by crawlers often
# put scripts or many meta tags first, so look a little further.
CHARSET_PRESCAN_BYTES = 4096
DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE)
XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*>")
MANIFEST_FIELDS = ("publisher", "published", "language", "url")
ROW_FIELDS = ("id", "publisher", "published", "language", "url", "title")
# Other names article tables give these columns (the figure table's own `doc_id` among them);
# the canonical name wins when a row has both.
ROW_FIELD_ALIASES = {"doc_id": "id", "date": "published", "lang": "language"}
SCRIPT_SHARE = 0.3
BORROWED_SCRIPT = "LATIN"  # names, links and acronyms in Latin letters turn up in any language's news
DATELINE_LINES = 5
# Code pages tried, in order, on bytes that are not UTF-8: (codec, name, the script its non-ASCII
# letters must be, the largest share of the text's letters they may be). Arabic text in
# Windows-1256 read as Windows-1252 would be Latin letters too, but nearly all of its letters:
# Windows-1252 is accepted only for mostly-ASCII text.
FALLBACKS = (("cp1256", "Windows-1256", "ARABIC", 1.0), ("cp1252", "Windows-1252", "LATIN", 0.2))
FALLBACK_MIN_SHARE = 0.9
FALLBACK_WARNINGS = {codec: f"not UTF-8: decoded as {name} ({script.title()} script and ASCII only)"
                     for codec, name, script, _ in FALLBACKS}
FILE_STATE_FORMAT = 1  # raise it when reading a file gives another article from the same bytes
# A file written this recently may be written again within the same tick of its file system's
# clock (two seconds on FAT) and keep its times: its state is not trusted.
SETTLE_NANOSECONDS = 2_000_000_000
UNREAD_BATCH = 256  # files asked about at once (one look-up in the store)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
log = logging.getLogger(__name__)


class Undecodable(CasualtiesError):
    """Bytes that are not text in any encoding we accept."""


@dataclass(frozen=True, slots=True)
class ManifestRow:
    path: str
    line: int
    fields: dict
    digest: str = ""  # of the fields: part of the state of the row's file (file_state)


def load_articles(inputs, *, on_error: Callable[[Problem], None] | None = None,
                  unread: Callable[[list[tuple[str, str, str]]], list] | None = None) -> Iterator[Article]:
    """Yield the articles of every input (folder, .txt, .html, .jsonl, .csv or .parquet), in a
    stable order.

    Problems go to `on_error` (default: the `casualties.corpus` logger) and never stop the
    batch. `unread([(doc_id, path, file_state), ...])` is asked about article files with a
    state before they are read (UNREAD_BATCH at a time): for each, what it returns (anything
    with `doc_id`, `path` and `line`) is yielded in the article's place and the file is not
    read; None: the file is read.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Title\\nMay 21, 2018\\nFive people were killed.")
    >>> [(a.doc_id, a.published, a.language) for a in load_articles(folder)]
    [('a', datetime.date(2018, 5, 21), 'en')]
    """
    report = on_error or (lambda problem: log.warning("%s", problem))
    seen: dict[str, str] = {}
    for item in _as_list(inputs):
        path = Path(item)
        if path.is_dir():
            articles = _folder(path, report, unread)
        elif not path.exists():
            report(Problem(str(path), None, "no such file or folder", "error"))
            continue
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            articles = _single_file(path, report, unread)
        elif path.suffix.lower() == ".jsonl":
            articles = _jsonl(path, report)
        elif path.suffix.lower() == ".csv":
            articles = _csv(path, report)
        elif path.suffix.lower() == ".parquet":
            articles = _parquet(path, report)
        else:
            report(Problem(str(path), None, f"unsupported file type {path.suffix!r} (expected a folder, "
                                            ".txt, .html, .htm, .jsonl, .csv or .parquet)", "error"))
            continue
        for article in articles:
            if article.doc_id in seen:
                report(Problem(article.path or str(path), article.line, f"duplicate id {article.doc_id!r} (also in {seen[article.doc_id]})"))
            seen.setdefault(article.doc_id, article.path or str(path))
            yield article


def estimate_articles(inputs) -> int:
    """About how many articles `inputs` hold, cheaply (for a progress bar's ETA): article files in
    folders, lines of .jsonl files, lines of .csv files less the header, rows of .parquet files
    (from their footer)."""
    total = 0
    for item in _as_list(inputs):
        path = Path(item)
        suffix = path.suffix.lower()
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())
        elif not path.is_file():
            continue
        elif suffix in DOCUMENT_SUFFIXES:
            total += 1
        elif suffix in (".jsonl", ".csv"):
            with path.open("rb") as handle:
                lines = sum(1 for line in handle if line.strip())
            total += max(lines - (suffix == ".csv"), 0)
        elif suffix == ".parquet":
            try:
                import pyarrow.parquet as parquet

                total += parquet.ParquetFile(path).metadata.num_rows
            except Exception:  # an estimate only: the loader reports what is wrong with the file
                pass
    return total


def collect_articles(inputs) -> tuple[list[Article], list[Problem]]:
    """All articles of `inputs` and every problem met on the way."""
    problems: list[Problem] = []
    return list(load_articles(inputs, on_error=problems.append)), problems


def _as_list(inputs) -> list:
    if isinstance(inputs, (str, os.PathLike)):
        return [inputs]
    if isinstance(inputs, Iterable):
        return list(inputs)
    return [inputs]


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of file bytes; raises Undecodable with the reason."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as error:
                raise Undecodable(f"starts with a {codec} byte order mark but is not {codec}: {error.reason} at byte {error.start}") from None
    if b"\x00" in data:
        raise Undecodable("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error = f"{error.reason} at byte {error.start}"
    for codec, _, script, most in FALLBACKS:
        text = data.decode(codec, errors="replace")
        if _plausible_fallback(text, script, most):
            return text, codec
    raise Undecodable(f"not UTF-8 ({utf8_error}), no byte order mark, and neither Windows-1256 Arabic text "
                      "nor mostly-ASCII Windows-1252 text")


def decode_html(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding name, warning or None) of an HTML page's bytes: a BOM, else valid UTF-8,
    else the charset the page declares, else as `decode` does. Raises Undecodable."""
    if data.startswith(tuple(bom for bom, _ in BOMS)) or b"\x00" in data:
        return (*decode(data), None)
    declared = _declared_codec(data[:CHARSET_PRESCAN_BYTES])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # Valid UTF-8 with non-ASCII bytes is almost never another encoding: pages saved as
        # UTF-8 keep the charset their template declared.
        mismatch = declared and declared[1] != "utf-8" and not data.isascii()
        return text, "utf-8", f"declares charset {declared[0]} but is UTF-8; read as UTF-8" if mismatch else None
    warning = None
    label, codec = declared or (None, None)
    if label and codec is None:
        warning = f"declares an unknown charset {label}"
    elif codec and codec != "utf-8":
        try:
            return data.decode(codec), codec, None
        except UnicodeDecodeError as error:
            warning = f"declares charset {label} but is not ({error.reason} at byte {error.start})"
    text, encoding = decode(data)
    if encoding in FALLBACK_WARNINGS:
        warning = "; ".join(filter(None, (warning, FALLBACK_WARNINGS[encoding])))
    return text, encoding, warning


def _declared_codec(head: bytes) -> tuple[str, str | None] | None:
    """(label, Python codec name or None when unknown) of the charset a page declares."""
    match = DECLARED_CHARSET.search(head)
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return label, None
    # A declaration readable as ASCII cannot be UTF-16 or UTF-32 (the HTML standard reads it as UTF-8).
    return label, "utf-8" if codec.startswith(("utf-16", "utf-32", "utf_16", "utf_32")) else codec


def _plausible_fallback(text: str, script: str, most: float) -> bool:
    """A code page maps almost every byte to something: accept only text whose non-ASCII
    characters are letters of `script` or typographic marks, with those letters at most `most`
    of all its letters."""
    foreign = [c for c in text if ord(c) > 127 or (unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")]
    if not foreign or "\ufffd" in text:
        return False
    expected = sum(1 for c in foreign if _script(c) == script or unicodedata.category(c) in ("Zs", "Cf", "Pd", "Pi", "Pf", "Po"))
    letters = sum(1 for c in foreign if _script(c) == script and c.isalpha())
    if expected / len(foreign) < FALLBACK_MIN_SHARE:
        return False
    if most >= 1.0:
        return letters > 0
    return letters <= most * sum(1 for c in text if c.isalpha())


def _read_text(path: Path, report, *, html: bool = False) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        report(Problem(str(path), None, f"cannot read: {error.strerror or error}", "error"))
        return None
    if not data.strip():
        report(Problem(str(path), None, "empty file; skipped", "error"))
        return None
    try:
        if html:
            text, _, warning = decode_html(data)
        else:
            text, encoding = decode(data)
            warning = FALLBACK_WARNINGS.get(encoding)
    except Undecodable as error:
        report(Problem(str(path), None, f"{error}; skipped", "error"))
        return None
    if warning:
        report(Problem(str(path), None, warning))
    return text


@functools.lru_cache(maxsize=4096)
def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


@functools.lru_cache(maxsize=1)
def pack_scripts() -> dict[str, str]:
    """The script of each available language pack: the commonest among its month names."""
    scripts = {}
    for code in available_languages():
        try:
            pack = load_pack(code)
        except CasualtiesError:
            continue
        names = pack.section("dates", "months", {}) or {}
        letters = Counter(
            _script(c)
            for entry in names.get("names") or []
            for form in entry.get("forms") or []
            for c in str(form) if c.isalpha()
        )
        if letters:
            scripts[code] = letters.most_common(1)[0][0]
    return scripts


def detect_language(text: str) -> str | None:
    """The language pack whose script marks `text` (see the module docstring), or None."""
    scripts = pack_scripts()
    counts = Counter()
    for char, count in Counter(text).items():  # each distinct character once: texts are long, alphabets short
        if char.isalpha():
            counts[_script(char)] += count
    total = sum(counts.values())
    if not total or not scripts:
        return None
    shares = {code: counts[script] / total for code, script in scripts.items()}
    marked = [code for code, share in shares.items() if share > SCRIPT_SHARE]
    if marked:
        return max(marked, key=lambda code: (scripts[code] != BORROWED_SCRIPT, shares[code], code))
    best = max(shares, key=lambda code: (shares[code], code))
    return best if shares[best] > 0 else None


def dateline_date(text: str, language: str | None) -> date | None:
    """The first full date (day, month and written year) in the first non-blank lines."""
    if not language:
        return None
    try:
        pack = load_pack(language)
    except CasualtiesError:
        return None
    lines = [line for line in text.splitlines() if line.strip()][:DATELINE_LINES]
    for line in lines:
        for mention in find_dates(pack.canonical(line), pack, None):
            if mention.kind == "day" and mention.explicit_year and mention.first:
                return mention.first
    return None


def parse_published(value, path: str, line: int | None, report) -> date | None:
    """An ISO date (or date-time) from a manifest or row; a bad one is reported, not fatal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        report(Problem(path, line, f"bad published date {text!r} (expected YYYY-MM-DD); using the text's dateline if any"))
        return None


def _make_article(doc_id, text, fields, path, line, report, file_state: str | None = None) -> Article:
    language = (str(fields.get("language") or "").strip().lower()) or detect_language(text)
    published = parse_published(fields.get("published"), str(fields.get("_source", path)), fields.get("_line", line), report)
    if published is None:
        published = dateline_date(text, language)
    title = fields.get("title") or next((s.strip() for s in text.splitlines() if s.strip()), None)
    return Article(
        doc_id=str(doc_id),
        text=text,
        publisher=(str(fields.get("publisher")).strip() or None) if fields.get("publisher") else None,
        published=published,
        language=language,
        url=(str(fields.get("url")).strip() or None) if fields.get("url") else None,
        path=str(path),
        line=line,
        title=str(title) if title else None,
        file_state=file_state,
    )


def _csv_rows(path: Path, text: str, required: str, what: str, report) -> Iterator[tuple[int, list[str], list[str]]]:
    """(line, columns, values) for each non-blank row of a CSV with a `required` column; a
    broken header or line is reported with its line number, and stops the file there."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        report(Problem(str(path), 1, f"malformed {what} header: {error}; {what} ignored", "error"))
        return
    columns = [h.strip().lower() for h in header or []]
    if required not in columns:
        report(Problem(str(path), 1, f"{what} has no {required!r} column (columns: {columns}); {what} ignored", "error"))
        return
    previous_end = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report(Problem(str(path), reader.line_num, f"malformed {what} line: {error}; rest of the {what} ignored", "error"))
            break
        line, previous_end = previous_end + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            report(Problem(str(path), line, f"{len(values)} values for {len(columns)} columns"))
        yield line, columns, values


def _read_manifest(path: Path, report) -> dict[str, ManifestRow]:
    text = _read_text(path, report)
    if text is None:
        return {}
    rows: dict[str, ManifestRow] = {}
    for line, columns, values in _csv_rows(path, text, "id", "manifest", report):
        fields = {c: v.strip() for c, v in zip(columns, values)}
        doc_id = fields.get("id", "")
        if doc_id.lower().endswith(DOCUMENT_SUFFIXES):
            doc_id = doc_id.rsplit(".", 1)[0]
        if not doc_id:
            report(Problem(str(path), line, "manifest row has no id; row ignored"))
            continue
        if doc_id in rows:
            report(Problem(str(path), line, f"id {doc_id!r} already on line {rows[doc_id].line}; row ignored"))
            continue
        published = fields.get("published")
        if published and parse_published(published, str(path), line, report) is None:
            fields["published"] = ""
        rows[doc_id] = ManifestRow(str(path), line, fields, _digest(json.dumps(fields, sort_keys=True)))
    return rows


def _folder(root: Path, report, unread=None) -> Iterator[Article]:
    manifest_files, files = _listing(root)
    # Folders as their parts below root: a file takes the row of the nearest manifest above it.
    manifests: dict[tuple[str, ...], dict[str, ManifestRow]] = {}
    for parts in manifest_files:
        manifests[parts[:-1]] = _read_manifest(root.joinpath(*parts), report)
    used: set[tuple[tuple[str, ...], str]] = set()
    if not files:
        report(Problem(str(root), None, "folder has no .txt, .html or .htm files"))
    for first in range(0, len(files), UNREAD_BATCH):
        batch = []
        for parts in files[first:first + UNREAD_BATCH]:
            path = root.joinpath(*parts)
            stem = path.stem
            row = None
            for depth in range(len(parts) - 1, -1, -1):
                rows = manifests.get(parts[:depth])
                if rows is not None and stem in rows:
                    row = rows[stem]
                    used.add((parts[:depth], stem))
                    break
            batch.append((path, row))
        for (path, row), stored in zip(batch, _unread_files(batch, unread)):
            if row is None and manifests:
                report(Problem(str(path), None, "no manifest row for this file; publisher and date taken from the text if possible"))
            article = stored if stored is not None else _file_article(path, row, report)
            if article is not None:
                yield article
    for folder, rows in manifests.items():
        for doc_id, row in rows.items():
            if (folder, doc_id) not in used:
                report(Problem(row.path, row.line, f"manifest row {doc_id!r} has no file {doc_id}.txt, .html or .htm", "error"))


def _listing(root: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(manifest files, article files) in `root` and its sub-folders, as their parts below root,
    each list in the order of their paths. Folders reached by a symbolic link are not entered
    and folders that cannot be read are passed over, as Path.rglob does; one pass of scandir
    is ten times as fast as rglob."""
    manifests, files = [], []
    folders = [(str(root), ())]
    while folders:
        folder, parts = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, (*parts, entry.name)))
                    continue
                is_file = entry.is_file()
            except OSError:
                continue
            if not is_file:
                continue
            if entry.name == MANIFEST:
                manifests.append((*parts, entry.name))
            if os.path.splitext(entry.name)[1].lower() in DOCUMENT_SUFFIXES:
                files.append((*parts, entry.name))
    return sorted(manifests, key=_path_order), sorted(files, key=_path_order)


def _path_order(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(os.path.normcase, parts))  # paths compare so (case-blind on Windows)


def _single_file(path: Path, report, unread=None) -> Iterator[Article]:
    manifest = path.parent / MANIFEST
    row = None
    if manifest.is_file():
        problems: list[Problem] = []
        row = _read_manifest(manifest, problems.append).get(path.stem)
        for problem in problems:
            if row is not None and problem.line == row.line:
                report(problem)
    stored = _unread_files([(path, row)], unread)[0]
    article = stored if stored is not None else _file_article(path, row, report)
    if article is not None:
        yield article


def _unread_files(files: list[tuple[Path, ManifestRow | None]], unread) -> list:
    """For each (path, manifest row): what `unread` gives in place of reading the file, or None."""
    if unread is None:
        return [None] * len(files)
    states = [(path, file_state(path, row)) for path, row in files]
    asked = [(path.stem, str(path), state) for path, state in states if state is not None]
    answers = iter(unread(asked) if asked else ())
    return [next(answers) if state is not None else None for _, state in states]


def file_state(path: Path, row: ManifestRow | None = None) -> str | None:
    """The state of an article file, cheap to take: `size mtime_ns ctime_ns inode digest`, the
    digest of its manifest row and of how it is read. Equal states, equal articles (see the
    module docstring). None when the file changed less than SETTLE_NANOSECONDS ago or cannot be
    looked at."""
    try:
        stat = path.stat()  # before the file is read: a write while it is read moves the times
    except OSError:
        return None
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < SETTLE_NANOSECONDS:
        return None
    digest = _digest(f"{FILE_STATE_FORMAT}\x1f{_reader_version(path.suffix.lower())}\x1f{row.digest if row else ''}")
    return f"{stat.st_size} {stat.st_mtime_ns} {stat.st_ctime_ns} {stat.st_ino} {digest}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@functools.lru_cache(maxsize=4)
def _reader_version(suffix: str) -> str:
    """What else makes the article of a file: for HTML, the version of trafilatura."""
    if suffix not in HTML_SUFFIXES:
        return ""
    from importlib import metadata

    try:
        return metadata.version("trafilatura")
    except metadata.PackageNotFoundError:
        return "none"


def _file_article(path: Path, row: ManifestRow | None, report) -> Article | None:
    state = file_state(path, row)
    reported = []

    def report_here(problem: Problem) -> None:
        reported.append(problem)
        report(problem)

    html = path.suffix.lower() in HTML_SUFFIXES
    text = _read_text(path, report_here, html=html)
    if text is None:
        return None
    fields = {}
    if html:
        page = _html_main_text(path, text, report_here)
        if page is None:
            return None
        text, fields = page
    if row is not None:
        # The manifest wins over the page; an empty manifest cell does not.
        fields.update({k: v for k, v in row.fields.items() if v not in (None, "")})
        fields["_source"], fields["_line"] = row.path, row.line
    # A file whose reading was reported keeps no state: read again, its problems are reported again.
    return _make_article(path.stem, text, fields, path, None, report_here, None if reported else state)


@functools.lru_cache(maxsize=1)
def _html_extractor():
    """(trafilatura.bare_extraction, its date options), or (None, why) when not installed."""
    try:
        from trafilatura import bare_extraction
        from trafilatura.settings import set_date_params
    except ImportError as error:  # also lxml_html_clean missing, which trafilatura needs with lxml>=5.2
        return None, str(error)
    # Dates from the page's markup only: the extensive search guesses from any number in the
    # page (a copyright year becomes 1 January of that year).
    return bare_extraction, set_date_params(extensive=False)


def _html_main_text(path: Path, page: str, report) -> tuple[str, dict] | None:
    """(main text, fields from the page's metadata) of an HTML page, or None when reported."""
    extract, date_params = _html_extractor()
    if extract is None:
        report(Problem(str(path), None, f"reading HTML needs trafilatura ({date_params}): {HTML_EXTRA}; skipped", "error"))
        return None
    # trafilatura would guess the encoding of bytes itself: give it the text decoded here. lxml
    # refuses text that still carries an XML encoding declaration.
    page = XML_DECLARATION.sub("", page, count=1)
    try:
        document = extract(page, with_metadata=True, date_extraction_params=date_params)
        if document is None and "<body" not in page.lower():
            # A saved fragment (only the article's markup): trafilatura wants a whole page.
            document = extract(f"<html><body>{page}</body></html>", with_metadata=True,
                               date_extraction_params=date_params)
    except Exception as error:  # a page that breaks the extractor must not stop the batch
        report(Problem(str(path), None, f"HTML extraction failed: {type(error).__name__}: {error}; skipped", "error"))
        return None
    text = document.text if document is not None else None
    if not text or not text.strip():
        report(Problem(str(path), None, "HTML page has no main text (nothing but navigation, scripts or boilerplate); skipped", "error"))
        return None
    fields = {"title": document.title, "published": document.date, "url": document.url}
    return text, {k: v for k, v in fields.items() if v}


def _row_article(path: Path, line: int, record: dict, report) -> Article | None:
    record = {str(k).strip().lower(): v for k, v in record.items()}
    text = record.get("text")
    if not isinstance(text, str):
        report(Problem(str(path), line, "row has no 'text' string; skipped", "error"))
        return None
    if not text.strip():
        report(Problem(str(path), line, "empty text; skipped", "error"))
        return None
    given = {k: v for k, v in record.items() if v not in (None, "")}
    for alias, name in ROW_FIELD_ALIASES.items():
        if alias in given:
            given.setdefault(name, given[alias])
    fields = {k: given[k] for k in ROW_FIELDS if k in given}
    doc_id = fields.pop("id", None)
    if doc_id is None:
        doc_id = f"{path.stem}:{line}"
    return _make_article(doc_id, text, fields, path, line, report)


def _jsonl(path: Path, report) -> Iterator[Article]:
    text = _read_text(path, report)
    if text is None:
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as error:
            report(Problem(str(path), number, f"not valid JSON: {error.msg} at column {error.colno}; skipped", "error"))
            continue
        if not isinstance(record, dict):
            report(Problem(str(path), number, f"expected a JSON object, got {type(record).__name__}; skipped", "error"))
            continue
        article = _row_article(path, number, record, report)
        if article is not None:
            yield article


def _csv(path: Path, report) -> Iterator[Article]:
    text = _read_text(path, report)
    if text is None:
        return
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))
    for line, columns, values in _csv_rows(path, text, "text", "CSV", report):
        article = _row_article(path, line, dict(zip(columns, values)), report)
        if article is not None:
            yield article


def _parquet(path: Path, report) -> Iterator[Article]:
    """Articles of a Parquet table, read PARQUET_BATCH_ROWS rows at a time; `line` is the row
    number (1 = first row)."""
    try:
        import pyarrow
        import pyarrow.parquet as parquet
    except ImportError as error:
        report(Problem(str(path), None, f"reading Parquet needs pyarrow ({error}): {PARQUET_EXTRA}; skipped", "error"))
        return
    try:
        table = parquet.ParquetFile(path)
    except (OSError, pyarrow.ArrowException) as error:
        report(Problem(str(path), None, f"not a readable Parquet file: {error}; skipped", "error"))
        return
    schema = table.schema_arrow
    names = {}
    for name in schema.names:
        names.setdefault(name.strip().lower(), name)
    if "text" not in names:
        report(Problem(str(path), None, f"Parquet table has no 'text' column (columns: {schema.names}); skipped", "error"))
        return
    text_type = schema.field(names["text"]).type
    if not (pyarrow.types.is_string(text_type) or pyarrow.types.is_large_string(text_type)):
        report(Problem(str(path), None, f"Parquet column 'text' holds {text_type}, not strings; skipped", "error"))
        return
    wanted = [c for c in ("text", *ROW_FIELDS, *ROW_FIELD_ALIASES) if c in names]
    row = 0
    try:
        for batch in table.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=[names[c] for c in wanted]):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*columns):
                row += 1
                record = {c: v for c, v in zip(wanted, values) if not _blank(v)}
                article = _row_article(path, row, record, report)
                if article is not None:
                    yield article
    except (OSError, pyarrow.ArrowException) as error:
        report(Problem(str(path), row + 1, f"Parquet table unreadable from this row on: {error}; rest of the table ignored", "error"))


def _blank(value) -> bool:
    """A missing cell: null, NaN (pandas writes missing numbers so) or empty text."""
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))
