"""Per-batch scores of the held-out articles + seeds + traps.
Usage: .venv/bin/python scripts/score_batches.py [--detail all|N|seeds|extra] [--extra DIR]
(TREE=/other/tree PYTHONPATH=/other/tree to score another checkout, e.g. a clean `git archive`)
--extra DIR: another folder with manifest.csv, gold.jsonl, traps.jsonl (e.g. a new held-out batch)."""
import argparse, csv, json, os, re, sys
from pathlib import Path

tree = Path(os.environ.get("TREE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(tree))
import casualties
assert Path(casualties.__file__).resolve().is_relative_to(tree.resolve()), casualties.__file__
from casualties.api import extract_articles
from casualties.evaluate import evaluate, read_gold, report_lines, FIELDS

ap = argparse.ArgumentParser()
ap.add_argument("--detail", default=None)
ap.add_argument("--extra", default=None)
args = ap.parse_args()

def load(folder):
    folder = Path(folder)
    res = extract_articles([folder])
    from casualties.corpus import collect_articles
    arts, probs = collect_articles([folder])
    texts = {a.doc_id: a.text for a in arts}
    gold = read_gold(folder / "gold.jsonl") if (folder / "gold.jsonl").exists() else []
    traps = [json.loads(l) for l in open(folder / "traps.jsonl", encoding="utf-8") if l.strip()] if (folder / "traps.jsonl").exists() else []
    batches = {}
    if (folder / "manifest.csv").exists():
        for row in csv.DictReader(open(folder / "manifest.csv", encoding="utf-8")):
            m = re.search(r"batch (\d+)", row.get("note", ""))
            batches[row["id"]] = int(m.group(1)) if m else 1
    return res.figures, texts, gold, traps, batches

def trapped(figs, texts, traps):
    out = []
    for t in traps:
        text = texts[t["doc"]]; s = text.find(t["quote"]); e = s + len(t["quote"])
        hit = [(f.number_text, f.rule) for f in figs if f.doc_id == t["doc"] and s <= f.start < e]
        if hit: out.append((t["doc"], t["quote"], hit))
    return out

def line(name, r, ntraps, nt):
    acc = " ".join(f"{k[:5]} {r.accuracy(k):.3f}" for k in FIELDS if r.accuracy(k) is not None)
    print(f"{name:<10} P {r.precision:.3f} R {r.recall:.3f} ({r.true_positives}/{r.required}) {acc} traps {ntraps}/{nt}")

sets = [("unseen", tree / "tests/fixtures/unseen"), ("seeds", None)]
figs, texts, gold, traps, batches = load(tree / "tests/fixtures/unseen")
scopes = {}
for b in sorted(set(batches.values())):
    scopes[f"b{b}"] = {d for d, x in batches.items() if x == b}
top = max(batches.values())
scopes["all"] = set(texts)
scopes[f"b1-{top-1}"] = {d for d, x in batches.items() if x < top}
for name, docs in scopes.items():
    r = evaluate([g for g in gold if g["doc"] in docs], [f for f in figs if f.doc_id in docs], texts)
    tt = [t for t in traps if t["doc"] in docs]
    line(name, r, len(trapped(figs, texts, tt)), len(tt))
    if args.detail and (args.detail == name or args.detail == name.lstrip("b")):
        print("\n".join(report_lines(r)))
        for d, q, h in trapped(figs, texts, tt): print("TRAP", d, q, h)
# seeds
from casualties.corpus import collect_articles
res = extract_articles([tree / "seeds"])
arts, _ = collect_articles([tree / "seeds"]); stexts = {a.doc_id: a.text for a in arts}
sg = read_gold(tree / "tests/gold/seeds.jsonl")
st = [json.loads(l) for l in open(tree / "tests/gold/seeds_traps.jsonl", encoding="utf-8") if l.strip()]
r = evaluate(sg, res.figures, stexts)
line("seeds", r, len(trapped(res.figures, stexts, st)), len(st))
if args.detail == "seeds":
    print("\n".join(report_lines(r)))
if args.extra:
    f2, t2, g2, tr2, _ = load(args.extra)
    r = evaluate(g2, f2, t2)
    line("extra", r, len(trapped(f2, t2, tr2)), len(tr2))
    if args.detail == "extra":
        print("\n".join(report_lines(r)))
        for d, q, h in trapped(f2, t2, tr2): print("TRAP", d, q, h)
