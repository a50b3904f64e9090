"""English against Arabic extraction speed, and against quantulum3, side by side in one run.

    .venv/bin/pip install -e '.[bench]'             # quantulum3, for the comparison only
    .venv/bin/python benchmarks/english.py          # 1 MB of each language
    .venv/bin/python benchmarks/english.py --mb 0.3 --no-quantulum

Builds an English corpus (paragraphs of tests/fixtures/english_articles/ and the sentences of
tests/specs/*/en.jsonl) and an Arabic corpus of the same UTF-8 size (paragraphs of seeds/ and
the sentences of tests/specs/*/ar.jsonl), each article 8-30 pieces drawn at random by one
recipe (about half its characters from article paragraphs, half from spec sentences), then
times on one core, article by article:

- casualties full extraction (api.extract_text) on English and on Arabic;
- casualties number reading alone (numbers.read_quantities) on English and on Arabic;
- quantulum3 `parser.parse` on the same English articles, with its shipped classifier and
  without it when the classifier can be loaded.

Rates are by CPU time (time.process_time); wall time is shown beside it. UTF-8 bytes flatter
Arabic (most letters take two bytes), so the English/Arabic ratio is also given per character
and per word.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casualties import api
from casualties.langpack import load_pack
from casualties.numbers import read_quantities

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_FOLDERS = {"en": ROOT / "tests" / "fixtures" / "english_articles", "ar": ROOT / "seeds"}
SPECS = ROOT / "tests" / "specs"
PUBLISHED = date(2018, 5, 21)
PROSE_SHARE = 0.5  # share of characters from article paragraphs, the rest spec sentences, in both languages
PIECES_PER_ARTICLE = (8, 30)
WARM_UP_ARTICLES = 5


def pieces(lang: str) -> tuple[list[str], list[str]]:
    """(article paragraphs, spec sentences) of one language, each text once, in file order."""
    prose: list[str] = []
    for path in sorted(ARTICLE_FOLDERS[lang].glob("*.txt")):
        prose += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 30]
    sentences: list[str] = []
    for path in sorted(SPECS.glob(f"*/{lang}.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str) and text.strip():
                sentences.append(text.strip())
    return list(dict.fromkeys(prose)), list(dict.fromkeys(sentences))


def build_corpus(lang: str, megabytes: float, seed: int = 7) -> list[str]:
    """Articles of `lang` recombined from its paragraphs and spec sentences, at least `megabytes` MB."""
    prose, sentences = pieces(lang)
    if not prose or not sentences:
        raise SystemExit(f"no {lang} texts to build a corpus from ({ARTICLE_FOLDERS[lang]}, {SPECS}/*/{lang}.jsonl)")
    rng = random.Random(f"{seed}-{lang}")
    target, articles, size = int(megabytes * 1_000_000), [], 0
    while size < target:
        chosen, prose_chars, chars = [], 0, 0
        for _ in range(rng.randint(*PIECES_PER_ARTICLE)):
            from_prose = prose_chars <= PROSE_SHARE * chars  # so the lead is a paragraph
            piece = rng.choice(prose if from_prose else sentences)
            chosen.append(piece)
            prose_chars += len(piece) if from_prose else 0
            chars += len(piece)
        article = "\n\n".join(chosen)
        articles.append(article)
        size += len(article.encode("utf-8"))
    return articles


@dataclass
class Corpus:
    lang: str
    texts: list[str]

    @property
    def megabytes(self) -> float:
        return sum(len(t.encode("utf-8")) for t in self.texts) / 1e6

    @property
    def chars(self) -> int:
        return sum(len(t) for t in self.texts)

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.texts)


@dataclass
class Timing:
    label: str
    corpus: Corpus
    cpu: float
    wall: float
    results: int

    def rate(self, unit: str = "MB") -> float:
        amount = {"MB": self.corpus.megabytes, "chars": self.corpus.chars, "words": self.corpus.words}[unit]
        return amount / self.cpu if self.cpu else float("inf")


def measure(label: str, corpus: Corpus, run: Callable[[str], list], repeat: int) -> Timing:
    """Best (least CPU) of `repeat` passes over the corpus, one article per call."""
    for text in corpus.texts[:WARM_UP_ARTICLES]:
        run(text)
    best = None
    for _ in range(repeat):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        results = sum(len(run(text)) for text in corpus.texts)
        timing = Timing(label, corpus, time.process_time() - cpu, time.perf_counter() - wall, results)
        if best is None or timing.cpu < best.cpu:
            best = timing
    print(row(best), flush=True)
    return best


def row(t: Timing) -> str:
    c = t.corpus
    return (f"{t.label:<38} {c.lang:>4} {c.megabytes:6.2f} {t.cpu:8.2f} {t.wall:8.2f} {t.rate():8.3f}"
            f" {t.rate('chars') / 1e3:9.1f} {t.rate('words') / 1e3:8.1f} {t.results:8d}")


HEADER = (f"{'measurement':<38} {'text':>4} {'MB':>6} {'CPU s':>8} {'wall s':>8} {'MB/s':>8}"
          f" {'kchars/s':>9} {'kwords/s':>8} {'results':>8}")


def pin_to_one_core() -> str:
    """Keep this process, and any BLAS threads it starts, on one core."""
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here); casualties runs on one thread"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def quantulum_parsers(notes: list[str]) -> dict[str, Callable[[str], list]]:
    """quantulum3's parse by mode ('classifier', 'no classifier'); empty when it is not installed."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from quantulum3 import classifier, parser
    except ImportError as error:
        notes.append(f"quantulum3 skipped: {error} (install with: pip install -e '.[bench]')")
        return {}
    from importlib.metadata import version

    notes.append(f"quantulum3 {version('quantulum3')}")
    notes += [f"quantulum3 import warning: {w.message}" for w in caught]

    def parse_with(use_classifier: bool) -> Callable[[str], list]:
        def parse(text: str) -> list:
            classifier.USE_CLF = use_classifier  # read by quantulum3 at each disambiguation
            return parser.parse(text)
        return parse

    modes = {"no classifier": parse_with(False)}
    if classifier.USE_CLF:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                loaded = classifier.classifier().loaded  # the model shipped in the package, no download
            notes += sorted({f"quantulum3 classifier warning: {str(w.message).splitlines()[0]}" for w in caught})
            if loaded:
                notes.append(f"quantulum3 classifier: shipped model, scikit-learn {version('scikit-learn')}")
                modes["classifier"] = parse_with(True)
            else:
                notes.append("quantulum3 classifier: model file not found; timed without it")
        except Exception as error:  # a model pickled by another scikit-learn fails in many ways
            notes.append(f"quantulum3 classifier could not be loaded ({type(error).__name__}: {error}); timed without it")
    else:
        notes.append("quantulum3 classifier dependencies not installed; timed without it")
    return modes


