"""Defaults shared across packages, defined once.

Each concept has one constant here; modules and the command line import it
instead of repeating the number.
"""

from __future__ import annotations

#: Documents handed to each pipeline component at a time (``nlp.pipe``, the components' ``pipe``).
DOC_BATCH_SIZE = 64
#: Sentences (or chunks) per forward pass of the built-in CPU tagger.
BUILTIN_TAGGER_BATCH_SIZE = 64
#: Windows per forward pass of a transformer tagger (memory grows with it; raise it on a GPU).
TRANSFORMER_TAGGER_BATCH_SIZE = 16
