"""Find date expressions in canonical text and resolve them against a reference date.

All words come from the language pack's `dates.yaml` (month names in every naming system the
language uses, weekday names, relative days, year words); this module only knows the shapes
dates take: a day (in digits, or a day word: `months.day_words`) and a month (in the orders
the pack allows), a month and a year, a month
with a "this"/"past" word, ISO `YYYY-MM-DD`, an all-digit date in the pack's numeric order,
a weekday (optionally "Saturday-Sunday"), a relative day ("yesterday").

Finding is separate from resolving. `find_dates` returns `DateMention`s with what was
written (day, month, year, weekday, relative offset) and, when a reference date is given,
the days they cover (`first`, `last`). Resolution policies:

- a missing year is taken from the reference date, choosing the most recent date on or
  before it (`21 May` read on 2018-05-21 is 2018-05-21; `10 June` is 2017-06-10); a "this
  month" word keeps the reference year, a "past" word on the reference month means last year;
- a weekday is the most recent such day on or before the reference date; a weekday range
  ends on the most recent second day and starts on the first day just before it;
- a relative day is an offset from the reference date; one with no offset in the data
  ("the day after [an event]") is recognised and left unresolved;
- without a reference date only mentions with a written year resolve.

Impossible dates (`31 February 2016`) are dropped without degrading to a partial reading.
Adjacent mentions of different precision ("today, Sunday, 20 May") merge into one that takes
the most precise value. Offsets are half-open and canonical.

Example:
    >>> from datetime import date
    >>> from casualties.langpack import load_pack
    >>> pack = load_pack("en")
    >>> [m.first for m in find_dates(pack.canonical("since April 19"), pack, date(2018, 5, 21))]
    [datetime.date(2018, 4, 19)]
"""
from __future__ import annotations

import calendar
import functools
import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import NamedTuple

import ahocorasick
import regex

from .errors import DataFileError
from .langpack import LanguagePack, check_keys, shared_phrases, trie_regex
from .text import sentence_spans

MONTHS_KEYS = {
    "day_prefixes", "day_suffixes", "connectors", "this_month", "past_month", "numeric_order",
    "orders", "range_joiners", "names", "day_words", "day_word_blockers", "proclitics",
}
WEEKDAYS_KEYS = {"prefixes", "range_joiners", "future", "past", "names"}
YEAR_KEYS = {"id", "markers", "this_year", "last_year", "examples", "counterexamples"}
ENTRY_KEYS = {"id", "month", "weekday", "days", "forms", "blockers", "examples", "counterexamples"}
ORDERS = {"day_month", "month_day"}
NUMERIC_FIELDS = {"day", "month", "year"}
DEFAULT_WORD = r"[\p{L}\p{M}\p{N}_]"

# How precise a kind is; adjacent mentions of different precision merge into the most precise.
PRECISION = {"day": 3, "day_range": 3, "month": 2, "weekday": 2, "weekday_range": 2, "relative": 1}
# Days after the reference date a day written with its weekday may fall on when the weekday
# agrees with the reference year only ("declared Sunday, 24 March, a day of mourning"): an
# announced day, not the same date a year before.
ANNOUNCED_DAYS = 31


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression. `first`/`last` are the days it covers once resolved (else None).

    `parts` lists the data entries that built it (month, weekday, year words, relative day);
    `rule` is the most precise of them. `year` is set only when the year is written or named
    in digits; `year_word` keeps a named year ("this" / "last").
    """

    start: int
    end: int
    text: str
    kind: str
    rule: str
    parts: tuple[str, ...] = ()
    first: date | None = None
    last: date | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day_end: int | None = None
    weekday: int | None = None
    weekday_end: int | None = None
    offset: int | None = None
    year_word: str | None = None
    month_word: str | None = None
    valid: bool = field(default=True, compare=False)
    before: bool = False  # a weekday marked past ("last Sunday") is never the reference day itself

    @property
    def resolved(self) -> bool:
        return self.first is not None

    @property
    def explicit_year(self) -> bool:
        return self.year is not None


class DatePattern(NamedTuple):
    kind: str
    pattern: regex.Pattern
    month_forms: dict
    weekday_forms: dict
    required: tuple  # groups of words; a match holds one word of each
    starts: tuple | None  # the words a match begins with, if worth trying only there
    back: int  # how far before one of them the match may begin (a proclitic)
    needs: frozenset = frozenset()  # `required`'s groups, numbered by the grammar's GroupIndex


@dataclass(frozen=True)
class DateGrammar:
    """The compiled date data of one pack (built once per pack by `grammar`)."""

    patterns: tuple
    month_ids: dict
    weekday_ids: dict
    relative: dict
    blockers: dict
    future_before: regex.Pattern
    future_after: regex.Pattern
    numeric_order: tuple
    year_words_id: str
    words: ahocorasick.Automaton  # the patterns' required and start words
    groups: GroupIndex = None  # the patterns' required groups, numbered
    month_forms: dict = field(default_factory=dict)  # canonical month name -> (month number, entry id)
    day_words: dict = field(default_factory=dict)  # a day written as a word ("the seventh of") -> its number
    day_words_id: str = ""  # the part a date read from a day word carries (its blockers: "the first week of")
    past_before: regex.Pattern | None = None  # "last Sunday": the weekday before the reference day's
    past_after: regex.Pattern | None = None


def grammar(pack: LanguagePack) -> DateGrammar:
    """The pack's compiled date grammar (cached on the pack)."""
    return pack.compiled("dates.grammar", _compile)


def words(pack: LanguagePack, items) -> list[str]:
    """Canonical forms of a list of natural-spelling words (empty items dropped)."""
    return [c for c in (pack.canonical(str(w)).strip() for w in items or []) if c]


