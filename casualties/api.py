"""The library researchers import. This module alone knows the order of the stages:

load articles -> normalise -> find quantities -> match figure rules -> attribute claimant and
period -> figure table -> reconcile -> write workbook, CSV and summary.

Example:
    >>> from casualties import extract_text
    >>> [(f.low, f.population, f.outcome) for f in extract_text("قتل 12 مدنياً في قصف على إدلب", lang="ar")]
    [(12, 'civilians', 'killed')]
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from .attribution import attribute, is_denial
from .corpus import detect_language, load_articles
from .figures import FigureMatch, match_figures
from .gazetteer import Gazetteers, load_gazetteers
from .langpack import LanguagePack, available_languages, load_pack
from .model import Article, Figure
from .numbers import find_quantities
from .periods import resolve_periods
from .table import figures_frame

QUOTE_MAX = 240
CLAUSE_MARKS = ",;:"


@dataclass
class Extraction:
    """Figures of a batch of articles and the problems met on the way (file, line, message)."""

    figures: list[Figure] = field(default_factory=list)
    problems: list = field(default_factory=list)
    articles: int = 0

    def frame(self):
        return figures_frame(self.figures)


@functools.lru_cache(maxsize=1)
def _gazetteers() -> Gazetteers:
    return load_gazetteers()


def _pack_for(article: Article) -> LanguagePack:
    code = article.language or detect_language(article.text)
    if code not in available_languages():
        code = "ar" if code.startswith("ar") else "en"
    return load_pack(code)


def figure_id(doc_id: str, quote: str, number: str, outcome, population, actor, occurrence: int) -> str:
    """Stable id: the same figure in the same text keeps it across runs and unrelated rule changes."""
    key = "\x1f".join(str(x or "") for x in (doc_id, quote, number, outcome, population, actor, occurrence))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _quote_span(canonical: str, fm: FigureMatch) -> tuple[int, int]:
    """The sentence, or for a long sentence the clauses around the figure."""
    start, end = fm.sentence
    if end - start <= QUOTE_MAX:
        return start, end
    q = fm.quantity
    anchor_end = max(q.end, fm.noun_span[1] if fm.noun_span else q.end)
    left = max((canonical.rfind(mark, start, q.start) for mark in CLAUSE_MARKS), default=-1)
    left = start if left < start else left + 1
    right = min((i for i in (canonical.find(mark, anchor_end, end) for mark in CLAUSE_MARKS) if i >= 0), default=end)
    if right - left < 40:
        more = min((i for i in (canonical.find(mark, right + 1, end) for mark in CLAUSE_MARKS) if i >= 0), default=end)
        right = more
    while left < right and canonical[left] == " ":
        left += 1
    return left, right


def extract_figures(article: Article, *, include_latent: bool = False, gazetteers: Gazetteers | None = None) -> list[Figure]:
    """Every casualty and fighter figure of one article, with its evidence.

    >>> from casualties.model import Article
    >>> figs = extract_figures(Article("a1", "وثق المرصد السوري مقتل 5 مدنيين بينهم طفلان", language="ar"))
    >>> [(f.number_text, f.claimed_by, f.subgroup) for f in figs]
    [('5', 'sohr', None), ('طفلان', 'sohr', 'children')]
    """
    pack = _pack_for(article)
    gz = gazetteers or _gazetteers()
    norm = pack.normalise(article.text)
    canonical = norm.canonical
    quantities = find_quantities(canonical, pack)
    actors = gz.resolve_actor_mentions(canonical, pack)
    all_matches = match_figures(canonical, pack, quantities, actors)
    kept = [i for i, m in enumerate(all_matches) if include_latent or not m.latent]
    if not kept:
        return []
    position = {old: new for new, old in enumerate(kept)}
    matches = [replace(all_matches[i], parent=position.get(all_matches[i].parent)) for i in kept]
    publisher_id = gz.source_id_for_publisher(article.publisher) if article.publisher else None
    spans = [(m.quantity.start, m.quantity.end) for m in matches]
    claims = attribute(canonical, pack, gz, spans, publisher_id)
    periods = resolve_periods(canonical, pack, article.published, spans)

    figures: list[Figure] = []
    occurrences: dict[tuple, int] = {}
    for fm, claim, period in zip(matches, claims, periods):
        q = fm.quantity
        start, end = norm.to_original(q.start, q.end)
        quote_start, quote_end = norm.to_original(*_quote_span(canonical, fm))
        sentence_key = canonical[fm.sentence[0]:fm.sentence[1]]
        key = (sentence_key, q.text, fm.outcome, fm.population, fm.actor)
        occurrences[key] = occurrences.get(key, 0) + 1
        fid = figure_id(article.doc_id, sentence_key, q.text, fm.outcome, fm.population, fm.actor, occurrences[key])
        parent = figures[fm.parent].figure_id if fm.parent is not None and fm.parent < len(figures) else None
        if parent is not None:
            parent_figure = figures[fm.parent]
            period_start = period.start or parent_figure.period_start
            period_end = period.end or parent_figure.period_end
        else:
            period_start, period_end = period.start, period.end
        figures.append(Figure(
            figure_id=fid, doc_id=article.doc_id, publisher=article.publisher, published=article.published,
            language=pack.code, claimed_by=claim.claimed_by, claimed_by_text=claim.text,
            attribution=claim.attribution, population=fm.population, actor=fm.actor, subgroup=fm.subgroup,
            subset_of=parent, outcome=fm.outcome or "", unit=fm.unit, low=q.low, high=q.high,
            qualifier=q.qualifier, period_start=period_start, period_end=period_end,
            number_text=article.text[start:end], start=start, end=end,
            quote=article.text[quote_start:quote_end], rule=fm.rule,
            stance="denied" if is_denial(claim) else "asserted", latent=fm.latent,
            quote_start=quote_start, quote_end=quote_end,
        ))
    return figures


def extract_text(text: str, *, lang: str | None = None, published: date | None = None,
                 publisher: str | None = None, doc_id: str = "text", include_latent: bool = False) -> list[Figure]:
    """Figures of one text given as a string."""
    article = Article(doc_id, text, publisher=publisher, published=published, language=lang)
    return extract_figures(article, include_latent=include_latent)


def extract_articles(inputs, *, include_latent: bool = False, on_problem=None) -> Extraction:
    """Figures of every article under `inputs` (folders, .txt, .jsonl, .csv). A broken article is
    recorded in `problems` (file, line, message) and skipped; the rest go on."""
    result = Extraction()
    gz = _gazetteers()

    def report(problem):
        result.problems.append(problem)
        if on_problem:
            on_problem(problem)

    for article in load_articles([Path(p) for p in inputs], on_error=report):
        result.articles += 1
        try:
            result.figures.extend(extract_figures(article, include_latent=include_latent, gazetteers=gz))
        except Exception as error:  # one article must never cost the batch: report and go on
            report(_problem(article, f"extraction failed: {error}"))
    return result


def _problem(article: Article, message: str):
    from .corpus import Problem

    return Problem(article.path or article.doc_id, article.line, message)


def rules_version() -> str:
    """Hash of every language and gazetteer file plus the package version: what a rerun depends on."""
    from . import __version__
    from .langpack import LANG_DIR

    digest = hashlib.sha1(__version__.encode())
    for path in sorted(LANG_DIR.rglob("*.yaml")):
        digest.update(str(path.relative_to(LANG_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def reconcile(figures):
    """Group figures that count the same thing and measure the spread between claimants.
    Accepts a list of Figure or the figure table DataFrame."""
    from .reconcile import reconcile as reconcile_frame

    frame = figures if hasattr(figures, "columns") else figures_frame(figures)
    return reconcile_frame(frame)


@dataclass
class RunResult:
    extraction: Extraction
    comparison: object
    outputs: dict


def sources_table(gazetteers: Gazetteers | None = None) -> dict:
    """Claimant id -> {"kind", "name"} for the workbook's Sources sheet."""
    gz = gazetteers or _gazetteers()
    table = {}
    for source_id, entry in gz.sources.items():
        names = entry.get("names") or {}
        table[source_id] = {"kind": entry.get("kind", ""), "name": names.get("en") or next(iter(names.values()), source_id)}
    return table


