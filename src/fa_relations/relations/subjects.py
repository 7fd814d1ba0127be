"""Finding the subject (agent / speaker) of a clause from the left context of a trigger.

Heuristics, in order:

* tokens of a dateline («تهران - ایرنا -»، «واشنگتن ـ ایرنا :») and of an
  attribution phrase («به گزارش X ،»، «به نقل از X») are never the subject;
* an entity right after a preposition (non_subject.txt) or a title word
  («نماینده ویژه بان کی مون» – the representative *of* him) is not the subject;
* a person that opens a segment (clause start, after a comma or an honorific)
  wins over one inside a phrase («اخطار احمد توکلی»); an organisation/state is
  the subject only when it opens a segment;
* an unresolved title or pronoun, or a demonstrative NP («این مسئول»), met
  before any named person means the subject is unnamed: no subject.
"""

from __future__ import annotations

from collections.abc import Callable

from .context import Context
from .docview import COMMA, HARD_BOUNDARY, Cand, Sent, match_words
from .lexicon import key
from .titles import match_title

_SEGMENT_OPENERS = frozenset({"،", ",", ":", "؛", ";", "-", "ـ", "–", "—", "(", ")", "«", "\"", key("و")})
_DASHES = frozenset({"-", "ـ", "–", "—"})
_RA = key("را")


def _hon_start(ctx: Context, sent: Sent, i: int) -> int:
    a = i
    for h in ctx.lex.honorifics:
        for back in range(1, 4):
            b = a - back
            if b >= 0 and match_words(sent.toks, b, h) == a:
                return _hon_start(ctx, sent, b)
    return a


def dateline_spans(sent: Sent) -> set[int]:
    """Tokens of «CITY - AGENCY -» datelines anywhere in the sentence (headline + dateline + lead)."""
    toks = sent.toks
    out: set[int] = set()
    for i, t in enumerate(toks):
        if t.key not in _DASHES or i == 0:
            continue
        for j in range(i + 2, min(i + 5, len(toks))):
            if toks[j].key in _DASHES or (toks[j].key == ":" and i < 4):
                out.update(range(i - 1, j + 1))
                break
            if toks[j].key in HARD_BOUNDARY or toks[j].key in COMMA:
                break
    return out


def dateline_end(sent: Sent) -> int:
    """End of a leading dateline «CITY - AGENCY -» / «CITY ـ AGENCY :» / «CITY ( AGENCY ) -» (0 when none)."""
    toks = sent.toks
    n = len(toks)
    if n > 3 and "(" in [t.key for t in toks[1:3]]:
        o = next(i for i in range(1, 3) if toks[i].key == "(")
        c = next((i for i in range(o + 1, min(o + 6, n)) if toks[i].key == ")"), None)
        if c is not None and c + 1 < n and (toks[c + 1].key in _DASHES or toks[c + 1].key == ":"):
            return c + 2
    for i in range(1, min(4, n)):
        if toks[i].key in _DASHES:
            for j in range(i + 2, min(i + 6, n)):
                if toks[j].key in _DASHES or toks[j].key == ":":
                    return j + 1
                if toks[j].key in HARD_BOUNDARY or toks[j].key in COMMA:
                    break
            return 0
    return 0


def attribution_blocked(ctx: Context, sent: Sent, lo: int, hi: int) -> set[int]:
    """Token indices in [lo, hi) that belong to an attribution phrase («به گزارش X ،») or a dateline."""
    blocked: set[int] = set(range(0, dateline_end(sent))) | dateline_spans(sent)
    toks = sent.toks
    for i in range(lo, hi):
        for pi in ctx.lex.attribution_index.at(toks, i):
            j = match_words(toks, i, ctx.lex.attribution[pi])
            if j is None:
                continue
            k = j
            while k < hi and k - j < 12 and toks[k].key not in COMMA and toks[k].key not in HARD_BOUNDARY:
                k += 1
            blocked.update(range(i, k))
    return blocked


def clause_start(ctx: Context, sent: Sent, before: int, floor: int = 0) -> int:
    """Start of the clause ending at ``before``; a complement clause «(با اشاره به) این که ...،» is skipped."""
    toks = sent.toks
    for i in range(before - 1, floor - 1, -1):
        if toks[i].key in ctx.lex.clause_boundaries:
            if toks[i].key == key("که") and i > 0 and toks[i - 1].key in ctx.lex.complement_openers:
                continue
            return i + 1
    return floor


