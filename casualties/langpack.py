"""Load one language's data files into an immutable, compiled LanguagePack.

A pack is a folder `casualties/lang/<code>/` with one YAML file per concern. Every file is
checked against SCHEMAS (an unknown key is an error naming the file and the key), every
lexicon form is put in canonical form with the pack's own normalisation steps, and every
pattern is compiled once per process. Examples in the files are kept for the tests only.
"""
from __future__ import annotations

import functools
import hashlib
import io
import hmac
import os
import pickle
import re
import sys
import tempfile
import threading
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import ahocorasick
import regex
import yaml

from .errors import DataFileError
from .text import Normalised, Step, canonical, merge_translate_steps, normalise

LANG_DIR = Path(__file__).parent / "lang"
COMMON = "common"

# Allowed top-level keys per file. Entries inside are checked by the stage that uses them.
SCHEMAS: dict[str, set[str]] = {
    "normalization": {"steps"},
    "morphology": {"word_chars", "proclitics", "enclitics", "conjunctions", "examples"},
    "numbers": {
        "separators", "words", "joiners", "vague", "qualifiers", "ranges", "zero", "kinds",
        "one_after_noun", "one_before_noun", "dual_by_agreement", "negators", "negation_window", "negated_any", "examples", "counterexamples",
    },
    "populations": {"terms", "family_markers", "subset_markers", "non_people", "of_markers", "possessive_suffixes"},
    "outcomes": {"terms", "combinations", "joiners", "loss_verbs", "pair_open", "noun_overrides", "companions",
                 "noun_modifiers", "gatherings"},
    "attribution": {"cues", "own_voice", "speech_verbs", "settings"},
    "dates": {"months", "weekdays", "relative_days", "period_cues", "year_words"},
    "figures": {"macros", "rules", "settings"},
}
STEP_KEYS = {"name", "translate", "pattern", "replace", "marks", "examples", "counterexamples"}


