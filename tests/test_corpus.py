"""Loading articles: folders with manifests, JSONL and CSV files, encodings, languages,
datelines, and one clear problem per bad input while everything else loads."""
from __future__ import annotations

import codecs
import json
import logging
import shutil
from datetime import date
from pathlib import Path

import pytest

from casualties.corpus import Problem, collect_articles, decode, detect_language, load_articles, Undecodable

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
ARABIC = "قتل 62 مدنياً على الأقل منذ الـ 19 من نيسان في القصف على جنوب دمشق.\n"
ENGLISH = "At least 62 civilians were killed in the shelling of southern Damascus.\n"


def write(path: Path, text: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def by_id(articles):
    return {a.doc_id: a for a in articles}


def only(problems, fragment):
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


def test_seed_folder_loads_with_its_manifest():
    articles, problems = collect_articles(SEEDS)
    assert problems == []
    got = {a.doc_id: (a.published, a.language, a.publisher) for a in articles}
    assert got == {
        "000_2e25e6177bec242b": (date(2018, 5, 21), "ar", None),
        "001_450bf0e7429b9e63": (date(2018, 5, 21), "ar", "Horrya Press (حرية برس)"),
        "002_46cbcdc7920e3242": (date(2018, 5, 20), "ar", "Syrian Observatory for Human Rights (المرصد السوري لحقوق الإنسان)"),
        "003_4de00a275d15d1bd": (None, "ar", "Arabi21 (عربي21)"),
        "004_063d37d86aa31e0f": (None, "ar", "Orient Net (أورينت نت)"),
    }
    for article in articles:
        assert article.text == (SEEDS / f"{article.doc_id}.txt").read_text(encoding="utf-8")


def test_folder_with_manifest_and_subfolders(tmp_path):
    write(tmp_path / "a.txt", "Title\r\n" + ENGLISH + "  \n")
    write(tmp_path / "yemen" / "b.txt", ARABIC)
    write(tmp_path / "manifest.csv",
          "id,publisher,published,language,url\n"
          "a,Reuters,2019-03-02,en,https://example.org/a\n"
          "b,Saba,2019-03-03T10:30:00,,\n")
    articles, problems = collect_articles(tmp_path)
    assert problems == []
    a, b = by_id(articles)["a"], by_id(articles)["b"]
    assert (a.publisher, a.published, a.language, a.url) == ("Reuters", date(2019, 3, 2), "en", "https://example.org/a")
    assert a.text == "Title\r\n" + ENGLISH + "  \n", "text is never stripped or re-encoded"
    assert a.title == "Title" and a.path == str(tmp_path / "a.txt")
    assert (b.publisher, b.published, b.language, b.url) == ("Saba", date(2019, 3, 3), "ar", None)


def test_manifest_in_a_subfolder_applies_to_its_files(tmp_path):
    write(tmp_path / "libya" / "x.txt", ENGLISH)
    write(tmp_path / "libya" / "manifest.csv", "id,published\nx,2018-09-03\n")
    [article] = list(load_articles(tmp_path, on_error=pytest.fail))
    assert article.published == date(2018, 9, 3)


def test_jsonl_with_and_without_ids(tmp_path):
    path = write(tmp_path / "batch.jsonl", "\n".join([
        json.dumps({"id": "g1", "text": ARABIC, "publisher": "Wafa", "published": "2014-07-12"}, ensure_ascii=False),
        json.dumps({"text": ENGLISH}),
        "",
        "{not json",
        json.dumps({"title": "no text"}),
        json.dumps(["a", "list"]),
        json.dumps({"text": "   "}),
        json.dumps({"text": ENGLISH, "published": "12/07/2014"}),
    ]) + "\n")
    articles, problems = collect_articles(path)
    assert [a.doc_id for a in articles] == ["g1", "batch:2", "batch:8"]
    assert (articles[0].publisher, articles[0].published, articles[0].language, articles[0].line) == ("Wafa", date(2014, 7, 12), "ar", 1)
    assert articles[1].language == "en" and articles[1].published is None
    assert only(problems, "not valid JSON").line == 4
    assert only(problems, "no 'text'").line == 5
    assert only(problems, "expected a JSON object").line == 6
    assert only(problems, "empty text").line == 7
    assert only(problems, "bad published date").line == 8
    assert all(p.path == str(path) for p in problems)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_table_columns_by_other_usual_names(tmp_path, suffix):
    """`doc_id` (the figure table's own name), `date` and `lang` stand for id, published and
    language; a row with both names keeps the canonical one; column names ignore case."""
    rows = [{"doc_id": "x1", "date": "2014-07-12", "lang": "en", "Text": ENGLISH},
            {"doc_id": "x2", "id": "kept", "date": "2014-07-12", "published": "2015-01-02", "Text": ENGLISH}]
    if suffix == ".jsonl":
        content = "\n".join(json.dumps(r) for r in rows) + "\n"
    else:
        names = ["doc_id", "id", "date", "published", "lang", "Text"]
        content = ",".join(names) + "\n" + "".join(",".join(f'"{r.get(n, "")}"' for n in names) + "\n" for r in rows)
    articles, problems = collect_articles(write(tmp_path / f"rows{suffix}", content))
    assert problems == []
    assert [(a.doc_id, a.published, a.language) for a in articles] == [
        ("x1", date(2014, 7, 12), "en"), ("kept", date(2015, 1, 2), "en")]


def test_csv_with_multiline_text(tmp_path):
    path = write(tmp_path / "rows.csv",
                 'id,text,published\n'
                 'r1,"Line one\nLine two, with a comma",2019-06-10\n'
                 ',"' + ARABIC.strip() + '",\n'
                 'r3,,2019-06-11\n')
    articles, problems = collect_articles(path)
    assert [(a.doc_id, a.line) for a in articles] == [("r1", 2), ("rows:4", 4)]
    assert articles[0].text == "Line one\nLine two, with a comma"
    assert articles[1].language == "ar"
    assert only(problems, "empty text").line == 5


def test_csv_without_text_column_is_one_problem(tmp_path):
    path = write(tmp_path / "bad.csv", "id,body\n1,hello\n")
    articles, problems = collect_articles(path)
    assert articles == [] and only(problems, "no 'text' column").level == "error"


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
])
def test_unicode_encodings(tmp_path, encoding, bom):
    write(tmp_path / "a.txt", bom + ARABIC.encode(encoding))
    articles, problems = collect_articles(tmp_path)
    assert problems == []
    assert articles[0].text == ARABIC and articles[0].language == "ar"


