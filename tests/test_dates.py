"""Dates: every example and counterexample in each pack's dates.yaml (test id = entry id), the
engine on an invented language, and the resolution policies with a fixed reference date."""
from __future__ import annotations

import ast
import time
from datetime import date
from pathlib import Path

import pytest
import regex
import yaml

from casualties import dates as dates_module
from casualties import corpus as corpus_module
from casualties import periods as periods_module
from casualties.dates import find_dates, resolve
from casualties.errors import DataFileError
from casualties.langpack import LANG_DIR, load_pack
from casualties.periods import find_time_expressions

REFERENCE = date(2018, 5, 21)  # a Monday: the date every example in dates.yaml is written for
LANGS = ("ar", "en")
ENGINE_MODULES = (dates_module, periods_module, corpus_module)


def describe(kind: str, first: date | None, last: date | None) -> str:
    """The examples' notation: YYYY-MM-DD, YYYY-MM, A/B with ? for unknown, ? alone, same."""
    if kind == "same":
        return "same"
    if first is None and last is None:
        return "?"
    if kind == "month" and first and last and first.day == 1 and first.month == last.month:
        return first.strftime("%Y-%m")
    if first == last:
        return first.isoformat()
    return f"{first.isoformat() if first else '?'}/{last.isoformat() if last else '?'}"


def _data(code: str) -> dict:
    return yaml.safe_load((LANG_DIR / code / "dates.yaml").read_text(encoding="utf-8"))


def _date_entries(code: str):
    data = _data(code)
    yield from data["months"]["names"]
    yield from data["weekdays"]["names"]
    yield from data["relative_days"]
    yield data["year_words"]


def _cases(kind: str):
    for code in LANGS:
        entries = list(_date_entries(code)) if kind.startswith("date") else _data(code)["period_cues"]["cues"]
        for entry in entries:
            if kind.endswith("examples") and not kind.endswith("counterexamples"):
                for i, (text, expected) in enumerate(entry["examples"]):
                    yield pytest.param(code, entry["id"], text, expected, id=f"{entry['id']}:{i}")
            else:
                for i, text in enumerate(entry["counterexamples"]):
                    yield pytest.param(code, entry["id"], text, id=f"{entry['id']}:not{i}")


@pytest.mark.parametrize("code, rule, text, expected", list(_cases("date_examples")))
def test_date_example(code, rule, text, expected):
    pack = load_pack(code)
    mentions = find_dates(pack.canonical(text), pack, REFERENCE)
    assert len(mentions) == 1, [m.text for m in mentions]
    mention = mentions[0]
    assert rule in mention.parts
    assert describe(mention.kind, mention.first, mention.last) == expected


@pytest.mark.parametrize("code, rule, text", list(_cases("date_counterexamples")))
def test_date_counterexample(code, rule, text):
    pack = load_pack(code)
    found = [m.text for m in find_dates(pack.canonical(text), pack, REFERENCE) if rule in m.parts]
    assert found == []


@pytest.mark.parametrize("code, rule, text, expected", list(_cases("cue_examples")))
def test_cue_example(code, rule, text, expected):
    pack = load_pack(code)
    found = [e for e in find_time_expressions(pack.canonical(text), pack, REFERENCE) if e.rule == rule]
    assert len(found) == 1, [e.text for e in found]
    assert describe(found[0].kind, found[0].period_start, found[0].period_end) == expected


@pytest.mark.parametrize("code, rule, text", list(_cases("cue_counterexamples")))
def test_cue_counterexample(code, rule, text):
    pack = load_pack(code)
    assert [e.text for e in find_time_expressions(pack.canonical(text), pack, REFERENCE) if e.rule == rule] == []


@pytest.mark.parametrize("code", LANGS)
def test_every_entry_has_examples_and_counterexamples(code):
    entries = list(_date_entries(code)) + _data(code)["period_cues"]["cues"]
    assert len({e["id"] for e in entries}) == len(entries), "duplicate ids"
    for entry in entries:
        assert entry["id"].startswith(f"{code}."), entry["id"]
        assert entry["examples"] and entry["counterexamples"], entry["id"]


@pytest.mark.parametrize("code", LANGS)
def test_all_twelve_months_and_seven_weekdays(code):
    data = _data(code)
    assert sorted(e["month"] for e in data["months"]["names"]) == list(range(1, 13))
    assert sorted(e["weekday"] for e in data["weekdays"]["names"]) == list(range(7))


