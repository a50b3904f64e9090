"""A small rerun compiles only the language packs it meets before its workers start, and imports
the reports' modules while they extract."""
import multiprocessing
import subprocess
import sys

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
