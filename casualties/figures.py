"""Stage 4: match figure rules around each count amount.

A rule (`figures.yaml`) is a frame around an amount: text that must end where the amount
begins (`before`) and text that must start where it ends (`after`), written with macros for
the pack's lexicons and the file's own `macros` (which may use them). The first matching rule
wins; the named groups of either frame (`noun`, `outcome`; the `after` frame first) give its
slots, and generic slot filling completes the figure from the sentence:

- population, subgroup and unit come from the counted noun (for a rule with `noun: side`, an
  armed group's name right after the amount: its fighters, "seven Ambazonian separatists"), else
  the rule's `default_population`; a unit noun (buses, convoys) takes the population of the people it
  carries ("six buses carrying fighters", with up to `carried_window_words` words before them);
- "with their families" after the noun makes combatants `mixed`;
- the outcome comes from the noun itself (the dead, the wounded), joined outcome nouns give
  a combined outcome, else from the rule, else from the nearest outcome word in the sentence,
  else, after a companion word ("alongside", "إلى جانب"), from the sentence's previous figure;
  a noun joined by "and" to the previous figure and described by a `noun_modifiers` word
  ("and eight soldiers stationed along the border") takes that figure's outcome;
- the actor is the group whose name is the counted noun itself ("dozens of Houthis"); else, with
  `actor_before_noun`, a group named among the words right before the
  noun ("233 IS fighters"); else the first armed group named right after the noun (with
  `actor_links`, only after a linking word: "members of the SDF", never "people in Kyiv"; nor
  a side that claims the attack, `perpetrator_words` between or right after it: "29 شخصاً
  وتبناه التنظيم");
  after a "suffered" verb, the group named before it; a possessive between the amount and its
  noun (a pronoun suffix, or a `possessive_words` word: "40 of its members") names the group
  named before it (not the agent of an attack, `agent_before`/`agent_after`: "a Turkish drone
  strike killed two of its guards", nor the side a figure of an earlier clause counts); some
  rules fall back to the only group named in the sentence, others (`actor: subject`) to the
  group named last before the amount ("the group had up to 6,000 fighters"); a bare noun only
  one kind of side has ("33 soldiers", "17 insurgents") counts the one side of that kind the
  sentence, else the article, names, never the agent (`_side_of_kind`);
- a subset marker ("among them") makes the figure part of the previous figure (of its sentence,
  else of the latest sentence with one, unless an amount of its own sentence that is no figure
  stands before the marker; of those, the latest with the part's outcome), and a
  figure joined to a subset by "and", or counting the subset's noun left out ("nine soldiers
  and three from Malawi"), is a subset too; subsets inherit what they do not say; an earlier
  value a count replaced (a rule's `earlier`: "to 35, down from the 95 it had announced") is
  never the whole of a later part;
- an outcome-only noun ("dozens of wounded") takes the population of the sentence's
  previous figure.
A figure with no outcome, or with an amount that has no bounds ("a number of"), is latent:
kept for `explain`, left out of the table by default.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from itertools import accumulate
from types import MappingProxyType

import re

import regex

from .errors import DataFileError
from .langpack import (LanguagePack, LiteralIndex, LiteralSets, PhraseStarts, compile_pattern, mask, phrase_starts,
                       required_literals, shared_phrases, suffix_trie_regex, trie_regex)
from .model import Quantity
from .text import sentence_spans

PRESENT = "present"  # the outcome of people told to be somewhere (outcomes.yaml)

RULE_KEYS = {
    "id", "before", "after", "noun", "outcome", "population", "default_population", "subset", "actor", "latent",
    "inherit", "zero_only", "earlier", "examples", "counterexamples",
}
# "side": the amount's people are named by an armed group's name right after it, and nothing
# else ("seven Ambazonian separatists near Bamenda", "30 Taliban in Helmand"); its `after` frame
# is matched where the name ends
NOUN_MODES = ("after", "carried", "antecedent", "inside", "side")
ACTOR_MODES = ("linked", "sentence", "subject", "first", "none")
# characters before an amount a `before` frame may span; the frames bound their own gaps, so this
# only needs to hold the longest ('bringing the total number of soldiers killed since the start
# of the invasion to N'); a wider window costs nothing measurable (the frames' literals are
# checked first and a frame is matched right to left from the amount)
BEFORE_WINDOW = 160
QUOTE_MARK = '"'  # canonical text writes every double quote this way
FAMILY_WINDOW_WORDS = 7  # "fighters of Hayat Tahrir al-Sham and their families"
SENTENCE_REACH = 600  # characters a frame may look at on each side: run-on text stays linear
_WORD = regex.compile(r"[^\s\d,;.:!?\"]+ ")
# constructs after which a match may depend on which alternative matched first: atomic groups,
# possessive quantifiers, backreferences, conditionals
ORDER_BOUND = regex.compile(r"\(\?>|[*+?}]\+|\(\?P=|\(\?\(|\\[1-9]|\\g<")
_PARAGRAPH_BREAK = re.compile(r"\n")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    before: regex.Pattern | None
    after: regex.Pattern | None
    noun: str
    outcome: str | None
    population: str | None
    subset: bool
    actor: str
    latent: bool
    default_population: str | None = None
    inherit: bool = False      # an amount with no noun of its own takes the sentence's previous figure's population
    zero_only: bool = False    # the rule reads only negated counts ("nobody was hurt")
    # the amount is an earlier value of the count before it, since replaced ("to 35, down from the
    # 95 it had announced"): never the whole a later part belongs to
    earlier: bool = False
    # FigureGrammar.literals ids: a string of each lies within any text its frame matches
    before_needs: tuple = ()
    after_needs: tuple = ()
    before_mask: int = 0  # of before_needs
    after_mask: int = 0  # of after_needs


@dataclass(frozen=True, slots=True)
class FigureMatch:
    """A count amount read as a figure: canonical offsets, slots and the rule that matched."""

    quantity: Quantity
    rule: str
    population: str | None
    actor: str | None
    subgroup: str | None
    outcome: str | None
    unit: str
    subset: bool
    parent: int | None
    latent: bool
    sentence: tuple[int, int]
    noun_span: tuple[int, int] | None
    actor_via_anaphora: bool = False


@dataclass(frozen=True)
class StorySides:
    """What the gazetteer tells of one article's sides: each actor id's kind (state_forces,
    armed_group, ...) and, asked only when needed, where the article names a country."""

    kinds: Mapping[str, str]
    find_countries: Callable[[], list] = list

    @cached_property
    def countries(self) -> list:
        """(start, end, ids of that country's entries) for each country word, in text order:
        found once per article, however many of its counts ask."""
        return self.find_countries()

    @cached_property
    def home(self) -> frozenset:
        """The ids of the entries of the country the article names most (none on a tie): the
        story's own country."""
        counts: dict[frozenset, int] = {}
        for _start, _end, ids in self.countries:
            counts[ids] = counts.get(ids, 0) + 1
        ranked = sorted(counts.items(), key=lambda c: c[1], reverse=True)
        return ranked[0][0] if ranked and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]) else frozenset()


@dataclass(frozen=True)
class FigureGrammar:
    rules: tuple
    nouns: dict
    noun_pattern: regex.Pattern
    outcomes: dict
    outcome_pattern: regex.Pattern  # on the article, outcome_words tries it only where it can match
    combination: dict
    combine_after: regex.Pattern
    pair_after: regex.Pattern | None
    of_noun: regex.Pattern
    combined_before: regex.Pattern
    overrides: regex.Pattern | None
    possessive: frozenset
    family: regex.Pattern
    subset_before: regex.Pattern
    join_before: regex.Pattern
    loss_before: regex.Pattern
    links: regex.Pattern
    clause_break: regex.Pattern
    actor_window_words: int
    outcome_window: int
    word: str
    # (amount has its own noun, amount is zero) -> the rules that can match it, in order
    rules_for: MappingProxyType | None = None
    actor_before_noun: bool = False
    carried_window_words: int = 0
    actor_links: regex.Pattern | None = None
    actor_blockers: regex.Pattern | None = None
    possessive_words: regex.Pattern | None = None
    literals: LiteralSets | None = None  # what the rules' frames require, found once per text
    # words that make a side named right after them (agent_before) or right before them
    # (agent_after) the agent of an attack: "غارة تركية", "a Turkish drone strike"
    agent_before: regex.Pattern | None = None
    agent_after: regex.Pattern | None = None
    # words that make a side named right before them, or after them and the counted noun, the
    # perpetrator who claims the attack, not the side counted: "29 شخصاً وتبناه التنظيم",
    # "213 شهيداً و"داعش" يتبنى"
    perpetrator_before: regex.Pattern | None = None
    perpetrator_after: regex.Pattern | None = None
    companion_before: regex.Pattern | None = None  # "troops ..., alongside 30,000 fighters"
    apposed_before: regex.Pattern | None = None  # "the victims, 102 men, ...": parts in apposition
    suffix_genders: Mapping | None = None  # possessive suffix -> the gender of the name it agrees with
    feminine_endings: tuple = ()  # endings of a feminine name's first word
    pronoun_before: regex.Pattern | None = None  # "it has 2,500 fighters": a subject pronoun before the verb
    # "The army ESTIMATES it has 2,500 fighters": a pronoun right after a verb of belief is not the
    # believer (a side says "it has" of itself, estimates it of another)
    belief_before: regex.Pattern | None = None
    fronted_before: regex.Pattern | None = None  # "Of the victims, 12 ...": a whole fronted, not a list in apposition
    whole_before: regex.Pattern | None = None  # "132 children among 141 dead": the count after is the whole
    noun_modifier: regex.Pattern | None = None  # "and eight soldiers STATIONED along the border"
    # a clause a relative pronoun opens after a comma ("X, which fights Y, said"): a side named
    # in it is not whom a possessive after the clause names
    relative_clause: regex.Pattern | None = None
    # a reported clause's opener ("that", أن): an outcome word before it and another count is
    # that count's ("killed 48, and that more than 500 were wounded")
    clause_opener: regex.Pattern | None = None
    # the kind of side a bare counted noun can only be ("soldiers": state_forces, "insurgents":
    # armed_group; populations `side`), by the noun's canonical form
    noun_sides: MappingProxyType | None = None
    # words that may stand between an amount and such a bare noun ("42 OF THE attackers"); any
    # other word describes them ("nine South African soldiers") and they get no side of its kind
    bare_fillers: frozenset = frozenset()
    # a word right after the noun that tells whose they are ("troops from Rwanda", "جندي من قوات
    # الاتحاد الأفريقي"): their side is told, if not one the gazetteer knows
    owner_after: regex.Pattern | None = None
    place_before: regex.Pattern | None = None  # a country named after these is a place: "a base in Mali"
    place_glued: regex.Pattern | None = None  # a country named right after these proclitics is a place: "بالقاهرة"
    ally_before: regex.Pattern | None = None  # "alongside the military": a side named as an ally
    foe_before: regex.Pattern | None = None  # "a battle with Haftar's forces": a side named as the foe of a fight
    other_event: regex.Pattern | None = None  # "in a separate attack": the story's side is not carried
    # outcome_pattern and loss_before on the article, tried only where one of their words begins
    outcome_words: WordAnchored | None = None
    loss_words: WordAnchored | None = None
    # words of a gathering ("mourners attended the funerals"): no outcome for a count of the crowd,
    # but the dead it gathers for keep theirs ("the funerals of 12 dead")
    gatherings: frozenset = frozenset()


