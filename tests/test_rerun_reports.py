"""The fast paths of a rerun write what the plain ones do: the CSV writer, the workbook's bulk
rows, figures read from the store as a table, and corrections spliced into that table."""
import dataclasses
import io
import math

import numpy as np
import pandas as pd
import pytest

from casualties import api
from casualties.store import Store
from casualties.table import figures_frame
from casualties.writers import bulkrows, csvfile
from casualties.writers.csvfile import defuse, write_csv
from test_corrections import added_value, write_corrections
from test_store import write_corpus


pytestmark = pytest.mark.usefixtures("pinned_rules")


def odd_frame() -> pd.DataFrame:
    """Every kind of cell the reports hold, and the awkward ones."""
    return pd.DataFrame({
        "text": ["=1+1", "-3", "@sum", "a,b", 'say "x"', "two\nlines", None, "", "+", "cr\ronly", "مقتل 5", "=قتل"],
        "more": ["\r", 'q"', "", "\t=x", ",", '"', "\r\n", "a\r,b", " lead", "#N/A", "x", None],
        "count": pd.array([1, None, -3, 4, 5, 6, 7, 8, 9, 10, 11, 2**40], dtype="Int64"),
        "ratio": [1.5, np.nan, 1e16, 1e-5, 0.1 + 0.2, 3.0, -2.0, 1706955000000.0, math.inf, 0.0, 2.25, 1 / 3],
        "flag": [True, False] * 6,
        "mixed": [None, 1, "x", 2.5, True, pd.NA, "=y", "", "<b>&", "\x01bell", "x" * 40_000, np.nan],
        "plain": pd.array(range(12), dtype="int64"),
    })


def reference_csv(frame: pd.DataFrame) -> str:
    """What write_csv wrote before it wrote column by column: pandas, cell by cell defused."""
    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe[name] = pd.Series([defuse(value) for value in column], index=column.index, dtype=object)
    buffer = io.StringIO(newline="")
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def written(path) -> str:
    """The file's text, line ends as they are (read_text would turn a lone \\r into \\n)."""
    return path.read_bytes().decode("utf-8-sig")


@pytest.fixture(params=["arrow", "python"])
def joins(request, monkeypatch):
    """Run a test with the pyarrow joins of the writers, then without them."""
    if request.param == "python":
        monkeypatch.setattr(csvfile, "_ARROW", False)
        monkeypatch.setattr(bulkrows, "_ARROW", False)
    elif not csvfile._ARROW:
        pytest.skip("pyarrow is not installed")
    return request.param


def test_csv_is_what_pandas_writes_with_formulas_defused(tmp_path, joins):
    frame = odd_frame()
    path = tmp_path / "odd.csv"
    write_csv(frame, path)
    text = written(path)
    assert text == reference_csv(frame)
    assert "'=1+1" in text and "'-3" in text and ",-3," in text  # text defused, a number not


def test_csv_of_a_real_figure_table_is_what_pandas_writes(tmp_path, seed_extraction, joins):
    frame = seed_extraction.frame()
    comparison = api.reconcile(frame)
    for table in (frame, comparison.groups, comparison.claims):
        write_csv(table, tmp_path / "t.csv")
        assert written(tmp_path / "t.csv") == reference_csv(table)


def test_csv_of_object_text_columns_is_what_pandas_writes(tmp_path, joins):
    # Object columns of strings and blanks, as the comparison's claimant columns are: few
    # distinct values (made one by one by the csv module), and many (made by pyarrow).
    awkward = ["", "12", "≥251", "=1+2", "-3", 'q"uote', "a,b", "cr\ronly", "two\nlines", " lead", "@at", "\t=x", "#N/A"]
    rng = np.random.default_rng(5)
    few = [awkward[i] for i in rng.integers(0, len(awkward), 400)]
    frame = pd.DataFrame({
        "few": pd.Series(few, dtype=object),
        "few_blanks": pd.Series([None if text == "" else text for text in few], dtype=object),
        "many": pd.Series([f"{text}{n}" for n, text in enumerate(few)], dtype=object),
        "blank": pd.Series([None, np.nan] * 200, dtype=object),
    })
    write_csv(frame, tmp_path / "objects.csv")
    assert written(tmp_path / "objects.csv") == reference_csv(frame)
    assert "'=1+2" in written(tmp_path / "objects.csv")