def _entries(pack: LanguagePack, path, section: str, items, value_key: str | None) -> list[dict]:
    out = []
    for i, entry in enumerate(items or []):
        where = f"{section}[{i}]"
        check_keys(path, where, entry, ENTRY_KEYS)
        if not entry.get("id"):
            raise DataFileError(path, where, "entry needs an id")
        where = f"{section}[{i}] ({entry['id']})"
        if not entry.get("forms"):
            raise DataFileError(path, where, "entry needs forms")
        if not entry.get("examples") or not entry.get("counterexamples"):
            raise DataFileError(path, where, "every entry needs examples and counterexamples")
        if value_key and value_key not in entry:
            raise DataFileError(path, where, f"entry needs {value_key!r}")
        out.append(entry)
    return out


def _compile(pack: LanguagePack) -> DateGrammar:
    path = pack.path_of("dates")
    months = pack.section("dates", "months", {}) or {}
    weekdays = pack.section("dates", "weekdays", {}) or {}
    years = pack.section("dates", "year_words", {}) or {}
    check_keys(path, "months", months, MONTHS_KEYS)
    check_keys(path, "weekdays", weekdays, WEEKDAYS_KEYS)
    check_keys(path, "year_words", years, YEAR_KEYS)
    orders = months.get("orders") or ["day_month"]
    if set(orders) - ORDERS:
        raise DataFileError(path, "months.orders", f"unknown order(s) {sorted(set(orders) - ORDERS)}; allowed: {sorted(ORDERS)}")
    numeric = tuple(months.get("numeric_order") or ())
    if numeric and (len(numeric) != 3 or set(numeric) != NUMERIC_FIELDS):
        raise DataFileError(path, "months.numeric_order", "must name day, month and year once each")

    word = pack.section("morphology", "word_chars", DEFAULT_WORD) or DEFAULT_WORD
    proclitic_words = words(pack, pack.section("morphology", "proclitics", []))
    proclitics = trie_regex(proclitic_words)
    longest_proclitic = max(map(len, proclitic_words), default=0)
    left, right = f"(?<!{word})", f"(?!{word})"

    month_forms, month_ids, blockers = {}, {}, {}
    for entry in _entries(pack, path, "months.names", months.get("names"), "month"):
        if not 1 <= int(entry["month"]) <= 12:
            raise DataFileError(path, f"months.names ({entry['id']})", "month must be 1..12")
        month_ids.setdefault(int(entry["month"]), entry["id"])
        for form in words(pack, entry["forms"]):
            month_forms[form] = (int(entry["month"]), entry["id"])
        _add_blockers(pack, blockers, entry, left, right)
    weekday_forms, weekday_ids = {}, {}
    for entry in _entries(pack, path, "weekdays.names", weekdays.get("names"), "weekday"):
        if not 0 <= int(entry["weekday"]) <= 6:
            raise DataFileError(path, f"weekdays.names ({entry['id']})", "weekday must be 0 (Monday)..6 (Sunday)")
        weekday_ids[int(entry["weekday"])] = entry["id"]
        for form in words(pack, entry["forms"]):
            weekday_forms[form] = (int(entry["weekday"]), entry["id"])
        _add_blockers(pack, blockers, entry, left, right)
    relative = {}
    for entry in _entries(pack, path, "relative_days", pack.section("dates", "relative_days", []), "days"):
        for form in words(pack, entry["forms"]):
            relative[form] = (entry["days"], entry["id"])
        _add_blockers(pack, blockers, entry, left, right)

    def alt(key_words):
        return trie_regex(key_words)

    day_pre = alt(words(pack, months.get("day_prefixes")))
    day_suf = alt(words(pack, months.get("day_suffixes")))
    conn = alt(words(pack, months.get("connectors")))
    this_m = alt(words(pack, months.get("this_month")))
    past_m = alt(words(pack, months.get("past_month")))
    range_j = alt(words(pack, months.get("range_joiners")))
    mark = alt(words(pack, years.get("markers")))
    this_y = alt(words(pack, years.get("this_year")))
    last_y = alt(words(pack, years.get("last_year")))
    mon = trie_regex(month_forms)
    day_words = {}
    for i, entry in enumerate(months.get("day_words") or []):
        check_keys(path, f"months.day_words[{i}]", entry, {"day", "forms"})
        if not 1 <= int(entry.get("day") or 0) <= 31:
            raise DataFileError(path, f"months.day_words[{i}]", "day must be 1..31")
        for form in words(pack, entry.get("forms")):
            day_words[form] = int(entry["day"])
    day_trie = trie_regex(day_words) if day_words else ""
    day_word = rf"|{left}(?P<dayw>{day_trie}){right}" if day_words else ""
    day_words_id = f"{pack.code}.day_words"
    _add_blockers(pack, blockers, {"id": day_words_id, "blockers": months.get("day_word_blockers")}, left, right)

    day = (
        rf"(?:(?:{left}(?:{day_pre})\s*)?(?:(?<!\d)|(?<=\p{{L}}\d{{1,6}}))(?P<day>\d{{1,2}})(?!\d)(?:(?:{day_suf}){right})?"
        rf"{day_word})"
    )
    # the range's last day in digits or a day word ("the first and the seventh of March"): after a joiner, which
    # may be glued to it, so with no left boundary of its own
    day_word2 = rf"|(?P<dayw2>{day_trie}){right}" if day_words else ""
    days = rf"{day}(?:\s*(?:{range_j})\s*(?:(?P<day2>\d{{1,2}})(?!\d)(?:(?:{day_suf}){right})?{day_word2}))?"
    months_re = rf"(?P<mon>{mon}){right}(?:\s*[/(\-]\s*(?P<mon>{mon}){right})*+(?:\s*\))?"
    modifier = rf"\s+(?:(?P<this_m>{this_m})|(?P<past_m>{past_m})){right}"
    year_named = rf"(?:(?P<this_y>{this_y})|(?P<last_y>{last_y})){right}"
    year_part = (
        rf"(?:\s*,?\s*(?:(?:{conn})\s+)?(?:{year_named}\s*)?(?:(?P<mark>{mark})\s*)?(?P<year>(?:19|20)\d\d)(?!\d)"
        rf"|\s*,?\s*(?:(?:{conn})\s+)?{year_named})"
    )
    def firsts(phrases) -> tuple[str, ...]:
        return tuple(sorted({p.split()[0] for p in phrases if p.split()}))

    # Each pattern with the words every match begins with (after a proclitic, up to `back`
    # characters, for the kinds that take one); None where scanning beats trying at each digit.
    # a conjunction glued to a month that begins a date ("in July and-August 2023")
    month_pre_words = words(pack, months.get("proclitics"))
    month_pre = rf"(?:{alt(month_pre_words)})??\K" if month_pre_words else ""
    months_first, no_starts = (firsts(month_forms), max(map(len, month_pre_words), default=0)), (None, 0)
    # A day-month date holds a month name with only its day's and connectors' characters before
    # it, from a digit, a day prefix or a day word on.
    lead_words = words(pack, months.get("day_prefixes")) + list(day_words)
    lead_chars = "".join(sorted(set("".join(lead_words + words(pack, months.get("day_suffixes"))
                                          + words(pack, months.get("connectors"))
                                          + words(pack, months.get("range_joiners"))))))
    day_first = (AnchoredStarts(tuple(month_forms), _lead(r"\s\d" + regex.escape(lead_chars, special_only=False)),
                                regex.compile(rf"\d|{left}(?:{trie_regex(lead_words)})", regex.V1)), 0)
    digits_first = {sep: (AnchoredStarts(sep, _lead(r"\d"), regex.compile(r"\d", regex.V1)), 0)
                    for sep in (("-",), ("/", "."))}
    patterns = []
    if "day_month" in orders:
        patterns.append(("day", rf"{days}\s*(?:(?:{conn})\s+)?{months_re}(?:{modifier})?(?:{year_part})?", day_first))
    if "month_day" in orders:
        patterns.append(("day", rf"{left}{months_re}\s*{days}(?:{year_part})?", months_first))
    patterns.append(("month", rf"{left}{month_pre}{months_re}(?:(?:{modifier})?{year_part}|{modifier})", months_first))
    patterns.append(("iso", r"(?<![\d\-])(?P<year>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<day>\d{1,2})(?![\d\-])", digits_first[("-",)]))
    if numeric:
        patterns.append(("numeric", r"(?<![\d/.])(?P<a>\d{1,4})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})(?![\d/])",
                         digits_first[("/", ".")]))
    wd = trie_regex(weekday_forms)
    w_pre = alt(words(pack, weekdays.get("prefixes")))
    w_join = alt(words(pack, weekdays.get("range_joiners")))
    patterns.append((
        "weekday",
        rf"{left}(?:{proclitics})??\K(?:(?:{w_pre})\s+){{0,2}}(?:{proclitics})?(?P<wd>{wd}){right}"
        rf"(?:\s*(?:{w_join})\s*(?:{proclitics})?(?P<wd2>{wd}){right})?",
        (firsts(list(weekday_forms) + words(pack, weekdays.get("prefixes"))), longest_proclitic),
    ))
    patterns.append((
        "relative", rf"{left}(?:{proclitics})??\K(?P<rel>{trie_regex(relative)}){right}", (firsts(relative), longest_proclitic),
    ))
    future = alt(words(pack, weekdays.get("future")))
    past = alt(words(pack, weekdays.get("past")))
    # A date of each kind holds one of these strings: the scanner skips sentences without any.
    # A month name stands whole: a digit or a space may come before it, no letter either side.
    required = {
        "day": (WholeWords(month_forms),), "month": (WholeWords(month_forms),), "iso": (("-",),), "numeric": (("/", "."),),
        "weekday": (tuple(weekday_forms),), "relative": (tuple(relative),),
    }
    index = GroupIndex()
    compiled = []
    for kind, body, (starts, back) in patterns:
        groups, needs = index.add(required[kind])
        compiled.append(DatePattern(kind, regex.compile(body, regex.V1), month_forms, weekday_forms, groups, index.share(starts),
                                    back, needs))
    compiled = tuple(compiled)
    return DateGrammar(
        patterns=compiled,
        month_ids=month_ids,
        weekday_ids=weekday_ids,
        relative=relative,
        blockers=blockers,
        future_before=regex.compile(rf"{left}(?:{future})\s+\Z", regex.V1),
        future_after=regex.compile(rf"\s+(?:{future}){right}", regex.V1),
        past_before=regex.compile(rf"{left}(?:{past})\s+\Z", regex.V1),
        past_after=regex.compile(rf"\s+(?:{past}){right}", regex.V1),
        numeric_order=numeric,
        year_words_id=str(years.get("id") or f"{pack.code}.year_words"),
        words=word_automaton([group for p in compiled for group in p.required]
                             + [p.starts.anchors if isinstance(p.starts, AnchoredStarts) else p.starts for p in compiled]),
        groups=index,
        month_forms=month_forms,
        day_words=day_words,
        day_words_id=day_words_id,
    )


