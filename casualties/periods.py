"""Stage 5b: the date range each figure covers.

Time expressions are dates (`casualties.dates`) and period cues from the pack's
`dates.yaml` (`period_cues.cues`). A cue is a phrase with slots: `{DATE}` (a date mention;
`reach` lets a few words sit between the cue and the date), `{DURATION}` (an amount of hours,
days, weeks, months or years, counted or not), `{COUNTED}` (a duration with a count) and
`{NOUNCOUNTED}` (a unit, the word it is of, then a count word: "days the-clashes the-four"). The
cue's `kind` says how it resolves; `published` is the reference date and nothing is ever read
from the wall clock. Policies:

- `since`: "since X" runs from X to the publication date; "since N days" from N days before it;
  with a `unit` and no count, "since last year" (month, week) from the first day of the previous
  calendar year (month, week).
- `since_event`: "since the campaign began" runs from the campaign's start date (the anchor,
  below) to the publication date; "since the war began six years ago" from that long before it.
  A cue with `needs_start` ("killed 1,000 militants in the offensive") is no time expression
  when no start is found. A cue with `refers_back` ("since then") and no start word's date
  starts where the time told just before it starts (`_back_references`).
- `last`: "over the past N days", "the past week" runs from N units before publication to it
  (hours round up to whole days).
- `ago`: "N days ago" is that one day.
- `elapsed`: "after 28 days of the campaign", "in the 28 days since the offensive began"
  runs from the anchor to the anchor plus N.
- `current`: "this week", "at the start of this month", "this year" runs from the first day
  of the publication week (month, year) to the publication date.
- `previous`: "last week", "last month", "last year" is the whole previous calendar week
  (month, year). A week begins on the pack's `week_starts` (0 Monday ... 6 Sunday): the day
  differs across the region, so a pack picks the one within a day of its readers' custom.
- `range`: "from X to Y"; "between July and August 2023" starts on the first of the named
  month in the year of the date that ends it; "between July and September" ends with the most
  recent second month; "began on 2 March and ended on the 31st" (`{DAY}`, a day with no month)
  ends on that day of the first date's month. `until`: "until X", "until the end of last year"
  starts where the latest earlier "since X" of the article starts, X a written date (the story's
  start: "attacked the camp since Friday" then "bodies lay in the streets until Sunday"), else
  the story's day when the article's first time is a date no later than X ("attacked at dawn on
  Wednesday" then "counted 1,188 dead until Wednesday evening": Wednesday), else its start is
  unknown, and then it carries only within its paragraph, as an aside (an end bound of one count
  is no period for later ones); a `since` and an `until` said apart in one sentence make one period.
- `same`: "during the same period" is the period of the previous figure; with a unit ("in the
  same quarter") the latest earlier figure's period of about that length.
- `calendar`: a named year or month that is no date on its own ("in 2014", "the 2014 war",
  `{YEAR}`, `{MONTH}`), or a date naming an event ("the February 14 suicide bombing", `{DATE}`:
  an aside, as the year of an event) covers it: the year, or the most recent such month up to publication;
  two years ("between 2014 and 2017", "a 1991-94 war") cover both and those between; a cue's
  `months` make it part of a named year ("the first half of 2021": January to June), or of the
  publication's year when no year is named ("the first three months of the year"). The slots
  also serve `since` ("since 2009", "since April": from its first day, or the cue's `day`:
  "since mid-April" from the 15th) and `previous`
  ("last March": the most recent March before the publication month).
- `since_when`: "since February, when aircraft hit a camp", "since August 2011, when 30 soldiers
  were killed": the counts told after it are that month's, year's or date's (the event compared
  with), those before it count since then ("150 have gone missing since April 2019, when ...").
- `after`: "launched on March 31, eight days after jihadists killed 98 soldiers": the event told
  after the duration is that long before the date (March 23); the expression is the duration
  and its word only, so the date stays a time of its own for the clause before it; with no
  count ("hours after", "days after") there is no expression at all.
- `lasted`: "on Sunday ended a 30-hour siege" runs from that long before the date up to it.
- `earlier`: "the strikes came days after the Houthis fired missiles at Najran, wounding three
  civilians": an event some hours, days or weeks before the story's, on no day told; the counts
  of its clause have no period (unknown), and it dates nothing later nor is the story's time.
- `report`: the date a source spoke ("said on Tuesday that", "announced, on Sunday, that"; with
  a `unit`, the calendar week, month or year before publication: "said in a report last
  month", or with `count: 0` the publication's own up to it, "said this week"): it gives a figure its period only when its sentence has no other time expression
  and the story's time (the article's first) is no date told earlier that ends before it ("the
  village was attacked on Saturday" then "said on Wednesday that it had counted 400 dead":
  Saturday; the day must be told before the count, "had seized 15 workers on Tuesday, she
  said" is Tuesday, unless the speech word comes before it, "up from the 50 dead the
  government announced on Friday" is the story's days; when the article opens with the day a
  source spoke and tells the deed next, "said on Saturday that 50 prisoners had been killed"
  then "hit overnight from Thursday to Friday", the opening count is the deed's days too; a story told as a calendar span and next by its days, "killed 131 civilians
  last week" then "on November 29 and 30", is those days, for the counts of the span's own
  sentence too), or, when that time is a since begun before it, from its start up to that
  day ("killed 500 since Sunday" then "said in a statement on Friday that they had executed 67
  men": Sunday to Friday), and it never anchors the start of an event. A period up to now in its sentence (`since`,
  `since_event`, `last`) runs up to that day, also for the counts it carries to later sentences: "said on Friday that 10,000 had fled since
  Monday" is Monday to Friday, "said on Saturday that 83 were killed in the past 24 hours"
  Friday and Saturday.

A "since" after a superlative compares ("the deadliest attack since a Jan. 14 strike"):
`period_cues.comparisons` block every since cue they overlap, so the date is that event's.
- a date on its own covers its days (a weekday, "yesterday", "19 April", "May 2018").

The anchor of `elapsed` and `since_event` is a full date (else a weekday or "yesterday", which
name one day) in the nearest sentence that has a
start word (`period_cues.start_words`: "began", "launched"...; a cue's own `anchor_words` besides:
"since the explosion" is dated by "Saturday's truck bombing"), looking at the cue's own
sentence first (the date nearest the cue among those told after a start word) and then back through the article (the date nearest
the start word). A `since_event` cue with no such anchor starts where the latest earlier
"since X" of the article starts, X a written date ("killed since 7 October ... since the war
began"): the article has already said when its war began; a later one without an anchor is
the event an earlier dated `since_event` already told of. Else unknown. An anchor in the cue's
own sentence serves the cue only: it is not also a time expression of its own there.

Unknown is None: nothing is invented. A duration with an approximate or vague count ("more
than a month", "the past few days") leaves its open end unknown, except that "since more than
a month" starts at the anchor when there is one at least that long before publication (the
campaign that began on 19 April). An end after the publication date is cut back to it when
the period started by then; a period that ends before it starts is unknown. A dateline (a full
date alone on a line near the top of the article) is the publication stamp: neither a time
expression nor an anchor.

Each figure takes the time expression of its own sentence nearest to its number (a `report`
date only when there is no other; none told after it past a clause break, `clause_breaks`:
", and that", "; ", and one before it past a break only when no other is left or it runs up to
now, `_own_clause`; none told before a running total, `running_totals`: ", bringing the
number of displaced to 1.2 million", and then no earlier sentence's; nor, for a count told before
a running total, one told past it: "recovered 11 bodies, bringing the number since June 5 to 47"); if its sentence has none, the latest expression of the
latest earlier sentence that has one (discourse time carries forward; again a `report` date
only when it is alone there, and then the story's time, the article's first expression, when
that is no report: the day one source spoke is not when another's count happened; an aside, `ASIDE_KINDS`: "last month", "six years ago", "in 2012",
"since the war began", "between Feb. 24 and April 7", carries only within its paragraph unless it is the article's first time
expression; an aside told in a sentence with no count, a detail of the story ("the group was pushed
out of the capital in 2011"), gives back the story's time when it is no report, unless the figure's
sentence names the war as a whole, `war_words`: "the conflict has killed thousands"), unless the figure does not carry (`carries`: a count of people
present or displaced is a state, not an event of the story's days; but people displaced told
as a flight, `flight_words` "had fled" with no `displaced_state_words` "who", "remain" in its
clause, flee in the story's days: from the earlier time's start up to publication); if there is none, the
period is unknown. The strength of a force present (`states`) takes only a named past time of
its own sentence (`STATE_KINDS`: "last year", "in 2015", "from January to March") that heads
the sentence or follows the count, or a day or a since with a start told after the count and
before the next figure, with no day a source spoke between: the deed it took part in ("The
gunmen, numbering over 300, stormed the villages on Tuesday"; "10,000 troops have been deployed
since Sunday"); people told present at the scene of the deed (`scene_words` after the count:
"more than 1,000 people were inside when the bombs hit", "had been hiding") are no such state but
an event of the story's days, dated and carried as one. The dead told by their burial or recovery
(`burial_words`: "We buried 71 people in one grave on Thursday") with a day of their own after the
story's day told earlier are the story's day's: the day told is the burial's. An earlier value of a
running count told after it with a day of its own (`earlier_values`: ", up from 313,000 on Sunday")
runs from the running count's start up to that day. `Period.rule` is the id of the data entry that decided and
`Period.evidence` the canonical words.

Example:
    >>> from datetime import date
    >>> from casualties.langpack import load_pack
    >>> pack = load_pack("en")
    >>> text = pack.canonical("Since April 19, 62 civilians were killed.")
    >>> figure = (text.index("62"), text.index("62") + 2)
    >>> period = resolve_periods(text, pack, date(2018, 5, 20), [figure])[0]
    >>> (period.start, period.end, period.rule)
    (datetime.date(2018, 4, 19), datetime.date(2018, 5, 20), 'en.period.since')
"""
from __future__ import annotations

import calendar
import math
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate, chain, islice

import regex

from .dates import (DEFAULT_WORD, DateMention, GroupIndex, LeadRunStarts, RunStarts, SentenceScanner, WholeWords, find_dates,
                    longest_apart, word_automaton, words)
from .dates import grammar as date_grammar
from .errors import DataFileError
from .langpack import LanguagePack, check_keys, shared_phrases, trie_regex
from .model import Period
from .text import sentence_spans

CUES_KEYS = {"start_words", "duration_prefixes", "approximate", "counts", "units", "cues", "week_starts", "comparisons",
             "clause_breaks", "running_totals", "flight_words", "displaced_state_words", "speaker_clauses", "speech_words",
             "relative_clauses", "war_words", "scene_words", "burial_words", "earlier_values", "speaker_continuations"}
CUE_KEYS = {"id", "kind", "forms", "unit", "count", "reach", "blockers", "examples", "counterexamples", "day",
            "anchor_words", "months", "heads", "needs_start", "refers_back"}
KINDS = {"since", "since_event", "last", "ago", "elapsed", "current", "previous", "range", "until", "same",
         "calendar", "report", "since_when", "after", "lasted", "earlier"}
