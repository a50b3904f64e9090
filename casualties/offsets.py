"""Map spans of normalised text back to the original text.

Note: how the map works. Normalisation is a chain of steps; a step that changes the length
of the text records its edits as (src_start, src_end, dst_start, dst_end) tuples, sorted,
where src is the step's input and dst its output. Steps that replace one character by one
character (digits, alef forms) record nothing: they cannot move an offset.

Example: deleting the diacritic in "تكبَّد" is recorded as the edit that replaces "بَّ" (the
letter with the marks it carries, src [2, 5)) by "ب" (dst [2, 3)). A canonical span [0, 4)
("تكبد") maps back to [0, 6): a span that starts or ends inside an edit takes the whole edit,
so the marks stay with their letter and `original[start:end]` is always the full written form.
"""
from __future__ import annotations

from bisect import bisect_right


class _Layer:
    __slots__ = ("src_starts", "src_ends", "dst_starts", "dst_ends")

    def __init__(self, edits):
        self.src_starts = [e[0] for e in edits]
        self.src_ends = [e[1] for e in edits]
        self.dst_starts = [e[2] for e in edits]
        self.dst_ends = [e[3] for e in edits]

    def start(self, pos: int) -> int:
        i = bisect_right(self.dst_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self.dst_ends[i]:
            return self.src_starts[i]
        return self.src_ends[i] + (pos - self.dst_ends[i])

    def end(self, pos: int) -> int:
        if pos <= 0:
            return self.start(pos)
        i = bisect_right(self.dst_starts, pos - 1) - 1
        if i < 0:
            return pos
        if pos - 1 < self.dst_ends[i]:
            return self.src_ends[i]
        return self.src_ends[i] + (pos - self.dst_ends[i])


class OffsetMap:
    """Chain of length-changing normalisation steps; maps canonical spans to original spans."""

    __slots__ = ("_layers",)

    def __init__(self):
        self._layers: list[_Layer] = []

    def add_step(self, edits) -> None:
        """Record one step's edits: sorted (src_start, src_end, dst_start, dst_end) tuples."""
        if edits:
            self._layers.append(_Layer(edits))

    @property
    def is_identity(self) -> bool:
        return not self._layers

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Half-open canonical span -> half-open original span."""
        if start >= end:
            for layer in reversed(self._layers):
                start = layer.start(start)
            return start, start
        for layer in reversed(self._layers):
            start, end = layer.start(start), layer.end(end)
        return start, end
