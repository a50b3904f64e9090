"""Repeated texts held once each (table.compact_text, store._compact_column): the reports made
from a compact figure table are the reports made from the same table in text, byte for byte."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from casualties.api import extract_articles, run
from casualties.reconcile import reconcile
from casualties.store import Store, _compact_column, _copy_type
from casualties.table import REPEATED_TEXT_COLUMNS, compact_text, expand_text, figures_frame
from casualties.writers.csvfile import write_csv
from casualties.writers.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "seeds", ROOT / "tests" / "fixtures" / "english_articles"]


@pytest.fixture(scope="module")
def text_frame() -> pd.DataFrame:
    frame = figures_frame(extract_articles(INPUTS).figures)
    # Blanks and a formula-like text among the repeated columns, as real tables have them.
    frame.loc[0, "claimed_by_text"] = "=HYPERLINK(1)"
    frame.loc[1, "actor"] = None
    return frame


def test_compact_text_makes_sorted_categoricals_and_expand_text_gives_the_table_back(text_frame):
    compact = compact_text(text_frame.copy())
    for name in REPEATED_TEXT_COLUMNS:
        assert isinstance(compact[name].dtype, pd.CategoricalDtype), name
        categories = list(compact[name].cat.categories)
        assert categories == sorted(categories), name
    for name in ("figure_id", "quote", "number_text", "subset_of"):
        assert not isinstance(compact[name].dtype, pd.CategoricalDtype), name
    pd.testing.assert_frame_equal(expand_text(compact), text_frame)


def test_figures_csv_and_comparison_are_the_same_from_a_compact_table(text_frame, tmp_path):
    compact = compact_text(text_frame.copy())
    write_csv(text_frame, tmp_path / "text.csv")
    write_csv(compact, tmp_path / "compact.csv")
    assert (tmp_path / "text.csv").read_bytes() == (tmp_path / "compact.csv").read_bytes()

    from_text, from_compact = reconcile(text_frame), reconcile(compact)
    pd.testing.assert_frame_equal(from_compact.groups, from_text.groups)
    pd.testing.assert_frame_equal(from_compact.claims, from_text.claims)
    assert from_compact.claimants == from_text.claimants


def _sheets(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name.startswith("xl/worksheets/")}


def test_the_workbook_is_the_same_from_a_compact_table(text_frame, tmp_path):
    compact = compact_text(text_frame.copy())
    about = {"run date": "2026-11-24"}
    write_workbook(tmp_path / "text.xlsx", text_frame, reconcile(text_frame), about)
    write_workbook(tmp_path / "compact.xlsx", compact, reconcile(compact), about)
    assert _sheets(tmp_path / "text.xlsx") == _sheets(tmp_path / "compact.xlsx")


def test_a_dictionary_column_is_encoded_with_sorted_values_and_blanks_as_nulls():
    column = _compact_column(pa, pa.compute, "claimed_by", pa.array(["sohr", None, "amaq", "sohr"], pa.large_string()))
    assert column.type == _copy_type(pa, "claimed_by")
    assert column.dictionary.to_pylist() == ["amaq", "sohr"]
    assert column.to_pylist() == ["sohr", None, "amaq", "sohr"]
    quote = pa.array(["a", "a"], pa.large_string())
    assert _compact_column(pa, pa.compute, "quote", quote) is quote  # not a repeated column


def test_the_store_keeps_repeated_texts_once_and_gives_text_to_researchers(tmp_path):
    first = run([ROOT / "seeds"], tmp_path, jobs=1)
    again = run([ROOT / "seeds"], tmp_path, jobs=1, reuse_reports=False)  # read through the figure copy
    for result in (first, again):
        table = result.extraction.figures
        assert isinstance(table.fields["outcome"].dtype, pd.CategoricalDtype)
        assert not isinstance(result.extraction.frame()["outcome"].dtype, pd.CategoricalDtype)
        pd.testing.assert_frame_equal(result.extraction.frame(), figures_frame(list(table)))
    copy = next(tmp_path.glob("*-figures.arrow"))
    schema = pa.ipc.open_file(pa.OSFile(str(copy))).schema
    assert pa.types.is_dictionary(schema.field("claimed_by").type)
    assert not pa.types.is_dictionary(schema.field("quote").type)
    with Store(tmp_path / "casualties.sqlite", create=False) as store:
        assert store.db.execute("SELECT count(*) FROM figures").fetchone()[0] == len(first.extraction.figures)
