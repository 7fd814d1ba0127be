"""The ``fa_ner`` spaCy component: runs any :class:`SequenceTagger` over sentences and sets ``doc.ents``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..iob import spans_from_iob
from .base import SequenceTagger
from .loading import load_tagger

#: Sentences longer than this are tagged in consecutive chunks.
MAX_TOKENS_PER_CHUNK = 256


class NerComponent:
    """Tags each sentence's non-space tokens and writes the entities to ``doc.ents``."""

    def __init__(self, tagger: SequenceTagger, batch_size: int = 64) -> None:
        self.tagger = tagger
        self.batch_size = batch_size

    @staticmethod
    def _chunks(doc: Doc) -> list[list[int]]:
        chunks: list[list[int]] = []
        for sent in doc.sents:
            idx = [t.i for t in sent if not t.is_space]
            for k in range(0, len(idx), MAX_TOKENS_PER_CHUNK):
                chunks.append(idx[k:k + MAX_TOKENS_PER_CHUNK])
        return chunks

    def _annotate(self, docs: list[Doc]) -> None:
        jobs: list[tuple[Doc, list[int]]] = [(doc, c) for doc in docs for c in self._chunks(doc)]
        tags_all = self.tagger.tag_batch([[doc[i].text for i in c] for doc, c in jobs]) if jobs else []
        ents: dict[int, list[Span]] = {id(d): [] for d in docs}
        for (doc, chunk), tags in zip(jobs, tags_all, strict=True):
            for s, e, label in spans_from_iob(tags):
                ents[id(doc)].append(Span(doc, chunk[s], chunk[e - 1] + 1, label=label))
        for doc in docs:
            doc.set_ents(ents[id(doc)], default="outside")

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        it = iter(stream)
        while batch := list(islice(it, size)):
            self._annotate(batch)
            yield from batch


@Language.factory(
    "fa_ner",
    assigns=["doc.ents"],
    default_config={"model": None, "device": None, "batch_size": 64},
)
def make_ner(nlp: Language, name: str, model: str | None, device: str | None, batch_size: int) -> NerComponent:
    """``model``: None for the built-in model, or a path / hub id (see :func:`load_tagger`)."""
    return NerComponent(load_tagger(model, device=device), batch_size=batch_size)
