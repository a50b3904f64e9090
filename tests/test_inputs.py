"""HTML pages and Parquet tables as inputs, and reports/errors.csv: every problem of a run.

The HTML pages here wrap the seed articles in the boilerplate of a news site (navigation, a
"most read" sidebar and a script quoting other casualty counts, a footer, the date in
<time datetime> or a meta tag), as a crawler saves them.
"""
from __future__ import annotations

import csv
import html
import json
import shutil
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from casualties import api, corpus
from casualties.corpus import collect_articles, decode_html, estimate_articles, load_articles
from casualties.errors import PROBLEM_COLUMNS
from conftest import SEEDS

pytest.importorskip("trafilatura")
pyarrow = pytest.importorskip("pyarrow")
import pyarrow.parquet as parquet  # noqa: E402

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
ENGLISH = "At least 62 civilians were killed in the shelling of southern Damascus, medics said on Monday."
# Counts in the page's boilerplate: none of them may become a figure of the article.
SIDEBAR_COUNTS = ("مقتل 47 شخصا في غارة جوية على ريف إدلب", "إصابة 38 مدنيا بقصف على درعا")
SCRIPT_COUNT = "قتل 93 مدنيا"


def news_page(title: str, paragraphs: list[str], *, published: date | None = None, date_in: str = "time",
              charset: str = "utf-8") -> str:
    """A news site's page around an article: its date in <time datetime> or a meta tag."""
    meta_date = (f'<meta property="article:published_time" content="{published.isoformat()}T08:30:00+03:00">'
                 if published and date_in == "meta" else "")
    time_tag = (f'<time datetime="{published.isoformat()}">{published:%d/%m/%Y}</time>'
                if published and date_in == "time" else "")
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    sidebar = "".join(f'<li><a href="/n/{i}">{html.escape(c)}</a></li>' for i, c in enumerate(SIDEBAR_COUNTS))
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{html.escape(title)} | أخبار اليوم</title>
<meta property="og:title" content="{html.escape(title)}">
{meta_date}
<script>window.dataLayer = []; var breaking = "{SCRIPT_COUNT}";</script>
<style>body {{ font-family: sans-serif }}</style>
</head><body>
<header><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/syria">سوريا</a></li><li><a href="/world">العالم</a></li></ul></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
{time_tag}
{body}
</article>
<aside><h3>الأكثر قراءة</h3><ul>{sidebar}</ul></aside></main>
<footer><p>جميع الحقوق محفوظة 2018</p><a href="/privacy">سياسة الخصوصية</a></footer>
<script src="/static/app.js"></script>
</body></html>
"""


def seed_page(seed: str, published: date | None, date_in: str) -> str:
    lines = [line for line in (SEEDS / f"{seed}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    return news_page(lines[0], lines[1:], published=published, date_in=date_in)


def figure_keys(figures) -> Counter:
    return Counter((f.doc_id, f.number_text, f.low, f.high, f.qualifier, f.outcome, f.population, f.subgroup,
                    f.actor, f.claimed_by, f.period_start, f.period_end, f.stance) for f in figures)


@pytest.fixture(scope="module")
def seed_pages(tmp_path_factory):
    """The seeds as .txt (with their manifest) and as HTML pages (with the same manifest),
    each page carrying the date its .txt article has, alternately in <time> and in a meta tag."""
    root = tmp_path_factory.mktemp("pages")
    texts, pages = root / "txt", root / "html"
    shutil.copytree(SEEDS, texts)
    pages.mkdir()
    shutil.copy(SEEDS / "manifest.csv", pages / "manifest.csv")
    txt_articles = {a.doc_id: a for a in load_articles(texts, on_error=pytest.fail)}
    for number, seed in enumerate(SEED_IDS):
        page = seed_page(seed, txt_articles[seed].published, "time" if number % 2 else "meta")
        (pages / f"{seed}.html").write_text(page, encoding="utf-8")
    return texts, pages, txt_articles


def test_html_pages_give_the_figures_of_their_text(seed_pages):
    texts, pages, txt_articles = seed_pages
    from_text = api.extract_articles([texts], jobs=1)
    from_html = api.extract_articles([pages], jobs=1)
    assert from_html.problems == [] and from_html.articles == len(SEED_IDS)
    assert len(from_text.figures) > 10
    assert figure_keys(from_html.figures) == figure_keys(from_text.figures)


def test_html_article_text_is_the_main_text_and_offsets_point_into_it(seed_pages):
    _, pages, txt_articles = seed_pages
    articles = {a.doc_id: a for a in load_articles(pages, on_error=pytest.fail)}
    for seed, article in articles.items():
        assert "<" not in article.text and "الرئيسية" not in article.text
        assert not any(count in article.text for count in (*SIDEBAR_COUNTS, SCRIPT_COUNT))
        assert article.published == txt_articles[seed].published
        assert article.title == txt_articles[seed].title
        assert article.path == str(pages / f"{seed}.html")
    for figure in api.extract_articles([pages], jobs=1).figures:
        article = articles[figure.doc_id]
        assert article.text[figure.start:figure.end] == figure.number_text
        assert article.text[figure.quote_start:figure.quote_end] == figure.quote


@pytest.mark.parametrize("date_in", ["time", "meta"])
def test_manifest_date_beats_the_page_date(tmp_path, date_in):
    page = news_page("Headline", [ENGLISH], published=date(2019, 1, 7), date_in=date_in)
    (tmp_path / "dated.html").write_text(page, encoding="utf-8")
    (tmp_path / "undated.html").write_text(page, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(
        "id,publisher,published,title\ndated,AFP,2018-05-20,Manifest title\nundated,AFP,,\n", encoding="utf-8")
    articles = {a.doc_id: a for a in load_articles(tmp_path, on_error=pytest.fail)}
    assert (articles["dated"].published, articles["dated"].title) == (date(2018, 5, 20), "Manifest title")
    assert (articles["undated"].published, articles["undated"].title) == (date(2019, 1, 7), "Headline")
    assert articles["undated"].publisher == "AFP" and articles["undated"].language == "en"


def test_page_date_is_never_guessed_from_stray_numbers(tmp_path):
    """A copyright year in the footer is not a publication date; the text's dateline still is."""
    (tmp_path / "a.html").write_text(news_page("Headline", [ENGLISH]), encoding="utf-8")
    (tmp_path / "b.html").write_text(news_page("Headline", ["Gaza City, July 12, 2014 (AP)", ENGLISH]), encoding="utf-8")
    articles = {a.doc_id: a for a in load_articles(tmp_path, on_error=pytest.fail)}
    assert articles["a"].published is None
    assert articles["b"].published == date(2014, 7, 12)


