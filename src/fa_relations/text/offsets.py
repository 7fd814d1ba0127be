"""A string together with a map from each of its characters back to the original input."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` by ``replacement`` (``start == end`` inserts)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class AlignedText:
    """``text`` plus, for every character ``i`` of it, the original span ``starts[i]:ends[i]``.

    Characters that were inserted (a restored ZWNJ, a space after a comma) have
    an empty original span at the position where they were inserted.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def identity(cls, text: str) -> AlignedText:
        idx = tuple(range(len(text)))
        return cls(text, text, idx, tuple(range(1, len(text) + 1)))

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``text`` to the span of ``original`` it came from."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span ({start}, {end}) outside text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.text) else len(self.original)
            return pos, pos
        return self.starts[start], max(self.ends[start:end])

    def from_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``original`` to the smallest span of ``text`` covering what came from it."""
        if not 0 <= start <= end <= len(self.original):
            raise IndexError(f"span ({start}, {end}) outside original of length {len(self.original)}")
        lo = bisect_left(self.starts, start)
        hi = lo
        while hi < len(self.text) and self.ends[hi] <= end and self.starts[hi] < end:
            hi += 1
        # drop inserted characters (empty original span) at the edges
        while hi > lo and self.starts[hi - 1] == self.ends[hi - 1] and self.text[hi - 1] in " \u200c":
            hi -= 1
        return lo, hi

    def original_surface(self, start: int, end: int) -> tuple[int, int, str]:
        """``(orig_start, orig_end, original[orig_start:orig_end])`` for a span of ``text``."""
        s, e = self.to_original(start, end)
        return s, e, self.original[s:e]

    def apply(self, edits: Iterable[Edit]) -> AlignedText:
        """Apply non-overlapping edits (in any order) and carry the offset map along."""
        ordered = sorted(edits, key=lambda e: (e.start, e.end))
        if not ordered:
            return self
        pieces: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        cursor = 0
        n = len(self.text)
        for edit in ordered:
            if edit.start < cursor:
                raise ValueError(f"overlapping edits at {edit.start}")
            pieces.append(self.text[cursor:edit.start])
            starts.extend(self.starts[cursor:edit.start])
            ends.extend(self.ends[cursor:edit.start])
            if edit.replacement:
                if edit.start < edit.end:
                    s, e = self.starts[edit.start], max(self.ends[edit.start:edit.end])
                else:
                    s = e = self.starts[edit.start] if edit.start < n else len(self.original)
                pieces.append(edit.replacement)
                starts.extend([s] * len(edit.replacement))
                ends.extend([e] * len(edit.replacement))
            cursor = edit.end
        pieces.append(self.text[cursor:])
        starts.extend(self.starts[cursor:])
        ends.extend(self.ends[cursor:])
        return AlignedText(self.original, "".join(pieces), tuple(starts), tuple(ends))
