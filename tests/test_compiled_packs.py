"""Compiled language packs kept beside the store: read back, they extract what compiled packs
extract; damaged, stale or missing, they are compiled again."""
from __future__ import annotations

import dataclasses
import pickle
import subprocess
import sys

import pytest

from casualties import api, langpack
from casualties.model import Article
from casualties.langpack import (
    COMPILED_PACKS_FORMAT, available_languages, compiled_packs_key, install_packs, load_pack, read_compiled_packs,
    write_compiled_packs,
)
from conftest import SEEDS, SPECS, article_texts, read_jsonl
from test_store import write_corpus


@pytest.fixture(scope="module")
def compiled():
    gz = api._gazetteers()
    packs = {code: load_pack(code) for code in available_languages()}
    for pack in packs.values():
        api._compile_whole(pack, gz)
    return packs


def texts_by_language() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {code: [] for code in available_languages()}
    for path in sorted(SPECS.glob("*/*.jsonl")):
        if path.stem in texts:
            texts[path.stem] += [row["text"] for row in read_jsonl(path) if isinstance(row.get("text"), str)]
    texts["ar"] += list(article_texts(SEEDS).values())
    return texts


def extracted(texts: dict[str, list[str]], gazetteers=None) -> list[tuple]:
    return [dataclasses.astuple(figure) for code, items in texts.items() for i, text in enumerate(items)
            for figure in api.extract_figures(Article(f"{code}{i}", text, language=code, publisher="Reuters"),
                                              gazetteers=gazetteers)]


def test_packs_read_back_extract_what_the_compiled_packs_extract(tmp_path, compiled):
    key = compiled_packs_key("rules")
    write_compiled_packs(tmp_path / "packs", compiled, key, {"gazetteers": api._gazetteers()})
    extras = {}
    read = read_compiled_packs(tmp_path / "packs", key, extras)
    assert read is not None and set(read) == set(compiled)
    gazetteers = extras["gazetteers"]
    assert gazetteers is not api._gazetteers() and gazetteers.fingerprint == api._gazetteers().fingerprint
    for code, pack in read.items():
        assert pack is not compiled[code]
        assert set(pack._cache) >= set(compiled[code]._cache)  # nothing left to compile
    texts = texts_by_language()
    expected = extracted(texts)
    try:
        install_packs(read)
        assert load_pack("en") is read["en"]
        got = extracted(texts, gazetteers)
    finally:
        install_packs(compiled)
    assert len(expected) > 1000
    assert got == expected


def test_the_key_follows_the_rules_and_the_code(tmp_path):
    assert compiled_packs_key("rules") == compiled_packs_key("rules")
    assert compiled_packs_key("rules") != compiled_packs_key("other rules")


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "other key", "other format", "not packs", "plain digest", "empty"])
def test_damaged_or_foreign_packs_are_not_read(tmp_path, compiled, damage):
    path = tmp_path / "packs"
    key = compiled_packs_key("rules")
    write_compiled_packs(path, compiled, key)
    data = bytearray(path.read_bytes())
    if damage == "flipped byte":
        data[-100] ^= 0x01
    elif damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "other key":
        key = compiled_packs_key("other rules")
    elif damage == "other format":
        data = data.replace(COMPILED_PACKS_FORMAT, b"casualties compiled packs 0\n", 1)
    elif damage == "not packs":
        payload = pickle.dumps({"en": "not a pack"})
        data = COMPILED_PACKS_FORMAT + key.encode() + b"\n" + langpack._signature(payload) + b"\n" + payload
    elif damage == "plain digest":  # a well-formed file any writer could make: no signature of this user's
        import hashlib

        payload = bytes(data[data.rindex(b"\n", 0, len(COMPILED_PACKS_FORMAT) + 200) + 1:])
        data = COMPILED_PACKS_FORMAT + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    else:
        data = b""
    path.write_bytes(bytes(data))
    assert read_compiled_packs(path, key) is None
    assert read_compiled_packs(tmp_path / "missing", key) is None


def test_packs_written_by_another_user_are_not_unpickled(tmp_path, compiled, monkeypatch):
    """A reports folder copied from a colleague holds packs signed with the colleague's key:
    unpickling them would run whatever they hold, so they are compiled again instead."""
    path, key = tmp_path / "packs", compiled_packs_key("rules")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "colleague"))
    write_compiled_packs(path, compiled, key)
    assert read_compiled_packs(path, key) is not None
    assert (tmp_path / "colleague" / "casualties" / "packs.key").stat().st_mode & 0o077 == 0, "the key is the user's alone"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "me"))
    assert read_compiled_packs(path, key) is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "nowhere" / "file"))
    (tmp_path / "nowhere").write_text("a file where the cache folder would be")
    write_compiled_packs(tmp_path / "unsigned", compiled, key)  # no key can be made: nothing is kept
    assert not (tmp_path / "unsigned").exists() and read_compiled_packs(path, key) is None


RUN = """
import sys
from casualties import api
api.rules_version = lambda: "pinned-rules"
api.run([sys.argv[1]], sys.argv[2], jobs=1, corrections=False)
"""


def test_a_run_keeps_the_packs_and_the_next_reads_them_or_compiles_again(tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    ids = write_corpus(corpus, 4, seed=5)

    def rerun_with_one_article_changed(n: int) -> None:
        path = corpus / f"{ids[n]}.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\nقتل 7 مدنيين", encoding="utf-8")
        subprocess.run([sys.executable, "-c", RUN, str(corpus), str(out)], check=True, capture_output=True)

    subprocess.run([sys.executable, "-c", RUN, str(corpus), str(out)], check=True, capture_output=True)
    packs = out / f"{api.DB_NAME}{api.COMPILED_PACKS_SUFFIX}"
    assert packs.is_file()
    written = packs.stat().st_mtime_ns, packs.stat().st_ino
    rerun_with_one_article_changed(0)
    assert (packs.stat().st_mtime_ns, packs.stat().st_ino) == written  # read, not compiled and written again
    packs.write_bytes(packs.read_bytes()[:1000])  # damaged: compiled again, and kept again
    rerun_with_one_article_changed(1)
    assert packs.stat().st_size > 1000
    fresh = api.run([corpus], tmp_path / "fresh", db=False, jobs=1, corrections=False)
    assert (out / "figures.csv").read_bytes() == (tmp_path / "fresh" / "figures.csv").read_bytes()
    assert len(fresh.extraction.figures) > 0