@pytest.mark.parametrize("name", list(odd_frame().columns))
def test_bulk_cells_by_column_are_the_cells_written_value_by_value(name):
    styles = {style: f' s="{n}"' for n, style in enumerate(bulkrows.TEMPLATE_STYLES, 1)}
    styles[""] = ""
    column = odd_frame()[name]
    kind = bulkrows._column_kind(column)
    expected = bulkrows._bodies(bulkrows._python_values(column), styles, styles["ratio"])
    assert bulkrows._column_bodies(column, kind, styles, styles["ratio"]) == expected
    if name == "text":
        assert kind == "text" and styles["rtl_formula_like"] in expected[-1]


def test_sheet_rows_joined_by_pyarrow_are_the_rows_joined_in_python(seed_extraction):
    if not bulkrows._ARROW:
        pytest.skip("pyarrow is not installed")
    frame = pd.concat([seed_extraction.frame(), odd_frame()], axis=1).head(7)
    frame["url"] = ["https://example.org/?a=1&b=2", "/tmp/a.txt", None, "http://x.org", "", "https://e.org", "z"]
    styles = {style: f' s="{n}"' for n, style in enumerate(bulkrows.TEMPLATE_STYLES, 1)}
    written = {}
    for arrow in (True, False):
        links: list = []
        bulk = bulkrows.BulkRows(frame, first_row=5, link_column="url", ratio_columns=("ratio",))
        written[arrow] = (b"".join(bulkrows._row_chunks(bulk, styles, links, arrow=arrow)), links)
    assert written[True] == written[False]
    assert [ref for ref, _ in written[True][1]] == [f"{bulkrows.get_column_letter(frame.shape[1])}{n}" for n in (5, 8, 10)]


@pytest.mark.parametrize("dtype", ["str", object])
def test_text_cells_made_by_pyarrow_are_the_cells_made_in_python(monkeypatch, dtype):
    if not bulkrows._ARROW:
        pytest.skip("pyarrow is not installed")
    monkeypatch.setattr(bulkrows, "ARROW_TEXT_VALUES", 1)
    texts = ["=1+1", "-3", "@sum", "a & <b>", "two\r\nlines", None, "", "+", "#N/A", "#DIV/0!", "مقتل 5", "=قتل",
             "bell\x07", "x" * 40_000, "ok", "\ufeffbom", "\ufffe", "ﺳ", "ok", " lead", "trail\n", "\tboth ",
             " ", "in  side", "\u00a0nbsp"]
    column = pd.Series(texts, dtype=dtype)
    styles = {style: f' s="{n}"' for n, style in enumerate(bulkrows.TEMPLATE_STYLES, 1)}
    made = bulkrows._column_bodies(column, "text", styles, "", arrow=True)
    assert [body or "" for body in made.to_pylist()] == bulkrows._bodies(bulkrows._python_values(column), styles, "")


def test_text_cells_needing_care_are_cleaned_and_escaped_as_before():
    styles = dict.fromkeys(bulkrows.TEMPLATE_STYLES, "")
    values = ["<b>&amp;", "bell\x07", "x" * 40_000, "plain"]
    assert bulkrows._text_bodies(values, styles) == [bulkrows._text_body(v, styles) for v in values]
    assert bulkrows._text_bodies(["plain", "مقتل"], styles) == [bulkrows._text_body(v, styles) for v in ["plain", "مقتل"]]


@pytest.fixture()
def stored(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 30, seed=8)
    out = tmp_path / "reports"
    api.run([corpus], out, jobs=1)
    return corpus, out


@pytest.mark.parametrize("batch", [20_000, 7])
def test_the_store_read_as_a_table_gives_the_figures_and_their_table(stored, monkeypatch, batch):
    import casualties.store

    monkeypatch.setattr(casualties.store, "READ_ROWS", batch)
    corpus, out = stored
    with Store(out / api.DB_NAME) as store:
        run_id = store.begin_run([corpus], "test", "pinned-rules")
        store.add_run_articles(sorted(p.stem for p in corpus.glob("*.txt")))
        figures = list(store.figures())
        table = store.figure_table()
        assert len(table) == len(figures) > 0
        pd.testing.assert_frame_equal(table.table(), figures_frame(figures))
        assert list(table) == figures and table[3] == figures[3]

        positions = [1, 4, 5]
        edited = dataclasses.replace(figures[1], low=7, subgroup="women")
        added = dataclasses.replace(figures[0], figure_id="added-1", period_start=None, actor="islamic_state")
        spliced = table.spliced(positions, [edited, None, figures[5]], [added])
        expected = [edited if i == 1 else f for i, f in enumerate(figures) if i != 4] + [added]
        assert list(spliced) == expected
        pd.testing.assert_frame_equal(spliced.table(), figures_frame(expected))
        assert run_id