def test_broken_and_empty_pages_are_reported_and_the_others_load(tmp_path):
    (tmp_path / "good.html").write_text(news_page("Headline", [ENGLISH]), encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "no_text.html").write_text(
        "<html><head><script>var x = 1;</script></head><body><script>render()</script></body></html>", encoding="utf-8")
    (tmp_path / "binary.htm").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    # a code page no fallback reads (Cyrillic): undecodable
    (tmp_path / "latin.html").write_bytes("<html><body><p>Погибли 12 мирных жителей.</p></body></html>".encode("cp1251"))
    (tmp_path / "plain.txt").write_text(ENGLISH, encoding="utf-8")
    articles, problems = collect_articles(tmp_path)
    assert sorted(a.doc_id for a in articles) == ["good", "plain"]
    by_file = {Path(p.path).name: p for p in problems}
    assert set(by_file) == {"empty.html", "no_text.html", "binary.htm", "latin.html"}, [str(p) for p in problems]
    assert all(p.level == "error" for p in problems)
    assert "no main text" in by_file["no_text.html"].message
    assert "binary" in by_file["binary.htm"].message and "empty" in by_file["empty.html"].message


def test_a_saved_fragment_is_read_as_a_page(tmp_path):
    (tmp_path / "fragment.html").write_text(f"<div class='story'><p>{ENGLISH}</p></div>", encoding="utf-8")
    [article] = load_articles(tmp_path / "fragment.html", on_error=pytest.fail)
    assert article.text.strip() == ENGLISH


