"""Defaults shared across packages, defined once.

Each concept has one constant here; modules and the command line import it
instead of repeating the number.
"""

from __future__ import annotations

# defined in the text layer, the lowest, which may not import this module; listed here with the rest
from .text.keys import WORD_MEMO_SIZE as WORD_MEMO_SIZE

#: Documents handed to each pipeline component at a time (``nlp.pipe``, the components' ``pipe``).
DOC_BATCH_SIZE = 64
#: Sentences (or chunks) per forward pass of the built-in CPU tagger.
BUILTIN_TAGGER_BATCH_SIZE = 64
#: At most this many word positions (sentences x longest sentence) per forward pass of the built-in tagger.
BUILTIN_TAGGER_BATCH_TOKENS = 2048
#: Windows per forward pass of a transformer tagger (memory grows with it; raise it on a GPU).
TRANSFORMER_TAGGER_BATCH_SIZE = 16
#: The demo page (``fa-relations serve``): loopback address and port it listens on by default, and the
#: largest request body it reads (a larger one gets 413).
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8080
SERVE_MAX_REQUEST_BYTES = 1_000_000
#: Longest text (in characters) analysed in one piece. ``Pipeline.__call__`` and ``pipe`` analyse a
#: longer text paragraph by paragraph (a paragraph longer than this is cut after sentence ends) and
#: merge the results, so memory stays bounded whatever the text's size (see ``fa_relations.chunks``);
#: ``Pipeline.max_chunk_chars`` changes it per pipeline.
MAX_CHUNK_CHARS = 100_000
