"""spaCy ``Doc``/``Span`` extensions that fa_relations components read and write.

The text layer's offset map (``Doc._.fa_aligned``, ``Token/Span._.orig_span``,
:func:`original_text`, :func:`original_span`) is registered by
:mod:`fa_relations.text.spacy_extensions` and re-exported here; this module
adds the extensions of the later stages: ``Doc._.triples``, ``Doc._.pair_relation`` and
``Span._.iso``/``canonical``/``cluster``/``score``.

Registered once at import; ``force=True`` keeps re-imports (notebooks, workers) harmless.
"""

from __future__ import annotations

from typing import Any

import srsly
from spacy.tokens import Doc, Span

from .schema import Triple
from .text.spacy_extensions import original_span, original_text

__all__ = ["original_span", "original_text"]

_TRIPLE_KEY = "__fa_relations_triple__"


def _encode_triple(obj: Any, chain: Any = None) -> Any:
    """msgpack encoder, so Docs carrying triples survive ``to_bytes`` and ``nlp.pipe(n_process=...)``."""
    if isinstance(obj, Triple):
        return {_TRIPLE_KEY: True, "triple": obj.to_dict()}
    return obj if chain is None else chain(obj)


def _decode_triple(obj: Any, chain: Any = None) -> Any:
    if isinstance(obj, dict) and obj.get(_TRIPLE_KEY):
        return Triple.from_dict(obj["triple"])
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("fa_relations_triple", func=_encode_triple)
srsly.msgpack_decoders.register("fa_relations_triple", func=_decode_triple)

Doc.set_extension("triples", default=None, force=True)
#: a marked-pair classifier's answer for the doc's pair (PERLEX): {"label": ..., "confidence": ...}
Doc.set_extension("pair_relation", default=None, force=True)
Span.set_extension("iso", default=None, force=True)
Span.set_extension("canonical", default=None, force=True)
Span.set_extension("cluster", default=None, force=True)
Span.set_extension("score", default=None, force=True)
