"""``says``: a named speaker, a reporting verb and the statement as a QUOTE span.

* «X گفت: ...»، «X اظهار کرد که ...»، «X افزود، ...»، «X تاکید کرد: «...»»
* «X با بیان اینکه A، گفت: B» → two statements (A and B)
* «در بیانیه X آمده است که ...» → X says
* headline «X: ...» → X says
* «به گزارش X»، «به نقل از X»، «به گفته X» are attribution, never a speaker.

The QUOTE is the statement without «» marks and without the final punctuation.
"""

from __future__ import annotations

from ..schema import Argument
from .context import ACTOR_LABELS, Context
from .docview import (
    COMMA,
    HARD_BOUNDARY,
    OPEN_QUOTES,
    PUNCT_KEYS,
    Sent,
    match_verb,
    match_words,
    mention,
)
from .lexicon import key
from .registry import rule_family
from .rules import match_reporting
from .subjects import clause_start, find_subject

_KE = key("که")
_TRAILING = PUNCT_KEYS
_DELIMITERS = frozenset({":", "؛", ";"})
_MIN_DIRECT = 4
_BAR = key("بر")


def _trim(sent: Sent, a: int, b: int) -> tuple[int, int]:
    toks = sent.toks
    while a < b and (toks[a].key in OPEN_QUOTES or toks[a].key in COMMA or toks[a].key in (":",)):
        a += 1
    while b > a and toks[b - 1].key in _TRAILING:
        b -= 1
    return a, b


def _statement_after(sent: Sent, k: int) -> tuple[int, int] | None:
    """Statement starting at token ``k`` (just after the delimiter)."""
    toks = sent.toks
    n = len(toks)
    if k >= n:
        return None
    if toks[k].key in OPEN_QUOTES:
        depth = 0
        for m in range(k, n):
            if toks[m].key == "«":
                depth += 1
            elif toks[m].key == "»":
                depth -= 1
                if depth <= 0:
                    a, b = _trim(sent, k + 1, m)
                    return (a, b) if b > a else None
        a, b = _trim(sent, k + 1, n)
        return (a, b) if b > a else None
    a, b = _trim(sent, k, n)
    return (a, b) if b > a else None


def _quote_arg(ctx: Context, sent: Sent, a: int, b: int) -> Argument:
    m = mention(ctx.doc, sent.toks[a].start, sent.toks[b - 1].end)
    return Argument(text=m.text, start=m.start, end=m.end, label="QUOTE")


def _speaker_ok(ctx: Context):
    def accept(c):
        return c.label in ACTOR_LABELS

    return accept


