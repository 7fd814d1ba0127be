"""A light view of a spaCy ``Doc`` for the rules: sentences of keyed tokens and argument candidates.

A *candidate* is anything that can fill a triple argument: a named entity, a
title mention («رئیس‌جمهوری اسرائیل») or a pronoun («وی»). Title and pronoun
candidates carry the named person they resolve to (or none: then they can
never be an argument, but they still block a rule from picking another
entity as the subject).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc, Span

from ..extensions import original_span
from ..schema import Argument, Mention
from .lexicon import Lexicons, PhraseIndex, key

PUNCT_KEYS = frozenset({".", "!", "?", "؟", ":", "؛", ";", "،", ",", "«", "»", "\"", "(", ")", "-", "ـ", "–", "—", "/", "…", "[", "]", "'", "“", "”"})
HARD_BOUNDARY = frozenset({".", "!", "?", "؟", ":", "؛", ";"})
COMMA = frozenset({"،", ","})
OPEN_QUOTES = frozenset({"«", "\"", "“"})
CLOSE_QUOTES = frozenset({"»", "\"", "”"})

_PAST_ENDINGS = ("", "م", "ی", "یم", "ید", "ند", "ه", "هام", "های", "هایم", "هاید", "هاند", "هاست")
_PRESENT_ENDINGS = ("م", "ی", "د", "یم", "ید", "ند")
_PREFIXES = ("نمی", "می", "ن", "ب", "")
_FUTURE = frozenset(p + "خواه" + e for p in ("", "ن") for e in ("م", "ی", "د", "یم", "ید", "ند"))


@dataclass
class Tok:
    i: int  # index in the sentence token list
    doc_i: int  # index in the Doc
    text: str
    key: str
    start: int  # char offsets in doc.text
    end: int


@dataclass
class Cand:
    """An argument candidate over sentence tokens ``[start, end)``."""

    start: int
    end: int
    label: str  # entity label; PER for a resolved title/pronoun; TITLE/PRON when unresolved
    kind: str  # "ent" | "title" | "pron"
    span: Span | None  # the entity that becomes the argument (None: unresolved)
    mention: tuple[int, int] | None = None  # doc char span of the title/pronoun
    app_end: int | None = None  # end of an apposition that follows («X، رئیس Y»)
    sent: int = 0

    @property
    def resolved(self) -> bool:
        return self.span is not None

    @property
    def is_person(self) -> bool:
        return self.resolved and self.label == "PER"


@dataclass
class Sent:
    index: int
    toks: list[Tok]
    start: int  # doc char offsets of the first/last non-space token
    end: int
    cands: list[Cand] = field(default_factory=list)
    quotes: list[tuple[int, int, Cand]] = field(default_factory=list)  # statements (token range) and speaker
    #: trigger word or verb-form set → whether the sentence's keys contain it (filled by the pattern families)
    seen_triggers: dict[object, bool] = field(default_factory=dict, repr=False, compare=False)
    #: token position → the position past the honorifics opening a name there (filled by the pattern matcher)
    past_honorifics: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def joined_keys(self) -> str:
        """Every token key, concatenated (the tokens never change after :func:`build_sentences`)."""
        return "".join(t.key for t in self.toks)

    def cands_at(self, i: int) -> list[Cand]:
        return [c for c in self.cands if c.start == i]

    def cand_covering(self, i: int) -> Cand | None:
        for c in self.cands:
            if c.start <= i < c.end:
                return c
        return None

    def text(self, doc: Doc, a: int, b: int) -> str:
        """doc text of sentence tokens [a, b)."""
        if a >= b:
            return ""
        # a Span, not doc.text: doc.text rebuilds the whole document's string on every call
        return doc[self.toks[a].doc_i:self.toks[b - 1].doc_i + 1].text


def build_sentences(doc: Doc) -> list[Sent]:
    sents: list[Sent] = []
    spans = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    for sp in spans:
        toks: list[Tok] = []
        for t in sp:
            if t.is_space or not t.text.strip():
                continue
            toks.append(Tok(len(toks), t.i, t.text, key(t.text), t.idx, t.idx + len(t.text)))
        if not toks:
            continue
        sents.append(Sent(len(sents), toks, toks[0].start, toks[-1].end))
    return sents


# ---------------------------------------------------------------------------
# word and verb matching


def match_words(toks: list[Tok], i: int, words: tuple[str, ...] | str) -> int | None:
    """If the keys of ``words`` spell tokens ``i..j-1`` (ignoring spaces/ZWNJ), return ``j``."""
    target = words if isinstance(words, str) else "".join(words)
    if not target:
        return i
    acc = ""
    j = i
    while j < len(toks) and len(acc) < len(target):
        k = toks[j].key
        if not k:
            return None
        acc += k
        j += 1
        if not target.startswith(acc):
            return None
    return j if acc == target else None


def verb_forms(past: str, present: str) -> frozenset[str]:
    forms = {past + e for e in _PAST_ENDINGS}
    if present:
        forms |= {present + e for e in _PRESENT_ENDINGS}
    return frozenset(forms)


def verb_negated(toks: list[Tok], i: int, forms: frozenset[str]) -> bool:
    """Whether the verb :func:`match_verb` matches at ``i`` is negated («نگفت»، «نمی‌گوید»، «نخواهد گفت»)."""
    k = toks[i].key if i < len(toks) else ""
    if k == "نمی" or (k in _FUTURE and k.startswith("ن")):
        return True
    return any(k.startswith(pre) and k[len(pre):] in forms for pre in ("نمی", "ن"))


def match_verb(toks: list[Tok], i: int, forms: frozenset[str]) -> int | None:
    """Match an inflected verb (with می/نمی written apart, joined or with ZWNJ) at ``i``."""
    if i >= len(toks):
        return None
    k = toks[i].key
    # future: «خواهد کرد»، «نخواهند رفت»
    if k in _FUTURE and i + 1 < len(toks) and toks[i + 1].key in forms:
        return i + 2
    if k in ("می", "نمی") and i + 1 < len(toks) and toks[i + 1].key in forms:
        return i + 2
    for pre in _PREFIXES:
        if k.startswith(pre) and k[len(pre):] in forms:
            if pre and len(k) - len(pre) < 2:
                continue
            return i + 1
    return None


def verb_start_keys(forms: frozenset[str]) -> frozenset[str]:
    """Every token key at which :func:`match_verb` can match ``forms`` (a superset: prefixes and auxiliaries)."""
    return frozenset(pre + f for pre in _PREFIXES for f in forms) | _FUTURE | {"می", "نمی"}


# ---------------------------------------------------------------------------
# arguments


def argument_from_span(doc: Doc, span: Span, resolved_from: Mention | None = None) -> Argument:
    """A triple argument for the entity ``span``, with offsets into the original input."""
    s, e, surface = original_span(doc, span.start_char, span.end_char)
    return Argument(text=surface, start=s, end=e, label=span.label_, iso=span._.iso, canonical=span._.canonical,
                    resolved_from=resolved_from)


def argument_from_cand(doc: Doc, cand: Cand) -> Argument:
    assert cand.span is not None
    rf = mention(doc, *cand.mention) if cand.mention is not None else None
    return argument_from_span(doc, cand.span, rf)


def mention(doc: Doc, start: int, end: int) -> Mention:
    s, e, surface = original_span(doc, start, end)
    return Mention(text=surface, start=s, end=e)


def entity_key(span: Span) -> str:
    """Identity of an entity for title resolution and self-relation checks."""
    if span._.iso and span.label_ == "COUNTRY":
        return "iso:" + span._.iso
    if span._.cluster is not None:
        return f"cl:{span._.cluster}"
    k = key(span.text)
    for prefix in ("جمهوری", "کشور", "دولت"):
        pk = key(prefix)
        if k.startswith(pk) and len(k) > len(pk) + 2 and span.label_ in ("COUNTRY", "LOC"):
            k = k[len(pk):]
    return "txt:" + k


__all__ = [
    "CLOSE_QUOTES",
    "COMMA",
    "HARD_BOUNDARY",
    "OPEN_QUOTES",
    "PUNCT_KEYS",
    "Cand",
    "Lexicons",
    "PhraseIndex",
    "Sent",
    "Tok",
    "argument_from_cand",
    "build_sentences",
    "entity_key",
    "match_verb",
    "match_words",
    "mention",
    "verb_forms",
    "verb_start_keys",
]