class WordAnchored:
    """A pattern that begins with one of a lexicon's words (perhaps after a proclitic), searched
    in many short windows of one text: its `finditer` and `search` give the matches of the
    pattern's own, but try it only where the pack's one pass over the text found one of the
    words (PhraseStarts, as Lexicon.find), not at every character of each window. The places of
    the last text asked about are kept (one article is read at a time)."""

    __slots__ = ("pattern", "starts", "_last")

    def __init__(self, pattern, starts: PhraseStarts | None):
        self.pattern, self.starts, self._last = pattern, starts, (None, ())

    def __getstate__(self):
        return self.pattern, self.starts  # not the last text's places

    def __setstate__(self, state) -> None:
        self.pattern, self.starts = state
        self._last = (None, ())

    def _tries(self, text: str) -> list[int]:
        last = self._last  # one read: another thread may replace it
        if last[0] is not text:
            last = self._last = (text, self.starts.positions(text))
        return last[1]

    def finditer(self, text: str, pos: int, endpos: int) -> list:
        """The matches of pattern.finditer(text, pos, endpos), as a list."""
        if self.starts is None:
            return list(self.pattern.finditer(text, pos, endpos))
        tries = self._tries(text)
        i, j = bisect_left(tries, pos), bisect_left(tries, endpos)
        found, match, reached = [], self.pattern.match, pos
        for at in tries[i:j]:  # most windows hold none
            if at >= reached:
                m = match(text, at, endpos)
                if m is not None:
                    found.append(m)
                    reached = m.end()  # (never empty: a word is matched)
        return found

    def search(self, text: str, pos: int, endpos: int):
        if self.starts is None:
            return self.pattern.search(text, pos, endpos)
        tries = self._tries(text)
        match = self.pattern.match
        for at in tries[bisect_left(tries, pos):bisect_left(tries, endpos)]:
            m = match(text, at, endpos)
            if m is not None:
                return m
        return None


class EndAnchored:
    """A pattern that must end at the end of the searched window (a rule's `before`, which ends
    where the amount begins). Matched right to left from there, whether it matches at all costs
    one attempt instead of one at each character of the window; only then is the left-to-right
    search run, for its leftmost match."""

    __slots__ = ("forward", "backward", "pattern")

    def __init__(self, forward, backward):
        self.forward, self.backward, self.pattern = forward, backward, forward.pattern

    def search(self, text: str, pos: int, endpos: int):
        if self.backward.search(text, pos, endpos) is None:
            return None
        return self.forward.search(text, pos, endpos)


def _canon_list(pack, items) -> list[str]:
    return [pack.canonical(str(item)) for item in items or []]


