"""Long texts in chunks: where to cut, and how the chunks' documents become one.

A text longer than ``Pipeline.max_chunk_chars`` (:data:`fa_relations.defaults.MAX_CHUNK_CHARS`)
is analysed paragraph by paragraph (a paragraph is a line; blank lines hold
nothing to analyse); a paragraph longer than the limit is cut after a sentence
end («.» «!» «?» «؟» «…» and a space), else after a space, else (one word
longer than the limit) anywhere. Each chunk is analysed on its own and the
results are shifted back into the whole text's offsets. So the entities and
triples of a long text are those of its paragraphs analysed one by one, and
memory depends on the chunk size, not on the text's size. Entity clusters stay
within a chunk: the mentions of one entity in two paragraphs get two cluster ids.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .schema import Argument, Document, Mention, SpanList, Triple

_LINE = re.compile(r"[^\n]+")
#: The last sentence end (punctuation, then whitespace) in a string.
_SENTENCE_END = re.compile(r".*[.!?؟…»][ \t]", re.DOTALL)


def _cut(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``max_chars``, cut after sentence ends, else spaces."""
    out = []
    while end - start > max_chars:
        limit = start + max_chars
        m = _SENTENCE_END.match(text, start, limit)
        cut = m.end() if m else text.rfind(" ", start + 1, limit) + 1
        if cut <= start:
            cut = limit
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def chunk_spans(text: str, max_chars: int) -> list[tuple[int, int]]:
    """``(start, end)`` spans of ``text`` to analyse one by one: its non-blank lines, each cut into
    pieces of at most ``max_chars`` (see the module docstring). Whatever lies outside them is
    whitespace. A text with nothing but whitespace gives no span."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    spans: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        if not m.group().isspace():
            spans.extend(_cut(text, m.start(), m.end(), max_chars))
    return spans


def _mention(m: Mention, by: int) -> Mention:
    return replace(m, start=m.start + by, end=m.end + by)


def _argument(a: Argument, by: int) -> Argument:
    rf = _mention(a.resolved_from, by) if a.resolved_from is not None else None
    return replace(a, start=a.start + by, end=a.end + by, resolved_from=rf)


def _triple(t: Triple, by: int) -> Triple:
    sent = (t.sentence[0] + by, t.sentence[1] + by) if t.sentence is not None else None
    return replace(t, subject=_argument(t.subject, by), object=_argument(t.object, by),
                   evidence=[_mention(m, by) for m in t.evidence], sentence=sent)


class DocumentMerger:
    """Builds one document over ``text`` from the documents of its chunks, added in order as
    they come: offsets shifted by each chunk's start, cluster ids kept distinct across chunks.
    A chunk's document is not kept once added, so only the merged result grows."""

    def __init__(self, text: str, *, id: str | None, meta: dict) -> None:
        self.document = Document(text=text, id=id, meta=dict(meta))
        self._clusters = 0

    def add(self, by: int, doc: Document) -> None:
        """Add the document of the chunk that starts at character ``by`` of the text."""
        out = self.document
        for mine, theirs in ((out.tokens, doc.tokens), (out.sentences, doc.sentences)):
            if isinstance(mine, SpanList) and type(theirs) is type(mine):
                mine.extend_shifted(theirs, by)
            else:
                mine.extend(replace(x, start=x.start + by, end=x.end + by) for x in theirs)
        ids = [e.cluster for e in doc.entities if e.cluster is not None]
        clusters = self._clusters
        out.entities.extend(
            replace(e, start=e.start + by, end=e.end + by,
                    cluster=e.cluster + clusters if e.cluster is not None else None)
            for e in doc.entities)
        out.triples.extend(_triple(t, by) for t in doc.triples)
        self._clusters += max(ids) + 1 if ids else 0