def _add_blockers(pack, blockers: dict, entry: dict, left: str, right: str) -> None:
    forms = words(pack, entry.get("blockers"))
    if forms:
        blockers[entry["id"]] = regex.compile(rf"{left}(?:{trie_regex(forms)}){right}", regex.V1)


class WholeWords(tuple):
    """A group of required words that stand whole wherever a match holds them (no letter
    before, no letter or digit after): the scanner skips their occurrences inside longer words
    ("Aug" in "Augsburg")."""

    __slots__ = ()


# Words this short ("of", "in", "on") occur everywhere: the automaton would report each of their
# many places; they are looked for with str.find, only where a window needs them.
SHORT_WORD = 3


# A pattern whose candidate sentence pairs number at least one in DENSE of the sentences scans
# the whole text.
DENSE = 3


class RunStarts(tuple):
    """Start characters that each stand for a run of themselves (a masked date): a pattern
    that begins with such a run is tried at the run's first character only, not at each."""

    __slots__ = ()


class LeadRunStarts(RunStarts):
    """Start characters of runs (a masked date) that optional words may come before: a match
    begins inside such a run, or in the run of `lead` characters (the words' letters, spaces;
    a REVERSE character class run) right before it. Tried only there, each match found takes
    its text as `pattern.finditer` takes it, also one that `accept` drops. `wordy`: the lead
    characters of the pattern's word class, after which its left boundary lets no match begin."""

    def __new__(cls, chars, lead, wordy=frozenset()):
        self = super().__new__(cls, chars)
        self.lead, self.wordy = lead, wordy
        return self

    def __reduce__(self):
        return LeadRunStarts, (tuple(self), self.lead, self.wordy)


