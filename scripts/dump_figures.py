"""Identity dump for A/B: every figure (latent included) of spec sentences, rule examples, fixtures, seeds.
Usage: PYTHONHASHSEED=0 .venv/bin/python scripts/dump_figures.py OUT.txt  (TREE=/other/tree PYTHONPATH=$TREE for another checkout, REF=the checkout whose texts are read)"""
import json, os, sys
from datetime import date
from pathlib import Path
import yaml
tree = Path(os.environ.get("TREE", Path(__file__).resolve().parent.parent)); sys.path.insert(0, str(tree))
import casualties
assert Path(casualties.__file__).resolve().is_relative_to(tree.resolve())
from casualties.api import extract_text, extract_figures
from casualties.corpus import collect_articles
REF = Path(os.environ.get("REF", Path(__file__).resolve().parent.parent))  # texts come from main's files so both trees read the same inputs
texts = []
for p in sorted((REF / "tests/specs").rglob("*.jsonl")):
    lang = "en" if "en" in p.name.split(".")[0] else ("ar" if "ar" in p.name.split(".")[0] else None)
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.strip(): continue
        row = json.loads(line)
        t = row.get("text") or row.get("sentence")
        if isinstance(t, str):
            texts.append((row.get("lang") or lang, t, row.get("published")))
def walk(node, lang):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("examples", "counterexamples") and isinstance(v, list):
                for item in v:
                    if isinstance(item, str): texts.append((lang, item, None))
                    elif isinstance(item, dict) and isinstance(item.get("text"), str): texts.append((lang, item["text"], item.get("published")))
                    elif isinstance(item, list) and item and isinstance(item[0], str): texts.append((lang, item[0], None))
            else: walk(v, lang)
    elif isinstance(node, list):
        for v in node: walk(v, lang)
for lang in ("ar", "en"):
    for p in sorted((REF / "casualties/lang" / lang).glob("*.yaml")):
        walk(yaml.safe_load(p.read_text(encoding="utf-8")), lang)
out = open(sys.argv[1], "w", encoding="utf-8")
def dump(tag, figs):
    for f in figs:
        out.write(f"{tag}\t{f.number_text}\t{f.start}\t{f.low}\t{f.high}\t{f.qualifier}\t{f.population}\t{f.actor}\t{f.subgroup}\t{f.outcome}\t{f.unit}\t{f.claimed_by}\t{f.claimed_by_text}\t{f.period_start}\t{f.period_end}\t{f.subset_of}\t{f.rule}\t{getattr(f,'latent','')}\n")
seen = set()
for i, (lang, t, pub) in enumerate(texts):
    if (lang, t, pub) in seen: continue
    seen.add((lang, t, pub))
    try:
        d = date.fromisoformat(pub) if pub else date(2020, 1, 15)
        figs = extract_text(t, lang=lang, published=d, include_latent=True)
    except Exception as e:
        out.write(f"ERR {t[:60]} {e}\n"); continue
    dump(f"T{hash(t) & 0xffffffff:08x}", figs)
for folder in ("tests/fixtures/unseen", "tests/fixtures/english_articles", "seeds"):
    arts, _ = collect_articles([REF / folder])
    for a in arts:
        dump(a.doc_id, extract_figures(a, include_latent=True))
print(len(seen), "texts", file=sys.stderr)
