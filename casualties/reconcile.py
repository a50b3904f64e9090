"""Stage 7: group figures that count the same thing and set each claimant's figure side by side.

A *group* is a set of figures that count the same thing: same population, actor, subgroup,
outcome and unit, both subsets or both not, and overlapping periods. A *claim* is what one
claimant says about a group; the same claim repeated by several outlets stays one claim with
several outlets, because ten newspapers quoting SOHR are one source, not ten.

    >>> from casualties.reconcile import reconcile
    >>> comparison = reconcile(figures_frame)          # the figure table as a DataFrame
    >>> comparison.groups[["group_id", "n_claimants", "spread_ratio", "flags"]]

How each claim's bounds feed the group's numbers (a claim's *point* bounds):

- `low` of a claim is its low, or its high when the low is open (`<10`, `≤50`): an upper
  bound is the only number such a claim gives, and using 0 would make every spread with it
  undefined.
- `high` of a claim is its high, or its low when the high is open (`≥251`, `>100`).
- A claim with neither bound (`?`, "a number of") gives no numbers; it still counts as a claimant.

The group's `low` is the smallest point low over current claims and its `high` the largest
point high. Contradictions are judged on the true ranges instead (an open low is 0, an open high
is unbounded), so `≥251` does not contradict `900`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .table import COLUMN_NAMES, as_text, text_dtype, text_with_blanks

KEY = ("population", "actor", "subgroup", "outcome", "unit")
# Two claimants whose ranges are further apart than this factor contradict each other.
CONTRADICTION_FACTOR = 2.0
# Periods that touch count as overlapping: a report dated by its publication day ("today")
# and one covering the night before describe the same event.
PERIOD_SLACK = pd.Timedelta(days=1)
FLAGS = ("contradiction", "single_source", "undated")
GROUP_COLUMNS = (
    "group_id", *KEY, "is_subset", "period_start", "period_end",
)
STAT_COLUMNS = ("n_claimants", "low", "high", "spread_ratio", "spread_abs", "flags")
CLAIM_COLUMNS = (
    "group_id", "claimed_by", "display", "low", "high", "qualifier", "stance", "current",
    "outlets", "n_outlets", "figure_ids", "quote", "period_start", "period_end", "published",
)


@dataclass(frozen=True, eq=False)
class Comparison:
    """What `reconcile` returns.

    `groups`: one row per group, with one column per claimant holding its current figure as a
    researcher writes it (`≥251`); `claims`: every claim, earlier ones with `current=False`;
    `claimants`: the claimant column names of `groups`, most widespread claimant first.
    A claimant column is named by the claimant id, unless the id is also the name of a fixed
    column (`low`, `flags`, ...), in which case it is prefixed with `claimant:`.
    """

    groups: pd.DataFrame
    claims: pd.DataFrame
    claimants: list[str]


def display(low, high, qualifier: str, stance: str = "asserted") -> str:
    """A claim as a researcher writes it: `≥251`, `>100`, `~60`, `900`, `20–99`, `≤50`, `<10`, `?`.

    `more_than` and `less_than` store the first allowed integer (101 for "more than 100",
    docs/CONVENTIONS.md), so the written number is one step back from the stored bound.
    """
    low = None if _missing(low) else int(low)
    high = None if _missing(high) else int(high)
    if low is None and high is None:
        return "denied" if stance == "denied" else "?"
    if qualifier == "at_least" and low is not None:
        return f"≥{low}"
    if qualifier == "more_than" and low is not None:
        return f">{low - 1}"
    if qualifier == "at_most" and high is not None:
        return f"≤{high}"
    if qualifier == "less_than" and high is not None:
        return f"<{high + 1}"
    if low is not None and high is not None and low != high:
        return f"{low}–{high}"
    value = low if low is not None else high
    if qualifier == "about":
        return f"~{value}"
    if low is None:
        return f"≤{high}"
    if high is None:
        return f"≥{low}"
    return str(value)


def reconcile(figures: pd.DataFrame) -> Comparison:
    """Group the figure table (columns of `table.COLUMN_NAMES`) and compare claimants per group."""
    return compare(prepare(figures))


def prepare(figures: pd.DataFrame) -> pd.DataFrame:
    """The first half of `reconcile`: the figure table as the comparison reads it (text
    blanks filled, days parsed, each claim's point and true bounds, the key of what it counts).
    Apart, so that a caller can hand back the memory this frees before `compare` needs more."""
    return _prepare(figures)


def compare(rows: pd.DataFrame, *, between: Callable[[], None] | None = None) -> Comparison:
    """The second half of `reconcile`: groups, claims and claimants of `prepare`'s rows.
    `between()`, when given, is called once the claims are made, which frees the most."""
    if rows.empty:
        return _empty_comparison()
    rows["group"] = _assign_groups(rows)
    claims = _claims(rows)
    if between:
        between()
    groups, order = _groups(rows, claims)
    claims["group_id"] = claims["group"].map(order)
    claimant_columns = _claimant_columns(claims)
    groups = _add_claimant_columns(groups, claims, claimant_columns)
    claims = _finish_claims(claims)
    return Comparison(groups=groups, claims=claims, claimants=list(claimant_columns.values()))


def _empty_comparison() -> Comparison:
    types = {"is_subset": "bool", "current": "bool", "n_claimants": "int64", "n_outlets": "int64",
             "low": "Int64", "high": "Int64", "spread_abs": "Int64", "spread_ratio": "float64"}

    def empty(columns) -> pd.DataFrame:
        return pd.DataFrame({name: pd.Series(dtype=types.get(name, object)) for name in columns})

    return Comparison(groups=empty([*GROUP_COLUMNS, *STAT_COLUMNS]), claims=empty(CLAIM_COLUMNS), claimants=[])


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


_TEXT_DTYPE = text_dtype()  # pandas' own text type (object before pandas 3)


def _day(column: pd.Series) -> pd.Series:
    # Dates arrive as ISO strings, date objects or blanks; the day is all grouping needs.
    # Each distinct day parsed once: a corpus has thousands of days for millions of figures,
    # and parsing every value made a Python string of each.
    codes, days = pd.factorize(text_with_blanks(column).str.slice(0, 10))
    parsed = pd.to_datetime(pd.Series(days, dtype=object), format="%Y-%m-%d", errors="coerce")
    return pd.Series(parsed.to_numpy().take(codes), index=column.index) if len(days) else \
        pd.Series(pd.NaT, index=column.index, dtype=parsed.dtype)


def _prepare(figures: pd.DataFrame) -> pd.DataFrame:
    source = figures.reindex(columns=list(COLUMN_NAMES)).reset_index(drop=True)
    # Only the columns the comparison reads: a text column of two million figures is 20-50 MB.
    rows = pd.DataFrame({name: text_with_blanks(source[name]) for name in (
        "figure_id", "claimed_by", *KEY, "qualifier", "stance", "quote",
    )})
    rows["stance"] = as_text(rows["stance"]).replace("", "asserted")  # two values: as text, 30 MB at 2M figures
    rows["is_subset"] = text_with_blanks(source["subset_of"]) != ""
    publisher = text_with_blanks(source["publisher"])
    rows["outlet"] = _either(publisher != "", publisher, text_with_blanks(source["doc_id"]))
    for name in ("low", "high"):
        rows[name] = pd.to_numeric(source[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    start, end, rows["published"] = _day(source["period_start"]), _day(source["period_end"]), _day(source["published"])
    # A period known at one end only is taken as that single day.
    start, end = start.fillna(end), end.fillna(start)
    rows["start"], rows["end"] = start.where(start <= end, end), end.where(start <= end, start)
    rows["dated"] = rows["start"].notna()
    rows["point_low"] = rows["low"].fillna(rows["high"])
    rows["point_high"] = rows["high"].fillna(rows["low"])
    rows["true_low"] = rows["low"].fillna(0.0)
    rows["true_high"] = rows["high"].fillna(np.inf)
    rows["key"] = rows.groupby([*KEY, "is_subset"], sort=True, observed=True).ngroup()
    return rows


def _either(chosen: pd.Series, first: pd.Series, second: pd.Series) -> pd.Series:
    """`first.where(chosen, second)`; of two categoricals, a categorical of both's categories."""
    if not (isinstance(first.dtype, pd.CategoricalDtype) and isinstance(second.dtype, pd.CategoricalDtype)):
        return as_text(first).where(chosen, as_text(second))
    categories = first.cat.categories.union(second.cat.categories)  # sorted
    first_codes = categories.get_indexer(first.cat.categories)[first.cat.codes.to_numpy()]
    second_codes = categories.get_indexer(second.cat.categories)[second.cat.codes.to_numpy()]
    codes = np.where(chosen.to_numpy(dtype=bool), first_codes, second_codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=first.index)


def _assign_groups(rows: pd.DataFrame) -> pd.Series:
    """Group number of each figure.

    Dated figures of one key form groups of overlapping periods (a sweep over periods sorted by
    start; overlap is chained, so A–B and B–C put A, B and C together). An undated figure is
    attached to one group of its key rather than to all of them, so that a single undated
    figure never fuses two distinct periods: the group in force at its publication date, else
    the earliest group after it, else (no publication date) the latest group. Undated figures
    of a key with no dated figure form one group of their own.
    """
    group = pd.Series(-1, index=rows.index, dtype="int64")
    dated = rows.loc[rows["dated"], ["key", "start", "end"]].sort_values(["key", "start"], kind="stable")
    if len(dated):
        reach = dated.groupby("key")["end"].cummax()
        previous_reach = reach.groupby(dated["key"]).shift()
        new = previous_reach.isna() | (dated["start"] > previous_reach + PERIOD_SLACK)
        group.loc[dated.index] = new.cumsum().to_numpy() - 1
    spans = (
        pd.DataFrame({"key": rows["key"], "group": group, "start": rows["start"]})[group >= 0]
        .groupby("group").agg(key=("key", "first"), start=("start", "min")).reset_index()
    )
    undated = rows.loc[~rows["dated"], ["key", "published"]]
    if len(undated) == 0:
        return group
    chosen = pd.Series(np.nan, index=undated.index)
    with_date = undated[undated["published"].notna()].reset_index().sort_values("published")
    if len(with_date) and len(spans):
        ordered = spans.sort_values("start")
        for direction in ("backward", "forward"):
            todo = with_date[with_date["index"].map(chosen).isna()]
            if len(todo) == 0:
                break
            found = pd.merge_asof(
                todo, ordered, left_on="published", right_on="start", by="key", direction=direction,
            )
            chosen.loc[found["index"].to_numpy()] = found["group"].to_numpy()
    if len(spans):
        latest = spans.sort_values("start").groupby("key")["group"].last()
        chosen = chosen.fillna(undated["key"].map(latest))
    alone = chosen.isna()
    if alone.any():
        base = int(group.max()) + 1
        chosen[alone] = base + undated.loc[alone, "key"].rank(method="dense").to_numpy() - 1
    group.loc[undated.index] = chosen.astype("int64").to_numpy()
    return group


def _claims(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct claim: (group, claimant, bounds, qualifier, stance)."""
    claim_key = ["group", "claimed_by", "low", "high", "qualifier", "stance"]
    claim = rows.groupby(claim_key, dropna=False, sort=False, observed=True).ngroup()
    # Each claim's figures, latest last. Only the sort keys are sorted; every other column is
    # taken by position for the claims' latest figures alone (sorting the whole table would
    # copy all of it: a gigabyte at two million figures).
    order = _sorted_positions(claim, rows["end"], rows["published"], rows["figure_id"])
    codes = claim.to_numpy()[order]
    latest = order[np.flatnonzero(np.append(codes[1:] != codes[:-1], True))]  # each claim's latest figure
    claims = rows[[*claim_key, "point_low", "point_high", "true_low", "true_high", "end", "published"]].iloc[latest]
    claims = claims.assign(**{name: as_text(claims[name]) for name in ("claimed_by", "qualifier")})
    claims.index = pd.Index(claim.to_numpy()[latest], name="claim")
    claims["first_start"] = rows["start"].groupby(claim).min()
    # A claimant's current claim is its latest; on a tie the larger figure, since tolls rise.
    # Sorted while the claims are small: their texts are added in this order.
    final = _sorted_positions(*(claims[name] for name in ("group", "claimed_by", "end", "published", "point_high")))
    claims = claims.iloc[final]
    claims["quote"] = rows["quote"].array.take(latest[final])
    claims["figure_ids"] = _joined(codes, rows["figure_id"].iloc[order])
    # Each claim's distinct outlets in order, as numbers (outlets numbered in their sorted order).
    outlet_codes, outlet_names = pd.factorize(rows["outlet"], sort=True)
    outlet_names = pd.Index(np.asarray(outlet_names, dtype=object), dtype=_TEXT_DTYPE)  # of a categorical: as text
    pairs = np.unique(claim.to_numpy() * len(outlet_names) + outlet_codes)
    pair_claims, pair_outlets = np.divmod(pairs, len(outlet_names))
    claims["outlets"] = _joined(pair_claims, pd.Series(outlet_names.take(pair_outlets)))
    claimed, count = np.unique(pair_claims, return_counts=True)
    claims["n_outlets"] = pd.Series(count, index=claimed)
    claims["current"] = ~claims.duplicated(["group", "claimed_by"], keep="last")
    # Few distinct (bounds, qualifier, stance): each written once.
    shown = claims[["low", "high", "qualifier", "stance"]]
    kinds = shown.groupby(list(shown.columns), dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(kinds, return_index=True)
    written = np.array([display(*values) for values in shown.iloc[first].itertuples(index=False)], dtype=object)
    claims["display"] = written[kinds].tolist()
    return claims.reset_index(drop=True)


def _sorted_positions(*keys: pd.Series) -> np.ndarray:
    """The positions that sort rows by `keys` in turn, ascending, blanks (NaN, NaT) first and
    ties in their order: what DataFrame.sort_values(..., na_position="first", kind="stable")
    gives. With pyarrow, by its sort: pandas builds a hash table of every text it sorts (a
    third of a gigabyte for the figure ids of two million figures), pyarrow none, and it is
    six times faster."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:
        return _sorted_positions_by_pandas(*keys)
    table = pa.table({str(n): pa.array(key, from_pandas=True) for n, key in enumerate(keys)})
    try:
        order = pc.sort_indices(table, sort_keys=[(name, "ascending", "at_start") for name in table.column_names])
    except (TypeError, ValueError, pa.ArrowInvalid):  # a pyarrow before 25: one null placement for all keys
        order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in table.column_names],
                                null_placement="at_start")
    return order.to_numpy()


