"""Gazetteers: the data validates, aliases resolve in both languages, anaphora follow the text,
and malformed files are rejected with the file and the entry named."""
import csv
from pathlib import Path

import pytest

from casualties.errors import DataFileError
from casualties.gazetteer import GAZETTEER_DIR, load_gazetteers
from casualties.langpack import Lexicon, load_pack

ROOT = Path(__file__).resolve().parent.parent

REQUIRED_ACTORS = {
    "islamic_state", "syrian_government", "hts", "nusra_front", "sdf", "fsa", "russia", "iran", "irgc",
    "hezbollah", "us_led_coalition", "turkey", "israel", "hamas", "houthis", "yemen_government",
    "saudi_led_coalition", "iraqi_forces", "pmf", "rsf", "saf", "lna",
}
REQUIRED_SOURCES = {
    "sohr", "amaq", "sana", "regime_media", "activists", "local_sources", "military_source", "medical_source",
    "correspondent", "afp", "reuters", "ap", "orient_net", "horrya_press", "arabi21", "enab_baladi", "al_jazeera",
    "rt_arabic", "un", "ocha", "who", "unicef", "health_ministry_gaza", "icrc", "syrian_network_for_human_rights",
    "vdc", "airwars", "khaled_abdel_majid",
}


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteers()


@pytest.fixture(scope="module")
def ar():
    return load_pack("ar")


@pytest.fixture(scope="module")
def en():
    return load_pack("en")


def test_sizes_and_required_ids(gaz):
    assert len(gaz.actors) >= 25 and len(gaz.sources) >= 35
    assert REQUIRED_ACTORS <= set(gaz.actors)
    assert REQUIRED_SOURCES <= set(gaz.sources)
    assert not set(gaz.actors) & set(gaz.sources)


@pytest.mark.parametrize("group", ["actors", "sources"])
def test_every_entry_is_named_in_arabic_and_english(gaz, group):
    for entry_id, entry in getattr(gaz, group).items():
        assert entry["names"].get("ar") and entry["names"].get("en"), entry_id


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_every_name_finds_its_own_entry(gaz, lang):
    pack = load_pack(lang)
    for group, lexicon in (("actors", gaz.actor_lexicon(pack)), ("sources", gaz.source_lexicon(pack))):
        for entry_id, entry in getattr(gaz, group).items():
            phrases = [entry["names"][lang], *entry["aliases"].get(lang, ()), *entry["people"].get(lang, ())]
            for phrase in phrases:
                canonical = pack.canonical(phrase)
                hits = list(lexicon.find(canonical))
                # a form successive entries share (their dates apart) lists them all, the first as its id
                assert hits and entry_id in hits[0][3]["ids"], (group, entry_id, phrase, hits[:1])


def test_lexicon_attributes_and_built_once(gaz, ar):
    lexicon = gaz.source_lexicon(ar)
    assert isinstance(lexicon, Lexicon)
    assert gaz.source_lexicon(ar) is lexicon
    assert gaz.actor_lexicon(ar) is gaz.actor_lexicon(ar)
    start, end, term, attrs, pre, suf = next(lexicon.find(ar.canonical("قال رامي عبد الرحمن")))
    assert {"id", "kind", "anaphora", "person"} <= set(attrs)
    assert (attrs["id"], attrs["kind"], attrs["anaphora"], attrs["person"]) == ("sohr", "monitor", False, True)
    anaphor = next(gaz.source_lexicon(ar).find(ar.canonical("وأشار المصدر")))[3]
    assert anaphor["anaphora"] and {"military_source", "medical_source"} <= set(anaphor["ids"])


