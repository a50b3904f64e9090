"""figures.csv and the Figures sheet made in a forked process are those made here; a child that
fails or dies costs nothing but the time: this process makes them instead."""
from __future__ import annotations

import os
import sys

import pytest

from casualties import api
from casualties.writers import bulkrows, forked, workbook
from conftest import SEEDS
from test_rerun_overlap import workbook_members

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def fail(message):
    raise ValueError(message)


def test_forked_hands_back_the_result_or_the_error():
    assert forked.forked(sum, [1, 2, 3]).result(timeout=60) == 6
    with pytest.raises(ValueError, match="no luck"):
        forked.forked(fail, "no luck").result(timeout=60)
    with pytest.raises(RuntimeError, match="status"):
        forked.forked(os._exit, 3).result(timeout=60)


def reports(out) -> dict:
    """Every report's content (the About sheet, which says when the run was, left out)."""
    members = {name: data for name, data in workbook_members(out / "comparison.xlsx").items()
               if b"tool version" not in data}
    return {"figures.csv": (out / "figures.csv").read_bytes(), "comparison.csv": (out / "comparison.csv").read_bytes(),
            **members}


@pytest.fixture()
def here(tmp_path_factory):
    out = tmp_path_factory.mktemp("here")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forked, "can_fork", lambda: False)
        api.run([SEEDS], out, db=False, jobs=1, corrections=False)
    return reports(out)


@pytest.fixture()
def fork_anyway(monkeypatch):
    """Fork though earlier tests left threads of their own waiting in this process (a run
    alone has none at that point; with one, it makes the sheet on a thread instead)."""
    monkeypatch.setattr(forked, "can_fork", lambda: True)


def test_the_forked_reports_are_those_made_here(tmp_path, monkeypatch, here, fork_anyway):
    rendered = []
    original = bulkrows._render_sheet
    monkeypatch.setattr(bulkrows, "_render_sheet", lambda xml, bulk: rendered.append(len(bulk.frame)) or original(xml, bulk))
    result = api.run([SEEDS], tmp_path, db=False, jobs=1, corrections=False)
    assert reports(tmp_path) == here
    assert len(result.extraction.figures) not in rendered and rendered  # the sheet was taken from the child
    assert not list(tmp_path.glob(".sheet-*"))


@pytest.mark.parametrize("failure", ["sheet raises", "child dies", "csv raises"])
def test_a_forked_process_that_fails_costs_nothing(tmp_path, monkeypatch, here, failure, fork_anyway):
    if failure == "sheet raises":
        monkeypatch.setattr(workbook, "figures_sheet_on_disk", lambda *args: fail("disk full"))
    elif failure == "child dies":
        monkeypatch.setattr(api, "_figure_outputs", lambda *args: os._exit(9))
    else:
        from casualties.writers import csvfile

        original = csvfile.write_csv
        parent = os.getpid()
        monkeypatch.setattr(csvfile, "write_csv",
                            lambda frame, path: fail("no room") if os.getpid() != parent else original(frame, path))
    api.run([SEEDS], tmp_path, db=False, jobs=1, corrections=False)
    assert reports(tmp_path) == here


CLEAN_RUN = """
import resource, sys
from casualties import api
api.rules_version = lambda: "pinned-rules"
api.run([sys.argv[1]], sys.argv[2], jobs=1, corrections=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss > 0)
"""


def test_a_run_on_its_own_forks_for_its_figure_outputs(tmp_path):
    """No worker processes (one job): a child seen is the one that made figures.csv and the sheet."""
    import subprocess

    from test_store import write_corpus

    write_corpus(tmp_path / "corpus", 3, seed=2)
    done = subprocess.run([sys.executable, "-c", CLEAN_RUN, str(tmp_path / "corpus"), str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True"]
    assert (tmp_path / "out" / "figures.csv").is_file() and (tmp_path / "out" / "comparison.xlsx").is_file()