def _sorted_positions_by_pandas(*keys: pd.Series) -> np.ndarray:
    frame = pd.DataFrame({str(n): key.reset_index(drop=True) for n, key in enumerate(keys)})
    return frame.sort_values(list(frame.columns), na_position="first", kind="stable").index.to_numpy()


def _joined(codes, values: pd.Series) -> pd.Series:
    """`;`-joined values per code, for rows already sorted by code.

    Slicing one list is an order of magnitude faster than a pandas groupby with a join.
    """
    codes_array = np.asarray(codes)
    bounds = np.flatnonzero(np.diff(codes_array)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(codes_array)]))
    if values.dtype == _TEXT_DTYPE and getattr(values.dtype, "storage", None) == "pyarrow" and not values.hasnans:
        # Text in Arrow (pandas 3 with pyarrow): joined there, without a Python string per
        # value (two million figure ids at 100,000 articles). Without pyarrow pandas keeps
        # text in Python strings, and they are joined below.
        import pyarrow as pa
        import pyarrow.compute as pc

        flat = pa.array(values.array)
        flat = flat.combine_chunks() if isinstance(flat, pa.ChunkedArray) else flat
        lists = pa.LargeListArray.from_arrays(pa.array(np.append(starts, len(codes_array)), type=pa.int64()), flat)
        return pc.binary_join(lists, pa.scalar(";", flat.type)).to_pandas().set_axis(codes_array[starts])
    items = values.tolist()
    return pd.Series([";".join(items[a:b]) for a, b in zip(starts, ends)], index=codes_array[starts])


