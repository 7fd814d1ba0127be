"""Place gazetteer: CLDR Persian names (through babel) plus small curated additions.

Sources, in order of precedence (a later source never overrides an earlier one
for the same name, except where a row says so):

1. ``data/gazetteers/countries.tsv``, ``cities.tsv``, ``regions.tsv``: names
   CLDR lacks (news short forms, political names, Iranian cities and
   provinces), each row with a ``source`` column.
2. CLDR territory names (``babel.Locale("fa").territories``): sovereign states
   become COUNTRY, dependent territories and the numeric UN regions LOC.
3. CLDR exemplar city names of the time zones
   (``Locale("fa").time_zones[zone]["city"]``), with the zone's territory
   (``babel.core.get_global("zone_territories")``) as ISO code: CITY.

Every name is matched through :func:`~.places.name_key`, which applies the text
layer's look-up key (:func:`fa_relations.text.keys.lookup_key`: Arabic ي/ك/ة →
Persian, marks dropped, ZWNJ and spaces dropped) and folds the spelling
variants that do not change a place name: آ/ا, ئ/ی, hamza, ``-``. So «روسيه»،
«امريكا»، «تل آویو»، «تلآویو» and «تل‌آویو» share one key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.core import get_global

from ..paths import data_dir
from ..resources import read_tsv_records
from .names import resolve_words
from .places import CITY, COUNTRY, LOC, PLACE_TYPES, GazetteerEntry, display_form, name_key

logger = logging.getLogger(__name__)

__all__ = [
    "CITY",
    "COUNTRY",
    "LOC",
    "NON_SOVEREIGN",
    "NOT_PLACES",
    "PLACE_TYPES",
    "Gazetteer",
    "GazetteerEntry",
    "build_gazetteer",
    "default_gazetteer",
    "demonym_country",
    "display_form",
    "lookup",
    "name_key",
]

#: ISO 3166-1 codes that CLDR lists as territories but that are not sovereign
#: states (dependencies, overseas departments, uninhabited islands, disputed
#: territories without broad recognition). They are typed LOC.
NON_SOVEREIGN = frozenset(
    ["AC", "AI", "AQ", "AS", "AW", "AX", "BL", "BM", "BQ", "BV", "CC", "CK", "CP", "CW", "CX", "DG", "EA", "EH", "FK", "FO", "GF", "GG", "GI", "GL", "GP", "GS", "GU", "HK", "HM", "IC", "IM", "IO", "JE", "KY", "MF", "MO", "MP", "MQ", "MS", "NC", "NF", "NU", "PF", "PM", "PN", "PR", "QO", "RE", "SH", "SJ", "SX", "TA", "TC", "TF", "TK", "UM", "VG", "VI", "WF", "YT"]
)
#: CLDR "territories" that are not places at all (or pseudo-locales).
NOT_PLACES = frozenset({"EU", "EZ", "UN", "XA", "XB", "ZZ"})
#: Time-zone families whose exemplar "cities" are mostly islands or stations.
_SKIP_ZONE_PREFIXES = ("Antarctica/", "Etc/", "Arctic/")


@dataclass
class Gazetteer:
    """Name → :class:`GazetteerEntry`, demonym → ISO code."""

    entries: dict[str, GazetteerEntry] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)  #: ISO -> canonical name
    region_adjectives: set[str] = field(default_factory=set)  #: keys of «اروپایی»، «آسیایی» …

    # ------------------------------------------------------------------ lookup
    def lookup(self, name: str | Sequence[str], *, heads: bool = True) -> GazetteerEntry | None:
        """The entry of ``name`` (a string or a list of words), or ``None``.

        With ``heads`` (the default), a name that is not listed as a whole is
        read through its generic head or qualifier: «کشور روسیه» → COUNTRY RU,
        «شهر حلب» → CITY SY, «استان اصفهان» → LOC, «ژنو سوئیس» → CITY CH
        (see :func:`fa_relations.entity_typing.names.resolve_words`).
        """
        text = name if isinstance(name, str) else " ".join(name)
        entry = self.entries.get(name_key(text))
        if entry is not None or not heads:
            return entry
        # an empty gazetteer reads heads through the default one, as resolve_name(words, gaz) does
        typing = resolve_words(text.split(), (self or default_gazetteer()).entries)
        if typing is None or typing.type is None:
            return None
        return GazetteerEntry(typing.type, typing.iso, typing.canonical or display_form(text), f"rule: {typing.reason}")

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def __len__(self) -> int:
        return len(self.entries)

    def demonym_country(self, word: str) -> str | None:
        """ISO code of the country a nationality word refers to («اسرائیلی» → ``"IL"``)."""
        key = name_key(word)
        iso = self.demonyms.get(key)
        if iso is not None:
            return iso
        for suffix in _PLURAL_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 2:
                iso = self.demonyms.get(key[: -len(suffix)])
                if iso is not None:
                    return iso
        return None

    def is_region_adjective(self, word: str) -> bool:
        """Whether ``word`` is the adjective of a region («اروپایی»، «آسیایی»): not an entity either."""
        key = name_key(word)
        return key in self.region_adjectives or any(
            key.endswith(s) and key[: -len(s)] in self.region_adjectives for s in _PLURAL_SUFFIXES
        )

    def country_name(self, iso: str) -> str | None:
        """The canonical Persian name of a country code."""
        return self.country_names.get(iso)

    # ---------------------------------------------------------------- building
    def add(self, name: str, entry: GazetteerEntry, *, override: bool = False) -> None:
        key = name_key(name)
        if not key:
            return
        if override or key not in self.entries:
            self.entries[key] = entry

    def add_demonym(self, word: str, iso: str, *, override: bool = False) -> None:
        key = name_key(word)
        if key and (override or key not in self.demonyms):
            self.demonyms[key] = iso


#: Plural endings of demonyms after :func:`name_key` (ZWNJ removed): ایرانیان، اسرائیلیها.
_PLURAL_SUFFIXES = ("ان", "ها", "های")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    """The rows of a gazetteer TSV file (first row: column names); a missing file is a warning."""
    if not path.is_file():
        logger.warning("gazetteer file %s is missing", path)
        return []
    return read_tsv_records(path)


def _cldr_territories() -> dict[str, str]:
    return dict(Locale("fa").territories)


def _cldr_cities() -> Iterable[tuple[str, str]]:
    """(Persian exemplar city, ISO code) from CLDR time zones."""
    zone_territories = get_global("zone_territories")
    for zone, data in Locale("fa").time_zones.items():
        if zone.startswith(_SKIP_ZONE_PREFIXES):
            continue
        city = data.get("city") if hasattr(data, "get") else None
        iso = zone_territories.get(zone)
        if city and iso and iso.isalpha():
            yield city, iso


def _split_cldr_name(name: str) -> list[str]:
    """CLDR names such as «هنگ‌کنگ، منطقهٔ ویژهٔ اداری چین» or «میانمار (برمه)» → their parts."""
    parts = [name]
    if "(" in name:
        head, _, rest = name.partition("(")
        parts = [head.strip(), rest.rstrip(")").strip(), name.replace("(", "").replace(")", "")]
    out = []
    for p in parts:
        out.append(p.split("،")[0].strip())
    return [p for p in out if p]


#: How a demonym is formed from a (one-word) country name, by its last letter.
def _demonym_forms(name: str) -> list[str]:
    n = display_form(name)
    if " " in n or len(n) < 3:
        return []
    if n.endswith(("ا", "و")):
        return [n + "یی", n + "ئی"]
    if n.endswith("ه"):
        return [n + "\u200cای", n[:-2] + "ی"] if n.endswith("یه") else [n + "\u200cای"]
    if n.endswith("ی"):
        return [n + "ایی"]
    return [n + "ی"]


#: Folder of the gazetteer TSVs under ``data/`` (and inside a saved typer component).
GAZETTEER_FOLDER = "gazetteers"


def build_gazetteer(directory: str | Path | None = None) -> Gazetteer:
    """Build the gazetteer from CLDR and the TSV files in ``directory`` (default ``data/gazetteers``)."""
    folder = Path(directory) if directory is not None else data_dir() / GAZETTEER_FOLDER
    gaz = Gazetteer()
    territories = _cldr_territories()

    # canonical country names: CLDR, unless countries.tsv marks a preferred form
    for iso, name in territories.items():
        if iso.isalpha() and iso not in NOT_PLACES and iso not in NON_SOVEREIGN:
            gaz.country_names[iso] = display_form(_split_cldr_name(name)[0])
    country_rows = _read_tsv(folder / "countries.tsv")
    for row in country_rows:
        if row.get("preferred") == "yes" or row["iso"] not in gaz.country_names:
            gaz.country_names[row["iso"]] = display_form(row["name"])

    def country(iso: str, source: str) -> GazetteerEntry:
        return GazetteerEntry(COUNTRY, iso, gaz.country_names[iso], source)

    # 1. curated additions
    for row in country_rows:
        gaz.add(row["name"], country(row["iso"], f"countries.tsv: {row.get('source', '')}"))
    province_keys: set[str] = set()
    for row in _read_tsv(folder / "regions.tsv"):
        if row.get("kind") == "province":
            province_keys.add(name_key(row["name"]))
        gaz.add(row["name"], GazetteerEntry(LOC, None, display_form(row["name"]), f"regions.tsv: {row.get('source', '')}"))
    for row in _read_tsv(folder / "cities.tsv"):
        iso = row.get("iso") or None
        key = name_key(row["name"])
        entry = GazetteerEntry(
            CITY, iso, display_form(row.get("canonical") or row["name"]), f"cities.tsv: {row.get('source', '')}",
            also_province=key in province_keys,
        )
        # a city named like a province (تهران، اصفهان) is a CITY by default
        gaz.add(row["name"], entry, override=key in province_keys)

    # 2. CLDR territories
    for iso, name in territories.items():
        if iso in NOT_PLACES:
            continue
        for part in _split_cldr_name(name):
            if iso.isalpha() and iso not in NON_SOVEREIGN:
                gaz.add(part, country(iso, "CLDR territory"))
            elif iso in ("HK", "MO"):
                continue  # cities.tsv has them as CITY CN
            else:
                gaz.add(part, GazetteerEntry(LOC, None, display_form(part), "CLDR territory (region or dependency)"))

    # 3. CLDR exemplar cities
    for city, iso in _cldr_cities():
        canonical = display_form(city)
        gaz.add(city, GazetteerEntry(CITY, iso if iso not in NON_SOVEREIGN else None, canonical, "CLDR exemplar city"))

    # demonyms: curated table first, then regular forms of one-word country names
    blocked: set[str] = set()
    for row in _read_tsv(folder / "demonyms.tsv"):
        if row["iso"] == "-":
            blocked.add(name_key(row["word"]))
        else:
            gaz.add_demonym(row["word"], row["iso"])
    names_by_iso: dict[str, set[str]] = {}
    for iso, name in territories.items():
        if iso.isalpha() and iso in gaz.country_names:
            names_by_iso.setdefault(iso, set()).update(_split_cldr_name(name))
    for row in country_rows:
        names_by_iso.setdefault(row["iso"], set()).add(row["name"])
    for iso, names in sorted(names_by_iso.items()):
        for name in sorted(names):
            for form in _demonym_forms(name):
                k = name_key(form)
                if k not in blocked and k not in gaz.entries:
                    gaz.add_demonym(form, iso)
    for entry in list(gaz.entries.values()):
        if entry.type == LOC and " " not in entry.canonical:
            for form in _demonym_forms(entry.canonical):
                k = name_key(form)
                if k not in gaz.entries and k not in gaz.demonyms:
                    gaz.region_adjectives.add(k)
    return gaz


_DEFAULT: Gazetteer | None = None


def default_gazetteer() -> Gazetteer:
    """The shared gazetteer built from the bundled data (built once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_gazetteer()
    return _DEFAULT


def lookup(name: str | Sequence[str], *, heads: bool = True) -> GazetteerEntry | None:
    """:meth:`Gazetteer.lookup` on the default gazetteer."""
    return default_gazetteer().lookup(name, heads=heads)


def demonym_country(word: str) -> str | None:
    """:meth:`Gazetteer.demonym_country` on the default gazetteer."""
    return default_gazetteer().demonym_country(word)
