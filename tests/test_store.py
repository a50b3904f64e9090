"""The store: reruns extract only what changed, report what changed, and survive a kill -9."""
import csv
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from casualties import api
from casualties.cli import cli
from casualties.store import CHANGE_COLUMNS, Store
from conftest import ROOT, SEEDS

DIGITS = re.compile(r"\d+")


def paragraphs() -> list[str]:
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        found += [line for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 40]
    return found


def write_corpus(folder, n: int, seed: int = 1) -> list[str]:
    """n articles of 3-6 seed paragraphs with their numbers changed, and a manifest."""
    rng = random.Random(seed)
    pool = paragraphs()
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"a{i:04d}" for i in range(n)]
    for doc_id in ids:
        chosen = rng.sample(pool, rng.randint(3, 6))
        text = "\n".join(DIGITS.sub(lambda m: str(rng.randint(2, 900)), p) for p in chosen)
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "publisher", "published", "language"])
        for i, doc_id in enumerate(ids):
            writer.writerow([doc_id, "Orient Net" if i % 2 else "", f"2018-05-{1 + i % 28:02d}", "ar"])
    return ids


def set_published(folder, doc_id: str, published: str) -> None:
    path = folder / "manifest.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for row in rows:
        if row[0] == doc_id:
            row[2] = published
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def figure_rows(result) -> list[tuple]:
    frame = result.extraction.frame()
    return [tuple(row) for row in frame.astype(str).itertuples(index=False, name=None)]


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, 40)
    return folder