def after_honorific(ctx: Context, sent: Sent, i: int, opening: bool = False) -> bool:
    """Whether honorifics («آقای»، «حجت الاسلام») directly precede token ``i``.

    With ``opening``: and they themselves open a segment (not «اندیشه آیت‌الله X»).
    """
    a = i
    moved = True
    while moved:
        moved = False
        for h in ctx.lex.honorifics:
            for back in range(1, 4):
                b = a - back
                if b >= 0 and match_words(sent.toks, b, h) == a:
                    a = b
                    moved = True
                    break
            if moved:
                break
    if a == i:
        return False
    if not opening:
        return True
    return a == 0 or sent.toks[a - 1].key in _SEGMENT_OPENERS


def _after_title(ctx: Context, sent: Sent, c: Cand) -> bool:
    """«نماینده ویژه بان کی مون»، «مشاور X»: a person right after a title word (no comma) is its complement."""
    toks = sent.toks
    for back in range(1, 4):
        a = c.start - back
        if a < 0 or toks[a].key in _SEGMENT_OPENERS or sent.cand_covering(a) is not None:
            return False
        mt = match_title(toks, a, ctx.lex, sent)
        if mt is not None and mt[1] <= c.start:
            return True
    return False


def find_subject(
    ctx: Context,
    sent: Sent,
    lo: int,
    hi: int,
    accept: Callable[[Cand], bool],
    *,
    exclude: tuple[Cand, ...] = (),
    with_status: bool | str = False,
    org_needs_segment: bool = False,
    nearest: bool = False,
):
    """The clause subject in tokens [lo, hi) (see the module doc).

    With ``with_status`` returns ``(cand, blocked)`` where ``blocked`` says an
    unnamed subject (unresolved title/pronoun, demonstrative) was found.
    """
    toks = sent.toks
    blocked_toks = attribution_blocked(ctx, sent, lo, hi)
    excluded_ids = {id(c) for c in exclude}
    first_tok = lo
    while first_tok < hi and (first_tok in blocked_toks or toks[first_tok].key in _SEGMENT_OPENERS):
        first_tok += 1
    result: Cand | None = None
    blocked = False
    weak_person: Cand | None = None
    is_strong = False
    strong_seen: list[Cand] = []
    if first_tok < hi and toks[first_tok].key in ctx.lex.demonstrative_determiners and sent.cand_covering(first_tok) is None:
        blocked = True
    else:
        for c in sent.cands:
            if c.start < lo or c.end > hi or id(c) in excluded_ids or c.start in blocked_toks:
                continue
            prev = toks[c.start - 1].key if c.start > 0 else ""
            if prev in ctx.lex.kin_nouns and c.start - 1 <= first_tok:
                blocked = True  # «خواهر X می‌گوید»: an unnamed relative speaks
                break
            hon = _hon_start(ctx, sent, c.start)
            if prev in ctx.lex.non_subject or (hon > 0 and toks[hon - 1].key in ctx.lex.non_subject):
                continue  # «به X»، «به شیخ X»: after a preposition
            if any(o.app_end is not None and o.end <= c.start < o.app_end for o in sent.cands):
                continue
            nxt = toks[c.end].key if c.end < len(toks) else ""
            if nxt == _RA:
                continue  # «X را ...»: a direct object
            strong = c.start <= first_tok or prev in _SEGMENT_OPENERS or (c.start - 1) in blocked_toks \
                or after_honorific(ctx, sent, c.start, opening=True) \
                or (c.start - 1 >= 0 and first_tok >= 0 and after_honorific(ctx, sent, c.start) and _hon_start(ctx, sent, c.start) <= first_tok)
            if not c.resolved:
                if c.kind in ("title", "pron") and strong:
                    if nearest:
                        strong_seen.append(c)
                        continue
                    blocked = weak_person is None
                    break
                continue
            if c.kind == "ent" and c.label == "PER" and _after_title(ctx, sent, c):
                continue
            if not accept(c):
                continue
            if nearest and strong and (c.label == "PER" or not org_needs_segment or strong):
                strong_seen.append(c)
                continue
            if c.label == "PER":
                if strong:
                    result = c
                    is_strong = True
                    break
                if weak_person is None:
                    weak_person = c
                continue
            if (strong or not org_needs_segment) and weak_person is None:
                result = c
                is_strong = strong
                break
        if nearest and strong_seen:
            last = strong_seen[-1]
            if last.resolved:
                result, is_strong = last, True
            else:
                blocked = True
        elif result is None and not blocked:
            result = weak_person
    if with_status == "full":
        return result, blocked, is_strong
    return (result, blocked) if with_status else result
