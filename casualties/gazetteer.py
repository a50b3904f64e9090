"""Gazetteers of actors and sources: canonical ids, kinds, names and aliases in every language.

The data lives in `lang/gazetteers/actors.yaml` and `sources.yaml`; every entry is checked
(unknown keys, bad ids, unknown kinds, an alias claimed by two ids in one language) and the
error names the file and the entry. Each language pack gets its own compiled lexicons, built
once per pack, whose attributes are {"id", "ids", "kind", "anaphora", "person"}.

Note: names written with a definite article. A gazetteer lists natural names ("the
Observatory" with its article). A language whose morphology has article proclitics that
combine with others (a multi-letter proclitic that ends at least two other proclitics, such as
the article that fuses with a preposition in front of it) would miss the fused spelling, so
each multi-word or long alias that starts with such a proclitic is also indexed without it.
Example: with proclitics [w, b, l, al, wal, bal, kal, ll, wll], "al" ends "wal", "bal" and
"kal", so "al-marsad al-suri" is also indexed as "marsad al-suri", and "ll-marsad al-suri"
(the article fused with "l") is found as "ll" + "marsad al-suri". Anaphora are never shortened:
without its article an anaphor is an indefinite noun.

Anaphora ("the group", "the source") name an entry only after the article named it; one
anaphor may be listed by several entries and resolves to the one named last. In a headline (the
text's first line, with more lines after it) an anaphor with no antecedent names the entry the
body names first among its entries ("المرصد: 148 قتيلاً" over a story on the Syrian Observatory). With none of them
named before it, an anaphor names the one entry of the country the text names most, by the
entries' `country` words ("the health ministry" in a story on Lebanon, "القوات الحكومية" in one
from Taiz); it stays unresolved when another country is named as often, or none of its entries is
of that country ("القوات المسلحة" in a story on Yemen names no Egyptian or Russian army). Such a
mention is `inferred`: a body the text names outranks it.
"""
from __future__ import annotations

import functools
import hashlib
from bisect import bisect_left
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

import regex

from .errors import DataFileError
from .langpack import LANG_DIR, LanguagePack, Lexicon, available_languages, build_lexicon, check_keys, load_pack, read_yaml

GAZETTEER_DIR = LANG_DIR / "gazetteers"

KINDS: dict[str, frozenset[str]] = {
    "actors": frozenset({"state_forces", "armed_group", "coalition", "militia"}),
    "sources": frozenset({
        "monitor", "state_media", "armed_group_media", "activists", "official", "outlet", "agency",
        "medical", "un", "ngo", "unnamed_source", "correspondent",
    }),
}
ENTRY_KEYS = {"id", "kind", "names", "aliases", "anaphora", "people", "ambiguous", "context", "country", "valid_from",
              "valid_to", "note"}
