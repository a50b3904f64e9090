"""Stage 5a, attribution: the specs in tests/specs/attribution/<lang>.jsonl, every example and
counterexample of every attribution.yaml rule (test ids are rule ids), the seeds' required
figures, the engine on an invented language, and the data checks."""
import csv
import json
from pathlib import Path

import pytest

from casualties.attribution import attribute, compile_rules, is_denial, name_id
from casualties.errors import DataFileError
from casualties.gazetteer import load_gazetteers
from casualties.langpack import available_languages, load_pack
from casualties.model import Claim

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs" / "attribution"
LANGUAGES = [code for code in available_languages() if "attribution" in load_pack(code).data]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def figure_span(pack, text: str, figure: str) -> tuple[str, tuple[int, int]]:
    canonical = pack.normalise(text).canonical
    needle = pack.canonical(figure)
    start = canonical.find(needle)
    assert start >= 0, f"figure {figure!r} not found in {canonical!r}"
    return canonical, (start, start + len(needle))


def claim_for(pack, text: str, figure: str, publisher=None, gazetteers=None) -> Claim:
    canonical, span = figure_span(pack, text, figure)
    written = pack.normalise(text).original_slice  # the spelling tells a folded name stop from a name
    [claim] = attribute(canonical, pack, gazetteers or load_gazetteers(), [span], publisher, written)
    return claim


def spec_cases():
    for path in sorted(SPECS.glob("*.jsonl")):
        for line_no, case in enumerate(read_jsonl(path), 1):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=False)] if case.get("xfail") else []
            yield pytest.param(path.stem, case, id=case.get("id") or f"{path.stem}:{line_no}", marks=marks)


@pytest.mark.parametrize("lang, case", list(spec_cases()))
def test_attribution_spec(lang, case):
    pack = load_pack(lang)
    claim = claim_for(pack, case["text"], case["figure"], case.get("publisher"))
    expected = case["expected"]
    # ids are compared in canonical spelling: a name kept as written keeps its ى and ة (written_letters)
    assert (pack.canonical(claim.claimed_by), claim.attribution) == (pack.canonical(expected["claimed_by"]), expected["attribution"]), claim
    if "claimed_by_text" in expected:
        assert claim.text == pack.canonical(expected["claimed_by_text"])
    if claim.attribution == "explicit":
        assert claim.start >= 0 and claim.end > claim.start and claim.rule


def test_spec_files_are_large_enough():
    counts = {path.stem: len(read_jsonl(path)) for path in SPECS.glob("*.jsonl")}
    assert counts.get("ar", 0) >= 40 and counts.get("en", 0) >= 25, counts


def rule_cases(kind: str):
    for code in LANGUAGES:
        pack = load_pack(code)
        for rule_id, entry in compile_rules(pack).entries.items():
            for i, case in enumerate(entry[kind], 1):
                yield pytest.param(code, rule_id, case, id=f"{rule_id}#{i}")


@pytest.mark.parametrize("lang, rule_id, case", list(rule_cases("examples")))
def test_rule_example(lang, rule_id, case):
    pack = load_pack(lang)
    text, figure, claimed_by = case
    claim = claim_for(pack, text, figure)
    assert pack.canonical(claim.claimed_by) == pack.canonical(claimed_by), claim
    assert claim.rule == rule_id, claim
    assert claim.attribution == ("own" if ".own." in rule_id else "explicit")


@pytest.mark.parametrize("lang, rule_id, case", list(rule_cases("counterexamples")))
def test_rule_counterexample(lang, rule_id, case):
    pack = load_pack(lang)
    text, figure = case
    assert claim_for(pack, text, figure).rule != rule_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_a_denial_rule(lang):
    assert any(rule.endswith(".denial") for rule in compile_rules(load_pack(lang)).entries)


def test_one_claim_per_figure_in_order():
    pack = load_pack("ar")
    text = pack.canonical("قال ناشطون إن 5 مدنيين قتلوا. وقتل 3 آخرون في قصف آخر.")
    spans = [(text.find("5"), text.find("5") + 1), (text.find("3"), text.find("3") + 1)]
    claims = attribute(text, pack, load_gazetteers(), spans, "enab_baladi")
    assert [(c.claimed_by, c.attribution) for c in claims] == [("activists", "explicit"), ("enab_baladi", "own")]
    assert attribute(text, pack, load_gazetteers(), [], None) == []