UNITS = {"hour", "day", "week", "month", "year"}
UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}
SLOTS = {"DATE", "DURATION", "COUNTED", "NOUNCOUNTED", "YEAR", "MONTH", "WORDS", "DAY", "GAP"}
# A "since" after a superlative compares ("the deadliest attack since a Jan. 14 strike"): the
# date is the other event's, no start of a period. `period_cues.comparisons` forms block every
# cue of these kinds they overlap.
COMPARED_KINDS = ("since", "since_event")
ANCHOR_KINDS = ("day", "weekday", "relative")  # one day: "began on April 19", "erupted on Monday"
MASKS = ("\ue000", "\ue001")  # private-use characters standing in for date mentions
DATELINE_LINES = 5
# The strength of a force or a count of people trapped is a state, dated only by a named past
# time of its own sentence ("had 6,000 fighters last year"); a "since 2016" or "on Monday" there
# belongs to the clause that tells of an event ("has carried out three operations since 2016
# and keeps thousands of troops").
STATE_KINDS = ("calendar", "previous", "range")  # heading the sentence or after the count
STATE_HEAD = 4  # characters before a time expression that heads a sentence (a conjunction)
# A named past time ("last month", "six years ago", "in 2014") or the whole of a war ("since the
# war began") told after the story's own time is an aside: the sentences of its paragraph (line)
# take it, later paragraphs take the other times of its sentence or none ("Last month, 20
# soldiers were killed near Gao." then "The conflict has killed thousands").
FLIGHT_REACH = 48  # characters either side of a displaced count where its flight verb is looked for
SCENE_REACH = 90  # characters after a count of people present where a word of being at the scene is looked for
CLAUSE_MARK = regex.compile(r"[,;:]")
# the story's deed told after the first day a source spoke: at most this many days before it
STORY_DEED_DAYS = 7
SPEAKER_CLAUSE_CHARS = 160  # the longest relative clause about a speaker looked at ("who visited ...,")
ASIDE_KINDS = ("previous", "ago", "calendar", "since_event", "since_when", "after", "range")
DATELINE_WORDS = 4
MASTHEAD_WORDS = 2  # words before a relative day that names an outlet ("l'orient today")
# compiled once: a call of the regex module's own functions costs about 20 microseconds in its cache
LETTER_RUNS = regex.compile(r"\p{L}+")
SENTENCE_END = regex.compile(r"[.!?\n]")
DIGIT = regex.compile(r"\d")
LINE_BREAK = regex.compile("\n")
# periods that run up to now: in reported speech, up to the day the source spoke (`_told_on`)
RELATIVE_TO_NOW = ("since", "since_event", "last")
# the times a "since then" never names: a day a source spoke, a time of the same kind's own
REFERRED_NOT = ("report", "same", "until", "earlier")
# a calendar span that may tell the story's time before its days are told (`_told_precisely`)
COARSE_KINDS = ("previous", "current", "calendar")
# a period opened before a clause break spans the clauses after it (`_own_clause`)
OPEN_KINDS = ("since", "since_event")

FORM_TOKEN = regex.compile(r"\{(?P<slot>[A-Z]+)\}|\((?P<alts>[^()]*)\)(?P<opt>\?)?|(?P<space>\s+)|(?P<lit>[^\s{}()]+)")


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A date or period cue with the period it gives (`same` is filled per figure)."""

    start: int
    end: int
    text: str
    kind: str
    rule: str
    period_start: date | None
    period_end: date | None
    parts: tuple[str, ...] = ()
    # `same` with a unit ("the same quarter"): the days the named period lasts, to find the
    # earlier figure whose period it is
    span: int | None = None
    # a `report` whose speech word comes before its date ("announced on Friday", not "on
    # Friday, she said"): the date is the speaking's, wherever the cue stands
    spoken_first: bool = False
    # an `after` cue with no date of its own ("The blast came two days after twin explosions
    # killed six"): (unit, amount) before the story's day, resolved once the story's time is known
    offset: tuple[str, int] | None = None
    # a date in a comparison ("the deadliest attack since the war broke out in April 2023"): the
    # other event's, the time of the counts told after it in its sentence ("..., in which 334
    # people were killed") only: not of those told before it, nor past the comma that closes a
    # comparison told as an apposition ("The attack, the deadliest since ..., killed 100"), nor
    # of a state (people hosted, present: no event compared with), nor carried, nor the story's
    # time. None, or (where the comparison begins, whether it is an apposition)
    compared: tuple[int, bool] | None = None


@dataclass(frozen=True)
class Cue:
    id: str
    kind: str
    patterns: tuple
    blockers: tuple
    unit: str | None
    count: int | None
    # Per pattern: groups of words; a text can match only if every group has a word in it.
    requirements: tuple = ()
    # Per pattern: the words a match begins with (after a proclitic), or None.
    starts: tuple = ()
    # Per pattern without starts: (the words a match ends with, the pattern read right to
    # left), or None.
    ends: tuple = ()
    # Per pattern: its requirements' groups, numbered by the grammar's GroupIndex.
    needs: tuple = ()
    day: int | None = None  # the day of a named month the cue starts on ("since mid-April": 15)
    # words that tell of the event a `since_event` cue names ("since the explosion": "blast",
    # "bombing"): a sentence with one of them and a date dates it, as a start word does
    anchor_words: regex.Pattern | None = None
    # the first and last month of a named year the cue covers ("the first half of 2021": 1, 6)
    months: tuple[int, int] | None = None
    # the cue must head its sentence, after a conjunction at most ("On Friday the ministry said":
    # no "killed on Friday, the ministry said", where the day is the event's)
    heads: bool = False


@dataclass(frozen=True)
class CueGrammar:
    cues: tuple
    units: dict
    counts: dict
    start_words: regex.Pattern
    months: dict = field(default_factory=dict)  # canonical month name -> month number ({MONTH})
    proclitic_chars: int = 0  # the longest proclitic: how far before its first word a cue may begin
    words: object = None  # dates.word_automaton of the cues' required and start words
    groups: GroupIndex | None = None  # the cues' required groups, numbered
    week_starts: int = 0  # the weekday (0 Monday) a calendar week begins on ("last week", "this week")
    day_words: dict = field(default_factory=dict)  # a day written as a word -> its number ({DAY})
    # where a clause of its own begins (", and that", ", while"): a time past one is that clause's
    clause_breaks: regex.Pattern | None = None
    # the ids of cues that are no time expression when no start is found ("in the operation")
    needs_start: frozenset = frozenset()
    # where a running total begins (", bringing the total to"): a time before one is the new count's
    running_totals: regex.Pattern | None = None
    # people displaced told as a flight ("had fled", "have been displaced by"), not a state
    flight_words: regex.Pattern | None = None
    # where a relative clause about the one who speaks begins (", who"), and the speech words
    # that may follow its closing comma (", said"): its time is the speaker's own act
    speaker_clauses: regex.Pattern | None = None
    speech_words: regex.Pattern | None = None
    # where a relative clause begins (", which"): one that ends its sentence tells a side story,
    # whose time later sentences do not take
    relative_clauses: regex.Pattern | None = None
    # the whole of a war ("the conflict", "violence"): a sentence naming it with no time of its
    # own tells the war's toll, which does not take the story's time back after an aside
    war_words: regex.Pattern | None = None
    # the ids of cues that name the time told just before them ("since then"): with no start
    # word's date, they start where that time starts (`_back_references`)
    refers_back: frozenset = frozenset()
    # people told where they were when the deed happened ("were inside", "had been hiding"): a
    # force or crowd present at the scene, of the story's days, not a standing state
    scene_words: regex.Pattern | None = None
    # the dead told by their burial or recovery ("we buried 71 people on Thursday", "recovered
    # seven more bodies"): the day told is the burial's, the count the deed's
    burial_words: regex.Pattern | None = None
    # the words before an earlier value of a running count (", up from 313,000 on Sunday"): that
    # value counts from the running count's start up to its own day
    earlier_values: regex.Pattern | None = None
    # the clause breaks only, without those that keep the speaker (", and said"): a day a source
    # spoke past one of these is another clause's, past ", and said" still the same speaker's
    speaker_breaks: regex.Pattern | None = None
    comparisons: tuple = ()  # "the deadliest ... since" (`period_cues.comparisons`)


def cue_grammar(pack: LanguagePack) -> CueGrammar:
    """The pack's compiled period cues (cached on the pack)."""
    return pack.compiled("periods.cues", _compile)