# `ambiguous`: aliases that other conflicts use for other bodies ("SDF" is also Cameroon's Social
# Democratic Front); they name the entry only in a text that also names it otherwise, or names one
# of its `context` words (its country, its region) or entries (the ids of its foes and allies)
# `country`: the words that name the country a state body belongs to (its names, demonyms, capital):
# an anaphor none of whose entries was named before it is the entry whose country the text names most
LISTS = ("aliases", "anaphora", "people", "ambiguous", "context", "country")
RESERVED_IDS = frozenset({"publisher"})
ID_FORM = regex.compile(r"[a-z][a-z0-9_]*")
LANG_FORM = regex.compile(r"[a-z]{2,3}")
SHORT_ALIAS = 5
RECENT_TEXTS = 4
KNOWN_PUBLISHERS = 4096
_RECENT_MENTIONS: dict = {}
_RECENT_COUNTRIES: dict = {}  # the same for the country words (asked by the story's sides, attribution, anaphora)


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where the text names an entry. `entry_id` is None for an anaphor with no
    antecedent; `candidates` are the ids the phrase can name."""

    start: int
    end: int
    entry_id: str | None
    kind: str
    text: str
    anaphora: bool
    person: bool
    prefix: str
    group: str
    candidates: tuple[str, ...] = ()
    inferred: bool = False  # an anaphor resolved by the story's country, not by an earlier name


@dataclass(frozen=True)
class Gazetteers:
    """Actors and sources by id; build with `load_gazetteers`. Immutable."""

    actors: MappingProxyType
    sources: MappingProxyType
    folder: Path
    fingerprint: str
    # publisher string -> source id: a corpus names few publishers, each in article after article
    _publisher_ids: dict = field(default_factory=dict, compare=False, repr=False)

    def entry(self, entry_id: str):
        """The actor or source entry with this id, or None."""
        return self.actors.get(entry_id) or self.sources.get(entry_id)

    def valid_on(self, entry_id: str, day: date | None) -> bool:
        """Whether the entry existed on `day` (always true when the day or the dates are unknown)."""
        entry = self.entry(entry_id)
        if entry is None or day is None:
            return entry is not None
        start, end = entry.get("valid_from"), entry.get("valid_to")
        return (start is None or start <= day) and (end is None or day <= end)

    def actor_lexicon(self, pack: LanguagePack) -> Lexicon:
        """Lexicon of actor names, people and anaphora in `pack`'s language."""
        return pack.compiled(f"gazetteer.actors.{self.fingerprint}", lambda p: _lexicon(self.actors, p))

    def source_lexicon(self, pack: LanguagePack) -> Lexicon:
        """Lexicon of source names, people and anaphora in `pack`'s language."""
        return pack.compiled(f"gazetteer.sources.{self.fingerprint}", lambda p: _lexicon(self.sources, p))

    def source_id_for_publisher(self, name: str | None) -> str | None:
        """Source id for a manifest's publisher string, matched by any alias in any language.

        >>> load_gazetteers().source_id_for_publisher("Orient Net")
        'orient_net'
        """
        if not name or not name.strip():
            return None
        if name.strip() in self.sources:
            return name.strip()
        known = self._publisher_ids
        if name not in known:
            if len(known) >= KNOWN_PUBLISHERS:
                known.clear()
            known[name] = self._publisher_id(name)
        return known[name]

    def _publisher_id(self, name: str) -> str | None:
        best: tuple[int, str] | None = None
        for code in available_languages():
            pack = load_pack(code)
            for start, end, _term, attrs, _pre, _suf in self.source_lexicon(pack).find(pack.canonical(name)):
                if not attrs["anaphora"] and (best is None or end - start > best[0]):
                    best = (end - start, attrs["id"])
        return best[1] if best else None

    def source_mentions(self, canonical: str, pack: LanguagePack, day: date | None = None) -> list[Mention]:
        """Every source named in `canonical`, in order, anaphora resolved (unresolved: entry_id None);
        a form two entries share names the one that existed on `day` (see `_dated`)."""
        return list(self._mentions(canonical, pack, day)[0])

    def actor_mentions(self, canonical: str, pack: LanguagePack, day: date | None = None) -> list[Mention]:
        """Every actor named in `canonical`, in order, except inside a longer source name."""
        return list(self._mentions(canonical, pack, day)[1])

    def _mentions(self, canonical: str, pack: LanguagePack, day: date | None = None) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
        # Several stages ask about the same article in a row: scan it once.
        key = (self.fingerprint, pack.code, canonical, day)
        found = _RECENT_MENTIONS.get(key)
        if found is None:
            country = self._country_counter(pack, canonical)
            dated = self._dated(day)
            headline = canonical.find("\n")  # the text's first line, when a body follows it
            sources = tuple(_resolve(self._in_context(self.source_lexicon(pack).find(canonical), canonical), "sources", country,
                                     dated, headline))
            spans = [(m.start, m.end) for m in sources]
            starts = [start for start, _ in spans]
            hits = [h for h in self._in_context(self.actor_lexicon(pack).find(canonical), canonical)
                    if not _inside_longer(h[0], h[1], spans, starts)]
            found = (sources, tuple(_resolve(hits, "actors", country, dated)))
            if len(_RECENT_MENTIONS) >= RECENT_TEXTS:
                _RECENT_MENTIONS.clear()
            _RECENT_MENTIONS[key] = found
        return found

    def country_mentions(self, canonical: str, pack: LanguagePack) -> list[tuple[int, int, frozenset[str]]]:
        """(start, end, the ids of that country's entries) for each word naming a country, in order."""
        key = (self.fingerprint, pack.code, pack.folder, canonical)
        found = _RECENT_COUNTRIES.get(key)
        if found is None:
            countries = self._countries(pack)
            found = tuple((start + len(pre), end - len(suf), ids) for start, end, _term, ids, pre, suf in countries.find(canonical)) \
                if countries is not None else ()
            if len(_RECENT_COUNTRIES) >= RECENT_TEXTS:
                _RECENT_COUNTRIES.clear()
            _RECENT_COUNTRIES[key] = found
        return list(found)

    def actor_kinds(self) -> MappingProxyType:
        """{actor id: its kind}, made once (asked for every article)."""
        return self._actor_kinds

    @functools.cached_property
    def _actor_kinds(self) -> MappingProxyType:
        return MappingProxyType({entry_id: entry["kind"] for entry_id, entry in self.actors.items()})

    def _countries(self, pack: LanguagePack) -> Lexicon | None:
        """{country word: the ids of that country's entries} in `pack`'s language, compiled once."""
        return pack.compiled(f"gazetteer.countries.{self.fingerprint}",
                             lambda p: _country_lexicon(chain(self.actors.items(), self.sources.items()), p))

    def _country_counter(self, pack: LanguagePack, canonical: str):
        """A function giving, when first called, the ids of the entries of the country the text
        names most (none when two countries are named as often)."""
        found: list[frozenset[str]] = []

        def top() -> frozenset[str]:
            if not found:
                counts: dict[frozenset[str], int] = {}
                for _start, _end, ids in self.country_mentions(canonical, pack):
                    counts[ids] = counts.get(ids, 0) + 1
                ranked = sorted(counts.items(), key=lambda c: c[1], reverse=True)
                found.append(ranked[0][0] if ranked and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]) else frozenset())
            return found[0]
        return top

    @staticmethod
    def _in_context(hits: list, canonical: str) -> list:
        """The hits, less those of an ambiguous alias whose entry the text names by no other form
        and by none of its context words ("a former SDF lawmaker" in an article on Cameroon)."""
        hits = list(hits)
        if not any(h[3]["ambiguous"] for h in hits):
            return hits
        named = {h[3]["id"] for h in hits if not h[3]["ambiguous"] and not h[3]["anaphora"]}  # context ids too
        kept = []
        for hit in hits:
            attrs = hit[3]
            if attrs["ambiguous"] and attrs["id"] not in named and not named.intersection(attrs["context"]) \
                    and not (attrs["context"] and _context_words(tuple(attrs["context"])).search(canonical)):
                continue
            kept.append(hit)
        return kept

    def _dated(self, day: date | None):
        """A filter of the entries a form names: those that existed on `day` ("الجيش السوري" is
        Assad's army until December 2024, the transitional government's after; the data lets a
        form name two entries only when their dates do not overlap), else the first listed. None
        when the day is unknown: the first listed is named."""
        if day is None:
            return None
        return lambda ids: [i for i in ids if self.valid_on(i, day)] or list(ids[:1])

    def resolve_actor_mentions(self, canonical: str, pack: LanguagePack,
                               day: date | None = None) -> list[tuple[int, int, str, bool]]:
        """(start, end, actor_id, via_anaphora) for each actor named in `canonical` (canonical offsets).

        An anaphor ("the group", "the organisation") resolves to the most recently named actor that lists
        it; one with no antecedent is dropped. People (spokesmen) name their actor but are not
        returned.

        >>> pack = load_pack("en")
        >>> load_gazetteers().resolve_actor_mentions("isis fighters fled. the group said", pack)
        [(0, 4, 'islamic_state', False), (20, 29, 'islamic_state', True)]
        """
        return [
            (m.start, m.end, m.entry_id, m.anaphora)
            for m in self.actor_mentions(canonical, pack, day)
            if m.entry_id is not None and not m.person
        ]


