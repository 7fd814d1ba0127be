"""Lexical indicator features of the built-in NER tagger (optional; off in older models).

Per word, a few binary indicators that say whether the word

* starts / continues the name of a country, a city or a region (token n-grams
  of the place names of :mod:`fa_relations.entity_typing.gazetteer`: the
  ``data/gazetteers`` TSV files plus the CLDR names that babel ships),
* is a nationality word (the gazetteer's demonyms, plurals included),
* is an organisation head word (``data/lexicons/ner/org_heads.txt``),
* is (part of) a person title (``data/lexicons/ner/person_titles.txt``).

The indicators are hints the network learns to weigh, not rules. A model
trained with them stores its :class:`Lexicon` in ``lexicon.json`` next to the
weights (with the SHA-256 of every source file), so loading it needs neither
the data folder nor babel and always sees the lexicon it was trained with.

Matching is on :func:`lexicon_key` of each token (the tagger's
:func:`~fa_relations.ner.features.canonical_word`, then آ/ا, ئ/ی, hamza
folded), longest match first, left to right, separately per category.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .features import canonical_word

logger = logging.getLogger(__name__)

#: Feature names, in the order of the indicator vector.
LEXICAL_FEATURES: tuple[str, ...] = (
    "country_B", "country_I", "city_B", "city_I", "region_B", "region_I", "demonym", "org_head", "person_title",
)
#: Phrase categories and whether their matches get separate B (first word) / I (other words) indicators.
_PHRASE_CATEGORIES: dict[str, bool] = {
    "country": True, "city": True, "region": True, "org_head": False, "person_title": False,
}
_PLURAL_SUFFIXES = ("ان", "ها", "های")
_FOLD = str.maketrans({"آ": "ا", "ئ": "ی", "ء": "", "أ": "ا", "إ": "ا", "-": ""})
LEXICON_FILE = "lexicon.json"


def lexicon_key(word: str) -> str:
    """The matching form of one token."""
    return canonical_word(word).translate(_FOLD)


@dataclass
class Lexicon:
    """Phrase lists (as tuples of :func:`lexicon_key` tokens) and demonym keys."""

    phrases: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)
    demonyms: set[str] = field(default_factory=set)
    sources: dict[str, str] = field(default_factory=dict)  #: file name -> SHA-256 (provenance only)

    def __post_init__(self) -> None:
        self._max_len = {c: max((len(p) for p in ps), default=0) for c, ps in self.phrases.items()}

    # ------------------------------------------------------------ features
    def indicators(self, words: Sequence[str]) -> list[list[int]]:
        """For each word, the indices (into :data:`LEXICAL_FEATURES`) of the indicators that are on."""
        keys = [lexicon_key(w) for w in words]
        out: list[list[int]] = [[] for _ in words]
        index = {name: i for i, name in enumerate(LEXICAL_FEATURES)}
        for cat, with_bi in _PHRASE_CATEGORIES.items():
            phrases = self.phrases.get(cat)
            if not phrases:
                continue
            longest = self._max_len[cat]
            i = 0
            while i < len(keys):
                n = min(longest, len(keys) - i)
                while n > 0 and tuple(keys[i : i + n]) not in phrases:
                    n -= 1
                if n == 0:
                    i += 1
                    continue
                if with_bi:
                    out[i].append(index[f"{cat}_B"])
                    for j in range(i + 1, i + n):
                        out[j].append(index[f"{cat}_I"])
                else:
                    for j in range(i, i + n):
                        out[j].append(index[cat])
                i += n
        for i, k in enumerate(keys):
            if self.is_demonym(k):
                out[i].append(index["demonym"])
        return out

    def is_demonym(self, key: str) -> bool:
        if key in self.demonyms:
            return True
        return any(key.endswith(s) and len(key) > len(s) + 2 and key[: -len(s)] in self.demonyms
                   for s in _PLURAL_SUFFIXES)

    # --------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(LEXICAL_FEATURES),
            "phrases": {c: sorted(" ".join(p) for p in ps) for c, ps in sorted(self.phrases.items())},
            "demonyms": sorted(self.demonyms),
            "sources": dict(sorted(self.sources.items())),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Lexicon:
        if tuple(d.get("features", LEXICAL_FEATURES)) != LEXICAL_FEATURES:
            raise ValueError(f"lexicon features {d.get('features')} differ from this version's {LEXICAL_FEATURES}")
        return cls(
            phrases={c: {tuple(p.split(" ")) for p in ps} for c, ps in d.get("phrases", {}).items()},
            demonyms=set(d.get("demonyms", [])),
            sources=dict(d.get("sources", {})),
        )

    def save(self, folder: str | os.PathLike[str]) -> Path:
        p = Path(folder) / LEXICON_FILE
        p.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
        return p

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Lexicon:
        return cls.from_dict(json.loads((Path(folder) / LEXICON_FILE).read_text(encoding="utf-8")))


def _read_list(path: Path) -> list[str]:
    if not path.is_file():
        logger.warning("lexicon file %s is missing", path)
        return []
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def _phrase(name: str) -> tuple[str, ...]:
    return tuple(k for k in (lexicon_key(t) for t in name.split()) if k)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def build_lexicon(data_folder: str | os.PathLike[str] | None = None) -> Lexicon:
    """Build the lexicon from ``data/gazetteers`` (with CLDR through babel) and ``data/lexicons/ner``.

    ``data_folder`` is the package data folder (default :func:`fa_relations.paths.data_dir`).
    """
    from ..entity_typing import gazetteer as gz
    from ..paths import data_dir

    root = Path(data_folder) if data_folder is not None else data_dir()
    gaz_dir, lex_dir = root / "gazetteers", root / "lexicons" / "ner"
    gaz = gz.build_gazetteer(gaz_dir)

    names: list[str] = []
    for fname, col in (("countries.tsv", "name"), ("regions.tsv", "name"), ("cities.tsv", "name")):
        names += [row[col] for row in gz._read_tsv(gaz_dir / fname) if row.get(col)]
        names += [row["canonical"] for row in gz._read_tsv(gaz_dir / fname) if row.get("canonical")]
    for iso, name in gz._cldr_territories().items():
        if iso not in gz.NOT_PLACES:
            names += gz._split_cldr_name(name)
    names += [city for city, _ in gz._cldr_cities()]

    cat_of = {gz.COUNTRY: "country", gz.CITY: "city", gz.LOC: "region"}
    phrases: dict[str, set[tuple[str, ...]]] = {c: set() for c in _PHRASE_CATEGORIES}
    for name in names:
        entry = gaz.entries.get(gz.name_key(name))
        ph = _phrase(name)
        if entry is not None and ph:
            phrases[cat_of[entry.type]].add(ph)
    for cat in ("org_head", "person_title"):
        phrases[cat] = {p for p in map(_phrase, _read_list(lex_dir / f"{cat}s.txt")) if p}
    demonyms = {lexicon_key(k) for k in gaz.demonyms}
    sources = {f"gazetteers/{f}": _sha256(gaz_dir / f) for f in ("countries.tsv", "cities.tsv", "regions.tsv", "demonyms.tsv")}
    sources.update({f"lexicons/ner/{c}s.txt": _sha256(lex_dir / f"{c}s.txt") for c in ("org_head", "person_title")})
    try:
        import babel

        sources["babel (CLDR)"] = babel.__version__
    except ImportError:  # pragma: no cover - babel is a dependency of the gazetteer
        pass
    lex = Lexicon(phrases=phrases, demonyms=demonyms, sources=sources)
    logger.info("NER lexicon: %s, %d demonyms", {c: len(p) for c, p in phrases.items()}, len(demonyms))
    return lex

