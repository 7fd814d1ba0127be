"""Finding the subject (agent / speaker) of a clause from the left context of a trigger."""

from __future__ import annotations

from collections.abc import Callable

from .context import Context
from .docview import COMMA, HARD_BOUNDARY, Cand, Sent, match_words


def attribution_blocked(ctx: Context, sent: Sent, lo: int, hi: int) -> set[int]:
    """Token indices in [lo, hi) that belong to an attribution phrase («به گزارش X ،»)."""
    blocked: set[int] = set()
    toks = sent.toks
    for i in range(lo, hi):
        for phrase in ctx.lex.attribution:
            j = match_words(toks, i, phrase)
            if j is None:
                continue
            k = j
            while k < hi and k - j < 12 and toks[k].key not in COMMA and toks[k].key not in HARD_BOUNDARY:
                k += 1
            blocked.update(range(i, k))
    return blocked


def clause_start(ctx: Context, sent: Sent, before: int, floor: int = 0) -> int:
    toks = sent.toks
    for i in range(before - 1, floor - 1, -1):
        if toks[i].key in ctx.lex.clause_boundaries:
            return i + 1
    return floor


def find_subject(
    ctx: Context,
    sent: Sent,
    lo: int,
    hi: int,
    accept: Callable[[Cand], bool],
    *,
    exclude: tuple[Cand, ...] = (),
    prefer_person: bool = True,
) -> Cand | None:
    """The clause subject in tokens [lo, hi).

    The first person (named, or a resolved title/pronoun) that is not introduced
    by a preposition or an attribution phrase; else the first accepted entity.
    An unresolved title or pronoun met first means the subject is unnamed: None.
    """
    toks = sent.toks
    blocked = attribution_blocked(ctx, sent, lo, hi)
    fallback: Cand | None = None
    excluded_ids = {id(c) for c in exclude}
    for c in sent.cands:
        if c.start < lo or c.end > hi or id(c) in excluded_ids:
            continue
        if c.start in blocked:
            continue
        prev = toks[c.start - 1].key if c.start > 0 else ""
        if prev in ctx.lex.non_subject:
            continue
        # an entity inside another's apposition («X، رئیس Y») is not the subject
        if any(o.app_end is not None and o.end <= c.start < o.app_end for o in sent.cands):
            continue
        if not c.resolved:
            if fallback is None and c.kind in ("title", "pron"):
                return None
            continue
        if c.label == "PER" and accept(c):
            return c
        if fallback is None and accept(c):
            if not prefer_person:
                return c
            fallback = c
    return fallback
