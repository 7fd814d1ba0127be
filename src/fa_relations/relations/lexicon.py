"""Loading the editable relation lexicons of ``data/lexicons/relations/``.

Every entry is compared in its *key* form (:func:`key`): letters unified
(Arabic ي/ك, hamza seat ئ → ی, diacritics dropped), ZWNJ and spaces removed.
So a lexicon written with ZWNJ matches text without it and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..paths import data_dir
from ..text.characters import canonical_word

_EXTRA = str.maketrans({"ئ": "ی", "ي": "ی", "ى": "ی", "ك": "ک", "إ": "ا", "أ": "ا", "ٱ": "ا", "ؤ": "و", "ة": "ه", "ۀ": "ه", "ـ": ""})


@lru_cache(maxsize=100_000)
def key(text: str) -> str:
    """Matching key of a word or phrase: unified letters, no ZWNJ, no spaces."""
    s = canonical_word(text).translate(_EXTRA)
    return s.replace("\u200c", "").replace(" ", "").replace("_", "")


def lexicon_dir() -> Path:
    return data_dir() / "lexicons" / "relations"


def _lines(path: Path) -> list[list[str]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            rows.append([c.strip() for c in line.split("\t")])
    return rows


@dataclass(frozen=True)
class Title:
    words: str  # as written in the lexicon
    key: str
    predicate: str  # position_held | member_of
    resolvable: bool


@dataclass(frozen=True)
class Pattern:
    predicate: str
    elements: tuple[str, ...]
    confidence: float
    name: str
    family: str


@dataclass
class Lexicons:
    """All relation lexicons, loaded from one folder."""

    verbs: dict[str, str] = field(default_factory=dict)  # past stem key -> present stem key
    reporting: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    #: reporting phrases (as written, words joined by spaces) that may take a statement with no «:»/«که»
    reporting_direct: frozenset[str] = frozenset()
    dual: list[tuple[str, ...]] = field(default_factory=list)
    attribution: list[tuple[str, ...]] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    pronouns: frozenset[str] = frozenset()
    non_subject: frozenset[str] = frozenset()
    clause_boundaries: frozenset[str] = frozenset()
    items: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    first_person: frozenset[str] = frozenset()
    org_heads: frozenset[str] = frozenset()
    demonstratives: list[tuple[str, str]] = field(default_factory=list)
    honorifics: list[tuple[str, ...]] = field(default_factory=list)
    reporting_exclude: list[tuple[str, ...]] = field(default_factory=list)
    propositions: frozenset[str] = frozenset()  # «بر لزوم ... تاکید کرد»: nouns that head a statement
    patterns: list[Pattern] = field(default_factory=list)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Lexicons:
        d = Path(folder) if folder is not None else lexicon_dir()
        lex = cls()
        for row in _lines(d / "verbs.tsv"):
            lex.verbs[key(row[0])] = key(row[1]) if len(row) > 1 and row[1] else ""
        direct = set()
        for row in _lines(d / "reporting_verbs.tsv"):
            conf = float(row[1]) if len(row) > 1 and row[1] else 0.8
            lex.reporting.append((tuple(row[0].split()), conf))
            if len(row) > 2 and row[2].lower() == "direct":
                direct.add(" ".join(row[0].split()))
        lex.reporting_direct = frozenset(direct)
        lex.dual = [tuple(key(w) for w in r[0].split()) for r in _lines(d / "dual_statement.txt")]
        lex.attribution = [tuple(key(w) for w in r[0].split()) for r in _lines(d / "attribution.txt")]
        for row in _lines(d / "titles.tsv"):
            lex.titles.append(
                Title(row[0], key(row[0]), row[1] if len(row) > 1 else "position_held",
                      (row[2] if len(row) > 2 else "yes").lower() in ("yes", "y", "true", "1"))
            )
        # longest titles first, so «رئیس جمهور» wins over «رئیس»
        lex.titles.sort(key=lambda t: -len(t.key))
        lex.pronouns = frozenset(key(r[0]) for r in _lines(d / "pronouns.txt"))
        lex.non_subject = frozenset(key(r[0]) for r in _lines(d / "non_subject.txt"))
        lex.clause_boundaries = frozenset(key(r[0]) for r in _lines(d / "clause_boundaries.txt"))
        for row in _lines(d / "items.tsv"):
            lex.items.append((tuple(key(w) for w in row[0].split()), row[1] if len(row) > 1 else row[0]))
        lex.items.sort(key=lambda it: -len(it[0]))
        if (d / "org_heads.txt").is_file():
            lex.org_heads = frozenset(key(r[0]) for r in _lines(d / "org_heads.txt"))
        if (d / "demonstratives.tsv").is_file():
            lex.demonstratives = [(key(r[0]), r[1]) for r in _lines(d / "demonstratives.tsv") if len(r) > 1]
        if (d / "first_person.txt").is_file():
            lex.first_person = frozenset(key(r[0]) for r in _lines(d / "first_person.txt"))
        if (d / "honorifics.txt").is_file():
            lex.honorifics = [tuple(key(w) for w in r[0].split()) for r in _lines(d / "honorifics.txt")]
        if (d / "reporting_exclude.tsv").is_file():
            lex.reporting_exclude = [tuple(r[0].split()) for r in _lines(d / "reporting_exclude.tsv")]
        if (d / "emphasised_propositions.txt").is_file():
            lex.propositions = frozenset(key(r[0]) for r in _lines(d / "emphasised_propositions.txt"))
        for path in sorted((d / "patterns").glob("*.tsv")):
            for row in _lines(path):
                if len(row) < 2:
                    continue
                conf = float(row[2]) if len(row) > 2 and row[2] else 0.7
                name = row[3] if len(row) > 3 and row[3] else f"{path.stem}_{len(lex.patterns)}"
                lex.patterns.append(Pattern(row[0], tuple(row[1].split()), conf, name, path.stem))
        return lex


@lru_cache(maxsize=4)
def default_lexicons(folder: str | None = None) -> Lexicons:
    return Lexicons.load(folder)
