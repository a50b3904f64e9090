"""The embedded store: what earlier runs extracted, so that a rerun extracts only what changed.

One SQLite file (`reports/casualties.sqlite` by default) with plain tables any SQLite tool opens:

- `articles`: one row per article extracted, with the hash of its text and metadata, the
  rules version it was extracted with, and the state of its file when it was read
  (corpus.file_state), which lets a rerun skip reading a file found in the same state;
- `figures`: the figures of those articles (every `Figure` field, plus `position`, the order
  of the figure in its article);
- `runs`: one row per run; `finished_at` stays empty for a run that was interrupted;
- `changes`: what each run's extraction found differently from what the store held before
  (`new`, `changed` or `withdrawn` figures, with the compared fields before and after);
- `groups`: each run's comparison groups (key, claimants and their figures, low, high, spread,
  flags), so that the next run can tell which groups' spread changed and which claimants moved.

Beside the file, `<store>-figures.arrow` is a copy of the figures last read, which spares a
rerun reading again the figures of the articles it did not extract (Store.figure_table).

Note: why a killed run leaves the store consistent. An article's figures, its `articles` row
and its `changes` rows are written in one transaction (several articles share a transaction,
never part of one). The `articles` row is what marks an article as done, so after a kill -9
the next run finds each article either done with its new figures or not done with its old
ones, and extracts only the latter. Changes of interrupted runs are still pending and are
reported, netted, by the next run that finishes:

    run 4 finished; run 5 re-extracts a1 (low 10 -> 12) and is killed;
    run 6 re-extracts a2 (new figure) and finishes: it reports a1 changed, a2 new.

    >>> with Store("reports/casualties.sqlite") as store:          # doctest: +SKIP
    ...     [run["run_id"] for run in store.runs()]
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path

from .errors import CasualtiesError
from .model import Article, Figure
from .table import COLUMN_NAMES as TABLE_COLUMN_NAMES
from .table import COLUMNS as TABLE_COLUMNS
from .table import REPEATED_TEXT_COLUMNS, compact_text, expand_text

SCHEMA_VERSION = 4
_FIELDS = [f for f in dataclasses.fields(Figure) if f.name != "extra"]
FIGURE_FIELDS = tuple(f.name for f in _FIELDS)
DATE_FIELDS = frozenset(f.name for f in _FIELDS if "date" in str(f.type))
BOOL_FIELDS = frozenset(f.name for f in _FIELDS if str(f.type) == "bool")
# Dates are ISO 8601 text, booleans 0 or 1.
FIGURE_COLUMN_TYPES = {f.name: "INTEGER" if str(f.type).split(" ")[0] in ("int", "bool") else "TEXT" for f in _FIELDS}
# A figure keeps its id when these change; a change of outcome, population or actor is a new id.
COMPARED = ("low", "high", "qualifier", "claimed_by", "period_start", "period_end")
# The `changes` table: one row per figure changed by a run's extraction.
FIGURE_CHANGE_COLUMNS = ("change", "figure_id", "doc_id", "fields",
                         *(f"{name}_{when}" for name in COMPARED for when in ("before", "after")), "quote")
# Rows about groups (`group_spread_changed`, `group_new`, `group_removed`) use low/high and
# period before and after, and these.
GROUP_CHANGE_COLUMNS = ("group_id", "group_key", "spread_ratio_before", "spread_ratio_after", "claimants_moved")
CHANGE_COLUMNS = (*FIGURE_CHANGE_COLUMNS, *GROUP_CHANGE_COLUMNS)  # changes.csv and the Changes sheet
FIGURE_CHANGES = ("new", "changed", "withdrawn")
GROUP_CHANGES = ("group_spread_changed", "group_new", "group_removed")
RUN_COUNTS = ("n_articles", "n_new", "n_changed", "n_unchanged", "n_extracted", "n_figures", "n_problems",
              "figures_new", "figures_changed", "figures_withdrawn", "report_key",
              "n_groups", "groups_spread_changed", "groups_new", "groups_removed")
# A group's row in the `groups` table (reconcile.group_summaries), with its SQLite type.
GROUP_FIELDS = {
    "group_key": "TEXT NOT NULL", "group_id": "TEXT", "population": "TEXT", "actor": "TEXT", "subgroup": "TEXT",
    "outcome": "TEXT", "unit": "TEXT", "is_subset": "INTEGER", "period_start": "TEXT", "period_end": "TEXT",
    "n_claimants": "INTEGER", "claimants": "TEXT", "low": "INTEGER", "high": "INTEGER", "spread_ratio": "REAL",
    "spread_abs": "INTEGER", "flags": "TEXT",
}
# Group periods that touch are the same period, as in reconcile.
GROUP_PERIOD_SLACK_DAYS = 1

# Column comments are the README's table documentation; keep the two in step.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS articles (
    doc_id TEXT PRIMARY KEY,
    path TEXT,
    content_hash TEXT NOT NULL,
    publisher TEXT,
    published TEXT,
    language TEXT,
    url TEXT,
    rules_version TEXT NOT NULL,
    extracted_at TEXT NOT NULL,
    run_id INTEGER,
    file_state TEXT
);
CREATE TABLE IF NOT EXISTS figures (
    {", ".join(f"{name} {kind}" for name, kind in FIGURE_COLUMN_TYPES.items())},
    position INTEGER NOT NULL,
    PRIMARY KEY (doc_id, position)
);
CREATE INDEX IF NOT EXISTS figures_by_id ON figures (figure_id);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    inputs TEXT,
    {", ".join(f"{name} INTEGER" for name in RUN_COUNTS[:RUN_COUNTS.index("report_key")])},
    tool_version TEXT,
    rules_version TEXT,
    report_key TEXT,
    {", ".join(f"{name} INTEGER" for name in RUN_COUNTS[RUN_COUNTS.index("report_key") + 1:])}
);
CREATE TABLE IF NOT EXISTS changes (
    change_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    {", ".join(f"{name} {'INTEGER' if name.startswith(('low_', 'high_')) else 'TEXT'}" for name in FIGURE_CHANGE_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS changes_by_run ON changes (run_id);
CREATE TABLE IF NOT EXISTS groups (
    run_id INTEGER NOT NULL,
    {", ".join(f"{name} {kind}" for name, kind in GROUP_FIELDS.items())}
);
CREATE INDEX IF NOT EXISTS groups_by_run ON groups (run_id);
"""
# What each older schema lacks; the tables it lacks are created by SCHEMA.
UPGRADES = {
    1: ["ALTER TABLE runs ADD COLUMN report_key TEXT"],
    2: [f"ALTER TABLE runs ADD COLUMN {name} INTEGER" for name in RUN_COUNTS[RUN_COUNTS.index("report_key") + 1:]],
    3: ["ALTER TABLE articles ADD COLUMN file_state TEXT"],  # empty: the next run reads the file
}
ARTICLE_COLUMNS = ("doc_id", "path", "content_hash", "publisher", "published", "language", "url", "rules_version",
                   "extracted_at", "run_id", "file_state")