def engine_revision() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "casualties")
    return f"{commit}{' + uncommitted changes in casualties/' if dirty else ''}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "n/a"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="size of each language's corpus (MB of UTF-8)")
    parser.add_argument("--repeat", type=int, default=1, help="passes per measurement; the least CPU time is kept")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-quantulum", action="store_true", help="skip quantulum3")
    args = parser.parse_args(argv)

    pinned = pin_to_one_core()
    notes: list[str] = []
    parsers = {} if args.no_quantulum else quantulum_parsers(notes)
    english = Corpus("en", build_corpus("en", args.mb, args.seed))
    arabic = Corpus("ar", build_corpus("ar", args.mb, args.seed))
    print(f"engine {engine_revision()}, Python {sys.version.split()[0]}, {pinned}")
    for note in notes:
        print(note)
    for c in (english, arabic):
        print(f"corpus {c.lang}: {len(c.texts)} articles, {c.megabytes:.2f} MB, {c.chars} chars, {c.words} words")
    print()
    print(HEADER)

    packs = {code: load_pack(code) for code in ("en", "ar")}

    def extraction(lang: str):
        return lambda text: api.extract_text(text, lang=lang, published=PUBLISHED)

    def reading(lang: str):
        return lambda text: read_quantities(text, packs[lang])

    full_en = measure("casualties extract_text", english, extraction("en"), args.repeat)
    full_ar = measure("casualties extract_text", arabic, extraction("ar"), args.repeat)
    read_en = measure("casualties read_quantities", english, reading("en"), args.repeat)
    measure("casualties read_quantities", arabic, reading("ar"), args.repeat)
    quantulum = [measure(f"quantulum3 parse ({mode})", english, parse, args.repeat)
                 for mode, parse in sorted(parsers.items())]

    for c, t in ((english, full_en), (arabic, full_ar)):
        print(f"figures per 1000 words, {c.lang}: {1000 * t.results / c.words:.1f}")
    print()
    print("English / Arabic, full extraction:"
          f" {ratio(full_en.rate(), full_ar.rate())} by MB/s,"
          f" {ratio(full_en.rate('chars'), full_ar.rate('chars'))} by chars/s,"
          f" {ratio(full_en.rate('words'), full_ar.rate('words'))} by words/s")
    if quantulum:
        fastest = min(quantulum, key=lambda t: t.cpu)
        print(f"casualties / quantulum3 on the same English text (fastest quantulum3 mode, {fastest.label}):"
              f" full extraction {ratio(full_en.rate(), fastest.rate())} by CPU,"
              f" {ratio(fastest.wall, full_en.wall)} by wall;"
              f" read_quantities {ratio(read_en.rate(), fastest.rate())} by CPU")
        verdicts = [("English >= Arabic (MB/s)", full_en.rate() >= full_ar.rate()),
                    ("full extraction >= 10x quantulum3", full_en.rate() >= 10 * fastest.rate())]
    else:
        verdicts = [("English >= Arabic (MB/s)", full_en.rate() >= full_ar.rate())]
    print("; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in verdicts))


if __name__ == "__main__":
    main()
