"""Grouping, spread, contradiction and repeated-claim cases for casualties.reconcile."""
from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casualties.reconcile import reconcile, display
from casualties.table import COLUMN_NAMES

_ids = itertools.count()


def figure(**fields) -> dict:
    """One row of the figure table: killed government combatants unless told otherwise."""
    row = dict.fromkeys(COLUMN_NAMES)
    row.update(
        figure_id=f"f{next(_ids)}", doc_id="doc", publisher="outlet", language="ar", claimed_by="sohr",
        attribution="explicit", population="combatants", actor="syrian_government", outcome="killed",
        unit="people", qualifier="exact", stance="asserted", quote="", rule="test",
        period_start="2018-04-19", period_end="2018-05-21", published="2018-05-21",
    )
    row.update(fields)
    if "high" not in fields and row["qualifier"] in ("exact", "about"):
        row["high"] = row["low"]
    return row


def frame(*rows: dict) -> pd.DataFrame:
    table = pd.DataFrame(list(rows), columns=list(COLUMN_NAMES))
    for name in ("low", "high", "start", "end"):
        table[name] = table[name].astype("Int64")
    return table


def group_of(comparison, claimant: str) -> pd.Series:
    rows = comparison.groups[comparison.groups[claimant] != ""]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_south_damascus_sohr_at_least_251_against_amaq_900():
    comparison = reconcile(frame(
        figure(claimed_by="sohr", publisher="afp", low=251, high=None, qualifier="at_least",
               quote="مقتل 251 عنصراً على الأقل من قوات النظام"),
        figure(claimed_by="amaq", publisher="amaq", low=900, high=900, qualifier="exact",
               period_start="2018-04-20", period_end="2018-05-19", quote="هلاك 900 عنصر"),
    ))
    assert len(comparison.groups) == 1
    group = comparison.groups.iloc[0]
    assert group["sohr"] == "≥251"
    assert group["amaq"] == "900"
    assert group["n_claimants"] == 2
    assert group["low"] == 251 and group["high"] == 900
    assert group["spread_ratio"] == pytest.approx(900 / 251)
    assert round(group["spread_ratio"], 2) == 3.59
    assert group["spread_abs"] == 649
    # "at least 251" is compatible with 900: an open high is not a contradiction.
    assert "contradiction" not in group["flags"]
    assert set(comparison.claimants) == {"sohr", "amaq"}


def test_evacuated_fighters_zero_against_thousands_is_a_contradiction():
    evacuated = dict(population="combatants", actor="islamic_state", outcome="evacuated",
                     period_start="2018-05-20", period_end="2018-05-21")
    comparison = reconcile(frame(
        figure(claimed_by="activists", low=60, high=60, qualifier="about", **evacuated),
        figure(claimed_by="khaled_abdel_majid", low=2000, high=2000, qualifier="about", **evacuated),
        figure(claimed_by="orient_net", publisher="orient_net", low=0, high=0, qualifier="exact", **evacuated),
    ))
    assert len(comparison.groups) == 1
    group = comparison.groups.iloc[0]
    assert (group["activists"], group["khaled_abdel_majid"], group["orient_net"]) == ("~60", "~2000", "0")
    assert group["flags"].split(";") == ["contradiction"]
    assert group["low"] == 0 and group["high"] == 2000
    assert pd.isna(group["spread_ratio"])


@pytest.mark.parametrize("first, second, contradicts", [
    ((100, 100, "exact"), (150, 150, "exact"), False),
    ((100, 100, "exact"), (201, 201, "exact"), True),
    ((20, 99, "vague"), (150, 150, "about"), False),
    ((None, 9, "less_than"), (30, 30, "exact"), True),
    ((251, None, "at_least"), (5000, 5000, "exact"), False),
])
def test_ranges_further_apart_than_a_factor_of_two_contradict(first, second, contradicts):
    comparison = reconcile(frame(
        figure(claimed_by="a", low=first[0], high=first[1], qualifier=first[2]),
        figure(claimed_by="b", low=second[0], high=second[1], qualifier=second[2]),
    ))
    assert ("contradiction" in comparison.groups.iloc[0]["flags"]) is contradicts


def test_a_denial_against_a_positive_count_is_a_contradiction():
    comparison = reconcile(frame(
        figure(claimed_by="ministry", low=None, high=None, qualifier="vague", stance="denied"),
        figure(claimed_by="sohr", low=12, high=12),
    ))
    group = comparison.groups.iloc[0]
    assert group["ministry"] == "denied"
    assert "contradiction" in group["flags"]