def test_own_voice_claim_shape():
    claim = claim_for(load_pack("en"), "Three people were killed.", "Three")
    assert claim == Claim(claimed_by="publisher", text="", attribution="own", start=-1, end=-1, rule="")


def test_claim_offsets_point_at_the_claimant():
    pack = load_pack("ar")
    text = pack.canonical("وقال مصدر عسكري إن 20 عنصرا قتلوا")
    [claim] = attribute(text, pack, load_gazetteers(), [(text.find("20"), text.find("20") + 2)], None)
    assert text[claim.start:claim.end] == claim.text == "مصدر عسكري"


def test_denial_is_explicit_and_flagged():
    pack = load_pack("ar")
    denied = claim_for(pack, "ونفت وزارة الدفاع الروسية مقتل 200 من مرتزقة فاغنر", "200")
    assert (denied.claimed_by, denied.attribution, is_denial(denied)) == ("russia", "explicit", True)
    asserted = claim_for(pack, "نفى ناشطون تصريحات خالد عبد المجيد التي ذكر فيها أن 2000 عنصر غادروا", "2000")
    assert (asserted.claimed_by, is_denial(asserted)) == ("khaled_abdel_majid", False)


@pytest.mark.parametrize("phrase, expected", [
    ("john smith", "john_smith"),
    ("Ahmed al-Mismari", "ahmed_al_mismari"),
    ("Médecins Sans Frontières", "medecins_sans_frontieres"),
    ("خالد عبد المجيد", "خالد_عبد_المجيد"),
    ('"أحمد سليمان"', "أحمد_سليمان"),
])
def test_name_id(phrase, expected):
    assert name_id(phrase) == expected


GOLD = ROOT / "tests" / "gold" / "seeds.jsonl"


def required_seed_figures():
    for row in read_jsonl(GOLD):
        if row["required"]:
            yield pytest.param(row, id=f"{row['doc'][:3]}:{row['number_text']}")


@pytest.mark.parametrize("row", list(required_seed_figures()))
def test_seed_required_figures(row):
    pack = load_pack("ar")
    gazetteers = load_gazetteers()
    with open(ROOT / "seeds" / "manifest.csv", encoding="utf-8") as handle:
        publishers = {r["id"]: r["publisher"] for r in csv.DictReader(handle)}
    canonical = pack.normalise((ROOT / "seeds" / f"{row['doc']}.txt").read_text(encoding="utf-8")).canonical
    quote_at = canonical.find(pack.canonical(row["quote"]))
    number = pack.canonical(row["number_text"].split(" ... ")[0])
    start = canonical.find(number, quote_at)
    assert quote_at >= 0 and start >= 0
    publisher = gazetteers.source_id_for_publisher(publishers[row["doc"]])
    [claim] = attribute(canonical, pack, gazetteers, [(start, start + len(number))], publisher)
    got = claim.claimed_by if claim.attribution == "explicit" else "publisher"
    assert got == row["claimed_by"], claim


TOY_NORMALIZATION = "steps:\n  - name: lower\n    translate: {\"A\": \"a\", \"B\": \"b\", \"Z\": \"z\"}\n"
TOY_MORPHOLOGY = "word_chars: \"[\\\\p{L}\\\\p{N}_]\"\nproclitics: [zo]\nenclitics: []\n"
TOY_ATTRIBUTION = """
settings:
  complementizers: [ka]
  addressee_prefixes: [zo]
  relay_before: [fum]
  frame_endings: [":"]
  titles: [bibo]
  name_stops: [ka]
speech_verbs:
  - id: xx.speech.blab
    forms: [blab]
    sides: [after, before]
    examples: [["blab Monitra ka 7 dedo", "7", mon]]
    counterexamples: [["7 dedo", "7"]]
  - id: xx.speech.denial
    forms: [nono]
    sides: [after]
    examples: [["nono Monitra 9 dedo", "9", mon]]
    counterexamples: [["9 dedo", "9"]]
cues:
  - id: xx.cue.per
    forms: [per]
    sides: [after]
    examples: [["4 dedo per Monitra", "4", mon]]
    counterexamples: [["4 dedo per plano", "4"]]
own_voice:
  - id: xx.own.noto
    forms: [noto ka]
    examples: [["noto ka 3 dedo", "3", publisher]]
    counterexamples: [["blab Monitra ka 3 dedo", "3"]]
"""
TOY_ACTORS = "actors:\n  - {id: reds, kind: armed_group, names: {xx: Redo}, anaphora: {xx: [grupo]}}\n"
TOY_SOURCES = ("sources:\n  - {id: mon, kind: monitor, names: {xx: Monitra}, people: {xx: [Zaza Bubu]}}\n"
               "  - {id: wire, kind: agency, names: {xx: Wira}}\n")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    base = tmp_path_factory.mktemp("toy")
    pack_dir = base / "lang" / "xx"
    pack_dir.mkdir(parents=True)
    (pack_dir / "normalization.yaml").write_text(TOY_NORMALIZATION, encoding="utf-8")
    (pack_dir / "morphology.yaml").write_text(TOY_MORPHOLOGY, encoding="utf-8")
    (pack_dir / "attribution.yaml").write_text(TOY_ATTRIBUTION, encoding="utf-8")
    gaz_dir = base / "gazetteers"
    gaz_dir.mkdir()
    (gaz_dir / "actors.yaml").write_text(TOY_ACTORS, encoding="utf-8")
    (gaz_dir / "sources.yaml").write_text(TOY_SOURCES, encoding="utf-8")
    return load_pack("xx", base / "lang"), load_gazetteers(gaz_dir)


