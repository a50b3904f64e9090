"""The embedded store: what earlier runs extracted, so that a rerun extracts only what changed.

One SQLite file (`reports/casualties.sqlite` by default) with plain tables any SQLite tool opens:

- `articles`: one row per article extracted, with the hash of its text and metadata and the
  rules version it was extracted with;
- `figures`: the figures of those articles (every `Figure` field, plus `position`, the order
  of the figure in its article);
- `runs`: one row per run; `finished_at` stays empty for a run that was interrupted;
- `changes`: what each run's extraction found differently from what the store held before
  (`new`, `changed` or `withdrawn` figures, with the compared fields before and after).

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

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path

from .errors import CasualtiesError
from .model import Article, Figure

SCHEMA_VERSION = 2
_FIELDS = [f for f in dataclasses.fields(Figure) if f.name != "extra"]
FIGURE_FIELDS = tuple(f.name for f in _FIELDS)
DATE_FIELDS = frozenset(f.name for f in _FIELDS if "date" in str(f.type))
BOOL_FIELDS = frozenset(f.name for f in _FIELDS if str(f.type) == "bool")
# Dates are ISO 8601 text, booleans 0 or 1.
FIGURE_COLUMN_TYPES = {f.name: "INTEGER" if str(f.type).split(" ")[0] in ("int", "bool") else "TEXT" for f in _FIELDS}
# A figure keeps its id when these change; a change of outcome, population or actor is a new id.
COMPARED = ("low", "high", "qualifier", "claimed_by", "period_start", "period_end")
CHANGE_COLUMNS = ("change", "figure_id", "doc_id", "fields",
                  *(f"{name}_{when}" for name in COMPARED for when in ("before", "after")), "quote")
RUN_COUNTS = ("n_articles", "n_new", "n_changed", "n_unchanged", "n_extracted", "n_figures", "n_problems",
              "figures_new", "figures_changed", "figures_withdrawn", "report_key")

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
    run_id INTEGER
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
    {", ".join(f"{name} INTEGER" for name in RUN_COUNTS if name != "report_key")},
    tool_version TEXT,
    rules_version TEXT,
    report_key TEXT
);
CREATE TABLE IF NOT EXISTS changes (
    change_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL,
    {", ".join(f"{name} {'INTEGER' if name.startswith(('low_', 'high_')) else 'TEXT'}" for name in CHANGE_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS changes_by_run ON changes (run_id);
"""


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
        if not create and not self.path.is_file():
            raise StoreError(f"{self.path}: no store here (run `casualties run` first)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: every write below opens its own explicit transaction.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, 1, SCHEMA_VERSION):
            self.db.close()
            raise StoreError(f"{self.path}: store schema {version}, this version of casualties reads {SCHEMA_VERSION}")
        upgrade = "ALTER TABLE runs ADD COLUMN report_key TEXT;" if version == 1 else ""
        self.db.executescript(f"BEGIN; {upgrade} {SCHEMA} PRAGMA user_version={SCHEMA_VERSION}; COMMIT;")
        self._insert_figure = (f"INSERT INTO figures ({', '.join(FIGURE_FIELDS)}, position) "
                               f"VALUES ({', '.join('?' * (len(FIGURE_FIELDS) + 1))})")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def _transaction(self):
        return _Transaction(self.db)

    def begin_run(self, inputs: Iterable, tool_version: str, rules_version: str) -> int:
        """Record a new run and start its list of input articles; returns its run_id."""
        with self._transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, inputs, tool_version, rules_version) VALUES (?, ?, ?, ?)",
                (_now(), json.dumps([str(p) for p in inputs], ensure_ascii=False), tool_version, rules_version))
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

    def known(self, doc_ids: list[str]) -> dict[str, tuple[str, str, str | None]]:
        """doc_id -> (content_hash, rules_version, path) of the articles already extracted."""
        found = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start:start + 500]
            query = (f"SELECT doc_id, content_hash, rules_version, path FROM articles "
                     f"WHERE doc_id IN ({', '.join('?' * len(part))})")
            for doc_id, digest, version, path in self.db.execute(query, part):
                found[doc_id] = (digest, version, path)
        return found

    def move(self, moves: list[tuple[str, str | None]]) -> None:
        """Record new paths (doc_id, path) of unchanged articles that moved."""
        with self._transaction():
            self.db.executemany("UPDATE articles SET path = ? WHERE doc_id = ?", ((p, d) for d, p in moves))

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
                        "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (article.doc_id, article.path, content_hash(article), article.publisher,
                         article.published.isoformat() if article.published else None, article.language,
                         article.url, rules_version, stamp, run_id))
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
                rows.append((run_id, *(change[name] for name in CHANGE_COLUMNS)))
        self.db.executemany(
            f"INSERT INTO changes (run_id, {', '.join(CHANGE_COLUMNS)}) VALUES ({', '.join('?' * (len(CHANGE_COLUMNS) + 1))})",
            rows)

    def pending_changes(self, run_id: int) -> list[dict]:
        """Changes since the last finished run: this run's and those of interrupted runs in
        between, netted per figure (its first state before, its last state after)."""
        previous = self.previous_run(run_id)
        since = previous["run_id"] if previous else 0
        first: dict[str, dict] = {}
        last: dict[str, dict] = {}
        query = f"SELECT {', '.join(CHANGE_COLUMNS)} FROM changes WHERE run_id > ? AND run_id <= ? ORDER BY change_id"
        for values in self.db.execute(query, (since, run_id)):
            row = dict(zip(CHANGE_COLUMNS, values))
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
    row = {"change": kind, "figure_id": figure_id, "doc_id": doc_id, "fields": fields}
    for name in COMPARED:
        row[f"{name}_before"] = before.get(name) if before else None
        row[f"{name}_after"] = after.get(name) if after else None
    row["quote"] = quote if quote is not None else (after or before).get("quote")
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