_CONTEXT_PATTERNS: dict[tuple, regex.Pattern] = {}
CONTEXT_PATTERNS_KEPT = 4096


def _context_words(words: tuple) -> regex.Pattern:
    """One pattern finding any of an entry's context words where a word begins, compiled once (the
    regex module's own cache costs some 20 microseconds a look-up): it matches in a text if and
    only if one of the words, each searched alone, would."""
    pattern = _CONTEXT_PATTERNS.get(words)
    if pattern is None:
        if len(_CONTEXT_PATTERNS) >= CONTEXT_PATTERNS_KEPT:
            _CONTEXT_PATTERNS.clear()  # gazetteers loaded again and again (tests): keep none alive
        pattern = _CONTEXT_PATTERNS[words] = regex.compile(
            "(?<!\\w)(?:" + "|".join(regex.escape(word) for word in words) + ")")
    return pattern


def _inside_longer(start: int, end: int, spans, starts) -> bool:
    """Whether a longer span overlaps [start, end). `spans` are in order and never overlap
    (their ends are in order too), so only those just before `end` need looking at."""
    i = bisect_left(starts, end) - 1
    while i >= 0 and spans[i][1] > start:
        a, b = spans[i]
        if b - a > end - start:
            return True
        i -= 1
    return False


def _named_entry(attrs: dict, dated) -> str:
    """The entry a form that is no anaphor names: its own, or, when it names successive entries,
    the one valid on the article's day (`dated`)."""
    return attrs["id"] if dated is None or len(attrs["ids"]) == 1 else dated(attrs["ids"])[0]


