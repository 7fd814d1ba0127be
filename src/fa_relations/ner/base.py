"""The interface every NER back end implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class SequenceTagger(Protocol):
    """Tags pre-tokenised sentences with IOB2 tags over SCHEMA NER labels.

    Words may arrive raw (Arabic letter variants, no ZWNJ, Latin digits): a
    tagger canonicalises them itself, so the same model serves gold-tokenised
    corpora and the pipeline's own tokens.
    """

    #: SCHEMA labels the tagger can emit (``PER``, ``ORG``, ...).
    labels: tuple[str, ...]

    def tag_batch(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """One list of tags (``B-PER``, ``I-ORG``, ``O``) per sentence, aligned with its words."""
        ...