@rule_family("says", predicates=("says",), order=10)
def apply(ctx: Context, sent: Sent) -> None:
    """Every ``says`` rule over one sentence (see the module doc)."""
    toks = sent.toks
    n = len(toks)
    region_floor = 0
    i = 0
    accept = _speaker_ok(ctx)
    taken: list[tuple[int, int]] = []
    while i < n:
        # «در بیانیه X آمده است که ...»
        if toks[i].key in ctx.lex.statement_verbs:
            done = _statement_in_document(ctx, sent, i, accept)
            if done is not None:
                region_floor = done
                i = done
                continue
        m = match_reporting(ctx.rules.reporting, toks, i, ctx.rules.reporting_index)
        if m is None:
            i += 1
            continue
        vend, conf, vname, direct = m
        # a reporting verb inside a statement already taken: its speaker must be inside that statement
        # («حیات نو نوشت: ... دکتر X ... گفت: ...»; not «X گفت: ... مطرح کند ، ...»)
        inner = [a for a, b in taken if a <= i < b]
        nested_floor = max(inner) if inner else None
        # «به گفته X» / «گفت وگو»
        if i > 0 and toks[i - 1].key in (key("به"), key("طبق")):
            i = vend
            continue
        if _part_of_talk_noun(toks, i, vend):
            i = vend
            continue
        k = vend
        while k < n and toks[k].key in ctx.lex.auxiliaries:
            k += 1
        if k >= n:
            i = vend
            continue
        d = toks[k].key
        method = "says_reporting_verb"
        if d in _DELIMITERS or d == _KE or d in COMMA:
            st = _statement_after(sent, k + 1)
        elif d in OPEN_QUOTES:
            st = _statement_after(sent, k)
        elif direct and d not in PUNCT_KEYS and d not in ctx.lex.not_a_statement and not _inside_quote(toks, i):
            # «X گفت این طرح ... است»: the statement follows the verb with no «:» or «که»
            st = _statement_after(sent, k)
            if st is not None and sum(t.key not in PUNCT_KEYS for t in toks[st[0]:st[1]]) < _MIN_DIRECT:
                st = None
            elif st is not None:
                conf *= 0.9
                method = "says_direct"
        else:
            st = None
        preposed = False
        speaker_limit = i
        if st is None and all(t.key in PUNCT_KEYS for t in toks[k:]):
            # «...» ، X گفت .  – the statement comes first
            st = _preposed_quote(sent, i)
            preposed = st is not None
            if st is None and key(vname.split()[0]) in ctx.lex.emphasis_verbs:
                # «X ... بر لزوم ... تاکید کرد»: the statement is the object of «بر»
                st = _emphasised(ctx, sent, i, region_floor if nested_floor is None else nested_floor)
                if st is not None:
                    speaker_limit = st[0] - 1
                    conf *= 0.9
                    method = "says_emphasised"
        if st is None:
            i = vend
            continue
        # speaker region, and a «با بیان اینکه A،» clause inside it
        lo, hi = (nested_floor, speaker_limit) if nested_floor is not None else (region_floor, speaker_limit)
        if preposed:
            lo = st[1]
        dual = None
        for p in range(lo, hi):
            for pi in ctx.lex.dual_index.at(toks, p):
                j = match_words(toks, p, ctx.lex.dual[pi])
                if j is not None:
                    e = hi
                    while e > j and toks[e - 1].key in PUNCT_KEYS:
                        e -= 1
                    dual = (p, j, e)
                    break
            if dual:
                break
        speaker_hi = dual[0] if dual else hi
        if _excluded(ctx, toks, i):
            i = vend
            continue
        # the clause of the verb first («... در حالی ... که نخست‌وزیر اسرائیل اعلام کرد»), then the whole region
        cl = clause_start(ctx, sent, speaker_hi, lo)
        subject_hi = speaker_hi
        if cl > lo and toks[cl - 1].key == _KE and _closed_relative(ctx, sent, speaker_hi):
            # «X در نشستی که با حضور ... برگزار شد ، گفت»: the subject precedes the relative clause
            subject_hi = cl - 1
            cl = clause_start(ctx, sent, subject_hi, lo)
        speaker, blocked, strong = find_subject(ctx, sent, cl, subject_hi, accept, with_status="full",
                                                org_needs_segment=True)
        if not blocked and not strong and cl > lo:
            whole, w_blocked, w_strong = find_subject(ctx, sent, lo, speaker_hi, accept, with_status="full",
                                                      org_needs_segment=True)
            if w_blocked:
                speaker = None
            elif whole is not None and (w_strong or speaker is None):
                speaker = whole
        speakers = _coordinated(ctx, sent, speaker, speaker_hi) if speaker is not None else []
        taken.append(st)
        for speaker in speakers:
            ev = [(i, vend)]
            if dual is not None:
                a, b = _trim(sent, dual[1], dual[2])
                if b > a:
                    ctx.emit(sent, "says", speaker, _quote_arg(ctx, sent, a, b), confidence=conf * 0.95,
                             method="says_with_clause", evidence=[(dual[0], dual[1])])
            if ctx.emit(sent, "says", speaker, _quote_arg(ctx, sent, *st), confidence=conf,
                        method=method, evidence=ev) is not None:
                sent.quotes.append((st[0], st[1], speaker))
        # the next speaker is looked for after this statement if it was quoted
        region_floor = st[1] if st[1] < n and any(t.key == "»" for t in toks[st[1]:st[1] + 2]) else region_floor
        i = max(vend, region_floor) if region_floor > i else vend
    _headline(ctx, sent, accept)


def _excluded(ctx: Context, toks, i: int) -> bool:
    """«پاسخ گفت»، «تبریک گفت»: a reporting verb inside a non-reporting phrase."""
    for pre in ctx.rules.reporting_exclude:
        for back in range(1, 3):
            if i - back >= 0 and match_words(toks, i - back, pre) == i:
                return True
    return False


_GOFT = key("گفت")
_VA = key("و")
_GU = (key("وگو"), key("گو"))


def _part_of_talk_noun(toks, i: int, vend: int) -> bool:
    """Whether the «گفت» at ``i`` is part of the noun «گفت‌وگو» (written «گفت وگو»، «گفت و گو» ...)."""
    n = len(toks)
    if vend < n and toks[vend].key.startswith(_GU):
        return True
    if vend + 1 < n and toks[vend].key == _VA and toks[vend + 1].key.startswith(_GU[1]):
        return True
    return i >= 2 and toks[i - 1].key == _VA and toks[i - 2].key == _GOFT  # the «گو» of «گفت و گوی»


