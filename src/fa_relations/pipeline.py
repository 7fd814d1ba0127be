"""The public pipeline: raw Persian text in, :class:`Document` out.

Inside it is a spaCy pipeline (``Pipeline.nlp``): the Persian tokenizer, then
the ``fa_ner``, ``fa_entity_typer`` and ``fa_relation_extractor`` components, so
displaCy, ``nlp.pipe(n_process=...)`` and spaCy training work on it directly.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import forking
from .__about__ import __version__
from .chunks import DocumentMerger, chunk_spans
from .convert import doc_to_document
from .defaults import DOC_BATCH_SIZE, MAX_CHUNK_CHARS
from .parallel import map_batches
from .paths import models_dir
from .relation_classifier.component import saved_model_config
from .schema import Document
from .text.normalizer import NormalizerConfig
from .text.spacy_tokenizer import TOKENIZER_REGISTRY_NAME

logger = logging.getLogger(__name__)

# pipe(n_process=...) forks: children of a process that ran torch must not inherit its OpenMP team
forking.install()

DEFAULT_NAME = "fa_relations-builtin"
#: Key of ``nlp.meta`` under which a saved pipeline keeps its name (documents' ``meta.model``).
_NAME_KEY = "fa_relations_name"
MAX_DOCUMENT_CHARS = 20_000_000

#: Components added after NER when their package provides the factory.
POST_NER_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("fa_entity_typer", "fa_relations.entity_typing"),
    ("fa_relation_extractor", "fa_relations.relations"),
)


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    return text


class Pipeline:
    """Runs normalisation, tokenisation, NER, typing and relation extraction.

    >>> nlp = load()                                    # doctest: +SKIP
    >>> doc = nlp("اسحاق هرتزوگ وارد باکو شد.")          # doctest: +SKIP
    >>> [(e.text, e.label) for e in doc.entities]       # doctest: +SKIP
    """

    def __init__(self, nlp: Language, name: str = DEFAULT_NAME) -> None:
        self.nlp = nlp
        self.name = name
        #: Longer texts are analysed in chunks of at most this many characters (see :mod:`.chunks`).
        self.max_chunk_chars = MAX_CHUNK_CHARS

    @property
    def meta(self) -> dict[str, Any]:
        return {"model": self.name, "version": __version__}

    @property
    def components(self) -> list[str]:
        return list(self.nlp.pipe_names)

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, components={self.components})"

    def __call__(self, text: str, *, id: str | None = None, tokens: bool = True) -> Document:
        """Analyse one text. A non-string raises ``TypeError``; blank text gives an empty Document.

        A text longer than :attr:`max_chunk_chars` is analysed in chunks (see :mod:`fa_relations.chunks`).
        ``tokens=False`` leaves ``Document.tokens`` empty, which keeps a huge text's result small."""
        text = _check_text(text)
        if len(text) > self.max_chunk_chars:
            return next(self.pipe([text], ids=[id], tokens=tokens))
        return doc_to_document(self.nlp(text), id=id, meta=self.meta, tokens=tokens)

    def spacy_doc(self, text: str) -> Doc:
        """The underlying spaCy ``Doc`` (over the normalised text), e.g. for displaCy."""
        return self.nlp(_check_text(text))

    def pipe(
        self,
        texts: Iterable[str],
        *,
        batch_size: int = DOC_BATCH_SIZE,
        n_process: int = 1,
        ids: Iterable[str | None] | None = None,
        timings: dict[str, float] | None = None,
        tokens: bool = True,
    ) -> Iterator[Document]:
        """Analyse many texts lazily, in order.

        ``n_process > 1`` (``-1``: one per CPU) analyses batches of ``batch_size``
        texts in that many worker processes, each a forked copy of this one
        running torch on one thread (see :mod:`fa_relations.parallel`); the
        documents are the same, in the same order, as with one process.

        ``timings``: a dict to which the seconds spent in each stage
        (``tokenizer``, each component, ``to_document``) are added; the stages
        then run one after another over each batch (one process only).

        Texts longer than :attr:`max_chunk_chars` go through in chunks, so at
        most ``batch_size`` chunks are in memory at once. ``tokens``: as in
        :meth:`__call__`.
        """
        id_iter = iter(ids) if ids is not None else None
        if n_process == -1:
            n_process = os.cpu_count() or 1
        if n_process < 1:
            raise ValueError(f"n_process must be -1 or at least 1, got {n_process}")
        if n_process > 1:
            if timings is not None:
                raise ValueError("timings are measured in one process: pass n_process=1")
            run = partial(self._documents, batch_size=batch_size, tokens=tokens)
            checked = (_check_text(text) for text in texts)
            for doc in map_batches(run, checked, n_process=n_process, batch_size=batch_size):
                if id_iter is not None:
                    doc.id = next(id_iter)
                yield doc
            return
        # (text, its chunks' spans, or None when it goes through whole), in the order of the docs
        plans: deque[tuple[str, list[tuple[int, int]] | None]] = deque()

        def chunks() -> Iterator[str]:
            for text in texts:
                text = _check_text(text)
                if len(text) <= self.max_chunk_chars:
                    plans.append((text, None))
                    yield text
                    continue
                spans = chunk_spans(text, self.max_chunk_chars) or [(0, 0)]
                plans.append((text, spans))
                yield from (text[s:e] for s, e in spans)

        if timings is not None:
            docs: Iterable[Doc] = self._timed_pipe(chunks(), batch_size, timings)
        else:
            docs = self.nlp.pipe(chunks(), batch_size=batch_size)
        merger: DocumentMerger | None = None  # the long text being put together from its chunks
        done = 0  # chunks of it merged so far
        for doc in docs:
            t = time.perf_counter()
            text, spans = plans[0]
            out = None
            if spans is None:
                out = doc_to_document(doc, id=next(id_iter) if id_iter else None, meta=self.meta, tokens=tokens)
            else:
                if merger is None:
                    merger = DocumentMerger(text, id=next(id_iter) if id_iter else None, meta=self.meta)
                merger.add(spans[done][0], doc_to_document(doc, tokens=tokens))
                done += 1
                if done == len(spans):
                    out, merger, done = merger.document, None, 0
            if out is not None:
                plans.popleft()
            if timings is not None:
                timings["to_document"] = timings.get("to_document", 0.0) + time.perf_counter() - t
            if out is not None:
                yield out

    def _documents(self, texts: list[str], *, batch_size: int, tokens: bool) -> list[Document]:
        """The documents of ``texts`` in this process (what each worker of ``pipe(n_process=...)`` runs)."""
        return list(self.pipe(texts, batch_size=batch_size, tokens=tokens))

    def _timed_pipe(self, texts: Iterable[str], batch_size: int, timings: dict[str, float]) -> Iterator[Doc]:
        """What ``nlp.pipe`` does in one process, stage by stage over each batch, timing each stage."""
        it = iter(texts)
        while batch := list(islice(it, batch_size)):
            t = time.perf_counter()
            docs = [self.nlp.make_doc(text) for text in batch]
            timings["tokenizer"] = timings.get("tokenizer", 0.0) + time.perf_counter() - t
            for name, proc in self.nlp.pipeline:
                t = time.perf_counter()
                docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
            yield from docs

    def tag(self, words: Sequence[str]) -> list[str]:
        """IOB2 tags (``B-PER``, ``I-ORG``, ``O``) over pre-tokenised ``words``.

        Only the NER stage runs, so the labels are the NER labels (LOC, not COUNTRY).
        """
        return self.tag_batch([words])[0]

    def tag_batch(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """:meth:`tag` over many sentences at once."""
        for words in sentences:
            if isinstance(words, str) or not all(isinstance(w, str) for w in words):
                raise TypeError("tag() takes a list of word strings")
        if "fa_ner" not in self.nlp.pipe_names:
            return [["O"] * len(words) for words in sentences]
        tagger = self.nlp.get_pipe("fa_ner").tagger
        non_empty = [list(w) for w in sentences if w]
        tagged = iter(tagger.tag_batch(non_empty)) if non_empty else iter(())
        return [next(tagged) if w else [] for w in sentences]

    def save(self, path: str | Path) -> None:
        """Save the pipeline to ``path``: config, tokenizer settings and ZWNJ lexicon, the NER
        model, the gazetteer and the relation lexicons. ``load(path)`` reads it back anywhere,
        without this repository's ``models/`` and ``data/``, and gives the same documents."""
        self.nlp.meta[_NAME_KEY] = self.name
        self.nlp.to_disk(path)


def blank_nlp(normalizer: NormalizerConfig | None = None) -> Language:
    """``spacy.blank("fa")`` with the fa_relations tokenizer and its normaliser settings
    (written to ``config.cfg`` as ``[nlp.tokenizer.normalizer]``)."""
    settings = asdict(normalizer or NormalizerConfig())
    nlp = spacy.blank("fa", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_REGISTRY_NAME,
                                                           "normalizer": settings}}})
    # Our components work sentence by sentence, so spaCy's 1M-character guard
    # (meant for its parser's memory) would only refuse long news archives.
    nlp.max_length = MAX_DOCUMENT_CHARS
    return nlp