def test_a_rerun_with_nothing_changed_extracts_nothing(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    assert first.extraction.extracted == 40 and first.extraction.new == 40
    assert first.previous_run_id is None
    second = api.run([corpus], out, jobs=1)
    assert second.extraction.extracted == 0 and second.extraction.unchanged == 40
    assert second.previous_run_id == first.run_id
    assert figure_rows(second) == figure_rows(first)
    assert len(second.changes) == 0
    assert (out / "changes.csv").is_file()


def test_the_store_gives_the_figures_of_a_run_without_one(corpus, tmp_path):
    stored = api.run([corpus], tmp_path / "a", jobs=1)
    plain = api.run([corpus], tmp_path / "b", jobs=1, db=False)
    assert figure_rows(stored) == figure_rows(plain)
    assert plain.changes is None and not (tmp_path / "b" / api.DB_NAME).exists()


def test_changing_one_article_reextracts_only_it_and_reports_its_changes(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    figures = first.extraction.figures
    target = figures[0].doc_id
    donor = next(f for f in figures if f.doc_id != target)
    path = corpus / f"{target}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if figures[0].quote not in line]
    donor_line = next(line for line in (corpus / f"{donor.doc_id}.txt").read_text(encoding="utf-8").splitlines()
                      if donor.quote in line)
    path.write_text("\n".join(kept + [donor_line]), encoding="utf-8")

    second = api.run([corpus], out, jobs=1)
    assert (second.extraction.extracted, second.extraction.changed, second.extraction.unchanged) == (1, 1, 39)
    changes = second.changes
    assert set(changes["doc_id"]) == {target}
    before = {f.figure_id for f in figures if f.doc_id == target}
    after = {f.figure_id for f in second.extraction.figures if f.doc_id == target}
    assert set(changes.loc[changes["change"] == "withdrawn", "figure_id"]) == before - after
    assert set(changes.loc[changes["change"] == "new", "figure_id"]) == after - before
    assert figures[0].figure_id in before - after and after - before
    written = list(csv.DictReader((out / "changes.csv").open(encoding="utf-8-sig")))
    assert [row["figure_id"] for row in written] == list(changes["figure_id"])
    assert list(written[0]) == list(CHANGE_COLUMNS)


def test_a_new_publication_date_changes_periods_and_keeps_figure_ids(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    target = next(f.doc_id for f in first.extraction.figures if f.period_end and f.period_end == f.published)
    set_published(corpus, target, "2019-01-15")
    second = api.run([corpus], out, jobs=1)
    assert second.extraction.extracted == 1
    changed = second.changes[second.changes["change"] == "changed"]
    assert len(changed) and set(changed["doc_id"]) == {target}
    assert all("period" in fields for fields in changed["fields"])
    ids = lambda result: sorted(f.figure_id for f in result.extraction.figures if f.doc_id == target)  # noqa: E731
    assert ids(first) == ids(second)
    book = load_workbook(out / "comparison.xlsx", read_only=True)
    assert "Changes" in book.sheetnames
    rows = list(book["Changes"].iter_rows(values_only=True))
    assert rows[0][:3] == ("change", "figure_id", "doc_id") and len(rows) == len(second.changes) + 1


def test_new_rules_reextract_every_article(corpus, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    api.run([corpus], out, jobs=1)
    monkeypatch.setattr(api, "rules_version", lambda: "other-rules")
    again = api.run([corpus], out, jobs=1)
    assert again.extraction.extracted == 40 and again.extraction.changed == 40
    assert len(again.changes) == 0


def test_two_processes_give_the_figures_of_one(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 100, seed=2)
    one = api.run([corpus], tmp_path / "one", jobs=1)
    two = api.run([corpus], tmp_path / "two", jobs=2)
    assert figure_rows(one) == figure_rows(two)
    plain = api.extract_articles([corpus], jobs=2)
    assert plain.frame().astype(str).values.tolist() == one.extraction.frame().astype(str).values.tolist()


# The rules version is pinned: other edits to the language data mid-test must not re-extract everything.
RULES = "pinned-rules"
RUN_SCRIPT = ("import sys; from casualties import api; api.rules_version = lambda: sys.argv[4];"
              " api.run([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]))")


@pytest.fixture(autouse=True)
def pinned_rules(monkeypatch):
    monkeypatch.setattr(api, "rules_version", lambda: RULES)


def _articles_done(db, after_run: int = 0) -> int:
    """Articles stored by runs after `after_run`."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM articles WHERE run_id > ?", (after_run,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _kill_mid_run(corpus, out, jobs: int) -> int:
    """Run in a subprocess, SIGKILL it and its workers once some articles are stored; how many were."""
    db = out / api.DB_NAME
    last_run = max((r["run_id"] for r in api.history(db)), default=0) if db.exists() else 0
    process = subprocess.Popen([sys.executable, "-c", RUN_SCRIPT, str(corpus), str(out), str(jobs), RULES],
                               cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None and _articles_done(db, last_run) < api.WRITE_ARTICLES:
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode()
    return _articles_done(db, last_run)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_killed_midway_resumes_to_the_figures_of_an_uninterrupted_run(tmp_path, jobs):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 200, seed=3)
    reference = api.run([corpus], tmp_path / "reference", jobs=1)

    out = tmp_path / "killed"
    done = _kill_mid_run(corpus, out, jobs)
    assert 0 < done < 200
    assert sqlite3.connect(out / api.DB_NAME).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    resumed = api.run([corpus], out, jobs=jobs)
    assert resumed.extraction.extracted == 200 - done
    assert figure_rows(resumed) == figure_rows(reference)
    runs = api.history(out / api.DB_NAME)
    assert [bool(r["finished_at"]) for r in runs] == [False, True]


def test_changes_of_a_killed_run_are_reported_by_the_run_that_resumes_it(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 200, seed=4)
    out = tmp_path / "killed"
    api.run([corpus], out, jobs=1)
    shutil.copytree(out, tmp_path / "reference")
    for i in range(0, 200, 2):
        set_published(corpus, f"a{i:04d}", "2019-03-01")

    expected = api.run([corpus], tmp_path / "reference", jobs=1).changes
    done = _kill_mid_run(corpus, out, 1)
    assert 0 < done < 100
    resumed = api.run([corpus], out, jobs=1)
    assert resumed.extraction.extracted == 100 - done
    key = lambda frame: sorted(map(tuple, frame.astype(str).values.tolist()))  # noqa: E731
    assert len(expected) and key(resumed.changes) == key(expected)


def test_history_lists_runs(corpus, tmp_path):
    out = tmp_path / "reports"
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(corpus), "--out", str(out), "--jobs", "1"]).exit_code == 0
    result = runner.invoke(cli, ["run", str(corpus), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "40 articles, nothing changed since run 1" in result.output
    result = runner.invoke(cli, ["run", str(corpus), "--out", str(out), "--jobs", "1", "--rewrite"])
    assert "0 new, 0 changed, 40 unchanged" in result.output
    assert "changes since run 2: 0 new, 0 changed, 0 withdrawn" in result.output
    result = runner.invoke(cli, ["history", "--db", str(out / api.DB_NAME)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 4 and [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    assert all(" done " in line for line in lines[1:])


def test_reports_are_reused_only_when_nothing_they_depend_on_changed(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1, reuse_reports=True)
    assert not first.reports_current
    written = (out / "comparison.xlsx").stat().st_mtime_ns
    again = api.run([corpus], out, jobs=1, reuse_reports=True)
    assert again.reports_current and again.comparison is None
    assert (out / "comparison.xlsx").stat().st_mtime_ns == written
    assert api.history(out / api.DB_NAME)[-1]["n_figures"] == len(first.extraction.figures)
    (out / "corrections.csv").write_text("figure_id,field,value\n", encoding="utf-8")
    assert not api.run([corpus], out, jobs=1, reuse_reports=True).reports_current
    assert api.run([corpus], out, jobs=1, reuse_reports=True).reports_current
    (out / "comparison.xlsx").unlink()
    assert not api.run([corpus], out, jobs=1, reuse_reports=True).reports_current
    assert not api.run([corpus], tmp_path / "elsewhere", db=out / api.DB_NAME, jobs=1, reuse_reports=True).reports_current
    path = corpus / "a0001.txt"
    path.write_text(path.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert not api.run([corpus], out, jobs=1, reuse_reports=True).reports_current


def test_no_db_keeps_no_store(corpus, tmp_path):
    result = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(tmp_path / "r"), "--no-db", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "r" / api.DB_NAME).exists() and not (tmp_path / "r" / "changes.csv").exists()


def test_store_tables_are_plain_and_documented():
    with Store(":memory:") as store:
        tables = {name for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"articles", "figures", "runs", "changes", "groups"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in tables:
        assert f"`{table}`" in readme


def test_progress_counts_every_article_once(corpus, tmp_path):
    done = []
    api.run([corpus], tmp_path / "r", jobs=1, progress=done.append)
    assert sum(done) == 40 == api.estimate_articles([corpus])
    done.clear()
    api.run([corpus], tmp_path / "r", jobs=1, progress=done.append)
    assert sum(done) == 40