def _compile(pack: LanguagePack) -> CueGrammar:
    path = pack.path_of("dates")
    data = pack.section("dates", "period_cues", {}) or {}
    check_keys(path, "period_cues", data, CUES_KEYS)
    word = pack.section("morphology", "word_chars", DEFAULT_WORD) or DEFAULT_WORD
    left, right = f"(?<!{word})", f"(?!{word})"
    proclitic_words = words(pack, pack.section("morphology", "proclitics", []))
    proclitics = trie_regex(proclitic_words)

    units, duals = {}, {}
    for i, entry in enumerate(data.get("units") or []):
        check_keys(path, f"period_cues.units[{i}]", entry, {"unit", "singular", "plural", "dual"})
        if entry.get("unit") not in UNITS:
            raise DataFileError(path, f"period_cues.units[{i}]", f"unit must be one of {sorted(UNITS)}")
        for number, key in ((1, "singular"), (None, "plural")):
            for form in words(pack, entry.get(key)):
                units[form] = (entry["unit"], number)
        for form in words(pack, entry.get("dual")):
            duals[form] = (entry["unit"], 2)
    counts = {}
    for i, entry in enumerate(data.get("counts") or []):
        check_keys(path, f"period_cues.counts[{i}]", entry, {"value", "forms"})
        for form in words(pack, entry.get("forms")):
            counts[form] = entry.get("value")
    pre = trie_regex(words(pack, data.get("duration_prefixes")))
    approx = trie_regex(words(pack, data.get("approximate")))
    number = rf"(?:(?P<num>\d+)(?!\d)|(?P<cw>{trie_regex(counts)}){right})"
    # After its unit a count is a word ("the three days") or digits behind a duration prefix
    # ("the 48 hours" written with the prefix); bare digits there are something else, a year ("the year 2015") or
    # the next clause's figure ("over the past week 40 people died").
    number_after = rf"(?:(?:{pre})\s*(?P<num>\d{{1,3}})(?!\d)|(?:(?:{pre})\s*)?(?P<cw>{trie_regex(counts)}){right})"
    unit = rf"(?:(?:{pre})\s*)?(?P<unit>{trie_regex(units)}){right}"
    counted = (
        rf"(?:(?:{pre})\s*)?{number}\s*-?\s*{unit}"  # "three days", "a 30-hour siege"
        rf"|{unit}\s+{number_after}"
        rf"|(?:(?:{pre})\s*)?(?P<dual>{trie_regex(duals)}){right}"
    )
    head = rf"(?:(?P<approx>{approx}){right}\s*)?"
    months = {form: month for form, (month, _) in date_grammar(pack).month_forms.items()}
    month_names = trie_regex(months)
    # Every duration has a unit word (or a dual of one); every date slot a masked mention; a
    # month slot a month name that is no date on its own; a year slot four digits.
    slot_words = {"COUNTED": tuple(units | duals), "DURATION": tuple(units | duals), "NOUNCOUNTED": tuple(units), "DATE": MASKS,
                  "MONTH": WholeWords(months), "YEAR": ("19", "20"), "WORDS": (), "DAY": (), "GAP": ()}
    day_words = date_grammar(pack).day_words
    day_suffixes = trie_regex(words(pack, (pack.section("dates", "months", {}) or {}).get("day_suffixes")))
    slot_regex = {
        "COUNTED": rf"(?P<dur>{head}(?:{counted}))",
        "DURATION": rf"(?P<dur>{head}(?:{counted}|{unit}))",
        # a unit, the word it is of, then a count word, as Arabic tells "the four days of the clashes"
        "NOUNCOUNTED": rf"(?P<dur>{unit}\s+\p{{L}}+\s+(?:(?:{pre})\s*)?(?P<cw>{trie_regex(counts)}){right})",
        "MONTH": rf"{left}(?P<mon>{month_names}){right}",  # a whole word (its group is WholeWords)
        # a second month may have a conjunction glued before it ("July and-September")
        "MONTH2": rf"(?P<mon2>{month_names}){right}",
        "YEAR": r"(?P<year>(?:19|20)\d\d)(?!\d)",
        # a second year ends a range, in full or by its last two digits ("1991-94")
        "YEAR2": r"(?P<year2>(?:19|20)?\d\d)(?!\d)",
        "WORDS": r"(?:\p{L}+\s+){0,3}",  # up to three words, in blockers: "deadliest {WORDS} since"
        # up to 60 characters of one clause, in blockers: "the deadliest attack on the country's army {GAP} this year"
        "GAP": r"[^.;!?\n]{0,60}?",
        # a day of the month with no month, whose month is the range's first date's ("the 31st")
        "DAY": rf"(?:(?<!\d)(?P<bday>\d{{1,2}})(?!\d)(?:(?:{day_suffixes}){right})?"
               + (rf"|{left}(?P<bdayw>{trie_regex(day_words)}){right}" if day_words else "") + ")",
    }
    comparisons = tuple(
        regex.compile(left + _form(pack, form, slot_regex, 0, path, f"period_cues.comparisons[{i}]", slot_words)[0] + right, regex.V1)
        for i, form in enumerate(data.get("comparisons") or [])
    )

    cues, index = [], GroupIndex()
    for i, entry in enumerate(data.get("cues") or []):
        where = f"period_cues.cues[{i}]"
        check_keys(path, where, entry, CUE_KEYS)
        if not entry.get("id"):
            raise DataFileError(path, where, "cue needs an id")
        where = f"{where} ({entry['id']})"
        if entry.get("kind") not in KINDS:
            raise DataFileError(path, where, f"kind must be one of {sorted(KINDS)}")
        if not entry.get("examples") or not entry.get("counterexamples"):
            raise DataFileError(path, where, "every cue needs examples and counterexamples")
        if entry.get("unit") is not None and entry["unit"] not in UNITS:
            raise DataFileError(path, where, f"unit must be one of {sorted(UNITS)}")
        if entry["kind"] in ("current", "previous") and entry.get("unit") not in ("week", "month", "year"):
            raise DataFileError(path, where, f"a {entry['kind']} cue needs unit week, month or year")
        reach = int(entry.get("reach") or 0)
        compiled = [_form(pack, form, slot_regex, reach, path, where, slot_words, ("".join(proclitic_words), word))
                    for form in entry.get("forms") or []]
        patterns = tuple(
            regex.compile(left + f"(?:{proclitics})??\\K" + body + right, regex.V1) for body, *_ in compiled
        )
        ends = tuple(
            (last_words, regex.compile(body + right, regex.V1 | regex.REVERSE))
            if (starts is None or isinstance(starts, LeadRunStarts)) and last_words else None
            for body, _, starts, last_words in compiled
        )
        if not patterns:
            raise DataFileError(path, where, "cue needs forms")
        blockers = tuple(
            regex.compile(left + _form(pack, form, slot_regex, reach, path, where + ".blockers", slot_words)[0] + right, regex.V1)
            for form in entry.get("blockers") or []
        ) + (comparisons if entry["kind"] in COMPARED_KINDS else ())
        groups, needs = zip(*(index.add(required) for _, required, _, _ in compiled))
        anchor_words = regex.compile(
            rf"{left}(?:{proclitics})?(?:{trie_regex(words(pack, entry['anchor_words'] + (data.get('start_words') or [])))}){right}",
            regex.V1) if entry.get("anchor_words") else None
        cues.append(Cue(entry["id"], entry["kind"], patterns, blockers, entry.get("unit"), entry.get("count"),
                        groups, tuple(index.share(starts) for _, _, starts, _ in compiled), ends, needs, _day(entry, path, where),
                        anchor_words, _months(entry, path, where), bool(entry.get("heads"))))
    start_words = regex.compile(
        rf"{left}(?:{proclitics})?(?:{trie_regex(words(pack, data.get('start_words')))}){right}", regex.V1
    )
    cue_words = word_automaton([group for cue in cues for required in cue.requirements for group in required]
                               + [starts for cue in cues for starts in cue.starts]
                               + [end[0] for cue in cues for end in cue.ends if end])
    week_starts = data.get("week_starts", 0)
    if week_starts not in range(7):
        raise DataFileError(path, "period_cues.week_starts", "the first day of the week is a weekday number, 0 (Monday) to 6")
    def spaced_forms(*keys: str):
        """The data's forms under `keys`, their words apart by any spaces (or none after punctuation)."""
        forms = [form for key in keys for form in words(pack, data.get(key))]
        return regex.compile(
            "(?:" + "|".join(r"\s*".join(regex.escape(part) for part in form.split()) for form in forms) + f"){right}",
            regex.V1) if forms else None

    clause_breaks = spaced_forms("clause_breaks", "speaker_continuations")
    running_totals = spaced_forms("running_totals")
    speaker_clauses = spaced_forms("speaker_clauses")
    relative_clauses = spaced_forms("relative_clauses")
    def word_forms(key: str):
        """The data's words under `key`, whole, a proclitic allowed before them."""
        return regex.compile(rf"{left}(?:{proclitics})?(?:{trie_regex(words(pack, data[key]))}){right}", regex.V1) \
            if data.get(key) else None

    speech_words = regex.compile(
        rf"\s*(?:\p{{L}}+\s+)?(?:{proclitics})?(?:{trie_regex(words(pack, data.get('speech_words')))}){right}",
        regex.V1) if data.get("speech_words") else None
    return CueGrammar(tuple(cues), units | duals, counts, start_words, months, max(map(len, proclitic_words), default=0),
                      cue_words, index, week_starts, day_words, clause_breaks,
                      frozenset(e["id"] for e in data.get("cues") or [] if e.get("needs_start")), running_totals,
                      regex.compile(rf"{left}(?:{proclitics})?(?:(?P<state>{trie_regex(words(pack, data.get('displaced_state_words') or []))})"
                                    rf"|{trie_regex(words(pack, data['flight_words']))}){right}",
                                    regex.V1) if data.get("flight_words") else None,
                      speaker_clauses, speech_words, relative_clauses,
                      word_forms("war_words"),
                      frozenset(e["id"] for e in data.get("cues") or [] if e.get("refers_back")),
                      word_forms("scene_words"),
                      word_forms("burial_words"),
                      regex.compile(rf"(?:{trie_regex(words(pack, data['earlier_values']))})\s*\Z", regex.V1)
                      if data.get("earlier_values") else None,
                      spaced_forms("clause_breaks"), comparisons)


def _day(entry: dict, path, where: str) -> int | None:
    day = entry.get("day")
    if day is not None and (not isinstance(day, int) or not 1 <= day <= 28):
        raise DataFileError(path, where, "day must be a day of the month from 1 to 28")
    return day


def _months(entry: dict, path, where: str) -> tuple[int, int] | None:
    months = entry.get("months")
    if months is None:
        return None
    if not (isinstance(months, list) and len(months) == 2 and all(isinstance(m, int) for m in months)
            and 1 <= months[0] <= months[1] <= 12) or entry.get("kind") != "calendar":
        raise DataFileError(path, where, "months are the first and last month (1 to 12) a calendar cue covers")
    return months[0], months[1]


def _form(pack, form: str, slot_regex: dict, reach: int, path, where: str, slot_words: dict,
          lead: tuple[str, str] | None = None) -> tuple[str, tuple, tuple | None, tuple]:
    """Compile one cue form: literal words (canonicalised), `(a|b)` alternatives with an
    optional `?`, and slots. Words are joined by `\\s+`, slots and punctuation by `\\s*`.

    Also returns the form's requirements: for each item that is not optional, the words one
    of which any match contains (a literal, the longest word of each alternative, a slot's
    words), so a text holding none of them needs no scan; and the words every match begins
    with when the first item says (a literal, an alternative, a date slot), else None; and the
    last words of its last item when that is a literal or an alternative, else ().
    With `lead` (the characters of what the pattern may have before the form, proclitics, and
    the word class of its left boundary), a form whose optional words come before a masked
    date begins in or right before that date's run (`LeadRunStarts`)."""
    items = []
    required = []
    kinds = []  # per item: what it may take (`_possessive_dates`)
    firsts = []  # per item: the words it begins with, or None
    texts = []  # per item: its literal words (a literal, an alternative's), or None for a slot
    lasts: tuple = ()  # the last item's last words, when it is a literal or an alternative
    pos, dates = 0, 0
    for t in FORM_TOKEN.finditer(form):
        if t.start() != pos:
            break
        pos = t.end()
        if t.group("space"):
            continue
        if t.group("slot"):
            slot = t.group("slot")
            lasts = ()
            if slot not in SLOTS:
                raise DataFileError(path, where, f"unknown slot {{{slot}}} in {form!r}; allowed: {sorted(SLOTS)}")
            if slot == "DATE":
                dates += 1
                # the gap never holds the cue's first word again: "since the takeover ..., and
                # 150 have been missing since April 2019" is no "since the takeover in April 2019"
                own = firsts[0] if firsts and firsts[0] and not isinstance(firsts[0], RunStarts) else ()
                again = rf"(?!(?:{'|'.join(regex.escape(w) for w in own)})(?!\w))" if own else ""
                gap = rf"(?:(?:{again}[^\n.;!?{''.join(MASKS)}]){{1,{reach}}}?\s)?" if reach else ""
                body = rf"{gap}(?P<d{dates}>{MASKS[0]}+|{MASKS[1]}+)"
                firsts.append(None if reach else RunStarts(MASKS))
            else:
                body = slot_regex[slot]
                if slot == "MONTH" and any("(?P<mon>" in i[0] for i in items):
                    body = slot_regex["MONTH2"]  # "between July and September"
                if slot == "YEAR" and any("(?P<year>" in i[0] for i in items):
                    body = slot_regex["YEAR2"]  # "between 2014 and 2017"
                firsts.append(None)
            items.append((body, False, False, False))
            kinds.append(DATE if slot == "DATE" else MASKED if slot == "GAP" else FREE if slot == "WORDS" else SOLID)
            texts.append(None)
            words_ = _longest_words(slot_words[slot])
            required.append(WholeWords(words_) if isinstance(slot_words[slot], WholeWords) and words_ else words_)
        elif t.group("alts") is not None:
            alts = [pack.canonical(a).strip() for a in t.group("alts").split("|")]
            body = "(?:" + "|".join(_literal(a) for a in alts) + ")"
            firsts.append(tuple(sorted({a.split()[0] for a in alts})) if all(alts) else None)
            lasts = () if t.group("opt") or not all(alts) else tuple(sorted({a.split()[-1] for a in alts}))
            items.append((body, all(a[:1].isalpha() for a in alts), all(a[-1:].isalpha() for a in alts), bool(t.group("opt"))))
            kinds.append(FREE if t.group("opt") or not all(alts) else SOLID)
            texts.append(alts)
            if not t.group("opt"):
                required.append(_longest_words(alts))
        else:
            lit = pack.canonical(t.group("lit")).strip()
            firsts.append((lit,) if lit else None)
            lasts = (lit.split()[-1],) if lit else ()
            items.append((regex.escape(lit), lit[:1].isalpha(), lit[-1:].isalpha(), False))
            kinds.append(SOLID if lit else FREE)
            texts.append([lit])
            required.append(_longest_words([lit]))
    if pos != len(form) or not items or dates > 2 or any(sum(1 for i in items if f"(?P<{name}>" in i[0]) > 1
                                                            for name in ("dur", "mon", "year")):
        raise DataFileError(path, where, f"cannot read form {form!r}")
    starts = firsts[0] if firsts and firsts[0] and not items[0][3] else None
    first = next((i for i, item in enumerate(items) if not item[3]), None)  # the first item not optional
    if starts is None and lead is not None and first and isinstance(firsts[first], RunStarts) \
            and all(texts[i] for i in range(first)):
        # "(on|early on)? {DATE} ...": a match begins in the date's run or in the run of the
        # optional words' characters and spaces before it (the words or a space may begin it)
        chars = set(lead[0]).union(*(text for i in range(first) for text in texts[i]))
        run = "".join(f"\\U{ord(char):08x}" for char in sorted(chars))
        wordy = frozenset(char for char in chars if regex.fullmatch(lead[1], char, regex.V1))
        starts = LeadRunStarts(firsts[first], regex.compile(f"[{run}\\s]*", regex.V1 | regex.REVERSE), wordy)
    for n in _possessive_dates(kinds):
        body, *rest = items[n]
        items[n] = (body.replace(f"{MASKS[0]}+|{MASKS[1]}+", f"{MASKS[0]}++|{MASKS[1]}++"), *rest)
    out = ""
    prev_letter = False
    for n, (body, first_letter, last_letter, optional) in enumerate(items):
        sep = "" if n == 0 else (r"\s+" if prev_letter and first_letter else r"\s*")
        out += f"(?:{sep}{body})?" if optional else sep + body
        prev_letter = last_letter
    return out, tuple(group for group in required if group), starts, lasts