def write_reports(extraction: Extraction, out_dir, *, inputs=(), comparison=None) -> dict:
    """Write figures.csv, comparison.xlsx and comparison.csv (each atomically) into out_dir."""
    from datetime import datetime, timezone

    from . import __version__
    from .writers.csvfile import write_csv
    from .writers.workbook import write_workbook

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = extraction.frame()
    comparison = comparison if comparison is not None else reconcile(frame)
    paths = {"figures": out / "figures.csv", "workbook": out / "comparison.xlsx", "comparison": out / "comparison.csv"}
    write_csv(frame, paths["figures"])
    write_csv(comparison.groups, paths["comparison"])
    about = {
        "run": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "inputs": ", ".join(str(p) for p in inputs),
        "articles": extraction.articles,
        "figures": len(extraction.figures),
        "problems": len(extraction.problems),
        "tool version": __version__,
        "rules version": rules_version(),
    }
    write_workbook(paths["workbook"], frame, comparison, about, sources_table())
    return paths


def run(inputs=("seeds",), out_dir="reports", *, on_problem=None) -> RunResult:
    """The main job: extract every figure, reconcile, write the reports."""
    extraction = extract_articles(inputs, on_problem=on_problem)
    comparison = reconcile(extraction.figures)
    outputs = write_reports(extraction, out_dir, inputs=inputs, comparison=comparison)
    return RunResult(extraction, comparison, outputs)


def evaluate_gold(gold_path, inputs):
    """Score extraction of `inputs` against a gold JSONL file (see casualties.evaluate)."""
    from .evaluate import evaluate, read_gold

    gold = read_gold(gold_path)
    extraction = extract_articles(inputs, include_latent=False)
    texts = {}
    for article in load_articles([Path(p) for p in inputs], on_error=lambda problem: None):
        texts[article.doc_id] = article.text
    return evaluate(gold, extraction.figures, texts), extraction
