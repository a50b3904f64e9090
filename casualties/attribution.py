"""Stage 5a: who claims each figure.

A figure is claimed by the source that a reporting cue governs, or by the outlet itself. The
cues, titles and markers are each language's `attribution.yaml`; the sources and actors that
can be claimants are the gazetteers. The search, for a figure in a sentence:

1. the cues before the figure in the same sentence, nearest first ("the Observatory said 20 ...");
   an own-voice phrase ("it is worth noting that") there makes the figure the outlet's;
2. else the cues after it in the same sentence ("..., the Observatory said"); else, inside a
   quotation, the first speech verb after its closing quote, maybe sentences on ('"We buried 71
   people. Some were children," he said.': a pronoun's antecedent before the quotation);
3. else, with no cue before the figure, a source (never a side) doing a deed it counts, named
   right next to the verb (`deed_verbs`: "Police detained four people", "أجلت فرق الدفاع المدني
   نحو 200 تلميذ"), the figure after it in its sentence; or a body whose record holds it
   (`owned_records`: "The army's count also includes 13 members of the security forces");
4. else, when the sentence had cues with no claimant ("He added that ..."), the claimant of the
   sentence before; or, with no cue at all, the sentence before when it ends in a reporting
   frame (a colon);
5. else the outlet's own voice: Claim(publisher id or "publisher", attribution "own").

Each cue names the sides its claimant stands on, in order (`sides: [after, before]` for a
verb-first language). After the cue, the claimant is sought up to the first complementizer
("that") and within `subject_window` words; before it, within `subject_window` words back.
A name that begins before the window and ends in it counts whole; when the window before the
cue finds no claimant and an apposition closes right before the cue ("Hayat Tahrir al-Sham, the
alliance that holds Idlib, said"), the words before the apposition are searched too.
The claimant is the mention nearest the cue, with three refinements:

- after a speech verb, a source carrying an addressee marker ("to Reuters", "told AFP") is the
  channel, not the claimant: "the Observatory's director told AFP" is the Observatory;
- a source after a relay marker ("citing", "quoting") is the original claimant and wins;
- a correspondent speaks for the outlet named with it, else for the publisher;
- an unnamed source or official of a named body ("an official at the Red Cross") is that body;
- an unnamed private person (`private_persons`: "a 38-year-old trader ... told RFI", "قالت امرأة"),
  when no claimant is named, speaks as `private_person_source` (a witness): the last such phrase
  of the verb's clause on the side the pack's subjects stand on.

A name that is not in the gazetteers is found after a title ("spokesman", "secretary of") and
kept as written: snake_case ASCII when Latin, canonical text joined by "_" otherwise. A title
is no part of the id, be it a rank, an honorific (`ranks`: "Colonel", "Dr", "العقيد") or a civil
title, nor is a title or a body written before it, nor the domain a title governs after it with
the common nouns after that (`title_domain_words`): "Army spokesman Colonel Ali Musa" and
"Governor Ali Musa" are ali_musa, "وزير الداخلية اللبناني فلان الفلاني" فلان_الفلاني; with no name
after them, the title and its domain name the office ("محافظ حلب"). A name
in apposition before the title is the person's: "Akram Gliwan, a spokesman for the hospital,
said" (the title names no one after it), "وقال راجع بركات، عضو مجلس المحافظة" (the name
stands right after the verb); so is one in commas after it ("the army's spokesman, Ali Musa,
said"), and one before an apposition an `apposition_heads` word opens ("Peter Banda, a church
coordinator, said", "وقال فلان، أحد وجهاء البلدة، إن"). A named person in a closed apposition
with the body he speaks for claims over the body ("Boris Cheshirkov, a UNHCR spokesperson,
said", "وقال فلان، المتحدث باسم الوزارة، إن"), unless the gazetteer knows him (he is then a
mention of the body). A mention right after a figure's amount is the people it counts ("killing
three villagers, the group said"), never its claimant. A source
anaphor with no antecedent ("the ministry") is kept as written the same way. A denial cue
("denied", "dismissed claims") makes an explicit claim whose rule id ends in ".denial" (see `is_denial`).
With `after_start_window`, a speech verb's claimant after it must start within that many words
of it ("..., said the ministry"), never further on in the reported clause ("said its troops
killed 15 insurgents"). A speech verb whose subject is a pronoun (`pronouns`: "it said"), with no
claimant in its sentence or inherited, is claimed by the last body named in the sentence before;
with none, by the claimant a speech verb of the three sentences before names (a person kept as
written: "Balarabe Garba, the village head, told ... "We buried 120 people," he said").
A civil body a country word or possessive qualifies (`body_heads`: "the Turkish Medical
Association", "Pakistan's bar council"), named by no gazetteer entry, is a mention kept as
written (turkish_medical_association), never the country's side.
An international movement's name a country word qualifies (`national_bodies`: "the Ethiopian Red
Cross", "الهلال الأحمر اليمني") is that country's society kept as written, not the ICRC.
A participle after a comma (`participles`: ", saying") whose windows name no claimant has the
main clause's subject, named in the sentence's first `subject_window` words with no cue between
("President Ali Musa declared the siege over on Tuesday night, saying 61 ..."), the words its
script writes in lower case after a name cut ("ali musa", not "ali musa declared"). A side
(an actor) in the object of the speech verb before a cue, that verb's claimant named before it,
a comma between it and the cue, is whom that claimant spoke of, never the cue's subject ("أعلن
المحافظ فلان انتهاء العمليات ضد مسلحي داعش، مؤكدا مقتل 74": the governor's).
A cue is not one when `not_followed_by` words follow it ("claimed responsibility"), when
`not_preceded_by` words stand right before it ("an estimated 30,000": an adjective), or, with
`not_before_amount`, when an amount in digits follows it: "نقلت 35 مصابا" (transported 35
wounded) is not "نقلت وكالة ... عن" (relayed); or a figure, one word at most between besides a
known name, unless it is a deed verb ("نشر الجيش نحو ألفي جندي": deployed); or, with `needs_after`, when none of those words
follows within name_window words in its sentence ("خفضت الحكومة، أمس، حصيلة الضحايا": lowered the
toll; "رفعت العلم": raised a flag). Such a cue names its object after itself and claims only the
figures after it ("killed 40, before the army raised the toll to 52"). A name written after a title wins over a source
anaphor with no antecedent ("عبد الرحمن" before any Rami Abdel Rahman was named).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, islice
from dataclasses import dataclass, field
from types import MappingProxyType

import regex

from .errors import DataFileError
from .gazetteer import Gazetteers, Mention
from .langpack import LanguagePack, Lexicon, build_lexicon
from .model import Claim
from .text import sentence_spans

OWN = "own"
EXPLICIT = "explicit"
PUBLISHER = "publisher"
UNNAMED = "unnamed_source"
DENIAL_SUFFIX = ".denial"
SIDES = ("after", "before")
ROLES = {"speech_verbs": "verb", "cues": "cue", "own_voice": "own"}
ENTRY_KEYS = {"id", "forms", "sides", "bare", "not_followed_by", "not_preceded_by", "not_before_amount", "examples",
              "counterexamples", "note", "keeps_written", "needs_after"}
SETTINGS_KEYS = {
    "subject_window", "name_window", "name_max_words", "complementizers", "window_stops",
    "addressee_prefixes", "addressee_before", "relay_before", "frame_endings", "titles", "name_stops",
    "owner_window", "affiliation_markers", "after_start_window", "pronouns", "subject_before_markers",
    "source_after_window", "continuation_words", "agent_markers", "channel_before", "private_persons", "private_person_articles",
    "private_person_source", "apposition_heads", "relative_pronouns", "written_stops", "named_titles",
    "copulas", "common_noun_prefixes", "place_markers", "auxiliaries", "medical_persons", "medical_person_source",
    "source_articles", "record_nouns", "partitives", "private_person_ages",
    "partitives_before", "official_persons", "official_person_source", "ranks", "passive_agents", "deed_verbs", "owned_records",
    "title_domain_words", "title_domain_heads", "title_domain_markers", "participles", "body_heads", "medical_places", "state_body_heads",
    "place_body_heads", "national_bodies", "written_letters", "place_nouns", "institution_heads", "article_prefixes",
}
QUOTES = "\"'"
# A word: a run of non-space characters. Asked of short windows several times per figure, it is
# compiled by the standard engine (a third less per call than `regex`), with `regex`'s space
# class written out: the standard \s also takes \x1c-\x1f (test_attribution checks the two agree).
SPACES = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
WORD = re.compile(f"[^{SPACES}]+")
BRACKETED = regex.compile(r"\((\w{2,10})\)")  # an acronym defined in brackets: "(UNMISS)"
ACRONYM_GAP = 6  # words between a body's name and the acronym defined after it: "the UN Mission in South Sudan (UNMISS)"
QUOTED = regex.compile(r"\"([^\"\n]{1,80})\"")  # compiled once: the regex module's cache costs 20 microseconds a call
WORDLIKE = regex.compile(r"\w")
LOOKAROUND = 80
MAX_CUES = 8  # cues tried on each side of a figure: farther ones do not govern it
APPOSITION_MODIFIERS = 5  # words between an apposition's article and its title: "the Armed Forces of the Philippines spokesman"
PRONOUN_REACH = 3  # sentences back a pronoun subject's antecedent is sought in, when no gazetteer name is
MEDIA_KINDS = frozenset({"agency", "outlet", "state_media", "armed_group_media", "correspondent"})  # addressees
SUBJECT_WORDS = 3  # a sentence's subject is named within its first words ("وكانت بعثة الأمم المتحدة")
DATELINE_WORDS = 3  # a dateline's place before its dash: "Addis Abeba – ", "بغداد - "
DASHES = frozenset({"-", "–", "—"})
# punctuation that ends a phrase: a verb, a name and the count it tells stand with none between
CLAUSE_MARKS = frozenset(',;:.()"\n')
BODY_WORDS = 3  # words after a country word a body qualified by it may have ("Pakistan Bar Council")
STATE_FORCES = "state_forces"  # the actors' kind of a state's army or police: its named officers speak as themselves
OFFICIAL_KIND = "official"  # the kind of a body kept as written after a country word
NAME_JUNK = regex.compile(r"[^\p{L}\p{N}]+")
LATIN = regex.compile(r"[\p{Latin}\p{N}\s\p{P}\p{S}]+")
UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "ß": "ss",
                              "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th"})


def is_denial(claim: Claim) -> bool:
    """True when the claim was found through a denial cue ("denied")."""
    return claim.rule.endswith(DENIAL_SUFFIX)


def attribute(
    canonical: str,
    pack: LanguagePack,
    gazetteers: Gazetteers,
    figures: list[tuple[int, int]],
    publisher_id: str | None,
    written=None,
    day: date | None = None,
) -> list[Claim]:
    """One Claim per figure span (canonical offsets of the figure's number), in order.

    Claim.start/end and Claim.text are the canonical span and text naming the claimant.
    `written(start, end)` gives the text as written under a canonical span (Normalised's
    original_slice): a name stop the normalisation folds onto a name's spelling stops a name only
    where written as the stop (`written_stops`); without it, every folded form stops one.

    >>> from casualties.langpack import load_pack
    >>> from casualties.gazetteer import load_gazetteers
    >>> pack = load_pack("en")
    >>> text = pack.normalise("At least 20 people were killed, the Syrian Observatory said.").canonical
    >>> [c.claimed_by for c in attribute(text, pack, load_gazetteers(), [(9, 11)], None)]
    ['sohr']
    """
    if not figures:
        return []
    rules = pack.compiled("attribution", compile_rules)
    return _Document(canonical, pack, gazetteers, rules, publisher_id, written, day).claims(figures)


@dataclass(frozen=True)
class Rules:
    """One language's attribution data, compiled."""

    cues: Lexicon
    marks: tuple[tuple[str, MappingProxyType], ...]
    complementizers: Lexicon
    titles: Lexicon
    subject_window: int
    name_window: int
    name_max_words: int
    owner_window: int
    window_stops: tuple[str, ...]
    addressee_prefixes: frozenset[str]
    addressee_before: tuple[str, ...]
    relay_before: tuple[str, ...]
    affiliation_markers: tuple[str, ...]
    frame_endings: tuple[str, ...]
    name_stops: frozenset[str]
    entries: MappingProxyType
    after_start_window: int | None = None
    pronouns: tuple[str, ...] = ()
    subject_before_markers: tuple[str, ...] = ()
    source_after_window: int | None = None
    continuation_words: frozenset[str] = frozenset()
    agent_markers: tuple[str, ...] = ()
    # a medium after these carried the words and did not say them, whatever the cue
    channel_before: tuple[str, ...] = ()
    # an unnamed private person who speaks ("a 38-year-old trader told ...", "قالت امرأة"): the
    # pattern of such a phrase (an article the pack's indefinites need, up to three words, a
    # person noun) and the source id they speak as
    private_person: regex.Pattern | None = None
    private_person_source: str | None = None
    # an unnamed medic who speaks ("قال طبيب في المشفى الميداني"): the same kind of phrase, and the
    # source id they speak as
    medical_person: regex.Pattern | None = None
    medical_person_source: str | None = None
    official_person: regex.Pattern | None = None
    official_person_source: str | None = None
    # words that open an apposition describing the person named before it ("Ali Musa, a
    # coordinator in the district,", "علي ديالو، أحد وجهاء القرية،"), and relative pronouns that
    # may close one ("Ali Musa, a resident who said")
    apposition_heads: frozenset[str] = frozenset()
    relative_pronouns: frozenset[str] = frozenset()
    # the dates data's words, for telling a time phrase in commas from a name ("قال المتحدث، مساء
    # الأربعاء، إن"): a day's own name (weekdays, today, yesterday) is never a name's word; the
    # other date words (months, "on", "evening", "last") make a time phrase only all together
    day_names: frozenset[str] = frozenset()
    date_words: frozenset[str] = frozenset()
    # name stops whose canonical form is also a name's ("على" folds onto the name "علي"): the
    # canonical stop -> its written forms, without marks; only these spellings stop a name
    written_stops: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # titles that name someone only with a name ("Police chief Joseph Boinnet", "Balarabe Garba,
    # the village head,"): alone they are other words ("shot in the head")
    named_titles: frozenset[str] = frozenset()
    # ranks and honorifics (also titles): never part of a name's id, nor is a title before them
    # ("Army spokesman Colonel Philip Aguer" is philip_aguer, "المتحدث باسم الوزارة العقيد فلان")
    ranks: frozenset[str] = frozenset()
    passive_agents: tuple[str, ...] = ()  # "announced by police": the agent of a passive speech verb
    # deeds a source counts itself ("Police detained four people", "أجلت فرق الدفاع المدني 200
    # تلميذ"): their subject, a source, claims the figure after them; and the rule id of that claim
    deed_verbs: Lexicon | None = None
    deed_rule: str = ""
    record_rule: str = ""  # the rule id of a record owner's claim
    owned_records: tuple[str, ...] = ()  # "the army's count": its owner's record
    # copulas whose subject stands before a subject marker ("وكان فلان قد أعلن"), and the
    # beginnings of a word that make it a common noun, no given name (the article)
    copulas: frozenset[str] = frozenset()
    # words that make the name after them a place ("the UN mission in Ukraine said")
    place_markers: tuple[str, ...] = ()
    # words between a subject pronoun and its verb: "it had recorded"
    auxiliaries: frozenset[str] = frozenset()
    pronoun_words: tuple[tuple[str, ...], ...] = ()  # each pronoun's words ("the statement")
    partitives: tuple[str, ...] = ()  # "of them", "of the": a part of a count told before
    # the words right before such a part, or the sentence's first: "among them", "Among the passengers were"
    partitives_before: tuple[tuple[str, ...], ...] = ()
    # a source kept as written after a cue (keeps_written): the articles it may begin with, and
    # the nouns of records that name no source ("according to official figures")
    source_articles: frozenset[str] = frozenset()
    record_nouns: frozenset[str] = frozenset()
    common_noun_prefixes: tuple[str, ...] = ()
    # words a title written without the article governs after itself, its domain ("وزير الداخلية",
    # "محافظ جنين"): no part of the name that follows, nor are the common nouns after them
    title_domain_words: int = 0
    # a domain's words that govern one more ("والي غرب دارفور", "محافظ شمال سيناء")
    title_domain_heads: frozenset[str] = frozenset()
    # words that open a title's domain after it in a script with capitals ("High Commissioner for
    # Human Rights Volker Türk"): the domain's words and the name are written capitalised
    title_domain_markers: frozenset[str] = frozenset()
    # speech verbs that, after a comma, continue the main clause and have its subject ("President
    # Ali Musa declared the siege over on Tuesday night, saying 61 civilians had been killed")
    participles: frozenset[str] = frozenset()
    # the head nouns of a body a country word or possessive qualifies, no gazetteer entry naming
    # it ("the Turkish Medical Association", "Pakistan's bar council"): the body, kept as written
    body_heads: frozenset[str] = frozenset()
    # words of a medical place ("مستشفى", "الطبي", "hospital"): an unnamed source or official in
    # one no gazetteer names ("مسؤول في مركز سبها الطبي", "an official at the Sabha medical
    # centre") speaks as medical_person_source
    medical_places: frozenset[str] = frozenset()
    # a state body after a possessive of a capitalised name no gazetteer knows ("Ecuador's government
    # said", "Colombia's army"): the body of a country the gazetteers lack, kept as written
    # (ecuador_government)
    state_body_heads: Lexicon | None = None
    # a body a place's proper name qualifies with no possessive ("Rutshuru civil society leaders
    # said": rutshuru_civil_society), or none ("civil society leaders said": civil_society)
    place_body_heads: Lexicon | None = None
    # the words the pack knows as no name's (cues, outcome and counted words, numbers, the
    # complementizers): a name begun in a claimant's window runs on past it over other words only
    # ("وأعلن الناطق الرسمي باسم الوزارة فلان علي الفلاني إيقاف شخصين": the name, not the arrest)
    known_words: Lexicon | None = None
    # the names of an international movement whose national societies a country word names
    # ("Red Cross", "الهلال الأحمر"): "the Ethiopian Red Cross" is that country's, not the ICRC
    national_bodies: frozenset[str] = frozenset()
    # letters the canonical text folds that a name kept as written keeps (ى, ة, ئ, ؤ): "موسى عبد
    # الكريم" is موسى_عبد_الكريم, as the text writes it
    written_letters: frozenset[str] = frozenset()
    # nouns of a part of a country after a place's name ("Moscow Region Governor Andrei Vorobyov",
    # "the Kharkiv oblast"): a side's name before one names the place, never who speaks
    place_nouns: frozenset[str] = frozenset()
    # head nouns of a body no gazetteer names, read after a cue with the words that name it and
    # kept as written ("وفق ما أعلنه المجلس البلدي", "بحسب بيان لمديرية الأمن العام"); the
    # proclitics that are the article (an article head governs no noun, only adjectives with it)
    institution_heads: Lexicon | None = None
    article_prefixes: tuple[str, ...] = ()


def _date_words(pack: LanguagePack) -> dict:
    """The day names and the other date words of the pack's dates data, canonical, word by word."""
    def forms(entries):
        return [form for entry in entries or [] for form in entry.get("forms") or []]

    def split(phrases):
        return {word for phrase in phrases for word in pack.canonical(str(phrase)).split()}

    weekdays = pack.section("dates", "weekdays") or {}
    months = pack.section("dates", "months") or {}
    day_names = {pack.canonical(str(f)) for f in forms(weekdays.get("names")) + forms(pack.section("dates", "relative_days"))}
    date_words = split(forms(months.get("names")) + [w for key in ("this_month", "past_month") for w in months.get(key) or []]
                       + [w for key in ("prefixes", "future", "past") for w in weekdays.get(key) or []])
    return {"day_names": frozenset(n for n in day_names if " " not in n), "date_words": frozenset(date_words)}


def compile_rules(pack: LanguagePack) -> Rules:
    """Check and compile `attribution.yaml` of `pack` (errors name the file and the entry)."""
    path = pack.path_of("attribution")
    data = pack.data.get("attribution")
    if data is None:
        raise DataFileError(path, "file", f"language pack {pack.code!r} has no attribution.yaml")
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        raise DataFileError(path, "settings", "expected a mapping")
    unknown = set(settings) - SETTINGS_KEYS
    if unknown:
        raise DataFileError(path, "settings", f"unknown key(s) {sorted(unknown)}; allowed: {sorted(SETTINGS_KEYS)}")
    cues: dict[str, MappingProxyType] = {}
    entries = {}
    for section, role in ROLES.items():
        raw = data.get(section) or []
        if not isinstance(raw, list):
            raise DataFileError(path, section, "expected a list of entries")
        for i, entry in enumerate(raw):
            where = f"{section}[{i}]"
            entry = _check_entry(path, where, entry, role)
            where = f"{where} ({entry['id']})"
            if entry["id"] in entries:
                raise DataFileError(path, where, "duplicate id")
            entries[entry["id"]] = entry
            attrs = MappingProxyType({"id": entry["id"], "role": role, "sides": entry["sides"], "bare": entry["bare"],
                                      "not_followed_by": tuple(pack.canonical(w) for w in entry["not_followed_by"]),
                                      "not_preceded_by": tuple(pack.canonical(w) for w in entry["not_preceded_by"]),
                                      "not_before_amount": entry["not_before_amount"],
                                      "needs_after": frozenset(pack.canonical(w) for w in entry["needs_after"])})
            for form in entry["forms"]:
                key = pack.canonical(form)
                if key in cues and cues[key]["id"] != entry["id"]:
                    raise DataFileError(path, f"{where}.forms", f"{form!r} is already a form of {cues[key]['id']!r}")
                cues[key] = attrs

    def words(key):
        value = settings.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DataFileError(path, f"settings.{key}", "expected a list of strings")
        return tuple(pack.canonical(v) for v in value)

    def number(key, default):
        value = settings.get(key, default)
        if not isinstance(value, int) or value < 0:
            raise DataFileError(path, f"settings.{key}", f"expected a non-negative integer, got {value!r}")
        return value

    def heads(key):
        """A lexicon of the words under `key`, or None when there are none."""
        forms = words(key)
        return build_lexicon(pack, {w: True for w in forms}, clitics=False) if forms else None

    marks = tuple((form, attrs) for form, attrs in cues.items() if not WORDLIKE.search(form))
    return Rules(
        cues=build_lexicon(pack, {form: attrs for form, attrs in cues.items() if WORDLIKE.search(form)}),
        marks=marks,
        complementizers=build_lexicon(pack, {w: True for w in words("complementizers")}, clitics=False),
        titles=build_lexicon(pack, {w: True for w in words("titles") + words("ranks")}),
        subject_window=number("subject_window", 7),
        name_window=number("name_window", 14),
        name_max_words=number("name_max_words", 4),
        owner_window=number("owner_window", 2),
        window_stops=words("window_stops"),
        addressee_prefixes=frozenset(words("addressee_prefixes")),
        addressee_before=words("addressee_before"),
        relay_before=words("relay_before"),
        channel_before=words("channel_before"),
        affiliation_markers=words("affiliation_markers"),
        frame_endings=words("frame_endings"),
        name_stops=frozenset(words("name_stops")),
        entries=MappingProxyType(entries),
        after_start_window=number("after_start_window", 0) or None,
        pronouns=words("pronouns"),
        pronoun_words=tuple(tuple(p.split()) for p in words("pronouns")),
        partitives=words("partitives"),
        partitives_before=tuple(tuple(p.split()) for p in words("partitives_before")),
        subject_before_markers=words("subject_before_markers"),
        source_after_window=number("source_after_window", 0) or None,
        continuation_words=frozenset(words("continuation_words")),
        agent_markers=words("agent_markers"),
        private_person=_private_person_pattern(pack, words("private_persons"), words("private_person_articles"),
                                               words("private_person_ages")),
        **_date_words(pack),
        private_person_source=_source_id(path, settings.get("private_person_source")),
        medical_person=_private_person_pattern(pack, words("medical_persons"), words("private_person_articles")),
        medical_person_source=_source_id(path, settings.get("medical_person_source"), "medical_person_source"),
        official_person=_private_person_pattern(pack, words("official_persons"), words("private_person_articles")),
        official_person_source=_source_id(path, settings.get("official_person_source"), "official_person_source"),
        apposition_heads=frozenset(words("apposition_heads")),
        relative_pronouns=frozenset(words("relative_pronouns")),
        written_stops=_written_stops(path, pack, settings.get("written_stops", [])),
        named_titles=frozenset(words("named_titles")),
        ranks=frozenset(words("ranks")),
        passive_agents=words("passive_agents"),
        deed_verbs=build_lexicon(pack, {w: True for w in words("deed_verbs")}) if words("deed_verbs") else None,
        deed_rule=f"{pack.code}.deed_subject",
        record_rule=f"{pack.code}.record_owner",
        owned_records=words("owned_records"),
        copulas=frozenset(words("copulas")),
        place_markers=words("place_markers"),
        auxiliaries=frozenset(words("auxiliaries")),
        source_articles=frozenset(words("source_articles")),
        record_nouns=frozenset(words("record_nouns")),
        common_noun_prefixes=words("common_noun_prefixes"),
        title_domain_words=number("title_domain_words", 0),
        title_domain_heads=frozenset(words("title_domain_heads")),
        title_domain_markers=frozenset(words("title_domain_markers")),
        participles=frozenset(words("participles")),
        body_heads=frozenset(words("body_heads")),
        medical_places=frozenset(words("medical_places")),
        state_body_heads=heads("state_body_heads"),
        place_body_heads=heads("place_body_heads"),
        known_words=_known_words(pack, cues, words("complementizers")),
        national_bodies=frozenset(words("national_bodies")),
        written_letters=_letters(path, settings.get("written_letters", [])),
        place_nouns=frozenset(words("place_nouns")),
        institution_heads=build_lexicon(pack, {w: True for w in words("institution_heads")}) if words("institution_heads") else None,
        article_prefixes=words("article_prefixes"),
    )


def _letters(path, value) -> frozenset[str]:
    """The single letters under `written_letters`, as written (not put in canonical form)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) == 1 for v in value):
        raise DataFileError(path, "settings.written_letters", "expected a list of single letters")
    return frozenset(value)


def _known_words(pack: LanguagePack, cues: dict, complementizers: tuple[str, ...]) -> Lexicon:
    """A lexicon of the one-word forms the pack reads as something other than a name: the cues,
    the outcome words, the counted nouns and the things no person is (`non_people`), the number
    words and the complementizers (each word of a phrase counts: "تم إيقاف" knows تم and إيقاف)."""
    def forms(file, key, fields=("forms",)):
        return [f for term in pack.section(file, key, []) or [] for k in fields for f in term.get(k) or []]
    phrases = list(cues) + list(complementizers) + [pack.canonical(f) for f in chain(
        forms("outcomes", "terms"), forms("populations", "terms", ("forms", "singular", "dual")),
        pack.section("populations", "non_people", []) or [], forms("numbers", "words"))]
    known = {word for phrase in phrases for word in pack.canonical(str(phrase)).split() if WORDLIKE.search(word)}
    return build_lexicon(pack, {word: True for word in known})


def _written_stops(path, pack: LanguagePack, forms) -> MappingProxyType:
    if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
        raise DataFileError(path, "settings.written_stops", "expected a list of strings")
    found: dict[str, set[str]] = {}
    for form in forms:
        found.setdefault(pack.canonical(form), set()).add(_unmarked(form))
    return MappingProxyType({stop: frozenset(spellings) for stop, spellings in found.items()})


def _unmarked(text: str) -> str:
    """The letters without their combining marks (vowel signs): how a stop is spelt."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if not unicodedata.combining(ch))


def _source_id(path, value, key: str = "private_person_source") -> str | None:
    if value is not None and not (isinstance(value, str) and value):
        raise DataFileError(path, f"settings.{key}", "expected a source id")
    return value


def _private_person_pattern(pack: LanguagePack, nouns: tuple[str, ...], articles: tuple[str, ...],
                            ages: tuple[str, ...] = ()) -> regex.Pattern | None:
    """"a 38-year-old trader", "one South African contractor" (an article, then up to three
    words), or a bare indefinite noun where the pack names no article ("امرأة"); with `ages`, any
    noun after an age ("a 29-year-old actor": an age marks a private person)."""
    if not nouns:
        return None
    word = pack.section("morphology", "word_chars", r"[\p{L}\p{M}\p{N}_]") or r"[\p{L}\p{M}\p{N}_]"
    noun = "|".join(regex.escape(n) for n in sorted(nouns, key=len, reverse=True))
    head = rf"(?:{'|'.join(regex.escape(a) for a in articles)})\s+(?:\S+\s+){{0,3}}?" if articles else ""
    aged = ""
    if ages and articles:
        age = "|".join(regex.escape(a) for a in ages)
        aged = rf"|(?:{'|'.join(regex.escape(a) for a in articles)})\s+\d+(?:{age})\s+{word}+"
    return regex.compile(rf"(?<!{word})(?:{head}(?:{noun}){aged})(?!{word})", regex.V1)


def _check_entry(path, where: str, entry, role: str) -> MappingProxyType:
    if not isinstance(entry, dict):
        raise DataFileError(path, where, "expected a mapping")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise DataFileError(path, where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(ENTRY_KEYS)}")
    rule_id = entry.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise DataFileError(path, where, "every entry needs an id")
    where = f"{where} ({rule_id})"
    forms = entry.get("forms")
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f.strip() for f in forms):
        raise DataFileError(path, f"{where}.forms", "expected a non-empty list of phrases")
    sides = tuple(entry.get("sides") or (() if role == "own" else None) or ())
    if role != "own" and (not sides or any(s not in SIDES for s in sides)):
        raise DataFileError(path, f"{where}.sides", f"expected a list of {list(SIDES)}")
    for key, size in (("examples", 3), ("counterexamples", 2)):
        cases = entry.get(key)
        if not isinstance(cases, list) or not cases:
            raise DataFileError(path, f"{where}.{key}", f"every rule needs at least one {key[:-1]}")
        for j, case in enumerate(cases):
            if not (isinstance(case, list) and len(case) == size and all(isinstance(c, str) for c in case)):
                shape = "[text, figure, claimed_by]" if size == 3 else "[text, figure]"
                raise DataFileError(path, f"{where}.{key}[{j}]", f"expected {shape}")
            if case[1] not in case[0]:
                raise DataFileError(path, f"{where}.{key}[{j}]", f"figure {case[1]!r} is not in the text")
    return MappingProxyType({
        "id": rule_id, "forms": tuple(forms), "sides": sides, "bare": bool(entry.get("bare", False)),
        "not_followed_by": tuple(_phrases(path, f"{where}.not_followed_by", entry.get("not_followed_by") or [])),
        "not_preceded_by": tuple(_phrases(path, f"{where}.not_preceded_by", entry.get("not_preceded_by") or [])),
        "not_before_amount": bool(entry.get("not_before_amount", False)),
        "needs_after": tuple(_phrases(path, f"{where}.needs_after", entry.get("needs_after") or [])),
        "keeps_written": bool(entry.get("keeps_written", False)),
        "examples": tuple(tuple(c) for c in entry["examples"]),
        "counterexamples": tuple(tuple(c) for c in entry["counterexamples"]),
    })


