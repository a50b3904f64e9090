"""A rerun does not read an article file found in the state it was in when it was read (size,
modification and change times, inode, manifest row), and reads every other one."""
import os
import sqlite3

import pytest
from click.testing import CliRunner

from casualties import api, corpus
from casualties.cli import cli
from casualties.store import SCHEMA_VERSION, Store
from test_store import figure_rows, set_published, write_corpus

ARTICLES = 6


@pytest.fixture()
def reads(monkeypatch):
    """The article files read (not the manifests), in order."""
    read = []
    original = corpus._read_text

    def spy(path, report, **options):
        if path.suffix == ".txt":
            read.append(path.stem)
        return original(path, report, **options)

    monkeypatch.setattr(corpus, "_read_text", spy)
    return read


@pytest.fixture()
def settled(monkeypatch, pinned_rules):
    """Files just written count as settled: the tests need not wait two seconds."""
    monkeypatch.setattr(corpus, "SETTLE_NANOSECONDS", 0)


@pytest.fixture()
def folder(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, ARTICLES, seed=5)
    return folder


def run(folder, out, **options):
    return api.run([folder], out, **{"jobs": 1, "corrections": False, "reuse_reports": True, **options})


def stored_states(out) -> dict:
    with sqlite3.connect(out / api.DB_NAME) as connection:
        return dict(connection.execute("SELECT doc_id, file_state FROM articles"))


def same_size_other_text(path, result) -> str:
    """The file's text with the first digit of its first figure in digits changed to another
    digit: same size, another figure."""
    frame = result.extraction.frame()
    figures = frame[(frame["doc_id"] == path.stem) & frame["number_text"].str.contains("[0-9]")]
    number = figures["number_text"].iloc[0]
    position = int(figures["start"].iloc[0]) + next(i for i, char in enumerate(number) if char.isdigit())
    text = path.read_text(encoding="utf-8")
    return text[:position] + ("7" if text[position] != "7" else "8") + text[position + 1:]


@pytest.mark.parametrize("batch", [corpus.UNREAD_BATCH, 4])  # files asked about at once
def test_a_rerun_reads_no_file_found_as_it_was(folder, tmp_path, reads, settled, batch, monkeypatch):
    monkeypatch.setattr(corpus, "UNREAD_BATCH", batch)
    out = tmp_path / "out"
    first = run(folder, out)
    assert len(reads) == ARTICLES and all(stored_states(out).values())
    reads.clear()
    second = run(folder, out, reuse_reports=False)
    assert reads == []
    assert second.extraction.unchanged == ARTICLES and second.extraction.extracted == 0
    assert figure_rows(second) == figure_rows(first)
    assert second.extraction.locations == first.extraction.locations


def test_a_touched_file_is_read_again_not_extracted_and_then_trusted(folder, tmp_path, reads, settled):
    out = tmp_path / "out"
    first = run(folder, out)
    path = folder / "a0002.txt"
    earlier = path.stat().st_mtime_ns - 60 * 10**9
    os.utime(path, ns=(earlier, earlier))
    reads.clear()
    second = run(folder, out)
    assert reads == ["a0002"]
    assert second.extraction.extracted == 0 and second.extraction.unchanged == ARTICLES
    assert second.reports_current  # the same texts: the reports stand
    reads.clear()
    run(folder, out)
    assert reads == []  # its new state was recorded
    assert figure_rows(run(folder, out, reuse_reports=False)) == figure_rows(first)


