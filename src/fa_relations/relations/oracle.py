"""Building a Doc with given (gold / oracle) entities, for evaluation and tests."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span


def doc_with_entities(nlp: Language, text: str, entities: Iterable[dict]) -> Doc:
    """Tokenise ``text`` with ``nlp`` and set ``doc.ents`` from entity dicts.

    Each dict has ``start``/``end`` in ORIGINAL ``text`` offsets, ``label`` and
    optionally ``iso``. QUOTE entries are ignored; overlapping spans keep the first.
    """
    doc = nlp.make_doc(text)
    aligned = doc._.fa_aligned
    spans: list[Span] = []
    taken: set[int] = set()
    # an entity added by the annotators inside a corpus span («سفارت [آمریکا]») wins the overlap
    for e in sorted(entities, key=lambda e: (not e.get("added"), e["start"], -e["end"])):
        if e.get("label") == "QUOTE":
            continue
        s, t = (aligned.from_original(e["start"], e["end"]) if aligned is not None else (e["start"], e["end"]))
        span = doc.char_span(s, t, label=e["label"], alignment_mode="expand")
        if span is None or any(i in taken for i in range(span.start, span.end)):
            continue
        if e.get("iso"):
            span._.iso = e["iso"]
        taken.update(range(span.start, span.end))
        spans.append(span)
    doc.ents = spans
    return doc
