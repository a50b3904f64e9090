"""Stage 8: write the figure table and the comparison (workbook, CSV/JSONL, terminal summary).

Each writer is imported when first asked for: a run that keeps its reports writes only
errors.csv, and need not load pandas and openpyxl for it.
"""
from __future__ import annotations

from importlib import import_module

__all__ = ["atomic_write", "render_summary", "write_csv", "write_jsonl", "write_workbook"]
_MODULES = {"atomic_write": "atomic", "render_summary": "terminal", "write_csv": "csvfile", "write_jsonl": "csvfile",
            "write_workbook": "workbook"}


def __getattr__(name: str):
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULES[name]}", __name__), name)
    globals()[name] = value
    return value
