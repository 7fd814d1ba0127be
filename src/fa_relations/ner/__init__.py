"""Named-entity recognition: the built-in CPU tagger, the ParsBERT back end and the spaCy component."""

from .base import SequenceTagger

__all__ = ["SequenceTagger"]