def test_corrections_spliced_into_stored_figures_are_the_corrections_of_the_figure_list(stored, tmp_path):
    corpus, out = stored
    with Store(out / api.DB_NAME) as store:
        store.begin_run([corpus], "test", "pinned-rules")
        store.add_run_articles(sorted(p.stem for p in corpus.glob("*.txt")))
        figures = list(store.figures())
        docs = sorted({f.doc_id for f in figures})
        without_figures = sorted({p.stem for p in corpus.glob("*.txt")} - set(docs))
        corrections = tmp_path / "corrections.csv"
        write_corrections(corrections, [
            (figures[0].figure_id, "reject", ""),
            (figures[2].figure_id, "low", "7"),
            (figures[2].figure_id, "subgroup", "women"),
            (figures[5].figure_id, "high", ""),
            ("hand-1", "add", added_value(docs[3])),
            ("hand-1", "low", "41"),
            ("hand-2", "add", added_value((without_figures or ["not-an-article"])[0])),
            ("hand-3", "add", added_value(docs[4])),
            ("hand-3", "reject", ""),
            ("no-such-figure", "low", "3"),
            (figures[9].figure_id, "add", added_value(docs[1])),
        ])
        as_list = api.Extraction(figures=figures)
        api._apply_corrections(as_list, corrections, None, store)
        as_table = api.Extraction(figures=store.figure_table())
        api._apply_corrections(as_table, corrections, None, store)
    assert hasattr(as_table.figures, "spliced")  # the store's table, corrected in place
    assert as_list.corrections_applied == as_table.corrections_applied > 0
    pd.testing.assert_frame_equal(as_table.frame(), as_list.frame())
    assert list(as_table.figures) == as_list.figures
    assert as_table.corrected == as_list.corrected
    assert [str(p) for p in as_table.problems] == [str(p) for p in as_list.problems] and as_list.problems


def test_columns_read_through_arrow_have_the_types_pandas_infers():
    pa = pytest.importorskip("pyarrow")
    from casualties.store import FIGURE_COLUMN_TYPES, FIGURE_FIELDS, _arrow_fields_frame, _fields_frame

    rows = 5
    columns = {name: [None] * rows for name in FIGURE_FIELDS}
    columns.update(figure_id=[f"f{i}" for i in range(rows)], doc_id=["d"] * rows, quote=["q", None, "", "x", "y"],
                   low=[1, None, 3, 2**60, 0], start=[0, 1, 2, 3, 4], latent=[0, 1, 0, 0, 1], quote_end=[1, None, 3, 4, 5])
    types = {name: pa.large_string() if FIGURE_COLUMN_TYPES[name] == "TEXT" else pa.int64() for name in FIGURE_FIELDS}
    arrow = {name: pa.chunked_array([pa.array(values[:2], type=types[name]), pa.array(values[2:], type=types[name])])
             for name, values in columns.items()}
    pd.testing.assert_frame_equal(_arrow_fields_frame(arrow), _fields_frame(columns))


def test_notes_written_from_the_model_note_are_the_notes_openpyxl_writes():
    import zipfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment

    texts = ["plain", "a & <b> \"q\" 'x' \r\n tab\tend", " leading", "trailing\n", "   ", "«مقتل 5»\noutlets: x",
             "{braces} %s {0}", "emoji 🙂 and \u2028 line sep"]
    refs = ["B2", "H2", "C3", "AA3", "B4", "C5", "D9", "AB120"]

    def package(notes) -> zipfile.ZipFile:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("S")
        rows: dict = {}
        for ref, text in notes:
            rows.setdefault(bulkrows.coordinate_to_tuple(ref)[0], []).append((ref, text))
        for number in range(1, max(rows) + 1):
            cells = []
            for ref, text in rows.get(number, []):
                column = bulkrows.coordinate_to_tuple(ref)[1]
                cells += [None] * (column - 1 - len(cells))
                cell = WriteOnlyCell(sheet, value="v")
                cell.comment = Comment(text, bulkrows.COMMENT_AUTHOR)
                cell.comment.width, cell.comment.height = 320, 160
                cells.append(cell)
            sheet.append(cells)
        buffer = io.BytesIO()
        book.save(buffer)
        return zipfile.ZipFile(buffer)

    expected = package(list(zip(refs, texts)))
    model = package([("A1", bulkrows.COMMENT_MODEL)])
    made = bulkrows._comment_parts(model, "xl/worksheets/sheet1.xml", list(zip(refs, texts)))
    assert made == {path: expected.read(path) for path in made} and len(made) == 2


