"""Stage 8: write the figure table and the comparison (workbook, CSV/JSONL, terminal summary)."""
from __future__ import annotations

from .atomic import atomic_write
from .csvfile import write_csv, write_jsonl
from .terminal import render_summary
from .workbook import write_workbook

__all__ = ["atomic_write", "render_summary", "write_csv", "write_jsonl", "write_workbook"]