def test_one_claim_repeated_by_three_outlets_is_one_claimant_with_three_outlets():
    comparison = reconcile(frame(*(
        figure(claimed_by="sohr", publisher=outlet, doc_id=f"doc-{outlet}", low=251, qualifier="at_least")
        for outlet in ("reuters", "afp", "enab_baladi")
    )))
    assert len(comparison.groups) == 1
    group = comparison.groups.iloc[0]
    assert group["n_claimants"] == 1
    assert group["flags"] == "single_source"
    assert len(comparison.claims) == 1
    claim = comparison.claims.iloc[0]
    assert claim["outlets"].split(";") == ["afp", "enab_baladi", "reuters"]
    assert claim["n_outlets"] == 3
    assert len(claim["figure_ids"].split(";")) == 3


def test_outlet_falls_back_to_the_document_when_the_publisher_is_unknown():
    comparison = reconcile(frame(
        figure(claimed_by="sohr", publisher=None, doc_id="a1", low=5),
        figure(claimed_by="sohr", publisher="", doc_id="a2", low=5),
    ))
    assert comparison.claims.iloc[0]["outlets"] == "a1;a2"


def test_a_rising_toll_keeps_the_latest_figure_current_and_the_earlier_ones_visible():
    comparison = reconcile(frame(
        figure(claimed_by="sohr", low=40, high=40, period_start="2018-05-01", period_end="2018-05-03"),
        figure(claimed_by="sohr", low=10, high=10, period_start="2018-05-01", period_end="2018-05-01"),
        figure(claimed_by="sohr", low=25, high=25, period_start="2018-05-01", period_end="2018-05-02"),
        figure(claimed_by="white_helmets", low=38, high=38, period_start="2018-05-01", period_end="2018-05-03"),
    ))
    assert len(comparison.groups) == 1
    group = comparison.groups.iloc[0]
    assert group["sohr"] == "40"
    assert group["n_claimants"] == 2
    assert (group["low"], group["high"]) == (38, 40)
    sohr = comparison.claims[comparison.claims["claimed_by"] == "sohr"].set_index("display")
    assert sohr["current"].to_dict() == {"10": False, "25": False, "40": True}


def test_the_same_day_breaks_ties_by_publication_date():
    comparison = reconcile(frame(
        figure(claimed_by="sohr", low=7, high=7, published="2018-05-22"),
        figure(claimed_by="sohr", low=5, high=5, published="2018-05-21"),
    ))
    assert comparison.groups.iloc[0]["sohr"] == "7"


def test_subset_figures_do_not_group_with_their_parents():
    parent = figure(claimed_by="sohr", population="civilians", actor=None, low=50, high=50)
    children = figure(claimed_by="sohr", population="civilians", actor=None, low=20, high=20,
                      subset_of=parent["figure_id"])
    other_subset = figure(claimed_by="sana", population="civilians", actor=None, low=22, high=22,
                          subset_of="another-parent")
    comparison = reconcile(frame(parent, children, other_subset))
    assert len(comparison.groups) == 2
    by_subset = comparison.groups.set_index("is_subset")
    assert by_subset.loc[False, "sohr"] == "50"
    assert by_subset.loc[True, "sohr"] == "20"
    assert by_subset.loc[True, "sana"] == "22"


def test_different_subgroups_outcomes_or_units_are_different_groups():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=5),
        figure(claimed_by="a", low=6, subgroup="officers"),
        figure(claimed_by="a", low=7, outcome="wounded"),
        figure(claimed_by="a", low=8, unit="buses"),
    ))
    assert len(comparison.groups) == 4


def test_periods_that_do_not_overlap_are_different_groups():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=5, period_start="2018-01-01", period_end="2018-01-31"),
        figure(claimed_by="b", low=9, period_start="2018-03-01", period_end="2018-03-31"),
        figure(claimed_by="c", low=11, period_start="2018-03-31", period_end="2018-04-02"),
    ))
    assert sorted(comparison.groups["n_claimants"]) == [1, 2]


def test_periods_a_day_apart_count_as_the_same_event():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=5, period_start="2018-01-01", period_end="2018-01-01"),
        figure(claimed_by="b", low=6, period_start="2018-01-02", period_end="2018-01-02"),
        figure(claimed_by="c", low=7, period_start="2018-01-04", period_end="2018-01-04"),
    ))
    assert sorted(comparison.groups["n_claimants"]) == [1, 2]