def _resolve(hits, group: str, country=None, dated=None, headline: int = -1) -> list[Mention]:
    named: dict[str, int] = {}
    guessed: set[str] = set()  # entries named so far only by an anaphor inferred from the story's country
    mentions = []
    hits = list(hits)
    first: dict[str, int] = {}  # where the body first names each entry, for the headline's anaphora
    if headline > 0:
        for start, _end, _term, attrs, _pre, _suf in hits:
            if not attrs["anaphora"] and start > headline:
                first.setdefault(_named_entry(attrs, dated), start)
    for start, end, term, attrs, pre, _suf in hits:
        inferred = False
        if attrs["anaphora"]:
            known = [i for i in attrs["ids"] if i in named]
            entry_id = max(known, key=named.__getitem__) if known else None
            inferred = entry_id in guessed
            if entry_id is None and start < headline:  # "المرصد: 148 قتيلاً" over a story that names the Observatory
                later = [i for i in attrs["ids"] if i in first]
                entry_id = min(later, key=first.__getitem__) if later else None
            if entry_id is None and country is not None:
                of_country = [i for i in attrs["ids"] if i in country()]
                if dated is not None and len(of_country) > 1:  # a country's successive governments
                    of_country = dated(tuple(of_country))
                entry_id = of_country[0] if len(of_country) == 1 else None
                inferred = entry_id is not None
                if inferred:  # once inferred, a later anaphor of it names it too, as inferred
                    named.setdefault(entry_id, start)  # ("وزارة الصحة والسكان ... وكانت الوزارة قد أعلنت")
                    guessed.add(entry_id)
        else:
            entry_id = _named_entry(attrs, dated)
            named[entry_id] = start
            guessed.discard(entry_id)
        kind = attrs["kind"] if entry_id is None else attrs["kinds"][attrs["ids"].index(entry_id)]
        start += len(pre)
        mentions.append(Mention(
            start, end - len(_suf), entry_id, kind, term, attrs["anaphora"], attrs["person"], pre, group, attrs["ids"], inferred,
        ))
    return mentions


def _country_lexicon(entries, pack: LanguagePack) -> Lexicon | None:
    """{country word: the ids of the entries of that country} in `pack`'s language, or None. A
    country is the set of entries listing the same words (the data writes them once, as an
    anchor); a word two countries list counts for neither."""
    countries: dict[tuple[str, ...], set[str]] = {}
    for entry_id, entry in entries:
        words = tuple(sorted({pack.canonical(w) for w in entry["country"].get(pack.code, ())}))
        if words:
            countries.setdefault(words, set()).add(entry_id)
    table: dict[str, frozenset[str]] = {}
    shared: set[str] = set()
    for words, ids in countries.items():
        for word in words:
            if word in table:
                shared.add(word)
            table[word] = frozenset(ids)
    table = {word: ids for word, ids in table.items() if word not in shared}
    return build_lexicon(pack, table) if table else None


def _articles(pack: LanguagePack) -> list[str]:
    proclitics = [pack.canonical(p) for p in pack.section("morphology", "proclitics", []) or []]
    return sorted(
        (p for p in set(proclitics) if len(p) >= 2 and sum(q != p and q.endswith(p) for q in set(proclitics)) >= 2),
        key=len, reverse=True,
    )


