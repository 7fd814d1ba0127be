"""The spaCy extensions of the text layer: the offset map from ``doc.text`` back to the user's input.

``Doc._.fa_aligned`` holds the :class:`~.offsets.AlignedText` the tokenizer
made; ``Token._.orig_span`` and ``Span._.orig_span`` read it. The map survives
``Doc.to_bytes`` and ``nlp.pipe(n_process=...)`` through a msgpack codec.
Registered once at import; ``force=True`` keeps re-imports (notebooks,
workers) harmless. The extensions of the later stages (triples, ISO codes,
clusters) are in :mod:`fa_relations.extensions`.
"""

from __future__ import annotations

from array import array
from typing import Any

import srsly
from spacy.tokens import Doc, Span, Token

from .offsets import AlignedText

_ALIGNED_KEY = "__fa_relations_aligned__"


def _aligned(doc: Doc) -> AlignedText | None:
    return doc._.fa_aligned


def _token_orig_span(token: Token) -> tuple[int, int]:
    aligned = _aligned(token.doc)
    if aligned is None:
        return token.idx, token.idx + len(token.text)
    return aligned.to_original(token.idx, token.idx + len(token.text))


def _span_orig_span(span: Span) -> tuple[int, int]:
    aligned = _aligned(span.doc)
    if aligned is None:
        return span.start_char, span.end_char
    return aligned.to_original(span.start_char, span.end_char)


def original_text(doc: Doc) -> str:
    """The string the user passed in (``doc.text`` is its normalised form)."""
    aligned = _aligned(doc)
    return aligned.original if aligned is not None else doc.text


def original_span(doc: Doc, start_char: int, end_char: int) -> tuple[int, int, str]:
    """Map a character span of ``doc.text`` to ``(start, end, surface)`` of the original input."""
    aligned = _aligned(doc)
    if aligned is None:
        return start_char, end_char, doc.text[start_char:end_char]
    return aligned.original_surface(start_char, end_char)


def _encode_aligned(obj: Any, chain: Any = None) -> Any:
    """msgpack encoder, so Docs carrying an offset map survive ``to_bytes`` and ``nlp.pipe(n_process=...)``."""
    if isinstance(obj, AlignedText):
        return {
            _ALIGNED_KEY: True,
            "original": obj.original,
            "text": obj.text,
            "starts": array("q", obj.starts).tobytes(),
            "ends": array("q", obj.ends).tobytes(),
        }
    return obj if chain is None else chain(obj)


def _decode_aligned(obj: Any, chain: Any = None) -> Any:
    if isinstance(obj, dict) and obj.get(_ALIGNED_KEY):
        starts, ends = array("q"), array("q")
        starts.frombytes(obj["starts"])
        ends.frombytes(obj["ends"])
        return AlignedText(obj["original"], obj["text"], tuple(starts), tuple(ends))
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("fa_relations_aligned", func=_encode_aligned)
srsly.msgpack_decoders.register("fa_relations_aligned", func=_decode_aligned)

Doc.set_extension("fa_aligned", default=None, force=True)
Token.set_extension("orig_span", getter=_token_orig_span, force=True)
Span.set_extension("orig_span", getter=_span_orig_span, force=True)
