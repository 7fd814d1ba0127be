"""Character classes and tables shared by the normaliser and the tokenizer."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

#: Arabic letter variants and friends -> the Persian letter news should use.
LETTER_MAP: dict[str, str] = {
    "ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
    "أ": "ا", "إ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ؤ": "و", "ۇ": "و", "ۆ": "و",
    "ڪ": "ک", "ګ": "ک", "ڭ": "ک", "ہ": "ه", "ۃ": "ه", "ێ": "ی", "ې": "ی", "ۍ": "ی",
    "ے": "ی", "ۓ": "ی", "“": "\"", "”": "\"", "„": "\"",
}

#: Characters removed outright: harakat and other Arabic marks, tatweel, ZWJ,
#: bidi controls, BOM, soft hyphen, variation selectors.
_DELETED_RANGES = (
    (0x064B, 0x065F), (0x0670, 0x0670), (0x0610, 0x061A), (0x06D6, 0x06ED),
    (0x0640, 0x0640), (0x200B, 0x200B), (0x200D, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0x00AD, 0x00AD),
    (0xFE00, 0xFE0F), (0x08D3, 0x08FF),
)
_SPACE_CHARS = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\x0b\x0c"

PERSIAN_LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئء"


def is_deleted(ch: str) -> bool:
    """Whether the normaliser drops ``ch`` (marks, tatweel, controls, lone surrogates, bidi)."""
    cp = ord(ch)
    if any(lo <= cp <= hi for lo, hi in _DELETED_RANGES):
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs"):
        return ch not in "\n\r\t\x0b\x0c"
    return cat == "Cf" and ch != ZWNJ


def _base_replacement(ch: str) -> str | None:
    """Replacement for ``ch`` ignoring digits; None when it stays as it is."""
    if ch in LETTER_MAP:
        return LETTER_MAP[ch]
    if ch in _SPACE_CHARS:
        return " "
    if ch == "\r":
        return "\n"
    if is_deleted(ch):
        return ""
    cp = ord(ch)
    if 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFC:
        # Arabic presentation forms and ligatures: compatibility decomposition.
        decomposed = unicodedata.normalize("NFKC", ch)
        if decomposed != ch:
            return "".join(LETTER_MAP.get(c, c) for c in decomposed if not is_deleted(c))
    return None


@lru_cache(maxsize=4)
def translation_table(digits: str = "persian") -> dict[int, str]:
    """``str.translate`` table of every BMP character the normaliser changes."""
    table: dict[int, str] = {}
    candidates = set(LETTER_MAP) | set(_SPACE_CHARS) | {"\r"}
    candidates.update(chr(cp) for lo, hi in _DELETED_RANGES for cp in range(lo, hi + 1))
    candidates.update(chr(cp) for cp in range(0xFB50, 0xFEFD))
    candidates.update(
        chr(cp) for cp in range(0x10000) if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs")
    )
    for ch in candidates:
        out = _base_replacement(ch)
        if out is not None and out != ch:
            table[ord(ch)] = out
    if digits != "keep":
        target = PERSIAN_DIGITS if digits == "persian" else LATIN_DIGITS
        for src in (LATIN_DIGITS, ARABIC_DIGITS, PERSIAN_DIGITS):
            for i, ch in enumerate(src):
                if ch != target[i]:
                    table[ord(ch)] = target[i]
    return table


def map_char(ch: str, digits: str = "persian") -> str:
    """The normalised replacement of one character (possibly empty or several characters)."""
    return translation_table(digits).get(ord(ch), ch)


def canonical_word(word: str) -> str:
    """A word with letters, digits and marks unified (no ZWNJ restoration)."""
    return word.translate(translation_table())


def is_persian_letter(ch: str) -> bool:
    return ch in PERSIAN_LETTERS
