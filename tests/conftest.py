import json
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"
SPECS = ROOT / "tests" / "specs"
REFERENCE_DATE = date(2018, 5, 21)


def article_texts(folder: Path) -> dict[str, str]:
    """doc_id -> text of every article in `folder`, which must load without a problem."""
    from casualties.corpus import collect_articles

    articles, problems = collect_articles([folder])
    assert not problems
    return {a.doc_id: a.text for a in articles}


def figures_inside_trap(figures, texts: dict[str, str], trap: dict) -> list[tuple[str, str]]:
    """(number, rule) of each figure whose number lies in the trap's quote (none should)."""
    text = texts[trap["doc"]]
    start = text.find(trap["quote"])
    assert start >= 0, "trap quote not in the article"
    end = start + len(trap["quote"])
    return [(f.number_text, f.rule) for f in figures if f.doc_id == trap["doc"] and start <= f.start < end]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(autouse=True, scope="session")
def _user_cache_in_a_temporary_folder(tmp_path_factory):
    """Runs sign the packs they keep with a key in the user's cache folder: tests keep theirs
    apart from the real one (subprocesses inherit it)."""
    import os

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture()
def pinned_rules(monkeypatch):
    """A fixed rules version: other edits to the language data mid-test must not re-extract everything."""
    from casualties import api

    monkeypatch.setattr(api, "rules_version", lambda: "pinned-rules")


@pytest.fixture(scope="session")
def seed_extraction():
    from casualties.api import extract_articles

    return extract_articles([SEEDS])