def compile_figures(pack: LanguagePack) -> FigureGrammar:
    path = pack.path_of("figures")
    data = pack.data.get("figures")
    if data is None:
        raise DataFileError(path, "file", "language pack has no figures.yaml")
    settings = data.get("settings") or {}
    word = pack.section("morphology", "word_chars", r"\w")
    pre = trie_regex(_canon_list(pack, pack.section("morphology", "proclitics")))
    enc = trie_regex(_canon_list(pack, pack.section("morphology", "enclitics")))

    nouns: dict[str, dict] = {}
    noun_sides: dict[str, str] = {}  # the kind of side a bare noun can only be (populations `side`)
    for i, term in enumerate(pack.section("populations", "terms", []) or []):
        attrs = {k: term.get(k) for k in ("id", "population", "subgroup", "outcome", "unit", "inherit", "outcome_is_state", "only_outcomes")}
        for form in _canon_list(pack, (term.get("forms") or []) + (term.get("singular") or []) + (term.get("dual") or [])):
            nouns.setdefault(form, attrs)
            if term.get("side"):
                noun_sides[form] = term["side"]
    outcomes: dict[str, str] = {}
    for term in pack.section("outcomes", "terms", []) or []:
        for form in _canon_list(pack, term.get("forms")):
            outcomes.setdefault(form, term.get("outcome"))
    gatherings = frozenset(_canon_list(pack, pack.section("outcomes", "gatherings")))
    for form in gatherings:
        outcomes.setdefault(form, None)
    combination = {}
    for entry in pack.section("outcomes", "combinations", []) or []:
        combination[tuple(entry["parts"])] = entry["outcome"]

    # a counted noun never carries "and": "3 and injuring 5" is not "3 injuries"
    conjunctions = tuple(_canon_list(pack, pack.section("morphology", "conjunctions")))
    attached = [p for p in _canon_list(pack, pack.section("morphology", "proclitics")) if not p.startswith(conjunctions or ("\0",))]
    subset_markers = _canon_list(pack, pack.section('populations', 'subset_markers'))

    def lexicon_macros(tries) -> dict[str, str]:
        """The lexicon macros with their alternations made by `tries`."""
        pre = tries(_canon_list(pack, pack.section("morphology", "proclitics")))
        enc = tries(_canon_list(pack, pack.section("morphology", "enclitics")))
        noun_pre = tries(attached) if conjunctions else pre

        def lexicon_macro(name: str, forms, pre=pre) -> str:
            return f"(?<!{word})(?:{pre})??(?P<{name}>{tries(forms)})(?P<{name}_suffix>{enc})?(?!{word})"

        return {
            "NOUN": lexicon_macro("noun", nouns, noun_pre),
            # a counted noun before its amount, where "and" may lead it: "وأطفاله الخمسة"
            "NOUN_JOINED": lexicon_macro("noun", nouns),
            "OUTCOME": lexicon_macro("outcome", outcomes),
            "SUBSET": f"(?<!{word})(?:{pre})??(?P<subset>{tries(subset_markers)})(?!{word})",
            # a noun the counted people are said to be: "23 of the dead were CHILDREN"
            "PREDICATE": lexicon_macro("predicate", nouns, noun_pre),
        }

    macros = lexicon_macros(trie_regex)
    # the same strings for the 'before' frames matched right to left (EndAnchored), their
    # alternations shaped by the words' ends: a trie of the 483 Arabic nouns' beginnings, matched
    # from the end, cost 18 microseconds an attempt
    backward_macros = lexicon_macros(suffix_trie_regex)
    # For required_literals: the lexicon macros stay {NAME}, one of their forms. Not the counted
    # nouns: nearly every amount has one after it, so they would be found all over a text and
    # rule out little ({NOUN} may then match anything).
    lexicon_forms = {"OUTCOME": outcomes, "SUBSET": subset_markers}
    literal_macros = {name: "{" + name + "}" for name in macros}

    # The file's own macros may use the lexicon macros and the macros defined before them.
    for name, body in (data.get("macros") or {}).items():
        for table in (macros, literal_macros, backward_macros):
            expanded = str(body)
            for known, known_body in table.items():
                expanded = expanded.replace("{" + known + "}", known_body)
            table[str(name)] = expanded
    literals = LiteralSets(shared_phrases(pack))  # found in the pack's one pass (langpack.SharedPhrases)

    def needs(pattern: str | None) -> tuple:
        if not pattern:
            return ()
        text = str(pattern)
        for name, body in reversed(literal_macros.items()):
            text = text.replace("{" + name + "}", body)
        # the frames are matched with an end (the amount's start, the sentence's end) within the
        # text the literals are looked for in, so their lookaheads' words count
        return literals.add(required_literals(text, lexicon_forms, lookaheads=True))

    def expanded(pattern: str, table: dict[str, str]) -> str:
        text = str(pattern)
        for name, body in reversed(table.items()):
            text = text.replace("{" + name + "}", body)
        return text

    def expand(pattern: str | None, where: str, anchored_end: bool) -> regex.Pattern | None:
        if not pattern:
            return None
        text = expanded(pattern, macros)
        try:
            if anchored_end:
                # only whether it matches is asked of the right-to-left pattern, and that holds
                # for the same strings however an alternation is ordered, unless a construct
                # commits to one alternative (ORDER_BOUND): then it is the same text
                backward = expanded(pattern, backward_macros)
                if ORDER_BOUND.search(backward):
                    backward = text
                return EndAnchored(compile_pattern(text), regex.compile(backward, regex.V1 | regex.REVERSE))
            return compile_pattern(text)
        except regex.error as error:
            raise DataFileError(path, where, f"bad pattern: {error}") from None

    rules = []
    seen = set()
    for i, raw in enumerate(data.get("rules") or []):
        where = f"rules[{i}]"
        if not isinstance(raw, dict) or not raw.get("id"):
            raise DataFileError(path, where, "a rule needs an id")
        unknown = set(raw) - RULE_KEYS
        if unknown:
            raise DataFileError(path, f"{where} ({raw['id']})", f"unknown key(s) {sorted(unknown)}")
        if raw["id"] in seen:
            raise DataFileError(path, f"{where} ({raw['id']})", "duplicate rule id")
        seen.add(raw["id"])
        noun = raw.get("noun", "after")
        actor = raw.get("actor", "linked")
        if noun not in NOUN_MODES or actor not in ACTOR_MODES:
            raise DataFileError(path, f"{where} ({raw['id']})", f"noun must be one of {NOUN_MODES}, actor one of {ACTOR_MODES}")
        before = raw.get("before")
        if before and not str(before).endswith("\\Z"):
            before = str(before) + "\\Z"
        before_needs, after_needs = needs(before), needs(raw.get("after"))
        rules.append(Rule(
            raw["id"], expand(before, f"{where}.before", True), expand(raw.get("after"), f"{where}.after", False),
            noun, raw.get("outcome"), raw.get("population"), bool(raw.get("subset")), actor, bool(raw.get("latent")),
            raw.get("default_population"), bool(raw.get("inherit")), bool(raw.get("zero_only")), bool(raw.get("earlier")),
            before_needs, after_needs, mask(before_needs), mask(after_needs),
        ))

    breaks = "".join(regex.escape(b) for b in settings.get("clause_breaks", [",", ";", ".", ":"]))
    joiners = trie_regex(_canon_list(pack, pack.section("outcomes", "joiners")))
    links = trie_regex(_canon_list(pack, settings.get("links")))
    families = trie_regex(_canon_list(pack, pack.section("populations", "family_markers")))
    losses = trie_regex(_canon_list(pack, pack.section("outcomes", "loss_verbs")))
    owner_links = settings.get("owner_links") or settings.get("actor_links")
    perpetrators = trie_regex(_canon_list(pack, settings["perpetrator_words"])) if settings.get("perpetrator_words") else None

    def of_words(words, template: str):
        """`template` with WORDS replaced by the alternation of `words`, compiled; None without words
        (a language that lists none has no such pattern)."""
        return compile_pattern(template.replace("WORDS", trie_regex(_canon_list(pack, words)))) if words else None

    proclitics = _canon_list(pack, pack.section("morphology", "proclitics"))
    outcome_pattern = compile_pattern(macros["OUTCOME"])
    loss_before = compile_pattern(f"(?<!{word})(?:{pre})??(?:{losses})(?!{word})")
    return FigureGrammar(
        rules=tuple(rules), nouns=nouns, rules_for=_rules_for(rules),
        noun_pattern=compile_pattern(macros["NOUN"]),
        outcomes=outcomes, outcome_pattern=outcome_pattern,
        combination=combination,
        pair_after=compile_pattern(
            f" (?:{trie_regex(_canon_list(pack, pack.section('outcomes', 'pair_open')))}) (?:{pre})??(?P<a>{trie_regex(nouns)})(?:{enc})?"
            f" ?(?:{joiners}) ?(?:{pre})??(?P<b>{trie_regex(nouns)})(?:{enc})?(?!{word})")
        if pack.section("outcomes", "pair_open") else None,
        of_noun=compile_pattern(f" (?:{trie_regex(_canon_list(pack, pack.section('populations', 'of_markers')))}) {macros['NOUN']}"),
        combined_before=compile_pattern(f"(?<!{word})(?:{pre})??(?P<first>{trie_regex(outcomes)})(?:{enc})? ?(?:{joiners}) ?\\Z"),
        overrides=of_words(pack.section("outcomes", "noun_overrides"), f" ?(?P<verb>WORDS)(?:{enc})?(?!{word})"),
        gatherings=gatherings,
        possessive=frozenset(_canon_list(pack, pack.section("populations", "possessive_suffixes"))),
        combine_after=compile_pattern(f" ?(?:{joiners}) ?(?:{pre})??(?P<noun>{trie_regex(nouns)})(?:{enc})?(?!{word})"),
        family=compile_pattern(f"(?<!{word})(?:{pre})??(?:{families})(?!{word})"),
        subset_before=compile_pattern(f"(?<!{word})(?:{pre})??(?:{trie_regex(_canon_list(pack, pack.section('populations', 'subset_markers')))}) \\Z"),
        join_before=compile_pattern(f"(?:^|[ ,])(?:{joiners}) ?\\Z"),
        loss_before=loss_before,
        links=compile_pattern(f" (?:{links})(?= )"),
        clause_break=compile_pattern(f"[{breaks}\\n]"),  # a class of literal characters: the standard engine, twice as fast
        actor_window_words=int(settings.get("actor_window_words", 6)),
        outcome_window=int(settings.get("outcome_window_chars", 160)),
        word=word,
        actor_before_noun=bool(settings.get("actor_before_noun", False)),
        carried_window_words=int(settings.get("carried_window_words", 0)),
        actor_blockers=of_words(settings.get("actor_blockers"), f"(?<!{word})(?:{pre})??(?:WORDS)(?!{word})"),
        actor_links=of_words(settings.get("actor_links"), ",? (?:WORDS) "),
        possessive_words=of_words(settings.get("possessive_words"), f"(?<!{word})(?:WORDS) "),
        literals=literals,
        agent_before=of_words(settings.get("agent_before"), f"(?<!{word})(?:{pre})??(?:WORDS)(?!{word})(?: \\S+)? \\Z"),
        agent_after=of_words(settings.get("agent_after"), f"(?: \\S+)? (?:WORDS)(?!{word})"),
        perpetrator_before=compile_pattern(f"(?<!{word})(?:{pre})??(?:{perpetrators})(?!{word})")
        if perpetrators else None,
        perpetrator_after=compile_pattern(f"[\"']?(?: \\S+)? (?:{pre})??(?:{perpetrators})(?!{word})")
        if perpetrators else None,
        noun_modifier=of_words(pack.section("outcomes", "noun_modifiers"), f" (?:WORDS)(?!{word})"),
        relative_clause=of_words(settings.get("relative_pronouns"), f"[{breaks}] ?(?:{pre})??(?:WORDS)(?!{word})"),
        clause_opener=of_words(settings.get("clause_openers"), f"(?<!{word})(?:{pre})??(?:WORDS)(?!{word})"),
        companion_before=of_words(pack.section("outcomes", "companions"), f"(?<!{word})(?:{pre})??(?:WORDS) \\Z"),
        apposed_before=of_words(settings.get("apposition_words"), f"(?<!{word})(?:{pre})??(?:WORDS), \\Z"),
        suffix_genders=MappingProxyType({c: gender for suffix, gender in (settings.get("possessive_genders") or {}).items()
                                         for c in _canon_list(pack, [suffix])}),
        feminine_endings=tuple(_canon_list(pack, settings.get("feminine_name_endings"))),
        pronoun_before=of_words(settings.get("subject_pronouns"), f"(?<!{word})(?:WORDS)(?: \\S+)? \\Z"),
        belief_before=of_words(settings.get("belief_verbs"), f"(?<!{word})(?:WORDS)(?: that)? \\Z"),
        fronted_before=of_words(settings.get("fronted_words"), f"(?<!{word})(?:{pre})??(?:WORDS) \\Z"),
        whole_before=of_words(settings.get("whole_words"), f"(?<!{word})(?:{pre})??(?:WORDS) \\Z"),
        noun_sides=MappingProxyType(noun_sides),
        bare_fillers=frozenset(_canon_list(pack, settings.get("bare_noun_fillers"))),
        place_before=of_words(settings.get("place_words"), f"(?<!{word})(?:WORDS)(?: \\S+)? \\Z"),
        place_glued=of_words(settings.get("place_proclitics"), f"(?<!{word})(?:WORDS)\\Z"),
        ally_before=of_words(settings.get("ally_words"), f"(?<!{word})(?:{pre})??(?:WORDS)(?: \\S+)? \\Z"),
        foe_before=of_words(settings.get("fight_words"), f"(?<!{word})(?:{pre})??(?:WORDS)(?:{enc})?{QUOTE_MARK}? "
                            f"(?:{trie_regex(_canon_list(pack, settings.get('foe_links')))})(?: \\S+)? \\Z")
        if settings.get("foe_links") else None,
        other_event=of_words(settings.get("other_event_words"), f"(?<!{word})(?:{pre})??(?:WORDS)(?!{word})"),
        owner_after=of_words(owner_links, f",? (?:WORDS)(?!{word})"),
        outcome_words=WordAnchored(outcome_pattern, phrase_starts(outcomes, proclitics, word, shared=shared_phrases(pack))),
        loss_words=WordAnchored(loss_before, phrase_starts(
            _canon_list(pack, pack.section("outcomes", "loss_verbs")), proclitics, word, shared=shared_phrases(pack))),
    )


def _rules_for(rules) -> MappingProxyType:
    """The rules _match_rule tries for each kind of amount: a rule with `noun: carried` needs an
    amount with its own noun, a `zero_only` rule a zero; a rule with no frame, neither, matches none."""
    def can_match(rule: Rule, has_noun: bool, zero: bool) -> bool:
        if rule.noun == "carried" and not has_noun or rule.zero_only and not zero or rule.noun == "side" and has_noun:
            return False
        return not (rule.before is None and rule.after is None and rule.noun not in ("carried", "inside")
                    and not rule.zero_only)

    # each rule with what the loop of _match_rule reads of it, unpacked once here rather than
    # read attribute by attribute for every amount (most amounts go through most rules)
    return MappingProxyType({(has_noun, zero): tuple((r, r.noun if r.noun in ("inside", "side") else None, r.before, r.before_mask,
                                                      r.after, r.after_mask)
                                                     for r in rules if can_match(r, has_noun, zero))
                             for has_noun in (False, True) for zero in (False, True)})


def figure_grammar(pack: LanguagePack) -> FigureGrammar:
    return pack.compiled("figures", compile_figures)


def _match_rule(g: FigureGrammar, text: str, q: Quantity, sentence, literals: LiteralIndex, side_end: int | None = None):
    """The first rule whose frames match around `q`, with the frames' matches; `side_end`: where an
    armed group's name that starts right after the amount ends (rules with `noun: side`), or None."""
    # a quoted amount frames as the amount: 'captured "more than 1,200" soldiers'
    quoted = q.start > 0 and text[q.start - 1] == QUOTE_MARK and text.startswith(QUOTE_MARK, q.end)
    before_start = max(sentence[0], q.start - BEFORE_WINDOW)
    # the literals a frame requires lie within every window it is tried in below
    needs_start = max(sentence[0], q.start - BEFORE_WINDOW - quoted)
    after_start = q.core_end if 0 <= q.core_end < q.end else q.end
    before_present = literals.within(needs_start, q.start)  # the sets of every 'before' frame, in one pass
    after_present = literals.within(after_start, sentence[1])  # the same for the 'after' frames
    for rule, mode, before_frame, after_frame in _rules_with_literals(
            g.rules_for[bool(q.noun), q.low == 0 and q.high == 0], before_present, after_present):
        if mode is not None and (mode == "inside" and not g.noun_pattern.search(text, q.start, q.end)
                                 or mode == "side" and side_end is None):
            continue
        before = after = None
        if before_frame is not None:
            before = before_frame.search(text, before_start, q.start)
            if not before and quoted:
                before = before_frame.search(text, max(sentence[0], q.start - 1 - BEFORE_WINDOW), q.start - 1)
            if not before:
                continue
        if after_frame is not None and mode == "side":
            after = after_frame.match(text, side_end, sentence[1])
            if not after:
                continue
        elif after_frame is not None:
            after = after_frame.match(text, q.end, sentence[1])
            if not after and q.core_end >= 0 and q.core_end < q.end:
                # the qualifier stands after the noun: "62 civilians at least"
                after = after_frame.match(text, q.core_end, sentence[1])
            if not after and quoted:
                after = after_frame.match(text, q.end + 1, sentence[1])
            if not after:
                continue
        return rule, before, after
    return None


