"""The trigger-pattern engine behind the lexicon files ``patterns/*.tsv``.

See ``data/lexicons/relations/patterns/README.md`` for the pattern syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .context import Context
from .docview import COMMA, HARD_BOUNDARY, Cand, Sent, match_verb, match_words
from .lexicon import Pattern, key
from .rules import Compiled
from .subjects import clause_start, find_subject

_AND = key("و")


@dataclass
class Binding:
    S: list[Cand] = field(default_factory=list)
    O: list[Cand] = field(default_factory=list)
    item: str | None = None
    triggers: list[tuple[int, int]] = field(default_factory=list)
    start: int = 0
    end: int = 0


class Matcher:
    def __init__(self, ctx: Context, sent: Sent, comp: Compiled) -> None:
        self.ctx = ctx
        self.sent = sent
        self.toks = sent.toks
        self.comp = comp
        self.pred = comp.pattern.predicate
        self.at: dict[int, list[Cand]] = {}
        for c in sent.cands:
            self.at.setdefault(c.start, []).append(c)

    def starts(self) -> Iterable[int]:
        """The token positions a match may start at: those holding a candidate when the pattern opens
        with a slot, those whose key may begin its first trigger word, else every position."""
        first = self.comp.elems[0]
        if first.kind == "SLOT" and not first.optional:
            return sorted(self.at)
        if first.kind == "W" and not first.optional:
            return [t.i for t in self.toks if self.comp.may_start(t.key)]
        return range(len(self.toks))

    def run(self) -> Iterator[Binding]:
        for start in self.starts():
            for b in self._m(0, start, Binding(start=start)):
                b.end = b.end or start
                yield b
                break  # first (shortest) match per start position

    def _after_honorifics(self, ti: int) -> int:
        """``ti``, or past the honorifics («آقای»، «آیت‌الله») that open a name there (once per sentence
        and position: every pattern asks)."""
        if ti in self.at:
            return ti
        memo = self.sent.past_honorifics
        if ti not in memo:
            end, moved = ti, True
            while moved and end not in self.at:
                moved = False
                for h in self.ctx.lex.honorifics:
                    nj = match_words(self.toks, end, h)
                    if nj is not None and nj > end:
                        end, moved = nj, True
                        break
            memo[ti] = end
        return memo[ti]

    def _ok(self, c: Cand, role: str) -> bool:
        return c.resolved and self.ctx.allowed(self.pred, role, c.label)

    def _m(self, ei: int, ti: int, b: Binding) -> Iterator[Binding]:
        elems = self.comp.elems
        if ei == len(elems):
            b.end = ti
            yield b
            return
        e = elems[ei]
        toks = self.toks
        if e.kind == "GAP":
            for g in range(0, e.gap + 1):
                if g > 0:
                    t = toks[ti + g - 1] if ti + g - 1 < len(toks) else None
                    if t is None or t.key in HARD_BOUNDARY or (t.key in COMMA and not e.commas) or t.key in ("«", "»"):
                        break
                yield from self._m(ei + 1, ti + g, b)
            return
        if e.optional:
            yield from self._m(ei + 1, ti, b)
        if ti >= len(toks):
            return
        if e.kind == "W":
            for kind, val in e.alts:
                nj = match_verb(toks, ti, val) if kind == "V" else match_noun(toks, ti, val)
                if nj is not None:
                    nb = Binding(list(b.S), list(b.O), b.item, b.triggers + [(ti, nj)], b.start)
                    yield from self._m(ei + 1, nj, nb)
            return
        if e.kind == "ITEM":
            items = self.ctx.lex.items
            for pi in self.ctx.lex.item_index.at(toks, ti):
                words, item = items[pi]
                nj = match_words(toks, ti, words)
                if nj is not None and self.sent.cand_covering(ti) is None:
                    nb = Binding(list(b.S), list(b.O), item, b.triggers + [(ti, nj)], b.start)
                    yield from self._m(ei + 1, nj, nb)
                    return
            return
        # SLOT («با آیت‌الله X»: honorifics before the entity belong to the slot)
        for c in self.at.get(self._after_honorifics(ti), []):
            if not self._ok(c, e.slot):
                if c.kind in ("title", "pron") and not c.resolved:
                    return
                continue
            group = [c]
            ends = [c.end] + ([c.app_end] if c.app_end else [])
            if e.plus:
                end = ends[-1]
                while end + 1 < len(toks) and (toks[end].key in COMMA or toks[end].key == _AND):
                    nxt = [x for x in self.at.get(end + 1, []) if self._ok(x, e.slot) and x.label == c.label]
                    if not nxt:
                        break
                    group.append(nxt[0])
                    end = nxt[0].app_end or nxt[0].end
                ends = [end] if len(group) > 1 else ends
            for end in ends:
                nb = Binding(list(b.S), list(b.O), b.item, list(b.triggers), b.start)
                getattr(nb, e.slot).extend(group)
                yield from self._m(ei + 1, end, nb)


#: plural / indefinite / possessive endings a trigger noun may carry («همکاری‌های»، «دیداری»، «سفرش»)
NOUN_SUFFIXES = ("ها", "های", "ی", "ای", "هایی", "اش", "ش", "شان", "هایش", "هایشان")


def match_noun(toks, ti: int, val: str) -> int | None:
    """A trigger word, also with a noun ending when it is at least three letters long."""
    nj = match_words(toks, ti, val)
    if nj is not None or len(val) < 3:
        return nj
    # the last token may carry the ending: «تنش‌های» → تنشهای
    acc = ""
    j = ti
    while j < len(toks) and len(acc) < len(val):
        acc += toks[j].key
        j += 1
        if not (val.startswith(acc) or acc.startswith(val)):
            return None
    if acc.startswith(val) and acc[len(val):] in NOUN_SUFFIXES:
        return j
    return None


#: a family's extra check of a match: ``(ctx, sent, pattern, subject, object, binding) -> keep``
PatternFilter = Callable[[Context, Sent, Pattern, Cand, Cand, Binding], bool]


def apply_family(ctx: Context, sent: Sent, family: str, filt: PatternFilter | None = None) -> None:
    """Run every compiled pattern of ``family`` over ``sent`` and emit the triples ``filt`` keeps."""
    for comp in ctx.rules.patterns.get(family, ()):
        if not comp.may_match(sent.joined_keys, sent.seen_triggers):
            continue
        pred = comp.pattern.predicate
        for b in Matcher(ctx, sent, comp).run():
            subjects = b.S
            first_o = min((o.start for o in b.O), default=b.end)
            if not comp.has_subject and any(
                c.resolved and c.kind == "ent" and c not in b.O and b.start <= c.start and c.end <= first_o
                and ctx.allowed(pred, "S", c.label) and c.label in ("PER", "ORG")
                for c in sent.cands
            ):
                # «سفر حداد عادل به نیویورک»: the agent sits inside the trigger phrase
                continue
            if not comp.has_subject:
                lo = clause_start(ctx, sent, b.start)
                if comp.pattern.family == "embassy":
                    acc = lambda c: c.label == "COUNTRY" or (ctx.loc_fallback and c.label == "LOC")  # noqa: E731
                else:
                    acc = lambda c, p=pred: ctx.allowed(p, "S", c.label)  # noqa: E731
                subj, blocked = find_subject(ctx, sent, lo, b.start, acc, exclude=tuple(b.O), with_status=True,
                                             org_needs_segment=True, nearest=True)
                if subj is None and not blocked and lo > 0:
                    # «X که ... در تماسی با Y ...»: the subject before a relative clause (not across «:»)
                    floor = max([i + 1 for i in range(lo) if sent.toks[i].key in (":", "«", "؛")] or [0])
                    if floor < lo:
                        subj = find_subject(ctx, sent, floor, b.start, acc, exclude=tuple(b.O), org_needs_segment=True,
                                            nearest=True)
                if subj is None:
                    subj = _speaker_in_quote(ctx, sent, b.start)
                if subj is None or not ctx.allowed(pred, "S", subj.label):
                    continue
                subjects = [subj]
            attrs = {"item": b.item} if b.item else {}
            for s in subjects:
                for o in b.O:
                    if filt is not None and not filt(ctx, sent, comp.pattern, s, o, b):
                        continue
                    ctx.emit(
                        sent, pred, s, o, confidence=comp.pattern.confidence,
                        method=f"{comp.pattern.family}:{comp.pattern.name}", evidence=b.triggers, attributes=attrs,
                    )


def _speaker_in_quote(ctx: Context, sent: Sent, start: int) -> Cand | None:
    """Inside a quote, a first-person subject («ما ... سفر کردیم») is the speaker."""
    for a, b, speaker in sent.quotes:
        if a <= start < b:
            lo = max(a, clause_start(ctx, sent, start, a))
            if any(t.key in ctx.lex.first_person for t in sent.toks[lo:start]):
                return speaker
    return None