def _inside_quote(toks, i: int) -> bool:
    """Whether token ``i`` lies inside an open «...» or "..." (a quoted speaker's own words)."""
    depth = plain = 0
    for t in toks[:i]:
        if t.key == "«":
            depth += 1
        elif t.key == "»":
            depth -= 1
        elif t.key in ('"', "“", "”"):
            plain += 1
    return depth > 0 or plain % 2 == 1


def _emphasised(ctx: Context, sent: Sent, verb: int, floor: int) -> tuple[int, int] | None:
    """«X ... بر لزوم برخورد با ... تاکید کرد» → the words between «بر» and the verb.

    The first «بر» of the verb's clause with a possible speaker before it, followed by a noun
    that makes the object a proposition (emphasised_propositions.txt: «لزوم»، «ضرورت»، ...);
    «بر برنامه‌های آموزشی تاکید کرد» names a topic, not a statement.
    """
    toks = sent.toks
    start = clause_start(ctx, sent, verb, floor)
    for b in range(start, verb - 1):
        if toks[b].key != _BAR or toks[b + 1].key not in ctx.lex.propositions:
            continue
        if not any(c.start >= start and c.end <= b and c.label in ACTOR_LABELS for c in sent.cands):
            continue
        a, e = _trim(sent, b + 1, verb)
        return (a, e) if e - a >= 2 else None
    return None


def _preposed_quote(sent: Sent, verb: int) -> tuple[int, int] | None:
    toks = sent.toks
    closes = [m for m in range(verb) if toks[m].key == "»"]
    if not closes or toks[0].key != "«":
        return None
    a, b = _trim(sent, 1, closes[-1])
    return (a, b) if b > a and verb - closes[-1] <= 12 else None


_AND = key("و")
def _closed_relative(ctx: Context, sent: Sent, hi: int) -> bool:
    """Whether the tokens before ``hi`` end a relative clause: a finite light verb and a comma («... برگزار شد ،»)."""
    toks = sent.toks
    if hi < 2 or toks[hi - 1].key not in COMMA:
        return False
    return any(match_verb(toks, j, f) == hi - 1 for j in (hi - 3, hi - 2) if j >= 0 for f in ctx.rules.light_verbs)


def _coordinated(ctx: Context, sent: Sent, speaker, hi: int) -> list:
    """«X و Y گفتند» → both; «X ... و Y (title) ... گفت» → the later clause subject Y (or nobody if unnamed)."""
    toks = sent.toks
    out = [speaker]
    end = speaker.app_end or speaker.end
    for c in sent.cands:
        if c.start < end or c.end > hi:
            continue
        if c.start == 0 or toks[c.start - 1].key != _AND:
            continue
        if c.end < len(toks) and toks[c.end].key == key("را"):
            continue
        if not (c.label in ("PER", "TITLE", "PRON") or (c.kind in ("title", "pron"))):
            continue
        if c.start == end + 1 and c.is_person:
            out.append(c)
            end = c.app_end or c.end
            continue
        # a new coordinated clause with its own subject («X ... ابلاغ کرد و رئیس‌جمهوری ترکیه ... گفت»)
        if any(match_verb(toks, k, f) is not None for k in range(end, c.start) for f in ctx.rules.light_verbs):
            return [c] if c.is_person else []
    return out


def _statement_in_document(ctx: Context, sent: Sent, i: int, accept) -> int | None:
    toks = sent.toks
    n = len(toks)
    k = i + 1
    while k < n and toks[k].key in ctx.lex.auxiliaries:
        k += 1
    if k >= n or not (toks[k].key in (":", _KE) or toks[k].key in COMMA):
        return None
    for back in range(i - 1, max(-1, i - 30), -1):
        if toks[back].key in ctx.lex.statement_nouns:
            c = next((c for c in sent.cands if c.start == back + 1), None)
            if c is None or not c.resolved or not accept(c):
                return None
            st = _statement_after(sent, k + 1)
            if st is None:
                return None
            ctx.emit(sent, "says", c, _quote_arg(ctx, sent, *st), confidence=0.75,
                     method="says_statement_document", evidence=[(back, back + 1), (i, i + 1)])
            return st[1]
    return None


def _headline_actor(ctx: Context, sent: Sent, c) -> bool:
    """An organisation heading a sentence «سازمان ملل : ...» speaks, unless it is a news outlet (a byline).

    Only an ORG opened by an organisation head (org_heads.txt): a bare name heading a line
    («اعتماد : ...») is usually a newspaper in a press review.
    """
    if c.kind != "ent" or c.label != "ORG" or c.span is None:
        return False
    if sent.toks[c.start].key not in ctx.lex.org_heads:
        return False
    k = key(c.span.text)
    return not any(k.startswith(a) for a in ctx.lex.news_outlets)


