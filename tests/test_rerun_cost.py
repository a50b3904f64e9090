"""What keeps a small rerun cheap gives the same data and the same reports as the slow way."""
from __future__ import annotations

import subprocess
import sys
import zipfile
import zlib

import pytest
import yaml

from casualties.errors import DataFileError
from casualties.langpack import LANG_DIR, read_yaml
from casualties.reconcile import reconcile
from casualties.writers import bulkrows, write_workbook
from casualties.writers.csvfile import write_csv
from casualties.writers.problems import problems_frame, write_problems
from test_store import write_corpus


@pytest.mark.parametrize("path", sorted(LANG_DIR.rglob("*.yaml")), ids=lambda path: str(path.relative_to(LANG_DIR)))
def test_language_files_read_as_the_pure_python_loader_reads_them(path):
    with open(path, encoding="utf-8") as handle:
        expected = yaml.load(handle, Loader=yaml.SafeLoader)
    assert read_yaml(path) == expected


def test_a_broken_language_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "numbers.yaml"
    path.write_text("words:\n  one: 1\nqualifiers: [\n  about: x: y\n", encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_yaml(path)
    assert error.value.path == str(path)
    assert error.value.where in ("line 3", "line 4")
    assert "not valid YAML" in error.value.problem


def test_errors_csv_without_problems_is_the_header_write_csv_writes(tmp_path):
    write_problems([], tmp_path / "errors.csv")
    write_csv(problems_frame([]), tmp_path / "reference.csv")
    assert (tmp_path / "errors.csv").read_bytes() == (tmp_path / "reference.csv").read_bytes()


KEPT_REPORTS = """
import sys
from casualties import api
api.rules_version = lambda: "pinned-rules"
result = api.run([sys.argv[1]], sys.argv[2], jobs=1, corrections=False, reuse_reports=True)
loaded = "pandas" in sys.modules
print(result.reports_current, loaded, len(result.changes), type(result.changes).__name__)
"""


def test_a_rerun_that_keeps_its_reports_never_loads_pandas(tmp_path):
    write_corpus(tmp_path / "corpus", 6, seed=3)
    runs = [subprocess.run([sys.executable, "-c", KEPT_REPORTS, str(tmp_path / "corpus"), str(tmp_path / "out")],
                           capture_output=True, text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][:2] == ["False", "True"]  # the first run writes the reports, with pandas
    assert runs[1] == ["True", "False", "0", "DataFrame"]  # the second keeps them; its changes are still a table


def workbook_members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        assert book.testzip() is None  # every member's CRC-32 checks
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def test_sheets_deflated_on_their_own_threads_are_the_sheets_zlib_writes(tmp_path, seed_extraction, monkeypatch):
    frame = seed_extraction.frame()
    frame["url"] = "https://example.org/" + frame["doc_id"]
    comparison = reconcile(frame)
    about = {"run": "fixed", "conventions_rows": []}
    write_workbook(tmp_path / "fast.xlsx", frame, comparison, about, changes=frame.head(0))
    monkeypatch.setattr(bulkrows, "deflate_module", zlib)
    monkeypatch.setattr(bulkrows, "SHEET_THREADS", 1)
    write_workbook(tmp_path / "plain.xlsx", frame, comparison, about, changes=frame.head(0))
    fast, plain = workbook_members(tmp_path / "fast.xlsx"), workbook_members(tmp_path / "plain.xlsx")
    assert list(fast) == list(plain) and fast == plain
    assert fast["xl/worksheets/sheet3.xml"].count(b"<row ") == len(frame) + 1


def test_a_sheet_that_fails_leaves_no_workbook_and_no_temporary_file(tmp_path, seed_extraction, monkeypatch):
    frame = seed_extraction.frame()
    made = []
    original = bulkrows._DeflatedFile

    class Recorded(original):
        def __init__(self):
            super().__init__()
            made.append(self)

    def broken(bulk, styles, links, **options):
        if len(bulk.frame) == len(frame):
            raise RuntimeError("disk full")
        yield from rows(bulk, styles, links, **options)

    rows = bulkrows._row_chunks
    monkeypatch.setattr(bulkrows, "_DeflatedFile", Recorded)
    monkeypatch.setattr(bulkrows, "_row_chunks", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(tmp_path / "book.xlsx", frame, reconcile(frame), {"conventions_rows": []})
    assert list(tmp_path.iterdir()) == []
    assert made and all(member.file.closed for member in made)


def test_csv_rows_that_straddle_two_arrow_chunks_of_a_column_are_written(tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    import pandas as pd

    from casualties.writers import csvfile

    texts = [f"quote {n}, said \"x\"" if n % 3 else f"=formula {n}" for n in range(10)]
    chunked = pa.chunked_array([texts[:3], texts[3:7], texts[7:]], type=pa.large_string())
    frame = pd.DataFrame({"quote": pd.Series(pd.arrays.ArrowStringArray(chunked)), "n": range(10)})
    monkeypatch.setattr(csvfile, "CSV_CHUNK_ROWS", 4)  # rows 0-3 and 4-7 each straddle a chunk boundary
    write_csv(frame, tmp_path / "chunked.csv")
    write_csv(pd.DataFrame({"quote": texts, "n": range(10)}), tmp_path / "plain.csv")
    assert (tmp_path / "chunked.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_rows_sorted_by_pyarrow_come_in_the_order_pandas_sorts_them():
    pytest.importorskip("pyarrow")
    import numpy as np
    import pandas as pd

    from casualties import reconcile as reconcile_module

    rng = np.random.default_rng(5)
    n = 2_000
    days = pd.Series(pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 40, n), unit="D"))
    days[rng.random(n) < 0.2] = pd.NaT
    amounts = pd.Series(rng.integers(0, 30, n).astype(float))
    amounts[rng.random(n) < 0.2] = np.nan
    names = pd.Series(rng.choice(["sohr", "amaq", "مصدر عسكري", "Zed", "", "sana"], n))
    ids = pd.Series([f"{value:04x}" for value in rng.integers(0, 500, n)])  # ties, so the order of ties counts
    keys = (pd.Series(rng.integers(0, 9, n)), names, days, amounts, ids)
    by_arrow = reconcile_module._sorted_positions(*keys)
    assert by_arrow.tolist() == reconcile_module._sorted_positions_by_pandas(*keys).tolist()
    assert sorted(by_arrow.tolist()) == list(range(n))


def test_a_claims_outlets_are_distinct_and_in_text_order_whatever_their_script():
    from test_reconcile import figure, frame

    outlets = ["عنب بلدي", "afp", "Zaman", "afp", "الجزيرة", "ÉCHO", "afp"]
    figures = frame(*(figure(claimed_by="sohr", publisher=outlet, doc_id=f"d{n}", low=251, qualifier="at_least")
                      for n, outlet in enumerate(outlets)))
    claim = reconcile(figures).claims.iloc[0]
    assert claim["outlets"].split(";") == sorted(set(outlets))
    assert claim["n_outlets"] == len(set(outlets))
    assert sorted(claim["figure_ids"].split(";")) == sorted(figures["figure_id"])


def test_csv_text_columns_of_few_values_are_written_as_pandas_writes_them(tmp_path, monkeypatch):
    import pandas as pd

    from casualties.writers import csvfile
    from test_rerun_reports import reference_csv, written

    if not csvfile._ARROW:
        pytest.skip("pyarrow is not installed")
    odd = ["killed", "=SUM(A1)", "a, b", 'said "x"', "two\nlines", "cr\ronly", "", None, "-3", "مقتل"]
    frame = pd.DataFrame({
        "few": pd.Series([odd[n % len(odd)] for n in range(200)], dtype="str"),
        "many": pd.Series([f"=id {n}" if n % 7 else None for n in range(200)], dtype="str"),
    })
    monkeypatch.setattr(csvfile, "CSV_CHUNK_ROWS", 64)  # chunks of 64, 64, 64 and 8 rows: the last is "many"
    write_csv(frame, tmp_path / "few.csv")
    assert written(tmp_path / "few.csv") == reference_csv(frame)
