"""Character-level canonicalisation of words for the built-in NER tagger.

Corpus tokens and the pipeline's tokens differ in surface details (Arabic
``ي``/``ك``, diacritics, tatweel, ZWNJ present / missing / written as a space,
Persian, Arabic-Indic or Latin digits). The tagger maps every word through
:func:`canonical_word` before looking it up, both at training and at tagging
time, so one model serves both.
"""

from __future__ import annotations

import re
import unicodedata

_CHAR_MAP = {
    "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
    "\u06c0": "\u0647",  # HEH WITH YEH ABOVE -> HEH
    "\u0629": "\u0647",  # TEH MARBUTA -> HEH
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0624": "\u0648",  # WAW WITH HAMZA -> WAW
    "\u064b": "", "\u064c": "", "\u064d": "", "\u064e": "", "\u064f": "",
    "\u0650": "", "\u0651": "", "\u0652": "", "\u0653": "", "\u0654": "",
    "\u0655": "", "\u0670": "",  # harakat, shadda, sukun, superscript alef
    "\u0640": "",  # tatweel
    "\u200c": "", "\u200d": "", "\u200e": "", "\u200f": "", "\ufeff": "",  # ZWNJ, ZWJ, marks
    " ": "", "\u00a0": "", "\u202f": "",  # spaces inside a token (PEYMA writes ZWNJ as space)
    "\u060c": ",",  # Arabic comma -> comma (so the same char id)
    "\u061f": "?",
    "\u061b": ";",
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"',
}
for _i in range(10):
    _CHAR_MAP[chr(0x06F0 + _i)] = "0"  # Persian digits
    _CHAR_MAP[chr(0x0660 + _i)] = "0"  # Arabic-Indic digits
    _CHAR_MAP[str(_i)] = "0"  # Latin digits (ARMAN already writes every digit as 0)
_TABLE = str.maketrans(_CHAR_MAP)
_MULTI_ZERO = re.compile(r"0+")


def canonical_chars(word: str) -> str:
    """Canonical form of a word for the character encoder (keeps length information)."""
    w = unicodedata.normalize("NFKC", word).translate(_TABLE).lower()
    return w if w else (word[:1] or "_")


def canonical_word(word: str) -> str:
    """Canonical form of a word for the vocabulary lookup (digit runs collapsed)."""
    return _MULTI_ZERO.sub("0", canonical_chars(word))