class AnchoredStarts(NamedTuple):
    """Where a pattern without start words may begin: every match holds one of `anchors`, and
    from its start up to the first anchor it holds only characters of `lead` (a character class
    run compiled right to left), so it begins in the run of those characters right before an
    anchor, at a place `finder` matches. The pattern is tried there (found with overlaps, no
    proclitic, no word boundary asked) instead of at every character of a window."""

    anchors: tuple
    lead: regex.Pattern
    finder: regex.Pattern


def _lead(char_class: str) -> regex.Pattern:
    return regex.compile(f"[{char_class}]*", regex.V1 | regex.REVERSE)


class GroupIndex:
    """Required-word groups, one object and one number per distinct group, with the groups
    each word belongs to. Patterns hold the shared objects, so a scanner's per-text lookup of a
    group's words (kept by identity) serves every pattern that lists it; a text's held groups
    (`SentenceScanner.held`) are found once from its words, and a pattern whose `needs` are
    not all held is skipped without looking further."""

    __slots__ = ("_numbers", "groups", "groups_of", "short_words")

    def __init__(self):
        self._numbers: dict = {}  # (type, group) -> its number
        self.groups: list[tuple] = []  # number -> the shared group
        self.groups_of: dict[str, tuple[int, ...]] = {}
        self.short_words: list[str] = []

    def add(self, required: tuple) -> tuple[tuple, frozenset[int]]:
        """`required` with each group replaced by the shared equal one, and their numbers."""
        numbers = []
        for group in required:
            key = (type(group), group)
            number = self._numbers.get(key)
            if number is None:
                number = self._numbers[key] = len(self.groups)
                self.groups.append(group)
                for word in set(group):
                    if word not in self.groups_of and len(word) <= SHORT_WORD:
                        self.short_words.append(word)
                    self.groups_of[word] = (*self.groups_of.get(word, ()), number)
            numbers.append(number)
        return tuple(self.groups[n] for n in numbers), frozenset(numbers)

    def share(self, starts):
        """Start words (a tuple, or `AnchoredStarts`' anchors) as a group of the index, the
        shared object: `SentenceScanner.held` then finds the ones in a text with the rest."""
        if type(starts) is tuple:
            return self.add((starts,))[0][0]
        if isinstance(starts, AnchoredStarts):
            return starts._replace(anchors=self.share(starts.anchors))
        return starts


def word_automaton(word_groups) -> ahocorasick.Automaton:
    """An automaton of the longer words in `word_groups` (required words and start words), for
    `SentenceScanner` to find all their places in one pass."""
    automaton = ahocorasick.Automaton()
    for group in word_groups:
        for word in group or ():
            if len(word) > SHORT_WORD:
                automaton.add_word(word, word)
    if len(automaton):
        automaton.make_automaton()
    return automaton


@functools.lru_cache(maxsize=None)
def _run_of(char: str) -> regex.Pattern:
    """A run of `char` (compiled once: the regex module's own cache costs a lookup per call)."""
    return regex.compile(regex.escape(char) + "+")


@functools.lru_cache(maxsize=None)
def _after_no_alnum(word: str) -> re.Pattern:
    """`word` where no letter or digit (str.isalnum, which is the standard engine's [^\\W_])
    stands before it (the literal first: the engine skips ahead to it)."""
    return re.compile(f"{re.escape(word)}(?<![^\\W_]{re.escape(word)})")