def read_as_a_run(store, corpus, order=sorted):
    store.begin_run([corpus], "test", "pinned-rules")
    store.add_run_articles(order(p.stem for p in corpus.glob("*.txt")))
    return store.figure_table()


def test_a_rerun_reads_from_the_arrow_copy_only_the_articles_it_extracted(stored, monkeypatch):
    pytest.importorskip("pyarrow")
    corpus, out = stored
    db = out / api.DB_NAME
    with Store(db) as store:
        assert store.figure_copy.is_file()  # written by the run
    changed = sorted(corpus.glob("*.txt"))[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nقتل 12 مدنياً في قصف على إدلب", encoding="utf-8")
    sorted(corpus.glob("*.txt"))[5].unlink()
    read: list = []
    original = Store._figure_rows
    monkeypatch.setattr(Store, "_figure_rows", lambda self, docs: read.append(docs) or original(self, docs))
    rerun = api.run([corpus], out, jobs=1)
    assert read == [{changed.stem}]
    with Store(db) as store:
        reverse = read_as_a_run(store, corpus, order=lambda ids: sorted(ids, reverse=True))
        expected = figures_frame(list(store.figures()))
    pd.testing.assert_frame_equal(reverse.table(), expected)
    pd.testing.assert_frame_equal(rerun.extraction.frame(), api.run([corpus], out, jobs=1, db=False).extraction.frame())


def test_an_article_whose_state_changed_is_read_from_the_store_and_a_broken_copy_is_ignored(stored):
    pytest.importorskip("pyarrow")
    corpus, out = stored
    db = out / api.DB_NAME
    with Store(db) as store:
        doc_id, figure_id = store.db.execute("SELECT doc_id, figure_id FROM figures LIMIT 1").fetchone()
        # As if the article had been extracted again since the copy was made, to another figure.
        store.db.execute("UPDATE figures SET low = 4321 WHERE figure_id = ?", (figure_id,))
        store.db.execute("UPDATE articles SET extracted_at = '2099-01-01T00:00:00+00:00' WHERE doc_id = ?", (doc_id,))
        table = read_as_a_run(store, corpus)
        assert table.fields.loc[table.fields["figure_id"] == figure_id, "low"].tolist() == [4321]
        store.wait_for_figure_copy()  # written on a second thread: break it only once it is there
        store.figure_copy.write_bytes(b"not an arrow file")
        again = read_as_a_run(store, corpus)
        pd.testing.assert_frame_equal(again.table(), figures_frame(list(store.figures())))
        store.wait_for_figure_copy()  # on a loaded machine the second thread may not be done yet
        assert store.figure_copy.read_bytes()[:6] == b"ARROW1"  # written again


def test_a_copy_whose_figures_cannot_be_read_is_ignored_after_its_schema_was(stored):
    pytest.importorskip("pyarrow")
    corpus, out = stored
    with Store(out / api.DB_NAME) as store:
        read_as_a_run(store, corpus)
        store.wait_for_figure_copy()
        data = bytearray(store.figure_copy.read_bytes())
        middle = slice(len(data) // 4, len(data) // 2)  # the record batches; the schema and footer stay
        data[middle] = bytes(len(data[middle]))
        store.figure_copy.write_bytes(bytes(data))
        pa = pytest.importorskip("pyarrow")
        with store._figure_copy_reader(pa) as (read_copy, states):
            assert states  # the schema still reads: the states say the copy could serve
            with pytest.raises((OSError, pa.ArrowException)):
                read_copy()  # but its figures do not
        again = read_as_a_run(store, corpus)
        pd.testing.assert_frame_equal(again.table(), figures_frame(list(store.figures())))
