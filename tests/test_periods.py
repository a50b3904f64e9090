"""Periods: the spec files tests/specs/periods/<lang>.jsonl, the seed gold periods, and the
invariants of resolve_periods (one period per figure; nothing invented without a date)."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from casualties.langpack import load_pack
from casualties.model import Period
from casualties.periods import find_time_expressions, resolve_periods

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "specs" / "periods"
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold" / "seeds.jsonl"
MINIMUM_CASES = {"ar": 25, "en": 15}


def _day(value):
    return date.fromisoformat(value) if value else None


def figure_span(canonical: str, pack, substring: str, after: int = 0) -> tuple[int, int]:
    """Span of the first occurrence of `substring` (canonicalised) not inside a longer number."""
    needle = pack.canonical(substring)
    for match in regex.finditer(r"(?<!\d)" + regex.escape(needle) + r"(?!\d)", canonical, pos=after):
        return match.span()
    raise AssertionError(f"{substring!r} not in {canonical!r}")


def _spec_cases():
    for path in sorted(SPECS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
            yield pytest.param(path.stem, case, id=f"{path.stem}:{number}", marks=marks)


@pytest.mark.parametrize("code, case", list(_spec_cases()))
def test_period_spec(code, case):
    pack = load_pack(code)
    canonical = pack.canonical(case["text"])
    target = figure_span(canonical, pack, case["figure"])
    spans = sorted({target, *(figure_span(canonical, pack, other) for other in case.get("others", []))})
    # "displaced": the figure counts people displaced, a state that carries no earlier time unless told as a flight
    displaced = [bool(case.get("displaced")) and span == target for span in spans]
    # "present": the figure counts people present (outcome present): a state dated only by its own
    # sentence's named past time, unless told at the scene of the deed
    present = [bool(case.get("present")) and span == target for span in spans]
    periods = resolve_periods(canonical, pack, _day(case["published"]), spans,
                              [not d and not p for d, p in zip(displaced, present)], present, displaced)
    period = periods[spans.index(target)]
    assert (period.start, period.end) == (_day(case["expected"]["start"]), _day(case["expected"]["end"])), period


@pytest.mark.parametrize("code, minimum", sorted(MINIMUM_CASES.items()))
def test_spec_files_are_large_enough(code, minimum):
    lines = [json.loads(l) for l in (SPECS / f"{code}.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    assert len([c for c in lines if not c.get("xfail")]) >= minimum
    assert all(set(c) <= {"text", "published", "figure", "others", "expected", "xfail", "displaced", "present"} for c in lines)
    assert any(c["published"] is None for c in lines), "an undated case is needed"


def _gold_cases():
    published = {row["id"]: _day(row["published"]) for row in csv.DictReader(open(SEEDS / "manifest.csv", encoding="utf-8"))}
    rows = [json.loads(l) for l in GOLD.read_text(encoding="utf-8").splitlines() if l.strip()]
    for doc in dict.fromkeys(r["doc"] for r in rows):
        figures = [r for r in rows if r["doc"] == doc]
        for index, row in enumerate(figures):
            marks = [] if row["required"] else [pytest.mark.xfail(reason="gold marks this period as not required", strict=False)]
            yield pytest.param(doc, published[doc], figures, index, id=f"{doc[:3]}:{row['number_text']}", marks=marks)


@pytest.mark.parametrize("doc, published, figures, index", list(_gold_cases()))
def test_seed_gold_period(doc, published, figures, index):
    pack = load_pack("ar")
    canonical = pack.normalise((SEEDS / f"{doc}.txt").read_text(encoding="utf-8")).canonical
    spans = []
    for row in figures:
        quote = canonical.find(pack.canonical(row["quote"]))
        assert quote >= 0, row["quote"]
        spans.append(figure_span(canonical, pack, row["number_text"].split(" ... ")[0], after=quote))
    order = sorted(range(len(spans)), key=spans.__getitem__)
    periods = resolve_periods(canonical, pack, published, [spans[i] for i in order])
    period = periods[order.index(index)]
    row = figures[index]
    assert (period.start, period.end) == (_day(row["period_start"]), _day(row["period_end"])), period


def test_same_period_takes_the_previous_figure():
    pack = load_pack("ar")
    text = pack.canonical("قتل 62 مدنياً منذ الـ 19 من نيسان الفائت، ووثق المرصد 233 قتيلاً خلال الفترة ذاتها.")
    spans = [figure_span(text, pack, "62"), figure_span(text, pack, "233")]
    first, second = resolve_periods(text, pack, date(2018, 5, 20), spans)
    assert (first.start, first.end, first.rule) == (date(2018, 4, 19), date(2018, 5, 20), "ar.period.since")
    assert (second.start, second.end, second.rule) == (first.start, first.end, "ar.period.same")
    assert second.evidence == pack.canonical("خلال الفترة ذاتها")


def test_discourse_time_carries_forward_but_not_backward():
    pack = load_pack("en")
    text = pack.canonical("Officials said 4 died. On Sunday, 12 were killed. Later 3 more died.")
    spans = [figure_span(text, pack, n) for n in ("4", "12", "3")]
    periods = resolve_periods(text, pack, date(2019, 4, 10), spans)
    assert [(p.start, p.end) for p in periods] == [(None, None), (date(2019, 4, 7),) * 2, (date(2019, 4, 7),) * 2]


def test_the_nearest_expression_of_the_sentence_wins():
    pack = load_pack("en")
    text = pack.canonical("Yesterday 5 were killed and today 7 were wounded.")
    periods = resolve_periods(text, pack, date(2019, 4, 10), [figure_span(text, pack, "5"), figure_span(text, pack, "7")])
    assert [p.start for p in periods] == [date(2019, 4, 9), date(2019, 4, 10)]
    assert [p.rule for p in periods] == ["en.day.yesterday", "en.day.today"]


def test_no_publication_date_invents_nothing():
    pack = load_pack("ar")
    text = pack.canonical("قتل 5 أمس. وفي بداية الشهر الحالي قتل 7. ومنذ 3 أيام قتل 9. وفي 19 نيسان 2018 قتل 11.")
    spans = [figure_span(text, pack, n) for n in ("5", "7", "9", "11")]
    periods = resolve_periods(text, pack, None, spans)
    assert [(p.start, p.end) for p in periods] == [(None, None)] * 3 + [(date(2018, 4, 19),) * 2]


def test_dateline_is_not_a_time_expression():
    pack = load_pack("ar")
    text = pack.normalise("عنوان الخبر\n21 أيار (مايو - ماي)، 2018\nقال مصدر إن 200 مقاتل غادروا.").canonical
    assert find_time_expressions(text, pack, date(2018, 5, 21)) == []
    assert resolve_periods(text, pack, date(2018, 5, 21), [figure_span(text, pack, "200")]) == [Period(None, None)]


def test_one_period_per_figure_and_none_without_figures():
    pack = load_pack("en")
    text = "since april 19, 5 died"
    assert resolve_periods(text, pack, date(2018, 5, 1), []) == []
    assert len(resolve_periods(text, pack, date(2018, 5, 1), [(16, 17), (16, 17)])) == 2


WORDS = [
    "منذ", "الـ", "19", "من", "نيسان", "/", "أبريل", "الفائت", "2018", "خلال", "الفترة", "ذاتها", "اليوم",
    "الأحد", "ليل", "السبت", "-", "أمس", "بعد", "مرور", "28", "يوم", "على", "بدأ", "قتل", "،", ".", "\n",
    "في", "بداية", "الشهر", "الحالي", "قبل", "يومين", "31", "شباط", "عام", "الجاري", "أيار", "(", ")",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60), st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2030, 12, 31))))
def test_random_word_salad_is_safe(words, published):
    pack = load_pack("ar")
    text = pack.normalise(" ".join(words)).canonical
    spans = [m.span() for m in regex.finditer(r"\d+", text)]
    periods = resolve_periods(text, pack, published, spans)
    assert len(periods) == len(spans)
    for p in periods:
        assert p.start is None or p.end is None or p.start <= p.end
    for e in find_time_expressions(text, pack, published):
        assert 0 <= e.start < e.end <= len(text) and text[e.start:e.end] == e.text


def _texts_per_language():
    """Every sentence the specs hold, with the seeds: the texts the prefilters must never cost a match."""
    texts = {}
    for folder in ("periods", "figures", "attribution", "quantities"):
        for path in sorted((ROOT / "tests" / "specs" / folder).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    case = json.loads(line)
                    texts.setdefault(path.stem, []).append(case.get("text") or case.get("sentence") or "")
    texts.setdefault("ar", []).extend(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return texts


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_required_words_never_skip_a_text_a_pattern_matches(lang):
    """The cue and date scans skip the parts of a text lacking their required words; every
    match a full scan finds must lie inside a part that is scanned."""
    from casualties.dates import SentenceScanner, find_dates, grammar
    from casualties.periods import _mask, cue_grammar
    from casualties.text import sentence_spans

    def scanned(span, windows):
        return any(lo <= span[0] and span[1] <= hi for lo, hi in windows)

    pack = load_pack(lang)
    texts = [pack.canonical(t) for t in _texts_per_language()[lang] if t]
    g, cues = grammar(pack), cue_grammar(pack)
    checked = 0
    for text in texts:
        scanner = SentenceScanner(text, sentence_spans(text), g.words)
        for p in g.patterns:
            for m in p.pattern.finditer(text):
                checked += 1
                assert scanned(m.span(), scanner.windows(p.required)), (p.kind, text)
        masked = _mask(text, find_dates(text, pack, date(2018, 5, 21)))
        scanner = SentenceScanner(masked, sentence_spans(masked), cues.words)
        for cue in cues.cues:
            for pattern, required in zip(cue.patterns, cue.requirements):
                for m in pattern.finditer(masked):
                    checked += 1
                    assert scanned(m.span(), scanner.windows(required)), (cue.id, text)
    assert checked > 50  # the texts do exercise the patterns


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_sentence_scanner_finds_exactly_what_a_full_scan_finds(lang):
    """Windows around required words and tries only where a match can begin are a speed-up:
    on every example text, and on all of them run together, they find the same matches."""
    from casualties.dates import SentenceScanner, find_dates, grammar
    from casualties.periods import _mask, cue_grammar
    from casualties.text import sentence_spans

    pack = load_pack(lang)
    texts = [pack.canonical(t) for t in _texts_per_language()[lang] if t]
    texts += [". ".join(texts), "\n".join(texts[::-1])]
    g, cues = grammar(pack), cue_grammar(pack)
    found = ended = 0
    for text in texts:
        scanner = SentenceScanner(text, sentence_spans(text), g.words)
        for p in g.patterns:
            expected = [m.span() for m in p.pattern.finditer(text)]
            assert [m.span() for m in scanner.finditer(p.pattern, p.required, p.starts, p.back)] == expected, (p.kind, text)
            found += len(expected)
        masked = _mask(text, find_dates(text, pack, date(2018, 5, 21)))
        scanner = SentenceScanner(masked, sentence_spans(masked), cues.words)
        for cue in cues.cues:
            for pattern, required, starts, ends in zip(cue.patterns, cue.requirements, cue.starts, cue.ends):
                expected = [m.span() for m in pattern.finditer(masked)]
                got = [m.span() for m in scanner.finditer(pattern, required, starts, cues.proclitic_chars, ends)]
                assert got == expected, (cue.id, text)
                found += len(expected)
                ended += len(expected) if ends else 0
    assert found > 100
    assert ended > 3  # the patterns found from their last words are exercised too


def test_a_figure_that_does_not_carry_takes_no_earlier_time():
    pack = load_pack("en")
    text = pack.canonical("On Monday 20 people were killed. Some 600 migrants remain trapped. 12 were wounded.")
    spans = [figure_span(text, pack, n) for n in ("20", "600", "12")]
    monday = date(2019, 4, 15)
    periods = resolve_periods(text, pack, date(2019, 4, 17), spans, [True, False, True])
    assert [(p.start, p.end) for p in periods] == [(monday, monday), (None, None), (monday, monday)]


def test_people_present_take_no_period_from_an_earlier_sentence():
    from casualties.api import extract_text

    figures = extract_text("Clashes on Monday killed 20 people. Some 600 migrants remain trapped in the centre.",
                           lang="en", published=date(2019, 4, 17))
    by_number = {f.number_text: f for f in figures}
    assert by_number["20"].period_start == date(2019, 4, 15)
    assert by_number["Some 600"].outcome == "present"
    assert (by_number["Some 600"].period_start, by_number["Some 600"].period_end) == (None, None)


@pytest.mark.parametrize("lang, text, state, event", [
    ("en", "Shelling on Monday killed 20 people. Some 3.3 million people remain displaced.", "3.3 million", "20"),
    ("ar", "قتل 20 شخصا في قصف يوم الاثنين. ولا يزال نحو 3 ملايين شخص نازحين.", "3 ملايين", "20"),
])
def test_displaced_people_take_no_period_from_an_earlier_sentence(lang, text, state, event):
    from casualties.api import extract_text

    figures = {f.number_text: f for f in extract_text(text, lang=lang, published=date(2019, 4, 17))}
    assert figures[event].period_start == date(2019, 4, 15)
    displaced = next(f for n, f in figures.items() if state in n)
    assert displaced.outcome == "displaced"
    assert (displaced.period_start, displaced.period_end) == (None, None)


def test_displaced_people_keep_the_period_of_their_own_sentence():
    from casualties.api import extract_text

    figures = extract_text("Some 40,000 people have fled their homes since April 4.", lang="en", published=date(2019, 4, 17))
    assert [(f.outcome, f.period_start, f.period_end) for f in figures] == [("displaced", date(2019, 4, 4), date(2019, 4, 17))]


@pytest.mark.parametrize("lang, text, none, event, own", [
    ("en", "Shelling on Monday killed 20 people in Idlib. The army said no civilians were killed.", "no civilians", "20", False),
    ("ar", "قتل 20 شخصا في قصف على إدلب يوم الاثنين. وقال الجيش إنه لم يقتل أي مدني.", "أي مدني", "20", False),
    # its own sentence's time dates it still
    ("en", "Shelling killed 20 people in Idlib. No soldiers were killed on Monday, the army said.", "No soldiers", None, True),
    ("ar", "قتل 20 شخصا في قصف على إدلب. وقال الجيش إنه لم يقتل أي جندي يوم الاثنين.", "أي جندي", None, True),
])
def test_a_count_of_none_takes_no_period_from_an_earlier_sentence(lang, text, none, event, own):
    from casualties.api import extract_text

    figures = {f.number_text: f for f in extract_text(text, lang=lang, published=date(2019, 4, 17))}
    denied = next(f for n, f in figures.items() if none in n)
    assert (denied.low, denied.high) == (0, 0)
    expected = (date(2019, 4, 15), date(2019, 4, 15)) if own else (None, None)
    assert (denied.period_start, denied.period_end) == expected
    if event is not None:  # the event told before keeps its day
        assert figures[event].period_start == date(2019, 4, 15)


@pytest.mark.parametrize("lang, text, state, event, event_end", [
    ("en", "Turkey has carried out three operations in Syria since 2016 and keeps about 3,000 troops there.", "3,000", None, None),
    # since Sunday, up to the Thursday the mission spoke
    ("en", "The UN mission, which has some 11,000 troops deployed, said on Thursday that 20 civilians were killed since Sunday.",
     "11,000", "20", date(2019, 4, 18)),
    ("ar", "نفذت تركيا ثلاث عمليات في سوريا منذ عام 2016 وتنشر نحو 3 آلاف جندي هناك.", "3 آلاف", None, None),
    ("ar", "قالت البعثة التي تنشر نحو 11 ألف جندي إن 20 مدنيا قتلوا منذ يوم الأحد.", "11 ألف", "20", date(2019, 4, 19)),
])
def test_a_force_present_takes_no_since_or_day_of_its_own_sentence(lang, text, state, event, event_end):
    from casualties.api import extract_text

    figures = {f.number_text: f for f in extract_text(text, lang=lang, published=date(2019, 4, 19))}
    present = next(f for n, f in figures.items() if state in n)
    assert present.outcome == "present"
    assert (present.period_start, present.period_end) == (None, None)
    if event is not None:  # the event the same sentence tells keeps its period
        assert (figures[event].period_start, figures[event].period_end) == (date(2019, 4, 14), event_end)


@pytest.mark.parametrize("lang, text, state, start, end", [
    ("en", "The gunmen, numbering over 300 and riding on motorcycles, stormed the villages on Tuesday, residents said.",
     "300", date(2019, 4, 16), date(2019, 4, 16)),
    ("en", "Some 10,000 troops have been deployed across the country since Sunday, the military said.", "10,000",
     date(2019, 4, 14), date(2019, 4, 19)),
    ("ar", "وقالت اللجنة إن عشرات الآلاف شاركوا في مسيرات العودة على طول الحدود يوم الثلاثاء.", "عشرات الآلاف",
     date(2019, 4, 16), date(2019, 4, 16)),
    # a since with no start, or a day past the day a source spoke, does not date the state
    ("en", "Somali forces, backed by some 20,000 African Union troops, have waged a campaign against the group for months.",
     "20,000", None, None),
    ("en", "The mission, which has some 11,000 troops deployed, said on Thursday that aid had reached the bases since Sunday.",
     "11,000", None, None),
    ("ar", "وتخوض القوات الصومالية، بدعم من نحو 20 ألف جندي من قوات الاتحاد الأفريقي، حملة عسكرية ضد الحركة منذ أشهر.",
     "20 ألف", None, None),
])
def test_a_force_present_takes_the_day_of_its_deed_told_after_it(lang, text, state, start, end):
    from casualties.api import extract_text

    figures = {f.number_text: f for f in extract_text(text, lang=lang, published=date(2019, 4, 19))}
    present = next(f for n, f in figures.items() if state in n)
    assert present.outcome == "present"
    assert (present.period_start, present.period_end) == (start, end)


@pytest.mark.parametrize("lang, text, state, start, end", [
    ("en", "The group had up to 6,000 fighters in Libya last year.", "6,000", date(2018, 1, 1), date(2018, 12, 31)),
    ("en", "In 2015 the army kept some 900 troops in the province.", "900", date(2015, 1, 1), date(2015, 12, 31)),
    ("ar", "نشر الجيش نحو 6 آلاف جندي في المحافظة العام الماضي.", "6 آلاف", date(2018, 1, 1), date(2018, 12, 31)),
    # a named time of an earlier clause does not date the state
    ("en", "The group broke away in 2016 and has since become the strongest, with an estimated 5,000 fighters.", "5,000",
     None, None),
    ("ar", "انشق التنظيم عام 2016 وأصبح الأقوى، وينشر نحو 5 آلاف مقاتل.", "5 آلاف", None, None),
])
def test_a_force_present_takes_a_named_past_time_heading_its_sentence_or_after_it(lang, text, state, start, end):
    from casualties.api import extract_text

    figures = {f.number_text: f for f in extract_text(text, lang=lang, published=date(2019, 4, 19))}
    present = next(f for n, f in figures.items() if state in n)
    assert present.outcome == "present"
    assert (present.period_start, present.period_end) == (start, end)


@pytest.mark.parametrize("text, part, start", [
    # no time of its own: the whole's day, not the later day told between them
    ("A bomb tore through a market in Maiduguri on Saturday, killing at least 30 people, and dozens more are still "
     "missing, officials said.\n\nRescue teams pulled survivors from the rubble on Monday.\n\nAmong the missing are "
     "11 children from a nearby school, the police said.", "11", date(2019, 6, 15)),
    # a time of its own sentence: its own
    ("A bomb tore through a market in Maiduguri on Saturday, killing at least 30 people, and dozens more are still "
     "missing, officials said.\n\nAmong the missing are 11 children who were last seen on Sunday, the police said.",
     "11", date(2019, 6, 16)),
])
def test_a_part_with_no_time_of_its_own_takes_its_wholes_period(text, part, start):
    from casualties.api import extract_text
    figures = {f.number_text: f for f in extract_text(text, lang="en", published=date(2019, 6, 18))}
    assert figures[part].subset_of is not None
    assert figures[part].period_start == start


@pytest.mark.parametrize("lang, text, published, part, expected", [
    # a whole told only in the headline (undated): the part told in the story takes the story's day
    ("en", "42 killed in rebel attack on school in western Uganda\nRebels attacked a secondary school near the "
           "Congolese border on Friday night, police said. Thirty-seven of the dead were students, police spokesman "
           "Fred Enanga said.", "2023-06-18", "Thirty-seven", ("2023-06-16", "2023-06-16")),
    ("ar", "مقتل 18 شخصا في تفجير حافلة بكويتا\nاستهدف تفجير حافلة للركاب في مدينة كويتا يوم الأربعاء. "
           "وقالت الشرطة إن بين القتلى 11 طفلا.", "2019-03-07", "11", ("2019-03-06", "2019-03-06")),
    # a whole of the story's body with no period of its own keeps its parts undated: told after
    # the story's first time, or in a first line that is a sentence, not a title
    ("en", "Clashes between rival militias in the capital have killed 55 people, the emergency centre said.\n"
           "The fighting broke out on Monday night. At least three civilians were among the dead, the centre said.",
           "2023-08-16", "At least three", (None, None)),
    # a whole told after the story's first time with no period of its own keeps its parts undated
    ("en", "Fighting in the town on Monday forced 3,000 people to flee, the UN said.\nMore than two million people "
           "remain displaced across the region, among them 900,000 children.", "2019-03-07", "900,000", (None, None)),
])
def test_a_part_of_an_undated_headline_whole_takes_the_story_time(lang, text, published, part, expected):
    from casualties.api import extract_text
    figures = [f for f in extract_text(text, lang=lang, published=date.fromisoformat(published)) if f.number_text == part]
    assert figures and figures[0].subset_of is not None
    assert (figures[0].period_start, figures[0].period_end) == tuple(_day(d) for d in expected)