@pytest.mark.parametrize("text, expected", [
    ("كانون الثاني", 1), ("يناير", 1), ("جانفي", 1),
    ("شباط", 2), ("فبراير", 2), ("فيفري", 2),
    ("آذار", 3), ("مارس", 3),
    ("نيسان", 4), ("أبريل", 4), ("أفريل", 4),
    ("أيار", 5), ("مايو", 5), ("ماي", 5),
    ("حزيران", 6), ("يونيو", 6), ("جوان", 6),
    ("تموز", 7), ("يوليو", 7), ("جويلية", 7),
    ("آب", 8), ("أغسطس", 8), ("أوت", 8),
    ("أيلول", 9), ("سبتمبر", 9),
    ("تشرين الأول", 10), ("أكتوبر", 10),
    ("تشرين الثاني", 11), ("نوفمبر", 11),
    ("كانون الأول", 12), ("ديسمبر", 12),
])
def test_arabic_month_in_three_naming_systems(text, expected):
    pack = load_pack("ar")
    mentions = find_dates(pack.canonical(f"3 {text} 2015"), pack)
    assert [(m.month, m.first) for m in mentions] == [(expected, date(2015, expected, 3))]


def test_offsets_are_canonical_half_open():
    pack = load_pack("ar")
    text = pack.normalise("قتل 5 في 19 نيسان/أبريل 2018، وفجر اليوم الأحد قتل 3").canonical
    mentions = find_dates(text, pack, REFERENCE)
    assert [text[m.start:m.end] for m in mentions] == [m.text for m in mentions]
    assert [m.text for m in mentions] == ["19 نيسان/ابريل 2018", "فجر اليوم الاحد"]


def test_missing_year_takes_the_most_recent_past_date():
    pack = load_pack("en")
    got = {t: find_dates(t, pack, date(2018, 1, 3))[0].first for t in ("december 25", "january 2", "january 3", "january 4")}
    assert got == {
        "december 25": date(2017, 12, 25), "january 2": date(2018, 1, 2),
        "january 3": date(2018, 1, 3), "january 4": date(2017, 1, 4),
    }


def test_29_february_goes_back_to_the_last_leap_year():
    pack = load_pack("en")
    assert find_dates("february 29", pack, REFERENCE)[0].first == date(2016, 2, 29)
    assert find_dates("february 29, 2017", pack, REFERENCE) == []


def test_weekday_is_on_or_before_the_reference():
    pack = load_pack("en")
    assert find_dates("monday", pack, REFERENCE)[0].first == REFERENCE
    assert find_dates("tuesday", pack, REFERENCE)[0].first == date(2018, 5, 15)


@pytest.mark.parametrize("lang, text, reference, expected", [
    # the weekday agrees with the reference year only: a day announced ahead, not last year's date
    ("en", "the president declared Sunday, 24 March, a day of national mourning", date(2024, 3, 23), date(2024, 3, 24)),
    ("en", "the funerals will be held on Friday, June 14", date(2019, 6, 12), date(2019, 6, 14)),
    ("ar", "وأعلنت الحكومة الحداد يوم الأحد 24 آذار", date(2024, 3, 23), date(2024, 3, 24)),
    # counterexamples: no weekday, a weekday that fits neither year, the date already past this
    # year, and an agreeing day too far ahead keep the most recent past date
    ("en", "the president declared 24 March a day of national mourning", date(2024, 3, 23), date(2023, 3, 24)),
    ("en", "the attack on Thursday, March 24", date(2024, 3, 23), date(2023, 3, 24)),
    ("en", "on Sunday, 17 March, gunmen attacked the base", date(2024, 3, 23), date(2024, 3, 17)),
    ("en", "the talks open on Sunday, 23 June", date(2024, 3, 23), date(2023, 6, 23)),
    ("ar", "في هجوم يوم الخميس 24 آذار", date(2024, 3, 23), date(2023, 3, 24)),
])
def test_a_day_on_its_written_weekday_in_the_reference_year_is_an_announced_day(lang, text, reference, expected):
    pack = load_pack(lang)
    assert find_dates(pack.canonical(text), pack, reference)[0].first == expected


