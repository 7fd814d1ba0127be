"""The output contract of fa_relations (see SCHEMA.md in the shared folder).

Every extractor emits these dataclasses. Offsets (``start``/``end``) always index
the ORIGINAL string the user passed in, so ``doc.text[x.start:x.end] == x.text``
holds for every token, entity and triple argument.
"""

from __future__ import annotations

import json
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from . import frames
from .display import render

if TYPE_CHECKING:  # pragma: no cover
    import pandas

SCHEMA_VERSION = "1"

_T = TypeVar("_T")

#: Entity labels of SCHEMA.md. COUNTRY and CITY refine the corpora's LOC.
ENTITY_LABELS: tuple[str, ...] = (
    "PER", "ORG", "COUNTRY", "CITY", "LOC", "FAC", "EVENT", "PRODUCT",
    "DATE", "TIME", "MONEY", "PERCENT",
)
#: Labels an NER model tags; typing refines LOC/ORG into COUNTRY/CITY afterwards.
NER_LABELS: tuple[str, ...] = (
    "PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "PERCENT",
)

_ANY_ACTOR = frozenset({"PER", "ORG", "COUNTRY"})


@dataclass(frozen=True)
class PredicateSpec:
    """Type constraints of one predicate: allowed argument labels and symmetry."""

    name: str
    subject_labels: frozenset[str]
    object_labels: frozenset[str]
    symmetric: bool = False


PREDICATES: dict[str, PredicateSpec] = {
    spec.name: spec
    for spec in (
        PredicateSpec("visits", _ANY_ACTOR, frozenset({"COUNTRY", "CITY", "LOC", "FAC"})),
        PredicateSpec("meets", frozenset({"PER", "ORG"}), frozenset({"PER", "ORG"}), symmetric=True),
        PredicateSpec("position_held", frozenset({"PER"}), frozenset({"COUNTRY", "ORG", "CITY"})),
        PredicateSpec("says", _ANY_ACTOR, frozenset({"QUOTE"})),
        PredicateSpec("cooperates_with", _ANY_ACTOR, _ANY_ACTOR, symmetric=True),
        PredicateSpec("conflict_with", _ANY_ACTOR, _ANY_ACTOR, symmetric=True),
        PredicateSpec("supports", _ANY_ACTOR, _ANY_ACTOR),
        PredicateSpec("supplies", frozenset({"COUNTRY", "ORG"}), frozenset({"COUNTRY", "ORG"})),
        PredicateSpec("borders", frozenset({"COUNTRY"}), frozenset({"COUNTRY"}), symmetric=True),
        PredicateSpec("embassy_in", frozenset({"COUNTRY"}), frozenset({"COUNTRY", "CITY"})),
        PredicateSpec(
            "located_in",
            frozenset({"CITY", "FAC", "LOC", "ORG"}),
            frozenset({"CITY", "COUNTRY", "LOC"}),
        ),
        PredicateSpec("member_of", frozenset({"PER"}), frozenset({"ORG"})),
        PredicateSpec("accuses", _ANY_ACTOR, _ANY_ACTOR),
    )
}


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(slots=True)
class Token:
    """A word token. ``text`` is the original surface, ``norm`` its normalised form."""

    text: str
    norm: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Token:
        return cls(text=d["text"], norm=d.get("norm", d["text"]), start=d["start"], end=d["end"])