# What a form's item may take: a date's masked run, any characters (a gap, masks too), at least
# one character that no masked run has (a word, a number, a month), or nothing at all (optional
# words, a run of words that may be empty). Masked runs hold no letter, digit, space or comma.
DATE, MASKED, SOLID, FREE = "date", "masked", "solid", "free"


def _possessive_dates(kinds: list[str]) -> list[int]:
    """The date slots whose masked run may be taken possessively (all of it, never given back):
    the items around the slot, up to the nearest SOLID one on either side, take no masked
    character, and there is a SOLID one after it. A match that stopped inside the run would
    then leave a mask character to an item that cannot take it, so every match takes the whole
    run anyway, and the engine no longer tries each shorter run when the rest fails (a cue tried
    at many dates, "On Friday the ministry said", paid that at every one). The left side keeps
    the form's reversed reading (`Cue.ends`, matched right to left) the same too; the SOLID item
    after it keeps the word boundary at a form's end from taking a shorter run."""
    def clear(side) -> bool | None:  # True: a SOLID item first; None: the form's edge first
        for kind in side:
            if kind != FREE:
                return kind == SOLID
        return None
    return [n for n, kind in enumerate(kinds)
            if kind == DATE and clear(kinds[n + 1:]) is True and clear(reversed(kinds[:n])) is not False]


def _longest_words(phrases) -> tuple[str, ...]:
    """The longest word of each phrase; empty when a phrase is empty (nothing is required)."""
    longest = [max(p.split(), key=len, default="") for p in phrases]
    return () if not all(longest) else tuple(sorted(set(longest)))


def _literal(words_: str) -> str:
    return r"\s+".join(regex.escape(w) for w in words_.split())


def _mask(canonical: str, mentions: list[DateMention]) -> str:
    pieces, done = [], 0
    for i, m in enumerate(mentions):  # in text order, never overlapping
        pieces += (canonical[done:m.start], MASKS[i % 2] * (m.end - m.start))
        done = m.end
    pieces.append(canonical[done:])
    return "".join(pieces)


def find_time_expressions(canonical: str, pack: LanguagePack, published: date | None) -> list[TimeExpression]:
    """Every dated or period expression in `canonical` text, resolved against `published`.

    >>> from datetime import date
    >>> from casualties.langpack import load_pack
    >>> pack = load_pack("en")
    >>> [(e.rule, e.period_start) for e in find_time_expressions("over the past month", pack, date(2018, 5, 21))]
    [('en.period.last', datetime.date(2018, 4, 21))]
    """
    g = cue_grammar(pack)
    # a day announced ahead ("declared Sunday, 24 March, a day of mourning") is no count's time
    mentions = [m for m in find_dates(canonical, pack, published)
                if m.explicit_year or m.first is None or m.first <= published]
    masked = _mask(canonical, mentions)
    sentences = sentence_spans(canonical)
    # Split the masked text: a masked date ("Jan. 1") no longer ends a sentence inside a cue.
    # the cue words outside the masked dates, from the pack's one pass over the canonical text
    # (a mask character is in no word, so the masked text holds exactly these)
    hits = _outside(shared_phrases(pack).iter(g.words, canonical), mentions) if len(g.words) else ()
    masked_sentences = sentence_spans(masked)
    scanner = SentenceScanner(masked, masked_sentences, g.words, hits)
    found = []
    held = scanner.held(g.groups)
    for cue in g.cues:
        for pattern, required, starts, ends, needs in zip(cue.patterns, cue.requirements, cue.starts, cue.ends, cue.needs):
            if not needs <= held:
                continue
            accept = (lambda m, cue=cue: not _cue_blocked(cue, masked, m) and _years_in_order(m)) if cue.blockers \
                else _years_in_order
            if cue.heads:
                accept = (lambda m, inner=accept: inner(m) and _heads_sentence(masked, m, masked_sentences))
            for match in scanner.finditer(pattern, required, starts, g.proclitic_chars, ends, accept):
                # a cue is told within one line: an outlet's name on a line of its own that reads
                # as a verb ("published it") is no cue with the next line's day
                if match.end() > match.start() and "\n" not in masked[match.start():match.end()]:
                    found.append((match.start(), match.end(), cue, match))
    chosen = longest_apart(found, lambda f: f[:2])
    # the day a source spoke ("said on Saturday that ... since the operation began") never
    # dates the start of the event it speaks of
    spoken = [(start, end) for start, end, cue, _ in chosen if cue.kind == "report"]
    inside_spoken = _Spans(spoken)
    # nor does the date of another "since X" that names no start ("1,200 fled since Wednesday,
    # while the displaced since the war began passed 10 million": Wednesday starts the flight,
    # not the war; "since violence erupted on August 25" does date a start)
    inside_since = _Spans([(start, end) for start, end, cue, _ in chosen
                           if cue.kind == "since" and not g.start_words.search(canonical, start, end)])
    # read once, not per cue: the whole text's mentions that may anchor (no dateline, a known day)
    anchors = [m for m in mentions if not inside_spoken.hold(m) and not inside_since.hold(m) and m.kind in ANCHOR_KINDS
               and m.first is not None and not _is_dateline(m, canonical)]
    expressions, covered = [], []
    for start, end, cue, match in chosen:
        expression, anchor = _resolve_cue(cue, match, canonical, mentions, sentences, published, g, anchors)
        if expression.kind == "after" and expression.period_start is None and expression.offset is None:
            continue  # "hours after", "days after": no day told, the date stays its clause's own
        expressions.append(expression)
        covered.append((expression.start, end))  # an `after` cue leaves its date a time of its own
        if anchor is not None and _sentence_of(anchor.start, sentences) == _sentence_of(start, sentences):
            covered.append((anchor.start, anchor.end))
    inside_covered = _Spans(covered)
    for m in mentions:
        if not inside_covered.hold(m) and not _is_dateline(m, canonical):
            expressions.append(TimeExpression(m.start, m.end, m.text, "date", m.rule, m.first, m.last, m.parts,
                                              compared=_compared(canonical, m.start, g.comparisons)))
    expressions = sorted(expressions, key=lambda e: e.start)
    if any(e.offset is not None for e in expressions):
        expressions = _before_story(expressions)
    if g.refers_back:
        expressions = _back_references(expressions, sentences, g.refers_back)
    expressions = _event_starts(expressions)
    if g.needs_start:  # "rescued 106 people during the operation": no start told, no time
        expressions = [e for e in expressions if e.period_start is not None or e.rule not in g.needs_start]
    reports = [e for e in expressions if e.kind == "report"]
    if reports and published is not None:
        expressions = [_told_on(e, reports, published, sentences, canonical, g.speaker_breaks) if e.kind in RELATIVE_TO_NOW else e
                       for e in expressions]
    return [_clip(e, published) for e in expressions]


def _tells_of(text: str, e: TimeExpression, f_start: int) -> bool:
    """An earlier event dated before the story's day ("came two days after twin explosions
    killed at least six") dates the counts of its own clause after the cue, not one past a
    comma ("came a week after Russian forces withdrew from the Kyiv region, where officials say
    they have found more than 400 bodies") nor one before it."""
    return e.end <= f_start and CLAUSE_MARK.search(text, e.end, f_start) is None


COMPARED_REACH = 120  # characters from "the deadliest ... since" to the date of the event compared with


APPOSED_WORDS = 2  # words at most between a clause mark and an apposed comparison (", the deadliest")


def _compared(text: str, start: int, comparisons) -> tuple[int, bool] | None:
    """The date at `start` ends a comparison's clause: "the deadliest attack since the war broke
    out in April 2023" (no clause mark between): where the comparison begins, and whether it is
    an apposition, told right after a clause mark (", the deadliest", ", which is the first")."""
    low = max(0, start - COMPARED_REACH)
    for pattern in comparisons:
        for m in pattern.finditer(text, low, start):
            if not CLAUSE_MARK.search(text, m.end(), start) and not SENTENCE_END.search(text, m.end(), start):
                head = text[max(0, m.start() - 40):m.start()]
                mark = max(head.rfind(c) for c in ",;:")
                apposed = mark >= 0 and len(LETTER_RUNS.findall(head[mark:])) <= APPOSED_WORDS \
                    and not SENTENCE_END.search(head, mark)
                return m.start(), apposed
    return None


def _before_story(expressions: list[TimeExpression]) -> list[TimeExpression]:
    """An `after` cue with no date of its own, told after the story's time ("The blast came two
    days after twin explosions in Kabul killed at least six people", the blast on Thursday): the
    earlier event is that long before the story's day (Tuesday). None when the story's time is
    no single day or comes later: the event's day is not told."""
    story = _story_time([e for e in expressions if e.kind != "earlier" and e.offset is None])
    resolved = []
    for e in expressions:
        if e.offset is None:
            resolved.append(e)
        elif story is not None and story.start < e.start and story.period_start is not None \
                and story.period_start == story.period_end:
            day = _shift(story.period_start, e.offset[0], -e.offset[1])
            resolved.append(replace(e, period_start=day, period_end=day))
    return resolved


