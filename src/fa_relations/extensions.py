"""spaCy ``Doc``/``Span``/``Token`` extensions that fa_relations components read and write.

Registered once at import; ``force=True`` keeps re-imports (notebooks, workers) harmless.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .text.offsets import AlignedText


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


Doc.set_extension("fa_aligned", default=None, force=True)
Doc.set_extension("triples", default=None, force=True)
Token.set_extension("orig_span", getter=_token_orig_span, force=True)
Span.set_extension("orig_span", getter=_span_orig_span, force=True)
Span.set_extension("iso", default=None, force=True)
Span.set_extension("canonical", default=None, force=True)
Span.set_extension("cluster", default=None, force=True)
Span.set_extension("score", default=None, force=True)
