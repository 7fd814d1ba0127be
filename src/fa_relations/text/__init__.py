"""The text layer: offset-preserving normalisation, ZWNJ restoration, sentence and word tokenisation."""

from .characters import ZWNJ, canonical_word
from .normalizer import NormalizedText, Normalizer, NormalizerConfig, normalize
from .offsets import AlignedText, Edit
from .zwnj import ZwnjRestorer

__all__ = [
    "ZWNJ",
    "AlignedText",
    "Edit",
    "NormalizedText",
    "Normalizer",
    "NormalizerConfig",
    "ZwnjRestorer",
    "canonical_word",
    "normalize",
]