class StoreError(CasualtiesError):
    """The store file cannot be used (missing, or written by another schema version)."""


def content_hash(article: Article) -> str:
    """Hash of everything extraction reads: the text and the metadata a figure depends on."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (article.text, article.publisher, article.published, article.language, article.url):
        digest.update(b"\x1f" + str(part if part is not None else "").encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _to_sql(name: str, value):
    if name in DATE_FIELDS:
        return value.isoformat() if value is not None else None
    if name in BOOL_FIELDS:
        return int(bool(value))
    return value


def _from_sql(name: str, value):
    if name in DATE_FIELDS:
        return date.fromisoformat(value) if value else None
    if name in BOOL_FIELDS:
        return bool(value)
    return value


class Store:
    """An open store. `create=False` refuses a path with no store yet (for read-only commands)."""

    def __init__(self, path, *, create: bool = True):
        self.path = Path(path)
        # The figures of the last run read, in Arrow: see figure_table. None: keep no copy.
        self.figure_copy = None if str(path) == ":memory:" else self.path.with_name(self.path.name + FIGURE_COPY_SUFFIX)
        if not create and not self.path.is_file():
            raise StoreError(f"{self.path}: no store here (run `casualties run` first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every write below opens its own explicit transaction.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, *UPGRADES, SCHEMA_VERSION):
            self.db.close()
            raise StoreError(f"{self.path}: store schema {version}, this version of casualties reads {SCHEMA_VERSION}")
        # Version 0 is a new file: SCHEMA creates everything. An older store gains what it lacks.
        upgrade = "".join(f"{step};" for old in sorted(UPGRADES) if 0 < version <= old for step in UPGRADES[old])
        self.db.executescript(f"BEGIN; {upgrade} {SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        self._insert_figure = (f"INSERT INTO figures ({', '.join(FIGURE_FIELDS)}, position) "
                               f"VALUES ({', '.join('?' * (len(FIGURE_FIELDS) + 1))})")
        self._copy_writer: tuple[threading.Thread, list] | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close(raise_copy_error=exc[0] is None)  # never hide the error that is leaving the block

    def close(self, *, raise_copy_error: bool = True) -> None:
        try:
            self.wait_for_figure_copy(raise_error=raise_copy_error)
        finally:
            self.db.close()

    def wait_for_figure_copy(self, *, raise_error: bool = True) -> None:
        """Wait until the figure copy that figure_table writes on a second thread is written;
        raise what writing it raised."""
        if self._copy_writer is None:
            return
        thread, errors = self._copy_writer
        self._copy_writer = None
        thread.join()
        if errors and raise_error:
            raise errors[0]

    def _transaction(self):
        return _Transaction(self.db)

    def begin_run(self, inputs: Iterable, tool_version: str, rules_version: str) -> int:
        """Record a new run and start its list of input articles; returns its run_id."""
        with self._transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, inputs, tool_version, rules_version) VALUES (?, ?, ?, ?)",
                (_now(), _inputs_json(inputs), tool_version, rules_version))
        self.db.execute("DROP TABLE IF EXISTS temp.run_articles")
        self.db.execute("CREATE TEMP TABLE run_articles (position INTEGER PRIMARY KEY, doc_id TEXT UNIQUE)")
        return cursor.lastrowid

    def previous_run(self, run_id: int) -> dict | None:
        """The last finished run before `run_id`, or None on a first run."""
        rows = self._dicts("SELECT * FROM runs WHERE finished_at IS NOT NULL AND run_id < ? "
                           "ORDER BY run_id DESC LIMIT 1", (run_id,))
        return rows[0] if rows else None

    def add_run_articles(self, doc_ids: list[str]) -> None:
        """Append to this run's input articles, in input order (the order of the report)."""
        with self._transaction():
            self.db.executemany("INSERT OR IGNORE INTO run_articles (doc_id) VALUES (?)", ((d,) for d in doc_ids))

    def known(self, doc_ids: list[str]) -> dict[str, tuple[str, str, str | None, str | None]]:
        """doc_id -> (content_hash, rules_version, path, file_state) of the articles already extracted."""
        found = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start:start + 500]
            query = (f"SELECT doc_id, content_hash, rules_version, path, file_state FROM articles "
                     f"WHERE doc_id IN ({', '.join('?' * len(part))})")
            for doc_id, *state in self.db.execute(query, part):
                found[doc_id] = tuple(state)
        return found

    def unread(self, files: list[tuple[str, str, str]], rules_version: str) -> list[tuple[str, str | None] | None]:
        """For each (doc_id, path, file_state): (content_hash, url) of the article extracted by
        `rules_version` from the file at `path` when it was in `file_state` (corpus.file_state),
        or None."""
        found = {}
        for start in range(0, len(files), 500):
            part = [doc_id for doc_id, _, _ in files[start:start + 500]]
            query = (f"SELECT doc_id, path, file_state, content_hash, url FROM articles "
                     f"WHERE rules_version = ? AND doc_id IN ({', '.join('?' * len(part))})")
            for doc_id, path, state, digest, url in self.db.execute(query, (rules_version, *part)):
                found[doc_id, path, state] = (digest, url)
        return [found.get(file) for file in files]

    def move(self, moves: list[tuple[str, str | None, str | None]]) -> None:
        """Record where unchanged articles are now and the state of their files: (doc_id, path,
        file_state), for articles that moved or whose files were touched."""
        with self._transaction():
            self.db.executemany("UPDATE articles SET path = ?, file_state = ? WHERE doc_id = ?",
                                ((path, state, doc_id) for doc_id, path, state in moves))

    def save(self, results: list[tuple[Article, list[Figure] | None]], *, run_id: int, rules_version: str,
             record_changes: bool) -> None:
        """Replace the figures of each article, in one transaction for the batch.

        Figures None means extraction failed: the article's figures and row are removed, so
        that the next run tries it again instead of reporting figures of an older text.
        """
        stamp = _now()
        with self._transaction():
            for article, figures in results:
                old = self._compared(article.doc_id) if record_changes else {}
                self.db.execute("DELETE FROM figures WHERE doc_id = ?", (article.doc_id,))
                if figures is None:
                    self.db.execute("DELETE FROM articles WHERE doc_id = ?", (article.doc_id,))
                    figures = []
                else:
                    self.db.executemany(self._insert_figure, (
                        (*(_to_sql(name, getattr(f, name)) for name in FIGURE_FIELDS), position)
                        for position, f in enumerate(figures)))
                    self.db.execute(
                        f"INSERT OR REPLACE INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
                        f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})",
                        (article.doc_id, article.path, content_hash(article), article.publisher,
                         article.published.isoformat() if article.published else None, article.language,
                         article.url, rules_version, stamp, run_id, article.file_state))
                if record_changes:
                    self._record_changes(run_id, article.doc_id, old, figures)

    def _compared(self, doc_id: str) -> dict[str, dict]:
        query = f"SELECT figure_id, {', '.join(COMPARED)}, quote FROM figures WHERE doc_id = ?"
        columns = ("figure_id", *COMPARED, "quote")
        return {row[0]: dict(zip(columns, row)) for row in self.db.execute(query, (doc_id,))}

    def _record_changes(self, run_id: int, doc_id: str, old: dict[str, dict], figures: list[Figure]) -> None:
        new = {}
        for f in figures:
            new.setdefault(f.figure_id, {name: _to_sql(name, getattr(f, name)) for name in (*COMPARED, "quote")})
        rows = []
        for figure_id in [*old, *(i for i in new if i not in old)]:
            change = _change(figure_id, doc_id, old.get(figure_id), new.get(figure_id))
            if change:
                rows.append((run_id, *(change[name] for name in FIGURE_CHANGE_COLUMNS)))
        self.db.executemany(
            f"INSERT INTO changes (run_id, {', '.join(FIGURE_CHANGE_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(FIGURE_CHANGE_COLUMNS) + 1))})", rows)

    def pending_changes(self, run_id: int) -> list[dict]:
        """Changes since the last finished run: this run's and those of interrupted runs in
        between, netted per figure (its first state before, its last state after)."""
        previous = self.previous_run(run_id)
        since = previous["run_id"] if previous else 0
        first: dict[str, dict] = {}
        last: dict[str, dict] = {}
        query = (f"SELECT {', '.join(FIGURE_CHANGE_COLUMNS)} FROM changes WHERE run_id > ? AND run_id <= ? "
                 f"ORDER BY change_id")
        for values in self.db.execute(query, (since, run_id)):
            row = dict(zip(FIGURE_CHANGE_COLUMNS, values))
            first.setdefault(row["figure_id"], row)
            last[row["figure_id"]] = row
        netted = []
        for figure_id, start in first.items():
            end = last[figure_id]
            before = None if start["change"] == "new" else {n: start[f"{n}_before"] for n in COMPARED}
            after = None if end["change"] == "withdrawn" else {n: end[f"{n}_after"] for n in COMPARED}
            change = _change(figure_id, end["doc_id"], before, after, quote=end["quote"])
            if change:
                netted.append(change)
        return netted

    def figure_table(self) -> FigureTable:
        """The stored figures of this run's input articles, in input order, as a FigureTable
        (its `table()` is the figure table; Figure objects are made only if asked for).

        With pyarrow, the figures read are also kept beside the store in an Arrow file
        (`casualties.sqlite-figures.arrow`), with the state of each article they came from
        (content hash, rules version, time extracted). The next read takes from it every
        article whose state is unchanged and reads only the others from SQLite: a rerun
        that extracted 1% of the articles reads 1% of the figures. The copy is only ever a
        copy: delete it, or let it go stale, and the store is read instead.
        """
        try:
            import pyarrow as pa
            import pyarrow.compute as pc
        except ImportError:
            return FigureTable(_fields_frame(self._figure_columns()))
        order = [doc_id for (doc_id,) in self.db.execute("SELECT doc_id FROM run_articles ORDER BY position")]
        states = {doc_id: [digest, version, stamp] for doc_id, digest, version, stamp in self.db.execute(
            "SELECT a.doc_id, a.content_hash, a.rules_version, a.extracted_at FROM run_articles r "
            "JOIN articles a ON a.doc_id = r.doc_id")}
        self.wait_for_figure_copy()
        with self._figure_copy_reader(pa) as (read_copy, copied_states):
            reused = [doc_id for doc_id, state in states.items() if copied_states.get(doc_id) == state]
            unread = set(states).difference(reused) if reused else None
            # The store's rows first, the copy after: reading rows makes a Python object of each
            # value, and the copy held meanwhile added a gigabyte to that at two million figures.
            table = self._figure_arrow(pa, unread)  # in input order
            copy = None
            if reused:
                release_memory()
                try:
                    copy = read_copy()
                    release_memory()  # the compressed buffers the copy was read through
                except (OSError, pa.ArrowException):  # a broken copy: every figure from the store
                    table = self._figure_arrow(pa, None)
                    reused = []
        if reused:
            columns = {name: copy.column(name) for name in FIGURE_FIELDS}
            del copy  # its columns are let go one by one as they are taken
            table = _in_input_order(pa, pc, table, columns, reused, order)
        # The table's repeated texts are dictionary-encoded (_figure_arrow, _in_input_order):
        # the copy's writer holds it for seconds.
        self._write_figure_copy_meanwhile(pa, table, states)
        return FigureTable(_arrow_fields_frame({name: table[name] for name in FIGURE_FIELDS}))

    def _figure_columns(self, doc_ids: set[str] | None = None) -> dict[str, list]:
        """Every Figure field of the run's input articles (or of `doc_ids` among them) as lists."""
        rows = self._figure_rows(doc_ids).fetchall()
        columns = zip(*rows) if rows else ([] for _ in FIGURE_FIELDS)
        return dict(zip(FIGURE_FIELDS, map(list, columns)))

    def _figure_rows(self, doc_ids: set[str] | None):
        source = "run_articles"
        if doc_ids is not None:
            self.db.execute("DROP TABLE IF EXISTS temp.read_articles")
            self.db.execute("CREATE TEMP TABLE read_articles (position INTEGER PRIMARY KEY, doc_id TEXT)")
            self.db.executemany("INSERT INTO read_articles (doc_id) VALUES (?)", ((d,) for d in doc_ids))
            source = "read_articles"
        return self.db.execute(f"SELECT {', '.join('f.' + name for name in FIGURE_FIELDS)} FROM {source} r "
                               f"JOIN figures f ON f.doc_id = r.doc_id ORDER BY r.position, f.position")

    def _figure_arrow(self, pa, doc_ids: set[str] | None):
        """The figures of the run's input articles (or of `doc_ids`) as an Arrow table, read a
        batch of rows at a time: a Python object per cell only for READ_ROWS rows at once.
        Each column is one array (see _whole)."""
        import pyarrow.compute as pc

        types = {name: _arrow_type(pa, name) for name in FIGURE_FIELDS}
        pieces: dict[str, list] = {name: [] for name in FIGURE_FIELDS}
        cursor = self._figure_rows(doc_ids)
        while rows := cursor.fetchmany(READ_ROWS):
            for name, values in zip(FIGURE_FIELDS, zip(*rows)):
                piece = pa.array(values, type=types[name])
                # Repeated texts encoded as they are read: never a text per figure held whole.
                pieces[name].append(pc.dictionary_encode(piece) if name in REPEATED_TEXT_COLUMNS else piece)
        columns = {}
        for name in FIGURE_FIELDS:
            if name in REPEATED_TEXT_COLUMNS:
                encoded = pa.chunked_array(pieces.pop(name), _copy_type(pa, name)).unify_dictionaries()
                columns[name] = _compact_column(pa, pc, name, _whole(encoded))
                del encoded
            else:
                columns[name] = _whole(pa.chunked_array(pieces.pop(name), types[name]))
            # Arrow's allocator keeps the freed pieces for reuse; but they do not fit the whole
            # columns made next: given back, they are not held beside them (a gigabyte at two
            # million figures).
            pa.default_memory_pool().release_unused()
        return pa.table(columns)

    @contextlib.contextmanager
    def _figure_copy_reader(self, pa):
        """(read, states): `read()` gives the Arrow copy of the last figures read, `states` their
        articles' states, known from the file's schema before its figures are read. No usable
        copy: states {}. Read in the `with`: the file is replaced later (_write_figure_copy)."""
        import pyarrow.ipc as ipc

        def unusable():
            raise RuntimeError("no usable figure copy")

        if self.figure_copy is None or not self.figure_copy.is_file():
            yield unusable, {}
            return
        try:
            source = pa.OSFile(str(self.figure_copy), "rb")
        except OSError:
            yield unusable, {}
            return
        with source:
            try:
                reader = ipc.open_file(source)
                schema = reader.schema
                meta = schema.metadata or {}
                if meta.get(b"format") != FIGURE_COPY_FORMAT.encode() or schema.names != list(FIGURE_FIELDS) or any(
                        schema.field(name).type != _copy_type(pa, name) for name in FIGURE_FIELDS):
                    raise ValueError("another format")
                states = json.loads(meta[b"articles"])
            except (OSError, ValueError, KeyError, pa.ArrowException):  # unreadable: read the store instead
                yield unusable, {}
                return
            yield reader.read_all, states

    def _write_figure_copy_meanwhile(self, pa, table, states: dict) -> None:
        """_write_figure_copy on a second thread: compressing and writing let go of the
        interpreter lock, and the reports are made meanwhile (see wait_for_figure_copy)."""
        errors: list[BaseException] = []

        def write() -> None:
            try:
                self._write_figure_copy(pa, table, states)
            except BaseException as error:  # raised again by wait_for_figure_copy
                errors.append(error)

        thread = threading.Thread(target=write, name="figure-copy")
        thread.start()
        self._copy_writer = (thread, errors)

    def _write_figure_copy(self, pa, table, states: dict) -> None:
        import os
        import tempfile

        import pyarrow.ipc as ipc

        if self.figure_copy is None:
            return
        meta = {"format": FIGURE_COPY_FORMAT, "articles": json.dumps(states, ensure_ascii=False, separators=(",", ":"))}
        table = table.replace_schema_metadata(meta)
        descriptor, temporary = tempfile.mkstemp(dir=self.figure_copy.parent, prefix=f".{self.figure_copy.name}.")
        try:
            with os.fdopen(descriptor, "wb") as handle, ipc.new_file(
                    handle, table.schema, options=ipc.IpcWriteOptions(compression=_copy_compression(ipc))) as writer:
                writer.write_table(table)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; the store is not
            os.replace(temporary, self.figure_copy)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def figures(self) -> Iterator[Figure]:
        """The stored figures of this run's input articles, in input order."""
        query = (f"SELECT {', '.join('f.' + name for name in FIGURE_FIELDS)} FROM run_articles r "
                 f"JOIN figures f ON f.doc_id = r.doc_id ORDER BY r.position, f.position")
        convert = [(i, name) for i, name in enumerate(FIGURE_FIELDS) if name in DATE_FIELDS or name in BOOL_FIELDS]
        for values in self.db.execute(query):
            values = list(values)
            for i, name in convert:
                values[i] = _from_sql(name, values[i])
            yield Figure(*values)

    def figure_ids(self) -> Iterator[str]:
        """The figure_id of every stored figure of this run's input articles."""
        query = "SELECT f.figure_id FROM run_articles r JOIN figures f ON f.doc_id = r.doc_id"
        return (figure_id for (figure_id,) in self.db.execute(query))

    def article(self, doc_id: str) -> dict | None:
        rows = self._dicts("SELECT * FROM articles WHERE doc_id = ?", (doc_id,))
        return rows[0] if rows else None

    def record_groups(self, run_id: int, summaries: Iterable[dict], inputs: Iterable) -> list[dict]:
        """Keep this run's groups (reconcile.group_summaries rows) and return the change rows
        (CHANGE_COLUMNS) of the groups that differ from those of the last finished run over
        the same inputs: `group_spread_changed` (low or high moved), `group_new`,
        `group_removed`. No earlier run over these inputs: no rows."""
        summaries = [{name: _plain(row.get(name)) for name in GROUP_FIELDS} for row in summaries]
        baseline = self._dicts(
            "SELECT run_id FROM runs WHERE finished_at IS NOT NULL AND run_id < ? AND n_groups IS NOT NULL "
            "AND inputs = ? ORDER BY run_id DESC LIMIT 1", (run_id, _inputs_json(inputs)))
        before = self._dicts(f"SELECT {', '.join(GROUP_FIELDS)} FROM groups WHERE run_id = ?",
                             (baseline[0]["run_id"],)) if baseline else None
        with self._transaction():
            # Groups of runs that never finished are of no use to any later run.
            self.db.execute("DELETE FROM groups WHERE run_id = ? OR run_id IN "
                            "(SELECT run_id FROM runs WHERE finished_at IS NULL AND run_id < ?)", (run_id, run_id))
            self.db.executemany(
                f"INSERT INTO groups (run_id, {', '.join(GROUP_FIELDS)}) VALUES ({', '.join('?' * (len(GROUP_FIELDS) + 1))})",
                ((run_id, *row.values()) for row in summaries))
        return compare_groups(before, summaries) if before is not None else []

    def finish_run(self, run_id: int, counts: dict) -> None:
        """Mark the run finished: from now on its changes are the baseline of the next run."""
        names = [name for name in RUN_COUNTS if name in counts]
        with self._transaction():
            self.db.execute(
                f"UPDATE runs SET finished_at = ?, {', '.join(f'{n} = ?' for n in names)} WHERE run_id = ?",
                (_now(), *(counts[n] for n in names), run_id))

    def runs(self) -> list[dict]:
        """Every run, oldest first; interrupted runs have no finished_at."""
        return self._dicts("SELECT * FROM runs ORDER BY run_id")

    def _dicts(self, query: str, parameters=()) -> list[dict]:
        cursor = self.db.execute(query, parameters)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values)) for values in cursor]


