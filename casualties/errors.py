"""Errors that always name their source: a data file and key, or an article file and line."""
from __future__ import annotations

from dataclasses import dataclass


class CasualtiesError(Exception):
    """Base class for every error the tool raises on purpose."""


class DataFileError(CasualtiesError):
    """A language pack or gazetteer file is malformed."""

    def __init__(self, path, where: str, problem: str):
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{self.path}: {where}: {problem}")


class ArticleError(CasualtiesError):
    """One input article could not be read; the batch goes on without it."""

    def __init__(self, path, problem: str, line: int | None = None):
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input row or file, reported without stopping the batch:
    `level` "error" when it was skipped, "warning" when it was kept with less information."""

    path: str
    line: int | None
    message: str
    level: str = "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.level}: {self.message}"


# (column, type, meaning) of reports/errors.csv, one row per Problem of a run. The README's
# table of that file is generated from this list.
PROBLEM_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("path", "text", "The file the problem is in: an article, a table, a manifest or the corrections file; an article id when the article has no file."),
    ("line", "integer", "Line of a text, CSV, JSONL or manifest file, or row of a Parquet table (1 = first row); empty when the problem concerns the whole file."),
    ("level", "text", "`error`: the file or row was skipped; `warning`: kept, with less information."),
    ("message", "text", "What is wrong and what was done about it."),
)
