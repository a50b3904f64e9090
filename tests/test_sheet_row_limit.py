"""Tables longer than a sheet go on in numbered sheets ("Figures (2)", ...), each with its header.

Excel's limit is 1,048,576 rows a sheet; the tests lower it to a few rows instead of writing a million.
"""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from casualties.reconcile import reconcile
from casualties.store import CHANGE_COLUMNS
from casualties.writers import bulkrows, write_workbook
from casualties.writers import workbook as workbook_module
from test_workbook import figure, frame, header

ROWS_PER_SHEET = 3
OUTCOMES = ["killed", "wounded", "missing", "executed", "detained", "evacuated", "displaced", "present"]


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setattr(bulkrows, "SHEET_ROW_LIMIT", ROWS_PER_SHEET + 1)  # the header and three rows


@pytest.fixture
def figures() -> pd.DataFrame:
    # Eight things counted, so eight groups; every other figure from a web page.
    rows = [figure(outcome=outcome, low=10 + n, high=10 + n, claimed_by=("sohr", "amaq")[n % 2],
                   url=f"https://news.example/{n}" if n % 2 == 0 else None,
                   corrected="low" if n == 7 else "")
            for n, outcome in enumerate(OUTCOMES)]
    return frame(*rows)


def changes_table(n: int) -> pd.DataFrame:
    table = pd.DataFrame({name: [None] * n for name in CHANGE_COLUMNS})
    table["change"], table["figure_id"] = "new", [f"f{i}" for i in range(n)]
    return table


def sheet_rows(book, name: str) -> list[list]:
    return [[cell.value for cell in row] for row in book[name].iter_rows(min_row=2)]


def continued(book, title: str) -> list[str]:
    return [name for name in book.sheetnames if name == title or name.startswith(f"{title} (")]


def test_a_table_past_the_row_limit_goes_on_in_numbered_sheets_with_its_header(tmp_path, limited, figures):
    path = tmp_path / "book.xlsx"
    comparison = reconcile(figures)
    write_workbook(path, figures, comparison, {"conventions_rows": []}, changes=changes_table(5))
    book = load_workbook(path)

    assert book.sheetnames == [
        "Comparison", "Comparison (2)", "Comparison (3)", "Claims", "Claims (2)", "Claims (3)",
        "Figures", "Figures (2)", "Figures (3)", "Changes", "Changes (2)", "Sources", "Chart", "About"]
    for title, table in (("Figures", figures), ("Claims", comparison.claims), ("Comparison", comparison.groups),
                         ("Changes", changes_table(5))):
        names = continued(book, title)
        headers = [header(book[name]) for name in names]
        assert all(found == headers[0] for found in headers), title
        parts = [sheet_rows(book, name) for name in names]
        assert [len(part) for part in parts] == [min(ROWS_PER_SHEET, len(table) - ROWS_PER_SHEET * i)
                                                for i in range(len(names))]
        first_column = headers[0][0]
        assert [row[0] for part in parts for row in part] == table[first_column].tolist(), title
        for name, part in zip(names, parts):
            assert book[name].auto_filter.ref == f"A1:{bulkrows.get_column_letter(len(headers[0]))}{len(part) + 1}"
            assert book[name].freeze_panes is not None


def test_continued_figure_sheets_keep_links_fills_and_the_about_sheet_says_where_rows_went(tmp_path, limited,
                                                                                          figures):
    path = tmp_path / "book.xlsx"
    write_workbook(path, figures, reconcile(figures), {"conventions_rows": []})
    book = load_workbook(path)
    names = header(book["Figures"])
    url, low = names.index("url") + 1, names.index("low") + 1
    links = {name: [row[url - 1].hyperlink.target for row in book[name].iter_rows(min_row=2) if row[url - 1].hyperlink]
             for name in continued(book, "Figures")}
    assert links == {"Figures": ["https://news.example/0", "https://news.example/2"],
                     "Figures (2)": ["https://news.example/4"], "Figures (3)": ["https://news.example/6"]}
    # The eighth figure, corrected by hand, is the second row of the third sheet: its fill is there.
    fills = [rule for rules in book["Figures (3)"].conditional_formatting for rule in rules.rules]
    ranges = [str(rules.sqref) for rules in book["Figures (3)"].conditional_formatting]
    letter = bulkrows.get_column_letter(low)
    assert fills and f"{letter}2:{letter}3" in ranges
    about = {row[0].value: row[1].value for row in book["About"].iter_rows(min_row=2) if row[0].value}
    assert "Figures (2), Figures (3)" in about["continued sheets"] and "3 rows" in about["continued sheets"]


def test_notes_of_the_first_groups_stay_on_their_rows_across_comparison_sheets(tmp_path, limited, figures,
                                                                             monkeypatch):
    monkeypatch.setattr(workbook_module, "MAX_COMMENTED_ROWS", 4)
    path = tmp_path / "book.xlsx"
    comparison = reconcile(figures)
    write_workbook(path, figures, comparison, {"conventions_rows": []})
    book = load_workbook(path)
    noted = []
    for name in continued(book, "Comparison"):
        for row in book[name].iter_rows(min_row=2):
            if any(cell.comment for cell in row):
                noted.append(row[0].value)
    assert noted == comparison.groups["group_id"].head(4).tolist()


def test_a_table_that_fits_keeps_one_sheet(tmp_path, figures):
    path = tmp_path / "book.xlsx"
    write_workbook(path, figures, reconcile(figures), {"conventions_rows": []})
    book = load_workbook(path)
    assert not [name for name in book.sheetnames if "(" in name]
    about = {row[0].value for row in book["About"].iter_rows(min_row=2)}
    assert "continued sheets" not in about