def test_windows_1256_is_decoded_with_a_warning(tmp_path):
    path = write(tmp_path / "old.txt", ARABIC.replace("ً", ""), encoding="cp1256")
    articles, problems = collect_articles(tmp_path)
    assert articles[0].text == ARABIC.replace("ً", "")
    warning = only(problems, "Windows-1256")
    assert (warning.path, warning.level) == (str(path), "warning")


def test_mostly_ascii_windows_1252_is_read_with_a_warning(tmp_path):
    # English copy saved by a Windows tool: curly quotes, a dash, an accented name
    text = "\u201cAt least 12 civilians were killed\u201d in Idlib \u2013 the Observatory\u2019s director, Rami Abdel Rahman, told AFP in Paris. Caf\u00e9 owners fled."
    path = write(tmp_path / "wire.txt", text, encoding="cp1252")
    articles, problems = collect_articles(tmp_path)
    assert [a.text for a in articles] == [text]
    warning = only(problems, "Windows-1252")
    assert (warning.path, warning.level) == (str(path), "warning")


def test_latin_1_french_is_read_as_windows_1252(tmp_path):
    path = write(tmp_path / "fr.txt", "Décès à Alep : 12 civils tués, selon l'Observatoire.", encoding="latin-1")
    write(tmp_path / "ok.txt", ENGLISH)
    articles, problems = collect_articles(tmp_path)
    assert sorted(a.doc_id for a in articles) == ["fr", "ok"]
    assert [a.text for a in articles if a.doc_id == "fr"] == ["Décès à Alep : 12 civils tués, selon l'Observatoire."]
    assert only(problems, "not UTF-8").level == "warning"


def test_other_code_pages_are_not_guessed(tmp_path):
    # Cyrillic in Windows-1251 reads as Latin letters in Windows-1252, but nearly all of its
    # letters would be: reported and skipped, never read as mojibake
    path = write(tmp_path / "ru.txt", "Погибли 12 мирных жителей, сообщает Обсерватория.", encoding="cp1251")
    write(tmp_path / "ok.txt", ENGLISH)
    articles, problems = collect_articles(tmp_path)
    assert [a.doc_id for a in articles] == ["ok"]
    problem = only(problems, "not UTF-8")
    assert (problem.path, problem.level) == (str(path), "error")


def test_decode_rejects_random_bytes_and_keeps_utf8():
    assert decode("نص".encode()) == ("نص", "utf-8")
    with pytest.raises(Undecodable):
        decode(bytes(range(1, 256)))


def test_empty_binary_and_missing_inputs_are_reported_and_skipped(tmp_path):
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "blank.txt", " \n\n")
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "good.txt", ENGLISH)
    articles, problems = collect_articles([tmp_path, tmp_path / "nowhere.jsonl"])
    assert [a.doc_id for a in articles] == ["good"]
    assert {Path(p.path).name for p in problems if "empty" in p.message} == {"empty.txt", "blank.txt"}
    assert Path(only(problems, "binary").path).name == "image.txt"
    assert Path(only(problems, "no such file").path).name == "nowhere.jsonl"


def test_unsupported_extension(tmp_path):
    path = write(tmp_path / "notes.pdf", b"%PDF-1.4")
    articles, problems = collect_articles(path)
    assert articles == [] and "unsupported file type" in problems[0].message


