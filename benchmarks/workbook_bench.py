"""Time reconcile + write_workbook + write_csv on a large synthetic figure table.

    python benchmarks/workbook_bench.py [--figures 100000] [--out DIR] [--seed 7]

Prints seconds per stage and the process's peak resident memory (ru_maxrss).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from casualties.reconcile import reconcile
from casualties.table import COLUMN_NAMES
from casualties.writers import write_csv, write_workbook

CLAIMANTS = [
    "sohr", "amaq", "sana", "white_helmets", "un_ocha", "syrian_network_for_human_rights",
    "khaled_abdel_majid", "orient_net", "activists", "russian_mod", "local_council", "medical_source",
    "مصدر عسكري", "ناشطون محليون", "مصادر أهلية", *[f"claimant_{n}" for n in range(25)],
]
PUBLISHERS = ["afp", "reuters", "aljazeera", "enab_baladi", "orient_net", "sana", "alarabiya", "bbc_arabic",
              *[f"outlet_{n}" for n in range(22)]]
ACTORS = ["syrian_government", "islamic_state", "hts", "sdf", "fsa", "hezbollah", "russia", "turkey", "", ""]
POPULATIONS = ["civilians", "combatants", "mixed", "unknown"]
SUBGROUPS = ["", "", "", "", "children", "women", "officers"]
OUTCOMES = ["killed", "wounded", "missing", "executed", "detained", "evacuated", "displaced", "killed_or_wounded"]
UNITS = ["people"] * 8 + ["buses", "convoys"]
QUALIFIERS = ["exact", "about", "at_least", "more_than", "less_than", "at_most", "range", "vague"]
QUOTES = [
    "قتل {n} مدنياً على الأقل في غارات جوية على ريف دمشق",
    "أفاد المرصد السوري بمقتل {n} عنصراً من قوات النظام",
    "خرج نحو {n} مقاتل مع عائلاتهم من مخيم اليرموك",
    "=HYPERLINK(\"http://example.org\",\"{n}\")",
    "- {n} wounded according to local sources",
    "At least {n} people were killed in the shelling, activists said",
]


def synthetic_figures(count: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pick = lambda values: np.asarray(values, dtype=object)[rng.integers(0, len(values), count)]  # noqa: E731
    qualifier = pick(QUALIFIERS)
    value = rng.lognormal(3.5, 1.5, count).astype("int64") + 1
    low = pd.array(value, dtype="Int64")
    high = pd.array(value, dtype="Int64")
    low[qualifier == "more_than"] = value[qualifier == "more_than"] + 1
    high[np.isin(qualifier, ["at_least", "more_than"])] = pd.NA
    low[np.isin(qualifier, ["less_than", "at_most"])] = pd.NA
    high[qualifier == "less_than"] = value[qualifier == "less_than"] - 1
    high[qualifier == "range"] = value[qualifier == "range"] * 2
    vague = qualifier == "vague"
    low[vague], high[vague] = 20, 99
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, count), unit="D")
    end = start + pd.to_timedelta(rng.integers(0, 30, count), unit="D")
    undated = rng.random(count) < 0.05
    period_start = pd.Series(start.strftime("%Y-%m-%d"), dtype=object).where(~undated, None)
    period_end = pd.Series(end.strftime("%Y-%m-%d"), dtype=object).where(~undated, None)
    published = (end + pd.to_timedelta(rng.integers(0, 3, count), unit="D")).strftime("%Y-%m-%d")
    quotes = [template.format(n=n) for template, n in zip(pick(QUOTES), value)]
    figure_id = [f"f{n:07d}" for n in range(count)]
    subset = rng.random(count) < 0.05
    frame = pd.DataFrame({
        "figure_id": figure_id,
        "doc_id": [f"doc{n:06d}" for n in rng.integers(0, count // 4 + 1, count)],
        "publisher": pick(PUBLISHERS),
        "published": published,
        "language": "ar",
        "claimed_by": pick(CLAIMANTS),
        "claimed_by_text": pick(["المرصد السوري لحقوق الإنسان", "وكالة أعماق", "مصدر عسكري", ""]),
        "attribution": pick(["explicit", "own"]),
        "population": pick(POPULATIONS),
        "actor": pick(ACTORS),
        "subgroup": pick(SUBGROUPS),
        "subset_of": np.where(subset, "f0000000", None),
        "outcome": pick(OUTCOMES),
        "unit": pick(UNITS),
        "low": low,
        "high": high,
        "qualifier": qualifier,
        "period_start": period_start,
        "period_end": period_end,
        "number_text": [str(n) for n in value],
        "start": pd.array(rng.integers(0, 5000, count), dtype="Int64"),
        "end": pd.array(rng.integers(5000, 6000, count), dtype="Int64"),
        "quote": quotes,
        "rule": pick(["ar.killed.quantity_population", "ar.evacuated.buses", "en.killed.at_least"]),
        "stance": np.where(rng.random(count) < 0.01, "denied", "asserted"),
    })
    # A third of the figures repeat an earlier claim through another outlet.
    repeats = rng.random(count) < 0.33
    sources = rng.integers(0, count, repeats.sum())
    for name in ("claimed_by", "population", "actor", "subgroup", "subset_of", "outcome", "unit", "low", "high",
                 "qualifier", "period_start", "period_end", "quote", "stance"):
        frame.loc[repeats, name] = frame[name].to_numpy()[sources]
    frame["url"] = "https://news.example/" + frame["doc_id"]
    return frame[[*COLUMN_NAMES, "url"]]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="casualties-bench-"))
    out.mkdir(parents=True, exist_ok=True)

    figures = synthetic_figures(args.figures, args.seed)
    timings = {}
    began = time.perf_counter()
    comparison = reconcile(figures)
    timings["reconcile"] = time.perf_counter() - began

    began = time.perf_counter()
    write_workbook(out / "casualties.xlsx", figures, comparison, about={"run": "benchmark", "figures": args.figures})
    timings["write_workbook"] = time.perf_counter() - began

    began = time.perf_counter()
    write_csv(figures, out / "figures.csv")
    write_csv(comparison.groups, out / "comparison.csv")
    timings["write_csv"] = time.perf_counter() - began

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    print(f"figures: {len(figures)}  groups: {len(comparison.groups)}  claims: {len(comparison.claims)}"
          f"  claimants: {len(comparison.claimants)}")
    for stage, seconds in timings.items():
        print(f"{stage:>15}: {seconds:6.2f} s")
    print(f"{'total':>15}: {sum(timings.values()):6.2f} s")
    print(f"{'peak memory':>15}: {peak_mib:6.0f} MiB")
    print(f"{'workbook':>15}: {(out / 'casualties.xlsx').stat().st_size / 1e6:6.1f} MB in {out}")


if __name__ == "__main__":
    main()
