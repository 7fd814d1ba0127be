"""Offset-preserving Persian normalisation built from small composable transforms.

Each transform maps an :class:`AlignedText` to another, so the normalised
string always knows which characters of the original input it came from.
Transforms have a single-text ``__call__`` and a ``batch`` method (shekar style).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from .characters import ZWNJ, map_char, translation_table
from .offsets import AlignedText, Edit
from .zwnj import DETACHED_PREFIXES, DETACHED_SUFFIXES, ZwnjRestorer

#: The public name of a normalised string with its offset map.
NormalizedText = AlignedText

_CLOSING_PUNCT = ".,،؛;:!?؟»)]}"
_OPENING_PUNCT = "«([{"


class Transform:
    """One normalisation step."""

    def __call__(self, text: AlignedText) -> AlignedText:
        raise NotImplementedError

    def batch(self, texts: Iterable[AlignedText]) -> Iterator[AlignedText]:
        for t in texts:
            yield self(t)


@lru_cache(maxsize=4)
def _changing_chars(digits: str) -> re.Pattern[str]:
    """A regex matching every character that :func:`map_char` changes (BMP plus tag characters)."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(translation_table(digits)):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    ranges.append((0xE0000, 0xE007F))
    body = "".join(
        f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges
    )
    return re.compile(f"[{body}]")


class CharacterTransform(Transform):
    """Unify Arabic letter variants and digits; drop diacritics, tatweel, controls and bidi marks."""

    def __init__(self, digits: Literal["persian", "latin", "keep"] = "persian") -> None:
        self.digits = digits
        self._pattern = _changing_chars(digits)

    def __call__(self, text: AlignedText) -> AlignedText:
        edits = [
            Edit(m.start(), m.end(), "" if 0xE0000 <= ord(m.group()) <= 0xE007F else map_char(m.group(), self.digits))
            for m in self._pattern.finditer(text.text)
        ]
        return text.apply(edits)


class SpacingTransform(Transform):
    """Collapse runs of spaces, drop stray ZWNJs and fix spacing around punctuation."""

    _PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
        (re.compile(r" {2,}"), " "),
        (re.compile(r"\n{3,}"), "\n\n"),
        (re.compile(ZWNJ + "{2,}"), ZWNJ),
        # a ZWNJ next to anything that is not a letter joins nothing
        (re.compile(r"(?<![^\W\d_])" + ZWNJ + "|" + ZWNJ + r"(?![^\W\d_])"), ""),
        (re.compile(r" +(?=[" + re.escape(_CLOSING_PUNCT) + r"])"), ""),
        (re.compile(r"(?<=[«(\[{]) +"), ""),
    )
    _ADD_SPACE = re.compile(r"(?<=[،؛؟])(?=[^\W\d_])")

    def __call__(self, text: AlignedText) -> AlignedText:
        for pattern, repl in self._PATTERNS:
            edits = [Edit(m.start(), m.end(), repl) for m in pattern.finditer(text.text)]
            text = text.apply(edits)
        edits = [Edit(m.start(), m.start(), " ") for m in self._ADD_SPACE.finditer(text.text)]
        return text.apply(edits)


class ZwnjTransform(Transform):
    """Restore ZWNJ inside words («میروند» → «می‌روند») and between detached affixes («کتاب ها»)."""

    _WORD = re.compile(r"[آ-ی]+(?:\u200c[آ-ی]+)*")

    def __init__(self, restorer: ZwnjRestorer | None = None, join_detached: bool = True) -> None:
        self.restorer = restorer or ZwnjRestorer()
        self.join_detached = join_detached

    def __call__(self, text: AlignedText) -> AlignedText:
        s = text.text
        edits: list[Edit] = []
        words = list(self._WORD.finditer(s))
        for m in words:
            word = m.group()
            if ZWNJ in word:
                continue
            restored = self.restorer.restore(word)
            if restored != word:
                edits.extend(_insertions(m.start(), word, restored))
        text = text.apply(edits)
        if self.join_detached:
            text = self._join(text)
        return text

    def _join(self, text: AlignedText) -> AlignedText:
        s = text.text
        words = list(self._WORD.finditer(s))
        edits: list[Edit] = []
        used = -1
        for left, right in itertools.pairwise(words):
            if left.start() <= used or s[left.end():right.start()] != " ":
                continue
            lw, rw = left.group(), right.group()
            if lw not in DETACHED_PREFIXES and rw not in DETACHED_SUFFIXES:
                continue
            joined = self.restorer.join_detached(lw, rw)
            if joined:
                edits.append(Edit(left.end(), right.start(), ZWNJ if ZWNJ in joined else ""))
                used = right.start()
        return text.apply(edits)


def _insertions(offset: int, word: str, restored: str) -> list[Edit]:
    """Edits inserting the ZWNJs of ``restored`` into ``word`` (same letters otherwise)."""
    edits = []
    i = 0
    for ch in restored:
        if ch == ZWNJ:
            edits.append(Edit(offset + i, offset + i, ZWNJ))
        else:
            i += 1
    return edits


@dataclass
class NormalizerConfig:
    """What :class:`Normalizer` does; every step can be switched off."""

    characters: bool = True
    digits: Literal["persian", "latin", "keep"] = "persian"
    spacing: bool = True
    restore_zwnj: bool = True
    join_detached_affixes: bool = True


class Normalizer:
    """Persian normaliser that keeps a map back to the original offsets.

    >>> n = Normalizer()
    >>> out = n("رئيسجمهوري")
    >>> out.text
    'رئیس\u200cجمهوری'
    >>> out.to_original(0, len(out.text))
    (0, 10)
    """

    def __init__(self, config: NormalizerConfig | None = None, restorer: ZwnjRestorer | None = None) -> None:
        self.config = config or NormalizerConfig()
        self._restorer = restorer

    @cached_property
    def transforms(self) -> list[Transform]:
        cfg = self.config
        steps: list[Transform] = []
        if cfg.characters:
            steps.append(CharacterTransform(cfg.digits))
        if cfg.spacing:
            steps.append(SpacingTransform())
        if cfg.restore_zwnj:
            steps.append(ZwnjTransform(self._restorer, cfg.join_detached_affixes))
        return steps

    @property
    def zwnj_restorer(self) -> ZwnjRestorer | None:
        """The ZWNJ restorer this normaliser uses (None when ``restore_zwnj`` is off)."""
        for step in self.transforms:
            if isinstance(step, ZwnjTransform):
                return step.restorer
        return None

    def __call__(self, text: str) -> NormalizedText:
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        aligned = AlignedText.identity(text)
        for step in self.transforms:
            aligned = step(aligned)
        return aligned

    def batch(self, texts: Iterable[str]) -> Iterator[NormalizedText]:
        for t in texts:
            yield self(t)

    def normalize_words(self, words: Sequence[str]) -> list[str]:
        """Normalise pre-tokenised words one by one (for tagging gold tokens)."""
        return [self(w).text for w in words]


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    """The default :class:`Normalizer`, built once per process (its lexicons load on first use)."""
    return Normalizer()


def normalize(text: str) -> NormalizedText:
    """Normalise Persian ``text``; the result maps every character back to ``text``.

    >>> out = normalize("میروند")
    >>> out.text == "می\u200cروند"
    True
    """
    return default_normalizer()(text)