def _groups(rows: pd.DataFrame, claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    by_group = rows.groupby("group", sort=True)
    groups = by_group[[*KEY, "is_subset"]].first()
    groups = groups.assign(**{name: as_text(groups[name]) for name in KEY})
    groups["period_start"] = _iso(by_group["start"].min())
    groups["period_end"] = _iso(by_group["end"].max())
    undated = ~by_group["dated"].all()

    # The columns needed, then the rows: filtering all of them would copy the claims' texts.
    current = claims[["group", "claimed_by", "stance", "point_low", "point_high", "true_low", "true_high"]]
    current = current[claims["current"]]
    zero = (current["stance"] == "denied") | (current["true_high"] == 0)
    positive = ~zero & (current["true_low"] > 0)
    stats = current.assign(zero=zero, positive=positive).groupby("group").agg(
        n_claimants=("claimed_by", "size"),
        low=("point_low", "min"),
        high=("point_high", "max"),
        max_true_low=("true_low", "max"),
        min_true_high=("true_high", "min"),
        any_zero=("zero", "any"),
        any_positive=("positive", "any"),
    )
    groups = groups.join(stats)
    groups["n_claimants"] = groups["n_claimants"].astype("int64")
    low, high = groups["low"], groups["high"]
    groups["spread_ratio"] = (high / low).where(low > 0)
    groups["spread_abs"] = high - low
    far_apart = groups["max_true_low"] > CONTRADICTION_FACTOR * groups["min_true_high"]
    flags = pd.DataFrame({
        "contradiction": (groups["any_zero"] & groups["any_positive"]) | far_apart,
        "single_source": groups["n_claimants"] == 1,
        "undated": undated,
    })
    groups["flags"] = _join_flags(flags)
    groups["low"] = groups["low"].round().astype("Int64")
    groups["high"] = groups["high"].round().astype("Int64")
    groups["spread_abs"] = groups["spread_abs"].round().astype("Int64")

    groups = groups.sort_values(
        ["spread_ratio", "n_claimants", *KEY, "is_subset", "period_start"],
        ascending=[False, False, *([True] * (len(KEY) + 2))], na_position="last", kind="stable",
    )
    order = pd.Series([f"G{n:04d}" for n in range(1, len(groups) + 1)], index=groups.index)
    groups.insert(0, "group_id", order.to_numpy())
    groups = groups.reset_index(drop=True)[[*GROUP_COLUMNS, *STAT_COLUMNS]]
    return groups, order


def _iso(days: pd.Series) -> pd.Series:
    """Each day as `YYYY-MM-DD`, "" when unknown; each distinct day written once (the claims
    of 10,000 articles are 140,000 rows of a few thousand days)."""
    codes, distinct = pd.factorize(days)  # an unknown day: code -1
    written = np.append(distinct.strftime("%Y-%m-%d").to_numpy(dtype=object), "")
    return pd.Series(written.take(codes), index=days.index, dtype=object)


def _join_flags(flags: pd.DataFrame) -> pd.Series:
    joined = pd.Series("", index=flags.index, dtype=object)
    for name in FLAGS:
        joined = joined.where(~flags[name], joined + np.where(joined == "", "", ";") + name)
    return joined


SUMMARY_COLUMNS = (
    "group_key", "group_id", *KEY, "is_subset", "period_start", "period_end", "n_claimants", "claimants",
    "low", "high", "spread_ratio", "spread_abs", "flags",
)


def group_keys(groups: pd.DataFrame) -> pd.Series:
    """The key of each group, the same from run to run while the group counts the same thing:
    `population|actor|subgroup|outcome|unit|subset or whole|period_start|period_end`.

        >>> group_keys(comparison.groups).iloc[0]                     # doctest: +SKIP
        'combatants|syrian_government||killed|people|whole|2018-04-19|2018-05-21'
    """
    parts = [text_with_blanks(groups[name]) for name in KEY]
    parts.append(groups["is_subset"].map({True: "subset", False: "whole"}).astype(object))
    parts += [text_with_blanks(groups["period_start"]), text_with_blanks(groups["period_end"])]
    keys = parts[0].astype(object)
    for part in parts[1:]:
        keys = keys + "|" + part.astype(object)
    return keys.astype(object)


def group_summaries(comparison: Comparison) -> pd.DataFrame:
    """One row per group (SUMMARY_COLUMNS): its key, its fixed columns and `claimants`, a JSON
    object of each claimant's current figure as written (`{"amaq": "900", "sohr": "≥251"}`).
    This is what the store keeps of each run's groups, to tell the next run what moved."""
    import json

    groups = comparison.groups
    current = comparison.claims[comparison.claims["current"]].sort_values(["group_id", "claimed_by"], kind="stable")
    shown: dict[str, dict[str, str]] = {}
    for group_id, claimant, figure in zip(current["group_id"], current["claimed_by"], current["display"]):
        shown.setdefault(group_id, {})[claimant] = figure
    summary = groups[["group_id", *KEY, "is_subset", "period_start", "period_end", "n_claimants",
                      "low", "high", "spread_ratio", "spread_abs", "flags"]].copy()
    summary.insert(0, "group_key", group_keys(groups).to_numpy())
    summary["claimants"] = [json.dumps(shown.get(group_id, {}), ensure_ascii=False, sort_keys=True)
                            for group_id in groups["group_id"]]
    return summary.reset_index(drop=True)[list(SUMMARY_COLUMNS)]


def claimant_column(claimant: str) -> str:
    """The name of a claimant's column in `Comparison.groups`."""
    return f"claimant:{claimant}" if claimant in _FIXED_COLUMNS else claimant


_FIXED_COLUMNS = frozenset(GROUP_COLUMNS) | frozenset(STAT_COLUMNS)


def _claimant_columns(claims: pd.DataFrame) -> dict[str, str]:
    reach = claims.groupby("claimed_by")["group"].nunique()
    ordered = sorted(reach.index, key=lambda claimant: (-reach[claimant], claimant))
    return {claimant: claimant_column(claimant) for claimant in ordered}


def _add_claimant_columns(groups: pd.DataFrame, claims: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """One column per claimant: its current figure in each group, "" where it has none.
    Filled in one table of cells (a pivot made and filled two hundred columns one by one)."""
    current = claims.loc[claims["current"].to_numpy(dtype=bool), ["group_id", "claimed_by", "display"]]
    rows = pd.Index(groups["group_id"]).get_indexer(current["group_id"])
    where = {claimant: position for position, claimant in enumerate(columns)}
    cells = np.full((len(groups), len(columns)), "", dtype=object)
    cells[rows, [where[claimant] for claimant in current["claimed_by"].tolist()]] = current["display"].to_numpy(dtype=object)
    wide = pd.DataFrame(cells, index=groups.index, columns=list(columns.values()), dtype=object)
    groups = pd.concat([groups, wide], axis=1)
    return groups[[*GROUP_COLUMNS, *columns.values(), *STAT_COLUMNS]]


def _finish_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims as `Comparison.claims`: CLAIM_COLUMNS, in order of group, claimant and date.

    Each column is taken out of `claims` as it is put in order, so that only one is ever held
    twice (the claims of two million figures are a quarter of a gigabyte).
    """
    made = {
        # As text in Arrow where pandas keeps it there: a Python string per day is 60 bytes.
        "period_start": _iso(claims.pop("first_start")).astype(_TEXT_DTYPE),
        "period_end": _iso(claims["end"]).astype(_TEXT_DTYPE),
        "published": _iso(claims.pop("published")).astype(_TEXT_DTYPE),
        "low": claims.pop("low").round().astype("Int64"),
        "high": claims.pop("high").round().astype("Int64"),
        "n_outlets": claims.pop("n_outlets").astype("int64"),
    }
    # No blanks among these keys: ISO days are "" when unknown.
    order = _sorted_positions(claims["group_id"], claims["claimed_by"], made["period_end"], made["published"])
    finished = {}
    for name in CLAIM_COLUMNS:
        column = made.pop(name) if name in made else claims.pop(name)
        finished[name] = column.iloc[order].reset_index(drop=True)
    return pd.DataFrame(finished)