def _change(figure_id: str, doc_id: str, before: dict | None, after: dict | None, quote: str | None = None) -> dict | None:
    """One row of the changes table, or None when nothing compared differs."""
    if before is None and after is None:
        return None
    if before is None:
        kind, fields = "new", ""
    elif after is None:
        kind, fields = "withdrawn", ""
    else:
        differing = [name for name in COMPARED if before.get(name) != after.get(name)]
        if not differing:
            return None
        kind, fields = "changed", ";".join(differing)
    row = dict.fromkeys(CHANGE_COLUMNS)
    row.update(change=kind, figure_id=figure_id, doc_id=doc_id, fields=fields)
    for name in COMPARED:
        row[f"{name}_before"] = before.get(name) if before else None
        row[f"{name}_after"] = after.get(name) if after else None
    row["quote"] = quote if quote is not None else (after or before).get("quote")
    return row


def release_memory() -> None:
    """Give memory freed by the last step back to the system before the next one.

    Reading and reconciling two million figures frees as much as they keep, but the
    allocators hold on to it (glibc's for Python and numpy, mimalloc for Arrow): handed back,
    the next step starts half a gigabyte lower at 100,000 articles.
    """
    import sys

    arrow = sys.modules.get("pyarrow")  # only if some stage has imported it (None: import blocked)
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None elsewhere (macOS, Windows, musl without it). Looked up
    among the symbols the process has loaded: ctypes.util.find_library would start programs."""
    import ctypes

    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def _arrow_type(pa, name: str):
    """The Arrow type of a Figure field in the figure copy and the tables read from the store."""
    return pa.large_string() if FIGURE_COLUMN_TYPES[name] == "TEXT" else pa.int64()


def _whole(column):
    """A column as one array. Taking rows from a column in pieces (every sort of the figure
    table, in reconcile and the writers) first joins its pieces into a new array: joined once
    here, they are not joined again each time, in time and memory."""
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _copy_type(pa, name: str):
    """The Arrow type of a Figure field in the figure copy and the compacted tables: repeated
    texts (table.REPEATED_TEXT_COLUMNS) dictionary-encoded, the rest as _arrow_type."""
    if name in REPEATED_TEXT_COLUMNS:
        return pa.dictionary(pa.int32(), pa.large_string())
    return _arrow_type(pa, name)


def _compact_column(pa, pc, name: str, array):
    """A repeated text column (table.REPEATED_TEXT_COLUMNS) dictionary-encoded with its values
    sorted: pandas reads it as a categorical whose codes order as its texts (table.compact_text).
    Each distinct text once: at two million figures, half a gigabyte less than a text per figure."""
    import numpy as np

    if name not in REPEATED_TEXT_COLUMNS:
        return array
    encoded = array if pa.types.is_dictionary(array.type) else pc.dictionary_encode(array)
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    if np.array_equal(order, np.arange(len(order))):
        return encoded  # sorted already (the copy's columns)
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    indices = pc.take(pa.array(rank), encoded.indices)  # a blank stays a null index
    return pa.DictionaryArray.from_arrays(indices, encoded.dictionary.take(pa.array(order)))


def _joined(pa, first, second):
    """Two columns of one Figure field as one array; dictionary-encoded ones share one
    dictionary (their texts are not written out: 17 of the 28 fields)."""
    if pa.types.is_dictionary(first.type) and pa.types.is_dictionary(second.type):
        return pa.chunked_array([*first.chunks, *second.chunks], first.type).unify_dictionaries().combine_chunks()
    return pa.concat_arrays([*_decoded(pa, first).chunks, *_decoded(pa, second).chunks])


def _decoded(pa, column):
    """A column with its texts written out again (large_string) if dictionary-encoded."""
    if not pa.types.is_dictionary(column.type):
        return column
    return pa.chunked_array([chunk.dictionary_decode() for chunk in column.chunks], type=column.type.value_type)


def _in_input_order(pa, pc, fresh, copy: dict, reused: list[str], order: list[str]):
    """The figures of `fresh` (an Arrow table of FIGURE_FIELDS) and those of the `reused`
    articles in `copy` (the copy's columns by name, taken out of the dict as they are used) as
    one table in input order (`order`: the run's doc ids), each article's figures in their
    own order.

    Made a column at a time, each of the copy's columns let go once taken: at most one column
    more than the copy is held at once (a filter, then a sort of the whole table, held three
    copies of a figure table of two million rows). When the copy is the whole answer, as
    it is, in order, it is the table.
    """
    import numpy as np

    copied = len(copy["doc_id"])
    copied_doc_ids = _decoded(pa, copy["doc_id"])
    kept = np.flatnonzero(pc.is_in(copied_doc_ids, value_set=pa.array(reused, type=pa.large_string()))
                          .to_numpy(zero_copy_only=False))
    rows = np.concatenate([np.arange(fresh.num_rows), fresh.num_rows + kept])  # in [fresh, copy]
    doc_ids = pa.chunked_array([*_decoded(pa, fresh["doc_id"]).chunks, *copied_doc_ids.chunks], type=pa.large_string())
    del copied_doc_ids
    position = pc.index_in(doc_ids.take(pa.array(rows)), value_set=pa.array(order, type=pa.large_string()))
    rows = rows[np.lexsort((rows, position.to_numpy(zero_copy_only=False)))]  # by article, then as they come
    if fresh.num_rows == 0 and len(kept) == copied and np.array_equal(rows, np.arange(copied)):
        return pa.table({name: _whole(copy.pop(name)) for name in FIGURE_FIELDS})
    indices = pa.array(rows)
    fresh = {name: fresh.column(name) for name in FIGURE_FIELDS}  # let go of column by column too
    taken = {}
    for name in FIGURE_FIELDS:
        # Joined into one array, which lets go of both parts, then taken: a take from the two
        # parts would hold them, their join and the result at once (the quotes of two million
        # figures are a quarter of a gigabyte).
        both = _joined(pa, fresh.pop(name), copy.pop(name))
        taken[name] = _compact_column(pa, pc, name, both.take(indices))
        del both
        pa.default_memory_pool().release_unused()  # the copy's column, as in Store._figure_arrow
    return pa.table(taken)


def _fields_frame(columns: dict[str, list]):
    """A DataFrame of every Figure field as the store holds it (dates ISO text, booleans 0/1),
    with the figure table's types: table.figures_frame's columns and dtypes, and the rest."""
    import pandas as pd

    text = pd.Series(["text"]).dtype  # what pandas makes of a list of strings (str, or object before pandas 3)
    typed = {}
    for name, values in columns.items():
        if FIGURE_COLUMN_TYPES[name] == "TEXT" and any(value is not None for value in values):
            typed[name] = _text_series(values, text)
        else:
            typed[name] = pd.Series(values, dtype="Int64" if name in _INTEGER_COLUMNS else None)
    return pd.DataFrame(typed, columns=[name for name in FIGURE_FIELDS if name in columns])


_INTEGER_COLUMNS = tuple(name for name, kind, _ in TABLE_COLUMNS if kind == "integer")
READ_ROWS = 20_000  # figures read from SQLite at a time
FIGURE_COPY_SUFFIX = "-figures.arrow"
FIGURE_COPY_FORMAT = "casualties figure copy 2"  # 2: repeated texts dictionary-encoded (_copy_type)


def _copy_compression(ipc) -> str | None:
    """LZ4 when this pyarrow has it, else zstd: the copy is written and read by every rerun, and
    LZ4 takes half of zstd's processor time for it (0.19 s against 0.39 s at 176,000 figures)
    for a file a quarter of the store's size instead of a tenth."""
    for codec in ("lz4", "zstd"):
        try:
            ipc.IpcWriteOptions(compression=codec)
            return codec
        except Exception:  # noqa: BLE001 - a build without the codec: the next, else uncompressed
            continue
    return None


def _arrow_fields_frame(columns: dict):
    """`_fields_frame` of columns already in Arrow arrays (text large_string, the rest int64):
    the same DataFrame, types as pandas would infer them from the values; a dictionary-encoded
    text column (_compact_column) becomes a categorical."""
    import pandas as pd
    import pyarrow as pa

    text = pd.Series(["text"]).dtype
    typed = {}
    for name, array in columns.items():
        if array.null_count == len(array) and name not in _INTEGER_COLUMNS:
            typed[name] = pd.Series([None] * len(array), dtype=object)  # no value at all: as inferred
        elif pa.types.is_dictionary(array.type):
            typed[name] = array.to_pandas()  # a categorical, as table.compact_text makes it
        elif FIGURE_COLUMN_TYPES[name] == "TEXT":
            series = array.to_pandas()
            typed[name] = series if series.dtype == text else pd.Series(array.to_pylist(), dtype=text)
        elif name in _INTEGER_COLUMNS:
            typed[name] = array.to_pandas(types_mapper={array.type: pd.Int64Dtype()}.get)
        else:
            typed[name] = array.to_pandas()  # int64, or float64 with NaN where empty, as inferred
    return pd.DataFrame(typed, columns=list(columns))


def _text_series(values: list, text):
    """`pd.Series(values, dtype=text)`; through pyarrow when pandas keeps text in Arrow arrays
    (pandas 3), three times faster."""
    import pandas as pd

    try:
        import pyarrow as pa

        series = pa.array(values, type=pa.large_string()).to_pandas()
        if series.dtype == text:
            return series
    except (ImportError, ValueError, TypeError, UnicodeError):  # no pyarrow, or text Arrow cannot hold
        pass
    return pd.Series(values, dtype=text)


class FigureTable(Sequence):
    """Figures read from the store as a DataFrame of their fields (`_fields_frame`).

    A run's reports need only the figure table: reading it a column at a time, without a
    Figure object per row, takes half the time and a fraction of the memory. It is still a
    sequence of Figure: indexing or iterating makes them all, once.
    """

    def __init__(self, fields):
        # Repeated texts held once each (table.compact_text): half a gigabyte at two million figures.
        self.fields = compact_text(fields.reset_index(drop=True))
        self._figures: list[Figure] | None = None

    def table(self, *, compact: bool = False):
        """The figure table (table.COLUMN_NAMES): what table.figures_frame gives for these
        figures; with `compact`, its repeated texts as categoricals (table.compact_text), as
        the run's reports read it."""
        table = self.fields[list(TABLE_COLUMN_NAMES)]
        return table if compact else expand_text(table)

    def __len__(self) -> int:
        return len(self.fields)

    def __getitem__(self, index):
        return self._list()[index]

    def __iter__(self) -> Iterator[Figure]:
        return iter(self._list())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, FigureTable)) else NotImplemented

    def _list(self) -> list[Figure]:
        if self._figures is None:
            self._figures = _figures_of(self.fields)
        return self._figures

    def positions(self, figure_ids: set[str]) -> list[int]:
        """Positions of the figures whose id is in `figure_ids`, in order."""
        ids = self.fields["figure_id"]
        return ids.index[ids.isin(list(figure_ids))].tolist()

    def first_of_docs(self, doc_ids: set[str]) -> list[int]:
        """Position of the first figure of each article in `doc_ids` that has one."""
        docs = self.fields["doc_id"]
        found = docs[docs.isin(list(doc_ids))]
        return found.index[~found.duplicated()].tolist()

    def figures_at(self, positions: list[int]) -> list[Figure]:
        return _figures_of(self.fields.iloc[positions])

    def spliced(self, positions: list[int], replacements: list[Figure | None], added: list[Figure]) -> FigureTable:
        """A new FigureTable: the figure at each of `positions` replaced (None: removed), and
        `added` after the rest."""
        keep = self.fields.drop(index=positions)
        replaced = [(position, figure) for position, figure in zip(positions, replacements) if figure is not None]
        new = _fields_frame_of([figure for _, figure in replaced] + list(added))
        order = [*keep.index, *(position for position, _ in replaced),
                 *range(len(self.fields), len(self.fields) + len(added))]
        import pandas as pd

        joined = pd.concat([keep, new], ignore_index=True) if len(new) else keep.reset_index(drop=True)
        for name in FIGURE_FIELDS:
            if len(new) and new[name].dtype != keep[name].dtype:
                # Typed afresh from all the values, as _fields_frame does (an all-empty column is object).
                column = joined[name].astype(object)
                joined[name] = _fields_frame({name: column.where(column.notna(), None).tolist()})[name]
        joined.index = order
        return FigureTable(joined.sort_index(kind="stable"))