def test_a_file_changed_in_place_with_its_size_and_time_restored_is_extracted(folder, tmp_path, reads, settled):
    """Restoring the modification time (touch -d, os.utime, cp -p, rsync -t) moves the change
    time, which no program can set back: the state differs, the file is read and extracted."""
    out = tmp_path / "out"
    first = run(folder, out)
    path = folder / "a0003.txt"
    before = path.stat()
    new_text = same_size_other_text(path, first)
    path.write_text(new_text, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    reads.clear()
    second = run(folder, out)
    assert reads == ["a0003"]
    assert second.extraction.extracted == 1 and second.extraction.changed == 1
    assert set(second.changes["doc_id"].dropna()) == {"a0003"}


def test_a_file_replaced_by_another_at_its_path_is_extracted(folder, tmp_path, reads, settled):
    out = tmp_path / "out"
    first = run(folder, out)
    path = folder / "a0003.txt"
    before = path.stat()
    other = tmp_path / "other.txt"
    other.write_text(same_size_other_text(path, first), encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)
    reads.clear()
    second = run(folder, out)
    assert reads == ["a0003"]
    assert second.extraction.extracted == 1 and second.extraction.changed == 1


def test_a_changed_manifest_row_reads_its_file_again(folder, tmp_path, reads, settled):
    out = tmp_path / "out"
    run(folder, out)
    set_published(folder, "a0004", "2018-06-30")
    reads.clear()
    second = run(folder, out)
    assert reads == ["a0004"]
    assert second.extraction.extracted == 1 and second.extraction.changed == 1


def test_files_written_moments_before_the_run_keep_no_state(folder, tmp_path, reads, pinned_rules, monkeypatch):
    # Written within SETTLE_NANOSECONDS: a write later in the same clock tick could keep their times.
    monkeypatch.setattr(corpus, "SETTLE_NANOSECONDS", 60 * 10**9)
    out = tmp_path / "out"
    run(folder, out)
    assert set(stored_states(out).values()) == {None}
    reads.clear()
    second = run(folder, out)
    assert len(reads) == ARTICLES and second.extraction.extracted == 0


def test_rehash_reads_every_file(folder, tmp_path, reads, settled):
    out = tmp_path / "out"
    run(folder, out)
    reads.clear()
    second = run(folder, out, rehash=True)
    assert len(reads) == ARTICLES and second.extraction.extracted == 0 and second.reports_current
    reads.clear()
    assert CliRunner().invoke(cli, ["run", str(folder), "--out", str(out), "--rehash", "--jobs", "1"]).exit_code == 0
    assert len(reads) == ARTICLES


@pytest.mark.parametrize("batch", [corpus.UNREAD_BATCH, 4])
def test_a_file_whose_reading_was_reported_is_read_and_reported_every_time(folder, tmp_path, reads, settled, batch,
                                                                          monkeypatch):
    monkeypatch.setattr(corpus, "UNREAD_BATCH", batch)
    path = folder / "a0002.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1256"))  # Windows-1256: read with a warning
    out = tmp_path / "out"
    for _ in range(2):
        reads.clear()
        result = run(folder, out, reuse_reports=False)
        assert "a0002" in reads
        assert [p.message for p in result.extraction.problems if p.path == str(path)] == [corpus.FALLBACK_WARNINGS["cp1256"]]
    assert stored_states(out)["a0002"] is None
    assert reads == ["a0002"] and result.extraction.unchanged == ARTICLES


def test_a_store_without_file_states_is_upgraded_and_reads_each_file_once(folder, tmp_path, reads, settled):
    out = tmp_path / "out"
    first = run(folder, out)
    with sqlite3.connect(out / api.DB_NAME) as connection:  # as schema 3 wrote it
        connection.execute("ALTER TABLE articles DROP COLUMN file_state")
        connection.execute("PRAGMA user_version = 3")
    with Store(out / api.DB_NAME) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    reads.clear()
    second = run(folder, out)
    assert len(reads) == ARTICLES and second.extraction.extracted == 0 and second.reports_current
    reads.clear()
    third = run(folder, out, reuse_reports=False)
    assert reads == [] and figure_rows(third) == figure_rows(first)


def test_file_state_names_size_times_inode_and_manifest_row(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "SETTLE_NANOSECONDS", 0)
    path = tmp_path / "a.txt"
    path.write_text("Five people were killed.", encoding="utf-8")
    stat = path.stat()
    state = corpus.file_state(path)
    assert state.split()[:4] == [str(stat.st_size), str(stat.st_mtime_ns), str(stat.st_ctime_ns), str(stat.st_ino)]
    row = corpus.ManifestRow("manifest.csv", 2, {"id": "a", "publisher": "AFP"}, "digest-1")
    assert corpus.file_state(path, row) != state
    assert corpus.file_state(path, row) == corpus.file_state(path, corpus.ManifestRow("other.csv", 9, {}, "digest-1"))
    assert corpus.file_state(tmp_path / "missing.txt") is None
    monkeypatch.setattr(corpus, "SETTLE_NANOSECONDS", 10**18)
    assert corpus.file_state(path) is None


def test_folders_are_listed_as_rglob_lists_them(tmp_path):
    root = tmp_path / "root"
    names = ["b.txt", "A.TXT", "a.txt", ".hidden.txt", "x.htm", "page.html", "notes.md", "manifest.csv",
             "sub/manifest.csv", "sub/z.txt", "sub/deeper/a.txt", "sub.d/b.txt", "Sub/c.txt", "sub-2/d.txt",
             "dir.txt/e.txt", "odd name.txt", "arabic_مقال.txt"]
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(root / "sub", target_is_directory=True)  # not entered, as rglob does not
    (root / "link.txt").symlink_to(root / "a.txt")  # a file all the same
    (root / "broken.txt").symlink_to(root / "nowhere.txt")
    manifests, files = corpus._listing(root)
    expected_files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in corpus.DOCUMENT_SUFFIXES)
    expected_manifests = sorted(p for p in root.rglob(corpus.MANIFEST) if p.is_file())
    assert [root.joinpath(*parts) for parts in files] == expected_files
    assert [root.joinpath(*parts) for parts in manifests] == expected_manifests
    assert len(files) == 15