class SentenceScanner:
    """Runs patterns over only the parts of one text that hold their required words.

    A date or period expression lies within two neighbouring sentences (the period of an
    abbreviation can end a "sentence" inside one: "Feb. 14"). So a pattern whose every match
    holds a word of each `required` group scans only the sentence pairs that hold one of each,
    merged where they overlap. Each group's sentences are one bit mask (bit k: sentence k), so
    the pairs that hold every group are a few integer operations. `words` (from
    `word_automaton`) finds the places of every longer word in one pass; short words are found
    by str.find when needed.
    """

    __slots__ = ("text", "spans", "_starts", "_at", "_where", "_groups", "_masks", "_tries", "_word_tries", "_runs",
                 "_held", "_pieces", "_short")

    def __init__(self, text: str, spans, words: ahocorasick.Automaton, hits=None):
        """`hits`: the (last character, word) pairs `words.iter(text)` gives, when known (the
        pack's shared pass, `langpack.shared_phrases`)."""
        self.text = text
        self.spans = tuple(spans)
        self._starts = [start for start, _ in self.spans]
        self._at: dict[str, list[int]] = {}  # longer word -> where it begins, in order
        if len(words):
            at = self._at
            for last, word in (words.iter(text) if hits is None else hits):
                first = last + 1 - len(word)
                if word in at:
                    at[word].append(first)
                else:
                    at[word] = [first]
        self._where: dict[tuple[str, bool], int] = {}  # (word, whole) -> its sentences' bit mask
        self._groups: dict[int, tuple] = {}  # id(group) -> (group, its words in the text)
        self._masks: dict[int, tuple] = {}  # id(group) -> (group, its sentences' bit mask)
        self._tries: dict[tuple, list[int]] = {}  # (start words, back) -> where a match may begin
        self._word_tries: dict[tuple, list[int]] = {}  # (start word, back) -> where a match may begin
        self._runs: dict[str, list[int]] = {}  # character -> where each run of it begins
        self._held: tuple | None = None  # (index, the numbers of its groups the text holds)
        self._pieces: list[str] | None = None  # the sentences' texts
        self._short: dict[str, bool] = {}  # short word -> whether the text holds it (anywhere)

    def held(self, index: GroupIndex) -> frozenset[int]:
        """The numbers of `index`'s groups with a word in the text (anywhere, whole or not)."""
        if self._held is None or self._held[0] is not index:
            groups_of, text, held = index.groups_of, self.text, {}
            present = [word for word in self._at if word in groups_of]
            short = self._short
            for word in index.short_words:
                found = short.get(word)
                if found is None:
                    found = short[word] = word in text
                if found:
                    present.append(word)
            # each held group's words in the text, gathered from the words found: `_occurring`
            # of a group (each of its words looked up) is then already known (order is free:
            # every use of it takes a union)
            for word in present:
                for number in groups_of[word]:
                    if number in held:
                        held[number].append(word)
                    else:
                        held[number] = [word]
            groups, occurring = index.groups, self._groups
            for number, found in held.items():
                group = groups[number]
                occurring[id(group)] = (group, found)
            self._held = (index, frozenset(held))
        return self._held[1]

    def _stands_whole(self, at: int, size: int) -> bool:
        text = self.text
        return not (at and text[at - 1].isalpha() or text[at + size:at + size + 1].isalnum())

    def _find_all(self, word: str, lo: int, hi: int):
        find, at = self.text.find, self.text.find(word, lo, hi)
        while at >= 0:
            yield at
            at = find(word, at + 1, hi)

    def _sentences_with(self, word: str, whole: bool) -> int:
        """The sentences that hold `word` (whole, if asked), as a bit mask: bit k is sentence k.
        Once a sentence holds it, the search goes on from the next sentence."""
        mask = self._where.get((word, whole))
        if mask is None:
            size, starts, mask, count = len(word), self._starts, 0, len(self._starts)
            if size <= SHORT_WORD and not whole and not any(char.isspace() for char in word):
                # a short word is in most sentences ("in", "the"): a test per sentence costs less
                # than a search and a bisection per sentence that has it; sentences are parted by
                # spaces only, so no place of a word without one is outside them
                pieces = self._pieces
                if pieces is None:
                    text = self.text
                    pieces = self._pieces = [text[lo:hi] for lo, hi in self.spans]
                bit = 1
                for piece in pieces:
                    if word in piece:
                        mask |= bit
                    bit <<= 1
            elif size <= SHORT_WORD:
                find = self.text.find
                at = find(word)
                while at >= 0:
                    if whole and not self._stands_whole(at, size):
                        at = find(word, at + 1)
                        continue
                    k = max(0, bisect_right(starts, at) - 1)
                    mask |= 1 << k
                    if k + 1 >= count:
                        break
                    at = find(word, starts[k + 1])
            else:
                # the same walk over the automaton's places (inlined: this loop is hot, and a
                # shared next-place helper cost 1.7% of find_time_expressions)
                places, i = self._at.get(word, ()), 0
                while i < len(places):
                    at = places[i]
                    if whole and not self._stands_whole(at, size):
                        i += 1
                        continue
                    k = max(0, bisect_right(starts, at) - 1)
                    mask |= 1 << k
                    if k + 1 >= count:
                        break
                    i = bisect_left(places, starts[k + 1], i + 1)
            self._where[(word, whole)] = mask
        return mask

    def _group_mask(self, group) -> int:
        """The sentences that hold a word of `group` (cached by identity, like `_occurring`)."""
        cached = self._masks.get(id(group))
        if cached is None or cached[0] is not group:
            whole, mask = isinstance(group, WholeWords), 0
            for word in self._occurring(group):
                mask |= self._sentences_with(word, whole)
            cached = self._masks[id(group)] = (group, mask)
        return cached[1]

    def _places(self, word: str, lo: int, hi: int):
        """Where `word` begins and ends within [lo, hi)."""
        if len(word) <= SHORT_WORD:
            yield from self._find_all(word, lo, hi)
            return
        places = self._at.get(word)
        if places:
            size = len(word)
            for i in range(bisect_left(places, lo), len(places)):
                if places[i] + size > hi:
                    break
                yield places[i]

    def _run_starts(self, char: str, lo: int, hi: int) -> list[int]:
        """Where runs of `char` begin within [lo, hi) (a run cut by `lo` begins there)."""
        runs = self._runs.get(char)
        if runs is None:
            runs = self._runs[char] = [m.start() for m in _run_of(char).finditer(self.text)]
        found = runs[bisect_left(runs, lo):bisect_left(runs, hi)]
        if lo < len(self.text) and self.text[lo] == char and (not found or found[0] != lo):
            found.insert(0, lo)
        return found

    def _occurring(self, group) -> list[str]:
        """The group's words that occur in the text (cached by identity: groups live in grammars)."""
        cached = self._groups.get(id(group))
        if cached is None or cached[0] is not group:
            at, text, short, found = self._at, self.text, self._short, []
            for word in group:
                if len(word) > SHORT_WORD:
                    if word in at:
                        found.append(word)
                else:
                    held = short.get(word)
                    if held is None:
                        held = short[word] = word in text
                    if held:
                        found.append(word)
            cached = self._groups[id(group)] = (group, found)
        return cached[1]

    def _may_end(self, ends, lo: int, hi: int) -> bool:
        words, backward = ends
        return any(backward.match(self.text, lo, at + len(word)) for word in words for at in self._places(word, lo, hi))

    def windows(self, required: tuple[tuple[str, ...], ...]) -> list[tuple[int, int]]:
        """Half-open ranges to scan: sentence pairs (k, k+1) with a word of every group."""
        spans = self.spans
        if not spans:
            return []
        if not required:
            return [(spans[0][0], spans[-1][1])]
        pairs = (1 << len(spans)) - 1  # bit k: the pair of sentences k and k+1
        for group in required:
            mask = self._group_mask(group)
            pairs &= mask | (mask >> 1)
            if not pairs:
                return []
        if pairs.bit_count() * DENSE >= len(spans):
            # Most pairs qualify: one scan of the whole text costs less than one per pair
            # (a match lies within two sentences either way).
            return [(spans[0][0], spans[-1][1])]
        last, out = len(spans) - 1, []
        while pairs:
            low = pairs & -pairs
            pairs ^= low
            k = low.bit_length() - 1
            lo, hi = spans[k][0], spans[min(k + 1, last)][1]
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
        return out

    def _start_places(self, starts: tuple[str, ...], back: int) -> list[int]:
        """Where a match may begin in the whole text: at most `back` characters before a start
        word, not right after a letter or a digit (cached: patterns share their first words).
        A place whose word runs past a window's end gives no match there, so one list serves
        every window."""
        if len(starts) == 1:
            return self._word_starts(starts[0], back)
        key = (starts, back)
        places = self._tries.get(key)
        if places is None:
            # first words: a phrase's later words may be spaced otherwise; only those in the text
            # (a month or weekday pattern has dozens, most absent: each absent one had a lookup)
            places = self._tries[key] = sorted({p for word in self._occurring(starts) for p in self._word_starts(word, back)})
        return places

    def _word_starts(self, word: str, back: int) -> list[int]:
        """`_start_places` of one start word, in order, each once (cached: cues share their
        first words)."""
        key = (word, back)
        places = self._word_tries.get(key)
        if places is None:
            text, size, places = self.text, len(word), []
            if back == 0 and len(word) <= SHORT_WORD and word.isalnum():
                # no proclitic: only a place after no letter or digit can begin a match, and a
                # regex finds those of a short word ("in", "on") without visiting its every place
                found = [m.start() for m in _after_no_alnum(word).finditer(text)]
            elif size <= SHORT_WORD:
                found = self._find_all(word, 0, len(text))
            else:
                found = self._at.get(word, ())
            last = -1
            for at in found:
                if text[at + size:at + size + 1].isalpha():
                    continue  # a start word is whole: "dec" in "declared" begins no match
                # where its word begins (_match_start), at most `back` characters before it
                p, lowest = at, max(0, at - back)
                while p > lowest and text[p - 1].isalnum():
                    p -= 1
                if p > last and not (p and text[p - 1].isalnum()):
                    places.append(p)  # places of one word come in order; two in one word begin one match
                    last = p
            self._word_tries[key] = places
        return places

    def _anchored_places(self, starts: AnchoredStarts, lo: int, hi: int) -> list[int]:
        """Where a match of an `AnchoredStarts` pattern may begin within [lo, hi), in order."""
        text, places = self.text, set()
        lead, finder = starts.lead.match, starts.finder.finditer
        for word in self._occurring(starts.anchors):
            for at in self._places(word, lo, hi):
                begin = lead(text, lo, at).start()
                if begin < at:
                    places.update(m.start() for m in finder(text, begin, at, overlapped=True))
        return sorted(places)

    def _lead_places(self, starts: LeadRunStarts, lo: int, hi: int) -> list[int]:
        """Where a match of a `LeadRunStarts` pattern may begin within [lo, hi), in order: each
        place of the lead run right before a run of a start character but those after a word
        character, the run's first place and its second. A match that begins further inside
        the run begins at its second place too (what comes before the run matches nothing
        there, and the run's end is free), so the leftmost one is found there."""
        text, lead, wordy, places = self.text, starts.lead.match, starts.wordy, set()
        for char in starts:
            for at in self._run_starts(char, lo, hi):
                begin = lead(text, lo, at).start()
                places.add(begin)
                places.update(p for p in range(begin + 1, min(at + 2, hi)) if text[p - 1] not in wordy)
        return sorted(places)

    def _match_start(self, at: int, back: int, floor: int) -> int | None:
        """Where a match holding a start word (or run) at `at` begins: the start of the word
        holding it, a proclitic of at most `back` letters glued before it, not before `floor`;
        None when a letter or digit stands before that (a match begins at a word boundary)."""
        text, p, lowest = self.text, at, max(floor, at - back)
        while p > lowest and text[p - 1].isalnum():
            p -= 1
        return None if p and text[p - 1].isalnum() else p

    def finditer(self, pattern, required, starts: tuple[str, ...] | None = None, back: int = 0, ends=None, accept=None):
        """`pattern.finditer` over the windows. With `starts`, the words every match begins
        with, found up to `back` characters after where the match attempt begins (a
        proclitic), the pattern is tried only there: the same matches, without paying the
        engine's cost at every position. Such a pattern begins at a word boundary, so it is
        never tried right after a letter or a digit. Without them, `ends` may give the words
        every match ends with and the pattern (its part after any proclitic) compiled right to
        left: a window is scanned only if that matches, in one attempt, at one of those words.
        `starts` may also be `AnchoredStarts`, which says where a match may begin otherwise, or
        `LeadRunStarts` (with `ends` as without starts), tried as `pattern.finditer` finds.
        `accept(match)` False drops a match (a blocker's): a later start inside it is still tried."""
        text = self.text
        for lo, hi in self.windows(required):
            if starts is None:
                if ends is None or self._may_end(ends, lo, hi):
                    for match in pattern.finditer(text, lo, hi):
                        if accept is None or accept(match):
                            yield match
                continue
            if isinstance(starts, LeadRunStarts):
                if ends is not None and not self._may_end(ends, lo, hi):
                    continue
                # every place a match may begin, in order: the matches of pattern.finditer
                reached = lo
                for at in self._lead_places(starts, lo, hi):
                    if at >= reached:
                        match = pattern.match(text, at, hi)
                        if match is not None:
                            reached = match.end()
                            if accept is None or accept(match):
                                yield match
                continue
            if isinstance(starts, AnchoredStarts):
                tries = self._anchored_places(starts, lo, hi)
            elif isinstance(starts, RunStarts):
                tries = sorted({p for char in starts for at in self._run_starts(char, lo, hi)
                                if (p := self._match_start(at, back, lo)) is not None})
            else:
                tries = self._start_places(starts, back)
                tries = tries[bisect_left(tries, lo):bisect_left(tries, hi)]
            reached = lo
            for at in tries:
                if at >= reached:
                    match = pattern.match(text, at, hi)
                    if match is not None and match.end() > at and (accept is None or accept(match)):
                        yield match
                        reached = match.end()


