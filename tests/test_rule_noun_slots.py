"""Every word a figure rule writes literally in its `noun` slot is a counted noun of the pack.

A rule's `(?P<noun>...)` group is looked up in the pack's nouns to give the figure its population
and outcome; a word listed there that no population file names ("of those killed") made the whole
article fail (KeyError) on an unseen text. Only slots written as plain alternations of words are
checked; a slot built from the {NOUN} macro is the nouns themselves."""
import regex
import pytest

from casualties.figures import figure_grammar
from casualties.langpack import available_languages, load_pack

PLAIN = regex.compile(r"[\w' -]+(?:\|[\w' -]+)*")


def _noun_slots(source: str):
    for m in regex.finditer(r"\(\?P<noun>", source):
        depth, i = 1, m.end()
        while i < len(source) and depth:
            if source[i] == "\\":
                i += 2
                continue
            depth += {"(": 1, ")": -1}.get(source[i], 0)
            i += 1
        yield source[m.end():i - 1]


def _cases():
    out = []
    for code in available_languages():
        grammar = figure_grammar(load_pack(code))
        for rule in grammar.rules:
            for frame in (rule.before, rule.after):
                if frame is None:
                    continue
                for slot in _noun_slots(frame.pattern):
                    if PLAIN.fullmatch(slot):
                        out.append(pytest.param(code, rule.id, slot, id=f"{rule.id}:{slot[:40]}"))
    return out


CASES = _cases()


def test_some_plain_noun_slots_are_checked():
    assert CASES


@pytest.mark.parametrize(("code", "rule_id", "slot"), CASES)
def test_plain_noun_slot_words_are_counted_nouns(code, rule_id, slot):
    nouns = figure_grammar(load_pack(code)).nouns
    assert [word for word in slot.split("|") if word not in nouns] == []