# rules tuple's id -> (the tuple, {(before, after literals present): its rules whose frames' literals are})
_RULES_WITH_LITERALS: dict[int, tuple] = {}
RULES_WITH_LITERALS_KEPT = 4096  # rules tuples, and pairs of present literal sets per tuple, remembered


def _rules_with_literals(rules: tuple, before_present: int, after_present: int) -> tuple:
    """`rules` (a `rules_for` tuple) less those with a frame some of whose required literal sets
    are not present (`before_present` in the 'before' window, `after_present` in the 'after'
    one), in order, without their masks. Amounts share few distinct pairs of present sets, so
    the filter runs once per pair rather than over every rule for every amount."""
    cached = _RULES_WITH_LITERALS.get(id(rules))
    if cached is None or cached[0] is not rules:
        if len(_RULES_WITH_LITERALS) >= RULES_WITH_LITERALS_KEPT:
            _RULES_WITH_LITERALS.clear()  # grammars compiled again and again (tests): keep none alive
        cached = _RULES_WITH_LITERALS[id(rules)] = (rules, {})
    by_present = cached[1]
    key = (before_present, after_present)
    kept = by_present.get(key)
    if kept is None:
        if len(by_present) >= RULES_WITH_LITERALS_KEPT:
            by_present.clear()
        before_absent, after_absent = ~before_present, ~after_present
        kept = by_present[key] = tuple(
            (rule, mode, before_frame, after_frame)
            for rule, mode, before_frame, before_mask, after_frame, after_mask in rules
            if (before_frame is None or not before_mask & before_absent)
            and (after_frame is None or not after_mask & after_absent))
    return kept


def _noun_after_unit(g: FigureGrammar, text: str, end: int, limit: int):
    """The people a unit noun carries: 'six buses carrying fighters', 'two convoys of fighters'."""
    link = g.links.match(text, end, limit)
    pos = link.end() if link else end
    if text.startswith(" ", pos):
        pos += 1
    m = g.noun_pattern.match(text, pos, limit)
    for _ in range(g.carried_window_words):
        # modifier words before the carried noun: "six buses carrying IS fighters"
        if m is not None:
            break
        word = _WORD.match(text, pos, limit)
        if word is None:
            break
        pos = word.end()
        m = g.noun_pattern.match(text, pos, limit)
    if m and g.nouns[m.group("noun")].get("population"):
        return m
    return None


def _clause_end(g: FigureGrammar, text: str, pos: int, limit: int) -> int:
    m = g.clause_break.search(text, pos, limit)
    return m.start() if m else limit


def _actor_after(g, text, actors, starts, pos, limit):
    clause_end = _clause_end(g, text, pos, limit)
    window = g.actor_window_words
    if g.actor_links is not None:
        # the side must be linked to the noun ("members OF the SDF"); a place or an agent
        # named after it ("people in Kyiv", "captured by the SDF") is not the side counted
        link = g.actor_links.match(text, pos, clause_end)
        if link is None:
            return None, False
        pos, window = link.end(), 2
    i = bisect_left(starts, pos)  # the first actor named from pos on, if within the clause
    if i < len(actors) and starts[i] < clause_end:
        start, end, actor_id, via = actors[i]
        words_seen = text.count(" ", pos, start)
        if words_seen <= window and not (g.actor_blockers and g.actor_blockers.search(text, pos, start)) \
                and not (g.perpetrator_before and g.perpetrator_before.search(text, pos, start)) \
                and not (g.perpetrator_after and g.perpetrator_after.match(text, end)):
            return actor_id, via  # a side after "by the bullets of", "in an attack by" is the agent
    return None, False


def _slot(frame, name: str):
    """The text a frame's named group matched, or None (no frame, no such group, or unused)."""
    if frame is None or name not in frame.re.groupindex:
        return None
    return frame.group(name)


def _actor_at_noun(g, text, actors, starts, modifiers_start, noun_span):
    """An actor named among the words right before the counted noun, or in a name that ends with
    it: '233 IS fighters', '12 government troops', 'six buses carrying Houthi fighters'."""
    noun_start, noun_end = noun_span
    found = (None, False)
    for start, end, actor_id, via in actors[bisect_left(starts, modifiers_start):bisect_left(starts, noun_start)]:
        if end > noun_end:
            continue
        between = text[end:noun_start]
        if g.clause_break.search(between) or between.count(" ") > 2:
            continue
        found = (actor_id, via)
    return found


def _side_of_noun_before(text, matches, actors, starts, paragraph_start, noun_span):
    """The side of the latest earlier figure of the paragraph whose counted noun is the same word
    and whose side is known ("63 Kenyan soldiers ... 12 soldiers"), or of the
    latest side named before in the paragraph by a name holding that word ("an attack on Kenyan
    soldiers ... 12 soldiers"): a bare noun told again names the same people. Only figures and
    names of the paragraph are looked at (the side counted is told anew in each)."""
    noun = text[noun_span[0]:noun_span[1]]
    best = None
    for fm in reversed(matches):
        if fm.quantity.start < paragraph_start:
            break
        if fm.actor and fm.noun_span and fm.noun_span[1] <= noun_span[0] and text[fm.noun_span[0]:fm.noun_span[1]] == noun:
            best = (fm.noun_span[0], fm.actor, fm.actor_via_anaphora)
            break
    for start, end, actor_id, via in reversed(actors[bisect_left(starts, paragraph_start):bisect_left(starts, noun_span[0])]):
        if best is not None and start <= best[0]:
            break
        if end <= noun_span[0] and f" {noun} " in f" {text[start:end]} ":
            best = (start, actor_id, via)
            break
    return (best[1], best[2]) if best else (None, False)


def _actor_naming_noun(actors, reach, noun_span):
    """An actor whose mention covers the counted noun: the noun names the side's members.
    `reach[i]` is the furthest end of actors[:i + 1]: the first actor ending at or after the
    noun's end is the one to ask (any later one starts later still)."""
    noun_start, noun_end = noun_span
    i = bisect_left(reach, noun_end)
    if i < len(actors) and actors[i][0] <= noun_start:
        return actors[i][2], actors[i][3]
    return None, False


def _conjunct_outcome(g, text, q, previous):
    """The outcome of the figure right before, when `q` is joined to it by "and" within its
    clause: the verb before the list governs both ("killed 15 fighters and eight soldiers
    stationed along the border"), not the word describing the second noun."""
    if previous.quantity.end > q.start:
        return None
    start = max(previous.quantity.end, previous.noun_span[1] if previous.noun_span else 0)
    between = text[start:q.start]
    if start > q.start or g.clause_break.search(between) or between.count(" ") > 4 \
            or not g.join_before.search(text, max(start, q.start - 6), q.start):
        return None
    return previous.outcome


LIST_WORDS = 12  # words between a list's part and a later part joined to it ("..., two officials and 14")


def _listed_after(g, text, last, q) -> bool:
    """`q` is a later item of a list whose earlier part is `last`: only the list's other items
    (commas or a joiner, no other clause break, no outcome word) stand between them."""
    start = max(last.quantity.end, last.noun_span[1] if last.noun_span else 0)
    if start > q.start:
        return False
    between = text[start:q.start]
    joined = between.endswith(", ") or g.join_before.search(text, max(start, q.start - 6), q.start) is not None
    return joined and len(between.split()) <= LIST_WORDS and not g.clause_break.search(between.replace(",", " ")) \
        and g.outcome_pattern.search(between) is None


def _listed_with(g, text, matches, heads):
    """The last of `heads` and the heads right before it that one list joins to it ("122 civilians
    and 26 soldiers"): no clause but the list's items between them."""
    run = [heads[-1]]
    for i in reversed(heads[:-1]):
        if not _listed_after(g, text, matches[i], matches[run[-1]].quantity):
            break
        run.append(i)
    return run


def _name_gender(g, name: str) -> str:
    """The grammatical gender of a side's name, by its first word's ending (`feminine_name_endings`:
    "النصرة", "قوات حفتر" are feminine, "الحزب", "الجيش" masculine)."""
    words = name.strip('"').split()
    return "feminine" if words and words[0].strip('"').endswith(g.feminine_endings) else "masculine"


def _possessor(g, text, actors, starts, start_limit, pos, counted, gender=None):
    """The side a possessive names ("two of ITS guards"): the last side named before `pos`,
    never an ally ("a group that fights alongside the army"), passing over the agent of an attack
    ("a Turkish drone strike", "غارة تركية") and the side a figure of an earlier clause counts (`counted`: from its amount to its clause's end); the last
    side named when every one is passed over. A suffix that has a gender (`gender`: Arabic "ها"
    feminine, "ه" masculine) names the last of those whose name agrees with it, when one does:
    "وأفرجت النصرة عن خمسة أسرى ..., مقابل تسليم الحزب جثث تسعة من مسلحيها" (the Front's)."""
    if gender and g.feminine_endings:
        named = [a for a in actors[bisect_left(starts, start_limit):bisect_right(starts, pos)] if a[1] <= pos]
        agreeing = [a for a in named if _name_gender(g, text[a[0]:a[1]]) == gender]
        if agreeing and len(agreeing) < len(named):
            found = _possessor(g, text, agreeing, [a[0] for a in agreeing], start_limit, pos, counted)
            if found[0] is not None:
                return found
    last = found = None
    for start, end, actor_id, via in actors[bisect_left(starts, start_limit):bisect_right(starts, pos)]:
        if end > pos or _is_ally(g, text, start, start_limit):
            continue  # an ally is never whose they are: "a group that fights alongside the army"
        last = (actor_id, via)
        agent = _is_agent(g, text, start, end, start_limit)
        earlier_count = any(a <= start < b and g.clause_break.search(text, b, pos) for a, b in counted)
        if not (agent or earlier_count or _is_foe(g, text, start, start_limit)
                or _in_relative_clause(g, text, start_limit, start, end, pos)):
            found = (actor_id, via)
    return found or last or (None, False)


def _is_agent(g, text, start, end, start_limit) -> bool:
    """The side named at [start, end) is the agent of an attack: "a Turkish drone strike", "غارة تركية"."""
    return (g.agent_after is not None and g.agent_after.match(text, end) is not None) or (
        g.agent_before is not None and g.agent_before.search(text, max(start_limit, start - 60), start) is not None)


def _agent_of_verb(g, text, previous, before, rule, sentence_start, starts) -> bool:
    """The previous figure's people, whose outcome no word of their own tells, did the deed whose
    verb governs the current amount (`rule` reads the outcome from the verb before the amount,
    `before`): no outcome word governs their own amount, and none stands between their noun and
    that verb ("saying one of its fighters had detonated a vest, killing and wounding 200"; not
    "killed 31 and wounded dozens")."""
    if not rule.inherit or before is None or previous.noun_span is None or previous.noun_span[0] < previous.quantity.end:
        return False
    verb_at = before.start()
    joined = g.combined_before.search(text, max(sentence_start, verb_at - 30), verb_at)
    if joined:  # "killing and wounding 200": the first of the joined verbs
        verb_at = joined.start()
    if previous.noun_span[1] > verb_at or g.outcome_words.search(text, previous.noun_span[1], verb_at):
        return False
    return _outcome_governing(g, text, previous.quantity.start, sentence_start, starts) is None


