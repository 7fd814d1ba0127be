"""A spaCy tokenizer that normalises Persian text and remembers the original offsets.

``nlp = spacy.blank("fa"); nlp.tokenizer = PersianTokenizer(nlp.vocab)`` gives a
``Doc`` over the normalised text with sentence boundaries set, and
``doc._.fa_aligned`` mapping every character back to the input.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from . import spacy_extensions as _spacy_extensions  # noqa: F401  (registers Doc._.fa_aligned)
from .normalizer import Normalizer, NormalizerConfig, default_normalizer
from .offsets import AlignedText
from .tokenizer import split_sentences, tokenize_words
from .zwnj import ZwnjRestorer

logger = logging.getLogger(__name__)

#: Files of a saved tokenizer folder: the normaliser settings and the ZWNJ lexicon it restores with.
SETTINGS_FILE = "normalizer.json"
ZWNJ_FILE = "zwnj.tsv"
#: What pipelines saved before the tokenizer had settings hold instead of a folder.
_LEGACY_MARKER = b"fa_relations.PersianTokenizer"


def normalizer_for(config: NormalizerConfig, restorer: ZwnjRestorer | None = None) -> Normalizer:
    """The process-wide default normaliser when ``config`` is the default and no restorer is given, else a new one."""
    if restorer is None and config == NormalizerConfig():
        return default_normalizer()
    return Normalizer(config, restorer=restorer)


class PersianTokenizer:
    """Normalise, tokenise and sentence-split Persian text into a spaCy ``Doc``."""

    def __init__(self, vocab: Vocab, normalizer: Normalizer | None = None) -> None:
        self.vocab = vocab
        self.normalizer = normalizer or default_normalizer()

    def __call__(self, text: str) -> Doc:
        if not isinstance(text, str):
            raise TypeError(f"expected str, got {type(text).__name__}")
        aligned = self.normalizer(text)
        doc = self.doc_from_aligned(aligned)
        return doc

    def doc_from_aligned(self, aligned: AlignedText) -> Doc:
        norm = aligned.text
        spans = tokenize_words(norm)
        sent_bounds = split_sentences(norm, spans)
        first_of_sentence = {a for a, _ in sent_bounds}
        words: list[str] = []
        spaces: list[bool] = []
        sent_starts: list[bool] = []

        def add_gap(gap: str) -> None:
            # One space after a word becomes its trailing space; other whitespace is a token.
            if words and gap[:1] == " ":
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
                sent_starts.append(len(words) == 1)

        cursor = 0
        for i, tok in enumerate(spans):
            add_gap(norm[cursor:tok.start])
            words.append(norm[tok.start:tok.end])
            spaces.append(False)
            sent_starts.append(i in first_of_sentence)
            cursor = tok.end
        add_gap(norm[cursor:])
        if sent_starts and sent_starts[0] is not True:
            sent_starts[0] = True
        doc = Doc(self.vocab, words=words, spaces=spaces, sent_starts=sent_starts if words else None)
        doc._.fa_aligned = aligned
        return doc

    @property
    def settings(self) -> dict[str, Any]:
        """The normaliser settings (:class:`NormalizerConfig` as a dict)."""
        return asdict(self.normalizer.config)

    # Serialisation: the settings and the ZWNJ lexicon travel with a saved pipeline, so it
    # restores the same spellings on a machine without this repository's data folder.
    def _lexicon_text(self) -> str | None:
        restorer = self.normalizer.zwnj_restorer
        return restorer.lexicon_text() if restorer is not None else None

    def to_bytes(self, **_: Any) -> bytes:
        return json.dumps({"settings": self.settings, "zwnj_lexicon": self._lexicon_text()},
                          ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, **_: Any) -> PersianTokenizer:
        if data == _LEGACY_MARKER:
            return self
        obj = json.loads(data.decode("utf-8"))
        text = obj.get("zwnj_lexicon")
        restorer = ZwnjRestorer(lexicon_text=text) if text is not None else None
        self.normalizer = normalizer_for(NormalizerConfig(**obj["settings"]), restorer)
        return self

    def to_disk(self, path: str | Path, **_: Any) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / SETTINGS_FILE).write_text(json.dumps(self.settings, indent=2) + "\n", encoding="utf-8")
        text = self._lexicon_text()
        if text is not None:
            (path / ZWNJ_FILE).write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, **_: Any) -> PersianTokenizer:
        path = Path(path)
        if path.is_file():  # a pipeline saved before the tokenizer had settings
            return self
        config = NormalizerConfig(**json.loads((path / SETTINGS_FILE).read_text(encoding="utf-8")))
        lexicon = path / ZWNJ_FILE
        self.normalizer = normalizer_for(config, ZwnjRestorer(lexicon) if lexicon.exists() else None)
        logger.info("tokenizer settings from %s", path)
        return self


TOKENIZER_REGISTRY_NAME = "fa_relations.PersianTokenizer.v1"


@spacy.registry.tokenizers(TOKENIZER_REGISTRY_NAME)
def create_persian_tokenizer(normalizer: dict[str, Any] | None = None) -> Callable[[Language], PersianTokenizer]:
    """Registry function so ``config.cfg`` names this tokenizer and sets its normaliser.

    ``normalizer``: fields of :class:`NormalizerConfig` (``[nlp.tokenizer.normalizer]``
    in ``config.cfg``: ``characters``, ``digits``, ``spacing``, ``restore_zwnj``,
    ``join_detached_affixes``); missing fields take the class's defaults.
    """
    try:
        config = NormalizerConfig(**(normalizer or {}))
    except TypeError as e:
        raise ValueError(f"unknown normaliser setting in the tokenizer config: {e}") from None

    def make(nlp: Language) -> PersianTokenizer:
        return PersianTokenizer(nlp.vocab, normalizer_for(config))

    return make