def test_without_reference_only_written_years_resolve():
    pack = load_pack("ar")
    found = find_dates(pack.canonical("21 أيار 2018 و اليوم الأحد و 19 نيسان"), pack)
    assert [(m.text, m.first) for m in found] == [
        ("21 ايار 2018", date(2018, 5, 21)), ("اليوم الاحد", None), ("19 نيسان", None),
    ]
    assert resolve(found[2], REFERENCE).first == date(2018, 4, 19)


def test_byline_glued_to_a_day_number():
    pack = load_pack("ar")
    text = pack.canonical("فريق التحرير121 مايو 2018آخر تحديث :")
    [mention] = find_dates(text, pack)
    assert (mention.text, mention.first) == ("21 مايو 2018", date(2018, 5, 21))


def test_an_impossible_date_is_dropped_not_degraded():
    pack = load_pack("en")
    assert find_dates("february 30, 2016", pack, REFERENCE) == []
    assert find_dates("june 31", pack, REFERENCE) == []


def test_adjacent_mentions_merge_into_the_most_precise():
    pack = load_pack("ar")
    text = pack.canonical("صباح اليوم الأحد الـ 20 من أيار / مايو الجاري من العام 2018")
    [mention] = find_dates(text, pack, date(2018, 5, 22))
    assert (mention.start, mention.end, mention.kind, mention.first) == (0, len(text), "day", date(2018, 5, 20))


def test_adversarial_input_stays_fast():
    pack = load_pack("ar")
    nasty = " ".join(["1 - 2 و 3 أيار / مايو (ماي - مايو"] * 400 + ["9" * 5000, "السبت - " * 2000])
    text = pack.canonical(nasty)
    started = time.process_time()  # CPU time: other processes on the machine do not count
    find_time_expressions(text, pack, REFERENCE)
    assert time.process_time() - started < 5


@pytest.mark.parametrize("module", ENGINE_MODULES, ids=lambda m: m.__name__)
def test_engine_modules_know_no_language(module):
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert not regex.search(r"\p{Script=Arabic}", source)
    literals = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not literals & {"ar", "en", "arabic", "english"}


# The engine on an invented language (lesson 9): the Arabic and English data can grow without
# changing these tests.

TOY_DATES = {
    "months": {
        "day_prefixes": ["el"], "day_suffixes": ["o"], "connectors": ["fo"], "this_month": ["kur"],
        "past_month": ["pas"], "numeric_order": ["year", "month", "day"], "orders": ["day_month"],
        "range_joiners": ["-", "ta"],
        "names": [
            {"id": "xx.month.zim", "month": 1, "forms": ["zim"], "examples": [["1 zim 2000", "2000-01-01"]], "counterexamples": ["zim"]},
            {"id": "xx.month.zam", "month": 5, "forms": ["zam", "zamo"], "examples": [["1 zam 2000", "2000-05-01"]], "counterexamples": ["zam"]},
        ],
    },
    "weekdays": {
        "prefixes": ["un"], "range_joiners": ["-"], "future": ["nex"],
        "names": [
            {"id": "xx.weekday.gre", "weekday": 5, "forms": ["gre"], "examples": [["gre", "?"]], "counterexamples": ["nex gre"]},
            {"id": "xx.weekday.blu", "weekday": 6, "forms": ["blu"], "examples": [["blu", "?"]], "counterexamples": ["blu nex"]},
        ],
    },
    "relative_days": [
        {"id": "xx.day.tod", "days": 0, "forms": ["tod"], "blockers": ["tod news"], "examples": [["tod", "?"]], "counterexamples": ["tod news"]},
        {"id": "xx.day.yes", "days": -1, "forms": ["yes"], "examples": [["yes", "?"]], "counterexamples": ["yess"]},
    ],
    "year_words": {"id": "xx.year_words", "markers": ["yar"], "this_year": ["dis yar"], "last_year": [],
                   "examples": [["1 zim yar 2000", "2000-01-01"]], "counterexamples": ["yar 2000"]},
    "period_cues": {
        "start_words": ["bego"], "duration_prefixes": [], "approximate": ["abo"],
        "counts": [{"value": 3, "forms": ["tri"]}],
        "units": [{"unit": "day", "singular": ["dai"], "plural": ["dais"], "dual": ["daidai"]}],
        "cues": [
            {"id": "xx.since", "kind": "since", "forms": ["sin {DATE}", "sin {DURATION}"], "examples": [["sin tod", "?"]], "counterexamples": ["sin"]},
            {"id": "xx.same", "kind": "same", "forms": ["sam (per|tim)"], "examples": [["sam per", "same"]], "counterexamples": ["sam"]},
            {"id": "xx.last", "kind": "last", "forms": ["las {COUNTED}"], "examples": [["las tri dais", "?"]], "counterexamples": ["las dai"]},
            {"id": "xx.elapsed", "kind": "elapsed", "forms": ["aft {COUNTED} of"], "examples": [["aft 2 dais of", "?"]], "counterexamples": ["aft"]},
        ],
    },
}