def _is_perpetrator(g, text, start, end, start_limit) -> bool:
    """The side named at [start, end) claims the attack: "The Islamic State group claimed the
    attack, saying its fighters had killed 100 soldiers", "هجوم تبنته جماعة ... أسفر عن مقتل 20 جندياً"."""
    return (g.perpetrator_after is not None and g.perpetrator_after.match(text, end) is not None) or (
        g.perpetrator_before is not None and g.perpetrator_before.search(text, max(start_limit, start - 20), start) is not None)


def _bare(g, text, sentence_start, amount_start, amount_end, noun_span, people_end) -> bool:
    """The counted noun stands bare: no word describes it between the amount and it ("nine South
    African soldiers"), none after it tells whose they are ("troops from Rwanda"), and the amount
    stands in no relative clause, whose antecedent owns them ("MONUSCO, which has some 11,000
    troops")."""
    if g.relative_clause is not None:
        opened = None
        for opened in g.clause_break.finditer(text, sentence_start, amount_start):
            pass
        if opened is not None and g.relative_clause.match(text, opened.start()):
            return False
    between = text[amount_end:noun_span[0]]
    if any(w not in g.bare_fillers for w in regex.findall(r"[^\W\d_]+", between)):
        return False
    return not (g.owner_after is not None and g.owner_after.match(text, people_end))


ARMED_GROUP = "armed_group"  # the gazetteer kind of a non-state armed group
BARE_KINDS = frozenset({"state_forces", ARMED_GROUP})  # the kinds of side a bare noun can only be
AGENT_WORDS = 4  # words between a side and the outcome word it is the subject of: "the SDF said it captured"


def _side_of_kind(g, text, actors, starts, sides, kind, sentence, pos, counted, verb_at=None, mixed=False):
    """The side a bare noun that only one kind of side has counts ("33 soldiers" are a state's,
    "17 insurgents" an armed group's; populations `side`): the side the sentence names (by name,
    or by its country's name where not a place: "in Mali"), when it names one and it is of that
    kind; else, when the sentence names none and tells of no other event ("in a separate
    attack"), the one side of that kind the article named before (an armed group, when no armed
    group is the agent: anywhere in it; a state, when none was named before but an armed group
    was: the story's own country's, named later; of several states named before, the story's
    own country's).
    Never the agent: a side named before the amount with an outcome word (or the rule's frame
    that says the outcome, `verb_at`) after it in its clause or within AGENT_WORDS words ("the
    SDF captured 35 gunmen"; one telling where people are, "Chad has 1,400 troops", or a counted
    noun, "الجنود الإسرائيليين القتلى", is no deed; a side named between is the verb's subject, "the
    army said Hezbollah fighters killed"), unless an earlier figure of the sentence counts it (`counted`: "29,600 IS members and their families left ..., and its
    forces detained 520 gunmen"), nor an attack's ("a Turkish drone strike"). None where two are:
    a wrong side is worse than none."""
    def agent(start, end):
        if _is_agent(g, text, start, end, sentence[0]) or _is_perpetrator(g, text, start, end, sentence[0]):
            return True
        if end > pos:
            return False
        # a deed: no counted noun ("the Israeli soldiers KILLED numbered 33"), no presence
        verb = next((m for m in g.outcome_words.finditer(text, end, pos)
                     if g.outcomes.get(m.group("outcome")) != PRESENT and m.group("outcome") not in g.nouns), None)
        at = min(verb.start() if verb else pos, verb_at if verb_at is not None and verb_at >= end else pos)
        if at >= pos or bisect_left(starts, end) < len(starts) and starts[bisect_left(starts, end)] < at:
            return False  # a side named between is the verb's subject
        return not g.clause_break.search(text, end, at) or text.count(" ", end, at) <= AGENT_WORDS
    in_sentence = actors[bisect_left(starts, sentence[0]):bisect_left(starts, sentence[1])]
    agents = {a[2] for a in in_sentence if agent(a[0], a[1]) and a[2] not in counted}
    named = {a[2] for a in in_sentence} - agents
    named_before = {a[2] for a in actors[:bisect_left(starts, pos)]}
    for start, end, ids in sides.countries:
        if not sentence[0] <= start < sentence[1]:
            continue
        of_kind = {i for i in ids if sides.kinds.get(i) == kind}
        # a country with several bodies of that kind (an army and a police) names the one the
        # article named before: "الجيش ... جثامين 11 جنديا نقلوا إلى القاهرة"
        of_kind = (of_kind & named_before) or of_kind
        if agent(start, end):
            agents |= of_kind
        elif not (g.place_before is not None and g.place_before.search(text, max(sentence[0], start - 20), start)
                  or g.place_glued is not None and g.place_glued.search(text, max(sentence[0], start - 4), start)):
            named |= of_kind
    named -= agents
    if named:
        # the one side of that kind the sentence names, whatever sides of the other kind it
        # names too ("the army said its jets struck PKK positions, killing 49 militants"); none
        # beside a militia or a coalition, whose men are soldiers or fighters too
        of_kind = {i for i in named if sides.kinds.get(i) == kind}
        others = {sides.kinds.get(i) for i in named - of_kind}
        return next(iter(of_kind)) if len(of_kind) == 1 and others <= BARE_KINDS else None
    if g.other_event is not None and g.other_event.search(text, sentence[0], sentence[1]):
        return None  # "In a separate attack, five soldiers were wounded": another story's side
    # an armed group the story names anywhere (the claim of an attack is often told after its
    # toll); a state only before: one named later may be another's; so too a group when an armed
    # group is the agent ("the SDF captured 35 gunmen": some other side's, not a foe named later)
    later = kind == ARMED_GROUP and not any(sides.kinds.get(a) == kind for a in agents)
    reach = len(actors) if later else bisect_left(starts, pos)
    before = {a[2] for a in actors[:reach] if sides.kinds.get(a[2]) == kind} - agents
    if len(before) == 1:
        return next(iter(before))
    # several states named before: the one of the story's own country (the one it names most)
    home_before = {i for i in sides.home if sides.kinds.get(i) == kind} & before
    if len(before) > 1 and len(home_before) == 1 and not mixed and kind != ARMED_GROUP:
        return next(iter(home_before))
    if before or mixed or kind == ARMED_GROUP or not any(sides.kinds.get(a[2]) == ARMED_GROUP for a in actors[:reach]):
        return None
    # soldiers an armed group named before fought, no state named yet: the state of the story's
    # own country (the one it names most), when the story names that state later ("the Houthi
    # attack on the base killed 30 soldiers ... some 2,000 government troops are stationed there");
    # not in a toll that counts them beside other people (`mixed`: "142 students, three police
    # officers and three soldiers"), whose soldiers may be any force's that was there
    later_states = {a[2] for a in actors[reach:] if sides.kinds.get(a[2]) == kind}
    # (a story with no country of its own, none named or several as often, the one state it names)
    home = {i for i in sides.home if sides.kinds.get(i) == kind} & later_states if sides.home else later_states
    return next(iter(home)) if len(home) == 1 else None


def _side_counted_before(g, text, matches, actors, sides, kind) -> str | None:
    """In a story that names no side of the bare noun's kind anywhere, the one side whose men an
    earlier figure counted under a noun of that kind with the side told ("21 soldiers of the
    Security Belt were killed" ... "two soldiers are still missing": the Security Belt's, a
    force the gazetteer keeps as an armed group). None when the story names a state, or when
    earlier figures counted such men of several sides."""
    if any(sides.kinds.get(a[2]) == kind for a in actors):
        return None
    found = {fm.actor for fm in matches
             if fm.actor and fm.noun_span and g.noun_sides.get(text[fm.noun_span[0]:fm.noun_span[1]]) == kind}
    return found.pop() if len(found) == 1 else None


def _in_relative_clause(g, text, start_limit, start, end, pos) -> bool:
    """The side named at [start, end) stands in a relative clause opened after a comma and closed
    before pos: "Hayat Tahrir al-Sham, which has fought the Syrian army for years, said seven of
    its fighters" (its is HTS's, not the army's)."""
    if g.relative_clause is None:
        return False
    opened = None
    for m in g.clause_break.finditer(text, start_limit, start):
        opened = m
    return opened is not None and g.relative_clause.match(text, opened.start()) is not None \
        and g.clause_break.search(text, end, pos) is not None


def _actor_before(actors, starts, start_limit, pos, passed_over=None):
    """The last side named from start_limit to pos, but those `passed_over(start, end)`."""
    found = None
    for start, end, actor_id, via in actors[bisect_left(starts, start_limit):bisect_right(starts, pos)]:
        if end <= pos and not (passed_over and passed_over(start, end)):
            found = (actor_id, via)
    return found or (None, False)


def _is_ally(g, text, start, start_limit) -> bool:
    """The side named at `start` is named as an ally, right after an alliance word: "a vigilante
    group that fights alongside the military", "القوة المشتركة المتحالفة مع الجيش"."""
    return g.ally_before is not None and g.ally_before.search(text, max(start_limit, start - 40), start) is not None


def _is_foe(g, text, start, start_limit) -> bool:
    """The side named at `start` is named as the foe of a fight, right after a fight word and its
    link: "fought a battle with Haftar's forces, in which it lost eight of its fighters",
    "خاضت معركة مع قوات حفتر خسرت فيها ثمانية من مقاتليها": not the side that lost them."""
    return g.foe_before is not None and g.foe_before.search(text, max(start_limit, start - 40), start) is not None


def _inside(spans, starts, pos) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


def _counted_right_before(text: str, spans, starts, noun_start: int, amount_start: int) -> bool:
    """The noun at noun_start lies in a count (a dual) that ends right before the amount."""
    i = bisect_right(starts, noun_start) - 1
    return i >= 0 and noun_start < spans[i][1] <= amount_start and not text[spans[i][1]:amount_start].strip()


def _inside_any_between(starts, low, high) -> bool:
    """An amount starts in [low, high)."""
    i = bisect_left(starts, low)
    return i < len(starts) and starts[i] < high


def _count_at(starts, pos) -> bool:
    """A count starts at pos or one space after it."""
    i = bisect_left(starts, pos)
    return i < len(starts) and starts[i] <= pos + 1


