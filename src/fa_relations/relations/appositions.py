"""position_held / member_of from apposition and titles, and title/pronoun resolution.

* «الهام علی‌اف، رئیس‌جمهوری آذربایجان» / «یعقوب ایوبوف معاون اول نخست‌وزیر آذربایجان»
  / «علی جنتی - وزیر پیشین وزارت فرهنگ» → position_held(PER, ORG/COUNTRY/CITY, role=title as written)
* «وزیر خارجه آمریکا جان کری» (title before the name) → the same.
* «سخنگوی X»، «عضو X»، «نماینده ... در X»، «بازیکن X» → member_of.
* A later «رئیس‌جمهوری اسرائیل» without a name becomes a *title mention* resolved
  to the person who was given that title for that state/organisation in the document.
* «وی»/«او» resolve to the named person the clause most likely refers to:
  the nearest person of the same sentence before the pronoun, else the first person
  of the nearest preceding sentence that names one (at most three sentences back).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span

from ..extensions import original_span
from .context import Context
from .docview import COMMA, PUNCT_KEYS, Cand, Sent, entity_key, match_words
from .lexicon import Title, key
from .registry import register_document_family
from .subjects import after_honorific, attribution_blocked, clause_start, find_subject
from .titles import match_title

_APPOS_PUNCT = frozenset({"،", ",", "-", "ـ", "–", "—", "(", "«", "»", "\""})
_AS = (key("به"), key("عنوان"))
_ORDINAL_OK = 3

# run by the component over the whole document (the roles also feed title resolution)
register_document_family("appositions", predicates=("position_held", "member_of"), order=0)


@dataclass
class Role:
    person: Cand
    obj: Cand
    title: Title
    role_start: int
    role_end: int  # exclusive, sentence token index (start of the object)
    end: int  # end of the apposition (object end)


def _titled_object(ctx: Context, sent: Sent, j: int, ent_at: dict[int, Cand]) -> tuple[Title, Cand, int] | None:
    """A title starting at token ``j`` and the organisation/place it governs: (title, object, role end)."""
    mt = match_title(sent.toks, j, ctx.lex, sent)
    if mt is None:
        return None
    title, tj = mt
    found = _object_after(ctx, sent, title, tj, ent_at)
    if found is None:
        return None
    obj, role_end = found
    return title, obj, role_end


def _object_after(ctx: Context, sent: Sent, title: Title, j: int, ent_at: dict[int, Cand]) -> tuple[Cand, int] | None:
    """Find the organisation/state a title at ``[.., j)`` belongs to: ``(cand, role_end)``."""
    toks = sent.toks
    limit = 8 if title.key == key("نماینده") else 7
    k = j
    steps = 0
    pred = title.predicate
    while k < len(toks) and steps <= limit:
        c = ent_at.get(k)
        if c is not None:
            if c.label in ("PER",) or c.kind != "ent":
                return None
            if ctx.allowed(pred, "O", c.label):
                return c, k
            if title.key == key("نماینده") and c.label in ("CITY", "LOC", "COUNTRY"):
                k = c.end
                steps += 1
                continue
            return None
        tk = toks[k].key
        if tk in PUNCT_KEYS:
            return None
        # «معاون آموزشی و پژوهشی دانشگاه X»: «و» joins two modifiers, not two phrases
        if tk == key("و") and k > j and k + 1 < len(toks) and ent_at.get(k + 1) is None \
                and toks[k + 1].key not in PUNCT_KEYS and toks[k + 1].key not in ctx.lex.modifier_stops \
                and match_title(toks, k + 1, ctx.lex, sent) is None:
            k += 1
            steps += 1
            continue
        if tk in ctx.lex.modifier_stops and not (title.key == key("نماینده") and tk in (key("در"), key("مردم"))):
            return None
        k += 1
        steps += 1
    return None


#: «نماینده ولی فقیه و امام جمعه قم»: words of a title's modifiers before «و» and the next title
_MAX_MODIFIERS = 4


def _next_coordinated_title(ctx: Context, sent: Sent, j: int, ent_at: dict[int, Cand]) -> int | None:
    """After a title that governs no entity (ending at ``j``), the start of a title joined by «و»
    within a few modifier words («سخنگوی دولت و وزیر سابق کار»), or None."""
    toks = sent.toks
    for k in range(j, min(len(toks) - 1, j + _MAX_MODIFIERS + 1)):
        if toks[k].key in PUNCT_KEYS or k in ent_at:
            return None
        if toks[k].key == key("و") and match_title(toks, k + 1, ctx.lex, sent) is not None:
            return k + 1
    return None


def _relabel_person(ctx: Context, c: Cand) -> None:
    """A candidate the NER tagged LOC turns out to be a person («X، وزیر خارجه Y»)."""
    c.span = Span(ctx.doc, c.span.start, c.span.end, label="PER")
    c.label = "PER"




def _own_object(ctx: Context, sent: Sent, title: Title, person: Cand, tj: int) -> tuple[Cand, int] | None:
    """«علی کریمی بازیکن تکنیکی خود»: «خود» points at the clause subject (a team, state, organisation)."""
    toks = sent.toks
    k = tj
    while k < len(toks) and k - tj <= 2 and toks[k].key not in ctx.lex.reflexives:
        if toks[k].key in PUNCT_KEYS or sent.cand_covering(k) is not None:
            return None
        k += 1
    if k >= len(toks) or toks[k].key not in ctx.lex.reflexives:
        return None
    subj = find_subject(ctx, sent, clause_start(ctx, sent, person.start), person.start,
                        lambda c: c.label in ("ORG", "COUNTRY") and ctx.allowed(title.predicate, "O", c.label))
    if subj is None or subj.kind != "ent":
        return None
    return subj, k


def find_roles(ctx: Context, sent: Sent) -> list[Role]:
    toks = sent.toks
    ent_at = {c.start: c for c in sent.cands if c.kind == "ent"}
    roles: list[Role] = []
    claimed: set[int] = set()
    # forward apposition: PER [،|-|(] [به عنوان] TITLE mods OBJ [و TITLE mods OBJ]
    for c in [c for c in sent.cands if c.kind == "ent" and c.label in ("PER", "LOC")]:
        j = c.end
        # «جیمز نچوی ( James Nachtwey ) عکاس ...»
        if j < len(toks) and toks[j].key == "(" and match_title(toks, j + 1, ctx.lex, sent) is not None:
            j += 1  # «رامین صدیقی ( مدیر نشر هرمس )»
        elif j < len(toks) and toks[j].key == "(":
            close = next((x for x in range(j + 1, min(j + 7, len(toks))) if toks[x].key == ")"), None)
            if close is not None:
                j = close + 1
        while j < len(toks) and toks[j].key in _APPOS_PUNCT:
            j += 1
        if j + 1 < len(toks) and (toks[j].key, toks[j + 1].key) == _AS:
            j += 2
            # «چهل و پنجمین رئیس جمهور»: skip a short ordinal
            for _ in range(_ORDINAL_OK):
                if j < len(toks) and match_title(toks, j, ctx.lex, sent) is None and toks[j].key not in PUNCT_KEYS and j not in ent_at:
                    j += 1
                else:
                    break
        while True:
            mt = match_title(toks, j, ctx.lex, sent)
            if mt is None:
                break
            title, tj = mt
            found = _object_after(ctx, sent, title, tj, ent_at)
            if found is None:
                own = _own_object(ctx, sent, title, c, tj)
                if own is not None:
                    roles.append(Role(c, own[0], title, j, own[1], own[1] + 1))
                    claimed.update(range(j, own[1] + 1))
                    c.app_end = own[1] + 1
                    break
                # «X، نماینده ولی فقیه و امام جمعه قم»: a title without its own object, then «و» and another
                nxt = _next_coordinated_title(ctx, sent, tj, ent_at)
                if nxt is None:
                    break
                j = nxt
                continue
            obj, role_end = found
            if obj.end < len(toks) and toks[obj.end].key in ctx.lex.copulas:
                # «X، سرمربی Y شد»: the title is predicated of the clause subject, not of X
                break
            if c.label == "LOC":
                # «جیحون بایراموف، وزیر خارجه آذربایجان» tagged LOC by the NER: a place has no job title
                if not (sent.toks[c.end].key in COMMA and title.predicate == "position_held"):
                    break
                _relabel_person(ctx, c)
            roles.append(Role(c, obj, title, j, role_end, obj.end))
            claimed.update(range(j, obj.end))
            c.app_end = obj.end
            # «رئیس X و رئیس Y»
            n = obj.end
            if obj.label == "ORG" and n + 1 < len(toks) and toks[n].key in ({key("و")} | COMMA):
                j = n + 1
                continue
            # «رئیس جمهور ایران و رئیس شورای عالی امنیت ملی»: one person's second title; the same title
            # again («رئیس‌جمهوری آذربایجان و رئیس‌جمهوری اسرائیل») is a second person
            nxt = match_title(toks, n + 1, ctx.lex, sent) if n + 1 < len(toks) and toks[n].key == key("و") else None
            if nxt is not None and nxt[0].key != title.key:
                j = n + 1
                continue
            break
        if c.app_end is not None and c.app_end < len(toks) and toks[c.app_end].key in _APPOS_PUNCT - {"(", "«", "\""}:
            # closing dash / comma of the apposition belongs to it for coordination
            pass
    # «X ... به عنوان / به سمت TITLE OBJ (انتخاب شد)»: the clause subject holds the title
    as_words = (key("بهعنوان"), key("بهسمت"))
    for j in range(len(toks) - 2):
        if j in claimed:
            continue
        jj = next((end for w in as_words if (end := match_words(toks, j, w)) is not None), None)
        if jj is None or (j > 0 and sent.cand_covering(j - 1) is not None):
            continue
        titled = _titled_object(ctx, sent, jj, ent_at)
        if titled is None:
            continue
        title, obj, role_end = titled
        subj = find_subject(ctx, sent, clause_start(ctx, sent, j), j, lambda c: c.label == "PER")
        if subj is not None and subj.kind == "ent" and not any(r.person is subj and r.obj is obj for r in roles):
            roles.append(Role(subj, obj, title, jj, role_end, obj.end))
            claimed.update(range(j, obj.end))
    # reverse: TITLE mods OBJ [،] [honorifics] PER
    attrib = attribution_blocked(ctx, sent, 0, len(toks))
    for j in range(len(toks)):
        if j in claimed or j in attrib:
            continue
        if j > 0 and sent.cand_covering(j - 1) is not None and sent.cand_covering(j - 1).label == "PER":
            continue
        titled = _titled_object(ctx, sent, j, ent_at)
        if titled is None:
            continue
        title, obj, role_end = titled
        p = obj.end
        if p < len(toks) and toks[p].key in ctx.lex.copulas:
            # «شوبرت ... ، سرمربی مونشن گلادباخ شد» → the clause subject holds the title
            subj = find_subject(ctx, sent, clause_start(ctx, sent, j), j, lambda c: c.label == "PER")
            if subj is not None and subj.kind == "ent":
                roles.append(Role(subj, obj, title, j, role_end, obj.end))
                claimed.update(range(j, obj.end))
            continue
        if p < len(toks) and toks[p].key in COMMA:
            p += 1
        q = p
        while q < len(toks) and q - p < 4 and ent_at.get(q) is None:
            q += 1
        if q > p and ent_at.get(q) is not None and after_honorific(ctx, sent, q):
            p = q
        per = ent_at.get(p)
        if per is None or per.label != "PER":
            continue
        roles.append(Role(per, obj, title, j, role_end, obj.end))
        claimed.update(range(j, obj.end))
    return roles


def emit_roles(ctx: Context, sent: Sent, roles: list[Role]) -> None:
    for r in roles:
        s = sent.toks[r.role_start].start
        e = sent.toks[r.role_end - 1].end
        role_surface = original_span(ctx.doc, s, e)[2]
        pred = r.title.predicate
        attrs = {"role": role_surface} if pred == "position_held" else {}
        conf = 0.85 if pred == "position_held" else 0.8
        ctx.emit(
            sent, pred, r.person, r.obj, confidence=conf,
            method=f"apposition_{pred}", evidence=[(r.role_start, r.role_end)], attributes=attrs,
        )


def role_index(ctx: Context, roles: list[Role]) -> dict[tuple[str, str], list[Cand]]:
    """(role key, object identity) and (title head key, object identity) → persons."""
    idx: dict[tuple[str, str], list[Cand]] = {}
    for r in roles:
        sent = ctx.sents[r.person.sent]
        rk = key(sent.text(ctx.doc, r.role_start, r.role_end))
        ok = entity_key(r.obj.span)
        for k in ((rk, ok), ("head:" + r.title.key, ok)):
            lst = idx.setdefault(k, [])
            if all(p.span is None or r.person.span is None or key(p.span.text) != key(r.person.span.text) for p in lst):
                lst.append(r.person)
    return idx


def add_title_mentions(ctx: Context, sent: Sent, roles: list[Role], index: dict[tuple[str, str], list[Cand]]) -> None:
    """Turn «TITLE ORG/STATE» without a name into a title candidate (resolved when possible)."""
    toks = sent.toks
    claimed: set[int] = set()
    for r in roles:
        if r.person.sent == sent.index:
            claimed.update(range(r.role_start, r.end))
            claimed.update(range(r.person.start, r.person.end))
    ent_at = {c.start: c for c in sent.cands if c.kind == "ent"}
    new: list[Cand] = []
    j = 0
    while j < len(toks):
        if j in claimed or sent.cand_covering(j) is not None:
            j += 1
            continue
        mt = match_title(toks, j, ctx.lex, sent)
        if mt is None:
            j += 1
            continue
        title, tj = mt
        found = _object_after(ctx, sent, title, tj, ent_at)
        if found is None:
            # a bare title («رئیس جمهور گفت»، «جانشین فرماندهی انتظامی ... گفت») is an unnamed person
            if title.resolvable and title.predicate == "position_held":
                new.append(Cand(j, tj, "TITLE", "title", None, mention=(toks[j].start, toks[tj - 1].end), sent=sent.index))
            j = tj
            continue
        obj, role_end = found
        ok = entity_key(obj.span)
        rk = key(sent.text(ctx.doc, j, role_end))
        persons = index.get((rk, ok)) or []
        if not persons:
            hp = index.get(("head:" + title.key, ok)) or []
            persons = hp if len(hp) == 1 else []
        if not title.resolvable:
            persons = []
        m = (toks[j].start, toks[obj.end - 1].end)
        if persons:
            p = persons[0]
            cand = Cand(j, obj.end, "PER", "title", p.span, mention=m, sent=sent.index)
        else:
            cand = Cand(j, obj.end, "TITLE", "title", None, mention=m, sent=sent.index)
        new.append(cand)
        j = obj.end
    if new:
        covered = set()
        for c in new:
            covered.update(range(c.start, c.end))
        sent.cands = [c for c in sent.cands if c.start not in covered] + new
        sent.cands.sort(key=lambda c: c.start)


def _is_persian(c: Cand) -> bool:
    """Antecedents are names in Persian script (not page residue in Latin letters)."""
    return c.span is not None and any("\u0600" <= ch <= "\u06ff" for ch in c.span.text)


def add_pronouns(ctx: Context) -> None:
    for sent in ctx.sents:
        new = []
        for t in sent.toks:
            if t.key not in ctx.lex.pronouns or sent.cand_covering(t.i) is not None:
                continue
            target = None
            for c in sent.cands:  # the nearest named person before it in the sentence
                if c.start >= t.i:
                    break
                if c.is_person and c.kind != "pron" and _is_persian(c):
                    target = c
            if target is None:
                for back in range(1, 4):
                    si = sent.index - back
                    if si < 0:
                        break
                    persons = [c for c in ctx.sents[si].cands if c.is_person and _is_persian(c)]
                    if persons:
                        target = persons[0]
                        break
            m = (t.start, t.end)
            if target is not None:
                new.append(Cand(t.i, t.i + 1, "PER", "pron", target.span, mention=m, sent=sent.index))
            else:
                new.append(Cand(t.i, t.i + 1, "PRON", "pron", None, mention=m, sent=sent.index))
        if new:
            sent.cands = sorted(sent.cands + new, key=lambda c: c.start)


def add_demonstratives(ctx: Context) -> None:
    """«این کشور»، «این شهر» → the nearest preceding entity of that label."""
    if not ctx.lex.demonstratives:
        return
    prev_sents: list[Sent] = []
    for sent in ctx.sents:
        new = []
        for t in sent.toks:
            if sent.cand_covering(t.i) is not None:
                continue
            for pi in ctx.lex.demonstrative_index.at(sent.toks, t.i):
                words, label = ctx.lex.demonstratives[pi]
                j = match_words(sent.toks, t.i, words)
                if j is None:
                    continue
                target = None
                for c in reversed([c for c in sent.cands if c.end <= t.i]):
                    if c.kind == "ent" and c.label == label:
                        target = c
                        break
                if target is None:
                    for ps in reversed(prev_sents[-2:]):
                        lst = [c for c in ps.cands if c.kind == "ent" and c.label == label]
                        if lst:
                            target = lst[-1]
                            break
                if target is not None:
                    m = (t.start, sent.toks[j - 1].end)
                    new.append(Cand(t.i, j, label, "demo", target.span, mention=m, sent=sent.index))
                break
        if new:
            sent.cands = sorted(sent.cands + new, key=lambda c: c.start)
        prev_sents.append(sent)
