"""What a place name can denote, and the key place names are matched by.

The lowest module of :mod:`fa_relations.entity_typing`: the gazetteer
(:mod:`.gazetteer`), the name rules (:mod:`.names`) and the mention typer
(:mod:`.typer`) all build on these types and import nothing from each other
in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..defaults import WORD_MEMO_SIZE
from ..text.characters import canonical_word
from ..text.keys import lookup_key

COUNTRY, CITY, LOC = "COUNTRY", "CITY", "LOC"
PLACE_TYPES = (COUNTRY, CITY, LOC)

#: Characters a place name may be written with or without («آذربایجان‌غربی»، «آذربایجان-غربی»).
NAME_KEY_DROP = "-"


@lru_cache(maxsize=WORD_MEMO_SIZE)
def name_key(name: str) -> str:
    """The matching key of a place name or word.

    :func:`fa_relations.text.keys.lookup_key` with the place-name folds: ZWNJ,
    spaces and ``-`` dropped, آ/ا, ئ/ی and hamza folded. So «روسيه»، «امريكا»،
    «تل آویو»، «تلآویو» and «تل‌آویو» share one key.
    """
    return lookup_key(name.strip(), drop=NAME_KEY_DROP, fold_hamza=True)


def display_form(name: str) -> str:
    """A name as the library writes it: letters unified, CLDR hamza marks dropped, spaces collapsed.

    The sources already write ZWNJ where it belongs («تل‌آویو»), so the ZWNJ
    restorer (slow to load) is not needed here.
    """
    return " ".join(canonical_word(name).split())


@dataclass(frozen=True)
class GazetteerEntry:
    """What a place name denotes: ``type`` COUNTRY, CITY or LOC, ISO code, canonical name."""

    type: str
    iso: str | None
    canonical: str
    source: str = ""
    also_province: bool = False  #: an Iranian city whose province has the same name


@dataclass(frozen=True)
class PlaceTyping:
    """The outcome of typing one mention.

    ``type`` is COUNTRY, CITY or LOC (``None``: not a place, e.g. a lone
    demonym), ``iso`` the country code, ``canonical`` the canonical name,
    ``reason`` a short tag saying which rule decided (for debugging and
    evaluation breakdowns).
    """

    type: str | None
    iso: str | None
    canonical: str | None
    reason: str
    demonym: str | None = None
