"""The registered rule families that run on trigger patterns, with their family-specific filters.

Each family registers itself (:mod:`.registry`) with the predicates it
produces; a pattern file no family registers still runs, as a plain family.

| family (pattern file) | predicates |
|---|---|
| movement | visits |
| meetings | meets |
| interstate | cooperates_with, conflict_with, supports, accuses, borders |
| supplies | supplies (attribute ``item``) |
| embassy | embassy_in |
| located_in | located_in |
| membership | member_of |
"""

from __future__ import annotations

from .context import Context
from .docview import Cand, Sent
from .lexicon import Pattern, key
from .patterns import Binding
from .registry import pattern_family, register_pattern_family


def _is_sport(sent: Sent, sport: frozenset[str]) -> bool:
    return any(t.key in sport or any(len(w) >= 4 and t.key.startswith(w) for w in sport) for t in sent.toks)


@pattern_family("meetings", predicates=("meets",), order=30)
def _meets_filter(ctx: Context, sent: Sent, p: Pattern, s: Cand, o: Cand, b: Binding) -> bool:
    for c in (s, o):
        if c.span is not None and any(key(c.span.text).startswith(m) for m in ctx.lex.meets_media):
            return False
    if _is_sport(sent, ctx.lex.sport):
        return False
    # «در گفت‌وگو با ایسنا گفت: ...» is an interview, not a meeting
    return not (sent.quotes and any(sent.toks[a].key in ctx.lex.interview_nouns for a, _ in b.triggers))


@pattern_family(
    "interstate", predicates=("cooperates_with", "conflict_with", "supports", "accuses", "borders"), order=40
)
def _interstate_filter(ctx: Context, sent: Sent, p: Pattern, s: Cand, o: Cand, b: Binding) -> bool:
    # sports results are never conflict_with («نبرد استقلال و پرسپولیس»)
    return not (p.predicate == "conflict_with" and _is_sport(sent, ctx.lex.sport))


_LIST_GLUE = frozenset(("،", ",", key("و")))


def _in_list(sent: Sent, i: int, step: int) -> bool:
    """Whether token ``i``, next to an address «X، Y» (``step`` -1: before it, 1: after it), makes it part of a
    list: «و», or a comma with another entity beyond it («اروپا ، تاجیکستان و ایران»); a comma closing the
    address before the sentence goes on («در ووهان، چین، بوده است») does not."""
    if not 0 <= i < len(sent.toks) or sent.toks[i].key not in _LIST_GLUE:
        return False
    if sent.toks[i].key == key("و"):
        return True
    beyond = i + step
    return any(c.kind == "ent" and (c.start == beyond if step > 0 else c.end == beyond + 1) for c in sent.cands)


_LOC_ORG_RULES = frozenset({"loc_situated", "loc_seat", "loc_printed_in"})
_PLACE = frozenset({"CITY", "FAC", "LOC"})


@pattern_family("located_in", predicates=("located_in",), order=70)
def _located_filter(ctx: Context, sent: Sent, p: Pattern, s: Cand, o: Cand, b: Binding) -> bool:
    if s.kind != "ent" or o.kind not in ("ent", "demo"):
        return False
    placed_org = s.label == "ORG" and sent.toks[s.start].key in ctx.lex.located_org_heads
    if s.label == "ORG" and p.name not in _LOC_ORG_RULES and not placed_org:
        return False
    if p.name == "loc_address":
        # «تهران، ایران»; not a list «اروپا ، تاجیکستان و ایران»
        if not (s.label == "CITY" and o.label == "COUNTRY"):
            return False
        if _in_list(sent, s.start - 1, -1) or _in_list(sent, o.end, 1):
            return False
    if p.name == "loc_in" and o.label == "LOC" and s.label != "FAC":
        return False
    if p.name in ("loc_genitive", "loc_address", "loc_in"):
        # adjacency is containment only from smaller to larger places
        order = {"FAC": 0, "LOC": 1, "CITY": 1, "COUNTRY": 3}
        larger_or_equal = order.get(s.label, 0) >= order.get(o.label, 0)
        facility_in_place = (s.label == "FAC" or placed_org) and o.label in ("CITY", "LOC", "COUNTRY")
        genitive_region = s.label in ("CITY", "LOC") and o.label == "LOC" and p.name == "loc_genitive"
        if larger_or_equal and not facility_in_place and not genitive_region:
            return False
    return True


_INVITE = key("دعوت")
_FROM = key("از")


@pattern_family("movement", predicates=("visits",), order=20)
def _visits_filter(ctx: Context, sent: Sent, p: Pattern, s: Cand, o: Cand, b: Binding) -> bool:
    # an invitation to visit is not a visit
    if any(t.key.startswith(_INVITE) for t in sent.toks[max(0, b.start - 10):b.start]):
        return False
    # «X را به Y فرستاد/اعزام کرد»: a person sent, not «پیام X را به Y فرستاد» (X's message)
    if p.name == "visit_sent_person_to" and (
        s.label != "PER" or (s.start > 0 and sent.toks[s.start - 1].key in ctx.lex.sent_things)
    ):
        return False
    # «سفر [آقای] X [رئیس‌جمهوری ...] به Y»: the words between may hold a title, never an origin
    # («سفر مدعوین از آمریکا ... به توس»): the traveller is a named person
    if p.name == "visit_trip_of_titled" and s.label != "PER":
        return False
    # «سفر ... از X به Y»: X is where the trip starts
    if p.name.startswith("visit_trip_of") and s.start > 0 and sent.toks[s.start - 1].key == _FROM:
        return False
    return not (s.span is not None and o.span is not None and s.span.label_ in ("COUNTRY",) and s.span._.iso and s.span._.iso == o.span._.iso)


register_pattern_family("supplies", predicates=("supplies",), order=50)
register_pattern_family("embassy", predicates=("embassy_in",), order=60)
register_pattern_family("membership", predicates=("member_of",), order=80)
