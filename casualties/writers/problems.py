"""reports/errors.csv: every problem of a run, one row each (columns: errors.PROBLEM_COLUMNS)."""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..errors import PROBLEM_COLUMNS, Problem
from .csvfile import write_csv


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The problems as a table with PROBLEM_COLUMNS, in the order they were met."""
    names = [name for name, _, _ in PROBLEM_COLUMNS]
    frame = pd.DataFrame([[getattr(p, name) for name in names] for p in problems], columns=names)
    frame["line"] = frame["line"].astype("Int64")
    return frame


def write_problems(problems: Iterable[Problem], path) -> None:
    """Write errors.csv atomically; a run without problems leaves just the header, so a stale
    file from an earlier run never survives."""
    write_csv(problems_frame(problems), path)
