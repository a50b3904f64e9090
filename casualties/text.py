"""Stage 2: normalise an article's text into the canonical form the rules are written against.

The steps are data (each language pack's `normalization.yaml`, after the shared
`common/normalization.yaml`): `translate` steps replace one character by one character and
cannot move offsets; `marks` steps delete combining marks (harakat, tatweel), each run folded
into the letter before it; `pattern` steps are regular expressions replaced by a template.
The last two record their edits in the OffsetMap so every match maps back to the original text.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import regex

from .offsets import OffsetMap


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    table: dict | None = None          # translate: {codepoint: replacement char}
    pattern: regex.Pattern | None = None
    replace: str = ""
    marks: re.Pattern | None = None  # runs of the marks to delete
    # translate: runs of the mapped characters; only they are translated, most text has none
    mapped_runs: re.Pattern | None = field(default=None, init=False, compare=False, repr=False)
    # translate, when no replacement is itself mapped: (character, replacement) pairs, applied
    # one str.replace each, which is many times faster than translating the text
    pairs: tuple | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self):
        if self.table is not None:
            runs = re.compile("[" + "".join(re.escape(chr(c)) for c in self.table) + "]+")
            object.__setattr__(self, "mapped_runs", runs)
            pairs = tuple((chr(c), v) for c, v in self.table.items() if chr(c) != v)
            if not any(ord(v) in self.table for _, v in pairs):
                object.__setattr__(self, "pairs", pairs)


def translate(text: str, step: Step) -> str:
    """Apply a translate step: one character for one, so no offset moves."""
    if step.pairs is None:
        return step.mapped_runs.sub(lambda run: run.group().translate(step.table), text)
    for char, replacement in step.pairs:
        if char in text:
            text = text.replace(char, replacement)
    return text


@dataclass(frozen=True, slots=True)
class Normalised:
    original: str
    canonical: str
    offsets: OffsetMap

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.offsets.to_original(start, end)

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.offsets.to_original(start, end)
        return self.original[a:b]


def merge_translate_steps(steps: list[Step]) -> list[Step]:
    """Fuse runs of consecutive translate steps into one table (applied in the same order)."""
    merged: list[Step] = []
    for step in steps:
        if step.table is not None and merged and merged[-1].table is not None:
            previous = merged[-1]
            table = {k: (step.table.get(ord(v), v) if len(v) == 1 else v) for k, v in previous.table.items()}
            for k, v in step.table.items():
                table.setdefault(k, v)
            merged[-1] = Step(f"{previous.name}+{step.name}", table=table)
        else:
            merged.append(step)
    return merged


def apply_pattern(text: str, pattern: regex.Pattern, replace: str):
    """Replace every match; return the new text and the edits that moved offsets."""
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    last = 0
    out_len = 0
    expanded: dict[tuple, str] = {}  # the standard engine re-parses the template on every expand
    for match in pattern.finditer(text):
        a, b = match.span()
        if a == b:
            continue
        if not replace:
            new = ""
        elif "\\" not in replace:
            new = replace
        else:
            groups = match.groups()
            new = expanded.get(groups)
            if new is None:
                new = expanded[groups] = match.expand(replace)
        pieces.append(text[last:a])
        out_len += a - last
        if new != text[a:b]:
            edits.append((a, b, out_len, out_len + len(new)))
        pieces.append(new)
        out_len += len(new)
        last = b
    if not edits:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), edits


def delete_marks(text: str, marks: re.Pattern):
    """Delete every run of marks; a run after a letter (not a space) becomes one edit with
    that letter, so the letter maps back to itself with its marks.
    Scanning for the marks alone is several times faster than a pattern that also takes the
    letter before them."""
    pieces: list[str] = []
    edits: list[tuple[int, int, int, int]] = []
    last = out_len = 0
    for match in marks.finditer(text):
        a, b = match.span()
        letter = a > last and not text[a - 1].isspace()
        start = a - 1 if letter else a
        if not letter and text[b:b + 1].isspace():
            # marks between two spaces: one space goes with them (space runs were merged before)
            if a > last and text[a - 1] == " " and text[b] == "\n":
                start = a - 1
            else:
                b += 1
        pieces.append(text[last:start])
        out_len += start - last
        edits.append((start, b, out_len, out_len + letter))
        if letter:
            pieces.append(text[start])
            out_len += 1
        last = b
    if not edits:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), edits


def normalise(text: str, steps: list[Step]) -> Normalised:
    """Apply the steps in order; keep the map from canonical offsets to `text` offsets."""
    offsets = OffsetMap()
    current = text
    for step in steps:
        if step.table is not None:
            current = translate(current, step)
        elif step.marks is not None:
            current, edits = delete_marks(current, step.marks)
            offsets.add_step(edits)
        else:
            current, edits = apply_pattern(current, step.pattern, step.replace)
            offsets.add_step(edits)
    return Normalised(text, current, offsets)


def canonical(text: str, steps: list[Step]) -> str:
    """Canonical form of a short string (lexicon entries, patterns' literal words)."""
    return normalise(text, steps).canonical


# Where a sentence ends: end punctuation, with the quotes it closes ('."', "?'"), before a space
# or the text's end; or a line break. Not an end:
# - a period after a one-letter word: an abbreviation ("u.s.", "a.m.");
# - a period after a Latin-script word of two to four letters that a space and a digit follow:
#   an abbreviation before its number ("jan. 14", "no. 5", "art. 3"), which a sentence rarely
#   is (numbers at a sentence's start are spelled out). Arabic script abbreviates no such words.
# The first mark comes first and the checks look behind it, so the engine skips ahead to marks.
SENTENCE_END = regex.compile(
    r"[.!?;](?<![\s.][^\W\d_][.!?;])(?<!^[^\W\d_][.!?;])(?<!\b\p{Latin}{2,4}\.(?= \d))[.!?;]*[\"']*(?=\s|$)"
    r"|\n")


# The longest sentence the later stages see. News sentences stay well under it (the longest of
# 36,803 in the test texts has 1,291 characters); a text without end punctuation (a scraped
# table, a run-on dump) is cut at spaces into pieces this long, so that work done per sentence
# for each figure in it stays bounded and a long input costs time in proportion to its length.
MAX_SENTENCE_CHARS = 3000


def sentence_spans(canonical_text: str) -> list[tuple[int, int]]:
    """Half-open spans of sentences in canonical text: split at line breaks and at end
    punctuation followed by a space, and at the last space before MAX_SENTENCE_CHARS.
    Trailing spaces are excluded from each span.

    >>> len(sentence_spans("word " * 1500))
    3
    """
    return list(_sentence_spans(canonical_text))


@functools.lru_cache(maxsize=4)  # several stages split the same article in a row
def _sentence_spans(canonical_text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    start = 0
    for match in SENTENCE_END.finditer(canonical_text):
        end = match.end() if match.group() != "\n" else match.start()
        if canonical_text[start:end].strip():
            _add_span(spans, canonical_text, start, end)
        start = match.end()
    if canonical_text[start:].strip():
        _add_span(spans, canonical_text, start, len(canonical_text))
    return tuple(spans)


def _add_span(spans: list, text: str, start: int, end: int) -> None:
    start, end = _strip_span(text, start, end)
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut < 0:
            cut = start + MAX_SENTENCE_CHARS  # no space at all: no word is that long
        piece = _strip_span(text, start, cut)
        if piece[0] < piece[1]:
            spans.append(piece)
        start, end = _strip_span(text, cut, end)
    spans.append((start, end))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
