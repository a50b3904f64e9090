"""The library researchers import. This module alone knows the order of the stages:

load articles -> normalise -> find quantities -> match figure rules -> attribute claimant and
period -> figure table -> reconcile -> write workbook, CSV and summary.

Example:
    >>> from casualties import extract_text
    >>> [(f.low, f.population, f.outcome) for f in extract_text("قتل 12 مدنياً في قصف على إدلب", lang="ar")]
    [(12, 'civilians', 'killed')]
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import itertools
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .attribution import attribute, is_denial
from .corpus import detect_language, load_articles
from .engines import check_engine, run_tasks
from .errors import ArticleError, Problem
from .figures import FigureMatch, StorySides, match_figures
from .gazetteer import Gazetteers, load_gazetteers
from .langpack import LanguagePack, available_languages, load_pack
from .model import Article, Figure
from .numbers import find_quantities
from .periods import resolve_periods
from .table import figures_frame

QUOTE_MAX = 240
# Counts of a state (a force present, people displaced) are no event of the days the story
# tells: they take a period from their own sentence only, never carried from an earlier one;
# nor does a count of none ("no civilians were killed", "لم يقتل أي مدني"), an absence denied.
# People displaced told as a flight ("had fled") do carry (periods.resolve_periods, `displaced`).
STATE_OUTCOMES = ("present", "displaced")
# The strength of a force present is dated only by a named past time of its own sentence.
STRENGTH_OUTCOMES = ("present",)
CLAUSE_MARKS = ",;:"
DB_NAME = "casualties.sqlite"
CORRECTIONS_NAME = "corrections.csv"
ERRORS_NAME = "errors.csv"
TASK_ARTICLES = 32  # articles per task sent to a worker process
WRITE_ARTICLES = 64  # articles per store transaction
# figures.csv is written beside the comparison up to this many figures (a rerun waits less);
# past it, before (the two at once add half a gigabyte to the peak at two million figures).
FIGURES_CSV_MEANWHILE_ROWS = 500_000
LOOKUP_ARTICLES = 256  # articles checked against the store at once


@dataclass
class Extraction:
    """Figures of a batch of articles and the problems met on the way (file, line, message).

    With a store, `new`, `changed` and `unchanged` count the input articles by what the store
    held (`changed`: other text or metadata, or extracted by other rules), and `extracted` is
    how many were extracted this time, and `figures` is the store's read-only sequence of them
    (store.FigureTable: the table at hand, Figure objects made when first asked for).
    `corrected` maps a figure_id to the fields corrected by hand; it is None when no
    corrections file was read.
    """

    figures: list[Figure] = field(default_factory=list)
    problems: list = field(default_factory=list)
    articles: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    extracted: int = 0
    corrected: dict | None = None
    corrections_applied: int = 0
    corrections_not_applied: list = field(default_factory=list)
    locations: dict = field(default_factory=dict)  # doc_id -> the article's URL, else its file

    def frame(self, *, compact: bool = False):
        """The figure table; with `compact`, repeated texts may be categoricals (table.compact_text)."""
        # Figures read from the store (store.FigureTable) are a table already.
        frame = self.figures.table(compact=compact) if hasattr(self.figures, "table") else figures_frame(self.figures)
        if self.corrected is not None:
            frame["corrected"] = [";".join(self.corrected.get(i, ())) for i in frame["figure_id"]]
        return frame


_GAZETTEERS: list[Gazetteers] = []  # loaded once per process, or read with the compiled packs (_compiled_packs)


def _gazetteers() -> Gazetteers:
    if not _GAZETTEERS:
        _GAZETTEERS.append(load_gazetteers())
    return _GAZETTEERS[0]


def _language_of(article: Article) -> str | None:
    """The pack code for `article`: its stated language, else the one its script marks (None when
    its letters belong to no pack's script)."""
    code = article.language or detect_language(article.text)
    if code is None or code in available_languages():
        return code
    return "ar" if code.startswith("ar") else "en"


def _pack_for(article: Article) -> LanguagePack:
    code = _language_of(article)
    if code is None:
        raise ArticleError(article.path or article.doc_id,
                           f"language not detected: no letters of the {', '.join(available_languages())} packs' scripts",
                           article.line)
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


def _as_written(norm, claim) -> str:
    """The words naming the claimant as the article writes them (the claim holds them canonical)."""
    return norm.original_slice(claim.start, claim.end) if claim.text and claim.start >= 0 else claim.text


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
    if not quantities:
        return []  # no amount, no figure: the actors are not looked for
    actors = gz.resolve_actor_mentions(canonical, pack, article.published)
    sides = StorySides(gz.actor_kinds(), lambda: gz.country_mentions(canonical, pack))
    all_matches = match_figures(canonical, pack, quantities, actors, sides)
    kept = [i for i, m in enumerate(all_matches) if include_latent or not m.latent]
    if not kept:
        return []
    if len(kept) == len(all_matches):
        matches = all_matches  # nothing left out: every parent keeps its index
        parents = [m.parent for m in matches]
    else:
        # each kept match's parent, renumbered among the kept (beside the matches: a copy of
        # each match with its parent moved cost more than the rest of a figure's bookkeeping)
        position = {old: new for new, old in enumerate(kept)}
        matches = [all_matches[i] for i in kept]
        parents = [position.get(m.parent) for m in matches]
    publisher_id = gz.source_id_for_publisher(article.publisher) if article.publisher else None
    spans = [(m.quantity.start, m.quantity.end) for m in matches]
    claims = attribute(canonical, pack, gz, spans, publisher_id, norm.original_slice, day=article.published)
    periods = resolve_periods(canonical, pack, article.published, spans,
                              [m.outcome not in STATE_OUTCOMES and m.quantity.high != 0 for m in matches],
                              [m.outcome in STRENGTH_OUTCOMES for m in matches],
                              [m.outcome == "displaced" and m.quantity.high != 0 for m in matches],
                              # a part of a whole of the same outcome is of the whole's days
                              [p if p is not None and matches[p].outcome == m.outcome else None for m, p in zip(matches, parents)])

    figures: list[Figure] = []
    occurrences: dict[tuple, int] = {}
    for fm, parent_index, claim, period in zip(matches, parents, claims, periods):
        q = fm.quantity
        start, end = norm.to_original(q.start, q.end)
        quote_start, quote_end = norm.to_original(*_quote_span(canonical, fm))
        sentence_key = canonical[fm.sentence[0]:fm.sentence[1]]
        key = (sentence_key, q.text, fm.outcome, fm.population, fm.actor)
        occurrences[key] = occurrences.get(key, 0) + 1
        fid = figure_id(article.doc_id, sentence_key, q.text, fm.outcome, fm.population, fm.actor, occurrences[key])
        parent = figures[parent_index].figure_id if parent_index is not None and parent_index < len(figures) else None
        if parent is not None:
            parent_figure = figures[parent_index]
            period_start = period.start or parent_figure.period_start
            period_end = period.end or parent_figure.period_end
        else:
            period_start, period_end = period.start, period.end
        figures.append(Figure(
            figure_id=fid, doc_id=article.doc_id, publisher=article.publisher, published=article.published,
            language=pack.code, claimed_by=claim.claimed_by, claimed_by_text=_as_written(norm, claim),
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


def extract_articles(inputs, *, include_latent: bool = False, on_problem=None, jobs: int | None = 1,
                     progress: Callable[[int], None] | None = None, engine: str = "local",
                     scheduler: str | None = None) -> Extraction:
    """Figures of every article under `inputs` (folders, .txt, .jsonl, .csv). A broken article is
    recorded in `problems` (file, line, message) and skipped; the rest go on. `jobs` > 1
    extracts in that many processes (None: all cores); `progress(n)` is told of every n articles
    done. `engine="dask"` extracts on the Dask cluster at `scheduler`, or without one on a local
    cluster of `jobs` workers (see casualties.engines)."""
    check_engine(engine, scheduler)
    jobs = jobs or os.cpu_count() or 1
    result = Extraction()
    report = _reporter(result, on_problem)

    def counted(articles):
        for article in articles:
            result.articles += 1
            result.locations[article.doc_id] = article.url or article.path
            yield article

    articles = counted(load_articles([Path(p) for p in inputs], on_error=report))
    for article, figures, error in _extracted(articles, jobs=jobs, include_latent=include_latent, engine=engine,
                                              scheduler=scheduler):
        if error:
            report(_problem(article, error))
        result.figures.extend(figures or ())
        result.extracted += 1
        if progress:
            progress(1)
    return result


def estimate_articles(inputs) -> int:
    """About how many articles `inputs` hold, cheaply, for a progress bar's ETA (see
    corpus.estimate_articles)."""
    from .corpus import estimate_articles as estimate

    return estimate(inputs)


def _reporter(result: Extraction, on_problem):
    def report(problem):
        result.problems.append(problem)
        if on_problem:
            on_problem(problem)
    return report


def _extract_task(articles: list[Article], include_latent: bool) -> list[tuple[list[Figure] | None, str | None]]:
    """(figures, error) of each article; runs in a worker process, so it is a module function."""
    gz = _gazetteers()
    results = []
    for article in articles:
        try:
            results.append((extract_figures(article, include_latent=include_latent, gazetteers=gz), None))
        except ArticleError as error:
            results.append((None, error.problem))
        except Exception as error:  # one article must never cost the batch: report and go on
            results.append((None, f"extraction failed: {type(error).__name__}: {error}"))
    return results


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _extracted(articles: Iterable[Article], *, jobs: int, include_latent: bool, engine: str = "local",
               scheduler: str | None = None, started: Callable[[], None] | None = None) -> Iterator[tuple]:
    """(article, figures or None, error or None) for each article, in input order: tasks of
    TASK_ARTICLES articles run on `engine` (casualties.engines), a few tasks at a time.
    `started()` is called once extraction processes are running here (engines.run_tasks)."""
    return run_tasks(_chunks(articles, TASK_ARTICLES), _extract_task, (include_latent,), engine=engine, jobs=jobs,
                     scheduler=scheduler, warm=_warm_caches, worker_check=_worker_rules, started=started)


def _warm_caches(tasks: list[list[Article]] = ()) -> None:
    """Load the gazetteers and compile the language packs of the articles of `tasks` (every
    pack when none is given): workers forked after this inherit them. A pack met only later is
    compiled by each worker that meets it."""
    _gazetteers()
    codes = {_language_of(article) for task in tasks for article in task} - {None} or set(available_languages())
    for code in sorted(codes):
        extract_figures(Article("warm", "1", language=code))


COMPILED_PACKS_SUFFIX = "-packs.pickle"  # beside the store: every language pack, compiled


def _compiled_packs(cache: Path | None) -> None:
    """Every language pack compiled whole in this process: read from `cache` when it holds
    them compiled by these rules and this code (langpack.read_compiled_packs), else compiled
    here and kept there for the next run. Forked workers inherit them."""
    from .langpack import compiled_packs_key, install_packs, loaded_pack, read_compiled_packs, write_compiled_packs

    codes = available_languages()
    if all(pack is not None and COMPILED_WHOLE in pack._cache for pack in map(loaded_pack, codes)):
        return
    key = compiled_packs_key(rules_version()) if cache is not None else ""
    extras: dict = {}
    packs = read_compiled_packs(cache, key, extras) if cache is not None else None
    if packs is not None:
        install_packs(packs)
        if not _GAZETTEERS and isinstance(extras.get("gazetteers"), Gazetteers):
            _GAZETTEERS.append(extras["gazetteers"])  # read in a hundredth of the time of their files
    gz = _gazetteers()
    for code in codes:
        _compile_whole(load_pack(code), gz)
    if cache is not None and any(packs is None or load_pack(code) is not packs.get(code) for code in codes):
        # Only ever a copy: a folder it cannot be written in, or a structure that does not
        # pickle, leaves the next run to compile again.
        with contextlib.suppress(Exception):
            write_compiled_packs(cache, {code: load_pack(code) for code in codes}, key, {"gazetteers": gz})


COMPILED_WHOLE = "api.compiled_whole"  # in a pack's cache once _compile_whole has run on it


def _compile_whole(pack: LanguagePack, gz: Gazetteers) -> None:
    """Compile every stage of `pack`, also those the warm-up text "1" never reaches."""
    from .attribution import compile_rules
    from .dates import grammar
    from .periods import cue_grammar

    if COMPILED_WHOLE in pack._cache:
        return
    extract_figures(Article("warm", "1", language=pack.code), gazetteers=gz)
    grammar(pack)
    cue_grammar(pack)
    pack.compiled("attribution", compile_rules)
    gz.actor_lexicon(pack)
    gz.source_lexicon(pack)
    pack.compiled(COMPILED_WHOLE, lambda _pack: True)


class _Prefetch:
    """Imports what the reports need (pyarrow, pandas, openpyxl and the writers) on a second
    thread while extraction processes work, so that the run does not wait for them after.
    `wait()` before anything that imports them: they are never imported by two threads at once."""

    MODULES = ("pyarrow", "pyarrow.compute", "pyarrow.ipc", "pandas", ".reconcile", ".writers.csvfile",
               ".writers.workbook")

    def __init__(self):
        self.thread = None

    def start(self) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._import, name="prefetch-imports", daemon=True)
            self.thread.start()

    def _import(self) -> None:
        for name in self.MODULES:
            try:
                importlib.import_module(name, __package__)
            except Exception:  # noqa: BLE001 - imported again where needed, which reports the error
                return

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
            self.thread = None


def _worker_rules() -> str:
    """What a Dask worker must share with this process to extract the same figures."""
    from . import __version__

    return f"casualties {__version__}, rules {rules_version()}"


def _problem(article: Article, message: str):
    """An article whose extraction failed: it is skipped, so the problem is an error."""
    return Problem(article.path or article.doc_id, article.line, f"{message}; skipped", "error")


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
    from .reconcile import compare, prepare

    frame = figures if hasattr(figures, "columns") else figures_frame(figures)
    rows = prepare(frame)
    _release_memory()  # preparing frees about as much as it keeps (200 MB at two million figures)
    return compare(rows, between=_release_memory)


@dataclass
class RunResult:
    """What a run did. `changes` (None without a store) lists new, changed and withdrawn figures
    since the previous finished run; `run_id` is the run's row in the store's `runs` table."""

    extraction: Extraction
    comparison: object
    outputs: dict
    # A DataFrame of store.CHANGE_COLUMNS, or the change rows it is made of when first read
    # (a run that reuses its reports then never loads pandas).
    change_rows: object = None
    run_id: int | None = None
    previous_run_id: int | None = None
    reports_current: bool = False

    @property
    def changes(self):
        if isinstance(self.change_rows, list):
            self.change_rows = changes_frame(self.change_rows)
        return self.change_rows


def sources_table(gazetteers: Gazetteers | None = None) -> dict:
    """Claimant id -> {"kind", "name"} for the workbook's Sources sheet."""
    gz = gazetteers or _gazetteers()
    table = {}
    for source_id, entry in gz.sources.items():
        names = entry.get("names") or {}
        table[source_id] = {"kind": entry.get("kind", ""), "name": names.get("en") or next(iter(names.values()), source_id)}
    return table


def write_reports(extraction: Extraction, out_dir, *, inputs=(), comparison=None, changes=None, frame=None,
                  write_figures: bool = True, linked=None, figures_sheet=None, claims_sheet=None) -> dict:
    """Write figures.csv, comparison.xlsx, comparison.csv and errors.csv (every problem of the
    run; only a header when there was none), each atomically, into out_dir; with `changes` (a
    DataFrame of store.CHANGE_COLUMNS), changes.csv and a Changes sheet too.
    `write_figures=False`: the caller writes figures.csv (run does, while it reconciles).
    `linked` (_linked of the frame) and `figures_sheet` (its Figures sheet, begun with
    workbook.figures_sheet_meanwhile) and `claims_sheet` (workbook.claims_sheet_meanwhile):
    what run made while it reconciled and meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    from .writers.csvfile import write_csv
    from .writers.problems import write_problems

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frame = frame if frame is not None else extraction.frame()
    comparison = comparison if comparison is not None else reconcile(frame)
    paths = {"figures": out / "figures.csv", "workbook": out / "comparison.xlsx", "comparison": out / "comparison.csv",
             "errors": out / ERRORS_NAME}
    write_problems(extraction.problems, paths["errors"])
    tables = [(frame, paths["figures"])] if write_figures else []
    tables.append((comparison.groups, paths["comparison"]))
    if changes is not None:
        paths["changes"] = out / "changes.csv"
        tables.append((changes, paths["changes"]))
    # The CSV files on a second thread, beside the workbook: both spend most of their time in
    # pyarrow's kernels and zlib, which let go of the interpreter lock.
    with ThreadPoolExecutor(max_workers=1) as pool:
        written = pool.submit(lambda: [write_csv(table, path) for table, path in tables])
        _write_workbook(extraction, paths["workbook"], frame, comparison, changes, inputs, linked=linked,
                        figures_sheet=figures_sheet, claims_sheet=claims_sheet)
        written.result()
    return paths


def _linked(extraction: Extraction, frame):
    """The figure table with each figure's article address (`url`: its URL, else its file), as
    the workbook's Figures sheet shows it."""
    # Each article's address made once, not once per figure (two million strings at 100,000 articles).
    import pandas as pd

    addresses = {doc_id: str(location or "") for doc_id, location in extraction.locations.items()}
    doc_ids = frame["doc_id"]
    if isinstance(doc_ids.dtype, pd.CategoricalDtype):
        # Per article, by codes: the addresses as categories (a text per figure is 100 MB at two million).
        per_article = [addresses.get(doc_id, "") for doc_id in doc_ids.cat.categories] + [""]
        address_codes, distinct = pd.factorize(pd.Series(per_article, dtype=object))
        codes = address_codes[doc_ids.cat.codes.to_numpy()]  # code -1 (no article): the last, ""
        categories = pd.Index(distinct, dtype=doc_ids.cat.categories.dtype)
        return frame.assign(url=pd.Categorical.from_codes(codes, categories=categories))
    return frame.assign(url=doc_ids.map(addresses).fillna(""))


def _write_workbook(extraction: Extraction, path: Path, frame, comparison, changes, inputs, *, linked=None,
                    figures_sheet=None, claims_sheet=None) -> None:
    from datetime import datetime, timezone

    from . import __version__
    from .writers.workbook import write_workbook

    about = {
        "run": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "inputs": ", ".join(str(p) for p in inputs),
        "articles": extraction.articles,
        "figures": len(extraction.figures),
        "problems": len(extraction.problems),
        "tool version": __version__,
        "rules version": rules_version(),
    }
    if extraction.corrected is not None:
        about["corrections"] = (f"{extraction.corrections_applied} applied, "
                                f"{len(extraction.corrections_not_applied)} not applied")
    if changes is not None:
        about["changes since the previous run"] = changes_summary(changes)
    linked = linked if linked is not None else _linked(extraction, frame)
    write_workbook(path, linked, comparison, about, sources_table(), changes=changes, figures_sheet=figures_sheet,
                   claims_sheet=claims_sheet)


def run(inputs=("seeds",), out_dir="reports", *, on_problem=None, db=True, jobs: int | None = None,
        corrections=True, progress: Callable[[int], None] | None = None, reuse_reports: bool = False,
        engine: str = "local", scheduler: str | None = None, rehash: bool = False) -> RunResult:
    """The main job: extract every figure, apply corrections, reconcile, write the reports.

    `db`: the store (True: `<out_dir>/casualties.sqlite`; a path; False: none, extract
    everything). With a store only new and changed articles are extracted, and the reports
    include what changed since the previous run. `jobs`: extraction processes (None: all
    cores). `corrections`: a corrections CSV (True: `<out_dir>/corrections.csv` when it
    exists; False: none). `progress(n)` is told of every n articles done. `reuse_reports`:
    when nothing changed since the previous run (same input articles, rules, corrections and
    output folder, no article extracted, reports still there), leave the reports as they are
    and return with `reports_current` set, no figures and no comparison. `engine`, `scheduler`:
    where extraction runs, as for extract_articles. With a store, an article file found in the
    state the store recorded when it was read (size, modification and change times, inode and
    manifest row: corpus.file_state) is not read again; `rehash=True` reads every file and
    compares the hashes of the articles.

        >>> result = run(["seeds"], "reports", jobs=2)                 # doctest: +SKIP
        >>> result.extraction.unchanged, len(result.changes)           # doctest: +SKIP
        (5, 0)
    """
    from concurrent.futures import ThreadPoolExecutor

    from . import __version__
    from .store import Store

    check_engine(engine, scheduler)
    out = Path(out_dir)
    jobs = jobs or os.cpu_count() or 1
    db_path = out / DB_NAME if db is True else (Path(db) if db else None)
    corrections_path = _corrections_path(corrections, out)
    with Store(db_path) if db_path else contextlib.nullcontext() as store:
        run_id, previous_run_id, changes = None, None, None
        if store:
            run_id = store.begin_run(inputs, __version__, rules_version())
            previous = store.previous_run(run_id)
            previous_run_id = previous["run_id"] if previous else None
            extraction, inputs_digest = _extract_with_store(store, run_id, inputs, jobs=jobs, on_problem=on_problem,
                                                            progress=progress, engine=engine, scheduler=scheduler,
                                                            rehash=rehash)
            figure_changes = store.pending_changes(run_id)
            key = _report_key(inputs_digest, corrections_path, out)
            if reuse_reports and _reports_current(previous, key, extraction, figure_changes, out):
                if corrections_path:
                    _check_corrections(extraction, corrections_path, on_problem, store.figure_ids())
                store.finish_run(run_id, {**_run_counts(extraction, figure_changes), "n_figures": previous["n_figures"],
                                          "report_key": key})
                # The other reports stand; the problems are this run's (a new unreadable file
                # changes no article).
                from .writers.problems import write_problems

                write_problems(extraction.problems, out / ERRORS_NAME)
                return RunResult(extraction, None, {"errors": out / ERRORS_NAME}, figure_changes, run_id,
                                 previous_run_id, reports_current=True)
            with _collector_paused():
                extraction.figures = store.figure_table()
        else:
            extraction = extract_articles(inputs, on_problem=on_problem, jobs=jobs, progress=progress, engine=engine,
                                          scheduler=scheduler)
        from .writers.csvfile import write_csv  # here: a run that keeps its reports never loads pandas
        from .writers.forked import can_fork
        from .writers.workbook import FIGURES_SHEET_MEANWHILE_ROWS, claims_sheet_meanwhile, figures_sheet_meanwhile

        with _collector_paused():
            if corrections_path:
                _apply_corrections(extraction, corrections_path, on_problem, store)
            frame = extraction.frame(compact=True)
            _release_memory()
            # figures.csv and the workbook's Figures sheet need the table only: made on other
            # threads while it is reconciled (the sheet not past FIGURES_SHEET_MEANWHILE_ROWS,
            # nor its addresses, which would add to the peak memory of a large run).
            linked = figures_sheet = figures_csv = None
            if len(frame) <= FIGURES_SHEET_MEANWHILE_ROWS:
                linked = _linked(extraction, frame)
                if store:
                    store.wait_for_figure_copy()  # no other thread at a fork
                if len(frame) <= FIGURES_CSV_MEANWHILE_ROWS and can_fork():
                    figures_sheet, figures_csv = _figure_outputs_forked(frame, linked, out / "figures.csv")
                else:
                    figures_sheet = figures_sheet_meanwhile(linked)
            with ThreadPoolExecutor(max_workers=1) as pool:
                if figures_csv is not None:  # the forked process writes it, or failing that this one
                    figures_csv = pool.submit(lambda made: made.exception() and write_csv(frame, out / "figures.csv"),
                                              figures_csv)
                elif len(frame) <= FIGURES_CSV_MEANWHILE_ROWS:
                    figures_csv = pool.submit(write_csv, frame, out / "figures.csv")
                else:  # written first: beside the comparison, both working sets would add to the peak
                    write_csv(frame, out / "figures.csv")
                    figures_csv = pool.submit(lambda: None)
                comparison = reconcile(frame)
                _release_memory()
                # The Claims sheet needs the comparison only: made while the rest is built.
                claims_sheet = claims_sheet_meanwhile(comparison.claims)
                if store:
                    changes = changes_frame([*figure_changes, *_record_groups(store, run_id, comparison, inputs)])
                outputs = write_reports(extraction, out, inputs=inputs, comparison=comparison, changes=changes,
                                        frame=frame, write_figures=False, linked=linked, figures_sheet=figures_sheet,
                                        claims_sheet=claims_sheet)
                figures_csv.result()
        if store:
            # Only now: a run killed before this point leaves its changes pending for the next.
            store.finish_run(run_id, {**_run_counts(extraction, changes), "report_key": key,
                                      "n_groups": len(comparison.groups)})
    return RunResult(extraction, comparison, outputs, changes, run_id, previous_run_id)


REPORT_FILES = ("figures.csv", "comparison.xlsx", "comparison.csv", "changes.csv")


def _figure_outputs_forked(frame, linked, csv_path: Path):
    """figures.csv and the workbook's Figures sheet made in a forked process (writers.forked)
    while this one reconciles: half of a rerun's report work, which on threads waited for the
    interpreter lock. Returns a future of the sheet (bulkrows.MadeSheet, for write_workbook)
    and the future of the child's work (an error: figures.csv is to be written here)."""
    from concurrent.futures import Future

    from .writers.bulkrows import taken_sheet
    from .writers.forked import forked

    both = forked(_figure_outputs, frame, linked, csv_path)
    sheet: Future = Future()

    def take(done: Future) -> None:
        try:
            sheet.set_result(taken_sheet(done.result()))
        except BaseException as error:  # noqa: BLE001 - the sheet is then made with the workbook
            sheet.set_exception(error)

    both.add_done_callback(take)
    return sheet, both


def _figure_outputs(frame, linked, csv_path: Path):
    """What _figure_outputs_forked's child does: figures.csv, then the Figures sheet on disk."""
    from .writers.csvfile import write_csv
    from .writers.workbook import figures_sheet_on_disk

    write_csv(frame, csv_path)
    return figures_sheet_on_disk(linked, None)


@contextlib.contextmanager
def _collector_paused():
    """No cyclic garbage collection while the figure table is read and the reports made.

    They make millions of short-lived objects (rows, cells), and each full collection walks
    every live one: a fifth of a rerun's time. Reference counting still frees them at once;
    only cycles wait until the collector runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _release_memory() -> None:
    """Give the memory freed by the last stage back to the system before the next one
    (store.release_memory), cyclic garbage first: the collector is paused while the reports are
    made (_collector_paused), and pandas leaves frames in cycles that hold their columns."""
    from .store import release_memory

    gc.collect()
    release_memory()


def _record_groups(store, run_id: int, comparison, inputs) -> list[dict]:
    """Keep the run's groups in the store; the change rows of groups whose spread changed,
    new and removed since the last run over the same inputs."""
    from .reconcile import group_summaries

    return store.record_groups(run_id, group_summaries(comparison).to_dict("records"), inputs)


def _report_key(inputs_digest: str, corrections_path: Path | None, out: Path) -> str:
    """What the reports depend on besides the stored figures: equal keys, equal reports."""
    from . import __version__

    digest = hashlib.sha1("\x1f".join((inputs_digest, rules_version(), __version__, str(out.resolve()))).encode())
    digest.update(corrections_path.read_bytes() if corrections_path else b"no corrections")
    return digest.hexdigest()


def _reports_current(previous: dict | None, key: str, extraction: Extraction, changes, out: Path) -> bool:
    return (previous is not None and previous.get("report_key") == key and extraction.extracted == 0
            and len(changes) == 0 and all((out / name).is_file() for name in REPORT_FILES))


def _corrections_path(corrections, out: Path) -> Path | None:
    if corrections is True:
        default = out / CORRECTIONS_NAME
        return default if default.is_file() else None
    return Path(corrections) if corrections else None


@dataclass(frozen=True, slots=True)
class _Unread:
    """An article file not read again: found in the state it was in when its stored article was read."""

    doc_id: str
    path: str
    content_hash: str
    url: str | None
    line: None = None


def _extract_with_store(store, run_id: int, inputs, *, jobs: int, on_problem, progress, engine: str = "local",
                        scheduler: str | None = None, rehash: bool = False) -> tuple[Extraction, str]:
    """Extract the input articles the store lacks or holds in another version. Returns the
    counts (figures are then read from the store) and a digest of the input articles' ids and
    hashes, in order. A file in the state the store recorded is not read (corpus.file_state);
    `rehash`: read every file and compare hashes. While extraction processes work, the
    reports' modules are imported here (_Prefetch)."""
    from .store import content_hash

    version = rules_version()
    record_changes = store.previous_run(run_id) is not None
    result = Extraction()
    report = _reporter(result, on_problem)
    seen: set[str] = set()
    inputs_digest = hashlib.sha1()

    def unread(files: list[tuple[str, str, str]]) -> list[_Unread | None]:
        return [_Unread(doc_id, path, *found) if found else None
                for (doc_id, path, _), found in zip(files, store.unread(files, version))]

    def to_extract():
        articles = load_articles([Path(p) for p in inputs], on_error=report, unread=None if rehash else unread)
        packs_ready = False
        for chunk in _chunks(articles, LOOKUP_ARTICLES):
            chunk = [a for a in chunk if a.doc_id not in seen]  # a duplicate id: the loader warned, the first wins
            seen.update(a.doc_id for a in chunk)
            result.articles += len(chunk)
            result.locations.update((a.doc_id, a.url or a.path) for a in chunk)
            store.add_run_articles([a.doc_id for a in chunk])
            known = store.known([a.doc_id for a in chunk if not isinstance(a, _Unread)])
            moved, skipped = [], 0
            for article in chunk:
                if isinstance(article, _Unread):
                    inputs_digest.update(f"{article.doc_id}\x1f{article.content_hash}\x1e".encode("utf-8", "surrogatepass"))
                    skipped += 1
                    continue
                stored = known.get(article.doc_id)
                digest = content_hash(article)
                inputs_digest.update(f"{article.doc_id}\x1f{digest}\x1e".encode("utf-8", "surrogatepass"))
                if stored and stored[:2] == (digest, version):
                    skipped += 1
                    if stored[2:] != (article.path, article.file_state):  # moved, or touched: the same text
                        moved.append((article.doc_id, article.path, article.file_state))
                    continue
                if stored:
                    result.changed += 1
                else:
                    result.new += 1
                if not packs_ready:  # only a run that extracts needs the packs
                    _compiled_packs(Path(f"{store.path}{COMPILED_PACKS_SUFFIX}") if store.figure_copy else None)
                    packs_ready = True
                yield article
            result.unchanged += skipped
            if moved:
                store.move(moved)
            if progress and skipped:
                progress(skipped)

    batch = []
    prefetch = _Prefetch()
    try:
        for article, figures, error in _extracted(to_extract(), jobs=jobs, include_latent=False, engine=engine,
                                                  scheduler=scheduler, started=prefetch.start):
            if error:
                report(_problem(article, error))
            batch.append((article, figures))
            result.extracted += 1
            if len(batch) >= WRITE_ARTICLES:
                store.save(batch, run_id=run_id, rules_version=version, record_changes=record_changes)
                batch = []
            if progress:
                progress(1)
        store.save(batch, run_id=run_id, rules_version=version, record_changes=record_changes)
    finally:
        prefetch.wait()
    return result, inputs_digest.hexdigest()


def changes_frame(changes: list[dict]):
    """The changes of a run (store.pending_changes, then Store.record_groups) as a DataFrame
    with store.CHANGE_COLUMNS."""
    import pandas as pd

    from .store import CHANGE_COLUMNS

    frame = pd.DataFrame(changes, columns=list(CHANGE_COLUMNS))
    for name in CHANGE_COLUMNS:
        if name.startswith(("low_", "high_")):
            frame[name] = frame[name].astype("Int64")
        elif name.startswith("spread_ratio_"):
            frame[name] = frame[name].astype("float64")
    return frame


def _apply_corrections(extraction: Extraction, path: Path, on_problem, store) -> None:
    from .corrections import ADD, REJECT, apply_corrections, read_corrections

    gz = _gazetteers()
    corrections, issues = read_corrections(path)
    table = extraction.figures if hasattr(extraction.figures, "spliced") else None
    if table is not None:
        # Figures from the store (store.FigureTable): make Figure objects of those the
        # corrections name only, and splice the corrected ones back in their places.
        added_to = {c.value["doc_id"] for c in corrections if c.field == ADD}
        positions = table.positions({c.figure_id for c in corrections})
        named = table.figures_at(positions)
        known = table.figures_at(table.first_of_docs(added_to))
    else:
        named = known = extraction.figures
    by_doc = {}
    for f in known:
        by_doc.setdefault(f.doc_id, f)

    def defaults(doc_id: str) -> dict:
        """Columns an added figure leaves out: its article's, and the outlet's own voice."""
        known = by_doc.get(doc_id)
        row = None if known else (store.article(doc_id) if store else None)
        if known:
            publisher, published, language = known.publisher, known.published, known.language
        elif row:
            publisher, published, language = row["publisher"], row["published"], row["language"]
            published = date.fromisoformat(published) if published else None
        else:
            return {}
        claimant = gz.source_id_for_publisher(publisher) if publisher else None
        return {"publisher": publisher, "published": published, "language": language,
                "claimed_by": claimant or "publisher"}

    corrected = apply_corrections(named, corrections, defaults=defaults)
    if table is not None:
        # apply_corrections keeps the named figures, edited, in order, less the rejected; then the added.
        rejected = {c.figure_id for c in corrections if c.field == REJECT}
        kept = sum(f.figure_id not in rejected for f in named)
        edited = iter(corrected.figures[:kept])
        replacements = [None if f.figure_id in rejected else next(edited) for f in named]
        extraction.figures = table.spliced(positions, replacements, corrected.figures[kept:])
    else:
        extraction.figures = corrected.figures
    extraction.corrected = corrected.corrected
    extraction.corrections_applied = corrected.applied
    extraction.corrections_not_applied = corrected.not_applied
    _report_issues(extraction, [*issues, *corrected.issues, *corrected.not_applied], on_problem)


def _check_corrections(extraction: Extraction, path: Path, on_problem, figure_ids) -> None:
    """Report what _apply_corrections would, without the figures: only their ids."""
    from .corrections import read_corrections, unmatched

    corrections, issues = read_corrections(path)
    not_applied = unmatched(corrections, figure_ids)
    extraction.corrected = {}
    extraction.corrections_applied = len(corrections) - len(not_applied)
    extraction.corrections_not_applied = not_applied
    _report_issues(extraction, [*issues, *not_applied], on_problem)


def _report_issues(extraction: Extraction, issues, on_problem) -> None:
    for issue in issues:
        problem = Problem(issue.path, issue.line, issue.message, issue.level)
        extraction.problems.append(problem)
        if on_problem:
            on_problem(problem)


def _run_counts(extraction: Extraction, changes) -> dict:
    """The run's counts for the store; `changes` a DataFrame of change rows, or the rows."""
    if isinstance(changes, list):
        kinds = Counter(row["change"] for row in changes)
    else:
        kinds = changes["change"].value_counts() if changes is not None and len(changes) else {}
    return {
        "n_articles": extraction.articles, "n_new": extraction.new, "n_changed": extraction.changed,
        "n_unchanged": extraction.unchanged, "n_extracted": extraction.extracted,
        "n_figures": len(extraction.figures), "n_problems": len(extraction.problems),
        "figures_new": int(kinds.get("new", 0)), "figures_changed": int(kinds.get("changed", 0)),
        "figures_withdrawn": int(kinds.get("withdrawn", 0)),
        "groups_spread_changed": int(kinds.get("group_spread_changed", 0)),
        "groups_new": int(kinds.get("group_new", 0)), "groups_removed": int(kinds.get("group_removed", 0)),
    }


def changes_summary(changes) -> str:
    """`3 new, 1 changed, 0 withdrawn figures; 2 groups' spread changed, 1 new, 0 removed`."""
    from .store import FIGURE_CHANGES, GROUP_CHANGES

    kinds = changes["change"].value_counts() if len(changes) else {}
    spread_changed, new, removed = (int(kinds.get(kind, 0)) for kind in GROUP_CHANGES)
    return (", ".join(f"{int(kinds.get(kind, 0))} {kind}" for kind in FIGURE_CHANGES) + " figures; "
            f"{spread_changed} groups' spread changed, {new} new, {removed} removed")


def history(db="reports/casualties.sqlite") -> list[dict]:
    """Every run recorded in the store at `db`, oldest first (see README, "the store").

        >>> [(r["run_id"], r["n_extracted"]) for r in history()]        # doctest: +SKIP
        [(1, 5), (2, 0)]
    """
    from .store import Store

    with Store(db, create=False) as store:
        return store.runs()


def evaluate_gold(gold_path, inputs):
    """Score extraction of `inputs` against a gold JSONL file (see casualties.evaluate)."""
    from .evaluate import evaluate, read_gold

    gold = read_gold(gold_path)
    extraction = extract_articles(inputs, include_latent=False)
    texts = {}
    for article in load_articles([Path(p) for p in inputs], on_error=lambda problem: None):
        texts[article.doc_id] = article.text
    return evaluate(gold, extraction.figures, texts), extraction
