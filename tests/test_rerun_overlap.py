"""A small rerun compiles only the language packs it meets before its workers start, imports the
reports' modules while they extract, and makes the Figures sheet while the figures are reconciled."""
import multiprocessing
import subprocess
import sys

import pytest

from casualties import api
from casualties.engines import run_tasks
from casualties.langpack import available_languages
from casualties.model import Article


def test_workers_inherit_the_packs_of_the_first_tasks_only(monkeypatch):
    compiled = []
    monkeypatch.setattr(api, "extract_figures", lambda article, **options: compiled.append(article.language))
    api._warm_caches([[Article("a1", "قتل 5 مدنيين", language="ar")], [Article("a2", "نحو 60 عنصراً")]])
    assert compiled == ["ar"]
    compiled.clear()
    api._warm_caches([[Article("e1", "Five people were killed.", language="en")], [Article("a1", "x", language="ar")]])
    assert compiled == ["ar", "en"]
    compiled.clear()
    api._warm_caches()
    assert compiled == sorted(available_languages())


def doubled(task):
    return [(item * 2, None) for item in task]


def test_started_is_told_once_the_workers_are_forked():
    calls = []

    def started():
        calls.append(len(multiprocessing.active_children()))

    results = list(run_tasks([[1, 2], [3], [4, 5]], doubled, jobs=2, started=started))
    assert [(item, result) for item, result, _ in results] == [(1, 2), (2, 4), (3, 6), (4, 8), (5, 10)]
    assert calls == [2]  # once, with both workers there
    calls.clear()
    list(run_tasks([[1, 2], [3]], doubled, jobs=1, started=started))  # in this process: no workers, no call
    list(run_tasks([[1, 2]], doubled, jobs=2, started=started))
    assert calls == []


PREFETCH = """
import sys
from casualties import api
before = {name for name in ("pandas", "pyarrow", "openpyxl", "casualties.writers.workbook") if name in sys.modules}
prefetch = api._Prefetch()
prefetch.start()
prefetch.wait()
after = {name for name in ("pandas", "pyarrow", "openpyxl", "casualties.writers.workbook") if name in sys.modules}
print(sorted(before), sorted(after), prefetch.thread)
"""