class _Spans:
    """Spans asked whether one of them holds a mention, by bisection: the furthest end among
    the spans starting at or before the mention's start must reach its end."""

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [a for a, _b in spans]
        self.reach = list(accumulate((b for _a, b in spans), max))

    def hold(self, m: DateMention) -> bool:
        k = bisect_right(self.starts, m.start)
        return k > 0 and self.reach[k - 1] >= m.end


def _outside(hits: list[tuple], mentions: list[DateMention]) -> list[tuple]:
    """The (last character, word) hits that overlap no mention (mentions in text order)."""
    if not mentions:
        return hits
    starts = [m.start for m in mentions]
    out = []
    for last, word in hits:
        first = last + 1 - len(word)
        k = bisect_right(starts, last) - 1  # the last mention starting at or before the word's end
        if k < 0 or mentions[k].end <= first:
            out.append((last, word))
    return out


def _back_references(expressions: list[TimeExpression], sentences, refers: frozenset) -> list[TimeExpression]:
    """A cue that names the time told just before it ("since then", `refers_back`) and found no
    start word's date starts where that time starts: the latest time of its own sentence told
    before it ("ordered the evacuation in August, and 11,000 have left since then": August up
    to now), which then serves the cue only, else the latest of the sentence before ("On Monday
    gunmen attacked the town. Since then 40 people have fled": Monday up to now); a day a
    source spoke is no such time. A cue with no end of its own ("at the time") is a point: it
    becomes a date of that time's days, and may name the day a source spoke. With neither, the
    cue is left as it was (`_event_starts`). `expressions` are in text order."""
    used, out = set(), {}
    for k, e in enumerate(expressions):
        if e.rule not in refers or e.period_start is not None:
            continue
        own = _sentence_of(e.start, sentences)
        point = e.period_end is None  # "at the time": that time's days, the day a source spoke too
        told = [x for x in expressions[:k] if (x.kind not in REFERRED_NOT or point and x.kind == "report")
                and x.period_start is not None and x.end <= e.start and id(x) not in used]
        here = [x for x in told if x.start >= own[0]]
        if here:
            referred = here[-1]
            used.add(id(referred))
        else:
            previous = _sentence_of(own[0] - 1, sentences) if own[0] > 0 else None
            referred = next((x for x in reversed(told) if previous is not None and previous[0] <= x.start and x.end <= previous[1]
                             and _sentence_of(x.start, sentences) == previous), None)
        if referred is not None:  # a point ("at the time") is a date: the time's days
            kind, end = ("date", referred.period_end) if point else (e.kind, e.period_end)
            out[id(e)] = TimeExpression(e.start, e.end, e.text, kind, e.rule, referred.period_start, end,
                                        e.parts + tuple(p for p in referred.parts if p not in e.parts))
    return [out.get(id(e), e) for e in expressions if id(e) not in used]


def _event_starts(expressions: list[TimeExpression]) -> list[TimeExpression]:
    """A `since_event` cue without an anchor starts where the latest earlier `since_event` with
    a start starts (the same event, told again), else the latest earlier `since` built on a
    written date (module docstring); an `until` without a start starts with the later of that
    `since` and the latest `since_event` with a start, else with the story's day (the article's
    first time, when it is a date told before the `until`); `expressions` are in text order."""
    out, latest, latest_event = [], None, None
    story_day = expressions[0] if expressions and expressions[0].kind == "date" else None
    for e in expressions:
        earlier = latest_event or latest
        if e.kind == "since_event" and e.period_start is None and earlier is not None:
            source = next((p for p in earlier.parts if p not in e.parts), None)  # what dated the earlier one
            e = TimeExpression(e.start, e.end, e.text, e.kind, e.rule, earlier.period_start, e.period_end,
                               e.parts + ((source,) if source else ()))
        elif e.kind == "until" and e.period_start is None and (begun := _latest(latest, latest_event, story_day)) is not None \
                and begun.start < e.start and begun.period_start is not None \
                and e.period_end is not None and begun.period_start <= e.period_end:
            # "the bodies lay in the streets until Sunday": since the story's start told before;
            # "had verified 1,081 deaths by midnight on Thursday": since the invasion told before;
            # "attacked at dawn on Wednesday ... counted 1,188 dead until Wednesday evening": that day
            e = TimeExpression(e.start, e.end, e.text, e.kind, e.rule, begun.period_start, e.period_end,
                               e.parts + tuple(p for p in begun.parts[begun.kind != "date":] if p not in e.parts))
        elif e.kind == "since" and e.period_start is not None and len(e.parts) > 1:
            latest = e  # parts beyond the cue's own id are those of its date mention
        if e.kind == "since_event" and e.period_start is not None:
            latest_event = e  # a later "since the event" is the same event
        out.append(e)
    return out


def _state_time(e: TimeExpression, here: list[TimeExpression], f_end: int) -> bool:
    """A time told after the strength of a force (and before the next figure) that dates it: a
    named past time, the day of the deed it took part in ("The gunmen, numbering over 300,
    stormed the villages on Tuesday"), or a since with a start ("10,000 troops have been
    deployed since Sunday"), none past the day a source spoke ("which has 11,000 troops, said
    on Thursday that ... since Sunday")."""
    if e.kind in STATE_KINDS:
        return True
    if e.kind not in ("date", "since") or (e.kind == "since" and e.period_start is None):
        return False
    return not any(r.kind == "report" and f_end <= r.start < e.start for r in here)


def _aside(e: TimeExpression, story_time: TimeExpression | None) -> bool:
    """Carried only within its paragraph: an aside (`ASIDE_KINDS`) other than the article's
    first time, or an `until` whose start is unknown, even the first ("counted 1,188 dead until
    Wednesday evening" with no start told: one count's end bound, no period for the counts of
    later paragraphs)."""
    return (e.kind in ASIDE_KINDS and e is not story_time and not _story_again(e, story_time)) \
        or (e.kind == "until" and e.period_start is None)


def _story_again(e: TimeExpression, story_time: TimeExpression | None) -> bool:
    """A period up to now that starts where the story's own since starts is the story's time
    told again, no aside ("crossed into Bangladesh since violence erupted on August 25" then
    "400 people have been killed since then"); so is a since an event began whose start the
    story's own since of that kind did not find."""
    if story_time is None or story_time.kind not in OPEN_KINDS or e.kind not in OPEN_KINDS \
            or e.period_end != story_time.period_end:
        return False
    # "since the operation began" in the headline with no start told, then "since its launch"
    # once its start is found: the same campaign, told more precisely
    return e.period_start == story_time.period_start if story_time.period_start is not None \
        else story_time.kind == e.kind == "since_event"


def _undated_headline(text: str, whole: Period, span: tuple[int, int], told: list[TimeExpression]) -> bool:
    """A whole told in the headline (the first line, before the article's first time) with no
    period of its own ("Death toll rises to 42"): its parts told in the story ("thirty-seven of
    the dead were students") take the story's time as any count does, not the headline's
    unknown one. A whole of the story's body with no period keeps its parts undated."""
    if not (whole.start is None and whole.end is None and told and span[1] <= told[0].start) \
            or text.find("\n", 0, span[0]) >= 0:
        return False
    line_end = text.find("\n", span[1])
    return line_end >= 0 and not text[:line_end].rstrip().endswith((".", "!", "?"))  # a title, no sentence


def _story_time(expressions: list[TimeExpression]) -> TimeExpression | None:
    """The story's time: the article's first time expression (a calendar span told next by its
    days: those days, `_told_precisely`), unless it is a day a source spoke
    (or a group claimed, a country mourned) and the next time told is a day of the deed in the
    days before it ("Niger began mourning on Thursday for 71 soldiers killed when militants
    attacked a camp on Tuesday evening": Tuesday; "the toll has risen to 200, residents said
    on Saturday" then "the gunmen stormed the villages on Tuesday": Tuesday), or a since begun
    in those days ("declared the siege over on Tuesday night, saying 61 civilians had been killed
    since gunmen stormed the mall on Saturday": Saturday up to that day), not a time of long
    before ("In March 2017, gunmen stormed the same village"; "said on Tuesday that 400,000 have
    been killed since 2011")."""
    if not expressions:
        return None
    first = expressions[0]
    if first.kind != "report":
        return _told_precisely(first, expressions)
    deed = next((e for e in expressions[1:] if e.kind != "report"), None)
    if deed is None or deed.kind not in ("date", "since") or deed.period_start is None or first.period_start is None:
        return first
    before = deed.period_end < first.period_start if deed.kind == "date" else deed.period_start < first.period_start
    return deed if before and (first.period_start - deed.period_start).days <= STORY_DEED_DAYS else first


def _told_precisely(first: TimeExpression, expressions: list[TimeExpression]) -> TimeExpression:
    """The story's time told as a calendar span ("last week", "this month", "in March") and then
    by its days, the next time told that is no day a source spoke ("killed 131 civilians last
    week" then "were executed on November 29 and 30"): those days, when they lie within the span
    and are fewer; else the span ("last week" then "said on Wednesday"; "in March" then "on
    April 2")."""
    if first.kind not in COARSE_KINDS or first.period_start is None or first.period_end is None:
        return first
    told = next((e for e in expressions if e is not first and e.start > first.start and e.kind != "report"), None)
    if told is None or told.kind not in ("date", "range") or told.period_start is None or told.period_end is None:
        return first
    within = first.period_start <= told.period_start and told.period_end <= first.period_end
    return told if within and told.period_end - told.period_start < first.period_end - first.period_start else first


def _earlier_story(story_time: TimeExpression | None, spoken: TimeExpression, s_lo: int,
                   opening: TimeExpression | None = None) -> bool:
    """The story's time (the article's first) is a date told before the figure's sentence that
    ends before the day a source spoke ("said on Wednesday that it had counted 400 dead", told
    before the count: not "had seized 15 workers on Tuesday, she said", where the day is the
    seizure's); or the day a source spoke is the article's first time (`opening`) and the story's
    time is the deed told after it (`_story_time`: "said on Saturday that 50 prisoners had been
    killed" then "hit overnight from Thursday to Friday")."""
    return (story_time is not None and story_time.kind == "date"
            and (story_time.end <= s_lo or (spoken is opening and story_time.start > spoken.start))
            and story_time.period_end is not None and spoken.period_start is not None
            and story_time.period_end < spoken.period_start)


def _story_since(story_time: TimeExpression | None, spoken: TimeExpression, s_lo: int) -> bool:
    """The story's time is a since with a start, told before the figure's sentence, that began
    before the one day a source spoke (and runs up to now)."""
    return (story_time is not None and story_time.kind == "since" and story_time.end <= s_lo
            and story_time.period_start is not None and spoken.period_start is not None
            and spoken.period_start == spoken.period_end and story_time.period_start < spoken.period_start
            and story_time.period_end is not None and story_time.period_end >= spoken.period_end)


def _latest(*expressions: TimeExpression | None) -> TimeExpression | None:
    """The one told last of those given."""
    return max((e for e in expressions if e is not None), key=lambda e: e.start, default=None)


