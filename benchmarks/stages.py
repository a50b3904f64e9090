"""CPU time of each stage of full extraction, on a fixed corpus, best of several passes.

    PYTHONPATH=. .venv/bin/python benchmarks/stages.py seeds 0.5 --repeat 5
    PYTHONPATH=. .venv/bin/python benchmarks/stages.py en 0.3

Corpora as in benchmarks/instructions.py: `seeds` (throughput.py's seeds repeated), `en` and `ar`
(english.py's recipe). Each stage of `api.extract_figures` is wrapped by a timer (the wrappers
add a little time of their own); per stage, the least CPU time over the passes is printed with
the whole pass's least time and its MB/s. The machine's other load moves CPU times by up to a
fifth between runs: compare two trees by alternating runs, or by instructions (instructions.py).
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casualties import api  # noqa: E402

STAGES = ("normalise", "find_quantities", "resolve_actor_mentions", "match_figures", "attribute", "resolve_periods",
          "find_time_expressions")


def load(kind: str, megabytes: float) -> tuple[list[str], str]:
    if kind == "seeds":
        from throughput import corpus
        return corpus(megabytes), "ar"
    from english import build_corpus
    return build_corpus(kind, megabytes), kind


def _timed(owner, name: str, totals: dict):
    inner = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.process_time() - started
    setattr(owner, name, wrapper)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("seeds", "en", "ar"))
    parser.add_argument("mb", type=float)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-stages", action="store_true", help="time the whole pass only (no wrappers)")
    args = parser.parse_args(argv)
    texts, lang = load(args.kind, args.mb)
    size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    totals: dict[str, float] = {}
    if not args.no_stages:
        from casualties import gazetteer, langpack, periods
        _timed(api, "find_quantities", totals)
        _timed(api, "match_figures", totals)
        _timed(api, "attribute", totals)
        _timed(api, "resolve_periods", totals)
        _timed(periods, "find_time_expressions", totals)
        _timed(langpack.LanguagePack, "normalise", totals)
        _timed(gazetteer.Gazetteers, "resolve_actor_mentions", totals)
    for text in texts:
        api.extract_text(text, lang=lang)
    best: dict[str, float] = {}
    whole = float("inf")
    for _ in range(args.repeat):
        totals.clear()
        gc.collect()
        started = time.process_time()
        for text in texts:
            api.extract_text(text, lang=lang)
        whole = min(whole, time.process_time() - started)
        for name, seconds in totals.items():
            best[name] = min(best.get(name, float("inf")), seconds)
    print(f"{args.kind} {size:.2f} MB, {len(texts)} articles: best pass {whole:.3f} s CPU, {size / whole:.3f} MB/s")
    for name in STAGES:
        if name in best:
            print(f"  {name:<24} {best[name]:.3f} s  {100 * best[name] / whole:5.1f}%")


if __name__ == "__main__":
    main()
