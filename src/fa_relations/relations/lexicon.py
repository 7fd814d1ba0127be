"""Loading the editable relation lexicons of ``data/lexicons/relations/``.

Every entry is compared in its *key* form (:func:`key`): letters unified
(Arabic ي/ك, hamza seat ئ → ی, diacritics dropped), ZWNJ and spaces removed.
So a lexicon written with ZWNJ matches text without it and vice versa.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

from ..defaults import WORD_MEMO_SIZE
from ..paths import data_dir
from ..resources import tsv_rows
from ..schema import PREDICATES
from ..text.keys import lookup_key


@lru_cache(maxsize=WORD_MEMO_SIZE)
def key(text: str) -> str:
    """Matching key of a word or phrase: the text layer's look-up key; ``_`` joins the words
    of a multi-word lexicon entry and is dropped too."""
    return lookup_key(text, drop="_")


def lexicon_dir() -> Path:
    return data_dir() / "lexicons" / "relations"


class _Keyed(Protocol):
    """A token as the rules see it (:class:`~.docview.Tok`): anything with a ``key``."""

    key: str


class PhraseIndex:
    """Phrases (key strings, or tuples of word keys spelt one after another) indexed by their prefixes.

    Tokens ``i..j-1`` spell a phrase (:func:`match_words`) only if the key of token
    ``i`` is a non-empty prefix of it, so :meth:`at` gives, in the phrases' own
    order, the only phrases worth trying at a token: a rule that tried every
    phrase at every token tries a handful (usually none) and finds the same matches.
    """

    def __init__(self, phrases: Sequence[str | tuple[str, ...]]) -> None:
        joined = [p if isinstance(p, str) else "".join(p) for p in phrases]
        # an empty phrase matches anywhere (match_words returns i): it is a candidate at every token
        always = {n for n, p in enumerate(joined) if not p}
        by_prefix: dict[str, set[int]] = {}
        for n, p in enumerate(joined):
            for k in range(1, len(p) + 1):
                by_prefix.setdefault(p[:k], set()).add(n)
        self._always = tuple(sorted(always))
        self._by_prefix = {k: tuple(sorted(v | always)) for k, v in by_prefix.items()}

    def at(self, toks: Sequence[_Keyed], i: int) -> tuple[int, ...]:
        """Indices of the phrases that may start at token ``i``, in ascending order."""
        if i >= len(toks):
            return self._always
        return self._by_prefix.get(toks[i].key, self._always)


class LexiconError(ValueError):
    """A lexicon or pattern file that cannot be used (the message names the file and line)."""


#: suffixes of the files a lexicon folder is made of (the whole folder travels with a saved pipeline)
LEXICON_SUFFIXES = (".tsv", ".txt", ".md")


def read_folder(folder: Path) -> dict[str, str]:
    """The texts of every lexicon file under ``folder``: relative POSIX path → text."""
    if not folder.is_dir():
        raise FileNotFoundError(f"relation lexicon folder {folder} does not exist")
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in LEXICON_SUFFIXES and not any(part.startswith(".") for part in p.parts)
    }


class _Files:
    """Look-up of lexicon texts by file name, with a clear error for a missing required file."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files

    def has(self, name: str) -> bool:
        return name in self.files

    def rows(self, name: str) -> list[list[str]]:
        if name not in self.files:
            raise LexiconError(f"relation lexicon file {name} is missing")
        return [cells for _, cells in tsv_rows(self.files[name])]


#: closed word lists the rules read: Lexicons attribute → file (one word or phrase a line)
WORD_SETS: dict[str, str] = {
    "relation_nouns": "relation_nouns.txt",
    "not_name_words": "not_name_words.txt",
    "auxiliaries": "auxiliaries.txt",
    "statement_nouns": "statement_nouns.txt",
    "statement_verbs": "statement_verbs.txt",
    "not_a_statement": "not_a_statement.txt",
    "emphasis_verbs": "emphasis_verbs.txt",
    "news_outlets": "news_outlets.txt",
    "interview_nouns": "interview_nouns.txt",
    "sent_things": "sent_things.txt",
    "copulas": "copulas.txt",
    "modifier_stops": "modifier_stops.txt",
    "reflexives": "reflexives.txt",
    "demonstrative_determiners": "demonstrative_determiners.txt",
    "complement_openers": "complement_openers.txt",
    "kin_nouns": "kin_nouns.txt",
    "headline_nouns": "headline_nouns.txt",
    "located_org_heads": "located_org_heads.txt",
}


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
    source: str = field(default="", compare=False)  # "patterns/FILE.tsv:LINE", for error messages


