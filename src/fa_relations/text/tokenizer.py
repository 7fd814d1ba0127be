"""Word and sentence tokenisation over normalised Persian text.

Tokens are character spans of the normalised string. Words keep their ZWNJ
(«می‌روند» is one token), numbers keep their separators («۱۲٫۵», «۲۰۱۶/۰۵»),
punctuation is split off. Sentences end at «.», «!», «?», «؟», «…», a line break,
or a «...» quotation whose statement ends with one of those; never inside a
quotation, so a quoted statement stays whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"""
    (?P<url>(?:https?://|www\.)[^\s«»"]+)
  | (?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)
  | (?P<number>\d+(?:[.,٫٬/:]\d+)*%?)
  | (?P<word>[^\W_](?:[^\W_]|\u200c(?=[^\W_])|['’](?=[^\W\d_]))*)
  | (?P<ellipsis>\.{2,}|…)
  | (?P<other>[^\s\u200c])
    """,
    re.VERBOSE,
)

SENTENCE_FINAL = frozenset({".", "!", "?", "؟", "…", "...", "!!", "؟؟"})
_CLOSERS = frozenset({"»", ")", "]", "\"", "'", "”", "’"})


@dataclass(frozen=True)
class TokenSpan:
    """A token as a span of the normalised text."""

    start: int
    end: int


def tokenize_words(text: str) -> list[TokenSpan]:
    """Word tokens of ``text`` (a normalised string) as spans."""
    return [TokenSpan(m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def split_sentences(text: str, tokens: list[TokenSpan], max_quote_chars: int = 2000) -> list[tuple[int, int]]:
    """Group tokens into sentences; returns ``(first_token, last_token_exclusive)`` pairs."""
    if not tokens:
        return []
    bounds: list[tuple[int, int]] = []
    start = 0
    depth = 0
    quote_open_at = -1
    n = len(tokens)
    i = 0
    while i < n:
        tok = tokens[i]
        surface = text[tok.start:tok.end]
        closes_statement = False
        if surface == "«":
            depth += 1
            quote_open_at = tok.start
        elif surface == "»" and depth:
            depth -= 1
            prev = text[tokens[i - 1].start:tokens[i - 1].end] if i else ""
            closes_statement = depth == 0 and prev in SENTENCE_FINAL
        if depth and tok.start - quote_open_at > max_quote_chars:
            depth = 0  # an unclosed quote must not swallow the whole document
        end_here = closes_statement
        is_final = surface in SENTENCE_FINAL or (len(surface) > 1 and set(surface) <= set(".!?؟"))
        if is_final and depth == 0:
            end_here = True
        if i + 1 < n and depth == 0 and "\n" in text[tok.end:tokens[i + 1].start]:
            end_here = True
        if end_here:
            j = i + 1
            while j < n and text[tokens[j].start:tokens[j].end] in _CLOSERS and "\n" not in text[tok.end:tokens[j].start]:
                j += 1
            bounds.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n:
        bounds.append((start, n))
    return bounds