def test_an_undated_figure_joins_its_key_and_flags_the_group_undated():
    comparison = reconcile(frame(
        figure(claimed_by="sohr", low=251, qualifier="at_least"),
        figure(claimed_by="amaq", low=900, high=900, period_start=None, period_end=None, published=None),
    ))
    assert len(comparison.groups) == 1
    group = comparison.groups.iloc[0]
    assert group["n_claimants"] == 2
    assert "undated" in group["flags"].split(";")


def test_an_undated_figure_does_not_fuse_two_periods():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=5, period_start="2018-01-01", period_end="2018-01-31"),
        figure(claimed_by="b", low=9, period_start="2018-06-01", period_end="2018-06-30"),
        figure(claimed_by="c", low=10, period_start=None, period_end=None, published="2018-06-15"),
    ))
    assert len(comparison.groups) == 2
    june = group_of(comparison, "b")
    january = group_of(comparison, "a")
    assert june["c"] == "10" and "undated" in june["flags"]
    assert january["c"] == "" and "undated" not in january["flags"]


def test_a_period_known_at_one_end_counts_as_that_day():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=5, period_start="2018-01-01", period_end="2018-01-31"),
        figure(claimed_by="b", low=6, period_start=None, period_end="2018-01-15"),
    ))
    assert len(comparison.groups) == 1
    assert "undated" not in comparison.groups.iloc[0]["flags"]


def test_an_open_low_uses_the_high_and_an_open_high_uses_the_low():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=None, high=9, qualifier="less_than"),
        figure(claimed_by="b", low=101, high=None, qualifier="more_than"),
    ))
    group = comparison.groups.iloc[0]
    assert (group["a"], group["b"]) == ("<10", ">100")
    assert (group["low"], group["high"]) == (9, 101)
    assert group["spread_ratio"] == pytest.approx(101 / 9)


def test_groups_are_sorted_by_spread_then_claimants_with_no_spread_last():
    comparison = reconcile(frame(
        figure(claimed_by="a", low=10, outcome="killed"),
        figure(claimed_by="b", low=20, high=20, outcome="killed"),
        figure(claimed_by="a", low=10, outcome="wounded"),
        figure(claimed_by="b", low=50, high=50, outcome="wounded"),
        figure(claimed_by="a", low=0, high=0, outcome="missing"),
        figure(claimed_by="a", low=3, high=3, outcome="detained"),
    ))
    assert comparison.groups["outcome"].tolist() == ["wounded", "killed", "detained", "missing"]
    assert comparison.groups["group_id"].tolist() == ["G0001", "G0002", "G0003", "G0004"]
    assert comparison.groups["spread_ratio"].tolist()[:3] == [5.0, 2.0, 1.0]
    assert math.isnan(comparison.groups["spread_ratio"].iloc[3])


def test_a_claimant_named_like_a_fixed_column_gets_a_prefixed_column():
    comparison = reconcile(frame(figure(claimed_by="low", low=4), figure(claimed_by="sohr", low=4)))
    assert "claimant:low" in comparison.claimants
    assert comparison.groups.iloc[0]["claimant:low"] == "4"
    assert comparison.groups.iloc[0]["low"] == 4


def test_claimant_columns_follow_the_claimants_list_between_period_and_counts():
    comparison = reconcile(frame(
        figure(claimed_by="zeta", low=1), figure(claimed_by="alpha", low=1),
        figure(claimed_by="zeta", low=2, outcome="wounded"),
    ))
    assert comparison.claimants == ["zeta", "alpha"]
    columns = list(comparison.groups.columns)
    assert columns[columns.index("period_end") + 1: columns.index("n_claimants")] == ["zeta", "alpha"]


def test_dates_may_be_date_objects_and_blanks_may_be_empty_strings():
    from datetime import date

    comparison = reconcile(frame(
        figure(claimed_by="a", low=5, period_start=date(2018, 1, 1), period_end=date(2018, 1, 9), actor=""),
        figure(claimed_by="b", low=6, period_start="", period_end="", actor=None, published=""),
    ))
    assert len(comparison.groups) == 1
    assert comparison.groups.iloc[0]["period_start"] == "2018-01-01"


def test_days_are_parsed_from_iso_text_dates_and_blanks():
    from datetime import date

    from casualties.reconcile import _day

    days = _day(pd.Series(["2018-05-21", "", None, "2018-05-21T10:00", date(2019, 1, 2), "not a day", "2018-05-21"],
                          index=range(10, 17)))
    assert list(days.index) == list(range(10, 17))
    assert [None if pd.isna(d) else d.date().isoformat() for d in days] == [
        "2018-05-21", None, None, "2018-05-21", "2019-01-02", None, "2018-05-21"]
    assert _day(pd.Series([], dtype=object)).empty


