"""The terminal summary: formats, order, limit, colour and right-to-left isolation."""
from __future__ import annotations

import csv
import io
import itertools
import json

import pandas as pd
import pytest

from casualties.reconcile import reconcile
from casualties.table import COLUMN_NAMES
from casualties.writers.terminal import POP_ISOLATE, ISOLATE, display_width, render_summary

_ids = itertools.count()
ARABIC_CLAIMANT = "مصدر عسكري"


def figure(**fields) -> dict:
    row = dict.fromkeys(COLUMN_NAMES)
    row.update(
        figure_id=f"f{next(_ids)}", doc_id="doc", publisher="outlet", claimed_by="sohr", attribution="explicit",
        population="combatants", actor="syrian_government", outcome="killed", unit="people", qualifier="exact",
        stance="asserted", quote="", rule="test", period_start="2018-04-19", period_end="2018-05-21",
    )
    row.update(fields)
    return row


@pytest.fixture
def comparison():
    rows = [
        figure(claimed_by="sohr", low=251, high=None, qualifier="at_least"),
        figure(claimed_by="amaq", low=900, high=900),
        figure(claimed_by="sohr", low=10, high=10, outcome="wounded"),
        figure(claimed_by=ARABIC_CLAIMANT, low=12, high=12, outcome="wounded"),
        figure(claimed_by="activists", low=60, high=60, qualifier="about", outcome="evacuated",
               population="mixed", actor="islamic_state"),
        figure(claimed_by="orient_net", low=0, high=0, outcome="evacuated", population="mixed", actor="islamic_state"),
        figure(claimed_by="sana", low=5, high=5, outcome="missing", period_start=None, period_end=None),
        figure(claimed_by="sohr", low=4, high=4, outcome="detained", subgroup="أطفال"),
    ]
    table = pd.DataFrame(rows, columns=list(COLUMN_NAMES))
    for name in ("low", "high"):
        table[name] = table[name].astype("Int64")
    return reconcile(table)


def test_json_parses_and_keeps_the_comparison_order(comparison):
    records = json.loads(render_summary(comparison, fmt="json", limit=None))
    assert [record["group_id"] for record in records] == comparison.groups["group_id"].tolist()
    first = records[0]
    assert first["claims"] == {"amaq": "900", "sohr": "≥251"}
    assert first["spread_ratio"] == round(900 / 251, 2)
    assert first["low"] == 251 and first["high"] == 900
    evacuated = next(record for record in records if record["outcome"] == "evacuated")
    assert evacuated["flags"] == ["contradiction"]
    assert evacuated["spread_ratio"] is None
    assert next(record for record in records if record["outcome"] == "missing")["period_start"] is None


def test_markdown_has_a_header_row_and_one_row_per_group(comparison):
    lines = render_summary(comparison, fmt="markdown", limit=None).splitlines()
    assert lines[0].startswith("| group | counted |") and lines[0].endswith("| flags |")
    assert set(lines[1]) <= set("|-")
    assert len(lines) == 2 + len(comparison.groups)
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_table_lists_widest_spread_first(comparison):
    lines = render_summary(comparison, fmt="table", limit=None).splitlines()
    assert lines[0].split()[:2] == ["group", "counted"]
    body = lines[1:]
    ratios = comparison.groups["spread_ratio"]
    widest = comparison.groups.loc[ratios.idxmax()]
    assert body[0].startswith(widest["group_id"])
    assert "sohr ≥251" in body[0] and "amaq 900" in body[0] and "×3.59" in body[0]
    spreads = [float(part[1:]) for line in body for part in line.split() if part.startswith("×")]
    assert spreads == sorted(spreads, reverse=True)


def test_table_columns_line_up_with_right_to_left_text_before_them(comparison):
    lines = render_summary(comparison, fmt="table", limit=None).splitlines()
    records = json.loads(render_summary(comparison, fmt="json", limit=None))
    claims_at = lines[0].index("claims")
    assert any("أطفال" in line for line in lines)
    for line, record in zip(lines[1:], records):
        first_claim = " ".join(next(iter(record["claims"].items())))
        assert display_width(line[: line.index(first_claim)]) == claims_at


def test_limit_keeps_the_first_groups_and_says_how_many_are_left(comparison):
    text = render_summary(comparison, fmt="table", limit=2)
    lines = text.splitlines()
    assert len(lines) == 1 + 2 + 1
    assert lines[-1] == f"… {len(comparison.groups) - 2} more groups"
    assert len(json.loads(render_summary(comparison, fmt="json", limit=2))) == 2


def test_csv_parses_with_a_header(comparison):
    rows = list(csv.reader(io.StringIO(render_summary(comparison, fmt="csv", limit=None))))
    assert rows[0] == ["group", "counted", "period", "claims", "spread", "flags"]
    assert [row[0] for row in rows[1:]] == comparison.groups["group_id"].tolist()


def test_colour_styles_and_isolates_right_to_left_text(comparison):
    coloured = render_summary(comparison, fmt="table", color=True, limit=None)
    assert "\x1b[" in coloured
    # Only the right-to-left name is isolated, so its figure stays after it in reading order.
    assert f"{ISOLATE}{ARABIC_CLAIMANT}{POP_ISOLATE} 12" in coloured
    assert coloured.count(ISOLATE) == coloured.count(POP_ISOLATE) == 2
    assert f"{ISOLATE}أطفال{POP_ISOLATE}" in coloured
    plain = render_summary(comparison, fmt="table", color=False, limit=None)
    assert "\x1b[" not in plain and ISOLATE not in plain and POP_ISOLATE not in plain
    # Logical order is kept: the Arabic name appears exactly as written, not reversed.
    assert ARABIC_CLAIMANT in plain and ARABIC_CLAIMANT[::-1] not in plain


def test_data_formats_never_carry_isolation_marks(comparison):
    for fmt in ("json", "csv", "markdown"):
        text = render_summary(comparison, fmt=fmt, color=True, limit=None)
        assert ISOLATE not in text and "\x1b[" not in text
        assert ARABIC_CLAIMANT in text


def test_display_width_ignores_marks_and_controls():
    assert display_width("قُتِلَ") == 3
    assert display_width(f"{ISOLATE}abc{POP_ISOLATE}") == 3
    assert display_width("死者") == 4


def test_unknown_format_is_refused(comparison):
    with pytest.raises(ValueError, match="yaml"):
        render_summary(comparison, fmt="yaml")
