"""The relation classifier's registered thinc architecture.

``fa_relations.RelationSparseLinear.v1``: a linear model over hashed sparse
features (thinc's ``SparseLinear``, as spaCy's bag-of-words text classifier)
with a softmax over :data:`~.features.LABELS`. Input: the ``(keys, values,
lengths)`` triple of :func:`~.features.hash_features`; output: one probability
row per candidate.
"""

from __future__ import annotations

from spacy import registry
from thinc.api import Model, SparseLinear, chain, softmax_activation

from .features import LABELS

ARCHITECTURE = "fa_relations.RelationSparseLinear.v1"
#: Hash buckets of the sparse features (2**18 weights per label: about 14 MB as float32).
DEFAULT_LENGTH = 2**18
DEFAULT_MODEL_CONFIG = {"@architectures": ARCHITECTURE, "length": DEFAULT_LENGTH}


@registry.architectures(ARCHITECTURE)
def build_relation_sparse_linear(length: int = DEFAULT_LENGTH) -> Model:
    """A softmax over the predicates (and ``none``) from a linear layer on hashed features."""
    return chain(SparseLinear(nO=len(LABELS), length=length), softmax_activation())
