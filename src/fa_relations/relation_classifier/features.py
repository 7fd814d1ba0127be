"""Candidate pairs and their features for the relation classifier.

A *candidate* is an ordered pair of entities of one sentence whose labels fit
some predicate's argument types (SCHEMA.md); ``says`` is left to the rules,
whose statement spans the classifier does not produce. Features are strings
(type pair and direction, distance, the words between the two entities and
around them, entity head words, punctuation between), hashed into integer
keys for the model's sparse linear layer. Words are compared by the text
layer's look-up key, so spelling variants share features.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy
from spacy.tokens import Doc, Span

from ..schema import PREDICATES
from ..text.keys import lookup_key

#: Predicates the classifier scores ("says" needs statement spans: the rules give those).
MODEL_PREDICATES: tuple[str, ...] = tuple(sorted(p for p in PREDICATES if p != "says"))
NONE = "none"
#: Output labels of the model, in order.
LABELS: tuple[str, ...] = (NONE, *MODEL_PREDICATES)
#: Candidates further apart than this many tokens are not scored.
MAX_DISTANCE = 40
#: At most this many words between the arguments enter as one joined feature.
SHORT_GAP = 5
#: Where a classifier finds its candidates: every fitting entity pair of each sentence (news), or the
#: one marked pair of each doc (``doc.spans[MARKED_PAIR_KEY]`` = [e1, e2], as in SemEval/PERLEX).
CANDIDATE_SOURCES: tuple[str, ...] = ("entity_pairs", "marked_pair")
MARKED_PAIR_KEY = "fa_marked_pair"
_PUNCT = frozenset("،,.:؛;«»\"()-–—!?؟")
_LABEL_PAIRS = frozenset(
    (s, o) for spec in PREDICATES.values() if spec.name != "says"
    for s in spec.subject_labels for o in spec.object_labels
)


@dataclass(frozen=True)
class Candidate:
    """Two entities of one sentence (``subject`` first as a triple would have it) and the sentence span."""

    subject: Span
    object: Span
    sent_start: int
    sent_end: int

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.subject.start, self.subject.end, self.object.start, self.object.end)


def candidates(doc: Doc) -> list[Candidate]:
    """Every ordered entity pair of each sentence whose labels some predicate allows, nearest first."""
    out: list[Candidate] = []
    sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
    ents = list(doc.ents)
    for sent in sents:
        inside = [e for e in ents if e.start >= sent.start and e.end <= sent.end]
        for a in inside:
            for b in inside:
                if a is b or a.start == b.start or (a.label_, b.label_) not in _LABEL_PAIRS:
                    continue
                gap = b.start - a.end if a.start < b.start else a.start - b.end
                if gap <= MAX_DISTANCE:
                    out.append(Candidate(a, b, sent.start, sent.end))
    return out


def marked_pair(doc: Doc) -> list[Candidate]:
    """The doc's marked pair (e1 as subject, e2 as object), or nothing when it has none."""
    pair = doc.spans.get(MARKED_PAIR_KEY, [])
    if len(pair) != 2:
        return []
    return [Candidate(pair[0], pair[1], 0, len(doc))]


def candidates_from(doc: Doc, source: str) -> list[Candidate]:
    """The candidates of ``doc`` by ``source`` (one of :data:`CANDIDATE_SOURCES`)."""
    return marked_pair(doc) if source == "marked_pair" else candidates(doc)


def _bucket(n: int) -> str:
    return str(n) if n < 4 else "4-6" if n < 7 else "7-12" if n < 13 else "13+"


def _w(doc: Doc, i: int) -> str:
    return lookup_key(doc[i].text) or doc[i].text


def features(doc: Doc, cand: Candidate) -> list[str]:
    """The feature strings of one candidate."""
    s, o = cand.subject, cand.object
    left, right = (s, o) if s.start < o.start else (o, s)
    direction = "so" if left is s else "os"
    types = f"{s.label_}>{o.label_}"
    between = [i for i in range(left.end, right.start) if not doc[i].is_space]
    words = [_w(doc, i) for i in between]
    ents_between = sum(1 for e in doc.ents if e.start >= left.end and e.end <= right.start)
    f = ["bias", f"t:{types}", f"td:{types}:{direction}", f"d:{_bucket(len(words))}",
         f"td:{types}:{_bucket(len(words))}", f"ne:{min(ents_between, 3)}"]
    for k, w in enumerate(words):
        f.append(f"b:{w}")
        f.append(f"bd:{direction}:{w}")
        f.append(f"bt:{types}:{w}")
        if k:
            f.append(f"bb:{words[k - 1]}_{w}")
    if words:
        f += [f"bf:{words[0]}", f"bl:{words[-1]}"]
    if len(words) <= SHORT_GAP:
        f.append(f"bs:{direction}:{'_'.join(words)}")
    if any(w in _PUNCT for w in words):
        f += [f"p:{w}" for w in words if w in _PUNCT]
    if "و" in words:
        f.append("and")
    for k in (1, 2):
        if left.start - k >= cand.sent_start:
            f.append(f"l{k}:{_w(doc, left.start - k)}")
        if right.end + k - 1 < cand.sent_end:
            f.append(f"r{k}:{_w(doc, right.end + k - 1)}")
    for name, span in (("s", s), ("o", o)):
        f.append(f"{name}h:{_w(doc, span.start)}")
        f.append(f"{name}e:{_w(doc, span.end - 1)}")
    # the words just after the later argument up to the end of the sentence often hold the verb
    tail = [_w(doc, i) for i in range(right.end, min(cand.sent_end, right.end + 6)) if not doc[i].is_space]
    f += [f"a:{w}" for w in tail]
    return f


def hash_features(feats: list[list[str]]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Keys, values and lengths for thinc's ``SparseLinear`` (one row per candidate)."""
    keys = numpy.fromiter((zlib.crc32(x.encode("utf-8")) for row in feats for x in row), dtype="uint64")
    values = numpy.ones(len(keys), dtype="float32")
    lengths = numpy.fromiter((len(row) for row in feats), dtype="int32", count=len(feats))
    return keys, values, lengths
