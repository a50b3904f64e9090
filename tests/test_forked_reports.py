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


def test_the_forked_reports_are_those_made_here(tmp_path, monkeypatch, here):
    rendered = []
    original = bulkrows._render_sheet
    monkeypatch.setattr(bulkrows, "_render_sheet", lambda xml, bulk: rendered.append(len(bulk.frame)) or original(xml, bulk))
    result = api.run([SEEDS], tmp_path, db=False, jobs=1, corrections=False)
    assert reports(tmp_path) == here
    assert len(result.extraction.figures) not in rendered and rendered  # the sheet was taken from the child
    assert not list(tmp_path.glob(".sheet-*"))


@pytest.mark.parametrize("failure", ["sheet raises", "child dies", "csv raises"])
def test_a_forked_process_that_fails_costs_nothing(tmp_path, monkeypatch, here, failure):
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