def _counted_before(g: FigureGrammar, text: str, lo: int, hi: int) -> bool:
    """A counted noun between lo and hi that is someone counted ("a young man was killed and 4
    wounded"), not a group's own people who act ("its fighters killed and wounded 200")."""
    return any(m.group("noun_suffix") not in g.possessive for m in g.noun_pattern.finditer(text, lo, hi))


def _inside_any_before(spans, starts, pos, current_start) -> bool:
    """A count other than the current one ends within a few words before pos."""
    i = bisect_right(starts, pos) - 1
    while i >= 0 and spans[i][1] > pos - 40:
        if spans[i][0] != current_start and spans[i][1] <= pos:
            return True
        i -= 1
    return False


GOVERNING_WORDS = 2  # words between an outcome word and the count it governs ("executed the 7 ...")


def _outcome_governing(g, text, start, sentence_start, starts) -> str | None:
    """The outcome of an outcome word (a verb or verbal noun, not a counted noun) right before the
    count at `start`, with at most GOVERNING_WORDS words and no clause break or other count between."""
    word = _governing_word(g, text, start, sentence_start, starts)
    return g.outcomes[word] if word is not None else None


def _governing_word(g, text, start, sentence_start, starts) -> str | None:
    """The outcome word `_outcome_governing` reads (its form), or None."""
    lo = max(sentence_start, start - 60)
    last = None
    for m in g.outcome_words.finditer(text, lo, start):
        last = m
    if last is None or last.end() > start or last.group("outcome") in g.nouns:
        return None  # a counted noun names people and governs no count: "the dead were among 58 prisoners"
    between = text[last.end():start]
    i = bisect_left(starts, last.end())
    if len(between.split()) > GOVERNING_WORDS or g.clause_break.search(between) or (i < len(starts) and starts[i] < start):
        return None
    return last.group("outcome")


def _owned_before(g, text, spans, starts, m, current_start) -> bool:
    """An outcome word before the current count belongs to another count: it is that count's own
    counted noun, right after it ("وصل 20 جريحا، و7 آخرين"), or a count and a reported clause's opener
    stand between it and the current count ("أودى بحياة 48 مدنيا، وإن أكثر من 500 ... أصيبوا")."""
    i = bisect_right(starts, m.start()) - 1
    if m.group("outcome") in g.nouns and i >= 0 and spans[i][0] != current_start and spans[i][1] <= m.start() and not text[spans[i][1]:m.start()].strip() \
            and current_start > m.end() + 1:  # "قتل 3 وأصيب 7": a verb right before the current count is its own
        return True
    if g.clause_opener is None:
        return False
    j = bisect_left(starts, m.end())
    while j < len(starts) and starts[j] < current_start:
        if g.clause_opener.search(text, spans[j][1], current_start):
            return True
        j += 1
    return False


def _nearest_outcome(g: FigureGrammar, text: str, q: Quantity, noun_end: int, sentence, skip, skip_starts):
    best, best_distance, best_match = None, None, None
    owned = []
    lo = max(sentence[0], q.start - g.outcome_window)
    hi = min(sentence[1], noun_end + g.outcome_window)
    for m in g.outcome_words.finditer(text, lo, hi):
        if q.start <= m.start() and m.end() <= q.end:
            distance = 0  # inside a negated amount: "not a single fighter LEFT"
        elif _inside(skip, skip_starts, m.start()):
            continue
        elif m.start() >= noun_end and _count_at(skip_starts, m.end()):
            continue  # "three gunmen opened fire, killing 27": the verb belongs to the count after it
        elif m.end() <= q.start and _owned_before(g, text, skip, skip_starts, m, q.start):
            # "20 جريحا ... و7 آخرين وصلوا جثثا": the noun of the count before, when an outcome
            # word follows the count; "48 قتيلا، وأن 500": another count's clause
            owned.append(m)
            continue
        else:
            distance = q.start - m.end() if m.end() <= q.start else m.start() - noun_end
        if distance < 0:
            continue
        # An outcome before the amount is read first ("killed 12"): it wins ties.
        if m.end() > q.start:
            distance += 1
        if best_distance is None or distance < best_distance:
            best, best_distance, best_match = g.outcomes[m.group("outcome")], distance, m
    if owned and (best_match is None or best_match.end() <= owned[-1].end()):
        # no outcome word after the count, none nearer before: another count's word is all there is
        # ("أربعة جرحى، بينهم حالتان حرجتان")
        best, best_match = g.outcomes[owned[-1].group("outcome")], owned[-1]
    if best is not None and best_match.end() <= q.start:
        joined = g.combined_before.search(text, max(lo, best_match.start() - 30), best_match.start("outcome"))
        if joined and (_inside_any_before(skip, skip_starts, joined.start(), q.start)
                       or _counted_before(g, text, max(lo, joined.start() - 25), joined.start())):
            joined = None  # "3 killed and 7 wounded": the first verb belongs to the count before
        if joined:  # "killed and wounded 12" names one combined count
            best = g.combination.get((g.outcomes[joined.group("first")], best), best)
    return best


