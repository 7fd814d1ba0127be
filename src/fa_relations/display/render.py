"""Documents as HTML: the text right to left with entities coloured by label, and the triples.

:func:`render` draws each document's text (``dir="rtl"``, ``lang="fa"``) with
one ``<mark>`` per entity (coloured by label, ISO code and canonical name in
its ``title``), then, for ``style="relations"``, the numbered list of its
triples. Hovering, focusing or clicking a triple highlights its subject, its
object (and, for an argument reached through a title or pronoun, that
mention) and its trigger words in the text; arguments that are not entities
(``says`` statements, resolved mentions) are marked as runs of the text for
this. Hovering a mark highlights the triples it takes part in. A list beside
the text reads better than arcs in right-to-left text, where arcs between
far-apart spans cross every line.

Marks never nest: where entities overlap, the outermost (then the first) is
drawn and the others become plain argument spans. Every piece of text is
HTML-escaped; the CSS and the script are package files inlined into the
output, so a page needs nothing from the network.
"""

from __future__ import annotations

import html
import logging
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from string import Template
from typing import Any

from ..frames import Document, as_records

logger = logging.getLogger(__name__)

#: The two drawings: entities and triples, or entities only.
STYLES = ("relations", "entities")
#: Longest argument shown in full in the list of triples (a ``says`` statement can be long).
MAX_ARGUMENT_CHARS = 80

_ASSETS = Path(__file__).resolve().parent / "assets"
_CLASS_SAFE = re.compile(r"[^A-Za-z0-9_-]")


@cache
def asset(name: str) -> str:
    """The text of a file in ``display/assets`` (read once per process)."""
    return (_ASSETS / name).read_text(encoding="utf-8")


def escape(text: Any) -> str:
    """``text`` as HTML text or attribute value (quotes escaped too)."""
    return html.escape(str(text), quote=True)


def label_class(label: str) -> str:
    """The CSS class of an entity label (``render.css`` colours the known ones; others get the default)."""
    return "fa-l-" + _CLASS_SAFE.sub("_", label or "NONE")


@dataclass
class _Layout:
    """Where the marks and argument spans of one document lie, and which ids each triple refers to."""

    text: str
    marks: dict[int, tuple[int, str, dict[str, Any]]] = field(default_factory=dict)  # start -> (end, id, entity)
    spans: dict[tuple[int, int], str] = field(default_factory=dict)  # (start, end) -> id, for non-entity spans

    def valid(self, start: Any, end: Any) -> bool:
        return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(self.text)

    def ref(self, item: dict[str, Any] | None) -> str | None:
        """The id that highlights ``item`` (an argument, mention or evidence span), None if it has no valid span."""
        if not item or not self.valid(item.get("start"), item.get("end")):
            return None
        start, end = item["start"], item["end"]
        mark = self.marks.get(start)
        if mark is not None and mark[0] == end:
            return mark[1]
        return self.spans.setdefault((start, end), f"s{len(self.spans)}")


def _layout(d: dict[str, Any]) -> _Layout:
    lay = _Layout(d.get("text") or "")
    entities = [(i, e) for i, e in enumerate(d.get("entities") or []) if lay.valid(e.get("start"), e.get("end"))]
    last_end = 0
    for i, e in sorted(entities, key=lambda x: (x[1]["start"], -x[1]["end"], x[0])):
        if e["start"] < last_end:
            logger.debug("entity %r overlaps an earlier one: drawn as a plain span", e.get("text"))
            continue
        lay.marks[e["start"]] = (e["end"], f"e{i}", e)
        last_end = e["end"]
    return lay


def _ids(*ids: str | None) -> str:
    return " ".join(dict.fromkeys(i for i in ids if i))


def _triple_refs(lay: _Layout, t: dict[str, Any]) -> dict[str, str]:
    """The ids a triple highlights: subject, object (each with its resolved mention) and evidence."""
    subj, obj = t.get("subject") or {}, t.get("object") or {}
    return {
        "data-subj": _ids(lay.ref(subj), lay.ref(subj.get("resolved_from"))),
        "data-obj": _ids(lay.ref(obj), lay.ref(obj.get("resolved_from"))),
        "data-ev": _ids(*(lay.ref(ev) for ev in t.get("evidence") or [])),
    }


def _entity_title(e: dict[str, Any]) -> str:
    return " · ".join(str(x) for x in (e.get("label"), e.get("iso"), e.get("canonical")) if x)