@pytest.mark.parametrize("text, figure, expected", [
    ("blab Monitra ka 7 dedo", "7", ("mon", "explicit", "xx.speech.blab")),
    ("Monitra blab ka 7 dedo", "7", ("mon", "explicit", "xx.speech.blab")),
    ("blab Zaza Bubu zoWira ka 7 dedo", "7", ("mon", "explicit", "xx.speech.blab")),
    ("blab Wira fum Monitra ka 7 dedo", "7", ("mon", "explicit", "xx.speech.blab")),
    ("nono Monitra 9 dedo", "9", ("mon", "explicit", "xx.speech.denial")),
    ("Redo blab ka 5 dedo", "5", ("reds", "explicit", "xx.speech.blab")),
    ("blab bibo Kiki Lolo ka 5 dedo", "5", ("kiki_lolo", "explicit", "xx.speech.blab")),  # the title is no part of the id
    ("Monitra blab:\n6 dedo", "6", ("mon", "explicit", "xx.speech.blab")),
    ("noto ka 3 dedo", "3", ("wire", "own", "xx.own.noto")),
    ("8 dedo", "8", ("wire", "own", "")),
])
def test_engine_on_an_invented_language(toy, text, figure, expected):
    pack, gazetteers = toy
    claim = claim_for(pack, text, figure, publisher="wire", gazetteers=gazetteers)
    assert (claim.claimed_by, claim.attribution, claim.rule) == expected


def test_toy_anaphor_resolves_and_unresolved_is_dropped(toy):
    pack, gazetteers = toy
    text = pack.canonical("grupo dedo. Redo dedo. grupo dedo")
    assert [(a, via) for _s, _e, a, via in gazetteers.resolve_actor_mentions(text, pack)] == [("reds", False), ("reds", True)]


def make_pack(tmp_path, attribution: str):
    folder = tmp_path / "lang" / "xx"
    folder.mkdir(parents=True)
    (folder / "normalization.yaml").write_text(TOY_NORMALIZATION, encoding="utf-8")
    (folder / "attribution.yaml").write_text(attribution, encoding="utf-8")
    return load_pack("xx", tmp_path / "lang")


@pytest.mark.parametrize("broken, message", [
    (TOY_ATTRIBUTION.replace('    counterexamples: [["7 dedo", "7"]]\n', ""), "counterexample"),
    (TOY_ATTRIBUTION.replace('    examples: [["4 dedo per Monitra", "4", mon]]\n', ""), "example"),
    (TOY_ATTRIBUTION.replace("    sides: [after]\n    examples: [[\"4", "    sides: [sideways]\n    examples: [[\"4"), "sides"),
    (TOY_ATTRIBUTION.replace("forms: [per]", "forms: [per]\n    colour: red"), "unknown key"),
    (TOY_ATTRIBUTION.replace("titles: [bibo]", "titles: [bibo]\n  window: 3"), "unknown key"),
    (TOY_ATTRIBUTION.replace('["4 dedo per Monitra", "4", mon]', '["4 dedo per Monitra", "44", mon]'), "not in the text"),
    (TOY_ATTRIBUTION.replace("forms: [per]", "forms: [blab]"), "already a form"),
    (TOY_ATTRIBUTION.replace("id: xx.cue.per", "id: xx.speech.blab"), "duplicate id"),
], ids=["no-counterexample", "no-example", "bad-sides", "unknown-entry-key", "unknown-setting", "figure-not-in-text",
        "form-of-two-rules", "duplicate-id"])