@dataclass(slots=True)
class Sentence:
    """A sentence as a character span of the original input."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sentence:
        return cls(start=d["start"], end=d["end"], text=d["text"])


class SpanList(Sequence[_T]):
    """Spans of one document's text stored compactly: two integer arrays of offsets into the
    text, plus, per position, the one string that may differ (a token's normalised form).

    A :class:`Token` or :class:`Sentence` per item costs hundreds of bytes as Python
    objects, which made the result of a 20 MB document weigh more than the model;
    here an item costs 16 bytes. Indexing or iterating gives the objects made on
    the fly, so an item read from the list is a copy: change one with
    ``items[i] = ...``. Compares equal to any sequence of the same items, and
    ``+`` gives a plain list.
    """

    __slots__ = ("_ends", "_extras", "_starts", "_surfaces", "_text")
    _kind = "item"

    def __init__(self, text: str, items: Iterable[_T] = ()) -> None:
        self._text = text
        self._starts = array("q")
        self._ends = array("q")
        #: position -> the item's extra string (a token's norm), where it differs from the surface
        self._extras: dict[int, str] = {}
        #: position -> surface, where it is not ``text[start:end]`` (only for items read from elsewhere)
        self._surfaces: dict[int, str] = {}
        self.extend(items)

    # what differs between the kinds of item
    def _make(self, start: int, end: int, surface: str, extra: str | None) -> _T:
        raise NotImplementedError

    def _extra_of(self, item: _T) -> str | None:
        return None

    def _add(self, start: int, end: int, extra: str | None = None) -> None:
        if extra is not None and extra != self._text[start:end]:
            self._extras[len(self._starts)] = extra
        self._starts.append(start)
        self._ends.append(end)

    def append(self, item: _T) -> None:
        i = len(self._starts)
        self._starts.append(item.start)
        self._ends.append(item.end)
        self._set_strings(i, item)

    def _set_strings(self, i: int, item: _T) -> None:
        self._extras.pop(i, None)
        self._surfaces.pop(i, None)
        if item.text != self._text[item.start:item.end]:
            self._surfaces[i] = item.text
        extra = self._extra_of(item)
        if extra is not None and extra != item.text:
            self._extras[i] = extra

    def extend(self, items: Iterable[_T]) -> None:
        if isinstance(items, type(self)) and items._text is self._text:
            self.extend_shifted(items, 0)
            return
        for item in items:
            self.append(item)

    def extend_shifted(self, other: SpanList[_T], by: int) -> None:
        """Append the items of ``other`` (over a piece of this text that starts at ``by``) with
        their offsets moved by ``by``."""
        n = len(self._starts)
        self._starts.extend(s + by for s in other._starts)
        self._ends.extend(e + by for e in other._ends)
        self._extras.update((n + i, v) for i, v in other._extras.items())
        self._surfaces.update((n + i, v) for i, v in other._surfaces.items())

    def _item(self, i: int) -> _T:
        s, e = self._starts[i], self._ends[i]
        surface = self._surfaces.get(i)
        return self._make(s, e, self._text[s:e] if surface is None else surface, self._extras.get(i))

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int | slice) -> _T | list[_T]:  # type: ignore[override]
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self)))]
        n = len(self._starts)
        if not -n <= index < n:
            raise IndexError(f"{self._kind} index out of range")
        return self._item(index % n)

    def __setitem__(self, index: int, item: _T) -> None:
        i = range(len(self._starts))[index]
        self._starts[i], self._ends[i] = item.start, item.end
        self._set_strings(i, item)

    def __iter__(self) -> Iterator[_T]:
        return (self._item(i) for i in range(len(self._starts)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __add__(self, other: Iterable[Any]) -> list[Any]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Any]) -> list[Any]:
        return [*other, *self]

    __hash__ = None  # type: ignore[assignment]  (mutable, as a list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def __getstate__(self) -> tuple:
        return self._text, self._starts, self._ends, self._extras, self._surfaces

    def __setstate__(self, state: tuple) -> None:
        self._text, self._starts, self._ends, self._extras, self._surfaces = state


class TokenList(SpanList[Token]):
    """The tokens of one document (see :class:`SpanList`): offsets, and the normalised forms
    that differ from the surface."""

    __slots__ = ()
    _kind = "token"

    def _make(self, start: int, end: int, surface: str, extra: str | None) -> Token:
        return Token(text=surface, norm=surface if extra is None else extra, start=start, end=end)

    def _extra_of(self, item: Token) -> str | None:
        return item.norm

    def add(self, start: int, end: int, norm: str | None = None) -> None:
        """Append the token ``text[start:end]`` with normalised form ``norm`` (default: the surface)."""
        self._add(start, end, norm)


class SentenceList(SpanList[Sentence]):
    """The sentences of one document (see :class:`SpanList`): offsets only."""

    __slots__ = ()
    _kind = "sentence"

    def _make(self, start: int, end: int, surface: str, extra: str | None) -> Sentence:
        return Sentence(start=start, end=end, text=surface)

    def add(self, start: int, end: int) -> None:
        """Append the sentence ``text[start:end]``."""
        self._add(start, end)


@dataclass(slots=True)
class Entity:
    """A named-entity mention.

    ``iso`` is the ISO 3166-1 alpha-2 code of a COUNTRY (or of the country of a
    CITY), ``canonical`` the canonical Persian name, ``cluster`` the id shared
    by mentions of the same entity within one document.
    """

    text: str
    label: str
    start: int
    end: int
    iso: str | None = None
    canonical: str | None = None
    cluster: int | None = None
    score: float | None = None

    def __post_init__(self) -> None:
        self.label = sys.intern(self.label)  # one string per label, not one per entity (spaCy's label_ is a new str)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(asdict(self))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(
            text=d["text"], label=d["label"], start=d["start"], end=d["end"],
            iso=d.get("iso"), canonical=d.get("canonical"), cluster=d.get("cluster"),
            score=d.get("score"),
        )


@dataclass(slots=True)
class Mention:
    """A span of the input that is not itself an entity (a title or pronoun)."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Mention:
        return cls(text=d["text"], start=d["start"], end=d["end"])


@dataclass(slots=True)
class Argument:
    """A triple argument: an entity, or a ``QUOTE`` span for ``says``.

    When the argument was reached through a title or pronoun, ``resolved_from``
    keeps that mention while ``text``/``start``/``end`` name the entity.
    """

    text: str
    start: int
    end: int
    label: str
    iso: str | None = None
    canonical: str | None = None
    resolved_from: Mention | None = None

    def __post_init__(self) -> None:
        self.label = sys.intern(self.label)

    @classmethod
    def from_entity(cls, ent: Entity, resolved_from: Mention | None = None) -> Argument:
        return cls(
            text=ent.text, start=ent.start, end=ent.end, label=ent.label,
            iso=ent.iso, canonical=ent.canonical, resolved_from=resolved_from,
        )

    def to_dict(self) -> dict[str, Any]:
        d = _drop_none(asdict(self))
        if self.resolved_from is not None:
            d["resolved_from"] = self.resolved_from.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Argument:
        rf = d.get("resolved_from")
        return cls(
            text=d["text"], start=d["start"], end=d["end"], label=d.get("label", ""),
            iso=d.get("iso"), canonical=d.get("canonical"),
            resolved_from=Mention.from_dict(rf) if rf else None,
        )


@dataclass(slots=True)
class Triple:
    """A relation ``(subject, predicate, object)`` with provenance.

    ``method`` names the rule or model, ``evidence`` holds the trigger words as
    spans of the input, ``sentence`` the (start, end) of the sentence stating it.
    """

    subject: Argument
    predicate: str
    object: Argument
    attributes: dict[str, str] = field(default_factory=dict)
    confidence: float = 1.0
    method: str = ""
    evidence: list[Mention] = field(default_factory=list)
    sentence: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.predicate not in PREDICATES:
            raise ValueError(f"unknown predicate {self.predicate!r}; expected one of {sorted(PREDICATES)}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must lie in [0, 1], got {self.confidence}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject.to_dict(),
            "predicate": self.predicate,
            "object": self.object.to_dict(),
            "attributes": dict(self.attributes),
            "confidence": round(self.confidence, 4),
            "method": self.method,
            "evidence": [e.to_dict() for e in self.evidence],
            "sentence": list(self.sentence) if self.sentence is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Triple:
        sent = d.get("sentence")
        return cls(
            subject=Argument.from_dict(d["subject"]),
            predicate=d["predicate"],
            object=Argument.from_dict(d["object"]),
            attributes=dict(d.get("attributes") or {}),
            confidence=float(d.get("confidence", 1.0)),
            method=d.get("method", ""),
            evidence=[Mention.from_dict(e) for e in d.get("evidence") or []],
            sentence=(int(sent[0]), int(sent[1])) if sent else None,
        )


@dataclass
class Document:
    """The analysis of one input string. ``text`` is exactly what the user passed."""

    text: str
    #: a :class:`TokenList` (a list of tokens given here is stored as one)
    tokens: Sequence[Token] = field(default_factory=list)
    #: a :class:`SentenceList` (a list given here is stored as one)
    sentences: Sequence[Sentence] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list)
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.tokens, TokenList):
            self.tokens = TokenList(self.text, self.tokens)
        if not isinstance(self.sentences, SentenceList):
            self.sentences = SentenceList(self.text, self.sentences)

    def to_dict(self, *, include_tokens: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "entities": [e.to_dict() for e in self.entities],
            "triples": [t.to_dict() for t in self.triples],
            "sentences": [s.to_dict() for s in self.sentences],
            "meta": dict(self.meta),
        }
        if include_tokens:
            d["tokens"] = [t.to_dict() for t in self.tokens]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        return cls(
            text=d["text"],
            tokens=[Token.from_dict(t) for t in d.get("tokens") or []],
            sentences=[Sentence.from_dict(s) for s in d.get("sentences") or []],
            entities=[Entity.from_dict(e) for e in d.get("entities") or []],
            triples=[Triple.from_dict(t) for t in d.get("triples") or []],
            id=d.get("id"),
            meta=dict(d.get("meta") or {}),
        )

    def to_pandas(self) -> pandas.DataFrame:
        """One row per triple: both arguments' text, label, ISO code, canonical name and offsets,
        predicate, attributes, confidence, method (see :func:`fa_relations.frames.triples_frame`)."""
        return frames.triples_frame(self)

    def entities_frame(self) -> pandas.DataFrame:
        """One row per entity (see :func:`fa_relations.frames.entities_frame`)."""
        return frames.entities_frame(self)

    def _repr_html_(self) -> str:
        """Jupyter's view of a document: :func:`fa_relations.render` (entities and triples, right to left)."""
        return render(self)

    def to_json(self, *, include_tokens: bool = True) -> str:
        return json.dumps(self.to_dict(include_tokens=include_tokens), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> Document:
        return cls.from_dict(json.loads(line))


def write_jsonl(docs: Iterable[Document], path_or_file: str | Path | IO[str], *, include_tokens: bool = True) -> int:
    """Write documents as JSON Lines; returns how many were written."""
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "w", encoding="utf-8") as fh:
            return write_jsonl(docs, fh, include_tokens=include_tokens)
    n = 0
    for doc in docs:
        path_or_file.write(doc.to_json(include_tokens=include_tokens) + "\n")
        n += 1
    return n


def read_jsonl(path_or_file: str | Path | IO[str]) -> Iterator[Document]:
    """Read documents written by :func:`write_jsonl`."""
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, encoding="utf-8") as fh:
            yield from read_jsonl(fh)
        return
    for line in path_or_file:
        if line.strip():
            yield Document.from_json(line)