def _toy(tmp_path: Path, dates_data: dict):
    folder = tmp_path / "xx"
    folder.mkdir(exist_ok=True)
    (folder / "normalization.yaml").write_text("steps: []\n", encoding="utf-8")
    (folder / "dates.yaml").write_text(yaml.safe_dump(dates_data, allow_unicode=True), encoding="utf-8")
    return load_pack("xx", lang_dir=tmp_path)


def test_toy_language_dates(tmp_path):
    pack = _toy(tmp_path, TOY_DATES)
    ref = date(2018, 5, 21)
    found = {m.text: (m.kind, m.first, m.last) for m in find_dates(
        "el 19o fo zam yar 2017 x 3 ta 5 zim x zamo kur x un gre-blu x yes x tod news x 2016/05/29 x nex blu", pack, ref
    )}
    assert found == {
        "el 19o fo zam yar 2017": ("day", date(2017, 5, 19), date(2017, 5, 19)),
        "3 ta 5 zim": ("day_range", date(2018, 1, 3), date(2018, 1, 5)),
        "zamo kur": ("month", date(2018, 5, 1), date(2018, 5, 31)),
        "un gre-blu": ("weekday_range", date(2018, 5, 19), date(2018, 5, 20)),
        "yes": ("relative", date(2018, 5, 20), date(2018, 5, 20)),
        "2016/05/29": ("day", date(2016, 5, 29), date(2016, 5, 29)),
    }


def test_toy_language_periods(tmp_path):
    pack = _toy(tmp_path, TOY_DATES)
    text = "bego war on 1 zam 2018. aft 3 dais of war 5 ded. sam per 7 hurt. sin tri dais 9 fled. las tri dais 4 lost."
    spans = [(text.index(n), text.index(n) + 1) for n in ("5", "7", "9", "4")]
    periods = periods_module.resolve_periods(text, pack, date(2018, 5, 21), spans)
    assert [(p.start, p.end, p.rule) for p in periods] == [
        (date(2018, 5, 1), date(2018, 5, 4), "xx.elapsed"),
        (date(2018, 5, 1), date(2018, 5, 4), "xx.same"),
        (date(2018, 5, 18), date(2018, 5, 21), "xx.since"),
        (date(2018, 5, 18), date(2018, 5, 21), "xx.last"),
    ]


def test_data_errors_name_the_file_and_entry(tmp_path):
    broken = yaml.safe_load(yaml.safe_dump(TOY_DATES))
    del broken["months"]["names"][1]["counterexamples"]
    pack = _toy(tmp_path, broken)
    with pytest.raises(DataFileError) as error:
        find_dates("1 zam 2000", pack)
    assert "dates.yaml" in str(error.value) and "xx.month.zam" in str(error.value)


@pytest.mark.parametrize("change, words", [
    (lambda d: d["months"].update(colour="red"), "colour"),
    (lambda d: d["months"].update(orders=["sideways"]), "sideways"),
    (lambda d: d["period_cues"]["cues"][0].update(kind="someday"), "xx.since"),
    (lambda d: d["period_cues"]["cues"][0].update(forms=["sin {WHEN}"]), "WHEN"),
    (lambda d: d["period_cues"]["cues"][1].update(forms=["sam (per"]), "sam (per"),
])
def test_schema_errors(tmp_path, change, words):
    broken = yaml.safe_load(yaml.safe_dump(TOY_DATES))
    change(broken)
    pack = _toy(tmp_path, broken)
    with pytest.raises(DataFileError) as error:
        find_time_expressions("sin tod", pack, REFERENCE)
    assert words in str(error.value) and "dates.yaml" in str(error.value)
