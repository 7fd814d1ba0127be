"""Typing one place mention: gazetteer lookup, generic heads, qualifiers, sentence context.

:func:`type_place` is pure (words in, :class:`PlaceTyping` out) so the spaCy
component, the evaluation and users without spaCy share it.

Order of evidence (first that applies wins):

1. the whole span is a gazetteer name («جمهوری اسلامی ایران»، «مسجد سلیمان»);
2. a generic head opens the span: «کشور X» → COUNTRY, «شهر X»/«بندر X» → CITY,
   «استان X»/«دریای X»/«جنوب X»/«فرودگاه X» … → LOC, «دولت X»/«سرزمین X» →
   the type of X;
3. a known name followed by a qualifier: another place («ژنو سوئیس»،
   «کوهدشت لرستان» → the first name's type), «اشغالی»/«سابق» (same type), or
   a direction adjective («اروپای شرقی»، «کانادای غربی» → LOC);
4. the sentence: a name that is both an Iranian city and its province
   («اصفهان») is LOC after «استان»/«استان‌های …»; an unknown name is typed by
   the head word before it («شهر»، «کشور»، «روستای») or, as a dateline at the
   start of a sentence («… ـ ایرنا»), CITY;
5. a name with the copula stuck to it («آمریکاست»); else word shape:
   «…ستان» → LOC; otherwise LOC (the corpus label). (Names ending in «آباد»
   or «شهر» are not guessed to be towns: the unknown ones in PEYMA dev and
   ARMAN train were mostly villages and districts.)

A span that is only a nationality word («اروپایی») is not a place
(``type`` ``None``, ``demonym`` set), following SCHEMA.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from .gazetteer import Gazetteer, default_gazetteer
from .names import (
    CITY_HEADS,
    COUNTRY_HEADS,
    DIRECTION_ADJ,
    DIRECTION_HEADS,
    LOC_HEADS,
    SAME_TYPE_QUALIFIERS,
    TRANSPARENT_HEADS,
    entry_typing,
    key_set,
    resolve_words,
    words_key,
)
from .places import CITY, COUNTRY, LOC, PlaceTyping, name_key

__all__ = [
    "CITY_HEADS",
    "COUNTRY_HEADS",
    "DIRECTION_ADJ",
    "DIRECTION_HEADS",
    "LOC_HEADS",
    "SAME_TYPE_QUALIFIERS",
    "SPORT_CUES",
    "STATE_HEADS",
    "TRANSPARENT_HEADS",
    "PlaceTyping",
    "resolve_name",
    "type_org",
    "type_place",
]


def resolve_name(words: Sequence[str], gaz: Gazetteer | None = None) -> PlaceTyping | None:
    """Type a place name by itself (rules 1-3 of the module docstring), or ``None`` if unknown."""
    return resolve_words(words, (gaz or default_gazetteer()).entries)


#: Heads of ORG spans that name a state («جمهوری اسلامی ایران»، «رژیم صهیونیستی»).
STATE_HEADS = key_set("جمهوری", "رژیم", "پادشاهی", "ایالات", "امارات", "فدراسیون", "اتحاد", "اتحاد‌جماهیر")
#: Words that mark a sentence about sport, where a country name tagged ORG is a national team.
SPORT_CUES = key_set(
    "تیم", "تیمهای", "تیم‌های", "گل", "گلی", "دروازه", "بازی", "مسابقه", "مسابقات", "قهرمانی", "جام", "امتیاز",
    "امتیازات", "ست", "فوتبال", "والیبال", "بسکتبال", "هندبال", "کشتی", "المپیک", "بازیکن", "بازیکنان", "مربی",
    "سرمربی", "پیروز", "شکست", "صعود", "لیگ", "حریف", "تساوی", "مساوی", "رکورد", "مدال", "فیفا", "ملی‌پوشان",
)
#: Plural heads that govern a list «استان‌های تهران، خراسان و اصفهان».
LIST_HEADS: dict[str, str] = {
    **{k: LOC for k in key_set("استانهای", "استان‌ها", "استانها", "استان", "شهرستانهای", "ایالت‌های", "مناطق")},
    **{k: CITY for k in key_set("شهرهای", "شهرها", "شهر")},
    **{k: COUNTRY for k in key_set("کشورهای", "کشورها", "کشور")},
}
_PLURAL_WORDS = key_set("های", "ها")
LIST_GLUE = key_set("،", ",", "و", "؛", "یا")
DATELINE_MARKS = frozenset({"ـ", "-", "–", "—", "_"})
#: Enclitics that may stick to a name: «آمریکاست» (است).
_CLITICS = ("ست",)
_LOC_SUFFIXES = ("ستان",)


def _list_head(left: Sequence[str], in_entity: Sequence[bool]) -> str | None:
    """The type a plural head imposes on a list the mention ends, walking left over names and glue."""
    steps = 0
    i = len(left) - 1
    while i >= 0 and steps < 16:
        k = name_key(left[i])
        if k in _PLURAL_WORDS and i > 0:  # «استان های» written as two words
            k = name_key(left[i - 1]) + k
        if k in LIST_HEADS and not in_entity[i]:
            return LIST_HEADS[k]
        if not (k in LIST_GLUE or in_entity[i]):
            return None
        i -= 1
        steps += 1
    return None


def type_place(
    words: Sequence[str],
    left: Sequence[str] = (),
    right: Sequence[str] = (),
    *,
    left_in_entity: Sequence[bool] | None = None,
    gaz: Gazetteer | None = None,
) -> PlaceTyping:
    """Type a LOC mention ``words`` given the words of its sentence to the ``left`` and ``right``.

    ``left_in_entity[i]`` says whether ``left[i]`` belongs to another entity
    span (so that a list «استان‌های تهران، خراسان و اصفهان» can be walked).
    """
    gaz = gaz or default_gazetteer()
    in_entity = list(left_in_entity) if left_in_entity is not None else [False] * len(left)
    prev = name_key(left[-1]) if left else ""
    if prev in _PLURAL_WORDS and len(left) > 1:
        prev = name_key(left[-2]) + prev
    base = resolve_words(words, gaz.entries)
    list_type = _list_head(left, in_entity) if left else None
    at_start = all(not name_key(w) or w in "«(\"'" for w in left)
    dateline = at_start and bool(right) and right[0] in DATELINE_MARKS

    if base is not None:
        entry = gaz.entries.get(words_key(words))
        province_context = prev in key_set("استان") or list_type == LOC
        if base.type == CITY and entry is not None and entry.also_province and not dateline and province_context:
            return PlaceTyping(LOC, None, None, "context:province")
        if base.type == LOC and dateline and len(words) == 1:
            # «قشم ـ ایرنا»: a dateline names the town the report was filed from
            return PlaceTyping(CITY, None, base.canonical, "context:dateline")
        return base
    if len(words) == 1:
        iso = gaz.demonym_country(words[0])
        if iso is not None:
            return PlaceTyping(None, None, None, "demonym", demonym=iso)
        if gaz.is_region_adjective(words[0]):
            return PlaceTyping(None, None, None, "demonym")
    if dateline:
        return PlaceTyping(CITY, None, None, "context:dateline")
    if prev in CITY_HEADS or list_type == CITY:
        return PlaceTyping(CITY, None, None, "context:city-head")
    if prev in COUNTRY_HEADS or list_type == COUNTRY:
        return PlaceTyping(COUNTRY, None, None, "context:country-head")
    if prev in LOC_HEADS or list_type == LOC:
        return PlaceTyping(LOC, None, None, "context:loc-head")
    if len(words) == 1:
        key = name_key(words[0])
        for clitic in _CLITICS:
            entry = gaz.entries.get(key[: -len(clitic)]) if key.endswith(clitic) and len(key) > len(clitic) + 2 else None
            if entry is not None:  # «آمریکاست» = آمریکا + است
                return entry_typing(entry, "gazetteer:clitic")
    last = name_key(words[-1])
    if last.endswith(_LOC_SUFFIXES):
        return PlaceTyping(LOC, None, None, "shape:region")
    return PlaceTyping(LOC, None, None, "default")


def type_org(
    words: Sequence[str], sentence: Sequence[str] = (), gaz: Gazetteer | None = None
) -> PlaceTyping | None:
    """COUNTRY typing of an ORG span that names a state, else ``None`` (the span stays ORG).

    - Political names (heads in :data:`STATE_HEADS`: «جمهوری اسلامی ایران»،
      «رژیم صهیونیستی») are COUNTRY.
    - A plain country name tagged ORG («ایران»، «آمریکا») is the state as an
      actor, as ARMAN tags it («نیروهای نظامی آمریکا»، «مخالفت با آمریکا»),
      unless its ``sentence`` is about sport (:data:`SPORT_CUES`: «تیم»، «گل»،
      «دروازه» …), where it is a national team and stays ORG.
    """
    gaz = gaz or default_gazetteer()
    words = [w for w in words if w.strip()]
    if not words:
        return None
    entry = gaz.entries.get(words_key(words))
    if entry is None or entry.type != COUNTRY:
        return None
    if name_key(words[0]) in STATE_HEADS:
        return entry_typing(entry, "org:state")
    if any(name_key(w) in SPORT_CUES for w in sentence):
        return None
    return entry_typing(entry, "org:country-name")