def test_manifest_row_without_a_page_names_both_kinds_of_file(tmp_path):
    (tmp_path / "a.html").write_text(news_page("Headline", [ENGLISH]), encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("id,publisher\na.html,AP\nghost,AP\n", encoding="utf-8")
    articles, problems = collect_articles(tmp_path)
    assert [(a.doc_id, a.publisher) for a in articles] == [("a", "AP")]
    [problem] = problems
    assert (problem.line, problem.level) == (3, "error") and ".html" in problem.message


@pytest.mark.parametrize("data, encoding, warned", [
    (news_page("عنوان", ["قتل 12 مدنيا في قصف على إدلب"], charset="windows-1256").encode("cp1256"), "cp1256", False),
    (news_page("عنوان", ["قتل 12 مدنيا في قصف على إدلب"]).encode("utf-8"), "utf-8", False),
    (b"\xef\xbb\xbf" + news_page("عنوان", ["قتل 12 مدنيا"], charset="windows-1256").encode("utf-8"), "utf-8-sig", False),
    (news_page("عنوان", ["قتل 12 مدنيا"], charset="iso-8859-1").encode("utf-8"), "utf-8", True),
    ('<?xml version="1.0" encoding="windows-1256"?><html><body><p>قتل 12</p></body></html>'.encode("cp1256"), "cp1256", False),
])
def test_html_encodings(data, encoding, warned):
    text, found, warning = decode_html(data)
    assert found == encoding and (warning is not None) == warned
    assert "قتل 12" in text


def test_windows_1256_page_loads_with_its_declared_charset(tmp_path):
    page = news_page("عنوان الخبر", ["قتل 12 مدنيا في قصف على إدلب أمس بحسب ناشطين محليين."], charset="windows-1256")
    (tmp_path / "old.html").write_bytes(page.encode("cp1256"))
    [article] = load_articles(tmp_path, on_error=pytest.fail)
    assert article.language == "ar" and "قتل 12 مدنيا" in article.text


def test_without_trafilatura_html_is_reported_naming_the_extra(tmp_path, monkeypatch):
    (tmp_path / "a.html").write_text(news_page("Headline", [ENGLISH]), encoding="utf-8")
    (tmp_path / "b.txt").write_text(ENGLISH, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura raises ImportError
    corpus._html_extractor.cache_clear()
    try:
        articles, problems = collect_articles(tmp_path)
    finally:
        monkeypatch.undo()
        corpus._html_extractor.cache_clear()
    assert [a.doc_id for a in articles] == ["b"]
    [problem] = problems
    assert problem.path == str(tmp_path / "a.html") and problem.level == "error"
    assert "pip install 'casualties[html]'" in problem.message


ROWS = [
    {"id": "p1", "text": "قتل 62 مدنياً على الأقل في القصف على جنوب دمشق.", "publisher": "Wafa",
     "published": date(2014, 7, 12), "language": "ar", "url": "https://example.org/p1"},
    {"id": None, "text": ENGLISH, "publisher": None, "published": None, "language": None, "url": None},
    {"id": "p3", "text": None, "publisher": "AP", "published": None, "language": None, "url": None},
    {"id": "p4", "text": "   ", "publisher": "AP", "published": None, "language": None, "url": None},
    {"id": "p5", "text": ENGLISH, "publisher": "AP", "published": None, "language": "en", "url": None},
]


def write_parquet(path: Path, rows: list[dict], **options) -> Path:
    parquet.write_table(pyarrow.Table.from_pylist(rows), path, **options)
    return path


def test_parquet_table_round_trip_with_bad_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "PARQUET_BATCH_ROWS", 2)  # rows cross batch boundaries
    path = write_parquet(tmp_path / "batch.parquet", ROWS, row_group_size=3)
    articles, problems = collect_articles(path)
    assert [(a.doc_id, a.line) for a in articles] == [("p1", 1), ("batch:2", 2), ("p5", 5)]
    first = articles[0]
    assert (first.text, first.publisher, first.published, first.language, first.url) == (
        ROWS[0]["text"], "Wafa", date(2014, 7, 12), "ar", "https://example.org/p1")
    assert articles[1].text == ENGLISH and articles[1].language == "en" and articles[1].publisher is None
    assert [(p.line, p.level) for p in problems] == [(3, "error"), (4, "error")]
    assert "no 'text'" in problems[0].message and "empty text" in problems[1].message
    assert all(p.path == str(path) for p in problems)


def test_parquet_and_jsonl_tables_load_the_same_articles(tmp_path):
    rows = [{**row, "published": row["published"].isoformat() if row["published"] else None} for row in ROWS]
    table = write_parquet(tmp_path / "t.parquet", rows)
    lines = tmp_path / "t.jsonl"
    lines.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")

    def comparable(articles):
        return [(a.doc_id, a.text, a.publisher, a.published, a.language, a.url, a.line, a.title) for a in articles]

    from_parquet, parquet_problems = collect_articles(table)
    from_jsonl, jsonl_problems = collect_articles(lines)
    assert comparable(from_parquet) == comparable(from_jsonl)
    assert [p.line for p in parquet_problems] == [p.line for p in jsonl_problems] == [3, 4]


def test_parquet_figures_match_the_folder(tmp_path):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
    manifest = {row["id"]: row for row in csv.DictReader((SEEDS / "manifest.csv").open(encoding="utf-8"))}
    rows = [{"id": doc_id, "text": text, "publisher": manifest[doc_id]["publisher"] or None,
             "published": manifest[doc_id]["published"] or None, "language": manifest[doc_id]["language"]}
            for doc_id, text in texts.items()]
    table = write_parquet(tmp_path / "seeds.parquet", rows)
    assert figure_keys(api.extract_articles([table], jobs=1).figures) == figure_keys(api.extract_articles([SEEDS], jobs=1).figures)


def test_broken_parquet_inputs_are_reported(tmp_path):
    not_parquet = tmp_path / "notes.parquet"
    not_parquet.write_bytes(b"id,text\n1,hello\n")
    no_text = write_parquet(tmp_path / "no_text.parquet", [{"id": "a", "body": ENGLISH}])
    numbers = write_parquet(tmp_path / "numbers.parquet", [{"id": "a", "text": 12}])
    good = write_parquet(tmp_path / "good.parquet", [{"text": ENGLISH}])
    articles, problems = collect_articles([not_parquet, no_text, numbers, good])
    assert [a.doc_id for a in articles] == ["good:1"]
    assert [(Path(p.path).name, p.level) for p in problems] == [
        ("notes.parquet", "error"), ("no_text.parquet", "error"), ("numbers.parquet", "error")]
    assert "no 'text' column" in problems[1].message and "not strings" in problems[2].message


def test_without_pyarrow_parquet_is_reported_naming_the_extra(tmp_path, monkeypatch):
    table = write_parquet(tmp_path / "t.parquet", [{"text": ENGLISH}])
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    articles, problems = collect_articles([table, SEEDS / f"{SEED_IDS[0]}.txt"])
    assert [a.doc_id for a in articles] == [SEED_IDS[0]]
    [problem] = problems
    assert problem.path == str(table) and "pip install 'casualties[parquet]'" in problem.message


def test_estimate_counts_pages_and_parquet_rows(tmp_path):
    (tmp_path / "pages").mkdir()
    for name in ("a.html", "b.htm", "c.txt", "manifest.csv"):
        (tmp_path / "pages" / name).write_text(ENGLISH, encoding="utf-8")
    table = write_parquet(tmp_path / "t.parquet", ROWS)
    assert estimate_articles([tmp_path / "pages", table]) == 3 + len(ROWS)
    assert api.estimate_articles([table]) == len(ROWS)


def read_errors(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [name for name, _, _ in PROBLEM_COLUMNS]
        return list(reader)


def test_errors_csv_lists_every_problem_of_a_run(tmp_path):
    corpus_dir = tmp_path / "in"
    corpus_dir.mkdir()
    (corpus_dir / "good.txt").write_text(ENGLISH, encoding="utf-8")
    bad = corpus_dir / "bad.txt"
    bad.write_bytes("Погибли 12 мирных жителей.".encode("cp1251"))  # a code page no fallback reads
    table = write_parquet(tmp_path / "rows.parquet", ROWS)
    out = tmp_path / "out"
    result = api.run([corpus_dir, table], out, db=False, jobs=1)
    rows = read_errors(out / "errors.csv")
    assert result.outputs["errors"] == out / "errors.csv"
    assert len(rows) == len(result.extraction.problems) == 3
    assert rows[0] == {"path": str(bad), "line": "", "level": "error", "message": rows[0]["message"]}
    assert "not UTF-8" in rows[0]["message"]
    assert [(r["path"], r["line"], r["level"]) for r in rows[1:]] == [(str(table), "3", "error"), (str(table), "4", "error")]


def test_errors_csv_is_written_on_every_run(tmp_path):
    corpus_dir = tmp_path / "in"
    corpus_dir.mkdir()
    (corpus_dir / "good.txt").write_text(ENGLISH, encoding="utf-8")
    out = tmp_path / "out"
    api.run([corpus_dir], out, jobs=1, reuse_reports=True)
    assert read_errors(out / "errors.csv") == [], "a run without problems writes the header only"
    # Nothing an article is made of changed, so the other reports stand; the new problem is listed.
    (corpus_dir / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    second = api.run([corpus_dir], out, jobs=1, reuse_reports=True)
    assert second.reports_current
    assert [(r["path"], r["level"]) for r in read_errors(out / "errors.csv")] == [(str(corpus_dir / "bad.txt"), "error")]
    (corpus_dir / "bad.txt").unlink()
    api.run([corpus_dir], out, jobs=1, reuse_reports=True)
    assert read_errors(out / "errors.csv") == [], "a fixed input leaves no stale row"


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_article_in_no_language_of_ours_is_skipped_as_an_error_naming_its_file(tmp_path, jobs):
    corpus_dir = tmp_path / "in"
    corpus_dir.mkdir()
    (corpus_dir / "good.txt").write_text(ENGLISH, encoding="utf-8")
    # A UTF-16 byte-order mark decodes to CJK letters: text, but in no script a pack reads.
    foreign = corpus_dir / "foreign.txt"
    foreign.write_bytes(b"\xff\xfe\x00bad")
    (corpus_dir / "greek.txt").write_text("Σκοτώθηκαν 12 άμαχοι.", encoding="utf-8")
    out = tmp_path / "out"
    result = api.run([corpus_dir], out, db=False, jobs=jobs)
    rows = read_errors(out / "errors.csv")
    assert sorted((r["path"], r["level"]) for r in rows) == [(str(foreign), "error"), (str(corpus_dir / "greek.txt"), "error")]
    assert all("language not detected" in r["message"] and "Error" not in r["message"] for r in rows)
    assert {f.doc_id for f in result.extraction.figures} == {"good"}