def _fields_frame_of(figures: list[Figure]):
    return _fields_frame({name: [_to_sql(name, getattr(f, name)) for f in figures] for name in FIGURE_FIELDS})


def _figures_of(fields) -> list[Figure]:
    """Figure objects of the rows of a `_fields_frame`, as `Store.figures` makes them."""
    days: dict[str, date] = {}

    def day(value):
        if value is None or value != value:
            return None
        found = days.get(value)
        if found is None:
            found = days[value] = date.fromisoformat(value)
        return found

    columns = []
    for name in FIGURE_FIELDS:
        column = fields[name]
        values = column.astype(object).where(column.notna(), None).tolist()
        if name in DATE_FIELDS:
            values = [day(value) for value in values]
        elif name in BOOL_FIELDS:
            values = [bool(value) for value in values]
        columns.append(values)
    return list(map(Figure, *columns))


def _inputs_json(inputs: Iterable) -> str:
    return json.dumps([str(p) for p in inputs], ensure_ascii=False)


def _plain(value):
    """A value SQLite takes: numpy scalars as Python numbers, missing values (None, NaN, pandas NA) as NULL."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or type(value).__name__ in ("NAType", "NaTType") or isinstance(value, float) and value != value:
        return None
    return value


def compare_groups(before: list[dict], after: list[dict]) -> list[dict]:
    """Change rows (CHANGE_COLUMNS) between two runs' groups (GROUP_FIELDS rows).

    A group is the same group in both runs when its key is the same, else when it counts the
    same thing (population, actor, subgroup, outcome, unit, subset) over periods that overlap
    or touch (a new report can widen a group's period); an undated group overlaps any period.
    A matched group whose low or high moved is `group_spread_changed`, with the claimants whose
    figure moved; groups left over are `group_new` and `group_removed`.

        >>> old = {"group_key": "civilians||children|killed|people|whole|2018-04-19|2018-05-21",
        ...        "low": 16, "high": 16, "claimants": '{"sohr": "16"}', "spread_ratio": 1.0}
        >>> new = {**old, "high": 20, "claimants": '{"sohr": "16", "sana": "20"}', "spread_ratio": 1.25}
        >>> row = compare_groups([old], [new])[0]
        >>> row["change"], row["high_before"], row["high_after"], row["claimants_moved"]
        ('group_spread_changed', 16, 20, 'sana: – → 20')
    """
    old_by_key = {group["group_key"]: group for group in before}
    matched: set[str] = set()
    pairs: list[tuple[dict, dict]] = []
    unmatched: list[dict] = []
    for group in after:
        old = old_by_key.get(group["group_key"])
        if old is not None and group["group_key"] not in matched:
            matched.add(group["group_key"])
            pairs.append((old, group))
        else:
            unmatched.append(group)
    left: dict[str, list[dict]] = {}
    for old in before:
        if old["group_key"] not in matched:
            left.setdefault(_group_base(old["group_key"]), []).append(old)
    new = []
    for group in unmatched:
        candidates = left.get(_group_base(group["group_key"]), [])
        old = next((o for o in candidates if _periods_meet(o, group)), None)
        if old is None:
            new.append(group)
        else:
            candidates.remove(old)
            pairs.append((old, group))
    rows = [_group_change("group_spread_changed", old, group) for old, group in pairs
            if (old.get("low"), old.get("high")) != (group.get("low"), group.get("high"))]
    rows += [_group_change("group_new", None, group) for group in new]
    rows += [_group_change("group_removed", old, None)
             for key in sorted(left) for old in left[key]]
    return rows


def _group_base(group_key: str) -> str:
    """The key without its period: what the group counts."""
    return group_key.rsplit("|", 2)[0]


def _group_period(group: dict) -> tuple[date, date] | None:
    start, end = group.get("period_start") or group.get("period_end"), group.get("period_end") or group.get("period_start")
    return (date.fromisoformat(start), date.fromisoformat(end)) if start else None


def _periods_meet(old: dict, new: dict) -> bool:
    first, second = _group_period(old), _group_period(new)
    if first is None or second is None:
        return True
    slack = GROUP_PERIOD_SLACK_DAYS
    return (first[0] - second[1]).days <= slack and (second[0] - first[1]).days <= slack


def _group_change(kind: str, old: dict | None, new: dict | None) -> dict:
    row = dict.fromkeys(CHANGE_COLUMNS)
    either = new or old
    claimants_before = json.loads(old["claimants"]) if old and old.get("claimants") else {}
    claimants_after = json.loads(new["claimants"]) if new and new.get("claimants") else {}
    moved = [f"{name}: {claimants_before.get(name) or '–'} → {claimants_after.get(name) or '–'}"
             for name in sorted({*claimants_before, *claimants_after})
             if claimants_before.get(name) != claimants_after.get(name)]
    fields = []
    if old and new:
        fields = [name for name in ("low", "high") if old.get(name) != new.get(name)]
        if (old.get("period_start"), old.get("period_end")) != (new.get("period_start"), new.get("period_end")):
            fields.append("period")
        fields += [name for name in ("claimants", "flags") if (name == "claimants" and moved)
                   or name == "flags" and (old.get("flags") or "") != (new.get("flags") or "")]
    row.update(change=kind, fields=";".join(fields), group_id=new.get("group_id") if new else None,
               group_key=either["group_key"], claimants_moved="; ".join(moved),
               spread_ratio_before=old.get("spread_ratio") if old else None,
               spread_ratio_after=new.get("spread_ratio") if new else None)
    for name in ("low", "high", "period_start", "period_end"):
        row[f"{name}_before"] = old.get(name) if old else None
        row[f"{name}_after"] = new.get(name) if new else None
    return row


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        # IMMEDIATE takes the write lock now; another writer waits (connect timeout) instead of failing mid-way.
        self.db.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