def _lexicon(entries, pack: LanguagePack) -> Lexicon:
    lang = pack.code
    table: dict[str, MappingProxyType] = {}
    anaphors: dict[str, list[str]] = {}
    for entry_id, entry in entries.items():
        attrs = MappingProxyType({
            "id": entry_id, "ids": (entry_id,), "kinds": (entry["kind"],), "kind": entry["kind"],
            "anaphora": False, "person": False, "ambiguous": False, "context": (),
        })
        person = MappingProxyType({**attrs, "person": True})
        ambiguous = {pack.canonical(p) for p in entry["ambiguous"].get(lang, ())}
        unsure = MappingProxyType({**attrs, "ambiguous": True,
                                   "context": tuple(pack.canonical(w) for w in entry["context"].get(lang, ()))})
        for phrase, value in _naming_forms(entry, lang):
            key = pack.canonical(phrase)
            earlier = table.get(key)
            if earlier is None:
                table[key] = person if value else unsure if key in ambiguous else attrs
            elif entry_id not in earlier["ids"]:  # entries of other dates (_check_unique_forms)
                table[key] = MappingProxyType({**earlier, "ids": earlier["ids"] + (entry_id,),
                                               "kinds": earlier["kinds"] + (entry["kind"],)})
        for phrase in entry["anaphora"].get(lang, ()):
            anaphors.setdefault(pack.canonical(phrase), []).append(entry_id)
    for phrase, ids in anaphors.items():
        if phrase not in table:
            kinds = tuple(entries[i]["kind"] for i in ids)
            table[phrase] = MappingProxyType({
                "id": ids[0], "ids": tuple(ids), "kinds": kinds, "kind": kinds[0], "anaphora": True, "person": False,
                "ambiguous": False, "context": (),
            })
    articles = _articles(pack)
    for phrase, attrs in list(table.items()):
        for article in articles if not attrs["anaphora"] else ():
            rest = phrase[len(article):]
            if phrase.startswith(article) and (" " in rest or len(rest) >= SHORT_ALIAS):
                table.setdefault(rest, attrs)
                break
    return build_lexicon(pack, table)


def _naming_forms(entry, lang: str):
    name = entry["names"].get(lang)
    if name:
        yield name, False
    for phrase in entry["aliases"].get(lang, ()):
        yield phrase, False
    for phrase in entry["people"].get(lang, ()):
        yield phrase, True


@functools.lru_cache(maxsize=None)
def load_gazetteers(folder: Path | str | None = None) -> Gazetteers:
    """Load and check `actors.yaml` and `sources.yaml` from `folder` (default: the packaged ones).

    >>> g = load_gazetteers()
    >>> g.sources["sohr"]["kind"], g.actors["hts"]["names"]["en"]
    ('monitor', 'Hayat Tahrir al-Sham')
    """
    base = Path(folder) if folder else GAZETTEER_DIR
    digest = hashlib.sha1()
    groups: dict[str, dict] = {}
    seen_ids: dict[str, Path] = {}
    for group, kinds in KINDS.items():
        path = base / f"{group}.yaml"
        if not path.exists():
            raise DataFileError(path, "file", f"missing gazetteer {group}.yaml in {base}")
        digest.update(path.read_bytes())
        content = read_yaml(path)
        check_keys(path, "top level", content, {group})
        raw = content.get(group) or []
        if not isinstance(raw, list):
            raise DataFileError(path, group, "expected a list of entries")
        entries = {}
        for i, item in enumerate(raw):
            entry = _check_entry(path, f"{group}[{i}]", item, kinds)
            if entry["id"] in seen_ids:
                raise DataFileError(path, f"{group}[{i}] ({entry['id']})", f"duplicate id (first in {seen_ids[entry['id']].name})")
            seen_ids[entry["id"]] = path
            entries[entry["id"]] = entry
        groups[group] = entries
    _check_unique_forms(base, groups)
    return Gazetteers(
        MappingProxyType(groups["actors"]), MappingProxyType(groups["sources"]), base, digest.hexdigest()[:12],
    )


