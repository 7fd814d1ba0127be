"""Typing a place name by itself: the gazetteer entry of the whole name, its generic head, or a qualifier.

Rules 1-3 of :mod:`.typer` («کشور روسیه» → COUNTRY RU, «شهر حلب» → CITY,
«ژنو سوئیس» → CITY CH, «اروپای شرقی» → LOC). They read only a gazetteer's
entry table, so the gazetteer's head-aware :meth:`~.gazetteer.Gazetteer.lookup`
and the mention typer both use them without importing each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .places import CITY, COUNTRY, LOC, GazetteerEntry, PlaceTyping, name_key


def words_key(words: Sequence[str]) -> str:
    """The key of a name given as words."""
    return name_key(" ".join(words))


def key_set(*words: str) -> frozenset[str]:
    """The keys of a word list (the form the rules compare with)."""
    return frozenset(name_key(w) for w in words)


#: Heads that make the span a country when the rest is one (or unknown, for «کشور»).
COUNTRY_HEADS = key_set("کشور", "کشورهای", "کشور‌های")
#: Heads transparent to the type of what follows («دولت سوریه» → COUNTRY SY).
TRANSPARENT_HEADS = key_set("دولت", "سرزمین", "جمهوری", "پادشاهی", "امیرنشین")
CITY_HEADS = key_set("شهر", "شهرهای", "بندر", "کلانشهر", "پایتخت", "شهرها")
LOC_HEADS = key_set(
    "استان", "استانهای", "استان‌ها", "ایالت", "ایالات", "شهرستان", "شهرستانهای", "بخش", "دهستان", "روستا",
    "روستای", "روستاهای", "قریه", "منطقه", "مناطق", "ناحیه", "جزیره", "جزایر", "شبه‌جزیره", "شبه", "دریا", "دریای",
    "دریاچه", "دریاچه‌های", "رود", "رودخانه", "کوه", "کوه‌های", "کوهستان", "رشته‌کوه", "ارتفاعات", "دشت",
    "دره", "تنگه", "خلیج", "اقیانوس", "قاره", "صحرا", "صحرای", "بیابان", "جنگل", "جنگل‌های", "تالاب", "چشمه",
    "آبشار", "میدان", "حوزه", "لایه", "لایه‌های", "محور", "جاده", "خیابان", "بزرگراه", "بلوار", "کوچه", "پل",
    "مرز", "مرزهای", "حومه", "اطراف", "نوار", "کرانه", "ساحل", "سواحل", "قلعه", "کاروانسرای", "کاروان", "کاخ",
    "برج", "زندان", "پایگاه", "ورزشگاه", "استادیوم", "سالن", "تالار", "بازار", "بازارچه", "مرکز", "پارک", "باغ",
    "موزه", "آرامگاه", "حرم", "امامزاده", "بنای", "عمارت", "تماشاخانه", "فرودگاه", "دانشگاه", "بیمارستان",
    "هتل", "مهمانسرای", "سینما", "آستان", "فروشگاه", "استانداری", "لانه", "شهرک", "شهرکهای", "اردوگاه",
    "کمپ", "پست", "گذرگاه", "مصلی", "مسجد", "کلیسای", "کنیسه", "زمین", "نیروگاه", "پالایشگاه", "معدن",
    "قطب", "دامنه", "کویر", "جلگه", "آبراه", "کانال", "خط", "گسل", "ایستگاه", "اسکله", "بندرگاه",
)
DIRECTION_HEADS = key_set(
    "شمال", "جنوب", "شرق", "غرب", "مرکز", "شمال‌غرب", "شمال‌شرق", "جنوب‌غرب", "جنوب‌شرق", "شمال‌غربی",
    "شمال‌شرقی", "جنوب‌غربی", "جنوب‌شرقی", "شمالی", "جنوبی", "شرقی", "غربی", "مرکزی", "حوالی", "نزدیکی",
)
DIRECTION_ADJ = key_set("شمالی", "جنوبی", "شرقی", "غربی", "مرکزی", "میانه", "لاتین", "علیا", "سفلی", "باختری", "خاوری")
SAME_TYPE_QUALIFIERS = key_set("اشغالی", "سابق", "شریف", "مقدس", "بزرگ", "کبیر", "قدیم", "جدید", "فعلی", "امروز", "امروزی")


def entry_typing(entry: GazetteerEntry, reason: str) -> PlaceTyping:
    """The typing a gazetteer entry gives (an ISO code only for COUNTRY and CITY)."""
    return PlaceTyping(entry.type, entry.iso if entry.type in (COUNTRY, CITY) else None, entry.canonical, reason)


def _strip_ezafe(word: str) -> str | None:
    """«جاکارتای» → «جاکارتا», «آسیای» → «آسیا» (ezafe ی after a final vowel)."""
    k = name_key(word)
    if len(k) > 3 and (k.endswith("ای") or k.endswith("وی")):
        return k[:-1]
    return None


def _lookup_words(entries: Mapping[str, GazetteerEntry], words: Sequence[str]) -> GazetteerEntry | None:
    entry = entries.get(words_key(words))
    if entry is None and words:
        stripped = _strip_ezafe(words[-1])
        if stripped:
            entry = entries.get(words_key(words[:-1]) + stripped)
    return entry


def resolve_words(words: Sequence[str], entries: Mapping[str, GazetteerEntry]) -> PlaceTyping | None:
    """Type a place name by itself (rules 1-3 of :mod:`.typer`), or ``None`` if unknown.

    ``entries``: a gazetteer's name key -> entry table (:attr:`.gazetteer.Gazetteer.entries`).
    """
    words = [w for w in words if w.strip()]
    if not words:
        return None
    entry = entries.get(words_key(words))
    if entry is not None:
        return entry_typing(entry, "gazetteer")
    head = name_key(words[0])
    rest = words[1:]
    if rest:
        inner = resolve_words(rest, entries)
        if head in COUNTRY_HEADS:
            if inner is not None and inner.type == COUNTRY:
                return PlaceTyping(COUNTRY, inner.iso, inner.canonical, "head:country")
            return PlaceTyping(COUNTRY, None, None, "head:country")
        if head in TRANSPARENT_HEADS and inner is not None and inner.type is not None:
            return PlaceTyping(inner.type, inner.iso, inner.canonical, "head:transparent")
        if head in CITY_HEADS:
            if inner is not None and inner.type == CITY:
                return PlaceTyping(CITY, inner.iso, inner.canonical, "head:city")
            return PlaceTyping(CITY, None, None, "head:city")
        if head in LOC_HEADS or head in DIRECTION_HEADS:
            return PlaceTyping(LOC, None, None, "head:loc")
    # a known name followed by a qualifier
    for k in range(len(words) - 1, 0, -1):
        entry = _lookup_words(entries, words[:k])
        if entry is None:
            continue
        tail = words[k:]
        first = name_key(tail[0])
        if first in DIRECTION_ADJ:
            return PlaceTyping(LOC, None, None, "qualifier:direction")
        if first in SAME_TYPE_QUALIFIERS:
            return entry_typing(entry, "qualifier:same")
        tail_entry = resolve_words(tail, entries)
        if tail_entry is not None and tail_entry.type in (COUNTRY, CITY, LOC):
            if entry.type == COUNTRY and tail_entry.type == COUNTRY:
                break  # «ایران آمریکا»: two names, not a qualifier
            typing = entry_typing(entry, "qualifier:place")
            if typing.type == CITY and typing.iso is None and tail_entry.type == COUNTRY:
                typing = PlaceTyping(CITY, tail_entry.iso, typing.canonical, typing.reason)
            return typing
        if tail[0] in ("پایتخت", "مرکز"):
            return entry_typing(entry, "qualifier:capital")
        break
    # ezafe form of a single known name: «جاکارتای» (rare alone)
    if len(words) == 1:
        entry = _lookup_words(entries, words)
        if entry is not None:
            return entry_typing(entry, "gazetteer:ezafe")
    return None
