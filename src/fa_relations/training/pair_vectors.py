"""Word vectors and vocabularies for the sentence-reading relation classifiers (news and PERLEX).

:func:`fasttext_vectors` trains fastText (skip-gram, character 3-5-grams) on
all the unlabelled Persian text at hand, news_unlabelled, news_mixed and
PERLEX train (never a test file), and caches the result as ``.npz`` (no pickle)
in the cache folder, keyed by its settings; :func:`build_vocabulary` takes the
words of the training sentences first, then the vectors' most frequent words.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
from spacy.tokens import Doc

from ..ner.features import canonical_word
from ..paths import cache_dir
from ..relation_classifier.model import SENTENCE_ARCHITECTURE
from .ner import mixed_news_and_perlex_sentences, unlabelled_sentences

logger = logging.getLogger(__name__)

#: What the vectors are trained on, for the models' meta.
VECTOR_SOURCES = "fastText skip-gram on news_unlabelled, news_mixed and PERLEX train (no test text)"


@dataclass
class SentenceVocabulary:
    """A sentence encoder's words (first tokens, train words, then frequent vector words) and the fastText
    vectors that initialise them (empty without ``pretrained``)."""

    words: list[str]
    vectors: dict[str, numpy.ndarray]


@dataclass
class SentenceEncoderConfig:
    """Settings of ``fa_relations.RelationSentenceEncoder.v1`` and of its vectors, shared by the news and PERLEX
    training configs (each adds its own)."""

    seed: int = 0
    #: "bilstm", "cnn" or "both" side by side
    encoder: str = "both"
    width: int = 100
    pos_width: int = 16
    hidden: int = 128
    dropout: float = 0.3
    #: in training, the probability a word is read as unknown
    word_dropout: float = 0.0
    #: each argument's entity type is read after its opening marker
    typed: bool = False
    #: initialise the word embeddings from fastText vectors (off: random, for tests)
    pretrained: bool = True
    #: vocabulary = the train words, then the vectors' most frequent words, at most this many
    max_vocab: int = 40000
    vectors_epochs: int = 5
    vectors_min_count: int = 2
    threads: int = 1

    def model_config(self, n_labels: int, vocab_size: int) -> dict[str, Any]:
        """The architecture's config for ``n_labels`` labels and a vocabulary of ``vocab_size`` words."""
        config: dict[str, Any] = {
            "@architectures": SENTENCE_ARCHITECTURE, "n_labels": n_labels, "vocab_size": vocab_size,
            "width": self.width, "pos_width": self.pos_width, "hidden": self.hidden, "dropout": self.dropout,
            "encoder": self.encoder, "word_dropout": self.word_dropout}
        if self.typed:
            config["typed"] = True
        return config

    def vocabulary(self, train_docs: list[Doc], extra_docs: Iterable[Doc], data: str | Path | None,
                   first: Iterable[str] = ()) -> SentenceVocabulary:
        """The encoder's vocabulary (:func:`build_vocabulary` of ``train_docs`` after ``first``) and the vectors
        that initialise it; ``extra_docs`` (held-out sentences) only get vectors built for their words
        (fastText character n-grams): they are never trained on."""
        words = {canonical_word(t.text) for doc in (*train_docs, *extra_docs) for t in doc}
        vec_words, vectors = self.vectors(data, words)
        return SentenceVocabulary(build_vocabulary(train_docs, vec_words, self.max_vocab, first),
                                  dict(zip(vec_words, vectors, strict=True)))

    def vectors(self, data: str | Path | None, words: set[str]) -> tuple[list[str], numpy.ndarray]:
        """:func:`fasttext_vectors` with these settings, or none when ``pretrained`` is off."""
        if not self.pretrained:
            return [], numpy.zeros((0, self.width), dtype="float32")
        return fasttext_vectors(data, words, width=self.width, epochs=self.vectors_epochs,
                                min_count=self.vectors_min_count, seed=self.seed, threads=self.threads)


def fasttext_vectors(data: str | Path | None, also: set[str], *, width: int, epochs: int, min_count: int,
                     seed: int, threads: int = 1) -> tuple[list[str], numpy.ndarray]:
    """The vectors' words (most frequent first, then the words of ``also`` they did not keep, built from
    their character n-grams) and the matrix."""
    key = hashlib.sha256(json.dumps([width, epochs, min_count, seed, str(data), sorted(also)]).encode()).hexdigest()[:12]
    cache = cache_dir() / f"pair_fasttext_{key}.npz"
    if cache.is_file():
        with numpy.load(cache, allow_pickle=False) as z:
            return [str(w) for w in z["words"]], z["vectors"]
    from gensim.models import FastText  # deferred: heavy, training only

    corpus = unlabelled_sentences(data) + mixed_news_and_perlex_sentences(data)
    logger.info("fastText on %d sentences, %d tokens", len(corpus), sum(map(len, corpus)))
    model = FastText(corpus, vector_size=width, window=5, min_count=min_count, sg=1, workers=max(threads, 1),
                     epochs=epochs, seed=seed, min_n=3, max_n=5, bucket=200_000)
    wv = model.wv
    words = list(wv.index_to_key)
    words += sorted(also - set(words))
    vectors = numpy.stack([wv[w] for w in words]).astype("float32")
    cache.parent.mkdir(parents=True, exist_ok=True)
    numpy.savez(cache, words=numpy.asarray(words), vectors=vectors)
    return words, vectors


def build_vocabulary(train_docs: Iterable[Doc], vec_words: list[str], max_vocab: int,
                     first: Iterable[str] = ()) -> list[str]:
    """``first`` (e.g. type tokens), every word of the train sentences by frequency, then the vectors' most
    frequent words, up to ``max_vocab`` words in all (the train words are always kept)."""
    counts = Counter(canonical_word(t.text) for doc in train_docs for t in doc)
    words = list(dict.fromkeys([*first, *(w for w, _ in counts.most_common())]))
    known = set(words)
    words += [w for w in vec_words if w not in known][: max(max_vocab - len(words), 0)]
    return words
