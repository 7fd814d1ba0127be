"""The public pipeline: raw Persian text in, :class:`Document` out.

Inside it is a spaCy pipeline (``Pipeline.nlp``): the Persian tokenizer, then
the ``fa_ner``, ``fa_entity_typer`` and ``fa_relation_extractor`` components, so
displaCy, ``nlp.pipe(n_process=...)`` and spaCy training work on it directly.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .__about__ import __version__
from .convert import doc_to_document
from .schema import Document
from .text.spacy_tokenizer import TOKENIZER_REGISTRY_NAME

logger = logging.getLogger(__name__)

DEFAULT_NAME = "fa_relations-builtin"
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

    @property
    def meta(self) -> dict[str, Any]:
        return {"model": self.name, "version": __version__}

    @property
    def components(self) -> list[str]:
        return list(self.nlp.pipe_names)

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, components={self.components})"

    def __call__(self, text: str, *, id: str | None = None) -> Document:
        """Analyse one text. A non-string raises ``TypeError``; blank text gives an empty Document."""
        doc = self.nlp(_check_text(text))
        return doc_to_document(doc, id=id, meta=self.meta)

    def spacy_doc(self, text: str) -> Doc:
        """The underlying spaCy ``Doc`` (over the normalised text), e.g. for displaCy."""
        return self.nlp(_check_text(text))

    def pipe(
        self,
        texts: Iterable[str],
        *,
        batch_size: int = 64,
        n_process: int = 1,
        ids: Iterable[str | None] | None = None,
    ) -> Iterator[Document]:
        """Analyse many texts lazily, in order. ``n_process > 1`` uses spaCy's multiprocessing."""
        checked = (_check_text(t) for t in texts)
        id_iter = iter(ids) if ids is not None else None
        for doc in self.nlp.pipe(checked, batch_size=batch_size, n_process=n_process):
            yield doc_to_document(doc, id=next(id_iter) if id_iter else None, meta=self.meta)

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
        """Save the spaCy pipeline (config and components) to ``path``."""
        self.nlp.to_disk(path)


def blank_nlp() -> Language:
    """``spacy.blank("fa")`` with the fa_relations tokenizer."""
    nlp = spacy.blank("fa", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_REGISTRY_NAME}}})
    # Our components work sentence by sentence, so spaCy's 1M-character guard
    # (meant for its parser's memory) would only refuse long news archives.
    nlp.max_length = MAX_DOCUMENT_CHARS
    return nlp


def _register_factories() -> None:
    """Import the modules that register our spaCy factories (needed before ``spacy.load``)."""
    from .ner import component as _ner_component  # noqa: F401

    for _, module in POST_NER_COMPONENTS:
        importlib.import_module(module)


def _factory_available(factory: str, module: str) -> bool:
    importlib.import_module(module)
    return Language.has_factory(factory)


def load(
    name_or_path: str | Path | None = None,
    *,
    ner: str | Path | bool | None = None,
    device: str | None = None,
) -> Pipeline:
    """Build a :class:`Pipeline`.

    ``name_or_path``: ``None`` for the built-in pipeline, or a folder saved with
    :meth:`Pipeline.save`. ``ner``: ``None`` for the built-in CPU model, a path
    or hub id of a token-classification checkpoint (ParsBERT), or ``False`` for
    no NER. ``device``: ``"cpu"``, ``"cuda"`` or ``"auto"`` for transformer back ends.
    """
    if name_or_path is not None:
        path = Path(name_or_path)
        if not (path / "config.cfg").is_file():
            raise FileNotFoundError(f"{path} is not a saved fa_relations pipeline (no config.cfg)")
        _register_factories()
        nlp = spacy.load(path)
        nlp.max_length = MAX_DOCUMENT_CHARS
        return Pipeline(nlp, name=str(path))
    from .ner.loading import builtin_model_path, is_builtin_model

    _register_factories()

    nlp = blank_nlp()
    name = DEFAULT_NAME
    if ner is not False:
        if ner is None and not is_builtin_model(builtin_model_path()):
            logger.warning("no built-in NER model in %s: the pipeline will find no entities", builtin_model_path())
        else:
            nlp.add_pipe("fa_ner", config={"model": None if ner in (None, True) else str(ner), "device": device})
            if ner not in (None, True):
                name = f"{DEFAULT_NAME}+{ner}"
    for factory, module in POST_NER_COMPONENTS:
        if _factory_available(factory, module):
            nlp.add_pipe(factory)
    return Pipeline(nlp, name=name)