def _year2(match) -> int | None:
    """The year that ends a range of years, its century from the first ("1991-94" ends in 1994)."""
    written = match.groupdict().get("year2")
    if not written:
        return None
    return int(written) if len(written) == 4 else int(match.group("year")) // 100 * 100 + int(written)


def _years_in_order(match) -> bool:
    """A range of years ends after it starts: "2018-05" is no range."""
    end = _year2(match)
    return end is None or end > int(match.group("year"))


def _heads_sentence(text: str, match, sentences) -> bool:
    """The match stands on one line, with at most a conjunction (`STATE_HEAD` characters)
    between the start of its sentence and it (a dateline's date heads no words of a source)."""
    start = _sentence_of(match.start(), sentences)[0]
    return len(text[start:match.start()].strip()) <= STATE_HEAD and "\n" not in match.group()


def _cue_blocked(cue: Cue, masked: str, match) -> bool:
    lo, hi = max(0, match.start() - 60), min(len(masked), match.end() + 60)
    return any(
        b.start() < match.end() and b.end() > match.start()
        for pattern in cue.blockers
        for b in pattern.finditer(masked, lo, hi)
    )


# the dash that ends a dateline heading the first paragraph ("JUBA, 19 February 2016 - ...")
DATELINE_DASH = regex.compile(r"[ \t]*[-\u2013\u2014][ \t]")


def _ends_with_comma(head: str) -> bool:
    """The text ends with a comma of any script (a dateline's place before its date)."""
    head = head.rstrip()
    return bool(head) and unicodedata.name(head[-1], "").endswith("COMMA")


def _is_dateline(m: DateMention, text: str) -> bool:
    """A full date near the top of an article whose line says little else: the publication
    stamp (a cue built on it, such as "since 19 April 2018", is kept). A relative day ending
    a line of at most `MASTHEAD_WORDS` other words and no digit there is the name of an outlet
    or a programme ("L'Orient Today", "Sudan Today"), no time ("Gunmen storm Kano market
    today" is a headline's)."""
    relative = m.kind == "relative"
    if not (relative or (m.kind == "day" and m.explicit_year)) or "\n" not in text \
            or text.count("\n", 0, m.start) >= DATELINE_LINES:
        return False
    line_start = text.rfind("\n", 0, m.start) + 1
    line_end = text.find("\n", m.end)
    line_end = len(text) if line_end < 0 else line_end
    if relative and (m.start == line_start or text[m.end:line_end].strip() or DIGIT.search(text, line_start, line_end)):
        return False  # "Today, ...", "today in Kabul", or a headline with a count
    most = MASTHEAD_WORDS if relative else DATELINE_WORDS
    if not relative and DATELINE_DASH.match(text, m.end) and _ends_with_comma(text[line_start:m.start]) \
            and sum(1 for _ in islice(LETTER_RUNS.finditer(text, line_start, m.start), most + 1)) <= most:
        return True  # "JUBA, 19 February 2016 - At least 25 people were killed": a dateline heading its paragraph
    # the words on its line before and after it, counted up to one more than a dateline has
    # (the line may be a paragraph of hundreds of words)
    words = chain(LETTER_RUNS.finditer(text, line_start, m.start), LETTER_RUNS.finditer(text, m.end, line_end))
    return sum(1 for _ in islice(words, most + 1)) <= most


def _mention_at(mentions: list[DateMention], start: int) -> DateMention | None:
    for m in mentions:
        if m.start <= start < m.end:
            return m
    return None


def _duration(match, g: CueGrammar, cue: Cue):
    """(unit, amount, written) of the duration slot or the cue's own: `amount` is None when
    the count is vague or approximate, `written` is the count as written (at least 1)."""
    if "dur" not in match.groupdict() or match.group("dur") is None:
        if cue.unit and cue.count:
            return cue.unit, int(cue.count), int(cue.count)
        return None
    named = match.groupdict()  # a slot may lack some of the groups (NOUNCOUNTED)
    if named.get("dual"):
        unit, amount = g.units[named["dual"]]
    else:
        unit, amount = g.units[named["unit"]]
        if named.get("num"):
            amount = int(named["num"])
        elif named.get("cw"):
            amount = g.counts[named["cw"]]
    written = amount or 1
    if named.get("approx"):
        amount = None
    return unit, amount, written


def _resolve_cue(cue, match, text, mentions, sentences, published, g, anchors) -> TimeExpression:
    """`anchors`: the mentions that may date an event's start (not the day a source spoke)."""
    start, end = match.span()
    first = second = None
    if "d1" in match.groupdict() and match.group("d1"):
        first = _mention_at(mentions, match.start("d1"))
    if "d2" in match.groupdict() and match.group("d2"):
        second = _mention_at(mentions, match.start("d2"))
    duration = _duration(match, g, cue)
    named = match.groupdict()
    year = int(named["year"]) if named.get("year") else None
    month = g.months.get(named["mon"]) if named.get("mon") else None
    lo = hi = anchor = offset = None
    kind = cue.kind
    if kind == "since" and first is None and (year or month):
        lo = date(year, 1, 1) if year else _named_month(month, published, strict=False)[0]
        if lo is not None and month and not year and cue.day:  # "since mid-April": its 15th
            lo = lo.replace(day=cue.day)
        hi = published
    elif kind in ("calendar", "previous", "since_when") and (year or month):
        if year and named.get("year2"):  # "between 2014 and 2017", "a 1991-94 war"
            lo, hi = date(year, 1, 1), date(_year2(match), 12, 31)
        elif year and cue.months:  # "the first half of 2021"
            lo = date(year, cue.months[0], 1)
            hi = date(year, cue.months[1], calendar.monthrange(year, cue.months[1])[1])
        elif year:
            lo, hi = date(year, 1, 1), date(year, 12, 31)
        elif published is not None:
            lo, hi = _named_month(month, published, strict=kind == "previous")
    elif kind == "calendar" and first is not None:  # "the February 14 suicide bombing": that date's days
        lo, hi = first.first, first.last
    elif kind == "calendar" and cue.months and published is not None:  # "the first three months of the year"
        lo = date(published.year, cue.months[0], 1)
        hi = date(published.year, cue.months[1], calendar.monthrange(published.year, cue.months[1])[1])
    elif kind == "lasted":  # "on Sunday ended a 30-hour siege": from that long before the date to it
        if first is not None and first.first is not None and duration is not None and duration[1] is not None:
            lo, hi = _shift(first.first, duration[0], -duration[1]), first.last
    elif kind == "after":  # "on March 31, eight days after ...": that long before the date
        if first is not None and first.first is not None and duration is not None and duration[1] is not None:
            lo = hi = _shift(first.first, duration[0], -duration[1])
        elif "d1" not in named and duration is not None and duration[1] is not None:
            offset = (duration[0], duration[1])  # "the blast came two days after": before the story's day
        start = match.start("dur")
    elif kind == "since_when" and first is not None:  # "since August 2011, when": that date's days
        lo, hi = first.first, first.last
    elif kind == "report":
        if first is not None:
            lo, hi = first.first, first.last
        elif cue.unit and published is not None:  # "said in a report last month": the unit before;
            # with `count: 0` ("said this week") the publication's own unit up to it
            lo, hi = (_current_unit(published, cue.unit, g.week_starts) if cue.count == 0
                      else _previous_unit(published, cue.unit, g.week_starts))
    elif kind == "since":
        if first is not None:
            lo = first.first
        elif duration is not None:
            lo = _back(published, duration)
            if lo is None and published is not None:
                anchor = _anchor(start, end, text, anchors, sentences, g)
                if anchor is not None and anchor.first <= _shift(published, duration[0], -duration[2]):
                    lo = anchor.first
                else:
                    anchor = None
        elif cue.unit and published is not None:  # "since last year": from the previous calendar unit's first day
            lo = _previous_unit(published, cue.unit, g.week_starts)[0]
        hi = published
    elif kind == "until":
        if first is not None:
            hi = first.last
        elif year:  # "until the end of 2021"
            hi = date(year, 12, 31)
        elif published is not None and cue.unit in ("month", "year"):  # "until the end of last year"
            _, hi = _previous_unit(published, cue.unit, g.week_starts)
    elif kind == "range" and match.groupdict().get("mon2") and published is not None:
        # "between July and September": the most recent second month up to publication, the
        # first one before it
        _, hi = _named_month(g.months[match.group("mon2")], published, strict=False)
        month = g.months[match.group("mon")]
        lo = date(hi.year if month <= hi.month else hi.year - 1, month, 1)
    elif kind == "range" and match.groupdict().get("mon"):
        # "between July and August 2023": a named month, then the date that ends the range
        # and gives its year (the year before when the month comes later in the calendar)
        if first is not None and first.last is not None:
            month = g.months[match.group("mon")]
            year = first.last.year if month <= first.last.month else first.last.year - 1
            lo, hi = date(year, month, 1), first.last
    elif kind == "range" and (named.get("bday") or named.get("bdayw")):
        # "began on 2 March and ended on the 31st": that day of the first date's month, or of
        # the month after when it comes earlier in the month
        if first is not None and first.first is not None:
            day = int(named["bday"]) if named.get("bday") else g.day_words[named["bdayw"]]
            month = first.first.replace(day=1) if day >= first.first.day else _shift(first.first.replace(day=1), "month", 1)
            if day <= calendar.monthrange(month.year, month.month)[1]:
                lo, hi = first.first, month.replace(day=day)
    elif kind == "range":
        lo = first.first if first is not None else None
        hi = second.last if second is not None else None
    elif kind == "last":
        lo, hi = _back(published, duration), published
    elif kind == "ago":
        lo = hi = _back(published, duration)
    elif kind == "since_event" and duration is not None:  # "since the war began six years ago"
        lo, hi = _back(published, duration), published
    elif kind in ("elapsed", "since_event"):
        anchor = _anchor(start, end, text, anchors, sentences, g, cue.anchor_words)
        lo = anchor.first if anchor is not None else None
        if kind == "since_event":
            hi = published
        elif lo is not None and duration is not None and duration[1] is not None:
            hi = _shift(lo, duration[0], duration[1])
    elif kind == "current" and published is not None:
        lo, hi = _current_unit(published, cue.unit, g.week_starts)
    elif kind == "previous" and published is not None:
        lo, hi = _previous_unit(published, cue.unit, g.week_starts)
    parts = (cue.id,) + tuple(p for m in (first, second) if m is not None for p in m.parts)
    span = round(UNIT_DAYS[cue.unit] * int(cue.count or 1)) if kind == "same" and cue.unit else None
    spoken_first = kind == "report" and first is not None and bool(LETTER_RUNS.search(text, start, first.start))
    return TimeExpression(start, end, text[start:end], kind, cue.id, lo, hi, parts, span, spoken_first, offset), anchor


