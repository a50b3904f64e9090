"""What changed between runs, group by group: the store keeps each run's groups, and the next
run reports the groups whose spread changed (and which claimants moved), new and removed."""
import csv
import json
import shutil
import sqlite3

import pytest
from openpyxl import load_workbook

from casualties import api
from casualties.reconcile import group_keys, group_summaries
from casualties.store import CHANGE_COLUMNS, GROUP_FIELDS, SCHEMA_VERSION, Store, compare_groups
from conftest import SEEDS

# A claimant the seeds do not have, with its own count of civilians killed since the 19th of April.
NEW_CLAIMANT_TEXT = "وثقت الشبكة السورية لحقوق الإنسان استشهاد 80 مدنياً منذ الـ 19 من نيسان"
NEW_DOC = "005_new_claimant"


pytestmark = pytest.mark.usefixtures("pinned_rules")


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def add_article(corpus, doc_id: str, text: str, publisher: str, published: str) -> None:
    (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    with (corpus / "manifest.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([doc_id, publisher, published, "ar", "", ""])


def group_of_figure(comparison, figure_id: str) -> dict:
    claims = comparison.claims
    group_id = claims.loc[claims["figure_ids"].str.split(";").map(lambda ids: figure_id in ids), "group_id"].iloc[0]
    summaries = group_summaries(comparison)
    return summaries[summaries["group_id"] == group_id].iloc[0].to_dict()


def test_a_new_claimant_changes_a_groups_spread_and_the_rerun_reports_it(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    before = {row["group_key"]: row for row in group_summaries(first.comparison).to_dict("records")}
    add_article(corpus, NEW_DOC, NEW_CLAIMANT_TEXT, "Orient Net", "2018-05-20")

    second = api.run([corpus], out, jobs=1)
    new_figure = next(f for f in second.extraction.figures if f.doc_id == NEW_DOC)
    after = group_of_figure(second.comparison, new_figure.figure_id)
    old = before[after["group_key"]]  # the group existed, with the same key
    assert (old["low"], old["high"]) != (after["low"], after["high"]), "the new figure must move the spread"
    assert new_figure.claimed_by not in json.loads(old["claimants"])

    changes = second.changes
    rows = changes[changes["change"] == "group_spread_changed"]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["group_key"] == after["group_key"] and row["group_id"] == after["group_id"]
    assert (row["low_before"], row["high_before"]) == (old["low"], old["high"])
    assert (row["low_after"], row["high_after"]) == (after["low"], after["high"])
    assert row["spread_ratio_before"] == pytest.approx(old["spread_ratio"])
    assert row["spread_ratio_after"] == pytest.approx(after["spread_ratio"])
    figure_shown = json.loads(after["claimants"])[new_figure.claimed_by]
    assert row["claimants_moved"] == f"{new_figure.claimed_by}: – → {figure_shown}"
    assert "claimants" in row["fields"].split(";")
    assert set(changes.loc[changes["change"] == "new", "figure_id"]) == {new_figure.figure_id}
    assert not changes["change"].isin(["group_new", "group_removed"]).any()

    written = list(csv.DictReader((out / "changes.csv").open(encoding="utf-8-sig")))
    assert list(written[0]) == list(CHANGE_COLUMNS)
    assert [r["change"] for r in written] == list(changes["change"])
    assert [r["claimants_moved"] for r in written if r["change"] == "group_spread_changed"] == [row["claimants_moved"]]
    book = load_workbook(out / "comparison.xlsx", read_only=True)
    sheet = list(book["Changes"].iter_rows(values_only=True))
    assert sheet[0] == tuple(CHANGE_COLUMNS)
    assert [r[0] for r in sheet[1:]] == list(changes["change"])
    about = dict(row[:2] for row in book["About"].iter_rows(values_only=True) if len(row) >= 2)
    counted = about["changes since the previous run"]
    assert counted == api.changes_summary(changes) and "1 new," in counted and "1 groups' spread changed" in counted
    history = api.history(out / api.DB_NAME)
    assert (history[-1]["groups_spread_changed"], history[-1]["n_groups"]) == (1, len(second.comparison.groups))

    # Taking the article away again moves the spread back, with the claimant gone.
    (corpus / f"{NEW_DOC}.txt").unlink()
    third = api.run([corpus], out, jobs=1)
    back = third.changes[third.changes["change"] == "group_spread_changed"].iloc[0]
    assert (back["low_after"], back["high_after"]) == (old["low"], old["high"])
    assert back["claimants_moved"] == f"{new_figure.claimed_by}: {figure_shown} → –"


def test_groups_of_a_removed_article_are_removed_and_a_new_outcome_is_a_new_group(corpus, tmp_path):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    doc_of = {f.figure_id: f.doc_id for f in first.extraction.figures}
    docs_of_group: dict[str, set] = {}
    for group_id, ids in zip(first.comparison.claims["group_id"], first.comparison.claims["figure_ids"]):
        docs_of_group.setdefault(group_id, set()).update(doc_of[i] for i in ids.split(";"))
    removed_doc = min(next(iter(docs)) for docs in docs_of_group.values() if len(docs) == 1)
    (corpus / f"{removed_doc}.txt").unlink()
    second = api.run([corpus], out, jobs=1)
    keys = lambda comparison: set(group_keys(comparison.groups))  # noqa: E731
    gone = keys(first.comparison) - keys(second.comparison)
    assert gone, "the removed article must take some group with it"
    removed = second.changes[second.changes["change"] == "group_removed"]
    # A group whose period moved is matched, not removed: every removed key is gone for good.
    assert set(removed["group_key"]) <= gone and len(removed)
    assert removed["group_id"].isna().all() and removed["low_after"].isna().all()

    add_article(corpus, "006_detained", "اعتقلت قوات النظام 14 شخصاً في ريف دمشق يوم أمس", "Orient Net", "2018-05-21")
    third = api.run([corpus], out, jobs=1)
    new = third.changes[third.changes["change"] == "group_new"]
    assert set(new["group_key"]) == keys(third.comparison) - keys(second.comparison) and len(new)
    assert new["low_before"].isna().all() and new["claimants_moved"].str.contains("→").all()


def test_reused_reports_keep_no_groups_and_the_next_run_compares_with_the_last_that_did(corpus, tmp_path):
    out = tmp_path / "reports"
    api.run([corpus], out, jobs=1, reuse_reports=True)
    assert api.run([corpus], out, jobs=1, reuse_reports=True).reports_current
    add_article(corpus, NEW_DOC, NEW_CLAIMANT_TEXT, "Orient Net", "2018-05-20")
    third = api.run([corpus], out, jobs=1, reuse_reports=True)
    assert (third.changes["change"] == "group_spread_changed").sum() == 1
    runs = api.history(out / api.DB_NAME)
    assert [r["n_groups"] is not None for r in runs] == [True, False, True]


def test_other_inputs_are_not_compared_group_by_group(corpus, tmp_path):
    out = tmp_path / "reports"
    api.run([corpus], out, jobs=1)
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(corpus / "002_46cbcdc7920e3242.txt", other)
    result = api.run([other], out, jobs=1)
    assert not result.changes["change"].str.startswith("group_").any()


def group(key_period: tuple[str, str], low, high, claimants: dict, base: str = "civilians|||killed|people|whole"):
    return {"group_key": f"{base}|{key_period[0]}|{key_period[1]}", "group_id": "G0001", "low": low, "high": high,
            "period_start": key_period[0], "period_end": key_period[1], "claimants": json.dumps(claimants),
            "spread_ratio": high / low if low else None, "flags": ""}


def test_compare_groups_matches_a_widened_period_and_keeps_apart_what_does_not_meet():
    april = group(("2018-04-19", "2018-05-20"), 62, 62, {"sohr": "≥62"})
    widened = group(("2018-04-19", "2018-05-21"), 62, 70, {"sohr": "≥62", "sana": "70"})
    rows = compare_groups([april], [widened])
    assert [r["change"] for r in rows] == ["group_spread_changed"]
    assert rows[0]["fields"] == "high;period;claimants"
    assert rows[0]["claimants_moved"] == "sana: – → 70"
    assert (rows[0]["period_end_before"], rows[0]["period_end_after"]) == ("2018-05-20", "2018-05-21")

    june = group(("2018-06-10", "2018-06-12"), 5, 5, {"sohr": "5"})
    assert [r["change"] for r in compare_groups([april], [june])] == ["group_new", "group_removed"]
    other_thing = group(("2018-04-19", "2018-05-20"), 62, 62, {"sohr": "≥62"},
                        base="civilians|||wounded|people|whole")
    assert [r["change"] for r in compare_groups([april], [other_thing])] == ["group_new", "group_removed"]
    # Same numbers, another claimant's wording: not a spread change.
    reworded = group(("2018-04-19", "2018-05-20"), 62, 62, {"sohr": "62"})
    assert compare_groups([april], [reworded]) == []


def test_an_older_store_is_upgraded_in_place(tmp_path, corpus):
    out = tmp_path / "reports"
    first = api.run([corpus], out, jobs=1)
    db = out / api.DB_NAME
    # Make it a schema-2 store, as the previous version wrote it.
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TABLE groups")
        for name in ("n_groups", "groups_spread_changed", "groups_new", "groups_removed"):
            connection.execute(f"ALTER TABLE runs DROP COLUMN {name}")
        connection.execute("ALTER TABLE articles DROP COLUMN file_state")
        connection.execute("PRAGMA user_version = 2")
    with Store(db) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in store.db.execute("PRAGMA table_info(groups)")}
        assert columns == {"run_id", *GROUP_FIELDS}
        assert store.runs()[0]["n_figures"] == len(first.extraction.figures) and store.runs()[0]["n_groups"] is None
    second = api.run([corpus], out, jobs=1)
    assert second.extraction.extracted == 0 and len(second.changes) == 0
    add_article(corpus, NEW_DOC, NEW_CLAIMANT_TEXT, "Orient Net", "2018-05-20")
    third = api.run([corpus], out, jobs=1)
    assert (third.changes["change"] == "group_spread_changed").sum() == 1
