"""Throughput on one core: the number finder, and full extraction when the API offers it.

The seed articles are repeated until the corpus reaches the requested size, then each article is
read on its own (as a batch run would). Prints MB/s of UTF-8 input.

    python benchmarks/throughput.py            # 10 MB through read_quantities, 1 MB through extraction
    python benchmarks/throughput.py --mb 2 --full-mb 0.5
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from casualties import api
from casualties.langpack import load_pack
from casualties.numbers import read_quantities

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def corpus(megabytes: float) -> list[str]:
    articles = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if not articles:
        raise SystemExit(f"no seed articles in {SEEDS}")
    target, out, size = int(megabytes * 1_000_000), [], 0
    while size < target:
        for text in articles:
            out.append(text)
            size += len(text.encode("utf-8"))
            if size >= target:
                break
    return out


def timed(label: str, texts: list[str], run) -> float:
    size = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    started, cpu_started = time.perf_counter(), time.process_time()
    count = 0
    for text in texts:
        count += len(run(text))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = size / elapsed if elapsed else float("inf")
    cpu_rate = size / cpu if cpu else float("inf")
    print(f"{label:<28} {size:7.2f} MB  {elapsed:7.2f} s  {rate:7.2f} MB/s wall  {cpu_rate:7.2f} MB/s CPU"
          f"  ({count} results, {len(texts)} articles)")
    return rate


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size for read_quantities (MB)")
    parser.add_argument("--full-mb", type=float, default=1.0, help="corpus size for full extraction (MB, 0 to skip)")
    parser.add_argument("--lang", default="ar")
    args = parser.parse_args(argv)

    pack = load_pack(args.lang)
    read_quantities("1", pack)  # compile outside the timing
    timed("read_quantities", corpus(args.mb), lambda text: read_quantities(text, pack))

    if args.full_mb > 0:
        if hasattr(api, "extract_text"):
            api.extract_text("قتل 1 مدني", lang=args.lang)
            timed("extract_text (full pipeline)", corpus(args.full_mb), lambda text: api.extract_text(text, lang=args.lang))
        elif hasattr(api, "extract_figures"):
            from casualties.model import Article

            timed("extract_figures (full)", corpus(args.full_mb),
                  lambda text: api.extract_figures(Article("bench", text, language=args.lang)))


if __name__ == "__main__":
    main()