def _own_clause(here: list[TimeExpression], text: str, f_start: int, f_end: int, breaks,
                state: bool = False) -> list[TimeExpression]:
    """The times of a figure's sentence that may be its own: none told after it past a clause
    break ("three women and two children, and that hospitals received 12 bodies in the past two
    days"), and one told before it past a break only when no other is left ("45 were killed in
    April, and 23 soldiers died in a bombing in July": July), unless it runs up to now ("8,000
    have fled since Wednesday, and 1,300 had arrived by boat by Sunday": a since spans the
    clauses after it). A `state` (people displaced told as no flight) takes no time past a
    break ("the dead since 12 July rose to 750, while the relief council put the displaced at
    915,000": none)."""
    after = [e for e in here if e.start >= f_end and not breaks.search(text, f_end, e.start)]
    before = [e for e in here if e.end <= f_start]
    joined = [e for e in before if (e.kind in OPEN_KINDS and not state) or not breaks.search(text, e.end, f_start)]
    around = [e for e in here if e.start < f_end and e.end > f_start]
    return joined + around + after or ([] if state else [e for e in before if e not in joined])


def _speaker_asides(text: str, g: CueGrammar, sentences) -> list[tuple[int, int]]:
    """The relative clauses about the one who speaks ("Toby Lanzer, the UN coordinator, who
    visited the town on Thursday, said ..."): from their opening word (`speaker_clauses`) to
    the next comma of the sentence, when a speech word (`speech_words`) follows that comma,
    at most one word after it. A time told inside one is the speaker's own act, not the day
    of the counts the speaker tells."""
    if g.speaker_clauses is None or g.speech_words is None:
        return []
    out = []
    for m in g.speaker_clauses.finditer(text):
        _lo, hi = _sentence_of(m.start(), sentences)
        close = CLAUSE_MARK.search(text, m.end(), min(hi, m.end() + SPEAKER_CLAUSE_CHARS))
        if close is not None and text[close.start()] == "," and g.speech_words.match(text, close.end()):
            out.append((m.start(), close.start()))
    return out


def _trailing_clauses(text: str, g: CueGrammar, sentences) -> list[tuple[int, int]]:
    """The relative clauses that end their sentence (`relative_clauses`: "the gunman used five
    guns, which he had bought with a licence obtained in November 2017."): from the opening word
    to the sentence's end, with no clause mark between. Their time is the side story's: the
    counts of later sentences do not take it (those of its own sentence still may)."""
    if g.relative_clauses is None:
        return []
    out = []
    for m in g.relative_clauses.finditer(text):
        _lo, hi = _sentence_of(m.start(), sentences)
        if not CLAUSE_MARK.search(text, m.end(), hi):
            out.append((m.start(), hi))
    return out


def _background(sentence: tuple[int, int], figure_starts: list[int], story_time: TimeExpression | None, s_lo: int) -> bool:
    """The latest sentence with a time, whose times are asides of an earlier paragraph, tells no
    count (`figure_starts`, in text order) and the story's time is told before the figure and is
    no day a source spoke: the aside is a detail of the story ("the recruits had joined the course
    two weeks ago", "the group was pushed out of the capital in 2011"), and the counts after it
    are the story's. An aside that tells counts of its own ("Last month, 20 soldiers were killed
    near Gao.") moves the story to another time: the counts of later paragraphs take none."""
    if story_time is None or story_time.kind == "report" or story_time.end > s_lo:
        return False
    k = bisect_left(figure_starts, sentence[0])
    return k == len(figure_starts) or figure_starts[k] >= sentence[1]


def _elsewhere(aside: tuple[int, int] | None, position: int) -> bool:
    """A time of a speaker's relative clause (`aside`) that does not hold the figure at `position`."""
    return aside is not None and not aside[0] <= position < aside[1]


