"""The ``fa_ner`` spaCy component: runs any :class:`SequenceTagger` over sentences and sets ``doc.ents``.

The component owns its model: ``to_disk`` writes the tagger's files (built-in:
config, vocabulary, weights, meta; transformers: safetensors weights, tokenizer,
meta) under ``model/`` of the component's folder, and ``from_disk`` reads them
from there, so a saved pipeline carries its NER model. The model named in the
config is loaded on first use, never when ``from_disk`` supplies one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..defaults import DOC_BATCH_SIZE
from ..iob import spans_from_iob
from .base import SequenceTagger
from .consistency import propagate_names, read_not_surnames
from .loading import load_tagger

#: Sentences longer than this are tagged in consecutive chunks.
MAX_TOKENS_PER_CHUNK = 256
#: Folder of the tagger's files inside a saved component.
MODEL_FOLDER = "model"
SETTINGS_FILE = "settings.json"
#: The component's copy of the words never tagged alone as a surname (see :mod:`.consistency`).
NOT_SURNAMES_FILE = "not_surnames.tsv"


class NerComponent:
    """Tags each sentence's non-space tokens and writes the entities to ``doc.ents``.

    With ``consistency`` on, names tagged in one sentence are also tagged where
    they recur untagged in the same document, a person's surname alone included
    (:func:`~.consistency.propagate_names`).
    """

    def __init__(self, tagger: SequenceTagger | None = None, batch_size: int = DOC_BATCH_SIZE, *,
                 model: str | None = None, device: str | None = None, tagger_batch_size: int | None = None,
                 consistency: bool = True) -> None:
        """``tagger``: a ready tagger, or None to load ``model`` (see :func:`load_tagger`) on first use."""
        self._tagger = tagger
        self.batch_size = batch_size
        self.model = model
        self.device = device
        self.tagger_batch_size = tagger_batch_size
        self.consistency = consistency
        self._not_surnames: frozenset[str] | None = None

    @property
    def not_surnames(self) -> frozenset[str]:
        """Words never tagged alone as a surname: the component's own copy (``from_disk``), else the bundled list."""
        if self._not_surnames is None:
            self._not_surnames = read_not_surnames()
        return self._not_surnames

    @property
    def tagger(self) -> SequenceTagger:
        if self._tagger is None:
            self._tagger = load_tagger(self.model, device=self.device, batch_size=self.tagger_batch_size)
        return self._tagger

    @staticmethod
    def _chunks(doc: Doc) -> list[list[int]]:
        chunks: list[list[int]] = []
        for sent in doc.sents:
            idx = [t.i for t in sent if not t.is_space]
            for k in range(0, len(idx), MAX_TOKENS_PER_CHUNK):
                chunks.append(idx[k:k + MAX_TOKENS_PER_CHUNK])
        return chunks

    def _annotate(self, docs: list[Doc]) -> None:
        jobs: list[tuple[int, list[int]]] = [(n, c) for n, doc in enumerate(docs) for c in self._chunks(doc)]
        words = [[docs[n][i].text for i in c] for n, c in jobs]
        tags_all = self.tagger.tag_batch(words) if jobs else []
        if self.consistency:
            tags_all = self._consistent(jobs, words, tags_all)
        ents: list[list[Span]] = [[] for _ in docs]
        for (n, chunk), tags in zip(jobs, tags_all, strict=True):
            for s, e, label in spans_from_iob(tags):
                ents[n].append(Span(docs[n], chunk[s], chunk[e - 1] + 1, label=label))
        for doc, doc_ents in zip(docs, ents, strict=True):
            doc.set_ents(doc_ents, default="outside")

    def _consistent(self, jobs: list[tuple[int, list[int]]], words: list[list[str]],
                    tags: list[list[str]]) -> list[list[str]]:
        """``tags`` with each document's names propagated over its own chunks."""
        out: list[list[str]] = []
        k = 0
        while k < len(jobs):
            end = k
            while end < len(jobs) and jobs[end][0] == jobs[k][0]:
                end += 1
            out += propagate_names(words[k:end], tags[k:end], not_surnames=self.not_surnames)
            k = end
        return out

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int | None = None) -> Iterator[Doc]:
        size = batch_size or self.batch_size
        it = iter(stream)
        while batch := list(islice(it, size)):
            self._annotate(batch)
            yield from batch

    # ---- serialisation: the model travels with the pipeline -------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save = getattr(self.tagger, "save", None)
        if save is None:
            raise TypeError(f"{type(self.tagger).__name__} cannot be saved: give it a save(path) method")
        save(path / MODEL_FOLDER)
        settings = {"tagger_batch_size": self.tagger.batch_size, "consistency": self.consistency}
        (path / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        (path / NOT_SURNAMES_FILE).write_text("".join(f"{w}\n" for w in sorted(self.not_surnames)), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> NerComponent:
        path = Path(path)
        settings: dict[str, Any] = {}
        if (path / SETTINGS_FILE).is_file():
            settings = json.loads((path / SETTINGS_FILE).read_text(encoding="utf-8"))
        batch = self.tagger_batch_size or settings.get("tagger_batch_size")
        self.consistency = settings.get("consistency", self.consistency)
        stop_file = path / NOT_SURNAMES_FILE
        self._not_surnames = read_not_surnames(stop_file) if stop_file.is_file() else frozenset()
        self._tagger = load_tagger(path / MODEL_FOLDER, device=self.device, batch_size=batch)
        return self


@Language.factory(
    "fa_ner",
    assigns=["doc.ents"],
    default_config={"model": None, "device": None, "batch_size": DOC_BATCH_SIZE, "tagger_batch_size": None,
                    "consistency": True},
)
def make_ner(nlp: Language, name: str, model: str | None, device: str | None, batch_size: int,
             tagger_batch_size: int | None, consistency: bool) -> NerComponent:
    """``model``: None for the built-in model, or a path / hub id (see :func:`load_tagger`);
    ``device``: cpu, cuda or auto for transformer back ends; ``batch_size``: documents per
    batch; ``tagger_batch_size``: sentences (built-in) or windows (transformers) per forward
    pass, None for the back end's default (raise it on a GPU); ``consistency``: tag the
    recurrences of a document's names (:mod:`.consistency`)."""
    return NerComponent(batch_size=batch_size, model=model, device=device, tagger_batch_size=tagger_batch_size,
                        consistency=consistency)
