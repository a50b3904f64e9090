"""Arabic seeds and English wire copy of the same events, reconciled together.

tests/fixtures/english_articles/ holds three short English articles written for these tests (AFP,
Reuters, Al Jazeera English, 20-21 May 2018) that report the Syrian Observatory's south Damascus
figures as wire copy does. The Observatory's Arabic report (seed 002) and the English outlets that
quote it must reconcile into one claimant per group, reported by several outlets in both languages.
"""
from pathlib import Path

import pytest

from casualties.api import extract_articles, reconcile
from conftest import SEEDS

ENGLISH = Path(__file__).parent / "fixtures" / "english_articles"
SOHR_OUTLET = "Syrian Observatory for Human Rights (المرصد السوري لحقوق الإنسان)"
HORRYA_OUTLET = "Horrya Press (حرية برس)"


@pytest.fixture(scope="module")
def extraction():
    result = extract_articles([SEEDS, ENGLISH])
    assert result.problems == []
    return result


@pytest.fixture(scope="module")
def comparison(extraction):
    return reconcile(extraction.figures)


def _claims(comparison, claimant, *, population, actor, outcome, unit="people", subgroup="", subset=False):
    groups = comparison.groups
    chosen = groups[
        (groups["population"] == population) & (groups["actor"] == actor) & (groups["outcome"] == outcome)
        & (groups["unit"] == unit) & (groups["subgroup"] == subgroup) & (groups["is_subset"] == subset)
    ]
    claims = comparison.claims
    return claims[claims["group_id"].isin(chosen["group_id"]) & (claims["claimed_by"] == claimant)]


def _outlets(claim) -> set[str]:
    return set(claim["outlets"].split(";"))


@pytest.mark.parametrize("what,key,display,outlets", [
    ("government combatants killed", dict(population="combatants", actor="syrian_government", outcome="killed"),
     "≥251", {SOHR_OUTLET, "Reuters", "Al Jazeera English"}),
    ("IS combatants killed", dict(population="combatants", actor="islamic_state", outcome="killed"),
     "≥233", {SOHR_OUTLET, "AFP", "Reuters", "Al Jazeera English"}),
    ("civilians killed", dict(population="civilians", actor="", outcome="killed"),
     "≥62", {SOHR_OUTLET, "AFP", "Reuters", "Al Jazeera English"}),
    ("children among the civilians killed", dict(population="civilians", actor="", outcome="killed", subgroup="children", subset=True),
     "16", {SOHR_OUTLET, "AFP", "Reuters", "Al Jazeera English"}),
], ids=lambda v: v if isinstance(v, str) and " " in v else None)
def test_observatory_is_one_claimant_across_languages(comparison, what, key, display, outlets):
    claims = _claims(comparison, "sohr", **key)
    assert len(claims) == 1, f"{what}: {claims[['group_id', 'display', 'outlets']].to_dict('records')}"
    claim = claims.iloc[0]
    assert claim["display"] == display
    assert outlets <= _outlets(claim)
    assert claim["n_outlets"] == len(_outlets(claim)) >= len(outlets)


def test_buses_claim_joins_an_arabic_article_and_english_wires(comparison):
    claims = _claims(comparison, "sohr", population="mixed", actor="islamic_state", outcome="evacuated", unit="buses")
    assert len(claims) == 1
    outlets = _outlets(claims.iloc[0])
    assert {"AFP", "Al Jazeera English"} <= outlets
    assert any(o.startswith("000_") for o in outlets), "the Arabic article without a publisher is its own outlet"


def test_amaq_claim_is_one_claimant_across_languages(comparison):
    claims = _claims(comparison, "amaq", population="combatants", actor="syrian_government", outcome="killed")
    assert len(claims) == 1
    assert claims.iloc[0]["display"] == "900"
    assert {HORRYA_OUTLET, "Reuters", "Al Jazeera English"} <= _outlets(claims.iloc[0])


def test_claimants_side_by_side_in_the_government_group(comparison):
    groups = comparison.groups
    row = groups[(groups["population"] == "combatants") & (groups["actor"] == "syrian_government")
                 & (groups["outcome"] == "killed") & (~groups["is_subset"])]
    assert len(row) == 1
    assert {"sohr", "amaq"} <= set(comparison.claims[comparison.claims["group_id"] == row.iloc[0]["group_id"]]["claimed_by"])
    assert row.iloc[0]["sohr"] == "≥251" and row.iloc[0]["amaq"] == "900"


def test_english_figures_keep_their_offsets(extraction):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in ENGLISH.glob("*.txt")}
    english = [f for f in extraction.figures if f.doc_id in texts]
    assert {f.doc_id for f in english} == set(texts)
    for f in english:
        text = texts[f.doc_id]
        assert text[f.start:f.end] == f.number_text
        assert text[f.quote_start:f.quote_end] == f.quote
        assert f.language == "en"


def test_english_articles_yield_no_figure_from_years_or_populations(extraction):
    afp = [f.number_text for f in extraction.figures if f.doc_id == "afp_2018-05-20_yarmouk"]
    assert not [n for n in afp if "2015" in n or "2011" in n or "160,000" in n]
