"""Stage 3: find written amounts in canonical text and read their value.

Finding and reading are data driven (`numbers.yaml`, plus the counted nouns of
`populations.yaml` for duals, "noun + one", "one + noun" and "no + noun"). The finder scans
for number cores (digits, number-word sequences, vague amounts, zero phrases, dual nouns,
negated nouns), then widens each core with a range, a qualifier before or after it, and
classifies it: a count, or another kind (percent, time, duration, date, year, age, money,
counter, phone, objects, ordinal) that is never a count. Offsets are canonical; callers map
them back with the OffsetMap (`read_quantities` does it for raw text).

Example:
    >>> from casualties.langpack import load_pack
    >>> [(q.text, q.low, q.high, q.qualifier) for q in read_quantities("at least 62 civilians", load_pack("en"))]
    [('at least 62', 62, None, 'at_least')]
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from types import MappingProxyType

import regex

from .errors import DataFileError
from .langpack import LanguagePack, build_lexicon, compile_pattern, phrase_starts, shared_phrases, trie_regex
from .model import Quantity

WORD_CLASSES = ("unit", "ten", "teen", "hundred", "hundreds", "multiplier", "fraction")
PATTERN_REACH = 32  # characters a kind's pattern may read past its number
MAX_SCAN_GAP = 40  # characters looked at before a core for qualifiers and contexts
MAX_DIGITS = 15  # longer digit runs (with separators) are identifiers, never amounts
YEAR_PATTERN = r"(?:1[89]|20)\d\d(?!\d)"  # the {YEAR} macro of context phrases


@dataclass(frozen=True, slots=True)
class NumberWord:
    value: int
    cls: str
    plural: bool = False
    dual: bool = False
    standalone: bool = True
    leads: frozenset = frozenset()
    ratio: float = 0.0  # a fraction of the multiplier next to it ("half a million", "a million and a half")
    glued: bool = False  # only written right after digits ("1.2m"): never a word on its own


@dataclass(frozen=True)
class NumberGrammar:
    """Everything the finder needs for one language, compiled once."""

    words: MappingProxyType
    word_lexicon: object
    scanner: regex.Pattern
    scanner_starts: object  # langpack.PhraseStarts of the scanner's words, or None
    joined_digits: object
    weekday: object
    glued_ok: object
    last_word: regex.Pattern
    next_word: regex.Pattern
    digits: regex.Pattern
    digit_multiplier: regex.Pattern
    vague: object
    zero: object
    duals: object
    singulars: object
    one_words: frozenset
    singular_word: regex.Pattern
    one_before: object
    counted_singular_after: regex.Pattern
    counted_noun_after: object
    negated_more: object
    negators: regex.Pattern
    negation_window: int
    exceptives: frozenset
    qualifiers_before: regex.Pattern
    qualifiers_before_kind: MappingProxyType
    qualifiers_after: regex.Pattern
    qualifiers_after_gap: regex.Pattern | None
    qualifiers_after_kind: MappingProxyType
    ranges: tuple
    kinds: tuple
    kind_max: tuple  # per kind, the largest amount it can be (a clock's minutes are no more than 59), or None
    any_kind_before: object
    kind_patterns: regex.Pattern
    kind_afters: object
    unless: tuple
    before_reach: int
    after_kinds: tuple
    before_last: frozenset
    after_first: frozenset
    year_range: tuple[int, int]
    counted_after: object


def _forms(pack: LanguagePack, forms) -> list[str]:
    """Canonical forms of a list, or of the `forms` of an entry that carries its own examples."""
    if isinstance(forms, dict):
        forms = forms.get("forms")
    return [pack.canonical(str(f)) for f in forms or []]


def _end_anchored(alternation: str, word: str, proclitics: str) -> regex.Pattern:
    """Matches a phrase that ends right at `endpos` (a space, and a proclitic of the amount, may
    separate it from the core: "the hours the-twenty-four")."""
    return compile_pattern(f"(?<!{word})(?:{proclitics})??(?P<term>{alternation}) ?(?:{proclitics})?\\Z")


def _macro_table(pack: LanguagePack) -> dict[str, list[str]]:
    months: list[str] = []
    raw_months = pack.section("dates", "months", []) or []
    if isinstance(raw_months, dict):
        raw_months = raw_months.get("names", [])
    for entry in raw_months:
        if isinstance(entry, dict):
            months += _forms(pack, entry.get("forms") or entry.get("names") or [])
        else:
            months.append(pack.canonical(str(entry)))
    raw_days = pack.section("dates", "weekdays", {}) or {}
    weekdays = [form for entry in (raw_days.get("names", []) if isinstance(raw_days, dict) else [])
                if isinstance(entry, dict) for form in _forms(pack, entry.get("forms"))]
    # nouns that count people (a term with no unit of its own): "three hospital workers" is no
    # count of hospitals
    people = [form for term in pack.section("populations", "terms", []) or [] if not term.get("unit")
              for form in _forms(pack, (term.get("forms") or []) + (term.get("singular") or []))]
    return {"MONTH": months, "WEEKDAY": weekdays, "NON_PEOPLE": _forms(pack, pack.section("populations", "non_people", [])),
            "PEOPLE": people, "YEAR": YEAR_PATTERN}


def _edge_chars(pack: LanguagePack, phrases, macros, side: int) -> set[str]:
    """Characters a phrase can start with (side 0) or end with (side -1), macros expanded:
    a cheap test that skips the regex search when no phrase can touch the number."""
    chars: set[str] = set()
    for phrase in phrases:
        phrase = str(phrase)
        edge = regex.search(r"\{([A-Z_]+)\}\Z" if side else r"\A\{([A-Z_]+)\}", phrase)
        if edge:
            value = macros.get(edge.group(1), [])
            chars |= set("0123456789") if isinstance(value, str) else {f[side] for f in value if f}
        elif pack.canonical(phrase):
            chars.add(pack.canonical(phrase)[side])
    return chars


def _phrase_length(pack: LanguagePack, phrase, macros) -> int:
    """Longest canonical length of a context phrase, its macros at their longest."""
    total = 0
    for i, piece in enumerate(regex.split(r"\{([A-Z_]+)\}", str(phrase))):
        if i % 2:
            value = macros.get(piece, [])
            total += 4 if isinstance(value, str) else max((len(v) for v in value), default=0)
        else:
            total += len(pack.canonical(piece))
    return total


def _touches(chars: frozenset, text: str, pos: int, side: int) -> bool:
    """Is the character next to `pos` (across one space) one that a phrase can end/start with?"""
    if side:
        char = text[pos - 1:pos]
        if char == " ":
            char = text[pos - 2:pos - 1] if pos > 1 else ""
    else:
        char = text[pos:pos + 1]
        if char == " ":
            char = text[pos + 1:pos + 2]
    return char in chars if char else False


def _expand(pack: LanguagePack, phrases, macros) -> str:
    """Alternation for context phrases; `{MACRO}` inside a phrase expands to a lexicon."""
    parts = []
    for phrase in phrases or []:
        phrase = str(phrase)
        if "{" not in phrase:
            parts.append(regex.escape(pack.canonical(phrase)))
            continue
        pieces = regex.split(r"\{([A-Z_]+)\}", phrase)
        out = []
        for i, piece in enumerate(pieces):
            if i % 2:
                value = macros.get(piece, [])
                out.append(f"(?:{value if isinstance(value, str) else trie_regex(value)})")
            else:
                out.append(regex.escape(pack.canonical(piece)) if piece else "")
        parts.append("".join(out))
    return "|".join(parts) if parts else "(?!)"


def compile_grammar(pack: LanguagePack) -> NumberGrammar:
    path = pack.path_of("numbers")
    data = pack.data.get("numbers")
    if data is None:
        raise DataFileError(path, "file", "language pack has no numbers.yaml")
    word_re = pack.section("morphology", "word_chars", r"\w")
    proclitic_forms = _forms(pack, pack.section("morphology", "proclitics", []))
    proclitics = trie_regex(proclitic_forms)
    enclitics = trie_regex(_forms(pack, pack.section("morphology", "enclitics", [])))

    words: dict[str, NumberWord] = {}
    for i, entry in enumerate(data.get("words") or []):
        cls = entry.get("class")
        if cls not in WORD_CLASSES:
            raise DataFileError(path, f"words[{i}].class", f"{cls!r} is not one of {WORD_CLASSES}")
        leads = entry.get("leads") or []
        if any(c not in WORD_CLASSES for c in leads):
            raise DataFileError(path, f"words[{i}].leads", f"{leads!r}: each must be one of {WORD_CLASSES}")
        if cls == "fraction" and not 0 < float(entry.get("ratio", 0)) < 1:
            raise DataFileError(path, f"words[{i}].ratio", "a fraction needs a ratio between 0 and 1")
        info = NumberWord(int(entry.get("value", 0)), cls, bool(entry.get("plural")), bool(entry.get("dual")),
                          bool(entry.get("standalone", True)) and not leads and cls != "fraction", frozenset(leads),
                          float(entry.get("ratio", 0)), bool(entry.get("glued")))
        for form in _forms(pack, entry.get("forms")):
            words.setdefault(form, info)
    word_lexicon = build_lexicon(pack, {w: w for w in words})

    joiners = data.get("joiners") or {}
    join_prefix = trie_regex(_forms(pack, joiners.get("prefix")))
    join_words = trie_regex(_forms(pack, joiners.get("words")))
    separator = " (?:" + join_words + " )?" if joiners.get("words") else " "
    if joiners.get("hyphen"):
        separator = f"(?:{separator}|-)"
    followers = [w for w, info in words.items() if not info.leads and not info.glued]
    next_word = compile_pattern(
        f"(?P<sep>{separator})(?P<join>{join_prefix})?(?P<term>{trie_regex(followers)})(?!{word_re})")

    seps = data.get("separators") or {}
    thousands = "".join(regex.escape(s) for s in seps.get("thousands", [","]))
    decimal = "".join(regex.escape(s) for s in seps.get("decimal", ["."]))
    digits = regex.compile(
        rf"\d{{1,3}}(?:[{thousands}]\d{{3}})+(?![{decimal}]?\d)|\d+(?:[{decimal}]\d+)?" if thousands
        else rf"\d+(?:[{decimal}]\d+)?")
    multipliers = [w for w, info in words.items() if info.cls == "multiplier"]
    spaced = [w for w in multipliers if not words[w].glued]
    glued = [w for w in multipliers if words[w].glued]
    digit_multiplier = compile_pattern(
        f"(?: ?(?P<term>{trie_regex(spaced)})|(?P<glued>{trie_regex(glued)}))(?!{word_re})")
    joined_digits = compile_pattern(
        # a separator after the digits continues them only before another digit ("808, then" ends)
        f" (?:(?:{join_words}) |{join_prefix} ?)(?P<d>\\d+)(?!\\d|[{thousands}{decimal}]\\d)")

    vague = {}
    for entry in data.get("vague") or []:
        for form in _forms(pack, entry.get("forms")):
            vague.setdefault(form, (entry.get("low"), entry.get("high")))
    zero = {form: 0 for entry in data.get("zero") or [] for form in _forms(pack, entry.get("forms"))}

    duals, singulars, counted = {}, {}, {}
    for term in pack.section("populations", "terms", []) or []:
        for form in _forms(pack, term.get("dual")):
            duals.setdefault(form, form)
        for form in _forms(pack, term.get("singular")):
            singulars.setdefault(form, form)
        for form in _forms(pack, term.get("forms")) + _forms(pack, term.get("singular")) + _forms(pack, term.get("dual")):
            counted.setdefault(form, form)

    one_before = _forms(pack, data.get("one_before_noun"))
    negated_any = _forms(pack, data.get("negated_any"))
    scanned_words = [w for w, info in words.items() if not info.glued] + list(vague) + list(zero) + one_before + _forms(pack, data.get("one_after_noun"))
    scanner_parts = [r"(?P<digits>\d)", f"(?<!{word_re})(?:{proclitics})??(?P<word>{trie_regex(scanned_words)})(?!{word_re})"]
    conjunctions = []
    if negated_any and counted:
        # a conjunction may be glued to the negator ("and no one was hurt" as one word)
        conjunctions = _forms(pack, pack.section("morphology", "conjunctions") or [])
        scanned_words += negated_any
        glued = f"(?:{trie_regex(conjunctions)})?" if conjunctions else ""
        scanner_parts.append(
            f"(?<!{word_re}){glued}(?P<negany>{trie_regex(negated_any)}) (?=(?:{proclitics})??(?:{trie_regex(counted)})(?:{enclitics})?(?!{word_re}))")
    if duals:
        scanner_parts.append(f"(?<!{word_re})(?:{proclitics})??(?P<dual>{trie_regex(duals)})(?!{word_re})")
        scanned_words += list(duals)
    agreement = data.get("dual_by_agreement") or {}
    endings = tuple(_forms(pack, agreement.get("endings")))
    agreeing = [form for form in counted if endings and form.endswith(endings) and form not in duals]
    cues = _forms(pack, agreement.get("cues_after"))
    if agreeing and cues:
        # a noun whose ending is both a dual's and a plural's is two when the next word agrees
        # with a dual ("the two bombers blew themselves up": verb and pronoun in the dual); not
        # an adjective of the word before ("the two suicide bombings that...")
        not_after = _forms(pack, agreement.get("not_after_endings"))
        adjective = f"(?<!{word_re}{word_re}(?:{trie_regex(not_after)}) )" if not_after else ""
        scanner_parts.append(f"(?<!{word_re}){adjective}(?:{proclitics})??(?P<agreed>{trie_regex(agreeing)}) "
                             f"(?=(?:{trie_regex(cues)})(?!{word_re}))")
        scanned_words += agreeing
    scanner = compile_pattern("|".join(scanner_parts))
    # Where the scanner's word alternatives may match; digits are found apart.
    # Every word alternative ends at a word boundary (`(?!{word_re})`, or a space after a negator).
    scanner_starts = phrase_starts(scanned_words, proclitic_forms + conjunctions, word_re, shared=shared_phrases(pack),
                                   whole_words=isinstance(scanner, re.Pattern))

    quals_before, quals_after, gap_quals = {}, {}, {}
    for i, entry in enumerate(data.get("qualifiers") or []):
        qualifier = entry.get("qualifier")
        for form in _forms(pack, entry.get("before")):
            quals_before.setdefault(form, qualifier)
        for form in _forms(pack, entry.get("after")):
            quals_after.setdefault(form, qualifier)
            if entry.get("after_gap"):
                gap_quals[form] = int(entry["after_gap"])
    qualifiers_after = compile_pattern(f" ?(?P<term>{trie_regex(quals_after)})(?!{word_re})")
    qualifiers_after_gap = None
    if gap_quals:
        gap = max(gap_quals.values())
        qualifiers_after_gap = compile_pattern(
            f"(?: [^\\s\\d.,;!?\"]+){{1,{gap}}}? (?P<term>{trie_regex(gap_quals)})(?!{word_re})")

    macros = _macro_table(pack)
    ranges = []
    for i, entry in enumerate(data.get("ranges") or []):
        template = pack.canonical(str(entry.get("template", "")))
        parts = template.split("{n}") if "{n}" in template else template.split("{N}")
        if len(parts) != 3:
            raise DataFileError(path, f"ranges[{i}].template", "needs exactly two {N}")
        opener, middle, closer = parts
        opener_re = _end_anchored(regex.escape(opener.strip()), word_re, proclitics) if opener.strip() else None
        middle_re = compile_pattern(f" ?{regex.escape(middle.strip())} ?" if middle.strip() else " ?")
        ranges.append((entry.get("id", f"range{i}"), opener_re, middle_re))

    kinds, kind_max, before_alternations, after_sources = [], [], [], []
    for i, entry in enumerate(data.get("kinds") or []):
        kind = entry.get("kind")
        before = None
        if entry.get("before"):
            before_alternations.append(_expand(pack, entry.get("before"), macros))
            before = _end_anchored(before_alternations[-1], word_re, proclitics)
        after = None
        if entry.get("after"):
            after_sources.append((i, f" ?(?:{proclitics})??(?:{_expand(pack, entry.get('after'), macros)})(?:{enclitics})?(?!{word_re})"))
            after = compile_pattern(after_sources[-1][1])
        pattern = None
        if entry.get("pattern"):
            source = str(entry["pattern"])
            if not source.startswith(("{N}", "(?P<n>", "(?<")):
                raise DataFileError(path, f"kinds[{i}].pattern", "must start at the number: {N}, (?P<n>...) or a lookbehind")
            pattern = regex.compile(source.replace("{N}", r"(?P<n>\d[\d,.]*+)"), regex.V1)
        unless = None
        if entry.get("unless_after"):
            unless = compile_pattern(f" ?(?:{_expand(pack, entry['unless_after'], macros)})(?!{word_re})")
        kinds.append((kind, before, after, pattern, unless))
        kind_max.append(None if entry.get("max") is None else int(entry["max"]))
    any_kind_before = _end_anchored("|".join(before_alternations) or "(?!)", word_re, proclitics)
    # One alternation of every kind's pattern, in kind order: the first that matches names its kind.
    sources = [(i, p.pattern) for i, (_, _, _, p, _) in enumerate(kinds) if p is not None]
    kind_patterns = regex.compile("|".join(f"(?P<k{i}>{src})" for i, src in sources) or "(?!)", regex.V1)

    return NumberGrammar(
        words=MappingProxyType(words), word_lexicon=word_lexicon, scanner=scanner, scanner_starts=scanner_starts,
        next_word=next_word,
        joined_digits=joined_digits,
        weekday=compile_pattern(f"(?:{proclitics})??(?:{trie_regex(_macro_table(pack)['WEEKDAY'])})"),
        glued_ok=compile_pattern(f"(?:{proclitics})\\Z"),
        last_word=regex.compile(f"(?:{join_prefix})?(?P<term>{trie_regex(words)})\\Z", regex.V1),
        digits=digits, digit_multiplier=digit_multiplier,
        vague=MappingProxyType(vague), zero=MappingProxyType(zero),
        duals=MappingProxyType(duals), singulars=MappingProxyType(singulars),
        one_words=frozenset(_forms(pack, data.get("one_after_noun"))),
        singular_word=regex.compile(f"(?:{proclitics})??(?P<noun>{trie_regex(singulars)})(?:{enclitics})?", regex.V1),
        one_before=frozenset(one_before),
        counted_singular_after=compile_pattern(
            f" (?:{proclitics})??(?P<noun>{trie_regex(singulars)})(?:{enclitics})?(?!{word_re})"),
        counted_noun_after=compile_pattern(
            f" (?:{proclitics})??(?P<noun>{trie_regex(counted)})(?:{enclitics})?(?!{word_re})"),
        negated_more=compile_pattern(
            f" (?:{trie_regex(_forms(pack, (data.get('negated_any') or {}).get('coordinated') if isinstance(data.get('negated_any'), dict) else []))}) ?"
            f"(?:{proclitics})??(?:{trie_regex(counted)})(?:{enclitics})?(?!{word_re})"),
        negators=_end_anchored(trie_regex(_forms(pack, data.get("negators"))), word_re, "(?!)")
        if data.get("negators") else regex.compile("(?!)"),
        negation_window=int(data.get("negation_window", 3)),
        exceptives=frozenset(_forms(pack, (data.get("negators") or {}).get("except") if isinstance(data.get("negators"), dict) else [])),
        qualifiers_before=_end_anchored(trie_regex(quals_before), word_re, proclitics),
        qualifiers_before_kind=MappingProxyType(quals_before),
        qualifiers_after=qualifiers_after, qualifiers_after_gap=qualifiers_after_gap,
        qualifiers_after_kind=MappingProxyType(quals_after),
        ranges=tuple(ranges), kinds=tuple(kinds), kind_max=tuple(kind_max), any_kind_before=any_kind_before, kind_patterns=kind_patterns,
        unless=tuple(u for _, _, _, _, u in kinds if u is not None),
        before_reach=min(MAX_SCAN_GAP, 2 + 2 * max((len(f) for f in _forms(pack, pack.section("morphology", "proclitics", []))), default=0)
                         + max((_phrase_length(pack, p, macros) for p in list(quals_before)
                                + [p for e in data.get("kinds") or [] for p in e.get("before") or []]), default=0)),
        kind_afters=compile_pattern("|".join(f"(?P<a{i}>{src})" for i, src in after_sources) or "(?!)"),
        after_kinds=tuple(i for i, _ in after_sources),
        year_range=(1900, 2100),
        before_last=frozenset(_edge_chars(pack, list(quals_before) + [p for e in data.get("kinds") or [] for p in e.get("before") or []], macros, -1)
                              | {f[-1] for f in _forms(pack, pack.section("morphology", "proclitics", [])) if f}),
        after_first=frozenset(_edge_chars(pack, [p for e in data.get("kinds") or [] for p in (e.get("after") or []) + (e.get("unless_after") or [])], macros, 0)
                              | {f[0] for f in _forms(pack, pack.section("morphology", "proclitics", [])) if f}),
        counted_after=compile_pattern(f" ?(?:{proclitics})??(?:{trie_regex(counted)})(?!{word_re})"),
    )


def grammar(pack: LanguagePack) -> NumberGrammar:
    return pack.compiled("numbers", compile_grammar)


@dataclass(slots=True)
class _Core:
    start: int
    end: int
    low: int | None
    high: int | None
    qualifier: str
    rule: str
    noun: str | None = None
    digits_only: bool = False
    negated: bool = False
    fraction: bool = False
    multiplier: int = 1


def _digit_value(text: str, decimal_first: bool) -> float:
    if "," in text and "." not in text:
        return float(text.replace(",", ""))
    if "." in text:
        head, _, tail = text.rpartition(".")
        if len(tail) == 3 and not decimal_first:
            return float(text.replace(".", "").replace(",", ""))
        return float(text.replace(",", ""))
    return float(text)


def _parse_words(g: NumberGrammar, text: str, first_term: str, first_end: int, endpos: int):
    """Read a number-word sequence starting with `first_term`. Returns (end, value) or None.

    Words are taken one at a time and the reading stops at the first word that does not fit,
    so a long run of number words costs linear time.
    """
    first = g.words[first_term]
    total, group, used = 0, 0, set()
    best = None
    term, end, joined, index = first_term, first_end, False, 0
    pending, last_multiplier = 0.0, 0
    while True:
        info = g.words[term]
        if info.cls == "fraction":
            if index == 0:
                pending = info.ratio  # "half a million": waits for its multiplier
            elif last_multiplier and not group and joined:
                best = (end, total + int(last_multiplier * info.ratio))  # "a million and a half"
                break
            else:
                break
        elif pending:
            if info.cls != "multiplier":
                break
            total, pending, used = int(pending * info.value), 0.0, set()
            last_multiplier = info.value
        elif info.cls == "multiplier":
            last_multiplier = info.value // 2 if info.dual else info.value
            if info.dual and group and not total:
                # After a count the dual spelling is the singular's accusative ("twenty thousand").
                total, group, used = group * (info.value // 2), 0, set()
            elif info.dual:
                if group or total:
                    break
                total, group, used = info.value, 0, set()
            elif info.plural:
                if not 3 <= group <= 10:
                    break
                total, group, used = total + group * info.value, 0, set()
            else:
                if total and not group:
                    break
                total, group, used = total + (group or 1) * info.value, 0, set()
        elif info.cls == "hundred":
            if group and group < 10 and "hundred" not in used and "ten" not in used:
                group *= 100
            elif group and group < 100 and "hundred" not in used and not joined:
                group *= 100  # "fifteen hundred": a teen or tens-and-unit times a hundred
            elif "hundred" in used:
                break
            else:
                group += info.value
            used = {"hundred"}
        else:
            slot = {"hundreds": "hundred", "teen": "ten"}.get(info.cls, info.cls)
            if slot in used or (slot == "hundred" and used):
                break
            if info.cls in ("teen",) and "unit" in used:
                break
            # a unit and ten never add up (that is a teen word): "between eight and ten" is two
            # amounts, not eighteen; tens add to units only from twenty on
            if (info.cls == "ten" and info.value < 20 and "unit" in used) or \
                    (info.cls == "unit" and "ten" in used and group % 100 == 10):
                break
            group += info.value
            used.add(slot)
            if info.cls == "teen":
                used.add("unit")
        if index or first.standalone:
            best = (end, total + group)
        m = g.next_word.match(text, end, endpos)
        if not m:
            break
        term = m.group("term")
        if index == 0 and first.leads and g.words[term].cls not in first.leads:
            return None
        if index == 0 and first.cls == "fraction" and g.words[term].cls != "multiplier":
            return None
        joined = bool(m.group("join")) or len(m.group("sep").strip(" -")) > 0
        end, index = m.end(), index + 1
    return best


DIGIT_RUN = re.compile(r"\d+")


def _scanner_tries(g: NumberGrammar, text: str) -> list[int]:
    """Where the scanner can match: digits, and where its words (after a proclitic) begin."""
    tries = g.scanner_starts.positions(text) if g.scanner_starts is not None else []
    digits = [m.start() for m in DIGIT_RUN.finditer(text)]
    return sorted(set(tries).union(digits)) if digits else tries


def _find_cores(g: NumberGrammar, text: str) -> list[_Core]:
    cores: list[_Core] = []
    pos, n = 0, len(text)
    tries, next_try = _scanner_tries(g, text), 0
    match = g.scanner.match
    while True:
        # The scanner's leftmost match from pos, tried where it can begin (a search would
        # try every character); a pos inside a run of digits can begin one too.
        m = match(text, pos) if pos < n and text[pos].isdigit() else None
        next_try = bisect_left(tries, pos, next_try)
        while m is None and next_try < len(tries):
            m = match(text, tries[next_try])
            next_try += 1
        if not m:
            break
        if m.group("digits") is not None:
            dm = g.digits.match(text, m.start())
            start, end = dm.span()
            if start > 0 and text[start - 1].isdigit() or end - start > MAX_DIGITS:
                pos = end  # a serial number, an id or a hash: no count has that many digits
                continue
            if _glued_to_letters(g, text, start):
                pos = end  # a code such as "MH17" or "F-16"; a proclitic glued to digits is fine
                continue
            value = _digit_value(dm.group(), decimal_first=False)
            core = _Core(start, end, None, None, "exact", "digits", digits_only=True)
            mm = g.digit_multiplier.match(text, end)
            if mm:
                info = g.words[mm.group("term") or mm.group("glued")]
                core.multiplier = info.value // 2 if info.dual else info.value  # a dual spelling after digits is the singular
                value *= core.multiplier
                core.end, core.digits_only, core.rule = mm.end(), False, "digits_multiplier"
                value += _joined_remainder(g, text, core)
            elif value != int(value):
                core.fraction = True  # kept to be classified ("12.5%"), never a count
            core.low = core.high = int(round(value))
            cores.append(core)
            pos = core.end
            continue
        found = m.groupdict()
        if found.get("dual") is not None:
            cores.append(_Core(m.start("dual"), m.end(), 2, 2, "exact", "dual_noun", noun=m.group("dual")))
            pos = m.end()
            continue
        if found.get("agreed") is not None:
            cores.append(_Core(m.start("agreed"), m.end("agreed"), 2, 2, "exact", "dual_agreement", noun=m.group("agreed")))
            pos = m.end("agreed")
            continue
        if found.get("negany") is not None:
            nm = g.counted_noun_after.match(text, m.end("negany"))
            end = nm.end()
            more = g.negated_more.match(text, end)
            while more:  # "no dead or wounded": the negation covers the coordinated nouns
                end = more.end()
                more = g.negated_more.match(text, end)
            cores.append(_Core(m.start("negany"), end, 0, 0, "exact", "negated_noun", noun=nm.group("noun"),
                               negated=True))
            pos = end
            continue
        term = m.group("word")
        start, term_end = m.start("word"), m.end()
        if g.weekday.fullmatch(text, m.start(), term_end):
            pos = term_end  # a weekday spelt like a number word ("the two" / Monday)
            continue
        parsed = _parse_words(g, text, term, term_end, n) if term in g.words else None
        vague_hit = g.vague.get(term)
        singular_after = g.counted_singular_after.match(text, term_end) if (
            term in g.one_before or vague_hit is not None) else None
        if term in g.zero:
            cores.append(_Core(start, term_end, 0, 0, "exact", "zero_phrase"))
        elif term in g.one_before and singular_after and not (parsed and parsed[0] > term_end):
            core = _Core(start, singular_after.end(), 1, 1, "exact", "one_before_noun", noun=singular_after.group("noun"))
            _apply_negation(g, text, core)
            cores.append(core)
            pos = core.end
            continue
        elif parsed and (vague_hit is None or parsed[0] > term_end):
            core = _Core(start, parsed[0], parsed[1], parsed[1], "exact", "number_words")
            last = g.last_word.search(text, start, parsed[0])
            if last and g.words[last.group("term")].cls == "multiplier":
                info = g.words[last.group("term")]
                core.multiplier = info.value // 2 if info.dual else info.value
            core.low = core.high = parsed[1] + _joined_remainder(g, text, core)
            cores.append(core)
            pos = parsed[0]
            continue
        elif vague_hit is not None and singular_after and term in g.words and g.words[term].plural:
            # A plural multiplier before a singular counted noun is a misspelt singular:
            # "thousands fighter" reads as "a thousand fighters".
            value = g.words[term].value
            cores.append(_Core(start, term_end, value, value, "exact", "plural_as_singular"))
        elif vague_hit is not None:
            cores.append(_Core(start, term_end, vague_hit[0], vague_hit[1], "vague", "vague"))
        elif term in g.one_words:
            core = _one_after_noun(g, text, start, term_end)
            if core:
                cores.append(core)
        pos = term_end
    return cores


def _glued_to_letters(g: NumberGrammar, text: str, start: int) -> bool:
    """Digits right after letters (or letters and a hyphen) that are not a proclitic."""
    letters_end = start - 1 if start > 1 and text[start - 1] == "-" else start
    if letters_end == 0 or not text[letters_end - 1].isalpha():
        return False
    word_start = letters_end
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    return letters_end != start or not g.glued_ok.fullmatch(text, word_start, letters_end)


def _joined_remainder(g: NumberGrammar, text: str, core: _Core) -> int:
    """Digits joined to an amount that ends in a multiplier: "34 thousand and 356" adds 356."""
    if core.multiplier <= 1:
        return 0
    m = g.joined_digits.match(text, core.end)
    if not m or int(m.group("d")) >= core.multiplier:
        return 0
    value, end = int(m.group("d")), m.end()
    mm = g.digit_multiplier.match(text, end)
    if mm:
        info = g.words[mm.group("term") or mm.group("glued")]
        smaller = info.value // 2 if info.dual else info.value
        if smaller >= core.multiplier or value * smaller >= core.multiplier:
            return 0  # "between 9 thousand and 11 thousand" is a range, not 9011
        value, end = value * smaller, mm.end()  # "a million and 200 thousand"
    core.end = end
    return value


def _one_after_noun(g: NumberGrammar, text: str, start: int, end: int) -> _Core | None:
    """'noun + one' is 1; a negator shortly before makes it 0 ('not a single fighter left')."""
    before = text.rfind(" ", 0, max(start - 1, 0))
    if start < 2 or text[start - 1] != " ":
        return None
    m = g.singular_word.fullmatch(text, before + 1, start - 1)
    if not m:
        return None
    core = _Core(m.start("noun"), end, 1, 1, "exact", "one_after_noun", noun=m.group("noun"))
    _apply_negation(g, text, core)
    return core


def _apply_negation(g: NumberGrammar, text: str, core: _Core) -> None:
    window_start = core.start
    for _ in range(g.negation_window + 1):
        m = g.negators.search(text, max(0, window_start - MAX_SCAN_GAP), window_start)
        if m:
            core.start, core.low, core.high, core.negated, core.rule = m.start(), 0, 0, True, core.rule + ".negated"
            return
        previous = text.rfind(" ", 0, max(window_start - 1, 0))
        if previous < 0 or any(c in ".,;!?\n" for c in text[previous:window_start]):
            return
        if text[previous + 1:window_start].strip() in g.exceptives:
            return  # "none but one fighter": the exception keeps the count
        window_start = previous + 1 if previous >= 0 else 0


def _join_ranges(g: NumberGrammar, text: str, cores: list[_Core]) -> list[_Core]:
    out: list[_Core] = []
    i = 0
    while i < len(cores):
        core = cores[i]
        if i + 1 < len(cores) and core.qualifier != "vague" and cores[i + 1].qualifier != "vague":
            nxt = cores[i + 1]
            for rule_id, opener, middle in g.ranges:
                m = middle.fullmatch(text, core.end, nxt.start)
                if not m:
                    continue
                start = core.start
                if opener is not None:
                    om = opener.search(text, max(0, core.start - MAX_SCAN_GAP), core.start)
                    if not om:
                        continue
                    start = om.start()
                elif "-" in text[core.end:nxt.start] and (
                    (start >= 2 and text[start - 1] in "-/" and text[start - 2].isdigit())
                    or (nxt.end + 1 < len(text) and text[nxt.end] in "-/" and text[nxt.end + 1].isdigit())
                ):
                    continue
                low = core.low
                if low is not None and nxt.multiplier > 1 and core.multiplier == 1 and low * nxt.multiplier < (nxt.low or 0) * 10:
                    low *= nxt.multiplier  # "20 - 30 thousand": the multiplier is shared
                if low is None or nxt.low is None or not low < nxt.low:
                    continue
                if _is_year(g, text, core) and _is_year(g, text, nxt):
                    continue  # "2011-2018" is a span of years
                out.append(_Core(start, nxt.end, low, nxt.high, "range", f"range.{rule_id}"))
                i += 2
                break
            else:
                out.append(core)
                i += 1
            continue
        out.append(core)
        i += 1
    return out


def _is_year(g: NumberGrammar, text: str, core: _Core) -> bool:
    return (core.digits_only and core.end - core.start == 4
            and g.year_range[0] <= (core.low or 0) <= g.year_range[1])


def _apply_qualifier(core: _Core, qualifier: str) -> None:
    value_low, value_high = core.low, core.high
    if core.qualifier == "vague":
        if qualifier in ("at_least", "more_than"):
            core.low, core.high, core.qualifier = value_low, None, qualifier
        elif qualifier in ("less_than", "at_most"):
            core.low, core.high, core.qualifier = None, value_high, qualifier
        return
    if core.qualifier == "range" or value_low is None:
        return
    core.qualifier = qualifier
    if qualifier == "at_least":
        core.high = None
    elif qualifier == "more_than":
        core.low, core.high = value_low + 1, None
    elif qualifier == "less_than":
        core.low, core.high = None, value_low - 1
    elif qualifier == "at_most":
        core.low, core.high = None, value_low


def _classify(g: NumberGrammar, text: str, core: _Core, number_start: int, number_end: int) -> tuple[str, int]:
    """The kind of an amount, and where its context ends (a unit word after it is not re-read).

    A kind's `pattern` is matched once, at the number's start (context before the number is
    written as a lookbehind), and may reach PATTERN_REACH characters past the number."""
    window = max(0, number_start - g.before_reach)
    some_before = (_touches(g.before_last, text, number_start, -1)
                   and g.any_kind_before.search(text, window, number_start) is not None)
    some_after = _touches(g.after_first, text, number_end, 0)
    pm = g.kind_patterns.match(text, number_start, min(len(text), number_end + PATTERN_REACH))
    pattern_kind = -1
    if pm and pm.start("n") == number_start:
        pattern_kind = next(i for i, (_, _, _, p, _) in enumerate(g.kinds) if p is not None and pm.start(f"k{i}") >= 0)
    if not some_before:
        # Fast path: one alternation of every kind's `after`, in kind order, then the pattern.
        am = g.kind_afters.match(text, number_end) if some_after else None
        after_kind = next(i for i in g.after_kinds if am.start(f"a{i}") >= 0) if am else -1
        vetoed = some_after and any(u.match(text, number_end) for u in g.unless)
        if _beyond(g, core, after_kind):
            after_kind = -1
        if _beyond(g, core, pattern_kind):
            pattern_kind = -1
        if not vetoed and (after_kind >= 0 or pattern_kind >= 0):
            if after_kind >= 0 and (pattern_kind < 0 or after_kind <= pattern_kind):
                return g.kinds[after_kind][0], am.end()
            return g.kinds[pattern_kind][0], max(number_end, pm.end())
        if not vetoed:
            return _year_or_count(g, text, core, number_start, number_end)
    for index, (kind, before, after, pattern, unless) in enumerate(g.kinds):
        if some_after and unless is not None and unless.match(text, number_end) or _beyond(g, core, index):
            continue
        if some_before and before is not None and before.search(text, window, number_start):
            return kind, number_end
        if some_after and after is not None:
            m = after.match(text, number_end)
            if m:
                return kind, m.end()
        if index == pattern_kind:
            return kind, max(number_end, pm.end())
    return _year_or_count(g, text, core, number_start, number_end)


def _beyond(g: NumberGrammar, core: _Core, kind_index: int) -> bool:
    """The amount is larger than the kind can be (dozens in the evening are no clock time), or unbounded."""
    if kind_index < 0 or g.kind_max[kind_index] is None:
        return False
    return core.high is None or core.high > g.kind_max[kind_index]


def _year_or_count(g: NumberGrammar, text: str, core: _Core, number_start: int, number_end: int) -> tuple[str, int]:
    if _is_year(g, text, core) and number_end - number_start == 4:
        if not g.counted_after.match(text, number_end):
            return "year", number_end
    return "count", number_end


def find_quantities(canonical_text: str, pack: LanguagePack) -> list[Quantity]:
    """All amounts in a canonical text, counts and other kinds, in text order (canonical offsets)."""
    g = grammar(pack)
    text = canonical_text
    cores = _join_ranges(g, text, _find_cores(g, text))
    quantities = []
    previous_end = 0
    context_end = 0
    known: dict[int, object] = {}

    def qualifier_before(start: int, floor: int):
        if not _touches(g.before_last, text, start, -1):
            return None
        if start not in known:
            known[start] = g.qualifiers_before.search(text, max(0, start - g.before_reach), start)
        m = known[start]
        if m is not None and m.start() < floor:
            m = g.qualifiers_before.search(text, max(floor, start - g.before_reach), start)
        return m

    for index, core in enumerate(cores):
        core_start, core_end = core.start, core.end
        if core_start < context_end:
            continue
        next_start = cores[index + 1].start if index + 1 < len(cores) else -1
        nq = None
        if next_start >= 0:
            nq = qualifier_before(next_start, 0)
            if nq and nq.start() <= core_start:
                continue  # a word inside the next amount's qualifier ("as many as 300")
        qualifier_start, qualifier_end = core_start, core_end
        qm = qualifier_before(core_start, previous_end)
        if qm:
            _apply_qualifier(core, g.qualifiers_before_kind[qm.group("term")])
            qualifier_start = qm.start()
        else:
            am = g.qualifiers_after.match(text, core_end)
            if am is None and g.qualifiers_after_gap is not None:
                am = g.qualifiers_after_gap.match(text, core_end)
            if am and not 0 <= next_start - am.end() <= 1 and not (nq and nq.start() < am.end() and nq.group("term") != am.group("term")):
                # A qualifier right before the next amount belongs to it ("20 killed, at least 5 ..."),
                # as does one that begins the next amount's qualifier ("74 killed and more than 150").
                _apply_qualifier(core, g.qualifiers_after_kind[am.group("term")])
                qualifier_end = am.end()
        kind, context_end = ("count", core_end) if core.noun or core.rule.startswith("zero") else _classify(g, text, core, core_start, core_end)
        if kind == "count" and core.fraction:
            continue
        quantities.append(Quantity(
            text=text[qualifier_start:qualifier_end], start=qualifier_start, end=qualifier_end,
            low=core.low, high=core.high, qualifier=core.qualifier, kind=kind, rule=f"{pack.code}.number.{core.rule}",
            noun=core.noun, negated=core.negated, core_start=core_start, core_end=core_end,
        ))
        previous_end = qualifier_end
    return quantities


def read_quantities(text: str, pack: LanguagePack) -> list[Quantity]:
    """Like find_quantities, on raw text: offsets and `text` refer to the original string."""
    norm = pack.normalise(text)
    out = []
    for q in find_quantities(norm.canonical, pack):
        start, end = norm.to_original(q.start, q.end)
        core_start, core_end = norm.to_original(q.core_start, q.core_end)
        out.append(Quantity(text[start:end], start, end, q.low, q.high, q.qualifier, q.kind, q.rule,
                            q.noun, q.negated, core_start, core_end))
    return out
