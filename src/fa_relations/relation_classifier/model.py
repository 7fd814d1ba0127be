"""The relation classifier's registered thinc architecture.

``fa_relations.RelationSparseLinear.v1``: a linear model over hashed sparse
features (thinc's ``SparseLinear``, as spaCy's bag-of-words text classifier)
with a softmax over :data:`~.features.LABELS` (or ``n_labels`` labels of another set, as PERLEX's 19). Input: the ``(keys, values,
lengths)`` triple of :func:`~.features.hash_features`; output: one probability
row per candidate.

``fa_relations.RelationSentenceEncoder.v1``: a torch BiLSTM (or CNN) over the
sentence's words, relative positions and entity markers, wrapped by thinc
(:mod:`.sentence_net`, imported when the architecture is built, as torch is
heavy). Input: the (doc, candidate) pairs themselves; its vocabulary is saved
in the model's ``attrs``, its weights with safetensors.

``fa_relations.RelationTransformer.v1``: entity markers on a BERT-style encoder
(a local Hugging Face checkpoint such as ParsBERT) with "entity start" pooling,
for users who have such weights (:mod:`.transformer_net`, imported when built).
"""

from __future__ import annotations

from spacy import registry
from thinc.api import Model, SparseLinear, chain, softmax_activation

from .features import LABELS

ARCHITECTURE = "fa_relations.RelationSparseLinear.v1"
SENTENCE_ARCHITECTURE = "fa_relations.RelationSentenceEncoder.v1"
#: Hash buckets of the sparse features (2**18 weights per label: about 14 MB as float32).
DEFAULT_LENGTH = 2**18
DEFAULT_MODEL_CONFIG = {"@architectures": ARCHITECTURE, "length": DEFAULT_LENGTH}


@registry.architectures(ARCHITECTURE)
def build_relation_sparse_linear(length: int = DEFAULT_LENGTH, n_labels: int = len(LABELS)) -> Model:
    """A softmax over ``n_labels`` labels (default: the predicates and ``none``) from a linear layer on
    hashed features."""
    model = chain(SparseLinear(nO=n_labels, length=length), softmax_activation())
    if n_labels != len(LABELS):  # the news default's saved config stays as it was
        model.attrs["config"] = {"@architectures": ARCHITECTURE, "length": length, "n_labels": n_labels}
    return model


@registry.architectures(SENTENCE_ARCHITECTURE)
def build_relation_sentence_encoder(n_labels: int, vocab_size: int, width: int = 100, pos_width: int = 16,
                                    hidden: int = 128, dropout: float = 0.3, encoder: str = "bilstm",
                                    word_dropout: float = 0.0, typed: bool = False) -> Model:
    """A softmax over ``n_labels`` labels from a BiLSTM/CNN reading the sentence with the pair marked
    (``vocab_size`` words besides padding, unknown and the markers; ``word_dropout``: in training, the
    probability a word is read as unknown; ``typed``: each argument's entity label is read after its
    opening marker, as news pairs of different types hold different predicates)."""
    from .sentence_net import build_sentence_model  # torch: heavy, imported only when this model is built

    config = {"@architectures": SENTENCE_ARCHITECTURE, "n_labels": n_labels, "vocab_size": vocab_size,
              "width": width, "pos_width": pos_width, "hidden": hidden, "dropout": dropout, "encoder": encoder,
              "word_dropout": word_dropout}
    if typed:  # PERLEX's saved config has no such key: it stays as it was
        config["typed"] = True
    return build_sentence_model(config, n_labels, vocab_size, width, pos_width, hidden, dropout, encoder,
                                word_dropout, typed)


TRANSFORMER_ARCHITECTURE = "fa_relations.RelationTransformer.v1"


@registry.architectures(TRANSFORMER_ARCHITECTURE)
def build_relation_transformer(checkpoint: str, n_labels: int = len(LABELS), max_length: int = 128,
                               dropout: float = 0.1) -> Model:
    """A softmax over ``n_labels`` labels from a BERT-style encoder (the Hugging Face checkpoint folder
    ``checkpoint``, e.g. ParsBERT) reading the sentence with the pair marked (R-BERT / BERTEM style,
    :mod:`.transformer_net`); needs the ``transformers`` extra."""
    # torch and transformers are heavy: imported only when this model is built
    from .transformer_net import build_transformer_model

    config = {"@architectures": TRANSFORMER_ARCHITECTURE, "checkpoint": checkpoint, "n_labels": n_labels,
              "max_length": max_length, "dropout": dropout}
    return build_transformer_model(config, checkpoint, n_labels, max_length, dropout)