def test_manifest_publishers_resolve(gaz):
    with open(ROOT / "seeds" / "manifest.csv", encoding="utf-8") as handle:
        publishers = {row["id"]: row["publisher"] for row in csv.DictReader(handle)}
    resolved = {doc: gaz.source_id_for_publisher(name) for doc, name in publishers.items()}
    assert resolved == {
        "000_2e25e6177bec242b": None,
        "001_450bf0e7429b9e63": "horrya_press",
        "002_46cbcdc7920e3242": "sohr",
        "003_4de00a275d15d1bd": "arabi21",
        "004_063d37d86aa31e0f": "orient_net",
    }


@pytest.mark.parametrize("name, expected", [
    ("Orient Net (أورينت نت)", "orient_net"),
    ("أورينت نت", "orient_net"),
    ("Syrian Observatory for Human Rights (المرصد السوري لحقوق الإنسان)", "sohr"),
    ("Enab Baladi", "enab_baladi"),
    ("عنب بلدي", "enab_baladi"),
    ("Al Jazeera English", "al_jazeera"),
    ("sohr", "sohr"),
    ("Some Blog Nobody Knows", None),
    ("", None),
    (None, None),
])
def test_source_id_for_publisher(gaz, name, expected):
    assert gaz.source_id_for_publisher(name) == expected
    assert gaz.source_id_for_publisher(name) == expected  # again, from what the first call learnt


def test_a_publisher_is_looked_up_once(gaz, monkeypatch):
    looked_up = []
    real = type(gaz)._publisher_id
    monkeypatch.setattr(type(gaz), "_publisher_id", lambda self, name: looked_up.append(name) or real(self, name))
    names = ["Orient Net", "A Publisher Seen Only Here", "Orient Net", "A Publisher Seen Only Here"]
    assert [gaz.source_id_for_publisher(n) for n in names] == ["orient_net", None, "orient_net", None]
    assert looked_up.count("A Publisher Seen Only Here") <= 1 and looked_up.count("Orient Net") <= 1


def test_anaphora_resolve_to_the_actor_named_last(gaz, ar):
    text = ar.canonical("هاجم تنظيم الدولة مواقع هيئة تحرير الشام، ثم انسحب التنظيم وقصفت الهيئة مواقعه")
    found = [(text[a:b], actor, via) for a, b, actor, via in gaz.resolve_actor_mentions(text, ar)]
    assert found == [
        ("تنظيم الدوله", "islamic_state", False),
        ("هييه تحرير الشام", "hts", False),
        ("التنظيم", "islamic_state", True),
        ("الهييه", "hts", True),
    ]


def test_shared_anaphor_takes_the_most_recent_antecedent(gaz, en):
    text = en.canonical("Hamas fighters clashed with ISIS. The group said it lost 5 men. Later Hamas said the group won.")
    found = [(text[a:b], actor) for a, b, actor, _via in gaz.resolve_actor_mentions(text, en)]
    assert found == [("hamas", "hamas"), ("isis", "islamic_state"), ("the group", "islamic_state"),
                     ("hamas", "hamas"), ("the group", "hamas")]


def test_unresolved_anaphora_are_dropped(gaz, ar, en):
    assert gaz.resolve_actor_mentions(ar.canonical("وانسحب التنظيم من المنطقة"), ar) == []
    assert gaz.resolve_actor_mentions(en.canonical("The group withdrew."), en) == []


def test_actor_inside_a_longer_source_name_is_not_an_actor(gaz, ar):
    text = ar.canonical("نقلت قناة روسيا اليوم عن مراسلتها")
    assert gaz.resolve_actor_mentions(text, ar) == []
    text = ar.canonical("وقصفت روسيا المدينة")
    assert [actor for _a, _b, actor, _v in gaz.resolve_actor_mentions(text, ar)] == ["russia"]


def test_people_name_their_entry_but_are_not_actor_mentions(gaz, ar):
    text = ar.canonical("وقال يحيى سريع إن الجماعة أسقطت طائرة")
    assert [(actor, via) for _a, _b, actor, via in gaz.resolve_actor_mentions(text, ar)] == [("houthis", True)]