def test_bad_attribution_data_is_rejected(tmp_path, broken, message):
    pack = make_pack(tmp_path, broken)
    with pytest.raises(DataFileError) as error:
        compile_rules(pack)
    assert message in str(error.value) and "attribution.yaml" in str(error.value)


@pytest.mark.parametrize("lang, filler", [
    ("ar", "قال " * 3000 + '"' * 2000 + " مدير " * 2000 + " المرصد " * 2000),
    ("en", "said " * 3000 + '"' * 2000 + " spokesman " * 2000 + " the observatory " * 2000),
])
def test_adversarial_input_is_fast_and_well_formed(lang, filler):
    import time

    import regex

    pack = load_pack(lang)
    text = pack.canonical(f"{filler} 5 {filler} 7")
    spans = [m.span() for m in regex.finditer(r"\d+", text)]
    began = time.process_time()  # CPU time: other processes on the machine do not count
    claims = attribute(text, pack, load_gazetteers(), spans, None)
    assert time.process_time() - began < 3
    assert len(claims) == len(spans)
    for claim in claims:
        assert claim.attribution in ("own", "explicit")
        if claim.attribution == "explicit":
            assert text[claim.start:claim.end] == claim.text


@pytest.mark.parametrize("text, figure, expected", [
    ("وقال رئيس المجلس المحلي مصطفى الحلبي إن 9 أشخاص قتلوا في القصف.", "9", "مصطفى_الحلبي"),  # ى kept
    ("وقال المتحدث باسم الدفاع المدني حمزة العبيدي إن 12 جثة انتشلت.", "12", "حمزة_العبيدي"),  # ة kept
    ("وقال محافظ المدينة وائل الشريف إن 30 أسرة نزحت و5 أشخاص قتلوا.", "5", "وائل_الشريف"),  # ئ kept
    ("وقال رئيس البلدية مُصطفى أحمد إن 7 أشخاص أصيبوا.", "7", "مصطفى_احمد"),  # marks dropped, alef forms folded
    ("وقال المتحدث العسكري باسم الحوثيين يحيى سريع إن 40 جنديا قتلوا.", "40", "houthis"),  # a gazetteer id as it is
])
def test_name_keeps_written_letters(text, figure, expected):
    """A name no gazetteer knows is its id with the letters the text writes where the canonical
    text folds them (ar attribution.yaml written_letters), the alef forms folded as ever."""
    pack = load_pack("ar")
    assert claim_for(pack, text, figure).claimed_by == expected


@pytest.mark.parametrize("lang, text, written", [
    ("ar", "وذكرت وكالة أعماق التابعة لتنظيم الدولة الإسلامية أن 900 عنصر من قوات النظام قتلوا.", "وكالة أعماق"),
    ("en", "The Syrian Observatory for Human Rights said 12 civilians were killed in Idlib.", "Syrian Observatory for Human Rights"),
])
def test_claimed_by_text_is_as_written(lang, text, written):
    """The table shows the claimant's words as the article writes them, not their folded form
    (ة, أ and capitals kept), and they are found at their place in the article."""
    from casualties.api import extract_figures
    from casualties.model import Article

    figures = extract_figures(Article("doc", text, language=lang))
    assert [f.claimed_by_text for f in figures] == [written]
    assert written in text


def test_the_word_pattern_splits_on_the_spaces_of_the_regex_module():
    """attribution.WORD (the standard engine, for speed) reads the words `regex`'s \\S+ reads:
    the standard \\s also takes the separators \\x1c-\\x1f."""
    import sys

    import regex

    from casualties.attribution import WORD

    reference = regex.compile(r"\S+")
    assert [c for c in range(sys.maxunicode + 1) if bool(WORD.fullmatch(chr(c))) != bool(reference.fullmatch(chr(c)))] == []
    text = "a\x1cb c\u2003d\xa0e\u200bf\n\tg"
    assert WORD.findall(text) == reference.findall(text) == ["a\x1cb", "c", "d", "e\u200bf", "g"]
