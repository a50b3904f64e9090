import json
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"
SPECS = ROOT / "tests" / "specs"
REFERENCE_DATE = date(2018, 5, 21)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture()
def pinned_rules(monkeypatch):
    """A fixed rules version: other edits to the language data mid-test must not re-extract everything."""
    from casualties import api

    monkeypatch.setattr(api, "rules_version", lambda: "pinned-rules")


@pytest.fixture(scope="session")
def seed_extraction():
    from casualties.api import extract_articles

    return extract_articles([SEEDS])
