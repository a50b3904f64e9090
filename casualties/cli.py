"""Command line: a thin layer over casualties.api. Parses options, calls the API, prints."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__, api
from .errors import CasualtiesError


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


_ENGINE = click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                       help="Where extraction runs: local processes, or a Dask cluster (needs casualties[dask]).")
_SCHEDULER = click.option("--scheduler", metavar="ADDRESS",
                          help="Dask scheduler, e.g. tcp://host:8786.  [default with --engine dask: a local cluster"
                               " of --jobs workers]")


def _warn(problem):
    click.echo(f"warning: {problem}", err=True)


def _write_table(frame, path: Path):
    from .writers.csvfile import write_csv, write_jsonl

    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        write_jsonl(frame, path)
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise click.ClickException("parquet output needs pyarrow: pip install 'casualties[parquet]'") from None
        from .writers.atomic import atomic_write

        with atomic_write(path, "wb") as handle:
            frame.to_parquet(handle, index=False)
    else:
        write_csv(frame, path)


def _read_figures(path: Path):
    import pandas as pd

    if path.suffix.lower() == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casualties")
def cli():
    """Extract casualty figures from news articles and compare what each source claims."""


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(path_type=Path),
              help="Folder for figures.csv, comparison.xlsx, comparison.csv and changes.csv.")
@click.option("--limit", default=20, show_default=True, help="Groups shown in the summary.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Store of earlier runs; only new and changed articles are extracted.  [default: OUT/casualties.sqlite]")
@click.option("--no-db", is_flag=True, help="Keep no store: extract every article.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Extraction processes.  [default: all cores]")
@click.option("--corrections", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Hand corrections to apply.  [default: OUT/corrections.csv when present]")
@click.option("--rewrite", is_flag=True, help="Write the reports even when nothing changed since the last run.")
@click.option("--rehash", is_flag=True,
              help="Read every article file and compare its hash with the store's, even files whose size and"
                   " times are as the store recorded them.")
@_ENGINE
@_SCHEDULER
def run(inputs, out_dir, limit, db, no_db, jobs, corrections, rewrite, rehash, engine, scheduler):
    """Extract, compare and summarise INPUTS (default: seeds/); report what changed since the last run."""
    from .writers.terminal import render_summary

    inputs = inputs or (Path("seeds"),)
    with _progress(inputs) as progress:
        result = api.run(inputs, out_dir, on_problem=_warn, db=False if no_db else (db or True), jobs=jobs,
                         corrections=corrections or True, progress=progress, reuse_reports=not rewrite, engine=engine,
                         scheduler=scheduler, rehash=rehash)
    ex = result.extraction
    if result.reports_current:
        click.echo(f"{ex.articles} articles, nothing changed since run {result.previous_run_id}:"
                   f" the reports in {out_dir} are current (--rewrite writes them again)")
        _echo_corrections(ex)
        return
    line = f"{ex.articles} articles, {len(ex.figures)} figures, {len(ex.problems)} problems"
    if result.run_id is not None:
        line += f"; run {result.run_id}: {ex.new} new, {ex.changed} changed, {ex.unchanged} unchanged articles"
    click.echo(line)
    if result.run_id is not None and result.previous_run_id is None:
        click.echo("first run of this store: no changes to report")
    elif result.changes is not None:
        click.echo(f"changes since run {result.previous_run_id}: {api.changes_summary(result.changes)}")
    _echo_corrections(ex)
    click.echo(render_summary(result.comparison, "table", color=sys.stdout.isatty(), limit=limit))
    for name, path in result.outputs.items():
        click.echo(f"wrote {path}")


def _echo_corrections(extraction) -> None:
    if extraction.corrected is None:
        return
    click.echo(f"corrections: {extraction.corrections_applied} applied,"
               f" {len(extraction.corrections_not_applied)} not applied")
    for issue in extraction.corrections_not_applied:
        click.echo(f"  not applied: {issue}")


class _progress:
    """A progress bar on stderr when it is a terminal (articles done, rate, ETA); otherwise nothing."""

    def __init__(self, inputs):
        self.inputs = inputs

    def __enter__(self):
        self.bar = None
        if not sys.stderr.isatty():
            return None
        self.bar = click.progressbar(length=max(api.estimate_articles(self.inputs), 1), label="articles",
                                     file=sys.stderr, show_pos=True, show_eta=True,
                                     item_show_func=lambda _: self._rate())
        self.bar.__enter__()
        return self.bar.update

    def _rate(self) -> str | None:
        import time

        seconds = time.time() - self.bar.start
        return f"{self.bar.pos / seconds:.0f}/s" if seconds > 1 else None

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.option("--db", default="reports/casualties.sqlite", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The store written by `casualties run`.")
def history(db):
    """List past runs: when, inputs, articles extracted, figures and changes."""
    runs = api.history(db)
    click.echo("run  started (UTC)              status    articles  extracted  figures  new  changed  withdrawn  rules")
    for r in runs:
        status = "done" if r["finished_at"] else "stopped"
        click.echo(f"{r['run_id']:<4} {r['started_at']:<26} {status:<9} {r['n_articles'] or 0:>8}  "
                   f"{r['n_extracted'] or 0:>9}  {r['n_figures'] or 0:>7}  {r['figures_new'] or 0:>3}  "
                   f"{r['figures_changed'] or 0:>7}  {r['figures_withdrawn'] or 0:>9}  {r['rules_version']}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", default="reports/figures.csv", show_default=True, type=click.Path(path_type=Path),
              help="Figure table: .csv, .jsonl or .parquet.")
@click.option("--include-latent", is_flag=True, help="Keep figures with no outcome or no bounds.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Extraction processes.  [default: all cores]")
@_ENGINE
@_SCHEDULER
def extract(inputs, output, include_latent, jobs, engine, scheduler):
    """Write the figure table of INPUTS (folders, .txt, .jsonl, .csv)."""
    result = api.extract_articles(inputs, include_latent=include_latent, on_problem=_warn,
                                  jobs=jobs, engine=engine, scheduler=scheduler)
    output.parent.mkdir(parents=True, exist_ok=True)
    _write_table(result.frame(), output)
    click.echo(f"{result.articles} articles, {len(result.figures)} figures -> {output}")


@cli.command()
@click.argument("figures", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", default="reports/comparison.xlsx", show_default=True, type=click.Path(path_type=Path))
def compare(figures, output):
    """Write the side-by-side comparison workbook (and its CSV) of a figure table."""
    from .writers.csvfile import write_csv
    from .writers.workbook import write_workbook

    frame = _read_figures(figures)
    comparison = api.reconcile(frame)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(output, frame, comparison, {"figures": str(figures), "rules version": api.rules_version()},
                   api.sources_table())
    write_csv(comparison.groups, output.with_suffix(".csv"))
    click.echo(f"{len(comparison.groups)} groups -> {output}")


@cli.command()
@click.argument("figures", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "csv", "json"]), default="table", show_default=True)
@click.option("--limit", default=20, show_default=True)
def summary(figures, fmt, limit):
    """Print the groups of a figure table, widest spread first."""
    from .writers.terminal import render_summary

    comparison = api.reconcile(_read_figures(figures))
    click.echo(render_summary(comparison, fmt, color=sys.stdout.isatty() and fmt == "table", limit=limit))


@cli.command()
@click.argument("texts", nargs=-1, required=True)
@click.option("--lang", default="ar", show_default=True, help="Language pack.")
def numbers(texts, lang):
    """Print the amounts in each TEXT as JSON lines; `-` reads one text per line from stdin."""
    from .langpack import load_pack
    from .numbers import read_quantities

    pack = load_pack(lang)
    lines = (line.rstrip("\n") for line in sys.stdin) if texts == ("-",) else texts
    for text in lines:
        found = [q.as_dict() for q in read_quantities(text, pack)]
        click.echo(json.dumps({"text": text, "quantities": found}, ensure_ascii=False))


@cli.command()
@click.argument("text")
@click.option("--lang", default="ar", show_default=True)
@click.option("--published", callback=_date, help="Publication date (YYYY-MM-DD) for relative dates.")
@click.option("--publisher", help="Outlet name, for the outlet's own voice.")
def explain(text, lang, published, publisher):
    """Show how TEXT is read: canonical text, amounts, rules, slots, claimant, period."""
    from .explain import explain as explain_lines

    for line in explain_lines(text, lang, published, publisher):
        click.echo(line)


@cli.command("eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def evaluate(gold, inputs):
    """Precision, recall and field accuracy of extraction of INPUTS against GOLD (JSONL)."""
    from .evaluate import report_lines

    result, _ = api.evaluate_gold(gold, inputs)
    for line in report_lines(result):
        click.echo(line)


@cli.command("check-data")
def check_data():
    """Load and validate every language pack and gazetteer; exit 1 on the first error."""
    from .figures import figure_grammar
    from .gazetteer import load_gazetteers
    from .langpack import available_languages, load_pack
    from .numbers import grammar

    load_gazetteers()
    for code in available_languages():
        pack = load_pack(code)
        grammar(pack)
        if "figures" in pack.data:
            figure_grammar(pack)
        click.echo(f"{code}: ok")


def main():  # pragma: no cover - console entry with friendly errors
    try:
        cli(standalone_mode=True)
    except CasualtiesError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