def _text_html(lay: _Layout) -> str:
    """The text with its marks; every piece covered by an argument span carries that span's id."""
    text = lay.text
    bounds = sorted({0, len(text)} | {b for s, (e, _, _) in lay.marks.items() for b in (s, e)}
                    | {b for span in lay.spans for b in span})
    pieces: list[list[str]] = [[] for _ in bounds[:-1]]  # the span ids covering each piece
    for (start, end), sid in lay.spans.items():
        for k in range(bisect_left(bounds, start), bisect_left(bounds, end)):
            pieces[k].append(sid)
    out: list[str] = []
    mark_end = -1
    for k, (a, b) in enumerate(pairwise(bounds)):
        mark = lay.marks.get(a)
        if mark is not None:
            mark_end, mid, ent = mark
            label = ent.get("label") or ""
            out.append(f'<mark class="fa-ent {label_class(label)}" dir="auto" data-ids="{mid}" '
                       f'data-label="{escape(label)}" title="{escape(_entity_title(ent))}">')
        piece = escape(text[a:b])
        out.append(f'<span class="fa-span" data-ids="{" ".join(pieces[k])}">{piece}</span>' if pieces[k] else piece)
        if b == mark_end:
            out.append("</mark>")
    return "".join(out)


def _argument_html(arg: dict[str, Any], role: str) -> str:
    text = str(arg.get("text", ""))
    shown = text if len(text) <= MAX_ARGUMENT_CHARS else text[: MAX_ARGUMENT_CHARS - 1] + "…"
    out = (f'<bdi class="fa-arg fa-{role} {label_class(arg.get("label") or "")}" '
           f'title="{escape(_entity_title(arg) or text)}">{escape(shown)}</bdi>')
    via = arg.get("resolved_from")
    if via:
        out += f' <span class="fa-via" title="resolved from a title or pronoun">(<bdi>{escape(via.get("text", ""))}</bdi>)</span>'
    return out


def _triples_html(lay: _Layout, triples: list[dict[str, Any]]) -> str:
    if not triples:
        return '<p class="fa-none">no triples</p>'
    items = []
    for t in triples:
        refs = _triple_refs(lay, t)
        attrs = " ".join(f'{k}="{v}"' for k, v in refs.items())
        title = f'{t.get("method", "")} · confidence {t.get("confidence", "")}'
        extra = "".join(f' <span class="fa-attr"><bdi>{escape(k)}</bdi>: <bdi>{escape(v)}</bdi></span>'
                        for k, v in (t.get("attributes") or {}).items())
        items.append(
            f'<li class="fa-triple" tabindex="0" {attrs} title="{escape(title)}">'
            f'{_argument_html(t.get("subject") or {}, "subj")} '
            f'<bdi class="fa-pred" dir="ltr">{escape(t.get("predicate", ""))}</bdi> '
            f'{_argument_html(t.get("object") or {}, "obj")}{extra}</li>'
        )
    return f'<ol class="fa-triples" dir="rtl" lang="fa">{"".join(items)}</ol>'


def _document_html(d: dict[str, Any], style: str) -> str:
    lay = _layout(d)
    triples = (d.get("triples") or []) if style == "relations" else []
    for t in triples:  # registers the argument spans before the text is drawn
        _triple_refs(lay, t)
    head = f'<div class="fa-id" dir="auto">{escape(d["id"])}</div>' if d.get("id") is not None else ""
    body = f'<div class="fa-text" dir="rtl" lang="fa">{_text_html(lay)}</div>'
    if style == "relations":
        body += _triples_html(lay, triples)
    return f'<section class="fa-doc fa-style-{style}">{head}{body}</section>'


def _legend_html(records: list[dict[str, Any]]) -> str:
    labels = dict.fromkeys(e.get("label") or "" for d in records for e in d.get("entities") or [])
    keys = "".join(f'<span class="fa-key {label_class(lab)}">{escape(lab)}</span>' for lab in labels)
    return f'<div class="fa-legend" dir="ltr">{keys}</div>' if keys else ""


def render(doc_or_docs: Document | dict | Iterable[Document | dict], *, style: str = "relations",
           page: bool = False) -> str:
    """HTML for one document or several (:class:`~fa_relations.Document` or its ``to_dict()`` record).

    ``style``: ``"relations"`` (entities and the list of triples) or
    ``"entities"``. ``page``: a standalone HTML page instead of a fragment
    (the fragment carries its own ``<style>`` and ``<script>``, for Jupyter
    or another page). Documents are drawn one after another.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    records = as_records(doc_or_docs)
    body = (f'<div class="fa-render">{_legend_html(records)}'
            f'{"".join(_document_html(d, style) for d in records)}</div>')
    css, js = asset("render.css"), asset("render.js")
    if page:
        return Template(asset("page.html")).substitute(title="fa_relations", css=css, body=body, js=js)
    return f"<style>{css}</style>{body}<script>{js}</script>"