@dataclass(frozen=True)
class Lexicons:
    """All relation lexicons, loaded from one folder (immutable: built once by :meth:`from_files`)."""

    verbs: Mapping[str, str] = field(default_factory=dict)  # past stem key -> present stem key
    reporting: tuple[tuple[tuple[str, ...], float], ...] = ()
    #: reporting phrases (as written, words joined by spaces) that may take a statement with no «:»/«که»
    reporting_direct: frozenset[str] = frozenset()
    dual: tuple[tuple[str, ...], ...] = ()
    attribution: tuple[tuple[str, ...], ...] = ()
    titles: tuple[Title, ...] = ()  # longest first
    pronouns: frozenset[str] = frozenset()
    non_subject: frozenset[str] = frozenset()
    clause_boundaries: frozenset[str] = frozenset()
    items: tuple[tuple[tuple[str, ...], str], ...] = ()  # longest first
    first_person: frozenset[str] = frozenset()
    org_heads: frozenset[str] = frozenset()
    demonstratives: tuple[tuple[str, str], ...] = ()
    honorifics: tuple[tuple[str, ...], ...] = ()
    reporting_exclude: tuple[tuple[str, ...], ...] = ()
    propositions: frozenset[str] = frozenset()  # «بر لزوم ... تاکید کرد»: nouns that head a statement
    #: meets: an object starting with one of these is a medium (an interview), not a meeting partner
    meets_media: frozenset[str] = frozenset()
    #: words that make a sentence about a sports match: no meets, no conflict_with
    sport: frozenset[str] = frozenset()
    #: «آذربایجان روابط دفاعی»: relation nouns an NER ORG may swallow after a state
    relation_nouns: frozenset[str] = frozenset()
    #: words never part of a name the NER missed in a list of titled persons
    not_name_words: frozenset[str] = frozenset()
    #: says: words between a reporting verb and its delimiter
    auxiliaries: frozenset[str] = frozenset()
    #: says: «در بیانیه X آمده است»: the documents
    statement_nouns: frozenset[str] = frozenset()
    #: says: «در بیانیه X آمده است»: the verb
    statement_verbs: frozenset[str] = frozenset()
    #: says: words after a reporting verb that start no direct statement
    not_a_statement: frozenset[str] = frozenset()
    #: says: «بر لزوم ... تاکید کرد»: the first word of the reporting phrase
    emphasis_verbs: frozenset[str] = frozenset()
    #: says: prefixes of organisations that head a byline, not a headline
    news_outlets: frozenset[str] = frozenset()
    #: says/meets: interview nouns («گفت‌وگو با X: ...»)
    interview_nouns: frozenset[str] = frozenset()
    #: movement: «پیام X را به Y فرستاد»: what is sent instead of a person
    sent_things: frozenset[str] = frozenset()
    #: appositions: «X، سرمربی Y شد»: copulas after a title
    copulas: frozenset[str] = frozenset()
    #: appositions: words that end the modifiers between a title and its organisation
    modifier_stops: frozenset[str] = frozenset()
    #: appositions: «بازیکن ... خود»
    reflexives: frozenset[str] = frozenset()
    #: subjects: «این مسئول گفت»: determiners that make a clause-opening noun phrase an unnamed subject
    demonstrative_determiners: frozenset[str] = frozenset()
    #: subjects: «این که ...»: words before «که» that open a complement clause
    complement_openers: frozenset[str] = frozenset()
    #: subjects: «خواهر X می‌گوید»: relatives and aides whose name complement is not the subject
    kin_nouns: frozenset[str] = frozenset()
    #: says: «واکنش X به Y: ...»: speech nouns that may open a headline before its speaker
    headline_nouns: frozenset[str] = frozenset()
    #: located_in: «دانشگاه X در Y»: organisations that stand in one place, located like a facility
    located_org_heads: frozenset[str] = frozenset()
    #: light verbs (past stem keys) of «... برگزار شد ،» relative clauses and «... کرد و X گفت» coordination
    light_verbs: tuple[str, ...] = ()
    patterns: tuple[Pattern, ...] = ()

    # Indexes of the phrase lists by token key (built on first use, once per Lexicons): a rule
    # asks which phrases may start at a token instead of trying every phrase there.
    @cached_property
    def title_index(self) -> PhraseIndex:
        return PhraseIndex([t.key for t in self.titles])

    @cached_property
    def attribution_index(self) -> PhraseIndex:
        return PhraseIndex(self.attribution)

    @cached_property
    def demonstrative_index(self) -> PhraseIndex:
        return PhraseIndex([words for words, _ in self.demonstratives])

    @cached_property
    def item_index(self) -> PhraseIndex:
        return PhraseIndex([words for words, _ in self.items])

    @cached_property
    def dual_index(self) -> PhraseIndex:
        return PhraseIndex(self.dual)

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Lexicons:
        """Load every lexicon of ``folder`` (default: the bundled ``data/lexicons/relations``)."""
        return cls.from_files(read_folder(Path(folder) if folder is not None else lexicon_dir()))

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> Lexicons:
        """Parse the texts of a lexicon folder (relative path → text, as :func:`read_folder` gives)."""
        d = _Files(files)

        def keys(name: str) -> frozenset[str]:
            return frozenset(key(r[0]) for r in d.rows(name))

        def phrases(name: str) -> tuple[tuple[str, ...], ...]:
            return tuple(tuple(key(w) for w in r[0].split()) for r in d.rows(name))

        def optional(name: str, read: Callable[[str], Any], empty: Any) -> Any:
            return read(name) if d.has(name) else empty

        verbs = {key(row[0]): key(row[1]) if len(row) > 1 and row[1] else "" for row in d.rows("verbs.tsv")}
        reporting, direct = [], set()
        for row in d.rows("reporting_verbs.tsv"):
            conf = float(row[1]) if len(row) > 1 and row[1] else 0.8
            reporting.append((tuple(row[0].split()), conf))
            if len(row) > 2 and row[2].lower() == "direct":
                direct.add(" ".join(row[0].split()))
        titles = [
            Title(row[0], key(row[0]), row[1] if len(row) > 1 else "position_held",
                  (row[2] if len(row) > 2 else "yes").lower() in ("yes", "y", "true", "1"))
            for row in d.rows("titles.tsv")
        ]
        # longest titles first, so «رئیس جمهور» wins over «رئیس»
        titles.sort(key=lambda t: -len(t.key))
        items = [(tuple(key(w) for w in row[0].split()), row[1] if len(row) > 1 else row[0]) for row in d.rows("items.tsv")]
        items.sort(key=lambda it: -len(it[0]))
        meets = [r[0] for r in d.rows("meets_exclude.txt")] if d.has("meets_exclude.txt") else []
        patterns: list[Pattern] = []
        for name in sorted(f for f in files if f.startswith("patterns/") and f.endswith(".tsv") and f.count("/") == 1):
            family = name[len("patterns/"):-len(".tsv")]
            for line, row in tsv_rows(files[name]):
                patterns.append(_pattern(row, family, f"{name}:{line}", len(patterns)))
        return cls(
            verbs=verbs,
            reporting=tuple(reporting),
            reporting_direct=frozenset(direct),
            dual=phrases("dual_statement.txt"),
            attribution=phrases("attribution.txt"),
            titles=tuple(titles),
            pronouns=keys("pronouns.txt"),
            non_subject=keys("non_subject.txt"),
            clause_boundaries=keys("clause_boundaries.txt"),
            items=tuple(items),
            first_person=optional("first_person.txt", keys, frozenset()),
            org_heads=optional("org_heads.txt", keys, frozenset()),
            demonstratives=optional(
                "demonstratives.tsv", lambda n: tuple((key(r[0]), r[1]) for r in d.rows(n) if len(r) > 1), ()
            ),
            honorifics=optional("honorifics.txt", phrases, ()),
            reporting_exclude=optional("reporting_exclude.tsv", lambda n: tuple(tuple(r[0].split()) for r in d.rows(n)), ()),
            propositions=optional("emphasised_propositions.txt", keys, frozenset()),
            meets_media=frozenset(key(w) for w in meets if not w.startswith("@sport ")),
            sport=frozenset(key(w[len("@sport "):]) for w in meets if w.startswith("@sport ")),
            light_verbs=tuple(key(r[0]) for r in d.rows("light_verbs.txt")),
            patterns=tuple(patterns),
            **{attr: keys(name) for attr, name in WORD_SETS.items()},
        )


def _pattern(row: list[str], family: str, source: str, index: int) -> Pattern:
    """One row ``predicate<TAB>pattern[<TAB>confidence[<TAB>rule name]]`` of a pattern file."""
    if len(row) < 2 or not row[1]:
        raise LexiconError(f"{source}: expected predicate<TAB>pattern[<TAB>confidence<TAB>rule], got {row!r}")
    if row[0] not in PREDICATES:
        raise LexiconError(f"{source}: unknown predicate {row[0]!r} (see fa_relations.schema.PREDICATES)")
    try:
        conf = float(row[2]) if len(row) > 2 and row[2] else 0.7
    except ValueError:
        raise LexiconError(f"{source}: confidence {row[2]!r} is not a number") from None
    if not 0.0 < conf <= 1.0:
        raise LexiconError(f"{source}: confidence {conf} is not in (0, 1]")
    name = row[3] if len(row) > 3 and row[3] else f"{family}_{index}"
    return Pattern(row[0], tuple(row[1].split()), conf, name, family, source)


@lru_cache(maxsize=4)
def default_lexicons(folder: str | None = None) -> Lexicons:
    return Lexicons.load(folder)
