"""Time first runs and reruns of `casualties run` with its store on a synthetic corpus.

    python benchmarks/rerun.py [--articles 2000] [--out benchmarks/out/rerun] [--seed 7] [--skip-jobs1] [--repeat 1] [--pool specs|articles]

The corpus recombines paragraphs of seeds/ and sentences of tests/specs/*/<lang>.jsonl (one
language per article, 8-30 pieces; `--pool articles`: paragraphs of seeds/ and of the held-out
articles in tests/fixtures/unseen instead), with every written number in Western digits replaced at
random, and a manifest (publisher, date, language). It reports, each run in a fresh process:

- first run on 1 and on 2 processes (empty store): seconds, articles/s, MB/s;
- rerun with nothing changed, and with 1% of the articles changed (one number each), as
  `casualties run` does them (reports reused when nothing changed); `--repeat N` changes
  another 1% and reruns N times, and the ratio uses the fastest (the others show the noise);
- processor time of the run and its workers (user and system, from the start of `run`: on a
  shared machine it moves less than the wall time);
- peak resident memory of the run (parent) and of its largest child (ru_maxrss: a worker, or the
  process that makes figures.csv and the Figures sheet, which shares the parent's pages), and with
  psutil the peak of the run and its workers together (sampled every 20 ms from the benchmark's
  process; pages the workers share with the parent are counted in each, so this errs high).

At 100,000 articles: `--articles 100000 --skip-jobs1 --repeat 1` (a first run on 2 processes,
the two reruns; about 15 minutes here).
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIGITS = re.compile(r"\d+")
PUBLISHERS = ["Orient Net", "Enab Baladi", "Reuters", "AFP", "Al Jazeera", "", ""]
RUN = """
import json, resource, sys, time
from casualties.api import run