@pytest.mark.parametrize("written, entry_id", [
    ("للمرصد السوري", "sohr"),
    ("والمرصد السوري لحقوق الإنسان", "sohr"),
    ("بحسب المرصد السوري", "sohr"),
    ("للحوثيين", "houthis"),
    ("لقوات النظام", "syrian_government"),
    ("لـ\"أورينت نت\"", "orient_net"),
    ("وفقاً لوكالة رويترز", "reuters"),
])
def test_clitic_and_article_forms(gaz, ar, written, entry_id):
    text = ar.canonical(written)
    found = [m.entry_id for m in gaz.source_mentions(text, ar)] + [a for _s, _e, a, _v in gaz.resolve_actor_mentions(text, ar)]
    assert found == [entry_id]


@pytest.mark.parametrize("text", ["نصرة لغزة خرج الآلاف", "وصلت القاعدة الجوية", "حشد الجيش قواته", "في أعماق البحر"])
def test_short_common_words_are_not_actors(gaz, ar, text):
    assert gaz.resolve_actor_mentions(ar.canonical(text), ar) == []


@pytest.mark.parametrize("text", ["This is a war", "Give us the numbers", "Who was killed?"])
def test_english_short_words_are_not_names(gaz, en, text):
    canonical = en.canonical(text)
    assert gaz.resolve_actor_mentions(canonical, en) == []
    assert [m for m in gaz.source_mentions(canonical, en) if m.entry_id] == []


@pytest.mark.parametrize("lang, text, expected", [
    ("ar", "وقتل 5 جنود تشاديون في هجوم للجيش التشادي", ["chad_army", "chad_army"]),
    ("en", "Chadian soldiers and the Chadian army", ["chad_army", "chad_army"]),
    ("ar", "وقال الجيش النيجري إن الجيش النيجيري", ["niger_army", "nigerian_army"]),
    ("en", "The Somali National Army said", ["somali_army"]),
    ("en", "The SNA said", []),
    ("ar", "وقالت القوات اللبنانية", []),
    ("en", "a Lebanese Forces lawmaker", []),
])
def test_national_armies_and_their_near_misses(gaz, ar, en, lang, text, expected):
    """One id per army in both languages; Niger is not Nigeria, 'SNA' is not the Somali army
    and the Lebanese Forces party is not the Lebanese army."""
    pack = {"ar": ar, "en": en}[lang]
    canonical = pack.canonical(text)
    assert [actor for _a, _b, actor, _v in gaz.resolve_actor_mentions(canonical, pack)] == expected


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "CODECO militiamen attacked the camp", ["codeco"]),
    ("en", "the Karen National Union and its armed wing, the KNLA", ["knu", "knu"]),
    ("en", "the Oromo Liberation Army, which the government calls OLF-Shene", ["ola", "ola"]),
    ("en", "the Oromo Liberation Front, a registered party", []),
    ("en", "the Malian government said", ["malian_army"]),
    ("ar", "وقالت الحكومة المالية إن", ["malian_army"]),
    ("ar", "وقالت وزارة المالية إن", []),
])
def test_sides_named_by_batch_8(gaz, ar, en, lang, text, expected):
    """The Ituri, Karen and Oromo armed groups, and Mali's government as its state's id; the OLF
    party is not the OLA and a finance ministry is not Mali."""
    pack = {"ar": ar, "en": en}[lang]
    canonical = pack.canonical(text)
    assert [actor for _a, _b, actor, _v in gaz.resolve_actor_mentions(canonical, pack)] == expected


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "MONUSCO said in a statement", ["un"]),
    ("ar", "وقالت بعثة مينوسما", ["un"]),
    ("en", "the Kivu Security Tracker recorded", ["kivu_security_tracker"]),
    ("en", "a Kivu security official said", []),
    ("en", "CHRDA, a rights group based in Buea", ["chrda"]),
    ("en", "the Amhara Association of America said", ["amhara_association_of_america"]),
    ("en", "an Amhara association in Bahir Dar said", []),
])
def test_sources_named_by_batch_8(gaz, ar, en, lang, text, expected):
    pack = {"ar": ar, "en": en}[lang]
    assert [m.entry_id for m in gaz.source_mentions(pack.canonical(text), pack) if m.entry_id] == expected