#: The trained relation classifier, added after the rules unless ``relations="rules"``.
CLASSIFIER = ("fa_relation_classifier", "fa_relations.relation_classifier")
#: Folder of the shipped relation classifier under ``models/``.
RELATION_MODEL = "relations"
RELATION_MODES = ("rules", "both", "model")


def _register_factories() -> None:
    """Import the modules that register our spaCy factories (needed before ``spacy.load``)."""
    from .ner import component as _ner_component  # noqa: F401

    for _, module in (*POST_NER_COMPONENTS, CLASSIFIER):
        importlib.import_module(module)


def relation_model_path() -> Path:
    """Folder of the shipped relation classifier (``models/relations``)."""
    return models_dir() / RELATION_MODEL


def _relation_mode(relations: str | None, model: Path) -> str:
    """``relations`` checked, or the default the classifier at ``model`` was shipped with (its
    ``meta.json`` ``default_mode``; ``rules`` when there is no classifier)."""
    meta = model / "meta.json"
    if relations is None:
        if not meta.is_file():
            return "rules"
        return json.loads(meta.read_text(encoding="utf-8")).get("default_mode", "rules")
    if relations not in RELATION_MODES:
        raise ValueError(f"relations must be one of {RELATION_MODES}, got {relations!r}")
    if relations != "rules" and not (model / "cfg").is_file():
        raise FileNotFoundError(f"relations={relations!r} needs a trained relation classifier in {model} "
                                "(fa-relations train relations --output DIR, then relation_model=DIR)")
    return relations