# libyaml's parser, when PyYAML was built with it: the same data, about nine times faster
# (loading the packs and gazetteers is most of a small rerun's extraction).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise DataFileError(path, where, f"not valid YAML: {error}") from None
    except OSError as error:
        raise DataFileError(path, "file", str(error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataFileError(path, "top level", "expected a mapping")
    return data


def check_keys(path, where: str, entry, allowed: set[str]) -> None:
    if not isinstance(entry, dict):
        raise DataFileError(path, where, f"expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - allowed
    if unknown:
        raise DataFileError(path, where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def compile_steps(path: Path, raw_steps) -> list[Step]:
    steps = []
    for i, raw in enumerate(raw_steps or []):
        where = f"steps[{i}]"
        check_keys(path, where, raw, STEP_KEYS)
        name = raw.get("name") or where
        if sum(kind in raw for kind in ("translate", "pattern", "marks")) != 1:
            raise DataFileError(path, f"{where} ({name})", "needs exactly one of translate / pattern / marks")
        if "translate" in raw:
            table = {}
            for source, target in raw["translate"].items():
                if len(str(source)) != 1 or len(str(target)) != 1:
                    raise DataFileError(path, f"{where} ({name})", f"translate maps one character to one: {source!r} -> {target!r}")
                table[ord(str(source))] = str(target)
            steps.append(Step(name, table=table))
        elif "marks" in raw:
            try:
                marks = re.compile(f"[{raw['marks']}]+")
            except re.error as error:
                raise DataFileError(path, f"{where} ({name}).marks", str(error)) from None
            steps.append(Step(name, marks=marks))
        else:
            try:
                pattern = compile_pattern(raw["pattern"])
            except regex.error as error:
                raise DataFileError(path, f"{where} ({name}).pattern", str(error)) from None
            steps.append(Step(name, pattern=pattern, replace=raw.get("replace", "")))
    return steps


def compile_pattern(pattern: str):
    """Compile with the standard library when the pattern allows it, else with `regex`.

    Canonical text carries no combining marks, so `\\w` is an exact word class, and the
    standard engine scans our trie alternations three to five times faster than `regex`."""
    try:
        return re.compile(pattern)
    except re.error:
        return regex.compile(pattern, regex.V1)


def trie_regex(words) -> str:
    """A regex alternation over `words` shaped as a trie: fast to scan, no backtracking blow-up."""
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True
    return _trie_to_regex(trie) if trie else "(?!)"


def suffix_trie_regex(words) -> str:
    """The strings `trie_regex(words)` matches, as an alternation shaped by the words' ends: fast
    to match right to left (`regex.REVERSE`), where a trie of their beginnings tries each branch."""
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for char in reversed(word):
            node = node.setdefault(char, {})
        node[""] = True
    return _trie_to_regex(trie, backward=True) if trie else "(?!)"


def _trie_to_regex(node: dict, backward: bool = False) -> str:
    ends_here = "" in node
    branches = [_trie_to_regex(child, True) + regex.escape(char) if backward else regex.escape(char) + _trie_to_regex(child)
                for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
    return body


@dataclass(frozen=True)
class LanguagePack:
    """Everything one language contributes. Immutable; build with `load_pack`."""

    code: str
    folder: Path
    steps: tuple[Step, ...]
    data: MappingProxyType
    files: MappingProxyType
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def normalise(self, text: str) -> Normalised:
        return normalise(text, list(self.steps))

    def canonical(self, text: str) -> str:
        return canonical(text, list(self.steps))

    def section(self, file: str, key: str, default=None):
        return self.data.get(file, {}).get(key, default)

    def compiled(self, key: str, builder):
        """Build a stage's compiled structure once per pack (stages own their compilers)."""
        if key not in self._cache:
            self._cache[key] = builder(self)
        return self._cache[key]

    def path_of(self, file: str) -> Path:
        return self.files.get(file, self.folder / f"{file}.yaml")


@functools.lru_cache(maxsize=None)
def available_languages() -> tuple[str, ...]:
    return tuple(sorted(p.name for p in LANG_DIR.iterdir() if p.is_dir() and (p / "normalization.yaml").exists() and p.name != COMMON))


_PACKS: dict[tuple[str, Path | None], LanguagePack] = {}  # loaded once per process (or installed: install_packs)


def load_pack(code: str, lang_dir: Path | None = None) -> LanguagePack:
    """Load and validate the language pack `code` (e.g. "ar", "en"), once per process."""
    key = (code, Path(lang_dir) if lang_dir else None)
    pack = _PACKS.get(key)
    if pack is None:
        pack = _PACKS.setdefault(key, _read_pack(code, lang_dir))
    return pack


def _read_pack(code: str, lang_dir: Path | None = None) -> LanguagePack:
    base = Path(lang_dir) if lang_dir else LANG_DIR
    folder = base / code
    if not (folder / "normalization.yaml").exists():
        raise DataFileError(folder, "pack", f"no language pack {code!r} (expected {folder}/normalization.yaml)")
    steps: list[Step] = []
    common = LANG_DIR / COMMON / "normalization.yaml"
    if common.exists():
        steps += compile_steps(common, read_yaml(common).get("steps"))
    data, files = {}, {}
    for name, allowed in SCHEMAS.items():
        path = folder / f"{name}.yaml"
        if not path.exists():
            continue
        content = read_yaml(path)
        check_keys(path, "top level", content, allowed)
        data[name], files[name] = content, path
    steps += compile_steps(files["normalization"], data["normalization"].get("steps"))
    steps = merge_translate_steps(steps)
    return LanguagePack(code, folder, tuple(steps), MappingProxyType(data), MappingProxyType(files))


FEW_PHRASES = 3
WORD_CHAR = re.compile(r"\w")
RECENT_TEXTS = 4  # texts whose phrase hits a SharedPhrases keeps: the article, a publisher name, ...


class SharedPhrases:
    """The automata of one language pack's stages, run over a text as one automaton in one pass.

    The stages ask about the same article in a row (number words, sources, actors, reporting
    cues, the literals of the figure rules, ...), each with an Aho-Corasick automaton of its
    own words, and a pass over the text costs more than reading its few hits: one pass serves
    them all. `iter(automaton, text)` gives the (end, value) pairs `automaton.iter(text)` gives.
    An automaton joins when first used (one a run never uses adds no hits); the hits of the
    last few texts are kept."""

    __slots__ = ("_members", "_automaton", "_recent", "_lock")

    def __init__(self):
        self._members: dict[int, tuple[int, ahocorasick.Automaton]] = {}  # id -> (index, automaton kept alive)
        self._automaton = None
        self._recent: dict[str, list[list[tuple]]] = {}
        self._lock = threading.Lock()

    def iter(self, automaton: ahocorasick.Automaton, text: str) -> list[tuple]:
        """(last character, value) of every occurrence in `text` of a word of `automaton` (made,
        its values never changed after), in the order of their ends, as automaton.iter gives
        them (occurrences that end at one place may come in another order)."""
        joined = self._members.get(id(automaton))
        k = joined[0] if joined is not None else self._join(automaton)
        buckets = self._recent.get(text)
        if buckets is None or k >= len(buckets):
            buckets = self._scan(text)
        return buckets[k]

    def __getstate__(self):
        # The members by place, not by id(): ids are this process's (see write_compiled_packs).
        return sorted(self._members.values(), key=lambda joined: joined[0]), self._automaton

    def __setstate__(self, state) -> None:
        members, self._automaton = state
        self._members = {id(member): (k, member) for k, member in members}
        self._recent = {}
        self._lock = threading.Lock()

    def _join(self, member: ahocorasick.Automaton) -> int:
        with self._lock:
            joined = self._members.get(id(member))
            if joined is not None:
                return joined[0]
            k = len(self._members)
            owners: dict[str, list[tuple]] = {}
            for j, other in sorted([*self._members.values(), (k, member)], key=lambda pair: pair[0]):
                for word, value in other.items():
                    owners.setdefault(word, []).append((j, value))
            automaton = ahocorasick.Automaton()
            for word, values in owners.items():
                automaton.add_word(word, tuple(values))
            if len(automaton):
                automaton.make_automaton()
            self._recent = {}
            self._automaton = (automaton, k + 1)  # one object: a scan on another thread reads both
            self._members[id(member)] = (k, member)
            return k

    def _scan(self, text: str) -> list[list[tuple]]:
        automaton, members = self._automaton
        buckets: list[list[tuple]] = [[] for _ in range(members)]
        if len(automaton):
            appends = [bucket.append for bucket in buckets]
            for last, values in automaton.iter(text):
                for k, value in values:
                    appends[k]((last, value))
        recent = self._recent
        if len(recent) >= RECENT_TEXTS:
            recent.pop(next(iter(recent)), None)  # the oldest
        recent[text] = buckets
        return buckets


@dataclass(frozen=True)
class PhraseStarts:
    """Where a pattern that begins with one of some phrases, perhaps after one of some prefixes
    (proclitics), may match: an Aho-Corasick automaton finds the phrases in one pass, so the
    pattern is tried at those few places rather than by a regex engine at every character."""

    phrases: ahocorasick.Automaton | None  # value: the phrase's length
    prefixes_ending_in: MappingProxyType  # last letter -> the lengths of the prefixes ending with it
    # The patterns tried here begin at a word boundary (a \w class): a phrase right after a
    # letter ("in" inside "within") can begin a match only through a prefix glued to it.
    bounded: bool = False
    # Bounded and without prefixes, the one-letter phrases (English "a") are found by a regex,
    # only where no word character stands before them (elsewhere the patterns cannot begin):
    # the automaton would report every such letter of the text.
    letters: re.Pattern | None = None
    # A few phrases are found by str.find: an automaton pass costs more than a few searches.
    few: tuple[str, ...] = ()
    prefixes: frozenset = frozenset()
    # The pack's other phrases, found in the same pass (else this automaton makes its own).
    shared: SharedPhrases | None = field(default=None, compare=False, repr=False)

    def _found(self, text: str, pos: int, end: int) -> list[tuple[int, int]]:
        """(last character, length) of every occurrence of a `few` phrase within [pos, end)."""
        hits, find = [], text.find
        for phrase in self.few:
            size = len(phrase)
            at = find(phrase, pos, end)
            while at >= 0:
                hits.append((at + size - 1, size))
                at = find(phrase, at + 1, end)
        return hits

    def positions(self, text: str, pos: int = 0, end: int | None = None) -> list[int]:
        """Sorted positions in [pos, end) where a phrase, or a prefix glued to one, begins."""
        end = len(text) if end is None else end
        tries, ending_in, bounded = set(), self.prefixes_ending_in, self.bounded
        if self.letters is not None:
            tries.update(m.start() for m in self.letters.finditer(text, pos, end))
        if self.phrases is None:
            hits = self._found(text, pos, end)
        elif self.shared is not None:
            hits = self.shared.iter(self.phrases, text)
            if pos > 0 or end < len(text):  # the phrases wholly within the window
                hits = [hit for hit in hits[bisect_left(hits, (pos,)):bisect_left(hits, (end,))] if hit[0] + 1 - hit[1] >= pos]
        else:
            hits = self.phrases.iter(text, pos, end)
        prefixes = self.prefixes
        for last, size in hits:
            first = last + 1 - size
            if first > pos:
                before = text[first - 1]
                if not (bounded and before.isalpha()):
                    tries.add(first)
                if before in ending_in:
                    # a prefix glued to the phrase; bounded, it must itself begin a word
                    for length in ending_in[before]:
                        at = first - length
                        if at >= pos and text[at:first] in prefixes and not (bounded and at and text[at - 1].isalpha()):
                            tries.add(at)
            else:
                tries.add(first)
        return sorted(tries)


def phrase_starts(phrases, prefixes=(), word_chars: str | None = None,
                  shared: SharedPhrases | None = None, whole_words: bool = False) -> PhraseStarts | None:
    """`word_chars`: the word class every pattern tried at these places has before its start
    (`(?<!word_chars)`), if any; `\\w` lets the places right after a letter be skipped.
    `shared`: find the phrases in the pass that finds those of the pack's other lexicons.
    `whole_words`: the patterns are compiled by the standard engine and have `(?!\\w)` right
    after each phrase: a one-letter phrase ("a") can begin a match only where it is a word."""
    phrases = [p for p in phrases if p]
    if not phrases:
        return None
    prefixes = frozenset(p for p in prefixes if p)
    ending_in: dict[str, tuple] = {}
    for prefix in sorted(prefixes):
        if len(prefix) not in ending_in.get(prefix[-1], ()):
            ending_in[prefix[-1]] = ending_in.get(prefix[-1], ()) + (len(prefix),)
    bounded = word_chars == r"\w"
    letters = None
    if bounded and not ending_in:
        singles = sorted({p for p in phrases if len(p) == 1})
        if singles:
            chars = "".join(re.escape(c) for c in singles)
            # a literal first lets the engine skip ahead; the lookbehind reads the character before it
            if whole_words:
                # found only where a word of one letter stands, so they begin the phrases in which a
                # non-word character follows their first letter ("a few"); the others ("about")
                # are found by the automaton
                letters = re.compile(f"[{chars}](?<!\\w[{chars}])(?!\\w)")
                phrases = [p for p in phrases if not (p[0] in singles and (len(p) == 1 or not WORD_CHAR.match(p, 1)))]
            else:
                letters = re.compile(f"[{chars}](?<!\\w[{chars}])")
                phrases = [p for p in phrases if p[0] not in singles]  # they begin where a letter does
    automaton, few = None, ()
    if len(phrases) <= FEW_PHRASES:
        few = tuple(dict.fromkeys(phrases))
    elif phrases:
        automaton = ahocorasick.Automaton()
        for phrase in phrases:
            automaton.add_word(phrase, len(phrase))
        automaton.make_automaton()
    return PhraseStarts(automaton, MappingProxyType(ending_in), bounded=bounded, letters=letters, few=few,
                        prefixes=prefixes, shared=shared if automaton is not None else None)


def shared_phrases(pack: "LanguagePack") -> SharedPhrases:
    """The one SharedPhrases of a pack's lexicons."""
    return pack.compiled("langpack.shared_phrases", lambda _pack: SharedPhrases())


@dataclass(frozen=True)
class Lexicon:
    """Canonical phrases with attributes, found with optional clitics around them.

    `find(text, pos, endpos)` scans; `match_at(text, pos)` anchors at pos. Each hit gives
    (start, end, phrase, attributes, prefix, suffix) in canonical offsets.

    `find` gives exactly the matches of `pattern.finditer`, but tries the pattern only where
    `starts` finds a phrase (or a proclitic glued to one).
    """

    entries: MappingProxyType
    pattern: regex.Pattern
    anchored: regex.Pattern
    starts: PhraseStarts | None = None

    def find(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else endpos
        if self.starts is None:
            return
        reached, match = pos, self.anchored.match
        for at in self.starts.positions(text, pos, end):
            if at >= reached:
                m = match(text, at, end)
                if m is not None:
                    yield self._hit(m)
                    reached = m.end()

    def match_at(self, text: str, pos: int, endpos: int | None = None):
        m = self.anchored.match(text, pos, len(text) if endpos is None else endpos)
        return self._hit(m) if m else None

    def _hit(self, m):
        term = m.group("term")
        return (m.start(), m.end(), term, self.entries[term], m.group("pre") or "", m.group("suf") or "")

    def __contains__(self, phrase: str) -> bool:
        return phrase in self.entries


def build_lexicon(pack: LanguagePack, entries: dict, clitics: bool = True) -> Lexicon:
    """Compile a {canonical phrase: attributes} dict into a Lexicon using the pack's morphology."""
    word = pack.section("morphology", "word_chars", r"\w")
    pre = suf = "(?!)"
    proclitic_words = []
    if clitics:
        proclitic_words = [c for c in (pack.canonical(p) for p in pack.section("morphology", "proclitics", []) or []) if c]
        pre = trie_regex(proclitic_words)
        suf = trie_regex([pack.canonical(s) for s in pack.section("morphology", "enclitics", []) or []])
    body = (
        f"(?<!{word})(?P<pre>{pre})??(?P<term>{trie_regex(entries)})(?P<suf>{suf})?(?!{word})"
    )
    compiled = compile_pattern(body)
    starts = phrase_starts(entries, proclitic_words, word, shared=shared_phrases(pack))
    return Lexicon(MappingProxyType(dict(entries)), compiled, compiled, starts)


# --- literals every match of a pattern must hold -------------------------------------------

LITERAL_PRODUCT_CAP = 512  # strings spelled out when adjacent alternatives are joined
_PLACEHOLDER_BASE = 0xE000  # private-use characters standing for lexicon references


class _Opaque(Exception):
    """The pattern uses what the analysis does not read (case folding, back references, ...)."""


def required_literals(pattern: str, lexicons=None, keep: int = 3, shortest: int = 3,
                      lookaheads: bool = False) -> tuple[frozenset, ...]:
    """Sets of literal strings such that any text a match of `pattern` consumes holds one
    string of each set: a cheap test (LiteralIndex.holds) that rules a pattern out before the
    regex engine is run. Lookarounds are not counted (they may read outside the match).

    `lexicons` maps a name to its forms: `{NAME}` in the pattern stands for one of them (the
    name's macro, with whatever clitics or boundaries around it; it must not be an
    alternation at its top level). Up to `keep` sets are given, those whose shortest string
    is longest, none with a string shorter than `shortest`. A pattern the analysis cannot
    read gives no sets, which only costs the precheck. With `lookaheads`, what a positive
    lookahead must read counts too: right for a pattern matched or searched with an end
    (`endpos`) no further than the text checked, where no lookahead reads past it.

    >>> sorted(required_literals("(?:killed|wounded) (?:at least )?\\\\Z")[0])
    ['killed ', 'wounded ']
    >>> required_literals("(?i)killed")
    ()
    """
    names = {}
    text = regex.sub(r"\(\?P<\w+>", "(?:", pattern)  # group names may repeat in `regex` V1
    for i, (name, forms) in enumerate((lexicons or {}).items()):
        forms = frozenset(f for f in forms if f)
        if forms and "{" + name + "}" in text:
            names[_PLACEHOLDER_BASE + i] = forms
            text = text.replace("{" + name + "}", f"(?:{chr(_PLACEHOLDER_BASE + i)})")
    # any other {NAME} (a lexicon left out, or with no forms) may match anything
    text = regex.sub(r"\{[A-Z_][A-Z0-9_]*\}", r"(?:[\\s\\S])", text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": a `regex` V1 set the parser misreads
            parsed = re._parser.parse(text)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return ()
        _, sets = _literal_info(parsed, names, lookaheads)
    except (re.error, _Opaque, Warning, RecursionError):
        return ()
    useful = {_shortest_only(s) for s in sets if min(map(len, s)) >= shortest}
    kept: list[frozenset] = []
    for s in sorted(useful, key=lambda s: (-min(map(len, s)), len(s), sorted(s))):
        if len(kept) < keep and not any(_implies(k, s) for k in kept):
            kept.append(s)
    return tuple(kept)


@functools.lru_cache(maxsize=256)  # a lexicon's forms come back in rule after rule
def _shortest_only(strings: frozenset) -> frozenset:
    """The strings of a set that hold no other: holding one of either set is the same."""
    if len(strings) > LITERAL_PRODUCT_CAP:
        return strings
    kept: list[str] = []
    for s in sorted(strings, key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _implies(a: frozenset, b: frozenset) -> bool:
    """Every string of `a` holds one of `b`: a text that holds a string of `a` holds one of `b`."""
    return len(a) * len(b) <= 4 * LITERAL_PRODUCT_CAP and all(any(t in s for t in b) for s in a)


def _best(exact, sets):
    """The one set (the most telling) that every match holds a string of, or None."""
    candidates = list(sets)
    if exact is not None and "" not in exact:
        candidates.append(exact)
    if not candidates:
        return None
    return max(candidates, key=lambda s: (min(map(len, s)), -len(s)))


def _literal_info(items, names, lookaheads: bool = False) -> tuple[frozenset | None, list]:
    """(exact, sets) of a parsed sequence: `exact` every string it can match (None when not a
    small finite set), `sets` sets that every match holds a string of."""
    from re import _constants as c

    sets: list = []
    product, exact_all = frozenset({""}), True

    def flush():
        if product and "" not in product:
            sets.append(product)

    for op, av in items:
        if op is c.LITERAL:
            if av in names:
                item_exact, item_sets = None, [names[av]]
            else:
                item_exact, item_sets = frozenset({chr(av)}), []
        elif op is c.IN:
            chars = set()
            for kind, value in av:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.RANGE and value[1] - value[0] < 8:
                    chars.update(map(chr, range(value[0], value[1] + 1)))
                else:
                    chars = None
                    break
            item_exact = frozenset(chars) if chars and len(chars) <= 8 else None
            item_sets = []
        elif op is c.SUBPATTERN:
            group, add_flags, _, sub = av
            if add_flags & (re.IGNORECASE | re.VERBOSE):
                raise _Opaque("flags")
            item_exact, item_sets = _literal_info(sub, names, lookaheads)
        elif op is c.ATOMIC_GROUP:
            item_exact, item_sets = _literal_info(av, names, lookaheads)
        elif op is c.BRANCH:
            infos = [_literal_info(branch, names, lookaheads) for branch in av[1]]
            exacts = [e for e, _ in infos]
            item_exact = None
            if all(e is not None for e in exacts):
                union = frozenset().union(*exacts)
                item_exact = union if len(union) <= LITERAL_PRODUCT_CAP else None
            bests = [_best(e, s) for e, s in infos]
            item_sets = [frozenset().union(*bests)] if all(b is not None for b in bests) else []
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            sub_exact, sub_sets = _literal_info(sub, names, lookaheads)
            if low == 0:
                item_exact = sub_exact | {""} if sub_exact is not None and high == 1 else None
                item_sets = []
            else:
                item_exact = sub_exact if low == high == 1 else None
                item_sets = list(sub_sets)
                if sub_exact is not None and "" not in sub_exact:
                    item_sets.append(sub_exact)
        elif op is c.ASSERT and lookaheads and av[0] == 1:
            # a positive lookahead consumes nothing, but what it reads is in the text
            ahead_exact, ahead_sets = _literal_info(av[1], names, lookaheads)
            item_exact, item_sets = frozenset({""}), list(ahead_sets)
            if ahead_exact is not None and "" not in ahead_exact:
                item_sets.append(ahead_exact)
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            item_exact, item_sets = frozenset({""}), []  # consumes nothing
        elif op in (c.ANY, c.NOT_LITERAL, c.CATEGORY):
            item_exact, item_sets = None, []
        elif op in (c.GROUPREF, c.GROUPREF_EXISTS, c.GROUPREF_IGNORE, c.GROUPREF_LOC_IGNORE, c.GROUPREF_UNI_IGNORE):
            raise _Opaque("group reference")
        else:
            item_exact, item_sets = None, []
        sets.extend(item_sets)
        if item_exact is None:
            flush()
            product, exact_all = frozenset({""}), False
            continue
        joined = frozenset(p + e for p in product for e in item_exact) \
            if len(product) * len(item_exact) <= LITERAL_PRODUCT_CAP else None
        if joined is None:
            flush()
            product, exact_all = item_exact, False
        else:
            product = joined
    flush()
    return (product if exact_all else None), sets


class LiteralSets:
    """Literal sets (from required_literals) found in a text in one Aho-Corasick pass."""

    __slots__ = ("sets", "_ids", "automaton", "_masks", "shared")

    def __init__(self, shared: SharedPhrases | None = None):
        self.sets: list[frozenset] = []
        self._ids: dict[frozenset, int] = {}
        self.automaton = None
        self._masks: dict[tuple, int] = {}  # ids -> their bits, for LiteralIndex.holds_all
        self.shared = shared  # the pack's one pass (shared_phrases), else a pass of their own

    def add(self, sets) -> tuple[int, ...]:
        """Ids of `sets` (equal sets share one), for LiteralIndex.holds_all."""
        if self.automaton is not None:
            raise RuntimeError("LiteralSets.add after index()")
        ids = []
        for s in sets:
            k = self._ids.get(s)
            if k is None:
                k = self._ids[s] = len(self.sets)
                self.sets.append(s)
            ids.append(k)
        return tuple(ids)

    def index(self, text: str) -> "LiteralIndex":
        if self.automaton is None:
            owners: dict[str, list[int]] = {}
            for k, members in enumerate(self.sets):
                for literal in members:
                    owners.setdefault(literal, []).append(k)
            automaton = ahocorasick.Automaton()
            for literal, ids in owners.items():
                automaton.add_word(literal, (len(literal), mask(ids)))
            if len(automaton):
                automaton.make_automaton()
            self.automaton = automaton
        return LiteralIndex(self, text)

    def mask_of(self, ids) -> int:
        bits = self._masks.get(ids)
        if bits is None:
            bits = self._masks[ids] = mask(ids)
        return bits


def mask(ids) -> int:
    """The bits of LiteralSets ids, for LiteralIndex.within."""
    bits = 0
    for k in ids:
        bits |= 1 << k
    return bits


class LiteralIndex:
    """Where the strings of each set of a LiteralSets occur in one text: `holds_all(ids, lo,
    hi)` says whether a string of each set lies wholly within text[lo:hi]; `within(lo, hi)`
    gives the mask of every set with a string there (for a short window and many tests).

    The hits are kept as the automaton gives them, by end; a window's mask is read from the
    hits that end in it, and the last window's is kept: the frames of one amount ask about
    the same window one after another."""

    __slots__ = ("_sets", "_hits", "_ends", "_window", "_window_mask")

    def __init__(self, sets: LiteralSets, text: str):
        self._sets = sets
        # (last character, (length, mask)) of every occurrence, by end
        if not len(sets.automaton):
            self._hits = []
        elif sets.shared is not None:
            self._hits = sets.shared.iter(sets.automaton, text)
        else:
            self._hits = list(sets.automaton.iter(text))
        self._ends = [last for last, _ in self._hits]
        self._window = None
        self._window_mask = 0

    def within(self, lo: int, hi: int) -> int:
        """The mask of the sets with a string wholly within text[lo:hi]."""
        if self._window == (lo, hi):
            return self._window_mask
        hits = self._hits
        bits = 0
        i = bisect_right(self._ends, hi - 1) - 1
        while i >= 0:
            last, (size, found) = hits[i]
            if last < lo:
                break
            if last + 1 - size >= lo:
                bits |= found
            i -= 1
        self._window, self._window_mask = (lo, hi), bits
        return bits

    def holds(self, k: int, lo: int, hi: int) -> bool:
        return self.holds_all((k,), lo, hi)

    def holds_all(self, ids, lo: int, hi: int) -> bool:
        need = self._sets.mask_of(ids)
        return need & self.within(lo, hi) == need


# Compiled packs kept on disk. Compiling both packs' patterns costs a rerun that extracts a few
# articles more than extracting them (Python's regex parsers): a pickle of the compiled packs
# loads in a fortieth of that. Python's `re` pickles a pattern as its text, compiled again when
# loaded, so a pattern is written as the engine's code (_sre.compile's arguments, checked equal
# to the pattern when written); `regex` and pyahocorasick pickle their compiled form.
COMPILED_PACKS_FORMAT = b"casualties compiled packs 2\n"


def compiled_packs_key(rules_version: str) -> str:
    """What compiled packs depend on: the rules (`rules_version`: the language and gazetteer
    files and the package version), the code that compiles them (every source file of the
    package), where the packs live, and the Python, `re`, regex and pyahocorasick that made
    their patterns and automata."""
    import _sre

    digest = hashlib.sha256()
    for part in (rules_version, str(LANG_DIR), sys.version, str(_sre.MAGIC), regex.__version__,
                 _distribution_version("pyahocorasick"), str(pickle.HIGHEST_PROTOCOL)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode("utf-8", "surrogatepass") + b"\x1f")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _distribution_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def loaded_pack(code: str) -> LanguagePack | None:
    """The pack `code` of the language folder if this process has loaded it, else None."""
    return _PACKS.get((code, None))


def install_packs(packs: dict[str, LanguagePack]) -> None:
    """Make `packs` (read_compiled_packs) what load_pack gives from now on. A pack loaded here
    before keeps working where it is held: the same data, compiled apart."""
    for code, pack in packs.items():
        _PACKS[(code, None)] = pack


def write_compiled_packs(path, packs: dict[str, LanguagePack], key: str, extras: dict | None = None) -> None:
    """Keep `packs` (code -> pack, compiled), and `extras` (name -> what else the stages load
    from the same files: the gazetteers), at `path` for read_compiled_packs(path, key),
    atomically: a run reading it meanwhile reads the old file or the new one whole."""
    buffer = io.BytesIO()
    _PackPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump({"packs": dict(packs), "extras": dict(extras or {})})
    payload = buffer.getvalue()
    signature = _signature(payload)
    if signature is None:
        return  # no key of this user's to sign with: the packs are compiled each run, as before
    header = COMPILED_PACKS_FORMAT + key.encode() + b"\n" + signature + b"\n"
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(header)
            handle.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_compiled_packs(path, key: str, extras: dict | None = None) -> dict[str, LanguagePack] | None:
    """The packs write_compiled_packs kept at `path` with the same `key` (and into `extras`,
    when given, the extras kept with them); None when the file
    is missing, of another key or format, damaged or not signed by this user (its signature is
    checked before it is unpickled) or does not load: the packs are then compiled, as without
    it. A pickle runs code when loaded, and a reports folder may come from someone else: the
    signature is keyed by a secret of this user's (`_signing_key`), so only files written by
    this user's runs are ever unpickled."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    head = len(COMPILED_PACKS_FORMAT)
    if data[:head] != COMPILED_PACKS_FORMAT:
        return None
    lines = data[head:].split(b"\n", 2)
    if len(lines) != 3 or lines[0] != key.encode():
        return None
    payload = memoryview(data)[head + len(lines[0]) + len(lines[1]) + 2:]
    signature = _signature(payload)
    if signature is None or not hmac.compare_digest(signature, lines[1]):
        return None
    try:
        kept = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - any failure to load means: compile instead
        return None
    packs = kept.get("packs") if isinstance(kept, dict) else None
    if not isinstance(packs, dict) or not isinstance(kept.get("extras"), dict) or not all(
            isinstance(pack, LanguagePack) and pack.code == code for code, pack in packs.items()):
        return None
    if extras is not None:
        extras.update(kept["extras"])
    return packs


def _signature(payload) -> bytes | None:
    secret = _signing_key()
    return None if secret is None else hmac.new(secret, payload, hashlib.sha256).hexdigest().encode()


def _signing_key() -> bytes | None:
    """This user's secret for signing compiled packs, made on first use in the user's cache
    folder ($XDG_CACHE_HOME or ~/.cache, then casualties/packs.key), readable by the user
    only; None when it can be neither read nor made."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "casualties"
    path = folder / "packs.key"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(os.urandom(32))
        secret = path.read_bytes()
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    return secret if len(secret) == 32 else None


def _rebuilt_pattern(*arguments):
    import _sre

    return _sre.compile(*arguments)


def _mapping(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


class _PackPickler(pickle.Pickler):
    """Pickles `re` patterns compiled (their engine code) and read-only mappings as such."""

    def reducer_override(self, obj):
        if type(obj) is re.Pattern:
            arguments = _pattern_code(obj)
            if arguments is not None:
                return _rebuilt_pattern, arguments
        elif type(obj) is MappingProxyType:
            return _mapping, (dict(obj),)
        return NotImplemented


def _pattern_code(pattern: re.Pattern) -> tuple | None:
    """The arguments of _sre.compile that make `pattern` (as re._compiler.compile makes them),
    or None when they cannot be made here or make another pattern (it is then pickled as its text)."""
    import _sre

    try:
        from re import _compiler, _parser

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        code = [int(op) for op in _compiler._code(parsed, pattern.flags)]
        state = parsed.state
        index_group = [None] * state.groups
        for name, index in state.groupdict.items():
            index_group[index] = name
        arguments = (pattern.pattern, pattern.flags | state.flags, code, state.groups - 1,
                     dict(state.groupdict), tuple(index_group))
        return arguments if _sre.compile(*arguments) == pattern else None
    except Exception:  # noqa: BLE001 - another Python's internals: pickle the text
        return None
