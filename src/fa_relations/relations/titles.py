"""Job-title look-up shared by the apposition rules, the subject finder and the entity repairs.

It lives apart from :mod:`.appositions` and :mod:`.subjects` so that both can
import it without importing each other.
"""

from __future__ import annotations

from .docview import Sent, Tok, match_words
from .lexicon import Lexicons, Title


def match_title(toks: list[Tok], i: int, lex: Lexicons, sent: Sent | None = None) -> tuple[Title, int] | None:
    """Longest title of ``lex.titles`` at ``i`` that does not run into an entity: ``(title, end)``, or None."""
    titles = lex.titles
    for pi in lex.title_index.at(toks, i):  # only the titles whose key starts with the token's
        t = titles[pi]
        j = match_words(toks, i, t.key)
        if j is None:
            continue
        if sent is not None and any(sent.cand_covering(x) is not None for x in range(i, j)):
            continue
        return t, j
    return None