def test_an_empty_table_gives_empty_frames():
    comparison = reconcile(frame())
    assert comparison.groups.empty and comparison.claims.empty and comparison.claimants == []


@pytest.mark.parametrize("low, high, qualifier, expected", [
    (251, None, "at_least", "≥251"),
    (101, None, "more_than", ">100"),
    (60, 60, "about", "~60"),
    (900, 900, "exact", "900"),
    (20, 99, "vague", "20–99"),
    (20, 30, "range", "20–30"),
    (None, 50, "at_most", "≤50"),
    (None, 9, "less_than", "<10"),
    (0, 0, "exact", "0"),
    (None, None, "vague", "?"),
])
def test_display(low, high, qualifier, expected):
    assert display(low, high, qualifier) == expected


statuses = st.sampled_from(["sohr", "amaq", "sana", "activists"])
bounds = st.one_of(st.none(), st.integers(0, 3000))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(statuses, bounds, bounds, st.sampled_from(["killed", "wounded"]),
                          st.one_of(st.none(), st.integers(1, 60)), st.integers(0, 3)), max_size=25))
def test_invariants(rows):
    figures = []
    for claimant, low, high, outcome, day, outlet in rows:
        if low is not None and high is not None and low > high:
            low, high = high, low
        start = None if day is None else f"2018-01-{min(day, 28):02d}"
        figures.append(figure(claimed_by=claimant, low=low, high=high, outcome=outcome, qualifier="range",
                              period_start=start, period_end=start, publisher=f"outlet{outlet}"))
    comparison = reconcile(frame(*figures))
    claims = comparison.claims
    # Every figure belongs to exactly one claim.
    ids = [figure_id for joined in claims["figure_ids"] for figure_id in joined.split(";")]
    assert sorted(ids) == sorted(row["figure_id"] for row in figures)
    # One current claim per claimant and group, and one filled cell for it.
    current = claims[claims["current"]]
    assert not current.duplicated(["group_id", "claimed_by"]).any()
    for group in comparison.groups.itertuples(index=False):
        filled = [name for name in comparison.claimants if getattr(group, name) != ""]
        assert len(filled) == group.n_claimants == (current["group_id"] == group.group_id).sum()
        if not pd.isna(group.low):
            assert group.low <= group.high


def test_the_main_job_runs_without_pyarrow(tmp_path):
    """pyarrow is optional (parquet, faster joins): with it blocked, pandas keeps text in
    Python strings and `casualties run` still writes every report (a fresh `make run`)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from casualties import api\n"
        f"result = api.run([{str(root / 'seeds')!r}], {str(tmp_path)!r}, jobs=1)\n"
        "import pandas as pd\n"
        "assert 'pyarrow' not in str(pd.Series(['x']).dtype.storage)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("figures.csv", "comparison.xlsx", "comparison.csv", "changes.csv"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_claimant_columns_and_days_are_what_a_pivot_and_strftime_give():
    """The claimant columns are filled in one table of cells, and the days written once each:
    the same as pivoting the current claims and formatting every day."""
    from casualties.reconcile import _iso, claimant_column

    rows = [figure(claimed_by=claimant, low=low, high=low, period_start=day, period_end=day, doc_id=f"d{n}")
            for n, (claimant, low, day) in enumerate([
                ("sohr", 5, "2020-01-01"), ("amaq", 9, "2020-01-01"), ("sohr", 7, "2020-01-02"), ("low", 3, "2020-05-01"),
                ("un", 4, None), ("sohr", 11, "2021-03-03")])]
    comparison = reconcile(frame(*rows))
    current = comparison.claims[comparison.claims["current"]]
    wide = current.pivot(index="group_id", columns="claimed_by", values="display")
    assert set(current["claimed_by"]) == {"sohr", "amaq", "low", "un"} and "claimant:low" in comparison.claimants
    for claimant in current["claimed_by"].unique():
        column = comparison.groups[claimant_column(claimant)]
        expected = comparison.groups["group_id"].map(wide[claimant]).astype(object)
        assert column.tolist() == expected.where(expected.notna(), "").tolist() and column.dtype == object
    days = pd.Series(pd.to_datetime(["2020-01-01", None, "2020-01-01", "1999-12-31", None]), index=[4, 3, 2, 1, 0])
    expected = days.dt.strftime("%Y-%m-%d").astype(object).where(days.notna(), "")
    pd.testing.assert_series_equal(_iso(days), expected)
    pd.testing.assert_series_equal(_iso(days.head(0)), expected.head(0))
    pd.testing.assert_series_equal(_iso(days[days.isna()]), expected[days.isna()])