def match_figures(canonical: str, pack: LanguagePack, quantities, actors, sides: StorySides | None = None) -> list[FigureMatch]:
    """Figures among `quantities` (canonical offsets). `actors` are (start, end, actor_id,
    via_anaphora) mentions in canonical offsets, in text order; `sides` what the gazetteer tells
    of them (without it a bare "soldiers" gets no side of its kind)."""
    g = figure_grammar(pack)
    text = canonical
    sentences = sentence_spans(text)
    counts = [q for q in quantities if q.kind == "count"]
    spans = [(q.start, q.end) for q in counts]
    span_starts = [a for a, _ in spans]
    sentence_starts = [a for a, _ in sentences]
    matches: list[FigureMatch] = []
    in_sentence: dict[tuple[int, int], list[int]] = {}
    last_head = None  # index of the latest figure that can be a parent
    heads: list[int] = []  # every figure that can be a parent, in text order
    inherited: dict[int, tuple] = {}  # figures whose population is the figure before's: what they had
    actor_of_parent: set[int] = set()  # parts whose actor is their whole's
    apposed_parts: set[int] = set()  # parts of a list in apposition ("the victims, 102 men, ...")
    outcome_told_at: set[int] = set()  # figures whose outcome their noun or their rule's frame tells
    literals = g.literals.index(text) if counts else None
    actor_starts = [a[0] for a in actors]  # actors are in text order: bisect finds a window's actors
    actor_reach = list(accumulate((a[1] for a in actors), max))  # furthest end of actors[:i + 1]
    paragraph_starts = None  # found when first needed
    for q in counts:
        i = bisect_right(sentence_starts, q.start) - 1
        whole = sentences[i] if i >= 0 and q.start < sentences[i][1] else (q.start, q.end)
        sentence = (max(whole[0], q.start - SENTENCE_REACH), min(whole[1], q.end + SENTENCE_REACH))
        side = None  # an armed group named right after the amount: "seven Ambazonian separatists"
        if sides is not None and not q.noun and text.startswith(" ", q.end):
            k = bisect_left(actor_starts, q.end + 1)
            if k < len(actors) and actors[k][0] == q.end + 1 and sides.kinds.get(actors[k][2]) == ARMED_GROUP:
                side = actors[k]
        found = _match_rule(g, text, q, sentence, literals, side[1] if side else None)
        if not found:
            continue
        rule, before, after = found
        if _slot(before, "noun") and _counted_right_before(text, spans, span_starts, before.start("noun"), q.start):
            continue  # the noun before is itself the amount: "مدنيان اثنان" is one count of two
        noun_m_span = None
        attrs = {}
        noun_end = q.end
        if rule.noun == "carried":
            attrs = g.nouns.get(q.noun, {})
            noun_m_span = (q.start, q.end)
            inside = {g.nouns[m.group("noun")].get("outcome") for m in g.noun_pattern.finditer(text, q.start, q.end)}
            inside.discard(None)
            if len(inside) == 2:  # "no dead or wounded": one amount over two coordinated nouns
                first, second = sorted(inside, key=lambda o: o != attrs.get("outcome"))
                attrs = dict(attrs, outcome=g.combination.get((first, second), attrs.get("outcome")))
        elif _slot(after, "noun"):
            attrs = g.nouns[after.group("noun")]
            noun_m_span = after.span("noun")
            noun_end = after.end()
        elif _slot(before, "noun"):
            # the noun names the count before it: "the toll among civilians rose to 62"
            attrs = g.nouns[before.group("noun")]
            noun_m_span = before.span("noun")
        elif rule.noun == "side":
            attrs, noun_m_span = {"population": "combatants"}, (side[0], side[1])
            noun_end = max(side[1], after.end() if after is not None else side[1])
        elif rule.noun == "inside":
            m = g.noun_pattern.search(text, q.start, q.end)
            if m:
                attrs, noun_m_span = g.nouns[m.group("noun")], m.span("noun")
        elif rule.noun == "antecedent":
            for m in g.noun_pattern.finditer(text, sentence[0], before.start() if before else q.start):
                if g.nouns[m.group("noun")].get("population"):
                    attrs, noun_m_span = g.nouns[m.group("noun")], m.span()
        elif after is not None:
            noun_end = after.end()
        population = rule.population or attrs.get("population") or rule.default_population
        subgroup = attrs.get("subgroup")
        predicate = _slot(after, "predicate")
        if predicate:  # "23 of the dead were children": who they were, from the predicate noun
            said = g.nouns[predicate]
            subgroup = said.get("subgroup") or subgroup
            if population in (None, "unknown") and said.get("population") not in (None, "unknown"):
                population = said["population"]
        unit = attrs.get("unit") or "people"
        outcome = attrs.get("outcome")
        people_end = noun_end
        people_span = noun_m_span if rule.noun != "carried" else None
        modifiers_start = q.end if noun_m_span and noun_m_span[0] >= q.end else (before.start() if before else q.end)
        if unit != "people":
            carried = _noun_after_unit(g, text, noun_end, sentence[1])
            if carried:
                people = g.nouns[carried.group("noun")]
                population, subgroup, people_end = people.get("population"), people.get("subgroup"), carried.end()
                people_span, modifiers_start = carried.span("noun"), noun_end
        noun_stop = noun_m_span[1] if noun_m_span and _slot(before, "noun") else noun_end
        combined = g.combine_after.match(text, noun_stop, sentence[1]) if noun_m_span else None
        if combined:
            other = g.nouns[combined.group("noun")]
            if outcome and other.get("outcome"):
                outcome = g.combination.get((outcome, other["outcome"]), outcome)
                noun_end = people_end = max(noun_end, combined.end())
            elif {population, other.get("population")} == {"civilians", "combatants"}:
                population = "mixed"  # "civilians and fighters"
                noun_end = people_end = max(noun_end, combined.end())
            elif subgroup and other.get("population") == population and not other.get("subgroup"):
                subgroup = None  # "15 rescue workers and bus drivers": not all of them are medics
                noun_end = people_end = max(noun_end, combined.end())
        pair = g.pair_after.match(text, noun_end, sentence[1]) if g.pair_after is not None and noun_m_span else None
        if pair:  # "35 people, killed and wounded" (بين قتيل وجريح)
            first, second = g.nouns[pair.group("a")].get("outcome"), g.nouns[pair.group("b")].get("outcome")
            if first and second:
                outcome = g.combination.get((first, second), first)
                noun_end = people_end = pair.end()
        if population in (None, "unknown") and noun_m_span:
            of = g.of_noun.match(text, noun_end, sentence[1])
            # "3 dead among the civilians", "150 persons of the town's residents"
            if of and g.nouns[of.group("noun")].get("population"):
                of_attrs = g.nouns[of.group("noun")]
                population, subgroup = of_attrs["population"], subgroup or of_attrs.get("subgroup")
                people_end, people_span = of.end(), of.span("noun")
        if outcome and g.overrides is not None and not rule.outcome:
            verb = g.overrides.match(text, people_end, sentence[1])
            if verb:  # "20 detainees died under torture": the verb says what happened to them
                outcome = g.outcomes.get(verb.group("verb"), outcome)
        governing = _governing_word(g, text, q.start, sentence[0], span_starts) if outcome and not rule.outcome else None
        if governing is not None:
            if attrs.get("outcome_is_state"):
                # "killed 12 prisoners", "مقتل 23 رهينة": captives are a state the people were in; an
                # outcome word governing the count says what happened to them
                outcome = g.outcomes[governing] or outcome
            if g.outcomes[governing] is None and governing not in g.gatherings:
                # "interviewed 52 victims", "spoke to 40 survivors": people a word that tells no outcome
                # governs (someone spoke to them) are no count of what the noun implies
                outcome = None
        if rule.outcome:
            outcome = rule.outcome
        for frame in (before, after):
            if _slot(frame, "outcome") in g.outcomes:
                outcome = g.outcomes[frame.group("outcome")]
        outcome_told = outcome is not None  # by the noun or the rule's frame, not by a word nearby
        if outcome is None and noun_m_span and g.noun_modifier is not None and in_sentence.get(whole) \
                and g.noun_modifier.match(text, noun_end, sentence[1]):
            outcome = _conjunct_outcome(g, text, q, matches[in_sentence[whole][-1]])
        if outcome is None:
            outcome = _nearest_outcome(g, text, q, noun_end, sentence, spans, span_starts)
        if outcome is None and g.companion_before is not None and in_sentence.get(whole) \
                and g.companion_before.search(text, max(sentence[0], q.start - 40), q.start):
            outcome = matches[in_sentence[whole][-1]].outcome  # "keeps N troops, alongside M fighters"

        actor, via = None, False
        loss = None
        for m in g.loss_words.finditer(text, max(sentence[0], q.start - 60), q.start):
            loss = m
        if loss is not None and _inside_any_between(span_starts, loss.end(), q.start):
            loss = None  # another count's verb: "lost eight of its fighters, and captured 14"
        if loss is not None and population in (None, "unknown", "combatants"):
            actor, via = _actor_before(actors, actor_starts, loss.end(), q.start)
            if actor is None:
                # the side that lost them is the subject: not one an earlier figure counts ("had
                # killed 1,000 Boko Haram fighters and lost 52"), nor its ally ("المتحالفة مع الجيش")
                counted = [(m.quantity.start, m.noun_span[1]) for m in matches
                           if m.sentence == whole and m.noun_span and m.noun_span[0] >= m.quantity.end]
                actor, via = _actor_before(actors, actor_starts, sentence[0], loss.start(), lambda a, b: any(
                    x <= a < y for x, y in counted) or _is_ally(g, text, a, sentence[0]) or _is_foe(g, text, a, sentence[0]))
            if actor:
                population = "combatants"
        if actor is None and people_span and population == "combatants" and rule.actor != "none":
            actor, via = _actor_naming_noun(actors, actor_reach, people_span)  # "عشرات الحوثيين", "dozens of Houthis"
        if actor is None and g.actor_before_noun and people_span and population in ("combatants", "mixed", "unknown") \
                and rule.actor != "none":
            actor, via = _actor_at_noun(g, text, actors, actor_starts, modifiers_start, people_span)
            if actor and population == "unknown":
                population = "combatants"
        if actor is None and _slot(before, "noun") and rule.actor != "none":
            # "the toll among the Houthis rose to 150": the side stands between the noun and the amount
            actor, via = _actor_after(g, text, actors, actor_starts, noun_m_span[1], q.start)
            if actor and population == "unknown":
                population = "combatants"
        if actor is None and population in ("combatants", "mixed", "unknown") and rule.actor != "none":
            actor, via = _actor_after(g, text, actors, actor_starts, people_end, sentence[1])
            if actor and population == "unknown":
                population = "combatants"
        suffix = _slot(after, "noun_suffix") or _slot(before, "noun_suffix")
        possessed = suffix in g.possessive or (
            g.possessive_words is not None and noun_m_span is not None and noun_m_span[0] >= q.end
            and g.possessive_words.search(text, q.end, noun_m_span[0]) is not None)
        if actor is None and possessed and noun_m_span and rule.actor != "none":
            counted = [(m.quantity.start, _clause_end(g, text, m.noun_span[1], q.start)) for m in matches
                       if m.sentence == whole and m.noun_span and m.noun_span[0] >= m.quantity.end]
            actor, via = _possessor(g, text, actors, actor_starts, sentence[0], min(q.start, noun_m_span[0]), counted,
                                    (g.suffix_genders or {}).get(suffix))  # "12 of ITS fighters"
            if actor and population == "unknown":
                population = "combatants"
        if actor is None and rule.actor == "subject" and population in ("combatants", "mixed"):
            pronoun = g.pronoun_before.search(text, max(sentence[0], before.start() - 12), before.start()) \
                if before is not None and g.pronoun_before is not None else None
            believed = pronoun is not None and g.belief_before is not None \
                and g.belief_before.search(text, max(sentence[0], pronoun.start() - 30), pronoun.start())
            # the believer, named last before the verb of belief, is not whom the pronoun names
            believer = max((a[0] for a in actors[bisect_left(actor_starts, sentence[0]):bisect_left(actor_starts, believed.start())]
                            if a[1] <= believed.start()), default=None) if believed else None
            actor, via = _actor_before(actors, actor_starts, sentence[0], q.start, lambda a, b: a == believer)
            if actor is None and pronoun is not None:
                # a pronoun subject names the side named last before its sentence, in its
                # paragraph: "The ELN has not claimed the attack. The army estimates it has about
                # 2,500 fighters"
                if paragraph_starts is None:
                    paragraph_starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
                paragraph = paragraph_starts[bisect_right(paragraph_starts, q.start) - 1]
                actor, via = _actor_before(actors, actor_starts, paragraph, sentence[0])
        if actor is None and rule.actor == "first" and population in ("combatants", "mixed"):
            # "ISWAP broke away from Boko Haram and ..., with an estimated 5,000 fighters": the
            # sentence's subject, named first
            first = bisect_left(actor_starts, sentence[0])
            if first < len(actors) and actors[first][1] <= q.start:
                actor, via = actors[first][2], actors[first][3]
        if actor is None and rule.actor == "sentence" and population in ("combatants", "mixed"):
            named = {a[2] for a in actors[bisect_left(actor_starts, sentence[0]):bisect_left(actor_starts, sentence[1])]}
            # a side an earlier figure of the sentence counts under another noun is not this one's
            # ("قتلت 11 من عناصر الميليشيا ... فيما قتل جنديان من الجيش")
            counted_other = {matches[i].actor for i in in_sentence.get(whole, ())
                             if matches[i].noun_span and noun_m_span
                             and text[slice(*matches[i].noun_span)] != text[slice(*noun_m_span)]}
            if len(named) == 1 and not named & counted_other:
                actor = named.pop()
        if population in ("combatants", "unknown") and unit == "people" or unit != "people":
            family_window_end = _clause_end(g, text, people_end, sentence[1])
            fam = g.family.search(text, people_end, min(family_window_end, people_end + 60))
            if fam and text.count(" ", people_end, fam.start()) <= FAMILY_WINDOW_WORDS:
                population = "mixed"

        marker = g.subset_before.search(text, max(sentence[0], q.start - 30), q.start)
        # a list in apposition to the dead told before: "the UN said the victims, 102 men, 17 women
        # and 12 children, were executed" (never a whole fronted: "Of the victims, 12 were children")
        apposition = g.apposed_before.search(text, max(sentence[0], q.start - 30), q.start) \
            if marker is None and g.apposed_before is not None else None
        apposed = apposition is not None and not (g.fronted_before is not None and g.fronted_before.search(
            text, max(sentence[0], apposition.start() - 10), apposition.start()))
        marker = marker or (apposition if apposed else None)
        subset = rule.subset or bool(marker)
        # "Among the missing are ten firefighters": a marker that names an outcome names the part's
        # (not one in apposition, "the victims, 102 men, ... were executed": the verb tells that)
        named = g.outcome_words.search(text, marker.start(), marker.end()) if marker and not apposed else None
        marker_outcome = g.outcomes.get(named.group("outcome")) if named else None
        # "43 Syrians were among the dead": told after the part, "the dead" are the story's toll
        told_after = marker is None and rule.subset and _slot(after, "outcome") in g.outcomes
        if told_after:
            marker_outcome = g.outcomes[after.group("outcome")]
        parent = None
        previous = in_sentence.get(whole, [])
        joined = False
        if not subset and previous:
            last = matches[previous[-1]]
            # "13 killed, among them two children, and 74 wounded": a count joined to a part but
            # with another outcome than the part and its whole share is a whole of its own
            said = rule.outcome or attrs.get("outcome") or _slot(before, "outcome") or _slot(after, "outcome")
            other_outcome = said is not None and last.outcome is not None and outcome != last.outcome \
                and last.parent is not None and matches[last.parent].outcome == last.outcome
            if last.subset and g.join_before.search(text, max(last.quantity.end, q.start - 6), q.start) \
                    and text.count(" ", last.quantity.end, q.start) <= 3 and not other_outcome:
                subset = joined = True
            elif last.subset and noun_m_span is not None and noun_m_span == last.noun_span:
                subset = joined = True  # its noun is the part's before it: "nine soldiers and three from Malawi"
            elif last.subset and noun_m_span is not None and said is None and outcome in (None, last.outcome) \
                    and _listed_after(g, text, last, q):
                # the last item of a list of parts: "13 members of the security forces, two
                # government officials and 14 civilians" (no outcome word of its own)
                subset = joined = True
        if subset:
            # a later item of a list in apposition tells its outcome as the first does
            apposed = apposed or joined and previous[-1] in apposed_parts
            if apposed:
                apposed_parts.add(len(matches))
            parents = [i for i in previous if not matches[i].subset]
            if joined and matches[previous[-1]].parent is not None:
                # a later item of a list of parts is a part of the whole the first item is a part
                # of, not of another whole told in the sentence ("بينهم ستة عراقيين وثلاثة صينيين")
                parents = [matches[previous[-1]].parent]
            elif not parents and previous and (marker or rule.subset and not (
                    g.clause_opener is not None and g.clause_opener.search(text, matches[previous[-1]].quantity.end, q.start))):
                # a part of a part: "40 foreigners were among the dead, including eight Britons",
                # "29 of the injured were still being treated, none of them in critical condition";
                # not across a reported clause's opener ("بين القتلى تسعة مدنيين، مضيفا أن العشرات
                # منهم أعدموا": of the dead)
                parents = previous[-1:]
            elif previous and marker and matches[previous[-1]].subset and not marker_outcome \
                    and not (rule.outcome or attrs.get("outcome") or _slot(after, "outcome")) \
                    and not _inside_any_between(span_starts, matches[previous[-1]].quantity.end, q.start):
                # a marker right after a part, no count between, opens a part of that part: "12 of
                # the wounded are still in hospital, among them three in a critical condition"
                parents = previous[-1:]
            if not parents and last_head is not None and matches[last_head].sentence[1] <= whole[0] \
                    and not any(whole[0] <= s < q.start and s not in {matches[i].quantity.start for i in previous}
                                for s in span_starts):
                # the heads of the latest sentence that had one, unless an amount of its own
                # sentence that is no figure stands before the marker ("a town of 300,000
                # people, among them tens of thousands displaced") ("... 32 killed and 110 wounded.
                # Among the dead were 5 policemen")
                parents = [i for i in heads if matches[i].sentence == matches[last_head].sentence]
            if marker_outcome and not rule.outcome and not attrs.get("outcome"):
                outcome = marker_outcome
                if told_after and not any(i in previous for i in parents):
                    # the first toll with that outcome that counts everyone, not only children
                    tolls = [i for i in heads if matches[i].outcome == outcome]
                    # the body's toll, not the headline's that repeats it
                    headline_end = text.find("\n")
                    tolls = [i for i in tolls if matches[i].quantity.start > headline_end] or tolls
                    parents = [i for i in tolls if matches[i].subgroup is None][:1] or tolls[:1] or parents
                elif not any(matches[i].outcome == outcome for i in parents):
                    # the whole with that outcome told earlier ("Dozens are missing. ... Among
                    # the missing are ten firefighters")
                    parents = [i for i in heads if matches[i].outcome == outcome][-1:] or parents
            elif rule.subset and attrs.get("outcome") and parents and not any(i in previous for i in parents) \
                    and not any(matches[i].outcome == attrs["outcome"] for i in parents):
                # a part named by its outcome in a sentence of its own ("at least 12 of the wounded
                # were children") is a part of the latest whole with that outcome, not of the
                # sentence before's other toll
                parents = [i for i in heads if matches[i].outcome == attrs["outcome"]][-1:] or parents
            if parents:
                # "12 killed and 40 wounded, 9 of the wounded": the whole with the part's outcome
                same = [i for i in parents if outcome is not None and matches[i].outcome == outcome]
                if not same and outcome is not None and attrs.get("outcome") and not rule.outcome:
                    # a part whose own noun names its whole's outcome ("12 of the wounded", "12 من
                    # الجرحى") is a part of the latest whole with that outcome, not of the nearest
                    # count: "the toll rose to seven dead ..., and 12 of the wounded are in hospital"
                    # (one whole: not one of a list of counts with that outcome, "121 students
                    # and three staff members had been wounded")
                    wholes = [i for i in heads if matches[i].outcome == outcome and matches[i].quantity.start < q.start]
                    if wholes and sum(matches[i].sentence == matches[wholes[-1]].sentence for i in wholes) == 1:
                        same = wholes[-1:]
                parent = (same or parents)[-1]
                p = matches[parent]
                own = attrs.get("population")
                if parent in inherited and own not in (None, "unknown") and own != p.population:
                    # a part of another population ("26 wounded, among them three civilians") shows
                    # that the whole's population, taken from the figure before it, was not told
                    was_population, was_actor = inherited.pop(parent)
                    taken = p.population
                    p = matches[parent] = replace(p, population=was_population or "unknown", actor=was_actor)
                    # and so of its parts told before, which kept it ("38 wounded, 20 of them moved
                    # to Aden, among them six medics")
                    for j in range(parent + 1, len(matches)):
                        if matches[j].parent == parent and matches[j].population == taken:
                            matches[j] = replace(matches[j], population=p.population,
                                                 actor=p.actor if j in actor_of_parent else matches[j].actor)
                population = p.population  # a subset keeps its parent's population (CONVENTIONS)
                if actor is None and p.actor is not None:
                    actor_of_parent.add(len(matches))
                actor = actor or p.actor
                outcome = outcome if outcome and (rule.subset or rule.outcome or attrs.get("outcome") or marker_outcome or apposed) \
                    else (p.outcome or outcome)
                if outcome == PRESENT and p.outcome and not (rule.outcome or attrs.get("outcome")):
                    # "190,000 fled, and 30,000 of them were sheltering in the camp": where a part
                    # is says nothing new of what happened to it
                    outcome = p.outcome
            else:
                subset = False
        elif population in (None, "unknown") and (attrs.get("outcome") or attrs.get("inherit") or rule.inherit) and previous:
            own_heads = [i for i in previous if not matches[i].subset]  # never the article's `heads`
            p = matches[own_heads[-1]] if own_heads else None
            # not when the list the figure before ends counts people of several populations ("122
            # civilians and 26 soldiers ..., with dozens of wounded"), nor from the people who did the deed
            # the count is the object of ("one of its fighters detonated a vest, killing 200"), nor
            # from a part told before its whole ("132 children among 141 dead")
            if p is not None and (p.population not in (None, "unknown") or attrs.get("inherit") or rule.inherit) \
                    and len({matches[i].population for i in _listed_with(g, text, matches, own_heads)}) == 1 \
                    and not (g.whole_before is not None and g.whole_before.search(text, max(sentence[0], q.start - 20), q.start)) \
                    and not ((own_heads[-1] not in outcome_told_at or p.outcome == PRESENT)  # attackers there did the deed
                             and _agent_of_verb(g, text, p, before, rule, sentence[0], span_starts)):
                inherited[len(matches)] = (population, actor)
                population, actor = p.population, actor or p.actor
                subgroup = subgroup or (p.subgroup if attrs.get("inherit") else None)

        if actor is None and population == "combatants" and not subset and people_span and rule.actor != "none":
            # "at least 63 Kenyan soldiers had been killed and the attackers had taken 12 soldiers
            # captive": the same noun told bare later in the paragraph counts the same side
            if paragraph_starts is None:
                paragraph_starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text)]
            paragraph = paragraph_starts[bisect_right(paragraph_starts, q.start) - 1]
            actor, via = _side_of_noun_before(text, matches, actors, actor_starts, paragraph, people_span)
        # the people counted: a noun of their own, else one the amount carries ("one soldier")
        side_noun = text[people_span[0]:people_span[1]] if people_span else q.noun if rule.noun == "carried" else None
        kind = g.noun_sides.get(side_noun) if side_noun and g.noun_sides else None
        # a bare noun told after an outcome noun and "of": "64 قتيلا من الجنود" (64 dead of the soldiers)
        bare_from = noun_m_span[1] if people_span and noun_m_span and people_span != noun_m_span \
            and noun_m_span[0] >= q.end else q.end
        if actor is None and kind and sides is not None and population == "combatants" and rule.actor != "none" \
                and _bare(g, text, sentence[0], q.start, bare_from, people_span or (q.end, q.end), people_end):
            counted_sides = {matches[i].actor for i in in_sentence.get(whole, ())}
            verb_at = before.start() if before is not None and outcome != PRESENT and (rule.outcome or _slot(before, "outcome")) else None
            mixed = any(matches[i].population != population for i in in_sentence.get(whole, ()))
            actor = _side_of_kind(g, text, actors, actor_starts, sides, kind, sentence, q.start, counted_sides, verb_at, mixed)
            if actor is None and kind != ARMED_GROUP:
                actor = _side_counted_before(g, text, matches, actors, sides, kind)
            via = actor is not None
        if population is None and unit == "people":
            continue
        if population in ("civilians",):
            actor = None
        # a part right after a figure its rule keeps latent (a forecast, survivors pulled out alive)
        # is a part of that figure: "pulled nine people, among them three children, alive"
        # (never of vehicles left latent: "احتراق سبع حافلات ..., بين القتلى 53" counts no bus)
        part_of_latent = subset and bool(matches) and matches[-1].latent and matches[-1].outcome is not None \
            and matches[-1].sentence == whole and matches[-1].unit == unit
        latent = rule.latent or outcome is None or (q.low is None and q.high is None) or part_of_latent \
            or bool(attrs.get("only_outcomes")) and outcome not in attrs["only_outcomes"]  # "seven buses burnt"
        if outcome_told:
            outcome_told_at.add(len(matches))
        matches.append(FigureMatch(
            quantity=q, rule=rule.id, population=population or "unknown", actor=actor, subgroup=subgroup,
            outcome=outcome, unit=unit, subset=subset, parent=parent, latent=latent, sentence=whole,
            noun_span=noun_m_span, actor_via_anaphora=via,
        ))
        if not latent:
            in_sentence.setdefault(whole, []).append(len(matches) - 1)
            if not subset and not rule.earlier:
                last_head = len(matches) - 1
                heads.append(last_head)
    return _drop_repeats(text, matches)


def _drop_repeats(text: str, matches: list[FigureMatch]) -> list[FigureMatch]:
    """A repeated headline or paragraph yields each figure once: same sentence text, same amount."""
    seen = {}
    kept: list[FigureMatch] = []
    index_map = {}
    for i, fm in enumerate(matches):
        key = (text[fm.sentence[0]:fm.sentence[1]], fm.quantity.text, fm.quantity.start - fm.sentence[0])
        if key in seen:
            index_map[i] = seen[key]
            continue
        seen[key] = len(kept)
        index_map[i] = len(kept)
        parent = index_map.get(fm.parent) if fm.parent is not None else None
        kept.append(fm if parent == fm.parent else replace(fm, parent=parent))
    return kept