def find_dates(canonical: str, pack: LanguagePack, reference: date | None = None) -> list[DateMention]:
    """Date mentions in `canonical` text, in text order, non-overlapping, resolved against
    `reference` (the publication date) when given.

    >>> from casualties.langpack import load_pack
    >>> pack = load_pack("en")
    >>> m = find_dates(pack.canonical("on 21 May 2018"), pack)[0]
    >>> (m.start, m.end, m.first)
    (3, 14, datetime.date(2018, 5, 21))
    """
    g = grammar(pack)
    hits = shared_phrases(pack).iter(g.words, canonical) if len(g.words) else ()
    scanner = SentenceScanner(canonical, sentence_spans(canonical), g.words, hits)
    candidates = []
    held = scanner.held(g.groups)
    for kind, pattern, month_forms, weekday_forms, required, starts, back, needs in g.patterns:
        if not needs <= held:
            continue
        for m in scanner.finditer(pattern, required, starts, back):
            mention = _read(kind, m, g, month_forms, weekday_forms, canonical)
            if mention is not None:
                candidates.append(mention)
    chosen = _select(candidates)
    chosen = [c for c in chosen if c.valid and not _blocked(c, canonical, g)]
    merged = _merge(chosen, canonical)
    return [resolve(m, reference) for m in merged]


