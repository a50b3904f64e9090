"""Hand corrections: applied on every run, kept across reruns, never dropped in silence."""
import csv
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from casualties import api
from casualties.cli import cli
from casualties.corrections import ADDED_RULE, apply_corrections, read_corrections
from test_store import write_corpus

HEADER = ["figure_id", "field", "value", "note", "reviewer", "date"]


def write_corrections(path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(list(row) + [""] * (len(HEADER) - len(row)))


pytestmark = pytest.mark.usefixtures("pinned_rules")


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, 30, seed=5)
    return folder


def added_value(doc_id: str) -> str:
    return json.dumps({
        "doc_id": doc_id, "number_text": "40", "quote": "40 people were killed", "low": 40, "high": 40,
        "qualifier": "exact", "population": "civilians", "outcome": "killed", "claimed_by": "sohr",
    })


def test_reject_edit_and_add_survive_reruns(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    figures = first.extraction.figures
    rejected, edited = figures[0], next(f for f in figures[1:] if f.doc_id != figures[0].doc_id)
    write_corrections(out / "corrections.csv", [
        (rejected.figure_id, "reject", "", "not a casualty count", "rm", "2024-01-02"),
        (edited.figure_id, "low", "7", "misread", "rm", "2024-01-02"),
        (edited.figure_id, "qualifier", "at_least"),
        ("hand-1", "add", added_value(edited.doc_id), "rules missed it", "rm"),
    ])
    unrelated = next(f.doc_id for f in figures if f.doc_id not in (rejected.doc_id, edited.doc_id))

    def check(result):
        by_id = {f.figure_id: f for f in result.extraction.figures}
        assert rejected.figure_id not in by_id
        assert (by_id[edited.figure_id].low, by_id[edited.figure_id].qualifier) == (7, "at_least")
        added = by_id["hand-1"]
        assert (added.low, added.claimed_by, added.attribution, added.rule) == (40, "sohr", "explicit", ADDED_RULE)
        assert added.published == edited.published and added.publisher == edited.publisher
        assert result.extraction.corrected == {edited.figure_id: ("low", "qualifier"), "hand-1": ("add",)}
        assert result.extraction.corrections_applied == 4 and not result.extraction.corrections_not_applied
        rows = {row["figure_id"]: row for row in csv.DictReader((out / "figures.csv").open(encoding="utf-8-sig"))}
        assert rows[edited.figure_id]["corrected"] == "low;qualifier" and rows[edited.figure_id]["low"] == "7"
        assert rejected.figure_id not in rows and rows["hand-1"]["corrected"] == "add"

    check(api.run([corpus], out, jobs=1))
    path = corpus / f"{unrelated}.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = api.run([corpus], out, jobs=1)
    assert again.extraction.extracted == 1
    check(again)
    check(api.run([corpus], out, jobs=1))


def test_corrected_cells_are_marked_in_the_workbook(corpus, tmp_path):
    out = tmp_path / "reports"
    figure = api.run([corpus], out, jobs=1).extraction.figures[0]
    write_corrections(out / "corrections.csv", [(figure.figure_id, "high", "99")])
    api.run([corpus], out, jobs=1)
    sheet = load_workbook(out / "comparison.xlsx")["Figures"]
    names = [cell.value for cell in sheet[1]]
    assert names[-1] == "corrected"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[figure.figure_id][names.index("corrected")] == "high"
    assert rows[figure.figure_id][names.index("high")] == 99
    high_column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[names.index("high")]
    ranges = [str(rule.sqref) for rule in sheet.conditional_formatting]
    assert any(r.startswith(high_column + "2:") for r in ranges)


def test_a_correction_of_a_vanished_figure_is_reported(corpus, tmp_path):
    out = tmp_path / "reports"
    api.run([corpus], out, jobs=1)
    write_corrections(out / "corrections.csv", [("0123456789abcdef", "low", "5"), ("fedcba9876543210", "reject")])
    warnings = []
    result = api.run([corpus], out, jobs=1, on_problem=warnings.append)
    assert len(result.extraction.corrections_not_applied) == 2
    assert [w.line for w in warnings if "not applied" in w.message] == [2, 3]
    output = CliRunner().invoke(cli, ["run", str(corpus), "--out", str(out), "--jobs", "1"]).output
    assert "corrections: 0 applied, 2 not applied" in output
    assert "0123456789abcdef" in output


def test_bad_rows_are_reported_with_file_and_line(tmp_path):
    path = tmp_path / "corrections.csv"
    write_corrections(path, [
        ("f1", "low", "seven"),
        ("f1", "colour", "red"),
        ("", "low", "3"),
        ("x", "add", "{not json"),
        ("x", "add", json.dumps({"doc_id": "a"})),
        ("f1", "qualifier", "roughly"),
        ("f1", "period_end", "21/05/2018"),
        ("f1", "reject"),
        ("f1", "high", ""),
    ])
    corrections, issues = read_corrections(path)
    assert [issue.line for issue in issues] == [2, 3, 4, 5, 6, 7, 8]
    assert all(str(issue).startswith(f"{path}:") for issue in issues)
    assert "low" in issues[0].message and "colour" in issues[1].message and "JSON" in issues[3].message
    assert "number_text" in issues[4].message and "roughly" in issues[5].message
    assert [(c.line, c.field, c.value) for c in corrections] == [(9, "reject", None), (10, "high", None)]


def test_a_file_without_the_columns_is_one_error(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("id,what\n1,2\n", encoding="utf-8")
    corrections, issues = read_corrections(path)
    assert not corrections and len(issues) == 1 and issues[0].line == 1 and "figure_id" in issues[0].message


def test_adding_a_figure_that_exists_is_reported(tmp_path):
    path = tmp_path / "corrections.csv"
    write_corrections(path, [("hand-1", "add", added_value("a")), ("hand-1", "add", added_value("a"))])
    corrections, issues = read_corrections(path)
    result = apply_corrections([], corrections)
    assert len(result.figures) == 1 and not issues
    assert len(result.issues) == 1 and result.issues[0].line == 3