def _factory_available(factory: str, module: str) -> bool:
    importlib.import_module(module)
    return Language.has_factory(factory)


def load(
    name_or_path: str | Path | None = None,
    *,
    ner: str | Path | bool | None = None,
    device: str | None = None,
    normalizer: NormalizerConfig | None = None,
    relations: str | None = None,
    relation_model: str | Path | None = None,
) -> Pipeline:
    """Build a :class:`Pipeline`.

    ``name_or_path``: ``None`` for the built-in pipeline, or a folder saved with
    :meth:`Pipeline.save`. ``ner``: ``None`` for the built-in CPU model, a path
    or hub id of a token-classification checkpoint (ParsBERT), or ``False`` for
    no NER. ``device``: ``"cpu"``, ``"cuda"`` or ``"auto"`` for transformer back ends.
    ``normalizer``: the text layer's settings (default :class:`NormalizerConfig`);
    a saved pipeline keeps its own. ``relations``: ``"rules"``, ``"model"`` (the
    trained classifier for entity pairs, the rules for ``says``) or ``"both"``
    (the classifier adds what the rules miss); None: the default of the
    shipped classifier (``models/relations``), or the rules alone when none is
    shipped. ``relation_model``: a classifier folder written by
    ``fa-relations train relations`` (default ``models/relations``).
    """
    if name_or_path is not None:
        path = Path(name_or_path)
        if not (path / "config.cfg").is_file():
            raise FileNotFoundError(f"{path} is not a saved fa_relations pipeline (no config.cfg)")
        _register_factories()
        t0 = time.perf_counter()
        nlp = spacy.load(path)
        nlp.max_length = MAX_DOCUMENT_CHARS
        logger.info("loaded the saved pipeline %s (%s) in %.2f s", path, ", ".join(nlp.pipe_names),
                    time.perf_counter() - t0)
        return Pipeline(nlp, name=nlp.meta.get(_NAME_KEY) or str(path))
    from .ner.loading import builtin_model_path, is_builtin_model

    _register_factories()

    t0 = time.perf_counter()
    nlp = blank_nlp(normalizer)
    name = DEFAULT_NAME
    if ner is not False:
        if ner is None and not is_builtin_model(builtin_model_path()):
            logger.warning("no built-in NER model in %s: the pipeline will find no entities", builtin_model_path())
        else:
            ner_pipe = nlp.add_pipe("fa_ner", config={"model": None if ner in (None, True) else str(ner),
                                                      "device": device})
            _ = ner_pipe.tagger  # load the model now: a wrong name or path fails here, not on the first text
            if ner not in (None, True):
                name = f"{DEFAULT_NAME}+{ner}"
        logger.info("NER: %s", "built-in model in " + str(builtin_model_path()) if ner in (None, True) else ner)
    for factory, module in POST_NER_COMPONENTS:
        if _factory_available(factory, module):
            nlp.add_pipe(factory)
    model_dir = Path(relation_model) if relation_model is not None else relation_model_path()
    mode = _relation_mode(relations, model_dir)
    if mode != "rules" and "fa_relation_extractor" in nlp.pipe_names:
        clf = nlp.add_pipe(CLASSIFIER[0], config={"model": saved_model_config(model_dir)})
        clf.from_disk(model_dir)
        clf.cfg["mode"] = mode
        logger.info("relations: rules and the classifier in %s (mode %s, threshold %.2f)", model_dir,
                    mode, clf.cfg["threshold"])
    logger.info("pipeline %s ready (%s) in %.2f s", name, ", ".join(nlp.pipe_names), time.perf_counter() - t0)
    return Pipeline(nlp, name=name)
