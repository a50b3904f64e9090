"""reports/errors.csv: every problem of a run, one row each (columns: errors.PROBLEM_COLUMNS)."""
from __future__ import annotations

import codecs
from collections.abc import Iterable

from ..errors import PROBLEM_COLUMNS, Problem
from .atomic import atomic_write


def problems_frame(problems: Iterable[Problem]):
    """The problems as a table (a DataFrame) with PROBLEM_COLUMNS, in the order they were met."""
    import pandas as pd

    names = [name for name, _, _ in PROBLEM_COLUMNS]
    frame = pd.DataFrame([[getattr(p, name) for name in names] for p in problems], columns=names)
    frame["line"] = frame["line"].astype("Int64")
    return frame


def write_problems(problems: Iterable[Problem], path) -> None:
    """Write errors.csv atomically; a run without problems leaves just the header, so a stale
    file from an earlier run never survives."""
    problems = list(problems)
    if not problems:
        # The header alone, as write_csv writes it, without loading pandas (a rerun that keeps
        # its reports writes only this file).
        with atomic_write(path, "wb") as out:
            out.write(codecs.BOM_UTF8 + ",".join(name for name, _, _ in PROBLEM_COLUMNS).encode("utf-8") + b"\n")
        return
    from .csvfile import write_csv

    write_csv(problems_frame(problems), path)