def _same(periods: list[Period], span: int | None) -> Period:
    """The period "the same period" refers to: the previous figure's; with a unit ("in the same
    quarter"), the latest earlier figure's period of about that length, else the previous one."""
    if span:
        for p in reversed(periods):
            if p.start and p.end and abs((p.end - p.start).days + 1 - span) <= max(2, span // 10):
                return p
    return periods[-1] if periods else Period(None, None)


def _bounded(chosen: TimeExpression, here: list[TimeExpression]) -> TimeExpression:
    """A start and an end said apart in one sentence make one period: "since the coalition
    intervened on 26 March 2015, the war has killed 377,000 people until the end of last year"."""
    if chosen.kind in ("since", "until"):
        other = "until" if chosen.kind == "since" else "since"
        for e in here:
            if e.kind == other:
                since, until = (chosen, e) if chosen.kind == "since" else (e, chosen)
                if since.period_start and until.period_end and since.period_start <= until.period_end:
                    return TimeExpression(chosen.start, chosen.end, chosen.text, chosen.kind, chosen.rule,
                                          since.period_start, until.period_end, chosen.parts + e.parts)
    return chosen


def _told_on(chosen: TimeExpression, reports: list[TimeExpression], published: date,
             sentences, text: str = "", breaks=None, span: tuple[int, int] | None = None) -> TimeExpression:
    """A period up to now told in reported speech runs up to the day the source spoke, the
    nearest report date of its sentence ("said on Friday that 10,000 had fled since Monday":
    Monday to Friday; "said on Saturday that 83 were killed in the past 24 hours": Friday and
    Saturday), not to the publication date. A report past a clause break is another clause's
    ("40 children died since Sunday, while an MP had said on Tuesday that 70 ..."); `span`, a
    figure's, is the clause the report must share (else the expression's own)."""
    if chosen.period_end != published or published is None:
        return chosen
    lo_, hi_ = span or (chosen.start, chosen.end)
    a, b = _sentence_of(lo_, sentences)
    spoken = [e for e in reports if a <= e.start < b and not (
        breaks is not None and breaks.search(text, min(e.end, hi_), max(e.start, lo_)))]
    if not spoken:
        return chosen
    said = min(spoken, key=lambda e: _gap(e.start, e.end, chosen.start, chosen.end))
    day = said.period_end
    if said.period_start != day or day is None or day >= published:
        return chosen
    lo = chosen.period_start
    if chosen.kind == "last" and lo is not None:
        lo -= published - day
    if lo is not None and lo > day:
        return chosen
    return TimeExpression(chosen.start, chosen.end, chosen.text, chosen.kind, chosen.rule, lo, day,
                          chosen.parts + said.parts)


def _current_unit(published: date, unit: str, week_starts: int) -> tuple[date, date]:
    """The first day of the calendar week, month or year of the publication, and the publication date."""
    if unit == "week":
        return _week_start(published, week_starts), published
    return (published.replace(day=1) if unit == "month" else published.replace(month=1, day=1)), published


def _previous_unit(published: date, unit: str, week_starts: int) -> tuple[date, date]:
    """The first and last day of the calendar week, month or year before the publication's."""
    if unit == "week":
        hi = _week_start(published, week_starts) - timedelta(days=1)
        return hi - timedelta(days=6), hi
    if unit == "month":
        hi = published.replace(day=1) - timedelta(days=1)
        return hi.replace(day=1), hi
    return date(published.year - 1, 1, 1), date(published.year - 1, 12, 31)


def _week_start(day: date, week_starts: int) -> date:
    """The first day of the calendar week holding `day`."""
    return day - timedelta(days=(day.weekday() - week_starts) % 7)


def _named_month(month: int, published: date | None, strict: bool) -> tuple[date | None, date | None]:
    """The first and last day of the most recent `month` up to the publication month
    (`strict`: before it, as "last March")."""
    if published is None:
        return None, None
    year = published.year if month < published.month or (month == published.month and not strict) else published.year - 1
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _back(published: date | None, duration) -> date | None:
    if published is None or duration is None or duration[1] is None:
        return None
    return _shift(published, duration[0], -duration[1])


def _shift(day: date, unit: str, amount: int) -> date:
    if unit == "hour":
        return day + timedelta(days=math.copysign(math.ceil(abs(amount) / 24), amount))
    if unit == "day":
        return day + timedelta(days=amount)
    if unit == "week":
        return day + timedelta(days=7 * amount)
    months = amount * (12 if unit == "year" else 1)
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _sentence_of(position: int, sentences) -> tuple[int, int]:
    """The sentence holding `position`, else the last one ending before it (sentences are in
    order and apart)."""
    k = bisect_right(sentences, (position, math.inf)) - 1
    return sentences[k] if k >= 0 else (position, position)


def _anchor(start, end, text, mentions, sentences, g: CueGrammar, event_words=None) -> DateMention | None:
    """The date mention giving the start of the event a cue counts from (module docstring);
    `mentions` are those that may anchor (`find_time_expressions`); `event_words`, a cue's own,
    find its sentence instead of the start words."""
    event_words = event_words or g.start_words
    full = [m for m in mentions if not (m.start >= start and m.end <= end)]
    own = _sentence_of(start, sentences)
    full_starts = [m.start for m in full]  # mentions are in text order and apart
    before = bisect_right(sentences, own[0], key=lambda s: s[1])  # the sentences ending before it
    for a, b in chain([own], reversed(sentences[:before])):
        here = [m for m in full[bisect_left(full_starts, a):bisect_right(full_starts, b)] if m.end <= b]
        starts = [w.start() for w in event_words.finditer(text, a, b)] if here else []
        if not starts:
            continue
        if (a, b) == own:
            # a day told after a start word ("began on Sunday"), not one of another clause told
            # before it ("30 died on Sunday, bringing the toll since the start of the offensive")
            begun = [m for m in here if starts[0] < m.start]
            if not begun:
                continue
            return min(begun, key=lambda m: (m.kind != "day", _gap(m.start, m.end, start, end), m.start > start))
        return min(here, key=lambda m: (m.kind != "day", min(_gap(m.start, m.end, w, w) for w in starts)))
    return None


def _clause_near(text: str, f_start: int, f_end: int, s_lo: int, s_hi: int) -> tuple[int, int]:
    """The figure's own clause within FLIGHT_REACH characters either side of it (sentence-bound)."""
    lo = max(s_lo, f_start - FLIGHT_REACH)
    marks = list(CLAUSE_MARK.finditer(text, lo, f_start))
    lo = marks[-1].end() if marks else lo
    mark = CLAUSE_MARK.search(text, f_end, min(s_hi, f_end + FLIGHT_REACH))
    return lo, mark.start() if mark else min(s_hi, f_end + FLIGHT_REACH)


def _in_clause(text: str, f_start: int, f_end: int, s_lo: int, s_hi: int, words_) -> bool:
    """One of `words_` in the figure's own clause, within FLIGHT_REACH characters of it."""
    return words_.search(text, *_clause_near(text, f_start, f_end, s_lo, s_hi)) is not None


def _fled(text: str, f_start: int, f_end: int, s_lo: int, s_hi: int, flight) -> bool:
    """A flight word in the figure's own clause, near it ("8,000 people had fled", "displaced
    by the clashes"), and no state word there ("remain displaced", "who had fled", "already")."""
    found = list(flight.finditer(text, *_clause_near(text, f_start, f_end, s_lo, s_hi)))
    return bool(found) and not any(m.group("state") for m in found)


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(b_start - a_end, a_start - b_end, 0)


def _clip(e: TimeExpression, published: date | None) -> TimeExpression:
    if e.period_start and e.period_end and e.period_start > e.period_end:
        return TimeExpression(e.start, e.end, e.text, e.kind, e.rule, None, None, e.parts)
    if published and e.period_end and e.period_end > published and (e.period_start is None or e.period_start <= published):
        return TimeExpression(e.start, e.end, e.text, e.kind, e.rule, e.period_start, published, e.parts)
    return e


def resolve_periods(
    canonical: str, pack: LanguagePack, published: date | None, figures: list[tuple[int, int]],
    carries: list[bool] | None = None, states: list[bool] | None = None, displaced: list[bool] | None = None,
    parents: list[int | None] | None = None,
) -> list[Period]:
    """One Period per figure span (canonical offsets, text order) of one article; `carries[i]`
    False keeps figure i from taking an earlier sentence's time, `states[i]` True lets it take
    only a named past time (`STATE_KINDS`) of its own sentence (module docstring). `displaced[i]`
    True with a flight word near it (`flight_words`: "had fled") makes figure i a flight of the
    story's days: with no time of its own it carries the earlier time's start up to publication.
    `parents[i]`, the index of an earlier figure figure i is part of ("ten firefighters" among
    "dozens still unaccounted for"), gives figure i its parent's period when its own sentence
    tells no time: the part is of the whole's days, not of the latest time told between them.

    >>> from datetime import date
    >>> from casualties.langpack import load_pack
    >>> pack = load_pack("en")
    >>> text = pack.canonical("Last week 5 died. During the same period 3 were hurt.")
    >>> spans = [(text.index("5"), text.index("5") + 1), (text.index("3"), text.index("3") + 1)]
    >>> [(p.start, p.end, p.rule) for p in resolve_periods(text, pack, date(2018, 5, 21), spans)][1]
    (datetime.date(2018, 5, 14), datetime.date(2018, 5, 20), 'en.period.same')
    """
    expressions = find_time_expressions(canonical, pack, published)
    g = cue_grammar(pack)
    breaks, totals, flight = g.clause_breaks, g.running_totals, g.flight_words
    sentences = sentence_spans(canonical)
    # an event of unknown days before the story's ("came days after ...") is never its time
    told = [e for e in expressions if e.kind != "earlier" and e.compared is None]
    story_time = _story_time(told)  # the article's first time: its own story's
    periods: list[Period] = []
    # Each figure asks about the expressions near it through these (expressions are in text
    # order): reading all of them per figure is quadratic in a long text.
    starts = [e.start for e in expressions]
    reach = list(accumulate((e.end for e in expressions), max))  # furthest end of expressions[:k + 1]
    line_breaks = [m.start() for m in LINE_BREAK.finditer(canonical)]
    figure_starts = [f_start for f_start, _ in figures]
    total_marks = [m.start() for m in totals.finditer(canonical)] if totals is not None else []
    # a time inside a relative clause about a speaker is the speaker's act: only the counts told
    # inside that clause take it
    asides = _speaker_asides(canonical, g, sentences)
    aside_of = {id(e): a for e in expressions for a in asides if a[0] <= e.start and e.end <= a[1]}
    trailing = _trailing_clauses(canonical, g, sentences)
    side_story = {id(e) for e in expressions for a in trailing if a[0] <= e.start and e.end <= a[1]}
    # (ids) a speaker's act, a side story, or an event of unknown days before the story's
    dates_nothing_later = side_story | aside_of.keys() | {id(e) for e in expressions if e.kind == "earlier" or e.compared is not None}
    for i, (f_start, f_end) in enumerate(figures):
        s_lo, s_hi = _sentence_of(f_start, sentences)
        # people present where the deed happened ("more than 1,000 people were inside when the
        # bombs hit"): an event of the story's days, dated and carried as one, not a state
        scene = states is not None and states[i] and g.scene_words is not None \
            and g.scene_words.search(canonical, f_end, min(s_hi, f_end + SCENE_REACH)) is not None
        state_i = states is not None and states[i] and not scene
        carried = carries is None or carries[i] or scene
        near = expressions[bisect_right(reach, s_lo):bisect_left(starts, s_hi)]
        here = [e for e in near if e.end > s_lo and not (e.start < f_end and e.end > f_start)
                and (e.offset is None or _tells_of(canonical, e, f_start))
                and (e.compared is None or e.end <= f_start and carried
                     and not (e.compared[1] and CLAUSE_MARK.search(canonical, e.end, f_start)))]
        if aside_of:
            here = [e for e in here if not _elsewhere(aside_of.get(id(e)), f_start)]
        if state_i:
            # a named past time after the count, or heading its sentence ("In 2015, ..."), not
            # one told of an earlier clause ("broke away in 2016 and has since ... 5,000 fighters")
            later = figures[i + 1][0] if i + 1 < len(figures) else len(canonical)  # the next figure begins its own clause
            here = [e for e in here if (e.kind in STATE_KINDS and e.start - s_lo <= STATE_HEAD) or (f_end <= e.start < later and _state_time(e, here, f_end))]
        next_mark = bisect_left(total_marks, f_end)
        if here and next_mark < len(total_marks) and total_marks[next_mark] < s_hi:
            # a running total told after the count ("recovered 11 bodies on Sunday, bringing the
            # number recovered since June 5 to 47"): the times told past it are the total's
            here = [e for e in here if e.start < total_marks[next_mark]]
        if here and breaks is not None:
            state = displaced is not None and displaced[i] and not (flight is not None and _fled(canonical, f_start, f_end, s_lo, s_hi, flight))
            here = _own_clause(here, canonical, f_start, f_end, breaks, state)
        # a running total ("7,000 fled since Saturday, bringing the number of displaced to 1.2
        # million"): the times told before it are the new count's, not the total's; nor an earlier sentence's
        last_mark = bisect_left(total_marks, f_start) - 1
        totalled = last_mark >= 0 and total_marks[last_mark] >= s_lo
        if totalled:
            # ... unless the new counts are of the previous count's period ("231 soldiers were
            # killed during the same period, bringing the total to 1,454"): a sum of one period's
            # counts is of that period
            same = [e for e in here if e.kind == "same" and e.end <= total_marks[last_mark]]
            here = [e for e in here if e.end > total_marks[last_mark]] or same[-1:]
        # people displaced told as a flight ("had fled") with no time of their own: the story's
        # flight, from the earlier time's start up to publication
        fled = not here and flight is not None and displaced is not None and displaced[i] and _fled(canonical, f_start, f_end, s_lo, s_hi, flight)
        if here:
            here = [e for e in here if e.kind != "report"] or here  # "said on Tuesday that ... since Saturday"
            chosen = _bounded(min(here, key=lambda e: (_gap(e.start, e.end, f_start, f_end), e.start > f_start)), here)
            if chosen.kind == "date" and g.burial_words is not None and _earlier_story(story_time, chosen, s_lo) \
                    and _in_clause(canonical, f_start, f_end, s_lo, s_hi, g.burial_words):
                # "We buried 71 people in one grave on Thursday", the villages stormed on Tuesday
                # and Wednesday: the dead are the deed's, the day told their burial's
                chosen = story_time
            elif chosen.kind == "report" and (chosen.end <= f_start or chosen.spoken_first) and _earlier_story(story_time, chosen, s_lo, told[0] if told else None):
                # "said on Wednesday that it had counted nearly 400 dead", the attack told on
                # Saturday: the day a source spoke is not when the count's event happened
                chosen = story_time
            elif chosen.kind == "report" and chosen.end <= f_start and _story_since(story_time, chosen, s_lo):
                # the story told since Sunday, "added in a statement on Friday that they had
                # executed 67 men": since Sunday, up to the day the source spoke
                chosen = TimeExpression(chosen.start, chosen.end, chosen.text, chosen.kind, chosen.rule,
                                        story_time.period_start, chosen.period_end, story_time.parts + chosen.parts)
            if told and chosen is told[0] and story_time is not chosen and story_time is not None \
                    and chosen.kind in COARSE_KINDS:
                # the story's span told again by its days later ("killed 131 civilians last week"
                # then "on November 29 and 30"): the days
                chosen = story_time
            if chosen.kind == "since_when" and f_end <= chosen.start and chosen.period_start and published:
                # "150 people have gone missing since April 2019, when ...": since then
                chosen = TimeExpression(chosen.start, chosen.end, chosen.text, chosen.kind, chosen.rule,
                                        chosen.period_start, published, chosen.parts)
        elif (not carried and not fled) or state_i or totalled:
            chosen = None
        elif parents is not None and parents[i] is not None and parents[i] < i \
                and not _undated_headline(canonical, periods[parents[i]], figures[parents[i]], told):
            whole = periods[parents[i]]
            periods.append(Period(whole.start, whole.end, whole.evidence, whole.rule))
            continue
        else:
            before = expressions[:bisect_left(starts, s_lo)]  # none of them holds the figure
            # a speaker's relative clause dates nothing after it
            latest = next((e for e in reversed(before) if e.end <= s_lo and id(e) not in dates_nothing_later), None)
            earlier = []
            if latest is not None:
                last = _sentence_of(latest.start, sentences)
                earlier = [e for e in before[bisect_left(starts, last[0]):]
                           if e.end <= s_lo and _sentence_of(e.start, sentences) == last and id(e) not in dates_nothing_later]
                if bisect_left(line_breaks, earlier[-1].end) < bisect_left(line_breaks, s_lo):  # asides of an earlier paragraph stay there
                    told = [e for e in earlier if not _aside(e, story_time)]
                    if not told and _background(last, figure_starts, story_time, s_lo) \
                            and not (g.war_words is not None and g.war_words.search(canonical, s_lo, s_hi)):
                        # an aside in a sentence that tells no count of its own ("recruits who had
                        # joined the course two weeks ago") is background: the story's time resumes,
                        # unless the figure's sentence names the war as a whole ("the conflict has
                        # killed thousands"): the war's toll, no day of the story
                        told = [story_time]
                    earlier = told
                earlier = [e for e in earlier if e.kind != "report"] or earlier
                # the day a source spoke dates its own words, not a later sentence's count
                if earlier and earlier[-1].kind == "report" and story_time is not None and story_time.kind != "report":
                    earlier = [story_time]
            chosen = earlier[-1] if earlier else None
        if chosen is not None and here and chosen.kind in RELATIVE_TO_NOW and breaks is not None:
            # "..., while an MP had said on Tuesday that 70 children had died": the since opened
            # before the break runs up to the day the figure's own clause was told
            chosen = _told_on(chosen, [e for e in near if e.kind == "report"], published, sentences, canonical, g.speaker_breaks,
                              (f_start, f_end))
        if chosen is None:
            periods.append(Period(None, None))
        elif chosen.kind == "same":
            previous = _same(periods, chosen.span)
            periods.append(Period(previous.start, previous.end, chosen.text, chosen.rule))
        elif chosen.kind == "date" and g.earlier_values is not None and periods and chosen.period_start is not None \
                and (earlier := periods[-1]).start is not None and earlier.end is not None \
                and earlier.start < chosen.period_start <= earlier.end and figures[i - 1][1] >= s_lo \
                and g.earlier_values.search(canonical, max(s_lo, f_start - 24), f_start):
            # "has reached about 370,000 since August 25, ..., up from 313,000 on Sunday": the
            # earlier value of a running count runs from its start up to its own day
            periods.append(Period(earlier.start, chosen.period_end, chosen.text, chosen.rule))
        elif fled and chosen.period_start is not None and published is not None and chosen.period_start <= published:
            periods.append(Period(chosen.period_start, published, chosen.text, chosen.rule))
        else:
            periods.append(Period(chosen.period_start, chosen.period_end, chosen.text, chosen.rule))
    return periods