def _phrases(path, where: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(path, where, "expected a list of phrases")
    return value


def _followed_by(text: str, end: int, phrases: tuple[str, ...]) -> bool:
    """Whether one of `phrases` is the next word(s) after `end`: "claimed responsibility" is no claim."""
    rest = text[end:end + 60].lstrip()
    return any(rest.startswith(p) and not rest[len(p):len(p) + 1].isalnum() for p in phrases)


def _word_within(text: str, end: int, words: frozenset[str], window: int) -> bool:
    """Whether one of `words` is among the `window` words after `end`, in its sentence: "خفضت
    الحكومة، أمس، حصيلة الضحايا" (lowered ... the toll) revises a toll; "رفعت العلم" raised a flag."""
    for word in islice(WORD.finditer(text, end), window):
        token = word.group()
        if token.strip(QUOTES + ",;:.()") in words:
            return True
        if token.endswith((".", "!", "?")) or "\n" in text[end:word.start()]:
            return False
    return False


def _preceded_by_word(text: str, start: int, phrases: tuple[str, ...]) -> bool:
    """Whether one of `phrases` is the word(s) right before `start`: "an estimated 30,000" is no claim."""
    head = text[max(0, start - max(map(len, phrases)) - 2):start].rstrip()
    return any(head.endswith(p) and not head[-len(p) - 1:-len(p)].isalnum() for p in phrases)


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    rule: str
    role: str
    sides: tuple[str, ...]
    forward: bool = False  # it names its object after itself (`needs_after`): it claims only the figures after it


@dataclass(frozen=True, slots=True)
class _Found:
    claimed_by: str
    text: str
    start: int
    end: int


class _Document:
    """The mentions, cues and sentences of one text, computed once for all its figures."""

    def __init__(self, canonical: str, pack: LanguagePack, gazetteers: Gazetteers, rules: Rules, publisher_id, written=None,
                 day=None):
        self.text = canonical
        self.written = written
        self._canonical = pack.canonical
        self._letters: dict[str, str] = {}  # a written letter -> its canonical form (_as_written)
        self.rules = rules
        self.known = gazetteers.entry  # a claimant id the gazetteers hold, or a name read from the text
        self.publisher = publisher_id or PUBLISHER
        self.sentences = sentence_spans(canonical) or [(0, len(canonical))]
        self._sentence_starts = [low for low, _ in self.sentences]
        # in text order and apart (a longer mention wins an overlap): bisect finds a window's
        self.mentions = _claimant_mentions(canonical, pack, gazetteers, day)
        countries = gazetteers.country_mentions(canonical, pack)
        if rules.place_nouns:
            self.mentions = [m for m in self.mentions if not _names_region(canonical, m, rules.place_nouns)]
        if written is not None:
            self.mentions = _with_acronyms(canonical, self.mentions, written)
        if rules.body_heads:
            self.mentions = _with_country_bodies(canonical, self.mentions, countries, rules)
        if rules.national_bodies:
            self.mentions = _with_national_societies(canonical, self.mentions, countries, rules)
        if rules.state_body_heads is not None and written is not None:
            self.mentions = _with_possessed_states(canonical, self.mentions, rules, written)
        if rules.place_body_heads is not None and written is not None:
            self.mentions = _with_place_bodies(canonical, self.mentions, rules, written)
        if rules.institution_heads is not None:
            self.mentions = [m for m in self.mentions if not self._headed_media(m)]
        self._country_words = {(start, end) for start, end, _ids in countries}
        self.mentions = _with_qualified_anaphora(canonical, self.mentions, self._country_words, rules.common_noun_prefixes)
        self._mention_starts = [m.start for m in self.mentions]
        self.cues = []
        for start, end, _term, attrs, pre, suf in rules.cues.find(canonical):
            if (attrs["bare"] and suf) or _followed_by(canonical, end, attrs["not_followed_by"]) \
                    or (attrs["not_preceded_by"]
                        and _preceded_by_word(canonical, start + len(pre), attrs["not_preceded_by"])) \
                    or (attrs["not_before_amount"] and canonical[end:end + 12].lstrip()[:1].isdigit()) \
                    or (attrs["needs_after"] and not _word_within(canonical, end, attrs["needs_after"], rules.name_window)):
                continue
            self.cues.append(_Cue(start + len(pre), end - len(suf), attrs["id"], attrs["role"], attrs["sides"],
                                  bool(attrs["needs_after"])))
        for form, attrs in rules.marks:
            for a in _occurrences(canonical, form):
                b = a + len(form)
                if not (0 < a and b < len(canonical) and canonical[a - 1].isalnum() and canonical[b].isalnum()):
                    self.cues.append(_Cue(a, b, attrs["id"], attrs["role"], attrs["sides"]))
        self.cues.sort(key=lambda c: c.start)
        self._cue_starts = [c.start for c in self.cues]
        self.stops = sorted(
            [start + len(pre) for start, _e, _t, _a, pre, _s in rules.complementizers.find(canonical)]
            + [at for stop in rules.window_stops for at in _occurrences(canonical, stop)]
        )
        self.titles = sorted((start + len(pre), end - len(suf)) for start, end, _t, _a, pre, suf in rules.titles.find(canonical))
        self._title_starts = [start for start, _end in self.titles]
        self._titles_by_end = sorted(self.titles, key=lambda t: t[1])
        self._title_ends = [end for _start, end in self._titles_by_end]
        # Indexes that keep each question about the cues near a place from reading all of them:
        # a long text has many, and the questions are asked per figure.
        self._cue_ends = sorted(c.end for c in self.cues)
        self._cue_reach = list(accumulate((c.end for c in self.cues), max, initial=-1))  # max end of cues[:i]
        self._figure_sentences: set[int] = set()  # sentences holding a figure (claims() sets them)
        self._figure_starts: list[int] = []
        self._people: tuple[dict, dict] | None = None  # the people named with a title (_named_people)

    def _headed_media(self, mention: Mention) -> bool:
        """An outlet's name right after a body's head noun names the body, not the outlet
        ('"مؤتمر الجزيرة"', "لجنة الجزيرة": a conference, a committee of the Gezira region)."""
        if mention.kind not in MEDIA_KINDS or mention.prefix:
            return False
        head = self.text[max(0, mention.start - 24):mention.start]
        if not head.endswith(" ") or head.rstrip().endswith(tuple(QUOTES)):
            return False  # one space between, no quote closing before the name
        word = head.split()[-1].lstrip(QUOTES) if head.split() else ""
        at = mention.start - len(head) + head.rfind(word)
        hit = self.rules.institution_heads.match_at(self.text, at, at + len(word)) if word else None
        return hit is not None and hit[1] == at + len(word) and not hit[5]

    def claims(self, figures) -> list[Claim]:
        self._figure_sentences = {self._sentence_of(start) for start, _end in figures}
        self._figure_starts = sorted(start for start, _end in figures)
        self._drop_before_figures()
        self._drop_counted(sorted(end for _start, end in figures))
        return [self._as_written(self._defined_acronym(self.claim(start, end))) for start, end in figures]

    def _as_written(self, claim: Claim) -> Claim:
        """A claimant no gazetteer knows, its id the name read from the text, spelled with the
        letters the text writes where the canonical text folds them (`written_letters`): "موسى عبد
        الكريم" is موسى_عبد_الكريم, "وائل أبو فاعور" وائل_ابو_فاعور (the alef forms stay folded)."""
        keep = self.rules.written_letters
        if not keep or self.written is None or claim.attribution != EXPLICIT or claim.start < 0 \
                or self.known(claim.claimed_by) is not None:
            return claim
        canonical = self.text[claim.start:claim.end]
        if name_id(canonical) != claim.claimed_by:
            return claim
        written = self.written(claim.start, claim.end)
        if not keep.intersection(written):
            return claim
        # each letter as the canonical text writes it (marks gone), but those kept as written
        letters = self._letters
        for ch in set(written) - keep - letters.keys():
            letters[ch] = self._canonical(ch)
        spelled = "".join(ch if ch in keep else letters[ch] for ch in written)
        if self._canonical(spelled) != canonical:
            return claim
        return Claim(name_id(spelled), claim.text, claim.attribution, claim.start, claim.end, claim.rule)

    def _defined_acronym(self, claim: Claim) -> Claim:
        """A body no gazetteer knows, read by its name, that the text defines an acronym for right
        after ("the Pakistan Institute for Conflict and Security Studies (PICSS)", the name read
        up to "for"): the acronym is its id, as for "The ... (DSWD) said" (`_acronym`)."""
        if claim.attribution != EXPLICIT or claim.start < 0 or self.known(claim.claimed_by) is not None:
            return claim
        tail = self.text[claim.end:claim.end + 100]
        bracket = BRACKETED.search(tail)
        # the name was cut before its end ("... Institute" of "... Institute for Conflict and Security
        # Studies"): a name read whole and then bracketed is a person's with a party's ("Raza Rabbani (PPP)")
        if bracket is None or not 1 <= len(tail[:bracket.start()].split()) <= ACRONYM_GAP \
                or not CLAUSE_MARKS.isdisjoint(tail[:bracket.start()]):
            return claim
        inner = bracket.group(1)
        if not self._written_capitals(claim.end + bracket.start(1), inner):
            return claim
        end = claim.end + bracket.end()
        return Claim(name_id(inner), self.text[claim.start:end], claim.attribution, claim.start, end, claim.rule)

    def _drop_before_figures(self) -> None:
        """A cue marked `not_before_amount` right before a figure, one word at most between besides
        a known name (its subject), is the figure's verb, no report: "نشر الجيش نحو ألفي جندي" and
        "نشرت القوات التركية نحو 300 جندي" deployed troops (the amount in words or after a
        qualifier or a subject, where digits right after the cue were already read so); not a deed
        verb, which its own rule reads."""
        entries, deeds = self.rules.entries, self.rules.deed_verbs
        starts = self._figure_starts

        def before_figure(cue: _Cue) -> bool:
            if not entries[cue.rule]["not_before_amount"] or (deeds is not None and self.text[cue.start:cue.end] in deeds):
                return False  # a deed verb ("نقلت فرق الهلال الأحمر 25 جريحا") keeps its own reading
            i = bisect_left(starts, cue.end)
            if i == len(starts):
                return False
            gap = list(islice(WORD.finditer(self.text, cue.end, starts[i]), 2 * self.rules.name_max_words))
            return sum(1 for w in gap if not self._mention_overlaps(w.start(), w.end())) <= 1 \
                and not CLAUSE_MARKS.intersection(self.text[cue.end:starts[i]])
        kept = [c for c in self.cues if not before_figure(c)]
        if len(kept) < len(self.cues):
            self.cues = kept
            self._cue_starts = [c.start for c in kept]
            self._cue_ends = sorted(c.end for c in kept)
            self._cue_reach = list(accumulate((c.end for c in kept), max, initial=-1))

    def _drop_counted(self, figure_ends: list[int]) -> None:
        """A mention right after a figure's amount names the people it counts, never who claims
        it: "killing at least three villagers, the group said", "قتل ثلاثة من الأهالي" (at most
        two words between, no punctuation, no cue)."""
        def counted(m: Mention) -> bool:
            i = bisect_right(figure_ends, m.start) - 1
            if i < 0:
                return False
            if sum(1 for _ in islice(WORD.finditer(self.text, figure_ends[i], m.start), 3)) > 2:
                return False  # (counted without copying what lies between: it may be most of the text)
            gap = self.text[figure_ends[i]:m.start]
            return not any(ch in gap for ch in ",.;:\"()\n") \
                and bisect_left(self._cue_starts, figure_ends[i]) == bisect_left(self._cue_starts, m.start)
        kept = [m for m in self.mentions if not counted(m)]
        if len(kept) < len(self.mentions):
            self.mentions = kept
            self._mention_starts = [m.start for m in kept]

    def claim(self, start: int, end: int) -> Claim:
        index = self._sentence_of(start)
        low, high = self.sentences[index]
        before = [c for c in self._cues_from(low, start) if c.end <= start]
        after_all = [c for c in self._cues_from(end, high) if c.end <= high]
        after = [c for c in after_all if not c.forward and not self._opens_clause(c, index, start, end)
                 and not self._has_object(c, index, start, end)]
        claim = self._source_right_after(after, index, start, end) \
            or self._first_claim(chain(reversed(before[-MAX_CUES:]), after[:MAX_CUES]), index, start, end) \
            or self._quotation_speaker(start, end)
        if claim:
            return claim
        # a verb after the figure that reports a clause of its own, with its own claimant ("...، فيما
        # قالت مصادر محلية إن ..."), is no sign that the figure was said by the sentence before's speaker
        speaking = any(c.role != "own" for c in before + after) \
            or any(c.role != "own" and self._claimant(c, index, start, end) is None for c in after_all if c not in after)
        speakers = [c for c in before if c.role != "own"]
        if speakers:
            # "وكانت بعثة الأمم المتحدة ... قد أعربت عن ...، مشيرة إلى أنها وثقت مقتل 356 مدنيا":
            # the subject of the cues before the figure is the body named at the sentence's start
            subject = self._subject(index, speakers[0].start)
            if subject is not None:
                return self._explicit(self._speaker(subject, [subject]), speakers[-1].rule)
        if not speakers:
            deed = self._deed_subject(index, start) or self._record_owner(index, start)
            if deed is not None:
                return deed
        if index > 0 and not speaking and index - 1 in self._figure_sentences and self._continues(start, end):
            # "Police said seven people were killed. Another 12 were wounded."
            inherited = self._sentence_claim(index - 1, depth=1)
            if inherited:
                return inherited
        if index > 0 and (speaking or self._ends_in_frame(index - 1)):
            inherited = self._sentence_claim(index - 1, depth=3)
            if inherited and speakers:
                inherited = self._relaying_speaker(index - 1, inherited) or inherited
            if inherited:
                return inherited
            pronoun_cue = next((c for c in reversed(before) if self._pronoun_subject(c)), None) \
                or next((c for c in after if self._pronoun_subject(c)), None)
            if pronoun_cue is not None:
                antecedent = self._last_named(index - 1)
                if antecedent is not None:
                    return self._explicit(self._speaker(antecedent, [antecedent]), pronoun_cue.rule)
                speaker = self._earlier_speaker(index - 1)
                if speaker is not None:
                    return self._explicit(speaker, pronoun_cue.rule)
        return self._own("")

    def _quotation_speaker(self, start: int, end: int) -> Claim | None:
        """A figure inside a quotation whose speaker is named after it, maybe sentences on:
        '"We buried 71 people. Some were children," he said.', '"... we had recovered 18 bodies,"
        an officer who asked not to be named said'. The first speech verb after the closing
        quote (in that sentence) speaks; its claimant is sought from the closing quote on, a
        pronoun's in the sentence before the quotation opened."""
        line_low = self.text.rfind("\n", 0, start) + 1
        if self.text.count('"', line_low, start) % 2 == 0:
            return None  # not inside a quotation
        line_high = self.text.find("\n", end)
        closing = self.text.find('"', end, len(self.text) if line_high < 0 else line_high)
        if closing < 0:
            return None
        index = self._sentence_of(closing)
        high = self.sentences[index][1]
        cue = next((c for c in self._cues_from(closing, high) if c.role == "verb" and c.end <= high), None)
        if cue is None or '"' in self.text[closing + 1:cue.start]:
            return self._continued_quotation(line_low, start) if cue is None else None
        if self._pronoun_subject(cue):
            opening = self._sentence_of(self.text.rfind('"', line_low, start))
            if opening == 0:
                return None
            antecedent = self._last_named(opening - 1)
            if antecedent is not None:
                return self._explicit(self._speaker(antecedent, [antecedent]), cue.rule)
            # "..., a contractor who was in the convoy told Club of Mozambique." then the quote
            low, high_ = self.sentences[opening - 1]
            speech = [c for c in self._cues_from(low, high_) if c.role == "verb" and c.end <= high_]
            person = self._private_person(speech[-1], speech[-1].sides[0]) if speech else None
            person = person or self._earlier_speaker(opening - 1)
            return self._explicit(person, cue.rule) if person else None
        for side in cue.sides:
            low, high_ = (closing + 1, cue.start) if side == "before" else (cue.end, self._after_limit(cue.end, high))
            found = self._pick(cue, side, low, high_)
            if found:
                return self._explicit(found, cue.rule)
        return None

    def _continued_quotation(self, line_low: int, start: int) -> Claim | None:
        """A quotation with no speaker after it that opens a sentence right after one whose
        quotation its speaker closed ('"Our staff worked through the night," said Ali Musa, the
        head of mission. "Two colleagues were killed."'): the same speaker goes on."""
        opening = self.text.rfind('"', line_low, start)
        before = self.text[line_low:opening].rstrip()
        if not before.endswith((".", "!", "?")):
            return None
        closing = self.text.rfind('"', line_low, opening)
        if closing <= line_low or self.text.count('"', line_low, closing) % 2 == 0 \
                or self._sentence_of(closing) + 1 != self._sentence_of(opening):
            return None  # no quotation closed in the sentence right before it
        tag = (closing + 1, line_low + len(before))
        if not any(c.role == "verb" and c.end <= tag[1] for c in self._cues_from(*tag)):
            return None  # the sentence between names no speaker
        return self._quotation_speaker(closing - 1, closing - 1)

    def _opens_clause(self, cue: _Cue, index: int, fig_start: int, fig_end: int) -> bool:
        """A speech verb after the figure, followed within its subject window and with no comma
        between by a complementizer ("..., and the police said that 24 officers ...", "وقال المرصد
        إن") reports the clause after it, not the figure before it; unless its subject stands
        before the figure ("MONUSCO, which has some 11,000 troops, said that ...")."""
        if cue.role != "verb":
            return False
        high = self.sentences[index][1]
        words = list(islice(WORD.finditer(self.text, cue.end, high), self.rules.subject_window))
        reach = words[-1].end() if words else cue.end
        i = bisect_left(self.stops, cue.end)
        if not (i < len(self.stops) and self.stops[i] < reach and "," not in self.text[cue.end:self.stops[i]]
                and not self.text.startswith(self.rules.window_stops, self.stops[i])):
            return False
        found = self._claimant(cue, index, fig_start, fig_end)
        return found is None or found.start >= fig_end

    def _deed_subject(self, index: int, start: int) -> Claim | None:
        """A source doing a deed it counts, the verb's subject right next to it, the figure after
        it in its sentence with no cue between (`deed_verbs`: "Police detained four people on
        Friday, three men and a woman", "أجلت فرق الدفاع المدني نحو 200 تلميذ"): the source claims
        it. Only a source (the sources gazetteer), never a side: "Government forces captured 48"
        is no claim of theirs."""
        rules = self.rules
        if not rules.deed_verbs:
            return None
        low = self.sentences[index][0]
        for verb_start, verb_end, _t, _a, pre, suf in rules.deed_verbs.find(self.text, low, start):
            verb_start, verb_end = verb_start + len(pre), verb_end - len(suf)
            if verb_end > start or len(WORD.findall(self.text, verb_end, start)) > rules.name_window \
                    or self._cue_between(verb_end, start) or ";" in self.text[verb_end:start]:
                continue
            found = self._deed_doer(verb_start, verb_end, start)
            if found is not None:
                return Claim(_identified(found), found.text, EXPLICIT, found.start, found.end, self.rules.deed_rule)
        return None

    def _record_owner(self, index: int, start: int) -> Claim | None:
        """A body whose own record holds the figure, named with it before the figure in its sentence
        with no cue between (`owned_records`: "The army's count also includes 13 members of the
        security forces"): that body claims it."""
        phrases = self.rules.owned_records
        if not phrases:
            return None
        low = self.sentences[index][0]
        for m in reversed(self._mentions_within(low, start)):
            if not _identified(m) or self._addressee(m) or self._cue_between(m.end, start):
                continue
            if _followed_by(self.text, m.end, phrases) or any(self.text.startswith(p, m.end) for p in phrases):
                return Claim(_identified(m), m.text, EXPLICIT, m.start, m.end, self.rules.record_rule)
        return None

    def _deed_doer(self, verb_start: int, verb_end: int, fig_start: int) -> Mention | None:
        """The source that is a deed verb's subject: named right before it (auxiliaries between) or,
        for a verb-first language, right after it (one word between: "فرق الدفاع المدني")."""
        i = bisect_left(self._mention_starts, verb_start) - 1
        if i >= 0:
            m = self.mentions[i]
            gap = self.text[m.end:verb_start].split()
            if m.group == "sources" and _identified(m) and all(w in self.rules.auxiliaries for w in gap) \
                    and not self._addressee(m):
                return m
        j = bisect_left(self._mention_starts, verb_end)
        if j < len(self.mentions):
            m = self.mentions[j]
            gap = self.text[verb_end:m.start - len(m.prefix or "")]
            if m.end <= fig_start and m.group == "sources" and _identified(m) and len(gap.split()) <= 1 \
                    and not any(ch in gap for ch in ",;:.()\"") and not self._addressee(m):
                return m
        return None

    def _has_object(self, cue: _Cue, index: int, fig_start: int, fig_end: int) -> bool:
        """A speech verb after the figure whose own count follows it, with at most its subject and
        one word between, no punctuation ("ونعت الحركة اثنين من عناصرها، فيما نعى حزب الله ثلاثة من
        عناصره", "while Hezbollah mourned three of its members"), reports that count: it opens a
        clause of its own and claims nothing before it; unless its subject stands before the figure
        ("The army, which lost 12 soldiers, said 30 militants were killed")."""
        if cue.role != "verb":
            return False
        high = self.sentences[index][1]
        i = bisect_right(self._figure_starts, cue.end - 1)
        if i >= len(self._figure_starts) or self._figure_starts[i] >= high:
            return False
        following = self._figure_starts[i]
        gap = self.text[cue.end:following]
        if not CLAUSE_MARKS.isdisjoint(gap) or self._cue_between(cue.end, following):
            return False
        named = self._mentions_within(cue.end, following)
        if len(WORD.findall(gap)) - sum(len(WORD.findall(m.text)) for m in named) > 1:
            return False
        found = self._claimant(cue, index, fig_start, fig_end)
        return found is None or found.start >= fig_end

    def _source_right_after(self, after: list[_Cue], index: int, start: int, end: int) -> Claim | None:
        """"وقالت أوتشا إن 400 ألف نزحوا، وفق تقديرات المنظمة الدولية للهجرة", "X said 20 were
        killed, citing Y": a source cue that looks only after itself ("according to", "citing"),
        first after the figure and within source_after_window words of it, names the figure's own
        source, over a speech verb before the figure; so does a speech verb right after the figure
        whose agent follows it ("revised the toll down to 253, from the 359 announced by police")."""
        window = self.rules.source_after_window
        if not after or not window:
            return None
        if not (after[0].role == "cue" and after[0].sides == ("after",)) and not self._passive_right_after(after[0], end):
            return None
        if len(WORD.findall(self.text, end, after[0].start)) > window:
            return None
        return self._first_claim([after[0]], index, start, end)

    def _passive_right_after(self, cue: _Cue, end: int) -> bool:
        """"the 359 announced by police": a speech verb at most two words after the figure, no
        punctuation between, with its agent after it (`passive_agents`), reduces a relative clause
        about the figure."""
        if cue.role != "verb" or not self.rules.passive_agents:
            return False
        gap = self.text[end:cue.start]
        return len(gap.split()) <= 2 and not any(ch in gap for ch in ",;:.()") \
            and _followed_by(self.text, cue.end, self.rules.passive_agents)

    def _continues(self, start: int, end: int) -> bool:
        """A continuation word ("another", "others", آخرون) right before the figure or within two
        words after it, or a partitive right after it ("Three of the patients who died", "The
        remains of three of them"): the figure goes on counting the figures of the sentence before."""
        rest = self.text[end:end + 24].lstrip()
        if any(rest.startswith(marker) and not rest[len(marker):len(marker) + 1].isalnum() for marker in self.rules.partitives):
            return True
        if self.rules.partitives_before:  # "among them two police officers", "Among the passengers were 11 children"
            low = self.sentences[self._sentence_of(start)][0]
            head = self.text[max(low, start - 24):start].split()
            first = self.text[low:start].split()[:1]
            if any(tuple(head[-len(m):]) == m for m in self.rules.partitives_before) \
                    or (first and (first[0],) in self.rules.partitives_before):
                return True
        words = self.rules.continuation_words
        if not words:
            return False
        before = self.text[max(0, start - 20):start].split()
        after = [w.strip(QUOTES + ",.;:") for w in islice(WORD.finditer(self.text, end), 2) for w in [w.group()]]
        if not (before and before[-1].strip(QUOTES) in words) and not any(w in words for w in after):
            return False
        # a second one names another event ("وقتل 3 آخرون في قصف آخر", "in another attack")
        low, high = self.sentences[self._sentence_of(start)]
        return sum(w.group().strip(QUOTES + ",.;:") in words for w in WORD.finditer(self.text, low, high)) == 1

    def _subject(self, index: int, first_cue: int) -> Mention | None:
        """A source or side named within the first SUBJECT_WORDS words of the sentence, before its
        first cue (not an addressee), after a dateline ("Addis Abeba – Residents of ... said")."""
        low, _high = self.sentences[index]
        dash = next((w for w in islice(WORD.finditer(self.text, low, first_cue), DATELINE_WORDS + 1) if w.group() in DASHES), None)
        if dash is not None:
            low = dash.end()
        starts = [m.start() for m in islice(WORD.finditer(self.text, low, first_cue), SUBJECT_WORDS)]
        if not starts:
            return None
        for m in self.mentions[bisect_left(self._mention_starts, low):]:
            if m.start > starts[-1]:
                break
            if m.end <= first_cue:
                return m if _identified(m) and not self._addressee(m) else None
        return None

    def _pronoun_subject(self, cue: _Cue) -> bool:
        """"it said", "he added", "it had recorded": a speech verb right after a subject pronoun
        (auxiliaries between)."""
        if cue.role != "verb" or not self.rules.pronouns:
            return False
        head = self.text[max(0, cue.start - 60):cue.start].rstrip().split()
        while len(head) > 1 and head[-1] in self.rules.auxiliaries:
            head.pop()
        if head:
            head[-1] = head[-1].strip(QUOTES + ",")
        # a pronoun may be a phrase: "The statement said" (the body that issued it named before)
        return any(tuple(head[-len(p):]) == p for p in self.rules.pronoun_words)

    def _earlier_speaker(self, index: int, depth: int = PRONOUN_REACH) -> _Found | None:
        """A pronoun's antecedent that no gazetteer knows: the claimant a speech cue of the
        sentence `index` or of the `depth` - 1 before it names, nearest first, passing over
        sentences whose cues have a pronoun subject themselves ('Balarabe Garba, the village head,
        told TV that ... "We buried 120 people," he said. He added that 30 were missing')."""
        for i in range(index, max(index - depth, -1), -1):
            low, high = self.sentences[i]
            for cue in reversed([c for c in self._cues_from(low, high) if c.end <= high][-MAX_CUES:]):
                if cue.role == "verb" and not self._pronoun_subject(cue):
                    found = self._claimant(cue, i, high, high)
                    if found is not None:
                        return found
        return None

    def _last_named(self, index: int) -> Mention | None:
        """The last source or side the sentence names (not an addressee): a pronoun's antecedent."""
        low, high = self.sentences[index]
        named = [m for m in self._mentions_within(low, high) if _identified(m) and not self._addressee(m)]
        return named[-1] if named else None

    def _first_claim(self, cues, index: int, start: int, end: int) -> Claim | None:
        """The claim of the first cue, in the order given, that governs the span: an own-voice
        cue, or a cue whose claimant is found."""
        for cue in cues:
            if cue.role == "own":
                return self._own(cue.rule)
            found = self._claimant(cue, index, start, end)
            if found:
                return self._explicit(found, cue.rule)
        return None

    def _cues_from(self, low: int, high: int) -> list[_Cue]:
        """The cues that begin in [low, high], in order."""
        starts = self._cue_starts
        return self.cues[bisect_left(starts, low):bisect_right(starts, high)]

    def _mentions_within(self, low: int, high: int) -> list[Mention]:
        """The mentions wholly within [low, high), in order."""
        starts = self._mention_starts
        return [m for m in self.mentions[bisect_left(starts, low):bisect_right(starts, high)] if m.end <= high]

    def _mention_overlaps(self, start: int, end: int) -> bool:
        """A mention shares some of [start, end) (mentions do not overlap: their ends rise with
        their starts, so the last one starting before `end` is the one to ask)."""
        i = bisect_left(self._mention_starts, end) - 1
        return i >= 0 and self.mentions[i].end > start

    def _mention_around(self, pos: int) -> Mention | None:
        """The mention with pos strictly inside it (mentions do not overlap: at most one)."""
        i = bisect_left(self._mention_starts, pos) - 1
        if i >= 0 and self.mentions[i].end > pos:
            return self.mentions[i]
        return None

    def _own(self, rule: str) -> Claim:
        return Claim(claimed_by=self.publisher, text="", attribution=OWN, rule=rule)

    def _explicit(self, found: _Found, rule: str) -> Claim:
        return Claim(found.claimed_by, found.text, EXPLICIT, found.start, found.end, rule)

    def _sentence_of(self, pos: int) -> int:
        """The last sentence that begins at or before pos (the first when none does)."""
        return max(bisect_right(self._sentence_starts, pos) - 1, 0)

    def _ends_in_frame(self, index: int) -> bool:
        low, high = self.sentences[index]
        return self.text[low:high].rstrip().endswith(self.rules.frame_endings) if self.rules.frame_endings else False

    def _relaying_speaker(self, index: int, inherited: Claim) -> Claim | None:
        """"ونفى المتحدث العسكري ما تناقلته وكالات نقلاً عن مصادر أمنية ... وأضاف أن": a speech verb
        with no subject of its own continues the speaker of the sentence before, not the source that
        speaker relayed or denied: when the sentence's claim is a relayed source (`relay_before`
        right before it), the subject of its first speech verb, read without the relay."""
        if not self._preceded_by(inherited.start, self.rules.relay_before):
            return None
        low, high = self.sentences[index]
        verb = next((c for c in self._cues_from(low, high) if c.role == "verb" and c.end <= high), None)
        if verb is None or verb.start > inherited.start:
            return None
        found = self._claimant(verb, index, high, high, relay=False)
        if found is None or found.start >= inherited.start:
            return None
        return self._explicit(found, verb.rule)

    def _sentence_claim(self, index: int, depth: int) -> Claim | None:
        """The claimant a sentence's own cues give, as if its figure stood at the sentence end."""
        low, high = self.sentences[index]
        cues = [c for c in self._cues_from(low, high) if c.end <= high]
        claim = self._first_claim(reversed(cues[-MAX_CUES:]), index, high, high)
        if claim:
            return claim
        if cues and index > 0 and depth > 1:
            return self._sentence_claim(index - 1, depth - 1)
        return None

    def _claimant(self, cue: _Cue, index: int, fig_start: int, fig_end: int, relay: bool = True) -> _Found | None:
        low, high = self.sentences[index]
        figure_after = cue.end <= fig_start
        relayed = self._relayed(cue, fig_start if figure_after else high) if relay else None
        if relayed:
            return relayed
        sides = cue.sides
        if "before" in sides and self._preceded_by(cue.start, self.rules.subject_before_markers):
            sides = ("before",) + tuple(s for s in sides if s != "before")  # "وكانت المنظمة قد اتهمت"
        if self._pronoun_subject(cue):  # "..., it said", "He said the militants had killed 26": the pronoun
            sides = ()  # is the subject; no side named before it is, nor one the reported clause names

        for side in sides:
            if side == "after":
                limit = fig_start if figure_after else high
                # the claimant follows the verb before any count it reports: "said three Turkish
                # soldiers were killed and 11 others wounded" names no speaker for the 11
                i = bisect_right(self._figure_starts, cue.end)
                if i < len(self._figure_starts) and self._figure_starts[i] < limit:
                    limit = self._figure_starts[i]
                window = (cue.end, self._mention_end(self._after_limit(cue.end, limit), limit))
            else:
                floor = low if figure_after else max(low, fig_end)
                window = (self._mention_start(self._words_back(cue.start, floor), floor), cue.start)
                if any(self._modifies(m) for m in self._mentions_within(*window)):
                    window = (floor, cue.start)  # "A nurse at a clinic run by the SDF said": the subject is further back
                found = self._apposed_subject(cue, floor) or self._copula_subject(cue, floor)
                if found:
                    return found
            found = self._pick(cue, side, *window)
            if found:
                return found
            if side == "before":
                head = self._apposition_head(cue.start, floor)
                if head is not None and head < window[0]:
                    found = self._pick(cue, side, head, cue.start)
                    if found:
                        return found
        if sides and self._participle(cue):
            found = self._main_subject(cue, low)
            if found:
                return found
        if cue.role == "verb" and cue.sides[0] in sides:  # the side the pack's subjects stand on
            return self._private_person(cue, cue.sides[0])
        return None

    def _participle(self, cue: _Cue) -> bool:
        """The cue is a participle (`participles`) right after a comma: it continues a main clause."""
        return cue.role == "verb" and self.text[cue.start:cue.end] in self.rules.participles \
            and self.text[:cue.start].rstrip(" " + QUOTES).endswith(",")

    def _main_subject(self, cue: _Cue, low: int) -> _Found | None:
        """The subject of the main clause a participle continues, too far back for the window before
        it ("President Ali Musa declared the four-day siege over on Tuesday night, saying 61 ..."):
        named within the sentence's first subject_window words, no other cue between it and the
        participle."""
        words = list(islice(WORD.finditer(self.text, low, cue.start), self.rules.subject_window + 1))
        if not words:
            return None
        high = words[-1].end() if len(words) <= self.rules.subject_window else words[self.rules.subject_window].start()
        found = self._pick(cue, "after", low, high)
        if found is None or self._cue_between(found.end, cue.start):
            return None
        return self._cased_name(found)

    def _cased_name(self, found: _Found) -> _Found:
        """A name kept as written without the words after it that its script writes in lower case
        ("Ali Musa visited": the verb that follows the name is no part of it); as it was when the
        script has no case, or the words are a known body's."""
        if self.written is None or found.claimed_by != name_id(self.text[found.start:found.end]):
            return found
        words = list(WORD.finditer(self.text, found.start, found.end))
        while len(words) > 1 and self.written(words[-1].start(), words[-1].end())[:1].islower():
            words.pop()
        if words[-1].end() == found.end:
            return found
        phrase = self.text[found.start:words[-1].end()]
        return _Found(name_id(phrase), phrase, found.start, words[-1].end())

    def _private_person(self, cue: _Cue, side: str) -> _Found | None:
        """An unnamed private person speaks as a witness, an unnamed medic (`medical_persons`:
        "قال طبيب في المشفى الميداني") as a medical source, an unnamed official with words
        between (`official_persons`: "A European intelligence official told reporters") as
        officials, unless the gazetteer reads the phrase ("a security official"): the phrase
        nearest the verb."""
        rules = self.rules
        found = [f for f in (self._unnamed_person(cue, side, rules.private_person, rules.private_person_source),
                             self._unnamed_person(cue, side, rules.medical_person, rules.medical_person_source),
                             self._unnamed_person(cue, side, rules.official_person, rules.official_person_source))
                 if f is not None and not (f.claimed_by == rules.official_person_source and self._mention_overlaps(f.start, f.end))]
        if not found:
            return None
        return max(found, key=lambda f: f.start) if side == "before" else min(found, key=lambda f: f.start)

    def _unnamed_person(self, cue: _Cue, side: str, pattern, source) -> _Found | None:
        """The last phrase of `pattern` between the clause's start (the sentence's, or a closing
        quote's) and a verb, or the first right after a verb-first one, before any complementizer."""
        if pattern is None or not source:
            return None
        low, high = self.sentences[self._sentence_of(cue.start)]
        if side == "before":
            low = max(low, self.text.rfind('"', low, cue.start) + 1)
            found = list(pattern.finditer(self.text, low, cue.start))
            match = found[-1] if found else None
        else:
            limit = self._after_limit(cue.end, high)
            match = pattern.search(self.text, cue.end, limit)
            if match is not None and len(WORD.findall(self.text, cue.end, match.start())) >= (self.rules.after_start_window or 2):
                match = None
        if match is None or (side == "before" and bisect_left(self._cue_starts, match.end()) < bisect_left(self._cue_starts, cue.start)):
            return None  # a verb between has that phrase for its subject
        return _Found(source, match.group(), match.start(), match.end())

    def _mention_end(self, high: int, limit: int) -> int:
        """A window edge inside a mention moves to the mention's end ("أعلن المتحدث باسم القوات
        المسلحة العميد يحيى سريع": the name begins in the window and counts whole)."""
        m = self._mention_around(high)
        return m.end if m is not None and m.end <= limit else high

    def _mention_start(self, low: int, floor: int) -> int:
        """A window edge inside a mention moves to the mention's start ("the U.N. Office for the
        Coordination of Humanitarian Affairs said" is one name, however many words)."""
        m = self._mention_around(low)
        return m.start if m is not None and m.start >= floor else low

    def _apposed_subject(self, cue: _Cue, floor: int) -> _Found | None:
        """"The AAPP, which tracks arrests by the regime, says", "The CJTF, a group that fights
        alongside the military, said": a body named right before an apposition closed by a comma
        right before the cue is the subject, over the sides the apposition names; a cue inside the
        apposition may only open a relative clause ("Al-Shabaab, the group that said the raid was
        revenge for Kenya's military presence, claimed")."""
        head = self.text[floor:cue.start].rstrip()
        if not head.endswith(","):
            return None
        opening = self.text.rfind(",", floor, floor + len(head) - 1)
        if opening < 0:
            return None
        inner = self.cues[bisect_right(self._cue_starts, opening):bisect_left(self._cue_starts, cue.start)]
        if any(not self._relative_cue(c) for c in inner) \
                or any(self._preceded_by(m.start, self.rules.relay_before) for m in self._mentions_within(opening, cue.start)):
            return None  # "Al Jazeera, citing medical sources, said": the relayed source claims
        low = self._mention_start(self._words_back(opening, floor), floor)
        named = [m for m in self._mentions_within(low, opening) if _identified(m) and not self._addressee(m)]
        if not named or self.text[named[-1].end:opening].strip(" )" + QUOTES):
            return None  # the body must close the words before the apposition ("X (CJTF),")
        return self._speaker(named[-1], named)

    def _relative_cue(self, cue: _Cue) -> bool:
        """A cue in a relative clause, its word right before it a relative pronoun or the
        complementizer that opens one ("the group that said the raid was revenge", "الذي قال"):
        it describes the apposition's head and speaks for no one after the apposition."""
        head = self.text[max(0, cue.start - LOOKAROUND):cue.start].split()
        if not head:
            return False
        word = head[-1]
        return word in self.rules.relative_pronouns or word in self.rules.complementizers

    def _copula_subject(self, cue: _Cue, floor: int) -> _Found | None:
        """"وكان خالد الأحمد قد أعلن", "وكانت فيان دخيل، النائبة ...، قد قالت": the words between a
        copula and the subject marker (قد) right before the cue are its subject; a name no gazetteer
        knows and no title opens is kept as written (up to a comma that opens an apposition). Its
        first word may not begin as a common noun does (`common_noun_prefixes`: the article)."""
        rules = self.rules
        if not rules.copulas:
            return None
        head = self.text[floor:cue.start].rstrip(" " + QUOTES)
        marker = next((m for m in rules.subject_before_markers if head.endswith(m)
                       and (len(head) == len(m) or not head[-len(m) - 1].isalnum())), None)
        if marker is None:
            return None
        tokens = list(WORD.finditer(self.text, floor, floor + len(head) - len(marker)))[-rules.name_window:]
        at = next((i for i in range(len(tokens) - 1, -1, -1) if tokens[i].group() in rules.copulas), None)
        if at is None or at == len(tokens) - 1:
            return None
        subject = tokens[at + 1:]
        if self._mention_overlaps(subject[0].start(), subject[-1].end()) or self._cue_between(subject[0].start(), subject[-1].end()):
            return None  # a body ("وكانت وزارة الداخلية قد") is read by _pick; a cue between is another clause
        i = bisect_left(self._title_starts, subject[0].start())
        if i < len(self._title_starts) and self._title_starts[i] == subject[0].start():
            return None  # "وكان محافظ المدينة قد أعلن": the title's own reading
        name = []
        for token in subject:
            bare = token.group().rstrip(",")
            if not bare or self._name_stop(bare, token.start()) or any(ch.isdigit() or ch in QUOTES for ch in bare):
                return None
            name.append((token.start(), token.start() + len(bare)))
            if bare != token.group():
                break
        if len(name) > rules.name_max_words or (len(name) < 2 and len(name) == len(subject)) \
                or self.text[name[0][0]:name[0][1]].startswith(rules.common_noun_prefixes):
            return None  # a lone word is rarely a name; a word with the article is a noun
        start, end = name[0][0], name[-1][1]
        phrase = self.text[start:end]
        return _Found(name_id(phrase), phrase, start, end)

    def _apposition_head(self, cue_start: int, floor: int) -> int | None:
        """"X, the alliance that dominates the region, said": the window before the cue reaches
        back past an apposition closed by a comma right before it, to the words before it."""
        head = self.text[floor:cue_start].rstrip()
        if not head.endswith(","):
            return None
        opening = self.text.rfind(",", floor, floor + len(head) - 1)
        if opening < 0:
            return None
        return self._mention_start(self._words_back(opening, floor), floor)

    def _relayed(self, cue: _Cue, limit: int) -> _Found | None:
        """"X reported, citing Y" / "X quoted Y": the original source Y claims."""
        low, high = cue.end, self._after_limit(cue.end, limit)
        window = self._mentions_within(low, high)
        for mention in window:
            if self._preceded_by(mention.start, self.rules.relay_before):
                return self._speaker(mention, window)
        return None

    def _after_limit(self, start: int, limit: int) -> int:
        i = bisect_left(self.stops, start)  # the first stop at or after start
        if i < len(self.stops) and self.stops[i] < limit:
            limit = self.stops[i]
        words = list(islice(WORD.finditer(self.text, start, limit), self.rules.subject_window + 1))
        if len(words) > self.rules.subject_window:
            limit = words[self.rules.subject_window].start()
        return limit

    def _words_back(self, end: int, floor: int) -> int:
        """Where the subject_window-th word before `end` starts (`floor` when fewer words lie
        between). The words are sought in a growing stretch before `end`, not from `floor`: a
        long sentence with many cues would be read again for each. Only the first word found can
        be cut by the stretch's start, and it is never the one returned."""
        window = self.rules.subject_window
        reach = 16 * window if window else end - floor  # a window of 0 takes the first word from floor
        while True:
            low = max(floor, end - reach)
            starts = [m.start() for m in WORD.finditer(self.text, low, end)]
            if len(starts) > window:
                return starts[-window]
            if low == floor:
                return floor
            reach *= 4

    def _pick(self, cue: _Cue, side: str, low: int, high: int) -> _Found | None:
        inside = self._mentions_within(low, high)
        if self.rules.channel_before:  # "in a statement read on state television": the medium
            inside = [m for m in inside if not self._preceded_by(m.start, self.rules.channel_before)]
        if cue.role == "verb":
            inside = [m for m in inside if not self._addressee(m)]
            if side == "after" and self.rules.after_start_window:
                # "..., said the ministry": the claimant follows the verb, not the reported clause
                inside = [m for m in inside if len(WORD.findall(self.text, low, m.start)) < self.rules.after_start_window]
        if side == "before":
            inside = [m for m in inside if not self._reported_before(m, cue) and not self._modifies(m)
                      and not self._subject_of_other(m, cue)
                      and not self._placed(m, inside)]
            inside.reverse()
        inside.sort(key=lambda m: (_identified(m) is None, m.inferred))  # a body named outranks one the story's country gives
        if inside and _identified(inside[0]) is None and inside[0].kind != "correspondent":
            # only anaphora with no antecedent ("عبد الرحمن" before any Rami Abdel Rahman):
            # a name written after a title says more
            named = self._unknown_name(low, high, side)
            if named and (named.start, named.end) not in self.titles:  # a title alone names no one
                return named
        if inside:
            return self._speaker(inside[0], inside)
        found = self._unknown_name(low, high, side) or self._headed_name(low, high, side)
        if found is not None and (found.start, found.end) in self.titles:
            # "the governor said": the governor named before; "a doctor at the hospital said": an
            # unnamed medic (`medical_persons`), as when the title is none
            return self._title_body(found) or self._titled_person(found) or self._unnamed_medic(found) or found
        return found or self._surname(low, high, side) or (self._acronym(high) if side == "before" else None) \
            or (self._headed_body(low, high) if side == "after" else None) \
            or (self._written_source(low, high) if side == "after" and self.rules.entries[cue.rule]["keeps_written"] else None)

    def _headed_body(self, low: int, high: int) -> _Found | None:
        """A body no gazetteer names, its head noun (`institution_heads`) in one of the first two
        words after a cue, kept as written with the words that name it: all the words of a name
        in quotes ('بحسب ما أعلنه "مؤتمر الجزيرة"'), else, after a head without the article, the
        noun it governs ("مديرية الأمن"), and the adjectives with the article after them ("المجلس
        البلدي", "مديرية الأمن العام"). A head with the article alone ("وقال المؤتمر") is the
        body of that head named last before it, or itself kept as written."""
        heads = self.rules.institution_heads
        if heads is None:
            return None
        for word in islice(WORD.finditer(self.text, low, high), 2):
            start = word.start() + len(word.group()) - len(word.group().lstrip(QUOTES))
            hit = heads.match_at(self.text, start, word.end())
            if hit is not None and hit[1] == start + len(word.group().strip(QUOTES)) and not hit[5]:
                return self._body_phrase(hit, high) or self._body_before(hit, low)
            if self._name_stop(word.group(), word.start()) or self._mention_overlaps(word.start(), word.end()):
                return None
        return None

    def _body_phrase(self, hit, high: int) -> _Found | None:
        """The words naming the body whose head is `hit` (start, end, term, attrs, pre, suf), or None
        for a head with the article alone."""
        start, end, term, _attrs, pre, _suf = hit
        definite = bool(pre) and pre.endswith(self.rules.article_prefixes)
        head = (self.rules.article_prefixes[0] if definite and self.rules.article_prefixes else "") + term
        quoted = self.text.startswith('"', start - 1) if start else False
        closing = self.text.find('"', end, high) if quoted else -1
        words, last = [], end
        for k, word in enumerate(islice(WORD.finditer(self.text, end, high), BODY_WORDS)):
            token = word.group()
            bare = token.rstrip(QUOTES + ",.;:)")
            if not bare or self._name_stop(bare, word.start()) or any(ch.isdigit() for ch in bare) \
                    or bare in self.rules.day_names or bare in self.rules.date_words or self._cue_between(word.start(), word.end()):
                break
            if closing < 0 and (definite or (k and words[-1].startswith(self.rules.article_prefixes))) \
                    and not bare.startswith(self.rules.article_prefixes):
                break  # "المجلس البلدي مرزق", "مديرية الأمن العام صدر": after the article, adjectives only
            words.append(bare)
            last = word.start() + len(bare)
            if bare != token or (0 <= closing < word.end()):
                break
        if not words:
            return None
        return _Found(name_id(" ".join([head] + words)), self.text[start:last], start, last)

    def _body_before(self, hit, low: int) -> _Found | None:
        """A head with the article alone ("وقال المؤتمر في بيان"): the body of the same head named
        with its words last before it, else the head kept as written."""
        start, _end, term, _attrs, pre, _suf = hit
        heads = self.rules.institution_heads
        named = None
        for other in heads.find(self.text, 0, start):
            if other[2] == term and not other[5]:
                body = self._body_phrase(other, self.sentences[self._sentence_of(other[0])][1])
                if body is not None:
                    named = body
        if named is not None:
            return named
        if not (pre and pre.endswith(self.rules.article_prefixes)):
            return None
        return _Found(name_id(self.rules.article_prefixes[0] + term), self.text[start:hit[1]], start, hit[1])

    def _title_body(self, title: _Found) -> _Found | None:
        """The body a title with no name governs right after itself, one word at most and quotes
        between, past the window ("نقلت وكالة نواكشوط للأنباء الموريتانية عن متحدث باسم كتيبة
        \"الموقعون بالدماء\"": an unnamed spokesman speaks for the battalion)."""
        j = bisect_left(self._mention_starts, title.end)
        if j == len(self.mentions):
            return None
        m = self.mentions[j]
        gap = self.text[title.end:m.start - len(m.prefix or "")]
        if len(gap.replace('"', " ").split()) > 1 or any(ch in CLAUSE_MARKS for ch in gap.replace('"', "")) or not _identified(m) \
                or self._addressee(m):
            return None
        return self._speaker(m, [m])

    def _unnamed_medic(self, title: _Found) -> _Found | None:
        """A bare title that is a `medical_persons` phrase ("a doctor"): the medical source."""
        pattern, source = self.rules.medical_person, self.rules.medical_person_source
        if pattern is None or not source:
            return None
        low = self.sentences[self._sentence_of(title.start)][0]
        match = next((m for m in pattern.finditer(self.text, max(low, title.start - LOOKAROUND), title.end)
                      if m.end() == title.end), None)
        return _Found(source, match.group(), match.start(), match.end()) if match is not None else None

    def _written_source(self, low: int, high: int) -> _Found | None:
        """A source no gazetteer knows, right after a cue that keeps it as written ("according to
        the parish", "according to community leaders"): up to name_max_words words to a name stop
        or punctuation, with the article or of two words or more ("according to plan" names no
        one), its last word no record noun ("according to official figures": `record_nouns`)."""
        rules = self.rules
        words = list(islice(WORD.finditer(self.text, low, high), rules.name_max_words + 1))
        article = bool(words) and words[0].group() in rules.source_articles
        phrase = []
        for word in words[1:] if article else words:
            bare = word.group().rstrip(",.;:")
            if not bare or self._name_stop(bare, word.start()) or not bare.replace("-", "").isalpha():
                break
            phrase.append((word.start(), word.start() + len(bare)))
            if bare != word.group():
                break
        if not phrase or len(phrase) > rules.name_max_words or not (article or len(phrase) > 1) \
                or self.text[phrase[-1][0]:phrase[-1][1]] in rules.record_nouns:
            return None
        start, end = phrase[0][0], phrase[-1][1]
        claimant = name_id(self.text[start:end])
        if self._mention_overlaps(start, end) or claimant == self.publisher:
            return None  # "according to a tally by PREMIUM TIMES" in Premium Times: its own voice
        return _Found(claimant, self.text[start:end], start, end)

    def _acronym(self, cue_start: int) -> _Found | None:
        """An acronym in brackets right before the cue names its subject, a body no gazetteer
        knows: "The Department of Social Welfare and Development (DSWD) said" is dswd. Written in
        capital letters, two to ten of them."""
        base = max(0, cue_start - 16)
        head = self.text[base:cue_start].rstrip()
        opening = head.rfind("(")
        if not head.endswith(")") or opening < 0:
            return None
        inner = head[opening + 1:-1]
        start = base + opening + 1
        if not (2 <= len(inner) <= 10 and self._written_capitals(start, inner)):
            return None
        return _Found(name_id(inner), inner, start, start + len(inner))

    def _written_capitals(self, start: int, letters: str) -> bool:
        """The canonical `letters` at `start` are letters only, written in capitals: an acronym."""
        written = self.written(start, start + len(letters)) if self.written is not None else letters
        return letters.isalpha() and written.isupper()

    def _named_people(self) -> tuple[dict, dict]:
        """The people the text names with a title, by the title and by each word of the name but
        the first (the name cut there), each a list of (end, found) in text order; made once,
        when first asked."""
        if self._people is None:
            by_title: dict[str, list] = {}
            by_surname: dict[str, list] = {}
            for start, end in self.titles:
                found = self._name_after_title(start, end, self.sentences[self._sentence_of(start)][1])
                if found is None or (found.start, found.end) in self.titles:
                    continue
                body = next((m for m in self._mentions_within(min(start, found.start), found.end) if _identified(m)), None)
                if body is not None:  # "المتحدث باسم الوزارة أشرف القدرة": he spoke as the ministry, and speaks so again
                    found = _Found(_identified(body), body.text, body.start, body.end)
                by_title.setdefault(self.text[start:end], []).append((found.end, found))
                # any later word of the name may be the surname, and ends it: the canonical text has
                # no capitals to end "Governor Babagana Zulum helped bury" at the name
                name = list(WORD.finditer(self.text, end if found.start == start else found.start, found.end))
                for word in name[1:]:
                    bare = word.group().strip(QUOTES + ",.;:")
                    if len(bare) > 2 and not self._name_stop(bare, word.start() + word.group().index(bare)):
                        phrase = self.text[found.start:word.start() + len(bare)]
                        person = found if body is not None else _Found(name_id(phrase), phrase, found.start, word.start() + len(bare))
                        by_surname.setdefault(bare, []).append((found.end, person))
            for people in chain(by_title.values(), by_surname.values()):
                people.sort(key=lambda p: p[0])
            self._people = by_title, by_surname
        return self._people

    def _titled_person(self, title: _Found) -> _Found | None:
        """A title alone with the article of a known referent ("Governor Pavlo Kyrylenko ... the
        governor said") is the last person named before it with the same title; not after an
        apposition head ("a governor said" is someone else)."""
        head = self.text[max(0, title.start - 12):title.start].split()
        if head and head[-1] in self.rules.apposition_heads:
            return None
        people = self._named_people()[0].get(self.text[title.start:title.end], [])
        i = bisect_right(people, title.start, key=lambda p: p[0])
        return people[i - 1][1] if i else None

    def _surname(self, low: int, high: int, side: str) -> _Found | None:
        """A name's last word alone next to the cue, after the full name was written with a title
        ("Borno State Governor Babagana Zulum ... Zulum told mourners", "وأضاف المسماري"): that
        person; in a headline (the text's first line), the person the body names so first
        ("Siege over: 67 dead, says Kenyatta")."""
        words = list(WORD.finditer(self.text, low, high))
        if not words:
            return None
        word = words[-1] if side == "before" else words[0]
        bare = word.group().strip(QUOTES + ",.;:")
        if not bare or self._name_stop(bare, word.start() + word.group().index(bare)):
            return None  # "نشر على مواقع التواصل" after a "محمد علي": the preposition, written so
        people = self._named_people()[1].get(bare, [])
        i = bisect_right(people, word.start(), key=lambda p: p[0])
        if not i and people and self._headline_speaker(word):
            return people[0][1]  # a headline's "..., says Kenyatta": the person the body names first
        return people[i - 1][1] if i else None

    def _headline_speaker(self, word) -> bool:
        """The word stands where a headline names its speaker: its last word ("..., says Kenyatta")
        or its first before a colon ("Kenyatta: 67 dead"); not inside a clause of its own ("...
        وعبد المهدي يعلن عزمه الاستقالة")."""
        line_end = self.text.find("\n")
        if not 0 <= word.start() < line_end:
            return False
        return not self.text[word.end():line_end].strip(" " + QUOTES + ".!") \
            or (not self.text[:word.start()].strip() and self.text.startswith(":", word.end()))

    def _apposed_person(self, mention: Mention) -> _Found | None:
        """A person named in apposition with the body he speaks for is the claimant, as written
        (a person the gazetteer knows is a mention of his body and not asked here): "Boris
        Cheshirkov, a UNHCR spokesperson, said", "وقال أحمد الرديني، المتحدث باسم الوزارة، إن",
        "the ministry's spokesman, Ali Musa, said", "Ali Musa, a resident who said". The body
        must hold a title there (an unnamed source need not), and the apposition must close (a
        comma, a relative pronoun or the sentence's end, no cue between)."""
        if mention.person or mention.kind == "correspondent" or _identified(mention) is None:
            return None
        if self._ends_in_title(mention):
            after = self._comma_name_past_place(mention.end) or self._name_right_after(mention)  # "the hospital director, Ali Musa, said"
            if after is not None:
                return after
        title = self._owned_title(mention) or self._leading_title(mention)
        if title is None and mention.kind != UNNAMED:
            return None
        named = self._titled_name(mention, title) if title is not None else None
        if named is not None:
            return named
        start, end = (min(mention.start, title[0]), max(mention.end, title[1])) if title else (mention.start, mention.end)
        if title is not None and title[1] >= mention.end:
            after = self._comma_name_past_place(end)  # "a UNHCR spokesperson, Boris Cheshirkov, said"
            if after is not None:
                return after
        if not self._apposition_closes(end):
            return None
        apposed = self._apposition_name(start, end)
        return apposed[0] if apposed else None

    def _name_right_after(self, mention: Mention) -> _Found | None:
        """A name written straight on after a mention that ends in a title ("Peru's ombudsman Eliana
        Revollar said"): the person the title names."""
        j = bisect_right(self._title_ends, mention.end) - 1
        start, end = self._titles_by_end[j]
        found = self._read_name_after_title(start, end, self.sentences[self._sentence_of(start)][1])
        if found is None or found.start <= mention.end or self.text[mention.end:found.start].strip() \
                or self._mention_overlaps(found.start, found.end):
            return None
        return found

    def _titled_name(self, mention: Mention, title: tuple[int, int]) -> _Found | None:
        """A person the text names right after the title a source body owns, no gazetteer entry
        knowing him, speaks as himself, as he does named in apposition: "Police Commissioner Ali
        Musa said", "the ministry's spokesman Colonel Ali Musa". The name stands past both the body
        and the title: right after a title that follows the body, or after a rank; after a title
        before its body, only in commas. A side's officer ("SDF commander Ali Musa") speaks for
        the side, as the gazetteer's people do."""
        if mention.group != "sources" and (mention.kind != STATE_FORCES or (mention.start, mention.end) in self._country_words):
            return None  # a side's officer, or a state's head by its country word ("Russian President ..."): the side
        start, end = title
        if self.text[start:end] in self.rules.ranks and start >= mention.end:
            start = self._title_before(mention) or start  # "المتحدث باسم الوزارة الدكتور فلان": the title is before the body
        found = self._read_name_after_title(start, end, self.sentences[self._sentence_of(start)][1])
        past = max(end, mention.end)
        if found is None or found.start < past or (found.start, found.end) in self.titles \
                or self._mention_overlaps(found.start, found.end) or self._cue_between(past, found.end):
            return None
        if start <= mention.start:
            # a title before its body: the name in commas past them ("مدير مستشفى الشفاء، الدكتور
            # فلان،"); written straight on ("المتحدث باسم وزارة الصحة الدكتور فلان") the title's
            # words may still be the body's, and the body speaks
            return found if self._comma_before(found.start) else None
        gap = self.text[past:found.start].split()
        if gap and not self._rank_before(found.start) and gap[0] not in self.rules.title_domain_markers:
            return None  # "UN High Commissioner for Human Rights Volker Türk": past the title's domain
        return found

    def _title_before(self, mention: Mention) -> int | None:
        """Where a title that is no rank starts, ending at most owner_window words before the
        mention with no comma between ("المتحدث باسم وزارة الصحة")."""
        j = bisect_right(self._title_ends, mention.start) - 1
        while j >= 0:
            start, end = self._titles_by_end[j]
            gap = self.text[end:mention.start]
            if len(gap.split()) > self.rules.owner_window or "," in gap:
                return None
            if self.text[start:end] not in self.rules.ranks:
                return start
            j -= 1
        return None

    def _comma_before(self, pos: int) -> bool:
        """A comma stands right before `pos`, past the ranks written before it ("، الدكتور فلان")."""
        j = bisect_right(self._title_ends, pos) - 1
        while j >= 0 and not self.text[self._title_ends[j]:pos].strip() and self.text[slice(*self._titles_by_end[j])] in self.rules.ranks:
            pos = self._titles_by_end[j][0]
            j = bisect_right(self._title_ends, pos) - 1
        return self.text[:pos].rstrip().endswith(",")

    def _rank_before(self, pos: int) -> bool:
        """A rank ends right before `pos`, only spaces between ("اللواء فلان", "Colonel Ali Musa")."""
        j = bisect_right(self._title_ends, pos) - 1
        while j >= 0 and not self.text[self._title_ends[j]:pos].strip():
            start, end = self._titles_by_end[j]
            if self.text[start:end] in self.rules.ranks:
                return True
            j -= 1
        return False

    def _owned_title(self, mention: Mention) -> tuple[int, int] | None:
        """A title the mention's body owns: ending at most owner_window words before it ("المتحدث
        باسم الوزارة", "spokesman for the ministry") or starting right after it ("a UNHCR
        spokesperson", "the ministry's spokesman"), with no comma between."""
        i = bisect_left(self._title_starts, mention.end)
        if i < len(self.titles):
            start, end = self.titles[i]
            gap = self.text[mention.end:start]
            between = gap.split()
            if between and between[0].startswith("'"):  # a possessive, then at most one word: "the military's chief spokesman"
                between = between[1:]
            word = between[0] if between else ""
            if len(between) <= 1 and "," not in gap and (not word or (
                    word.isalpha() and word not in self.rules.name_stops and not self._cue_between(mention.end, start))):
                return start, end  # "a UNHCR spokesperson", "Russia's defence minister", "the UN humanitarian coordinator"
        j = bisect_right(self._title_ends, mention.start) - 1
        if j >= 0:
            start, end = self._titles_by_end[j]
            gap = self.text[end:mention.start]
            if len(gap.split()) <= self.rules.owner_window and "," not in gap:
                return start, end
        return None

    def _leading_title(self, mention: Mention) -> tuple[int, int] | None:
        """A title the mention begins with ("مدير المستشفى", a medical source), ending inside it."""
        i = bisect_left(self._title_starts, mention.start)
        if i < len(self.titles) and self.titles[i][0] == mention.start and self.titles[i][1] < mention.end:
            return self.titles[i]
        return None

    def _ends_in_title(self, mention: Mention) -> bool:
        """A title ends the mention ("the hospital director"): a name in commas after it is his."""
        j = bisect_right(self._title_ends, mention.end) - 1
        return j >= 0 and self._title_ends[j] == mention.end and self._titles_by_end[j][0] > mention.start

    def _apposition_closes(self, end: int) -> bool:
        """An apposition ending near `end` closes: a comma or a relative pronoun within four
        words, or the sentence's end, with no cue between ("Ali Musa, a UNHCR spokesman in
        Geneva, said"; not "Friday's attack, the ministry said")."""
        high = self.sentences[self._sentence_of(end)][1]
        limit = high
        i = bisect_left(self._cue_starts, end)
        if i < len(self._cue_starts) and self._cue_starts[i] < limit:
            limit = self._cue_starts[i]
        for count, word in enumerate(WORD.finditer(self.text, end, limit)):
            token = word.group()
            if count == 0 and token[0] in ",;":
                return True
            if token.strip(QUOTES) in self.rules.relative_pronouns or count >= 4:
                return token.strip(QUOTES) in self.rules.relative_pronouns
            if token.endswith((",", ";")):
                return True
        return limit == high  # the sentence ends the apposition

    def _comma_name_after(self, pos: int) -> _Found | None:
        """A name in commas right after `pos`, closed by a comma or the sentence's end: "the
        army's spokesman, Ali Musa, said", "said the ministry's spokesman, Ali Musa." Two to
        name_max_words words, none a stop, a number, a cue or a known name."""
        rest = self.text[pos:pos + 3]
        if not rest.lstrip().startswith(","):
            return None
        begin = pos + rest.index(",") + 1
        high = self.sentences[self._sentence_of(pos)][1]
        words = []
        for token in islice(WORD.finditer(self.text, begin, high), self.rules.name_max_words):
            bare = token.group().rstrip(",.;")
            if not bare or self._name_stop(bare, token.start()) or any(ch.isdigit() or ch in QUOTES for ch in bare):
                return None
            words.append((token.start(), token.start() + len(bare)))
            if bare != token.group() or token.end() >= high:
                break
        else:
            if not words or words[-1][1] < high:
                return None
        if len(words) < 2:
            return None
        proper = self._past_descriptors(words)
        if len(proper) >= 2:  # ", the Norwegian general Robert Mood,": the name itself
            words = proper
        start, end = words[0][0], words[-1][1]
        if self._mention_overlaps(start, end) or bisect_left(self._cue_starts, start) != bisect_left(self._cue_starts, end):
            return None
        phrase = self.text[start:end]
        said = [self.text[a:b] for a, b in words]
        if any(w in self.rules.day_names for w in said) or all(w in self.rules.date_words for w in said):
            return None  # a time phrase in commas: "the spokesman, on Wednesday evening, said"
        return _Found(name_id(phrase), phrase, start, end)

    def _past_descriptors(self, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """A name's words past the titles written before it and the common nouns after them ("Major
        General Ali Musa", "الجنرال النرويجي روبرت مود": the rank and the nationality are not the name's)."""
        past = self._past_ranks(words[0][0], words[-1][1])
        words = [w for w in words if w[0] >= past]
        prefixes = self.rules.common_noun_prefixes
        while words and prefixes and self.text[words[0][0]:words[0][1]].startswith(prefixes):
            words = words[1:]
        return words

    def _comma_name_past_place(self, pos: int) -> _Found | None:
        """A name in commas right after `pos`, or after a short place phrase an affiliation marker
        opens ("the UN humanitarian coordinator in Nigeria, Edward Kallon, said", "المنسق الأممي في
        نيجيريا، إدوارد كالون، إن": at most three words, no cue, number or stop but the marker)."""
        found = self._comma_name_after(pos)
        if found is not None or not self.rules.affiliation_markers:
            return found
        high = self.sentences[self._sentence_of(pos)][1]
        words = list(islice(WORD.finditer(self.text, pos, high), 3))
        if not words or words[0].group() not in self.rules.affiliation_markers:
            return None
        for word in words[1:]:
            bare = word.group().rstrip(",")
            if not bare.isalpha() or self._cue_between(pos, word.end()):
                return None
            if bare != word.group():
                return self._comma_name_after(word.start() + len(bare))
        return None

    def _name_stop(self, word: str, start: int) -> bool:
        """Whether `word`, at `start`, ends a name: a name stop, unless the normalisation folded
        another spelling onto it and the text writes that one ("وقال علي ديالو": the name علي,
        not the preposition على)."""
        if word not in self.rules.name_stops:
            return False
        spellings = self.rules.written_stops.get(word)
        if spellings is None or self.written is None:
            return True
        return _unmarked(self.written(start, start + len(word))) in spellings

    def _cue_between(self, start: int, end: int) -> bool:
        return bisect_left(self._cue_starts, start) != bisect_left(self._cue_starts, end)

    def _headed_name(self, low: int, high: int, side: str) -> _Found | None:
        """A person named before an apposition that an apposition head opens and a comma closes,
        when no known name or title is near the cue: "Dieudonné Lossa, a coordinator in the
        district, told UN News", "وقال علي ديالو، أحد وجهاء القرية، لـ"الأخبار" إن"."""
        heads = self.rules.apposition_heads
        if not heads:
            return None
        tokens = [t for t in WORD.finditer(self.text, low, high) if t.group() in heads]
        if side == "before":
            tokens.reverse()
        for token in tokens:
            tail = list(islice(WORD.finditer(self.text, token.end(), high), 8))
            if not any(t.group().endswith(",") for t in tail):
                continue
            apposed = self._apposition_name(token.start(), token.end())
            if apposed is not None:
                return apposed[0]
        return None

    def _modifies(self, mention: Mention) -> bool:
        """The mention is the agent of a participle describing the subject ("a clinic run by the
        SDF"), not the subject."""
        if not self.rules.agent_markers:
            return False
        start = mention.start
        head = self.text[max(0, start - 12):start].rstrip()
        last = head.rsplit(" ", 1)[-1]
        if last in self.rules.name_stops:  # an article between: "run by the SDF"
            start -= _trailing_space(self.text, start) + len(last)
        return self._preceded_by(start, self.rules.agent_markers)

    def _placed(self, mention: Mention, window: list[Mention]) -> bool:
        """The mention names a place, not who speaks: where a body named before it works ("The UN
        Human Rights Monitoring Mission in Ukraine said": a place marker right before it, a known
        body before that in the same phrase, no comma, no cue between), or where an opening phrase
        sets the scene ("In Kyiv, Mayor Vitali Klitschko said": the marker opens the sentence or a
        clause, a comma closes the mention)."""
        if not self.rules.place_markers or not self._preceded_by(mention.start, self.rules.place_markers):
            return False
        end = mention.start
        while end > 0 and self.text[end - 1] in " " + QUOTES:
            end -= 1
        marker = max((m for m in self.rules.place_markers if self.text.endswith(m, 0, end)), key=len)
        before = self.text[self.sentences[self._sentence_of(mention.start)][0]:end - len(marker)].rstrip(" " + QUOTES)
        if (not before or before.endswith((",", ";", ":"))) and self.text.startswith(",", mention.end):
            return True  # "In Kyiv, Mayor Vitali Klitschko said": an opening phrase of place
        return any(other.end <= mention.start and _identified(other) and "," not in self.text[other.end:mention.start]
                   and not self._cue_between(other.end, mention.start) for other in window if other is not mention)

    def _subject_of_other(self, mention: Mention, cue: _Cue) -> bool:
        """The mention follows another speech verb right after it and its own count right after
        itself, with a comma between it and `cue`: it is that verb's subject ("فيما نعى حزب الله
        ثلاثة من عناصره، واتهم الطرفان"), not the subject `cue` finds before itself."""
        if "," not in self.text[mention.end:cue.start]:
            return False
        i = bisect_right(self._cue_ends, mention.start) - 1
        if i < 0 or self._cue_ends[i] >= cue.start:
            return False
        gap = self.text[self._cue_ends[i]:mention.start - len(mention.prefix or "")]
        if gap.strip() or not any(c.role == "verb" and c.end == self._cue_ends[i] for c in self._cues_from(self._cue_ends[i] - 40, self._cue_ends[i])):
            return False
        j = bisect_left(self._figure_starts, mention.end)  # and that verb's own count follows it
        if j >= len(self._figure_starts) or self._figure_starts[j] >= cue.start:
            return False
        rest = self.text[mention.end:self._figure_starts[j]]
        return len(rest.split()) <= 1 and CLAUSE_MARKS.isdisjoint(rest)

    def _reported_before(self, mention: Mention, cue: _Cue) -> bool:
        """The mention stands in an earlier cue's reported clause and a clause break parts it from
        `cue`: "قال إن الغارة استهدفت مقاتلي الجبهة ...، مضيفا" (the front is no speaker), while
        "قال إن مصادر طبية أفادت" keeps its nested source."""
        if "," not in self.text[mention.end:cue.start]:
            return False
        index = self._sentence_of(mention.start)
        low = self.sentences[index][0]
        starts = self._cue_starts
        if any(any(c.role != "own" and c.end <= s for c in self.cues[bisect_left(starts, low):bisect_right(starts, s)])
               for s in self.stops[bisect_left(self.stops, low):bisect_left(self.stops, mention.start)]) \
                and not self._verb_subject(mention):
            return True
        return self._object_of_earlier(mention, cue, index, low)

    def _verb_subject(self, mention: Mention) -> bool:
        """A speech verb stands right before the mention, only spaces and its proclitic between:
        its subject, a clause of its own ("زعمت أن ...، وهو ما نفته وزارة شؤون البيشمركة،
        مؤكدة أن": the ministry denied, and it asserts)."""
        i = bisect_right(self._cue_ends, mention.start - len(mention.prefix or "")) - 1
        return i >= 0 and not self.text[self._cue_ends[i]:mention.start - len(mention.prefix or "")].strip()

    def _object_of_earlier(self, mention: Mention, cue: _Cue, index: int, low: int) -> bool:
        """The mention is a side (an actor, never a source) in the object of the speech verb
        nearest before it, whose own claimant is named before the mention: "أعلن محافظ كركوك فلان
        انتهاء العمليات ضد مسلحي تنظيم داعش ...، مؤكدا مقتل 74" (the governor announced; IS is whom
        he spoke of), "The governor announced the end of the operation against the Taliban in
        Helmand, adding that 40 ...". The verb's claimant is read as for `cue`'s own figure."""
        if mention.group != "actors":
            return False  # "IS claimed the attack through its Amaq news agency, saying": the channel speaks
        starts = self._cue_starts
        earlier = [c for c in self.cues[bisect_left(starts, low):bisect_left(starts, mention.start)] if c.end <= mention.start]
        if not earlier or earlier[-1].role != "verb":
            return False
        found = self._claimant(earlier[-1], index, cue.start, cue.end)
        return found is not None and found.end <= mention.start and (found.start, found.end) not in self.titles \
            and found.claimed_by != _identified(mention)  # "المتحدث باسم القيادة العميد فلان": one speaker

    def _speaker(self, mention: Mention, window: list[Mention]) -> _Found:
        person = self._apposed_person(mention)
        if person is not None:
            return person
        if mention.kind == "correspondent":
            owner = self._correspondent_owner(mention, window)
            if owner is None:
                return _Found(self.publisher, mention.text, mention.start, mention.end)
            mention = owner
        elif mention.kind == UNNAMED:
            mention = self._affiliation(mention) or mention
        return _Found(_identified(mention) or self._written_id(mention.text), mention.text, mention.start, mention.end)

    def _written_id(self, phrase: str) -> str:
        """An unresolved mention kept as written, without the article or stop words it begins with
        ("the Ministry of Health" and "Ministry of Health spokesman" are one claimant)."""
        words = phrase.split()
        while len(words) > 1 and words[0] in self.rules.name_stops:
            words.pop(0)
        return name_id(" ".join(words))

    def _correspondent_owner(self, mention: Mention, window: list[Mention]) -> Mention | None:
        words = list(islice(WORD.finditer(self.text, mention.end), self.rules.owner_window))
        reach = words[-1].end() if words else mention.end
        for other in self.mentions:
            if mention.end <= other.start and other.end <= reach and other.kind != "correspondent":
                return other
        earlier = [m for m in window if m.end <= mention.start and m.kind != "correspondent" and _identified(m)]
        return max(earlier, key=lambda m: m.start) if earlier else None

    def _affiliation(self, mention: Mention) -> Mention | None:
        """"an official at the Red Cross", "a source in the Observatory": the body speaks; "an
        official at the Sabha medical centre", "مصدر في دائرة صحة ديالى" (a medical place no
        gazetteer names, `medical_places`): a medical source."""
        rest = self.text[mention.end:mention.end + LOOKAROUND]
        gap = len(rest) - len(rest.lstrip(" " + QUOTES))
        for marker in self.rules.affiliation_markers:
            tail = rest[gap:]
            if tail.startswith(marker) and tail[len(marker):len(marker) + 1] in (" ", *QUOTES):
                start = mention.end + gap + len(marker)
                words = list(islice(WORD.finditer(self.text, start), self.rules.owner_window + 1))
                reach = words[-1].end() if words else start
                for other in self.mentions:
                    if start <= other.start < reach and other.kind not in (UNNAMED, "correspondent"):
                        return other if _identified(other) else None
                return self._medical_place(mention, words)
        return None

    def _medical_place(self, mention: Mention, words) -> Mention | None:
        """The place after an affiliation marker is a medical one: one of its words (up to
        punctuation) is a `medical_places` word."""
        source = self.rules.medical_person_source
        if not self.rules.medical_places or not source:
            return None
        for word in words:
            token = word.group()
            bare = token.strip(QUOTES + ",.;:()")
            if bare in self.rules.medical_places:
                return Mention(mention.start, mention.end, source, "medical", mention.text, False, False, "", "sources", (source,))
            if bare != token:
                break
        return None

    def _addressee(self, mention: Mention) -> bool:
        if mention.prefix in self.rules.addressee_prefixes and self._owns_title(mention):
            return False  # "القائد العام لـ"قسد"": the title's body ("of"), not whom he spoke to
        return mention.prefix in self.rules.addressee_prefixes or self._preceded_by(mention.start, self.rules.addressee_before)

    def _owns_title(self, mention: Mention) -> bool:
        """A title ends at most two words before the mention, with no other known name between;
        an outlet or agency there is whom the person spoke to ("مدير المرصد لوكالة فرانس برس")."""
        if mention.kind in MEDIA_KINDS:
            return False
        head = mention.start - len(mention.prefix or "")
        # Latest-ending titles first: the words between only grow going back, so the first title
        # more than two words away ends the search.
        for i in range(bisect_right(self._title_ends, head) - 1, -1, -1):
            end = self._title_ends[i]
            if sum(1 for _ in islice(WORD.finditer(self.text, end, head), 3)) > 2:
                break
            if not any(_identified(m) for m in self._mentions_within(end, mention.start)):
                return True
        return False

    def _preceded_by(self, pos: int, phrases) -> bool:
        head = self.text[max(0, pos - LOOKAROUND):pos].rstrip(" " + QUOTES)
        if not head.endswith(phrases):  # (a tuple) one test for all; most places end with none
            return False
        for phrase in phrases:
            if head.endswith(phrase):
                cut = len(head) - len(phrase)
                if cut == 0 or not head[cut - 1].isalnum():
                    return True
        return False

    def _unknown_name(self, low: int, high: int, side: str) -> _Found | None:
        titles = self.titles[bisect_left(self._title_starts, low):bisect_left(self._title_starts, high)]
        if side == "before":
            titles.reverse()
        for start, end in titles:
            if self._title_follows(end):
                continue  # "Chief Minister Pervez Khattak": the name is read after the last title
            found = self._name_after_title(start, end, high)
            if found and (found.start, found.end) == (start, end) and self.text[start:end] in self.rules.named_titles:
                continue  # "a man shot in the head said": "head" alone names no one
            if found and (found.start, found.end) == (start, end) and self.text[start:end] in self.rules.ranks:
                found = self._rank_in_name(start, high) or found  # "المقدم محمد النقيب": the surname, no rank
            if found:
                return found
        return None

    def _rank_in_name(self, start: int, bound: int) -> _Found | None:
        """The name read after the title right before the rank at `start`, when it runs over the
        rank: a surname that is also a rank ("المقدم محمد النقيب في بيان": محمد_النقيب, not النقيب)."""
        k = bisect_left(self._title_starts, start) - 1
        if k < 0:
            return None
        earlier = self._name_after_title(*self.titles[k], bound)
        return earlier if earlier is not None and earlier.start < start < earlier.end else None

    def _title_follows(self, end: int) -> bool:
        """Another title begins right after `end`, only spaces between."""
        i = bisect_left(self._title_starts, end)
        return i < len(self._title_starts) and not self.text[end:self._title_starts[i]].strip()

    def _apposition_name(self, title_start: int, title_end: int) -> tuple[_Found, bool] | None:
        """The name in apposition before a title: "Akram Gliwan, a spokesman" (from the sentence's
        or clause's start), "قال راجع بركات، عضو" (from a cue's end), and whether it follows a cue.
        Articles between the comma and the title are name stops; the name has 1 to
        name_max_words words, none a stop, a cue or a known name."""
        low = self.sentences[self._sentence_of(title_start)][0]
        tokens = list(WORD.finditer(self.text, low, title_start))
        while tokens and tokens[-1].group() in self.rules.name_stops:
            tokens.pop()
        for words in range(1, APPOSITION_MODIFIERS + 1):  # "Joseph Wirba, a former SDF lawmaker", "Asim Bajwa, the military's chief spokesman"
            if tokens and tokens[-1].group().endswith(","):
                break
            head = tokens[-words - 2:-words] if len(tokens) > words + 1 else []
            if head and head[1].group() in self.rules.name_stops and head[0].group().endswith(",") \
                    and not any(ch in _unpossessed(t.group()) for t in tokens[-words:] for ch in ",;:.()" + QUOTES):
                tokens = tokens[:-words - 1]
        if not tokens or not tokens[-1].group().endswith(","):
            return None
        name: list = []
        for i, token in enumerate(reversed(tokens)):
            word = token.group()[:-1] if i == 0 else token.group()
            if (i and word.endswith((",", ";", ":", ".", "(", ")"))) or any(q in word for q in QUOTES) \
                    or self._cue_reach[bisect_left(self._cue_starts, token.end())] > token.start():
                break
            name.insert(0, token)
        if not name or len(name) > self.rules.name_max_words:
            return None
        name_start = name[0].start()
        ends = self._cue_ends  # a cue ends right before the name, or only spaces part them
        after_cue = bisect_right(ends, name_start) > bisect_left(ends, name_start - _trailing_space(self.text, name_start))
        if len(name) < 2 and not after_cue:
            return None  # "Meanwhile, a spokesman said": a lone word before a comma is rarely a name
        words = [m.group().rstrip(",") for m in name]
        if any(self._name_stop(w, m.start()) or any(ch.isdigit() for ch in w) for w, m in zip(words, name)):
            return None
        start, end = name[0].start(), name[-1].start() + len(words[-1])
        before = self.text[low:start].rstrip()
        clause_start = not before or before.endswith((",", ";", ":", "\"", "("))
        if not (clause_start or after_cue) or self._mention_overlaps(start, end):
            return None
        start = self._past_ranks(start, end)
        phrase = self.text[start:end]
        return _Found(name_id(phrase), phrase, start, end), after_cue

    def _past_ranks(self, start: int, end: int) -> int:
        """Where a name in apposition begins past the titles written before it ("Major General Asif
        Ghafoor, the military's spokesman": asif_ghafoor); `start` when no word would be left."""
        inside = self.titles[bisect_left(self._title_starts, start):bisect_left(self._title_starts, end)]
        if not inside:
            return start
        word = WORD.search(self.text, max(e for _s, e in inside), end)
        return word.start() if word is not None else start

    def _name_after_title(self, start: int, end: int, bound: int) -> _Found | None:
        apposed = self._apposition_name(start, end)
        if apposed is not None and apposed[1]:
            return apposed[0]  # "said NAME, member of ...": the name right after a verb-first cue
        found = self._read_name_after_title(start, end, bound)
        if apposed is not None and (found is None or (found.start, found.end) in self.titles):
            return apposed[0]  # "Akram Gliwan, a spokesman for ...": the title names no one after it
        return found

    def _read_name_after_title(self, start: int, end: int, bound: int) -> _Found | None:
        rules = self.rules
        apposed = self._comma_name_past_place(end)  # "the army's spokesman, Ali Musa, said"
        if apposed is not None and apposed.end <= bound:
            return apposed
        words = list(islice(WORD.finditer(self.text, end), rules.name_window))
        i, j = bisect_left(self.stops, end), bisect_left(self._cue_starts, end)
        stop = self.stops[i] if i < len(self.stops) else len(self.text)
        cue = self._cue_starts[j] if j < len(self._cue_starts) else len(self.text)
        sentence_end = self.sentences[self._sentence_of(start)][1]
        reach = min(stop, cue, sentence_end, words[-1].end() if words else end)
        limit = min(reach, bound)
        domain = self._name_past_domain(end, bound, sentence_end)
        if domain is not None:
            return domain
        quoted = _last_quoted(self.text, end, limit, rules.name_max_words)
        if quoted and self._preceded_by(quoted[0], rules.addressee_before):
            # 'محافظ نابلس غسان دغلس لـ"وفا"': the quoted outlet is whom he spoke to, not his name
            head = self.text[:quoted[0]].rstrip(" " + QUOTES)
            marker = max((m for m in rules.addressee_before if head.endswith(m)), key=len)
            limit = max(end, len(head) - len(marker))
            quoted = None
        if quoted:
            return _Found(name_id(self.text[quoted[0]:quoted[1]]), self.text[quoted[0]:quoted[1]], *quoted)
        name_end = end
        ranks = {s: e for s, e in self.titles[bisect_left(self._title_starts, end):bisect_left(self._title_starts, limit)]
                 if self.text[s:e] in rules.ranks} if rules.ranks else {}
        most = rules.name_max_words + self._title_lead(start, end, limit)  # the title's own words do not count
        for count, word in enumerate(WORD.finditer(self.text, end, reach)):
            token = word.group()
            bare = token.strip(QUOTES + ",.:;()")
            if word.start() >= limit and (name_end == end or not bare or not token.startswith(bare)
                                          or not self._runs_on(word.start(), word.start() + len(bare))):
                break  # past the window: only a name begun in it runs on, over words no lexicon knows
            if count < most and word.start() in ranks and token == bare:
                # "المتحدث باسم وزارة الدفاع العقيد حسن عبد الغني": the name follows the rank, and
                # counts whole when the rank stands within the bound (as a mention that begins in a window)
                named = self._read_name_after_title(word.start(), ranks[word.start()], sentence_end)
                if name_end == end or (named.start, named.end) != (word.start(), ranks[word.start()]):
                    return named
                # no name after it, a name before it: the rank is its surname ("المقدم محمد النقيب في")
            joined = self._title_within(word.start() + 1, word.end()) if count < most else None
            if joined is not None:
                # "وزير الإعلام والمتحدث باسم الحكومة فلان": a second title joined to the first
                # by a proclitic conjunction; the name is read after it
                return self._read_name_after_title(*joined, sentence_end)
            if count >= most or not bare or self._name_stop(bare, word.start() + token.index(bare)) \
                    or any(ch.isdigit() or ch == '"' for ch in bare) or bare in rules.day_names:
                # "ديفيد كاميرون اليوم الأحد"; a quote is no name's: 'فلان لـ"ليبيا أوبزرفر"' (an addressee the window cut)
                if count < most and bare == token and bare in rules.affiliation_markers \
                        and count <= self._title_lead(start, end, limit):
                    placed = self._name_past_place(word.end(), sentence_end)
                    if placed is not None:  # "رئيس اللجنة الأمنية في مجلس محافظة بابل حامد المسعودي"
                        return placed
                if count and name_end > end:  # "رئيس بعثة المراقبين في سوريا، روبرت مود، أن": the name past the place
                    apposed = self._comma_name_past_place(name_end)
                    if apposed is not None and self.text.rfind(",", name_end, apposed.start) < bound:
                        return apposed  # the apposition opens in the window: the name counts whole
                break
            name_end = word.start() + token.index(bare) + len(bare)
            if _unpossessed(bare) != bare:  # "Mayor Ali Musa's office had given": his office speaks for him
                name_end -= len(bare) - len(_unpossessed(bare))
                break
            if bare != token:
                if name_end > end:  # "المتحدث باسم الجيش، العميد فلان الفلاني، إن": the name in commas after the title's body
                    apposed = self._comma_name_after(name_end)
                    if apposed is not None and apposed.end <= bound:
                        return apposed
                break
        if name_end > end and self.text[start:end].rsplit(" ", 1)[-1] in rules.name_stops:
            name_end = end  # "a member of one family", "the head of one hospital": a title ending in "of" governs its body, no name
        if name_end > end:
            start = self._past_title(start, end, name_end)  # "President Uhuru Kenyatta": the title is no part of the id
        phrase = self.text[start:name_end]
        return _Found(name_id(phrase), phrase, start, name_end)

    def _name_past_domain(self, end: int, bound: int, high: int) -> _Found | None:
        """The name after a title's domain that a marker opens ("UN High Commissioner for Human
        Rights Volker Türk said", "Minister for Foreign Affairs Penny Wong"): the words after the
        marker written capitalised, three at least, the last two the name (a domain of one word and
        a name of two at the least); None when no marker follows the title or the name begins past
        `bound`."""
        markers = self.rules.title_domain_markers
        if not markers or self.written is None:
            return None
        words = list(islice(WORD.finditer(self.text, end, high), self.rules.name_max_words + 3))
        if len(words) < 4 or words[0].group() not in markers:
            return None
        run = []
        for word in words[1:]:
            bare = word.group().rstrip(",.;:")
            if not bare or not self.written(word.start(), word.start() + 1).isupper() \
                    or self._name_stop(bare, word.start()) or self._cue_between(word.start(), word.start() + len(bare)):
                break
            if bare != word.group():
                return None  # "Jamil Shah, a spokesman for Lady Reading Hospital, said": the domain ends an apposition
            run.append((word.start(), word.start() + len(bare)))
        if len(run) < 3 or run[-2][0] >= bound:
            return None
        start, stop = run[-2][0], run[-1][1]
        return _Found(name_id(self.text[start:stop]), self.text[start:stop], start, stop)

    def _name_past_place(self, pos: int, high: int) -> _Found | None:
        """The name written straight on after a title's domain and the place an affiliation marker
        opens after it, no comma between ("رئيس اللجنة الأمنية في مجلس محافظة بابل حامد المسعودي
        لـ«...»": حامد_المسعودي, not the office): the place is one word, one more after each
        `title_domain_heads` word ("مجلس محافظة بابل"), then the common nouns after it; the name
        is the next two to name_max_words - 1 words, its first no common noun, none a stop, a known
        word, a title or a known name, and it must end where a name does (a stop, an addressee, a
        complementizer, a cue, punctuation or the sentence's end). Only in a pack whose titles
        govern a domain (`title_domain_words`)."""
        rules = self.rules
        if not rules.title_domain_words or not rules.common_noun_prefixes:
            return None
        words = list(islice(WORD.finditer(self.text, pos, high), 2 * rules.name_max_words + 4))
        k, place = 0, 1
        while k < min(place, len(words)):
            token = words[k].group()
            if token != token.strip(QUOTES + ",.;:()") or self._name_stop(token, words[k].start()) \
                    or self._mention_overlaps(words[k].start(), words[k].end()):
                return None  # the place must be written straight on, and be no known body
            if token in rules.title_domain_heads:
                place += 1
            k += 1
        if k < place:
            return None
        while k < len(words) and words[k].group().startswith(rules.common_noun_prefixes):
            k += 1
        name = []
        for word in words[k:k + rules.name_max_words + 1]:
            token = word.group()
            bare = token.strip(QUOTES + ",.;:()")
            if not name and (not bare or bare != token or bare.startswith(rules.common_noun_prefixes)):
                return None
            if not bare or not token.startswith(bare) or not self._runs_on(word.start(), word.start() + len(bare)) \
                    or self._mention_overlaps(word.start(), word.start() + len(bare)) \
                    or bisect_left(self._cue_starts, word.start()) != bisect_left(self._cue_starts, word.start() + len(bare)) \
                    or (word.start() in self.stops):
                break
            name.append((word.start(), word.start() + len(bare)))
            if bare != token:
                break
        if not 2 <= len(name) < rules.name_max_words:
            return None  # a name of as many words as a name may have may have run on into the clause
        start, end = name[0][0], name[-1][1]
        rest = words[k + len(name)] if k + len(name) < len(words) else None
        if rest is not None and not self.text[end:rest.start()].strip(" ") and self._runs_on(rest.start(), rest.end()) \
                and not self._cue_between(end, rest.end()) and rest.start() not in self.stops:
            return None  # the name runs on into words that may be a name's: no name's end is in sight
        phrase = self.text[start:end]
        return _Found(name_id(phrase), phrase, start, end)

    def _runs_on(self, start: int, end: int) -> bool:
        """The word [start, end) may go on a name begun before it: no known word of the pack
        (`known_words`), no name stop, title, number or date word, no addressee ("لوكالة"), and
        not written in lower case by a script with case ("Ali Musa announced": the verb is no
        part of the name)."""
        rules, word = self.rules, self.text[start:end]
        if self._name_stop(word, start) or any(ch.isdigit() or ch in QUOTES for ch in word) or word in rules.day_names \
                or word in rules.date_words or word in rules.addressee_before \
                or (rules.addressee_prefixes and word.startswith(tuple(rules.addressee_prefixes))) \
                or self._title_within(start, end) is not None:
            return False  # 'فلان لـ"وفا"', "فلان لوكالة": whom he spoke to
        if self.written is not None and self.written(start, start + 1).islower():
            return False
        known = rules.known_words.match_at(self.text, start, end) if rules.known_words is not None else None
        return known is None or known[1] != end

    def _title_within(self, low: int, high: int) -> tuple[int, int] | None:
        """A title that is no rank starting in [low, high): inside a word, past a proclitic."""
        k = bisect_left(self._title_starts, low)
        if k < len(self.titles) and self.titles[k][0] < high and self.text[slice(*self.titles[k])] not in self.rules.ranks:
            return self.titles[k]
        return None

    def _past_title(self, start: int, end: int, name_end: int) -> int:
        """Where the name read after the title [start, end) begins: past the title ("Colonel Philip
        Aguer", "President Uhuru Kenyatta") and the words that are the title's (`_title_lead`);
        `start` when no word of a name would be left, or only common nouns ("محافظ طرطوس", "مدير
        الدفاع المدني": the title and its domain name the office)."""
        words = [w for w in WORD.finditer(self.text, end, name_end) if w.start() > end]  # "النائبة": the ending is the title's
        if not words:
            return start
        if self.text[start:end] in self.rules.ranks:
            return words[0].start()  # "العقيد الصوارمي خالد سعد": a rank governs nothing, and the name may begin as a noun
        lead = self._title_lead(start, end, name_end)
        prefixes = self.rules.common_noun_prefixes
        if lead >= len(words) or (prefixes and all(w.group().startswith(prefixes) for w in words[lead:])):
            return start  # "مدير الدفاع المدني", "رئيس المجلس المحلي": the office, no name
        return words[lead].start()

    def _title_lead(self, start: int, end: int, limit: int) -> int:
        """How many words after the title [start, end), before `limit`, are still the title's: its domain when it
        governs one (`title_domain_words`, after a title written without the article: "وزير
        الداخلية بسام مولوي", "محافظ جنين فلان", "والي شمال دارفور فلان": `title_domain_heads`)
        and the common nouns after them ("رئيس الوزراء البريطاني ديفيد كاميرون", "الرئيس الصومالي
        حسن شيخ محمود"); none after a rank, nor in a language with neither."""
        rules = self.rules
        if not (rules.title_domain_words or rules.common_noun_prefixes) or self.text[start:end] in rules.ranks:
            return 0
        words = [w.group().strip(QUOTES + ",.;:()") for w in islice(WORD.finditer(self.text, end, limit), 2 * rules.name_max_words + 1)
                 if w.start() > end]
        lead, domain = 0, rules.title_domain_words if not self._title_definite(start, end) else 0
        while lead < min(domain, len(words)):
            if words[lead] in rules.title_domain_heads:
                domain += 1  # "والي غرب دارفور خميس أبكر": the region is two words
            lead += 1
        # the common nouns after them, leaving a name two words ("والي شمال دارفور الحافظ بخيت") or
        # one ("الرئيس السيسي") as written
        while lead < len(words) - 2 and rules.common_noun_prefixes and words[lead].startswith(rules.common_noun_prefixes):
            lead += 1
        return lead

    def _title_definite(self, start: int, end: int) -> bool:
        """The title's last word is written with the article (`common_noun_prefixes`), a proclitic
        of its own ("النائب العام") or one the lexicon read before it ("والرئيس"): it governs no domain."""
        prefixes = self.rules.common_noun_prefixes
        space = self.text.rfind(" ", start, end)
        if space >= 0:
            return self.text[space + 1:end].startswith(prefixes)
        head = start
        while head > 0 and not self.text[head - 1].isspace():
            head -= 1
        return self.text[start:end].startswith(prefixes) or self.text[head:start].endswith(prefixes)


def _occurrences(text: str, literal: str):
    """Where `literal` begins in `text`, left to right, without overlaps (as a regex finds it)."""
    at = text.find(literal)
    while at >= 0:
        yield at
        at = text.find(literal, at + len(literal))


def _last_quoted(text: str, start: int, end: int, max_words: int) -> tuple[int, int] | None:
    """The last short quoted span in [start, end), without its quotes."""
    found = None
    for m in QUOTED.finditer(text[start:end]):
        inner = m.group(1).strip()
        if inner and len(inner.split()) <= max_words:
            a = start + m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            found = (a, a + len(inner))
    return found


def _unpossessed(word: str) -> str:
    """A word without its possessive ending: "military's" is a modifier of a title, no quote."""
    return word[:-2] if word.endswith("'s") else word


def _trailing_space(text: str, pos: int) -> int:
    """How many white-space characters end text[:pos] (what rstrip would take, without the copy)."""
    start = pos
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return pos - start


def _identified(mention: Mention) -> str | None:
    return mention.entry_id


def _claimant_mentions(canonical: str, pack: LanguagePack, gazetteers: Gazetteers, day=None) -> list[Mention]:
    """Sources and actors that can claim, in order: a longer mention wins an overlap (a source a tie,
    except that of two anaphora on one span the one whose antecedent was named last wins: "Russia's
    Defence Ministry ... the ministry said" is the actor's ministry, not an unresolved health
    ministry); an actor anaphor with no antecedent is dropped; a source anaphor without one stays
    (entry_id None)."""
    sources = gazetteers.source_mentions(canonical, pack, day)
    actors = [m for m in gazetteers.actor_mentions(canonical, pack, day) if m.entry_id is not None]
    named: dict[tuple[str, str], list[int]] = {}
    for m in chain(sources, actors):
        if not m.anaphora:
            named.setdefault((m.group, m.entry_id), []).append(m.start)

    def antecedent(m: Mention) -> int:
        if not m.anaphora:
            return len(canonical)
        starts = named.get((m.group, m.entry_id), ())
        i = bisect_left(starts, m.start)
        return starts[i - 1] if i else -1

    kept = []
    for m in sorted(sources + actors, key=lambda m: (m.start, -(m.end - m.start), -antecedent(m), m.group != "sources")):
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def _with_qualified_anaphora(canonical: str, mentions: list[Mention], country_words: set, articles: tuple[str, ...]) -> list[Mention]:
    """The mentions, with a source anaphor that no earlier name resolved (or only the story's country
    did) followed right away by a country word that qualifies it ("وزارة الخارجية الإيرانية" where
    no entry names Iran's ministry) made one mention of that country's body, unresolved (kept as
    written), never the country's side: "نقلت إرنا عن المتحدث باسم وزارة الخارجية الإيرانية بهرام
    قاسمي" is the spokesman, not iran."""
    out: list[Mention] = []
    skip = -1
    for k, m in enumerate(mentions):
        if k == skip:
            continue
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        if nxt is not None and m.anaphora and m.group == "sources" and (m.entry_id is None or m.inferred) \
                and nxt.group == "actors" and not nxt.anaphora \
                and ((nxt.start, nxt.end) in country_words or (nxt.kind == STATE_FORCES and nxt.prefix in articles)) \
                and (not nxt.prefix or nxt.prefix in articles) and canonical[m.end:nxt.start - len(nxt.prefix or "")] == " ":
            end = nxt.end
            while end < len(canonical) and canonical[end].isalnum():
                end += 1  # the adjective's ending ("الإيرانية")
            out.append(Mention(m.start, end, None, m.kind, canonical[m.start:end], True, False, m.prefix, "sources", ()))
            skip = k + 1
            continue
        out.append(m)
    return out


def _names_region(canonical: str, mention: Mention, place_nouns: frozenset[str]) -> bool:
    """A side's name right before a noun of a part of a country ("Moscow Region Governor", "the Donetsk
    oblast"): the name is the place's."""
    if mention.group != "actors":
        return False
    word = WORD.match(canonical, mention.end + 1) if canonical.startswith(" ", mention.end) else None
    return word is not None and word.group().strip(",.;:\"'()") in place_nouns


def _with_acronyms(canonical: str, mentions: list[Mention], written) -> list[Mention]:
    """The mentions, with the later uses of an acronym the text defines in brackets after a known
    body ("The UN Mission in South Sudan (UNMISS) said ... UNMISS said": un): written in capitals,
    two to ten letters, at most ACRONYM_GAP words after the body's name in its sentence."""
    added = []
    starts = [m.start for m in mentions]
    for match in BRACKETED.finditer(canonical):
        inner = match.group(1)
        if not written(match.start(1), match.end(1)).isupper():
            continue
        i = bisect_left(starts, match.start()) - 1
        owner = mentions[i] if i >= 0 else None
        if owner is None or owner.entry_id is None or owner.end > match.start():
            continue
        gap = canonical[owner.end:match.start()]
        if not CLAUSE_MARKS.isdisjoint(gap) or len(gap.split()) > ACRONYM_GAP:
            continue
        for use in regex.finditer(rf"(?<!\w){regex.escape(inner)}(?!\w)", canonical, pos=match.end()):
            a, b = use.span()
            j = bisect_left(starts, b) - 1
            if (j >= 0 and mentions[j].end > a) or not written(a, b).isupper():
                continue  # inside a longer name, or a word ("who")
            added.append(Mention(a, b, owner.entry_id, owner.kind, inner, False, False, "", owner.group, owner.candidates))
    if not added:
        return mentions
    return sorted(chain(mentions, {(m.start, m.end): m for m in added}.values()), key=lambda m: m.start)


def _with_country_bodies(canonical: str, mentions: list[Mention], countries, rules: Rules) -> list[Mention]:
    """The mentions, with each body a country word or possessive qualifies and no gazetteer entry
    names, kept as written: "the Turkish Medical Association said" is turkish_medical_association,
    "Pakistan's bar council" pakistan_bar_council, never the country's side or army. The body is the
    country word and at most BODY_WORDS more, the last a `body_heads` word, none a name stop, no
    punctuation but a possessive between, not followed by "of" ("Ministry of ..." names its domain
    after it); a longer gazetteer name wins ("the Lebanese health ministry")."""
    added, dropped = [], set()
    starts = [m.start for m in mentions]
    for start, end, _ids in countries:
        i = bisect_right(starts, start) - 1
        over = mentions[i] if i >= 0 and mentions[i].end > start else None
        if over is not None and (over.start, over.end) != (start, end):
            continue  # inside a longer name
        at = end + 2 if canonical.startswith("'s", end) else end
        tokens = list(islice(WORD.finditer(canonical, at), BODY_WORDS + 1))
        head = None
        for k, token in enumerate(tokens[:BODY_WORDS]):
            word = token.group()
            bare = word.rstrip(",.;:\"')")
            if not bare.replace("-", "").isalpha() or bare in rules.name_stops or (k and token.start() in starts):
                break
            if bare in rules.body_heads:
                head = (k, token.start() + len(bare))
            if bare != word:
                break
        if head is None or (head[0] + 1 < len(tokens) and tokens[head[0] + 1].group() == "of"
                            and canonical[head[1]:tokens[head[0] + 1].start()].isspace()):
            continue
        j = bisect_left(starts, head[1])
        inside = [m for m in mentions[max(i, 0):j] if m.start < head[1] and m.end > end]
        if any(not m.anaphora or m.end > head[1] for m in inside):
            continue  # a known name inside the body's words (an anaphor there is the body's own words: "Russia's Health Ministry")
        dropped.update((m.start, m.end) for m in inside)
        phrase = canonical[start:end] + canonical[at:head[1]]
        body_id = name_id(phrase)
        added.append(Mention(start, head[1], body_id, OFFICIAL_KIND, canonical[start:head[1]], False, False, "", "sources", (body_id,)))
        if over is not None:
            dropped.add((over.start, over.end))
    if not added:
        return mentions
    kept = sorted(chain((m for m in mentions if (m.start, m.end) not in dropped), added), key=lambda m: m.start)
    return _country_body_anaphora(canonical, kept, added)


def _country_body_anaphora(canonical: str, mentions: list[Mention], bodies: list[Mention]) -> list[Mention]:
    """The mentions, with each anaphor of a source that no earlier name resolved, or that only the
    story's country did, ending in the head noun of a country body kept as written before it ("Russia's
    Investigative Committee said ... the committee said", "Russia's Health Ministry ... the ministry"),
    made that body: the body the text named last with that head."""
    out = []
    for m in mentions:
        if m.anaphora and m.group == "sources" and (m.entry_id is None or m.inferred):
            head = canonical[m.start:m.end].rsplit(" ", 1)[-1]
            body = next((b for b in reversed(bodies) if b.end <= m.start and canonical[b.start:b.end].rsplit(" ", 1)[-1] == head), None)
            if body is not None:
                m = Mention(m.start, m.end, body.entry_id, body.kind, m.text, True, False, m.prefix, "sources", (body.entry_id,))
        out.append(m)
    return out


def _with_national_societies(canonical: str, mentions: list[Mention], countries, rules: Rules) -> list[Mention]:
    """The mentions, with an international movement's name (`national_bodies`) that a country word
    qualifies, right before it or right after it with only a space between ("the Ethiopian Red
    Cross Society", "الهلال الأحمر اليمني"), made that country's society, kept as written
    (ethiopian_red_cross, الهلال_الاحمر_اليمني): not the movement's committee (the ICRC), nor the
    society of another country a bare name would give. A gazetteer name that holds the country
    word wins ("the Kenya Red Cross", "الهلال الأحمر الليبي")."""
    if not countries:
        return mentions
    starts = [m.start for m in mentions]
    merged: dict[int, Mention] = {}  # the index of the mention replaced -> the society
    dropped: set[int] = set()  # a country word the gazetteer also names (an actor's alias: "ukraine")
    for start, end, _ids in countries:
        i = bisect_right(starts, start) - 1
        own = i >= 0 and (mentions[i].start, mentions[i].end) == (start, end)
        if i >= 0 and mentions[i].end > start and not own:
            continue  # inside a name
        after = mentions[i + 1] if i + 1 < len(mentions) else None
        b = i - 1 if own else i  # the mention before the country word
        before = mentions[b] if b >= 0 else None
        at = end + 2 if canonical.startswith("'s", end) else end
        if after is not None and canonical[after.start:after.end] in rules.national_bodies \
                and canonical[at:after.start] == " " and not after.prefix:
            k, body, lo, hi, prefix = i + 1, after, start, after.end, ""
            phrase = canonical[start:end] + " " + canonical[after.start:after.end]  # "ethiopia's red cross": ethiopia_red_cross
        elif before is not None and canonical[before.start:before.end] in rules.national_bodies \
                and canonical[before.end:start] == " ":
            k, body, lo, hi, prefix = b, before, before.start, end, before.prefix
            phrase = canonical[before.start:end]
        else:
            continue
        merged[k] = Mention(lo, hi, name_id(phrase), body.kind, phrase, False, False, prefix, body.group, (name_id(phrase),))
        if own:
            dropped.add(i)
    if not merged:
        return mentions
    return [merged.get(k, m) for k, m in enumerate(mentions) if k not in dropped]


POSSESSIVE = "'s "


def _word_start(canonical: str, end: int) -> int:
    """Where the word (letters, digits and hyphens) ending at `end` begins."""
    start = end
    while start > 0 and (canonical[start - 1].isalnum() or canonical[start - 1] == "-"):
        start -= 1
    return start


def _with_possessed_states(canonical: str, mentions: list[Mention], rules: Rules, written) -> list[Mention]:
    """The mentions, with each state body (`state_body_heads`) right after the possessive of one
    capitalised word, where no gazetteer mention stands ("Ecuador's government said", "Colombia's
    army", "Chad's government"): the body of a country the gazetteers lack, or lack that body of,
    kept as written (ecuador_government, colombia_army, chad_government)."""
    added = []
    starts = [m.start for m in mentions]
    for start, end, _term, _attrs, pre, suf in rules.state_body_heads.find(canonical):
        start += len(pre)
        end -= len(suf)
        if not canonical.endswith(POSSESSIVE, 0, start):
            continue
        owner_end = start - len(POSSESSIVE)
        owner_start = _word_start(canonical, owner_end)
        owner = canonical[owner_start:owner_end]
        if not owner or not written(owner_start, owner_start + 1).isupper() or owner in rules.name_stops:
            continue
        i = bisect_right(starts, end) - 1
        if i >= 0 and mentions[i].end > owner_start:
            continue  # a known name there ("Russia's defence ministry")
        body_id = name_id(f"{owner} {canonical[start:end]}")
        added.append(Mention(owner_start, end, body_id, OFFICIAL_KIND, canonical[owner_start:end], False, False, "", "sources", (body_id,)))
    if not added:
        return mentions
    return sorted(chain(mentions, added), key=lambda m: m.start)


def _with_place_bodies(canonical: str, mentions: list[Mention], rules: Rules, written) -> list[Mention]:
    """The mentions, with each `place_body_heads` body no gazetteer mention covers, qualified by the
    proper name right before it, if any ("Rutshuru civil society leaders said" is
    rutshuru_civil_society, "civil society leaders said" civil_society). A proper name is a
    capitalised word the text also writes capitalised inside a sentence (at a sentence's start
    "Local civil society leaders" names no place)."""
    added = []
    starts = [m.start for m in mentions]
    for start, end, _term, _attrs, pre, suf in rules.place_body_heads.find(canonical):
        start += len(pre)
        end -= len(suf)
        i = bisect_right(starts, end) - 1
        if i >= 0 and mentions[i].end > start:
            continue  # inside a known name
        head = canonical[:start].rstrip()
        if head.endswith("'s"):
            head = head[:-2]
        owner_start = _word_start(canonical, len(head))
        owner = canonical[owner_start:len(head)]
        placed = bool(owner) and owner not in rules.name_stops and written(owner_start, owner_start + 1).isupper() \
            and (i < 0 or mentions[i].end <= owner_start) and _proper_inside(canonical, owner, written)
        low = owner_start if placed else start
        body_id = name_id(f"{owner} {canonical[start:end]}" if placed else canonical[start:end])
        added.append(Mention(low, end, body_id, OFFICIAL_KIND, canonical[low:end], False, False, "", "sources", (body_id,)))
    if not added:
        return mentions
    return sorted(chain(mentions, added), key=lambda m: m.start)


def _proper_inside(canonical: str, word: str, written) -> bool:
    """The text writes `word` capitalised somewhere inside a sentence (a proper name's mark), not
    right after a full stop, a line break or a quote."""
    for match in regex.finditer(rf"(?<!\w){regex.escape(word)}(?!\w)", canonical):
        before = canonical[:match.start()].rstrip(" " + QUOTES)
        if before and before[-1] not in ".!?\n:" and written(match.start(), match.start() + 1).isupper():
            return True
    return False


def name_id(phrase: str) -> str:
    """A claimant id for a name not in the gazetteers: snake_case ASCII for Latin script,
    the canonical text joined by "_" otherwise.

    >>> name_id("john smith"), name_id("Ahmed al-Mismari"), name_id("Binali Yıldırım")
    ('john_smith', 'ahmed_al_mismari', 'binali_yildirim')
    """
    phrase = phrase.strip().strip(QUOTES)
    if LATIN.fullmatch(phrase):
        # letters with no decomposition keep their base letter: "Yıldırım" is "yildirim", not "yldrm"
        ascii_form = unicodedata.normalize("NFKD", phrase.translate(UNDECOMPOSED)).encode("ascii", "ignore").decode()
        return NAME_JUNK.sub("_", ascii_form.lower()).strip("_") or phrase
    return NAME_JUNK.sub("_", phrase).strip("_") or phrase
