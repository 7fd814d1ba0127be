"""A spaCy tokenizer that normalises Persian text and remembers the original offsets.

``nlp = spacy.blank("fa"); nlp.tokenizer = PersianTokenizer(nlp.vocab)`` gives a
``Doc`` over the normalised text with sentence boundaries set, and
``doc._.fa_aligned`` mapping every character back to the input.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from . import spacy_extensions as _spacy_extensions  # noqa: F401  (registers Doc._.fa_aligned)
from .normalizer import Normalizer, default_normalizer
from .offsets import AlignedText
from .tokenizer import split_sentences, tokenize_words


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

    # The tokenizer's behaviour lives in code and data/ files, not in its own state:
    # serialisation writes a marker only, so saved pipelines have the usual layout.
    def to_bytes(self, **_: Any) -> bytes:
        return b"fa_relations.PersianTokenizer"

    def from_bytes(self, _data: bytes, **_: Any) -> PersianTokenizer:
        return self

    def to_disk(self, path: str | Path, **_: Any) -> None:
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, _path: str | Path, **_: Any) -> PersianTokenizer:
        return self


TOKENIZER_REGISTRY_NAME = "fa_relations.PersianTokenizer.v1"


@spacy.registry.tokenizers(TOKENIZER_REGISTRY_NAME)
def create_persian_tokenizer() -> Callable[[Language], PersianTokenizer]:
    """Registry function so a saved pipeline's ``config.cfg`` can name this tokenizer."""

    def make(nlp: Language) -> PersianTokenizer:
        return PersianTokenizer(nlp.vocab)

    return make