def _read(kind, m, g: DateGrammar, month_forms, weekday_forms, text) -> DateMention | None:
    start, end = m.span()
    if end <= start:
        return None
    base = dict(start=start, end=end, text=text[start:end])
    if kind in ("day", "month"):
        names = m.captures("mon")
        month, rule = month_forms[names[0]]
        parts = [rule]
        year = int(m.group("year")) if m.group("year") else None
        year_word = "this" if m.group("this_y") else "last" if m.group("last_y") else None
        if year_word or m.group("mark"):
            parts.append(g.year_words_id)
        month_word = None
        named = m.re.groupindex  # the pattern's named groups (m.groupdict() would build a dict of all of them)
        if "this_m" in named:
            month_word = "this" if m.group("this_m") else "past" if m.group("past_m") else None
        if kind == "month":
            return DateMention(kind="month", rule=rule, parts=tuple(parts), year=year, month=month,
                               year_word=year_word, month_word=month_word, **base)
        day = int(m.group("day")) if m.group("day") else g.day_words[m.group("dayw")]
        day_end = int(m.group("day2")) if m.group("day2") else g.day_words[m.group("dayw2")] if "dayw2" in named and m.group("dayw2") else None
        if not m.group("day"):
            parts.append(g.day_words_id)
        return DateMention(
            kind="day_range" if day_end else "day", rule=rule, parts=tuple(parts), year=year, month=month,
            day=day, day_end=day_end, year_word=year_word, month_word=month_word,
            valid=_valid(year, month, day, day_end), **base,
        )
    if kind in ("iso", "numeric"):
        if kind == "iso":
            year, month, day = int(m.group("year")), int(m.group("m")), int(m.group("day"))
        else:
            values = dict(zip(g.numeric_order, (m.group("a"), m.group("b"), m.group("c"))))
            if len(values["year"]) != 4 or len(values["day"]) > 2 or len(values["month"]) > 2:
                return None
            year, month, day = int(values["year"]), int(values["month"]), int(values["day"])
            if not 1900 <= year <= 2099:
                return None
        rule = g.month_ids.get(month, "")
        return DateMention(kind="day", rule=rule, parts=(rule,) if rule else (), year=year, month=month, day=day,
                           valid=bool(rule) and _valid(year, month, day, None), **base)
    if kind == "weekday":
        first, rule = weekday_forms[m.group("wd")]
        parts = [rule]
        second = None
        if m.group("wd2"):
            second, rule2 = weekday_forms[m.group("wd2")]
            parts.append(rule2)
        if g.future_after.match(text, end) or g.future_before.search(text[max(0, start - 40):start]):
            return None
        # "last Friday" ("Friday last") is one date: a cue told around it ("said ... that") takes it whole
        past_after = g.past_after.match(text, end)
        past_before = None if past_after else g.past_before.search(text, max(0, start - 40), start)
        if past_after:
            base.update(end=past_after.end(), text=text[start:past_after.end()])
        elif past_before:
            base.update(start=past_before.start(), text=text[past_before.start():end])
        before = bool(past_after or past_before)
        return DateMention(
            kind="weekday_range" if second is not None else "weekday", rule=rule, parts=tuple(dict.fromkeys(parts)),
            weekday=first, weekday_end=second, before=before, **base,
        )
    days, rule = g.relative[m.group("rel")]
    return DateMention(kind="relative", rule=rule, parts=(rule,), offset=None if days is None else int(days), **base)


