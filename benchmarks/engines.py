"""Time extraction with the local engine and with Dask on the same synthetic corpus.

    python benchmarks/engines.py [--articles 2000] [--jobs 2] [--out benchmarks/out/engines]

The corpus is benchmarks/rerun.py's (seeds and spec sentences recombined, numbers changed).
Each timing is a fresh process running api.extract_articles over the whole corpus (no store):

- local: a process pool of --jobs processes;
- dask, own cluster: `--engine dask` without a scheduler, so the time includes starting and
  closing a LocalCluster of --jobs single-threaded worker processes;
- dask, running cluster: a LocalCluster started beforehand, as a real cluster would be, so
  the time is what extraction costs once workers exist (their first task still loads the rules).

It checks that every engine gives the same figure table.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rerun import ROOT, build_corpus  # noqa: E402

EXTRACT = """
import hashlib, json, sys, time
from casualties.api import extract_articles
start = time.perf_counter()
result = extract_articles([sys.argv[1]], jobs=int(sys.argv[2]), engine=sys.argv[3], scheduler=sys.argv[4] or None)
seconds = time.perf_counter() - start
table = result.frame().to_csv(index=False).encode()
print(json.dumps({"seconds": seconds, "articles": result.articles, "figures": len(result.figures),
                  "problems": len(result.problems), "table": hashlib.sha1(table).hexdigest()}))
"""


def timed(corpus: Path, jobs: int, engine: str, scheduler: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", EXTRACT, str(corpus), str(jobs), engine, scheduler],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "engines")
    args = parser.parse_args()

    from distributed import LocalCluster

    if args.out.exists():
        shutil.rmtree(args.out)
    corpus = args.out / "corpus"
    megabytes = build_corpus(corpus, args.articles) / 1e6
    print(f"corpus: {args.articles} articles, {megabytes:.1f} MB; {args.jobs} processes or workers")

    def report(name: str, result: dict) -> dict:
        print(f"{name:<24} {result['seconds']:7.2f} s  {result['articles'] / result['seconds']:6.0f} articles/s"
              f"  {megabytes / result['seconds']:5.2f} MB/s  figures {result['figures']}  problems {result['problems']}",
              flush=True)
        return result

    results = [report("local", timed(corpus, args.jobs, "local")),
               report("dask, own cluster", timed(corpus, args.jobs, "dask"))]
    start = time.perf_counter()
    with LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        print(f"(cluster started in {time.perf_counter() - start:.1f} s)")
        results.append(report("dask, running cluster", timed(corpus, args.jobs, "dask", cluster.scheduler_address)))
    tables = {r["table"] for r in results}
    print("figure tables identical" if len(tables) == 1 else f"FIGURE TABLES DIFFER: {tables}")


if __name__ == "__main__":
    main()
