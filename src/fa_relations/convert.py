"""Turning an annotated spaCy ``Doc`` into the :class:`~fa_relations.schema.Document` of SCHEMA.md."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from .extensions import original_span, original_text
from .schema import Document, Entity, SentenceList, TokenList


def doc_to_document(doc: Doc, *, id: str | None = None, meta: dict[str, Any] | None = None,
                    tokens: bool = True) -> Document:
    """Map every token, sentence and entity of ``doc`` back to offsets of the original input.

    ``tokens=False`` leaves ``Document.tokens`` empty (what the corpus writes without tokens)."""
    text = original_text(doc)
    token_list = TokenList(text)
    for tok in doc if tokens else ():
        if tok.is_space:
            continue
        s, e, _ = original_span(doc, tok.idx, tok.idx + len(tok.text))
        token_list.add(s, e, tok.text)
    sentences = SentenceList(text)
    if doc.has_annotation("SENT_START"):
        for sent in doc.sents:
            words = [t for t in sent if not t.is_space]
            if not words:
                continue
            s, e, _ = original_span(doc, words[0].idx, words[-1].idx + len(words[-1].text))
            sentences.add(s, e)
    entities = []
    for ent in doc.ents:
        s, e, surface = original_span(doc, ent.start_char, ent.end_char)
        entities.append(
            Entity(
                text=surface, label=ent.label_, start=s, end=e,
                iso=ent._.iso, canonical=ent._.canonical, cluster=ent._.cluster, score=ent._.score,
            )
        )
    triples = list(doc._.triples or [])
    return Document(
        text=text, tokens=token_list, sentences=sentences, entities=entities, triples=triples,
        id=id, meta=dict(meta or {}),
    )