start = time.perf_counter()
cpu_before = resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime
result = run([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), corrections=False, reuse_reports=True)
seconds = time.perf_counter() - start
used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({
    "seconds": seconds, "cpu_seconds": sum(u.ru_utime + u.ru_stime for u in used) - cpu_before,
    "articles": result.extraction.articles, "extracted": result.extraction.extracted,
    "figures": len(result.extraction.figures), "changes": 0 if result.changes is None else len(result.changes),
    "parent_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""

def pieces(pool: str = "specs") -> dict[str, list[str]]:
    """Paragraphs and sentences by language. "specs": the seeds' paragraphs (Arabic) and every
    spec's texts, nearly all of them sentences with a figure (about 9 figures per KB); "articles":
    the paragraphs of the seeds and of the held-out articles, figures or none, as articles have
    them (about 4 per KB: these articles were chosen for their tolls)."""
    by_language: dict[str, list[str]] = {"ar": []}
    articles = sorted((ROOT / "seeds").glob("*.txt"))
    if pool == "articles":
        articles += sorted((ROOT / "tests" / "fixtures" / "unseen").glob("*.txt"))
    for path in articles:
        language = path.name[:2] if path.parent.name == "unseen" else "ar"
        by_language.setdefault(language, []).extend(
            line for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 30)
    if pool == "specs":
        for path in sorted((ROOT / "tests" / "specs").glob("*/*.jsonl")):
            texts = [json.loads(line).get("text") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            by_language.setdefault(path.stem, []).extend(t for t in texts if isinstance(t, str) and t.strip())
    return by_language


def build_corpus(folder: Path, n: int, seed: int = 7, pool: str = "specs") -> int:
    """n articles as .txt files (100 per sub-folder) and a manifest; returns the corpus size in bytes."""
    rng = random.Random(seed)
    pool = pieces(pool)
    languages = sorted(pool)
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        manifest = csv.writer(handle)
        manifest.writerow(["id", "publisher", "published", "language"])
        for i in range(n):
            language = languages[i % len(languages)]
            chosen = [rng.choice(pool[language]) for _ in range(rng.randint(8, 30))]
            text = "\n".join(DIGITS.sub(lambda m: str(rng.randint(2, 2000)), p) for p in chosen)
            doc_id = f"b{i:07d}"
            path = folder / f"{i // 100:05d}" / f"{doc_id}.txt"
            path.parent.mkdir(exist_ok=True)
            size += path.write_bytes(text.encode("utf-8"))
            published = f"20{rng.randint(14, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            manifest.writerow([doc_id, rng.choice(PUBLISHERS), published, language])
    return size


def change_some(folder: Path, share: float, seed: int = 11) -> int:
    """Change one number in `share` of the articles; returns how many changed."""
    rng = random.Random(seed)
    paths = sorted(folder.glob("*/*.txt"))
    changed = 0
    for path in rng.sample(paths, max(1, int(len(paths) * share))):
        text = path.read_text(encoding="utf-8")
        new = DIGITS.sub(lambda m: str(int(m.group()) + 1), text, count=1)
        if new == text:
            new = text + "\n" + "3"
        path.write_text(new, encoding="utf-8")
        changed += 1
    return changed


def timed_run(corpus: Path, out: Path, jobs: int) -> dict:
    """One run in a fresh process. Its memory with its workers' is sampled from here, not by a
    thread of its own: a run with a second thread makes its reports without forking (see
    casualties.writers.forked), and the sampling would count in its processor time."""
    process = subprocess.Popen([sys.executable, "-c", RUN, str(corpus), str(out), str(jobs)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = [None]
    sampler = threading.Thread(target=_sample_tree, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    if process.returncode:
        sys.exit(f"the run failed (exit {process.returncode}):\n{stderr}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["tree_mib"] = peak[0] / 2**20 if peak[0] is not None else None
    return result


def _sample_tree(process: subprocess.Popen, peak: list) -> None:
    """Resident memory of `process` and its workers together, every 20 ms, while it runs."""
    try:
        import psutil
    except ImportError:
        return
    try:
        run = psutil.Process(process.pid)
    except psutil.Error:
        return
    while process.poll() is None:
        total = 0
        try:
            members = [run, *run.children(recursive=True)]
        except psutil.Error:  # the run just ended
            break
        for member in members:
            try:
                total += member.memory_info().rss
            except psutil.Error:  # a worker that just ended
                pass
        peak[0] = max(peak[0] or 0, total)
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "rerun")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-jobs1", action="store_true", help="Skip the first run on one process.")
    parser.add_argument("--repeat", type=int, default=1, help="Reruns with 1%% changed, each on another 1%%.")
    parser.add_argument("--pool", choices=["specs", "articles"], default="specs",
                        help="What articles are made of: spec sentences (dense in figures) or article paragraphs.")
    args = parser.parse_args()

    if args.out.exists():
        shutil.rmtree(args.out)
    corpus = args.out / "corpus"
    start = time.perf_counter()
    size = build_corpus(corpus, args.articles, args.seed, args.pool)
    megabytes = size / 1e6
    print(f"corpus: {args.articles} articles, {megabytes:.1f} MB, built in {time.perf_counter() - start:.1f} s")

    rows = []

    def record(name: str, result: dict) -> None:
        rows.append((name, result))
        rate = result["articles"] / result["seconds"]
        print(f"{name:<28} {result['seconds']:8.2f} s  cpu {result['cpu_seconds']:7.2f} s  {rate:8.0f} articles/s  {megabytes / result['seconds']:6.2f} MB/s"
              f"  extracted {result['extracted']:>7}  figures {result['figures']:>8}  changes {result['changes']:>6}"
              f"  peak {result['parent_mib']:6.0f} MiB (worker {result['worker_mib']:4.0f} MiB"
              + (f", all at once {result['tree_mib']:5.0f} MiB)" if result.get("tree_mib") else ")"), flush=True)

    if not args.skip_jobs1:
        record("first run, jobs 1", timed_run(corpus, args.out / "reports1", 1))
    first = timed_run(corpus, args.out / "reports", 2)
    record("first run, jobs 2", first)
    same = timed_run(corpus, args.out / "reports", 2)
    record("rerun, nothing changed", same)
    reruns = []
    for repeat in range(max(args.repeat, 1)):
        changed = change_some(corpus, 0.01, seed=11 + repeat)
        reruns.append(timed_run(corpus, args.out / "reports", 2))
        record(f"rerun, {changed} changed (1%)", reruns[-1])
    one_percent = min(reruns, key=lambda result: result["seconds"])
    print(f"rerun / first run (jobs 2): nothing changed {same['seconds'] / first['seconds']:.1%},"
          f" 1% changed {one_percent['seconds'] / first['seconds']:.1%}")
    if rows[0][0] == "first run, jobs 1":
        jobs1 = rows[0][1]
        least_cpu = min(result["cpu_seconds"] for result in reruns)
        print(f"rerun / first run (jobs 1): nothing changed {same['seconds'] / jobs1['seconds']:.1%},"
              f" 1% changed {one_percent['seconds'] / jobs1['seconds']:.1%};"
              f" by processor time {same['cpu_seconds'] / jobs1['cpu_seconds']:.1%} and {least_cpu / jobs1['cpu_seconds']:.1%}")


if __name__ == "__main__":
    main()