def test_prefetch_imports_the_report_modules_on_a_thread():
    output = subprocess.run([sys.executable, "-c", PREFETCH], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["[]", "['casualties.writers.workbook',", "'openpyxl',", "'pandas',", "'pyarrow']", "None"]


def workbook_members(path) -> dict:
    import zipfile

    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def figures_with_an_arabic_claimant(seed_extraction):
    """The seeds' figure table with links, one claimant named in Arabic (its Comparison header
    takes a style of its own before the Figures sheet is made) and a formula-like quote."""
    frame = seed_extraction.frame()
    frame["url"] = "https://example.org/" + frame["doc_id"]
    frame.loc[0, "claimed_by"] = "مصدر عسكري"
    frame.loc[1, "quote"] = "=1+1"
    return frame


def test_a_figures_sheet_made_beforehand_gives_the_same_workbook(tmp_path, seed_extraction, monkeypatch):
    from casualties.reconcile import reconcile
    from casualties.writers import bulkrows
    from casualties.writers.workbook import figures_sheet_meanwhile, write_workbook

    frame = figures_with_an_arabic_claimant(seed_extraction)
    comparison = reconcile(frame)
    about = {"run": "fixed", "conventions_rows": []}
    write_workbook(tmp_path / "plain.xlsx", frame, comparison, about, changes=frame.head(0))
    made = figures_sheet_meanwhile(frame)
    made.result()
    rendered = []
    original = bulkrows._render_sheet
    monkeypatch.setattr(bulkrows, "_render_sheet", lambda xml, bulk: rendered.append(len(bulk.frame)) or original(xml, bulk))
    write_workbook(tmp_path / "made.xlsx", frame, comparison, about, changes=frame.head(0), figures_sheet=made)
    assert len(frame) not in rendered and rendered  # the Figures sheet was taken, the others made
    assert workbook_members(tmp_path / "made.xlsx") == workbook_members(tmp_path / "plain.xlsx")


def test_a_figures_sheet_made_from_other_figures_or_failed_is_made_again(tmp_path, seed_extraction):
    from concurrent.futures import Future

    from casualties.reconcile import reconcile
    from casualties.writers.workbook import figures_sheet_meanwhile, write_workbook

    frame = figures_with_an_arabic_claimant(seed_extraction)
    comparison = reconcile(frame)
    about = {"run": "fixed", "conventions_rows": []}
    write_workbook(tmp_path / "plain.xlsx", frame, comparison, about)
    failed = Future()
    failed.set_exception(RuntimeError("disk full"))
    other = figures_sheet_meanwhile(frame.head(len(frame) - 1))  # another placeholder (its filter's range)
    for number, made in enumerate((other, failed)):
        write_workbook(tmp_path / f"again{number}.xlsx", frame, comparison, about, figures_sheet=made)
        assert workbook_members(tmp_path / f"again{number}.xlsx") == workbook_members(tmp_path / "plain.xlsx")
    assert other.result().member.file.closed  # what was not taken is let go


def test_a_run_past_the_limit_makes_its_figures_sheet_with_the_workbook(tmp_path, monkeypatch):
    import zipfile

    from casualties.writers import workbook
    from conftest import SEEDS

    def figures_sheet(out):
        with zipfile.ZipFile(out / "comparison.xlsx") as book:
            return book.read("xl/worksheets/sheet3.xml")  # Comparison, Claims, Figures

    api.run([SEEDS], tmp_path / "before", db=False, jobs=1, corrections=False)
    started = []
    monkeypatch.setattr(workbook, "FIGURES_SHEET_MEANWHILE_ROWS", 0)
    monkeypatch.setattr(workbook, "ThreadPoolExecutor", lambda *a, **k: started.append(a) or pytest.fail("started"))
    api.run([SEEDS], tmp_path / "after", db=False, jobs=1, corrections=False)
    assert started == []
    assert figures_sheet(tmp_path / "after") == figures_sheet(tmp_path / "before")
    assert b"seeds" in figures_sheet(tmp_path / "after")  # the articles' addresses, linked after all



def test_a_run_past_the_limit_writes_figures_csv_before_it_reconciles(tmp_path, monkeypatch):
    from casualties.writers import csvfile
    from conftest import SEEDS

    write_csv, reconcile = csvfile.write_csv, api.reconcile
    api.run([SEEDS], tmp_path / "beside", db=False, jobs=1, corrections=False)
    order = []
    monkeypatch.setattr(api, "FIGURES_CSV_MEANWHILE_ROWS", 0)
    # run imports the writer where it uses it: the patched module attribute is what it gets
    monkeypatch.setattr(csvfile, "write_csv", lambda frame, path: order.append(path.name) or write_csv(frame, path))
    monkeypatch.setattr(api, "reconcile", lambda frame: order.append("reconcile") or reconcile(frame))
    api.run([SEEDS], tmp_path / "first", db=False, jobs=1, corrections=False)
    assert order[:2] == ["figures.csv", "reconcile"]
    assert (tmp_path / "first" / "figures.csv").read_bytes() == (tmp_path / "beside" / "figures.csv").read_bytes()


def test_a_claims_sheet_made_beforehand_gives_the_same_workbook(tmp_path, seed_extraction, monkeypatch):
    from casualties.reconcile import reconcile
    from casualties.writers import bulkrows
    from casualties.writers.workbook import claims_sheet_meanwhile, figures_sheet_meanwhile, write_workbook

    frame = figures_with_an_arabic_claimant(seed_extraction)
    comparison = reconcile(frame)
    about = {"run": "fixed", "conventions_rows": []}
    write_workbook(tmp_path / "plain.xlsx", frame, comparison, about, changes=frame.head(0))
    claims, figures = claims_sheet_meanwhile(comparison.claims), figures_sheet_meanwhile(frame)
    claims.result(), figures.result()
    rendered = []
    original = bulkrows._render_sheet
    monkeypatch.setattr(bulkrows, "_render_sheet", lambda xml, bulk: rendered.append(len(bulk.frame)) or original(xml, bulk))
    write_workbook(tmp_path / "made.xlsx", frame, comparison, about, changes=frame.head(0), figures_sheet=figures,
                   claims_sheet=claims)
    assert len(comparison.claims) not in rendered and len(frame) not in rendered and rendered  # both taken
    assert workbook_members(tmp_path / "made.xlsx") == workbook_members(tmp_path / "plain.xlsx")
    # Made from other claims (another placeholder: its filter's range): made again with the workbook.
    other = claims_sheet_meanwhile(comparison.claims.head(len(comparison.claims) - 1))
    write_workbook(tmp_path / "again.xlsx", frame, comparison, about, changes=frame.head(0), claims_sheet=other)
    assert workbook_members(tmp_path / "again.xlsx") == workbook_members(tmp_path / "plain.xlsx")
    assert other.result().member.file.closed


def test_a_run_makes_its_claims_sheet_while_the_rest_of_the_workbook_is_built(tmp_path, monkeypatch):
    import re

    from casualties.writers import workbook
    from conftest import SEEDS

    original = workbook.claims_sheet_meanwhile
    monkeypatch.setattr(workbook, "claims_sheet_meanwhile", lambda claims: None)  # made with the workbook
    api.run([SEEDS], tmp_path / "before", db=False, jobs=1, corrections=False)
    made = []
    monkeypatch.setattr(workbook, "claims_sheet_meanwhile", lambda claims: made.append(len(claims)) or original(claims))
    api.run([SEEDS], tmp_path / "after", db=False, jobs=1, corrections=False)
    assert made and made[0] > 0

    def members(out):  # the About sheet's run time aside
        found = workbook_members(out / "comparison.xlsx")
        return {name: re.sub(rb"\d{4}-\d\d-\d\d \d\d:\d\d UTC", b"", data) for name, data in found.items()}

    assert members(tmp_path / "after") == members(tmp_path / "before")