def _valid(year: int | None, month: int, day: int, day_end: int | None) -> bool:
    last = calendar.monthrange(year or 2000, month)[1]  # 2000 is a leap year: 29 February may stand alone
    if not 1 <= day <= last:
        return False
    return day_end is None or day < day_end <= last


def longest_apart(items: list, span) -> list:
    """The items, longest first then leftmost, that overlap none taken before them, in the order
    taken; `span(item)` is its (start, end). The taken spans are kept in text order (they never
    overlap), so each item is checked against one neighbour, not against all taken so far."""
    taken, spans = [], []
    for item in sorted(items, key=lambda item: (span(item)[0] - span(item)[1], span(item)[0])):
        start, end = span(item)
        k = bisect_left(spans, (end,))  # the taken spans starting before the item ends
        if k == 0 or spans[k - 1][1] <= start:
            taken.append(item)
            insort(spans, (start, end))
    return taken


def _select(candidates: list[DateMention]) -> list[DateMention]:
    """Longest first, then leftmost; an invalid reading still occupies its span."""
    return sorted(longest_apart(candidates, lambda c: (c.start, c.end)), key=lambda c: c.start)


def _blocked(m: DateMention, text: str, g: DateGrammar) -> bool:
    for part in m.parts:
        pattern = g.blockers.get(part)
        if pattern is None:
            continue
        lo = max(0, m.start - 60)
        for b in pattern.finditer(text, lo, min(len(text), m.end + 60)):
            if b.start() < m.end and b.end() > m.start:
                return True
    return False


GAP = regex.compile(r"[\s,]*")


def _merge(mentions: list[DateMention], text: str) -> list[DateMention]:
    out: list[DateMention] = []
    for m in mentions:
        if out:
            prev = out[-1]
            if (
                PRECISION[prev.kind] != PRECISION[m.kind]
                and GAP.fullmatch(text, prev.end, m.start)
            ):
                best = m if PRECISION[m.kind] > PRECISION[prev.kind] else prev
                other = prev if best is m else m
                parts = tuple(dict.fromkeys(best.parts + prev.parts + m.parts))
                weekday = best.weekday
                if best.kind == "day" and other.kind == "weekday" and other.weekday_end is None:
                    weekday = other.weekday  # kept to choose the year the day fell on it (_year)
                out[-1] = replace(best, start=prev.start, end=m.end, text=text[prev.start:m.end], parts=parts,
                                  weekday=weekday)
                continue
        out.append(m)
    return out


def resolve(m: DateMention, reference: date | None) -> DateMention:
    """Fill `first`/`last` of a mention from its written fields and the reference date."""
    first = last = None
    if m.kind in ("day", "day_range", "month"):
        year = _year(m, reference)
        if year is not None:
            try:
                if m.kind == "month":
                    first = date(year, m.month, 1)
                    last = date(year, m.month, calendar.monthrange(year, m.month)[1])
                else:
                    first = date(year, m.month, m.day)
                    last = date(year, m.month, m.day_end or m.day)
            except ValueError:
                first = last = None
    elif reference is not None and m.kind in ("weekday", "weekday_range"):
        last = reference - timedelta(days=(reference.weekday() - (m.weekday_end if m.weekday_end is not None else m.weekday)) % 7)
        if m.before and last == reference:
            last -= timedelta(days=7)
        first = last - timedelta(days=((m.weekday_end - m.weekday) % 7) if m.weekday_end is not None else 0)
    elif reference is not None and m.kind == "relative" and m.offset is not None:
        first = last = reference + timedelta(days=m.offset)
    if first is None and last is None and m.first is None and m.last is None:
        return m
    return replace(m, first=first, last=last)


def _year(m: DateMention, reference: date | None) -> int | None:
    if m.year is not None:
        return m.year
    if m.year_word == "this":
        return reference.year if reference else None
    if m.year_word == "last":
        return reference.year - 1 if reference else None
    if reference is None:
        return None
    year = reference.year
    if m.month_word == "this":
        return year
    if m.kind == "month":
        if m.month > reference.month or (m.month_word == "past" and m.month == reference.month):
            year -= 1
        return year
    past = None
    for candidate in range(year, year - 9, -1):  # 29 February: back to the last leap year
        try:
            if date(candidate, m.month, m.day) <= reference:
                past = candidate
                break
        except ValueError:
            continue
    if m.weekday is not None and past != year and _falls_on(year, m, reference):
        return year
    return past


def _falls_on(year: int, m: DateMention, reference: date) -> bool:
    """The day of `year` is on its written weekday and at most ANNOUNCED_DAYS after `reference`,
    and the most recent such date before `reference` is not on it."""
    try:
        day = date(year, m.month, m.day)
    except ValueError:
        return False
    if day.weekday() != m.weekday or (day - reference).days > ANNOUNCED_DAYS:
        return False
    try:
        return date(year - 1, m.month, m.day).weekday() != m.weekday
    except ValueError:
        return True