def test_manifest_problems_name_file_and_line(tmp_path):
    write(tmp_path / "a.txt", "Headline\nMay 21, 2018\n" + ENGLISH)
    write(tmp_path / "b.txt", ENGLISH)
    write(tmp_path / "c.txt", ENGLISH)
    manifest = write(tmp_path / "manifest.csv",
                     "id,publisher,published\n"
                     "a,AFP,21/05/2018\n"
                     "b,AP,2018-05-20\n"
                     "ghost,AP,2018-05-20\n"
                     ",AP,2018-05-20\n"
                     "b,AP,2018-05-19\n")
    articles, problems = collect_articles(tmp_path)
    got = by_id(articles)
    assert set(got) == {"a", "b", "c"}
    assert (got["a"].publisher, got["a"].published) == ("AFP", date(2018, 5, 21)), "bad manifest date: dateline used"
    assert got["b"].published == date(2018, 5, 20)
    assert (only(problems, "bad published date").path, only(problems, "bad published date").line) == (str(manifest), 2)
    assert (only(problems, "has no file").path, only(problems, "has no file").line) == (str(manifest), 4)
    assert only(problems, "row has no id").line == 5
    assert only(problems, "already on line 3").line == 6
    assert only(problems, "no manifest row").path == str(tmp_path / "c.txt")


def test_manifest_without_id_column(tmp_path):
    write(tmp_path / "a.txt", ENGLISH)
    manifest = write(tmp_path / "manifest.csv", "name,published\na,2018-05-20\n")
    articles, problems = collect_articles(tmp_path)
    assert [a.doc_id for a in articles] == ["a"]
    assert only(problems, "no 'id' column").path == str(manifest)


@pytest.mark.parametrize("seed", ["000_2e25e6177bec242b", "001_450bf0e7429b9e63"])
def test_dateline_from_the_seeds_without_manifest(tmp_path, seed):
    shutil.copy(SEEDS / f"{seed}.txt", tmp_path / f"{seed}.txt")
    [article] = list(load_articles(tmp_path, on_error=pytest.fail))
    assert article.published == date(2018, 5, 21)


@pytest.mark.parametrize("head, expected", [
    ("Gaza City, July 12, 2014 (AP) -", date(2014, 7, 12)),
    ("12 July 2014", date(2014, 7, 12)),
    ("2014-07-12", date(2014, 7, 12)),
    ("Sunday", None),
    ("July 12", None),
])
def test_english_datelines_need_a_year(tmp_path, head, expected):
    write(tmp_path / "a.txt", f"Headline\n{head}\n{ENGLISH}")
    [article] = list(load_articles(tmp_path, on_error=pytest.fail))
    assert article.published == expected


def test_dateline_only_in_the_first_lines(tmp_path):
    write(tmp_path / "a.txt", "\n".join(["line"] * 6 + ["May 21, 2018", ENGLISH]))
    [article] = list(load_articles(tmp_path, on_error=pytest.fail))
    assert article.published is None


@pytest.mark.parametrize("text, expected", [
    (ARABIC, "ar"),
    (ENGLISH, "en"),
    ("قال المتحدث باسم Médecins Sans Frontières إن 12 شخصا قتلوا", "ar"),
    ("The Syrian Observatory (المرصد السوري) said 62 civilians died in Yarmouk camp near Damascus", "en"),
    ("Hadi said: قتل 62 مدنياً على الأقل", "ar"),
    ("12, 15 - 2018", None),
])
def test_language_detection(text, expected):
    assert detect_language(text) == expected


def test_manifest_language_wins(tmp_path):
    write(tmp_path / "a.txt", ENGLISH)
    write(tmp_path / "manifest.csv", "id,language\na,AR\n")
    [article] = list(load_articles(tmp_path, on_error=pytest.fail))
    assert article.language == "ar"


def test_several_inputs_and_duplicate_ids(tmp_path):
    write(tmp_path / "one" / "x.txt", ENGLISH)
    write(tmp_path / "two" / "x.txt", ARABIC)
    batch = write(tmp_path / "b.jsonl", json.dumps({"id": "y", "text": ENGLISH}) + "\n")
    articles, problems = collect_articles([tmp_path / "one", tmp_path / "two", batch])
    assert [a.doc_id for a in articles] == ["x", "x", "y"]
    assert "duplicate id 'x'" in only(problems, "duplicate").message


def test_problems_are_logged_when_no_callback(tmp_path, caplog):
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "ok.txt", ENGLISH)
    with caplog.at_level(logging.WARNING, logger="casualties.corpus"):
        articles = list(load_articles(tmp_path))
    assert [a.doc_id for a in articles] == ["ok"]
    assert "empty.txt" in caplog.text and "empty file" in caplog.text


def test_problem_names_its_source():
    assert str(Problem("a/manifest.csv", 4, "bad date", "warning")) == "a/manifest.csv:4: warning: bad date"
    assert str(Problem("b.txt", None, "binary file", "error")) == "b.txt: error: binary file"
