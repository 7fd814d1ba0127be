"""The trained relation classifier (``fa_relation_classifier``): entity pairs scored by a model,
combined with the rules. See :mod:`.component`."""

from .component import MODES, RelationClassifier, make_relation_classifier
from .features import LABELS, MODEL_PREDICATES

__all__ = ["LABELS", "MODEL_PREDICATES", "MODES", "RelationClassifier", "make_relation_classifier"]