_WITH = key("با")


def _interview_headline(ctx: Context, sent: Sent, accept) -> bool:
    """«گفت‌وگو با X پیرامون ... : ...» – an interview headline: the interviewee says what follows «:»."""
    toks = sent.toks
    head = 0
    if len(toks) > 1 and toks[0].key == _GOFT and toks[1].key.startswith(_GU[0]):
        head = 2
    elif toks and toks[0].key in ctx.lex.interview_nouns:
        head = 1
    if not head or head >= len(toks) or toks[head].key != _WITH:
        return False
    c = next((x for x in sent.cands if x.start == head + 1), None)
    if c is None or not c.resolved or c.label != "PER" or not accept(c):
        return False
    for k in range(c.end, min(len(toks), c.end + 15)):
        if toks[k].key == ":":
            st = _statement_after(sent, k + 1)
            if st is None or st[1] - st[0] < 3:
                return False
            ctx.emit(sent, "says", c, _quote_arg(ctx, sent, *st), confidence=0.6,
                     method="says_interview_headline", evidence=[(0, head + 1), (k, k + 1)])
            return True
        if toks[k].key in HARD_BOUNDARY:
            return False
    return False


#: «ماهواره نظامی سپاه؛ شمخانی: ...»: a headline may open with a topic up to this mark
_TOPIC_MARKS = frozenset({"؛", "|"})
#: ... within this many words
_MAX_TOPIC = 8
#: «موسوی درباره مذاکره با آمریکا: ...»، «واکنش ظریف به ترامپ: ...»: what a headline answers, before «:»
_ABOUT = frozenset({key("درباره"), key("دربارهٔ"), key("درمورد"), key("به")})


def _headline_start(ctx: Context, toks) -> tuple[int, bool]:
    """Where a headline's speaker may stand: the start, or just after a short «topic؛» opening,
    and after a speech noun («واکنش X ...»); and whether such a noun opened it."""
    start = 0
    for i in range(min(len(toks), _MAX_TOPIC + 1)):
        if toks[i].key in _TOPIC_MARKS:
            start = i + 1
            break
        if toks[i].key in HARD_BOUNDARY:
            break
    if start < len(toks) and toks[start].key in ctx.lex.headline_nouns:
        return start + 1, True
    return start, False


def _about_topic(toks, end: int) -> int:
    """After the speaker, «درباره ...»/«به ...» up to «:» (at most :data:`_MAX_TOPIC` words): the «:»'s index, or ``end``."""
    if end >= len(toks) or toks[end].key not in _ABOUT:
        return end
    for k in range(end + 1, min(len(toks), end + 1 + _MAX_TOPIC)):
        if toks[k].key == ":":
            return k
        if toks[k].key in HARD_BOUNDARY or toks[k].key in COMMA:
            break
    return end


def _headline(ctx: Context, sent: Sent, accept) -> None:
    """«سازمان ملل : روسیه از آتش بس حمایت کرد» – a headline «X: ...».

    The speaker is a person, a country («اسرائیل: ...»; never a newspaper heading a
    press review) or an organisation opened by an organisation head; it may follow a
    short «topic؛» opening or a speech noun («واکنش X به Y: ...», headline_nouns.txt), and
    a person (or the speaker after a speech noun) may name the topic «درباره ...» before «:».
    """
    toks = sent.toks
    if not sent.cands:
        return
    if _interview_headline(ctx, sent, accept):
        return
    start, speech_noun = _headline_start(ctx, toks)
    c = next((x for x in sent.cands if x.start >= start), None)
    if c is None or c.start != start or not c.resolved:
        return
    end = c.end
    # «اسرار به نقل از نهاوندیان : ...» / «اطلاعات از قول موگرینی : ...»
    for phrase in (("به", "نقلاز"), ("از", "قول")):
        j = match_words(toks, end, "".join(key(w) for w in phrase))
        if j is not None:
            c = next((x for x in sent.cands if x.start == j), None)
            if c is None or not c.resolved:
                return
            end = c.end
            break
    if not accept(c) or (c.label not in ("PER", "COUNTRY") and not _headline_actor(ctx, sent, c)):
        return
    if c.label == "PER" or speech_noun:
        end = _about_topic(toks, end)
    if end < len(toks) and toks[end].key == ":":
        c_end = end
        st = _statement_after(sent, c_end + 1)
        if st is not None and st[1] - st[0] >= 3:
            ctx.emit(sent, "says", c, _quote_arg(ctx, sent, *st), confidence=0.6,
                     method="says_headline", evidence=[(c_end, c_end + 1)])