def test_validity_dates(gaz):
    from datetime import date

    assert gaz.valid_on("nusra_front", date(2015, 1, 1))
    assert not gaz.valid_on("nusra_front", date(2018, 5, 1))
    assert not gaz.valid_on("hts", date(2016, 1, 1))
    assert gaz.valid_on("sohr", None)
    assert not gaz.valid_on("no_such_id", None)


def write_gazetteer(folder: Path, actors: str, sources: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actors.yaml").write_text(actors, encoding="utf-8")
    (folder / "sources.yaml").write_text(sources, encoding="utf-8")
    return folder


GOOD_ACTOR = "actors:\n  - {id: a_one, kind: armed_group, names: {en: One}, aliases: {en: [one group]}}\n"
GOOD_SOURCE = "sources:\n  - {id: s_one, kind: monitor, names: {en: Monitor One}, aliases: {en: [monitor one]}}\n"


def test_a_good_toy_gazetteer_loads(tmp_path):
    gaz = load_gazetteers(write_gazetteer(tmp_path / "ok", GOOD_ACTOR, GOOD_SOURCE))
    assert set(gaz.actors) == {"a_one"} and set(gaz.sources) == {"s_one"}
    assert gaz.source_id_for_publisher("Monitor One") == "s_one"


SUCCESSIVE = ("actors:\n"
              "  - {id: old_army, kind: state_forces, names: {en: Old Army}, aliases: {en: [the national army]},"
              " valid_to: 2020-06-30}\n"
              "  - {id: new_army, kind: state_forces, names: {en: New Army}, aliases: {en: [the national army]},"
              " valid_from: 2020-07-01}\n")


def test_a_form_names_the_entry_of_the_articles_date(tmp_path):
    """Successive governments may share the state's own names; an article names the one of its day."""
    from datetime import date

    gaz = load_gazetteers(write_gazetteer(tmp_path / "ok", SUCCESSIVE, GOOD_SOURCE))
    pack = load_pack("en")
    text = pack.canonical("Five soldiers of the national army were killed.")
    named = {day: [m[2] for m in gaz.resolve_actor_mentions(text, pack, day)]
             for day in (date(2019, 1, 1), date(2021, 1, 1), None)}
    assert named == {date(2019, 1, 1): ["old_army"], date(2021, 1, 1): ["new_army"], None: ["old_army"]}


def test_a_form_of_two_entries_whose_dates_overlap_is_rejected(tmp_path):
    overlapping = SUCCESSIVE.replace("valid_from: 2020-07-01", "valid_from: 2020-06-01")
    with pytest.raises(DataFileError, match="do not overlap"):
        load_gazetteers(write_gazetteer(tmp_path / "bad", overlapping, GOOD_SOURCE))


@pytest.mark.parametrize("actors, sources, message", [
    (GOOD_ACTOR.replace("names:", "colour: red, names:"), GOOD_SOURCE, "unknown key"),
    (GOOD_ACTOR.replace("a_one", "A-One"), GOOD_SOURCE, "snake_case"),
    (GOOD_ACTOR.replace("armed_group", "band"), GOOD_SOURCE, "unknown kind"),
    (GOOD_ACTOR, GOOD_SOURCE.replace("s_one", "a_one"), "duplicate id"),
    (GOOD_ACTOR, GOOD_SOURCE.replace("monitor one", "one group"), "already names"),
    (GOOD_ACTOR.replace("}}\n", "}, anaphora: {en: [monitor one]}}\n"), GOOD_SOURCE, "anaphor"),
    (GOOD_ACTOR.replace("}}\n", "}, valid_from: \"2020-13-01\"}\n"), GOOD_SOURCE, "date"),
    (GOOD_ACTOR.replace("}}\n", "}, valid_from: 2020-01-01, valid_to: 2019-01-01}\n"), GOOD_SOURCE, "before"),
    (GOOD_ACTOR.replace("a_one", "publisher"), GOOD_SOURCE, "reserved"),
    (GOOD_ACTOR.replace("names: {en: One}", "names: {english: One}"), GOOD_SOURCE, "language"),
    (GOOD_ACTOR.replace("[one group]", "5"), GOOD_SOURCE, "list"),
    ("entries: []\n", GOOD_SOURCE, "unknown key"),
    (GOOD_ACTOR.replace("}}\n", "}, ambiguous: {en: [somebody else]}}\n"), GOOD_SOURCE, "not one of its aliases"),
], ids=["unknown-key", "bad-id", "bad-kind", "duplicate-id", "alias-of-two-ids", "anaphor-is-a-name", "bad-date",
        "dates-reversed", "reserved-id", "bad-language", "aliases-not-a-list", "bad-top-level", "ambiguous-not-an-alias"])
def test_bad_gazetteers_are_rejected_with_file_and_entry(tmp_path, actors, sources, message):
    folder = write_gazetteer(tmp_path / "bad", actors, sources)
    with pytest.raises(DataFileError) as error:
        load_gazetteers(folder)
    text = str(error.value)
    assert message in text
    assert ".yaml" in text


def test_missing_file_is_named(tmp_path):
    folder = tmp_path / "missing"
    folder.mkdir()
    (folder / "actors.yaml").write_text(GOOD_ACTOR, encoding="utf-8")
    with pytest.raises(DataFileError, match="sources.yaml"):
        load_gazetteers(folder)


def test_packaged_files_carry_provenance_headers():
    for name in ("actors.yaml", "sources.yaml"):
        head = (GAZETTEER_DIR / name).read_text(encoding="utf-8").splitlines()[:12]
        assert any("Provenance" in line for line in head), name
        assert any("problem" in line.lower() for line in (GAZETTEER_DIR / name).read_text(encoding="utf-8").splitlines()[:40]), name


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_lexicon_find_is_exactly_the_pattern_scan(gaz, lang):
    """Lexicon.find tries its pattern only where the automaton found a phrase (or a proclitic
    before one): a speed-up that must find what a scan at every character finds, with offsets."""
    from casualties.attribution import compile_rules
    from tests.test_periods import _texts_per_language

    pack = load_pack(lang)
    rules = pack.compiled("attribution", compile_rules)
    lexicons = [gaz.actor_lexicon(pack), gaz.source_lexicon(pack), rules.cues, rules.complementizers, rules.titles]
    texts = [pack.canonical(t) for t in _texts_per_language()[lang] if t]
    texts.append(" ".join(texts))
    hits = 0
    for lexicon in lexicons:
        for text in texts:
            expected = [lexicon._hit(m) for m in lexicon.pattern.finditer(text)]
            assert list(lexicon.find(text)) == expected, text
            # a window: offsets stay those of the whole text, and nothing outside it is found
            lo, hi = len(text) // 3, 2 * len(text) // 3
            expected = [lexicon._hit(m) for m in lexicon.pattern.finditer(text, lo, hi)]
            assert list(lexicon.find(text, lo, hi)) == expected, text
            hits += len(expected)
    assert hits > 100


def test_context_words_are_found_as_each_word_searched_alone():
    """An ambiguous alias's context words are searched as one compiled pattern: it matches a text
    exactly when one of the words, searched alone where a word begins, does."""
    import regex

    from casualties.gazetteer import _context_words

    words = ("cameroon", "ambazonia", "bamenda")
    for text in ("in bamenda, 12 were killed", "the ambazonian forces", "xcameroon", "nothing here", "cameroon"):
        alone = any(regex.search(rf"(?<!\w){regex.escape(word)}", text) for word in words)
        assert bool(_context_words(words).search(text)) == alone