def _check_entry(path: Path, where: str, item, kinds: frozenset[str]) -> MappingProxyType:
    check_keys(path, where, item, ENTRY_KEYS)
    entry_id = item.get("id")
    if not isinstance(entry_id, str) or not ID_FORM.fullmatch(entry_id):
        raise DataFileError(path, where, f"id must be snake_case ASCII, got {entry_id!r}")
    where = f"{where} ({entry_id})"
    if entry_id in RESERVED_IDS:
        raise DataFileError(path, where, f"id {entry_id!r} is reserved (the outlet's own voice)")
    if item.get("kind") not in kinds:
        raise DataFileError(path, f"{where}.kind", f"unknown kind {item.get('kind')!r}; allowed: {sorted(kinds)}")
    names = item.get("names")
    if not isinstance(names, dict) or not names:
        raise DataFileError(path, f"{where}.names", "expected a mapping of language to name")
    for lang, name in names.items():
        _check_lang(path, f"{where}.names", lang)
        if not isinstance(name, str) or not name.strip():
            raise DataFileError(path, f"{where}.names.{lang}", "expected a non-empty string")
    lists = {}
    for key in LISTS:
        value = item.get(key) or {}
        if not isinstance(value, dict):
            raise DataFileError(path, f"{where}.{key}", "expected a mapping of language to a list of phrases")
        per_lang = {}
        for lang, phrases in value.items():
            _check_lang(path, f"{where}.{key}", lang)
            phrases = [phrases] if isinstance(phrases, str) else phrases
            if not isinstance(phrases, list):
                raise DataFileError(path, f"{where}.{key}.{lang}", "expected a list of phrases")
            for j, phrase in enumerate(phrases):
                if not isinstance(phrase, str) or not phrase.strip():
                    raise DataFileError(path, f"{where}.{key}.{lang}[{j}]", f"expected a non-empty string, got {phrase!r}")
            per_lang[lang] = tuple(phrases)
        lists[key] = MappingProxyType(per_lang)
    for lang, phrases in lists["ambiguous"].items():
        for phrase in phrases:
            if phrase not in lists["aliases"].get(lang, ()):
                raise DataFileError(path, f"{where}.ambiguous.{lang}", f"{phrase!r} is not one of its aliases")
    dates = {key: _check_date(path, f"{where}.{key}", item.get(key)) for key in ("valid_from", "valid_to")}
    if dates["valid_from"] and dates["valid_to"] and dates["valid_from"] > dates["valid_to"]:
        raise DataFileError(path, f"{where}.valid_to", "valid_to is before valid_from")
    note = item.get("note", "")
    if not isinstance(note, str):
        raise DataFileError(path, f"{where}.note", "expected a string")
    return MappingProxyType({
        "id": entry_id, "kind": item["kind"], "names": MappingProxyType(dict(names)), **lists, **dates, "note": note,
    })


def _check_lang(path: Path, where: str, lang) -> None:
    if not isinstance(lang, str) or not LANG_FORM.fullmatch(lang):
        raise DataFileError(path, where, f"language keys are codes such as 'ar' or 'en', got {lang!r}")


def _check_date(path: Path, where: str, value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataFileError(path, where, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _canonicaliser(lang: str):
    if lang in available_languages():
        return load_pack(lang).canonical
    return str.casefold


def _entry_of(groups: dict, entry_id: str) -> dict:
    return next(entries[entry_id] for entries in groups.values() if entry_id in entries)


def _apart_in_time(first: dict, second: dict) -> bool:
    """Whether one entry ended before the other began (a state's successive governments)."""
    def before(a, b):
        return a.get("valid_to") is not None and b.get("valid_from") is not None and a["valid_to"] < b["valid_from"]
    return before(first, second) or before(second, first)


def _check_unique_forms(base: Path, groups: dict) -> None:
    """An alias, name or person names one id per language; an anaphor is never someone's name."""
    owners: dict[tuple[str, str], str] = {}
    anaphors: list[tuple[str, str, str, str]] = []
    for group, entries in groups.items():
        path = base / f"{group}.yaml"
        for entry_id, entry in entries.items():
            langs = set(entry["names"]) | {lang for key in LISTS for lang in entry[key]}
            for lang in langs:
                canonical = _canonicaliser(lang)
                for phrase, _person in _naming_forms(entry, lang):
                    key = (lang, canonical(phrase))
                    owner = owners.setdefault(key, entry_id)
                    if owner != entry_id and not _apart_in_time(_entry_of(groups, owner), entry):
                        raise DataFileError(path, f"{entry_id}.aliases.{lang}", f"{phrase!r} already names {owner!r}"
                                            " (a form may name two entries only when their dates do not overlap)")
                for phrase in entry["anaphora"].get(lang, ()):
                    anaphors.append((group, entry_id, lang, phrase))
    for group, entry_id, lang, phrase in anaphors:
        owner = owners.get((lang, _canonicaliser(lang)(phrase)))
        if owner is not None:
            raise DataFileError(base / f"{group}.yaml", f"{entry_id}.anaphora.{lang}", f"{phrase!r} is a name of {owner!r}, not an anaphor")
