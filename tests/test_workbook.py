"""Read the workbook (and the CSV/JSONL files) back and check values, RTL, comments, charts and safe text."""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import subprocess

import pandas as pd
import pytest
from openpyxl import load_workbook

from casualties.reconcile import reconcile
from casualties.table import COLUMN_NAMES
from casualties.writers import atomic_write, write_csv, write_jsonl, write_workbook
from casualties.writers import workbook as workbook_module
from casualties.writers.workbook import SHEETS

INJECTIONS = ('=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1", "#N/A")
ARABIC_QUOTE = "أفاد المرصد السوري بمقتل 251 عنصراً على الأقل من قوات النظام"
_ids = itertools.count()


def figure(**fields) -> dict:
    row = dict.fromkeys(COLUMN_NAMES)
    row.update(
        figure_id=f"f{next(_ids)}", doc_id="doc", publisher="outlet", language="ar", claimed_by="sohr",
        claimed_by_text="المرصد السوري", attribution="explicit", population="combatants",
        actor="syrian_government", outcome="killed", unit="people", qualifier="exact", stance="asserted",
        quote="", rule="test", period_start="2018-04-19", period_end="2018-05-21", published="2018-05-21",
        number_text="", start=0, end=1,
    )
    row.update(fields)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    table = pd.DataFrame(list(rows))
    for name in ("low", "high", "start", "end"):
        table[name] = table[name].astype("Int64")
    return table


@pytest.fixture
def figures() -> pd.DataFrame:
    evacuated = dict(population="combatants", actor="islamic_state", outcome="evacuated",
                     period_start="2018-05-20", period_end="2018-05-21")
    rows = [
        figure(claimed_by="sohr", publisher="afp", low=251, high=None, qualifier="at_least", quote=ARABIC_QUOTE,
               url="https://www.afp.com/ar/1"),
        figure(claimed_by="sohr", publisher="reuters", low=251, high=None, qualifier="at_least", quote=ARABIC_QUOTE,
               url="javascript:alert(1)"),
        figure(claimed_by="amaq", publisher="amaq", low=900, high=900, quote=INJECTIONS[0], url=None),
        figure(claimed_by="activists", low=60, high=60, qualifier="about", quote=INJECTIONS[1], url="", **evacuated),
        figure(claimed_by="khaled_abdel_majid", low=2000, high=2000, qualifier="about", quote=INJECTIONS[2],
               claimed_by_text=INJECTIONS[3], url="https://news.example/a?x=1&y=2", **evacuated),
        figure(claimed_by="orient_net", low=0, high=0, quote=INJECTIONS[3], url=None, **evacuated),
        figure(claimed_by="sana", low=12, high=12, outcome="wounded", quote=INJECTIONS[4], url=None),
        figure(claimed_by="sana", low=3, high=3, outcome="missing", quote=INJECTIONS[5], url=None),
    ]
    return frame(*rows)


@pytest.fixture
def written(tmp_path, figures):
    comparison = reconcile(figures)
    path = tmp_path / "report.xlsx"
    about = {"run date": "2026-11-23", "inputs": ["seeds/"], "rules version": "abc123",
             "conventions_rows": [["written", "low", "high", "qualifier"], ["نحو 60", "60", "60", "about"]]}
    sources = {"sohr": {"kind": "monitor", "name": "Syrian Observatory for Human Rights"}}
    write_workbook(path, figures, comparison, about, sources)
    return path, comparison, load_workbook(path)


def header(sheet) -> list:
    return [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]


def rows_by(sheet, column: str) -> dict:
    names = header(sheet)
    index = names.index(column)
    return {row[index].value: dict(zip(names, row)) for row in sheet.iter_rows(min_row=2) if row[index].value}


def test_sheet_names(written):
    _, _, book = written
    assert book.sheetnames == list(SHEETS)


def test_comparison_has_one_column_per_claimant_with_display_strings(written):
    _, comparison, book = written
    sheet = book["Comparison"]
    names = header(sheet)
    start = names.index("period") + 1
    assert names[start: start + len(comparison.claimants)] == comparison.claimants
    assert names[start + len(comparison.claimants):] == ["n_claimants", "low", "high", "spread_ratio", "flags"]
    rows = rows_by(sheet, "group_id")
    assert len(rows) == len(comparison.groups)
    damascus = next(row for row in rows.values() if row["actor"].value == "syrian_government"
                    and row["outcome"].value == "killed")
    assert damascus["sohr"].value == "≥251"
    assert damascus["amaq"].value == "900"
    assert damascus["spread_ratio"].value == pytest.approx(900 / 251)
    assert damascus["spread_ratio"].number_format == "0.00"
    evacuated = next(row for row in rows.values() if row["outcome"].value == "evacuated")
    assert evacuated["flags"].value == "contradiction"
    assert evacuated["orient_net"].value == "0"


def test_claimant_cells_carry_the_quote_and_outlets_as_a_comment(written):
    _, _, book = written
    rows = rows_by(book["Comparison"], "group_id")
    damascus = next(row for row in rows.values() if row["sohr"].value == "≥251")
    comment = damascus["sohr"].comment
    assert comment is not None
    assert ARABIC_QUOTE in comment.text
    assert "afp, reuters" in comment.text
    assert damascus["amaq"].comment.text.startswith("«" + INJECTIONS[0])
    assert damascus["group_id"].comment is None


def test_comparison_sheet_is_frozen_filtered_and_colour_scaled(written):
    _, comparison, book = written
    sheet = book["Comparison"]
    names = header(sheet)
    first_claimant = names.index(comparison.claimants[0]) + 1
    assert sheet.freeze_panes == f"{chr(64 + first_claimant)}2"
    assert sheet.auto_filter.ref == f"A1:{chr(64 + len(names))}{len(comparison.groups) + 1}"
    ratio = chr(64 + names.index("spread_ratio") + 1)
    ranges = {str(rule_range.sqref): rule_range.rules for rule_range in sheet.conditional_formatting}
    assert [rule.type for rule in ranges[f"{ratio}2:{ratio}{len(comparison.groups) + 1}"]] == ["colorScale"]
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= len("group_id")


def test_figures_sheet_holds_every_figure_with_rtl_arabic_and_links(written, figures):
    _, _, book = written
    sheet = book["Figures"]
    assert header(sheet) == [*COLUMN_NAMES, "url"]
    rows = rows_by(sheet, "figure_id")
    assert set(rows) == set(figures["figure_id"])
    arabic = rows[figures.loc[0, "figure_id"]]
    assert arabic["quote"].value == ARABIC_QUOTE
    assert arabic["quote"].alignment.readingOrder == 2
    assert arabic["quote"].alignment.horizontal == "right"
    assert arabic["rule"].alignment.readingOrder in (None, 0, 0.0)
    assert arabic["low"].value == 251 and arabic["low"].data_type == "n"
    assert arabic["high"].value is None
    assert arabic["url"].hyperlink.target == "https://www.afp.com/ar/1"
    assert rows[figures.loc[4, "figure_id"]]["url"].hyperlink.target == "https://news.example/a?x=1&y=2"
    script = rows[figures.loc[1, "figure_id"]]["url"]
    assert script.value == "javascript:alert(1)" and script.hyperlink is None


@pytest.mark.parametrize("sheet_name, column", [("Figures", "quote"), ("Claims", "quote")])
def test_text_that_looks_like_a_formula_is_stored_as_text(written, sheet_name, column):
    _, _, book = written
    values = {cell.value: cell for row in rows_by(book[sheet_name], "figure_id" if sheet_name == "Figures"
                                                  else "figure_ids").values() for cell in [row[column]]}
    for injection in INJECTIONS:
        assert injection in values, injection
        assert values[injection].data_type == "s"
        assert values[injection].quotePrefix


def test_formula_like_text_written_through_openpyxl_cells_is_text_too(written):
    _, _, book = written
    names = {row["claimant"].value: row for row in rows_by(book["Sources"], "claimant").values()}
    cell = names["khaled_abdel_majid"]["names in the text"]
    assert cell.value == INJECTIONS[3] and cell.data_type == "s"
    comment = rows_by(book["Comparison"], "group_id")
    assert any(row["amaq"].comment and INJECTIONS[0] in row["amaq"].comment.text for row in comment.values())


def test_comparison_rows_past_the_comment_limit_are_written_in_bulk(tmp_path, figures, monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_COMMENTED_ROWS", 1)
    comparison = reconcile(figures)
    path = tmp_path / "bulk.xlsx"
    write_workbook(path, figures, comparison, {})
    sheet = load_workbook(path)["Comparison"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = comparison.groups
    assert [row[0] for row in rows] == expected["group_id"].tolist()
    names = header(sheet)
    for row, group in zip(rows, expected.itertuples(index=False)):
        for claimant in comparison.claimants:
            assert (row[names.index(claimant)] or "") == getattr(group, claimant)
    assert sheet.cell(row=3, column=names.index("spread_ratio") + 1).number_format == "0.00"
    first = [sheet.cell(row=2, column=names.index(claimant) + 1) for claimant in comparison.claimants]
    assert all(cell.comment is not None for cell in first if cell.value)
    assert all(cell.comment is None for cell in sheet[3])
    about = load_workbook(path)["About"]
    assert any("Claims sheet" in str(cell.value) for row in about.iter_rows() for cell in row)


def test_an_empty_figure_table_still_gives_every_sheet(tmp_path):
    empty = pd.DataFrame(columns=list(COLUMN_NAMES))
    path = tmp_path / "empty.xlsx"
    write_workbook(path, empty, reconcile(empty), {"run": "empty"})
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    assert header(book["Figures"]) == list(COLUMN_NAMES)
    assert book["Figures"].max_row == 1 and book["Comparison"].max_row == 1


def test_text_xml_cannot_hold_is_dropped_and_long_text_is_cut(tmp_path):
    rows = frame(
        figure(quote="bad\x00\x1bchars\x0b here", low=1, high=1, claimed_by="a\x07b"),
        figure(quote="x" * 40_000, low=2, high=2, outcome="wounded"),
    )
    path = tmp_path / "odd.xlsx"
    write_workbook(path, rows, reconcile(rows), {})
    book = load_workbook(path)
    quotes = [row["quote"].value for row in rows_by(book["Figures"], "figure_id").values()]
    assert quotes[0] == "badchars here"
    assert len(quotes[1]) == 32_767
    assert "ab" in header(book["Comparison"])


def test_a_lone_surrogate_in_an_article_reaches_the_workbook_as_a_replacement_character(tmp_path):
    # JSON escapes can carry lone surrogates; no table, CSV or workbook can hold one
    from casualties.api import extract_figures
    from casualties.model import Article
    from casualties.table import figures_frame

    article = Article("odd", "At least 12 civilians \ud800 were killed on Sunday.", language="en")
    assert article.text[22] == "\ufffd" and len(article.text) == 46
    rows = figures_frame(extract_figures(article))
    path = tmp_path / "surrogate.xlsx"
    write_workbook(path, rows, reconcile(rows), {})
    quotes = [row["quote"].value for row in rows_by(load_workbook(path)["Figures"], "figure_id").values()]
    assert quotes and "\ufffd" in quotes[0]


def test_sources_sheet_lists_each_claimant_with_kind_names_and_counts(written, figures):
    _, _, book = written
    rows = {row["claimant"].value: {name: cell.value for name, cell in row.items()}
            for row in rows_by(book["Sources"], "claimant").values()}
    assert set(rows) == set(figures["claimed_by"])
    assert rows["sohr"]["kind"] == "monitor"
    assert rows["sohr"]["name"] == "Syrian Observatory for Human Rights"
    assert rows["sohr"]["names in the text"] == "المرصد السوري"
    assert rows["sohr"]["figures"] == 2
    assert rows["amaq"]["kind"] == "unknown"
    assert rows["sana"]["figures"] == 2 and rows["sana"]["groups"] == 2


def test_chart_sheet_has_a_floating_bar_chart_per_group_with_several_claimants(written):
    _, comparison, book = written
    sheet = book["Chart"]
    several = (comparison.groups["n_claimants"] >= 2).sum()
    assert several == 2
    assert len(sheet._charts) == several
    chart = sheet._charts[0]
    assert chart.type == "bar" and chart.grouping == "stacked"
    assert len(chart.series) == 2
    assert chart.series[0].graphicalProperties.noFill
    assert f"{several} of {several} groups" in sheet["A1"].value


def test_about_sheet_prints_the_run_and_the_conventions(written):
    _, _, book = written
    values = [[cell.value for cell in row] for row in book["About"].iter_rows()]
    pairs = {row[0]: row[1] for row in values if row[0]}
    assert pairs["run date"] == "2026-11-23"
    assert pairs["inputs"] == "seeds/"
    assert pairs["rules version"] == "abc123"
    assert ["نحو 60", "60", "60", "about"] in [row[:4] for row in values]


def test_conventions_rows_are_read_from_the_repository_docs():
    rows = workbook_module.conventions_rows()
    if not workbook_module.CONVENTIONS_FILE.is_file():
        pytest.skip("docs/CONVENTIONS.md is not beside the package")
    assert ["written", "low", "high", "qualifier"] in rows
    assert any(row[-1] == "at_least" for row in rows)


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, figures, monkeypatch):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook_module, "splice_rows", broken)
    with pytest.raises(RuntimeError):
        write_workbook(path, figures, reconcile(figures), {})
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["report.xlsx"]


def test_atomic_write_replaces_the_file_whole(tmp_path):
    path = tmp_path / "out" / "a.txt"
    with atomic_write(path, "w", encoding="utf-8") as out:
        out.write("new")
        assert not path.exists()
    assert path.read_text(encoding="utf-8") == "new"
    assert os.listdir(path.parent) == ["a.txt"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_csv_has_a_byte_order_mark_and_defused_formulas(tmp_path, figures):
    path = tmp_path / "figures.csv"
    write_csv(figures, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    quotes = [row["quote"] for row in rows]
    for injection in INJECTIONS[:5]:
        assert "'" + injection in quotes
    assert ARABIC_QUOTE in quotes
    assert "#N/A" in quotes
    assert rows[0]["low"] == "251" and rows[2]["high"] == "900"


def test_csv_leaves_negative_numbers_alone(tmp_path):
    path = tmp_path / "n.csv"
    write_csv(pd.DataFrame({"count": pd.array([-3, None], dtype="Int64"), "text": ["-3", None]}), path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["count,text", "-3,'-3", ","]


def test_jsonl_round_trips_text_as_written(tmp_path, figures):
    path = tmp_path / "figures.jsonl"
    write_jsonl(figures, path)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(figures)
    assert records[0]["quote"] == ARABIC_QUOTE
    assert records[2]["quote"] == INJECTIONS[0]
    assert records[0]["high"] is None and records[0]["low"] == 251


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_libreoffice_opens_the_workbook_and_keeps_text_as_text(tmp_path, written):
    path, _, _ = written
    office = shutil.which("soffice") or shutil.which("libreoffice")
    out = tmp_path / "converted"
    result = subprocess.run(
        [office, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    converted = out / path.name
    assert result.returncode == 0 and converted.is_file(), result.stderr
    book = load_workbook(converted)
    assert book.sheetnames == list(SHEETS)
    column = COLUMN_NAMES.index("quote") + 1
    cells = {cell.value: cell for cell in next(book["Figures"].iter_cols(min_col=column, max_col=column))}
    # Had LibreOffice read the quote as a formula, the cell would come back with data_type "f".
    assert cells[INJECTIONS[0]].data_type == "s"
    assert cells[ARABIC_QUOTE].data_type == "s"


def test_column_widths_of_object_text_columns_skip_blanks_as_other_columns_do():
    import numpy as np

    from casualties.writers.workbook import _longest_written

    for values in (["", "≥251", None, "12", np.nan, "مقتل 5 مدنيين"], [None, np.nan], [], ["", ""]):
        column = pd.Series(values, dtype=object)
        shown = column[column.notna()]
        assert _longest_written(column) == max(map(len, map(str, shown.tolist())), default=0)
    assert _longest_written(pd.Series(["x", 12345678, None], dtype=object)) == 8  # not only texts: as before
