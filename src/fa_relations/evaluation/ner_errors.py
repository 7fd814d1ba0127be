"""Error analysis of NER output: what kind each entity-level error is, and a token-level confusion matrix.

Both work on gold and predicted IOB2 tag sequences over the same words (what
:func:`fa_relations.evaluation.ner.tag_and_score` collects in ``predictions``),
with the same label policy as the scorer: with ``labels``, entities of other
labels (gold or predicted) are dropped first.

Error kinds, one per gold or predicted entity that is not matched exactly
(span and label, as conlleval counts):

- ``wrong_label``: a predicted entity has the gold span but another label;
- ``boundary``: predicted entities overlap the gold entity without its exact span
  (whatever their labels); the overlapping predictions are part of this error;
- ``missed``: no predicted entity overlaps the gold entity;
- ``spurious``: a predicted entity overlaps no gold entity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from .conlleval import entities

ERROR_KINDS = ("missed", "spurious", "wrong_label", "boundary")
#: the row/column of tokens outside any (scored) entity in :func:`token_confusion`
OUTSIDE = "O"

Span = tuple[int, int, str]


def _spans(tags: Sequence[str], labels: Collection[str] | None) -> set[Span]:
    return {e for e in entities(tags) if labels is None or e[2] in labels}


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def entity_errors(gold: Sequence[str], pred: Sequence[str], labels: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The errors of one sentence, in text order: ``{"kind", "gold", "pred"}`` where ``gold`` is the
    gold span ``(start, end, label)`` or ``None`` and ``pred`` the list of predicted spans involved."""
    if len(gold) != len(pred):
        raise ValueError(f"tag sequences differ in length: {len(gold)} gold vs {len(pred)} predicted")
    g_spans, p_spans = _spans(gold, labels), _spans(pred, labels)
    correct = g_spans & p_spans
    errors: list[dict[str, Any]] = []
    for g in sorted(g_spans - correct):
        others = sorted(p for p in p_spans - correct if _overlaps(g, p))
        same_span = [p for p in others if p[:2] == g[:2]]
        if same_span:
            errors.append({"kind": "wrong_label", "gold": g, "pred": same_span})
        elif others:
            errors.append({"kind": "boundary", "gold": g, "pred": others})
        else:
            errors.append({"kind": "missed", "gold": g, "pred": []})
    for p in sorted(p_spans - correct):
        if not any(_overlaps(p, g) for g in g_spans):
            errors.append({"kind": "spurious", "gold": None, "pred": [p]})
    return sorted(errors, key=lambda e: (e["gold"] or e["pred"][0])[:2])


def error_counts(pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
                 labels: Collection[str] | None = None) -> dict[str, Counter[str]]:
    """Errors of many ``(gold, pred)`` sentences counted by kind, then by label (the gold entity's
    label; a spurious entity's predicted label): ``{kind: Counter(label -> n)}``."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ERROR_KINDS}
    for gold, pred in pairs:
        for e in entity_errors(gold, pred, labels):
            counts[e["kind"]][(e["gold"] or e["pred"][0])[2]] += 1
    return counts


def _token_labels(tags: Sequence[str], labels: Collection[str] | None) -> list[str]:
    out = [OUTSIDE] * len(tags)
    for start, end, label in _spans(tags, labels):
        out[start:end] = [label] * (end - start)
    return out


def token_confusion(pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
                    labels: Collection[str] | None = None) -> tuple[list[str], list[list[int]]]:
    """Token-level confusion matrix: ``(names, matrix)`` with ``matrix[i][j]`` the number of tokens
    whose gold entity label is ``names[i]`` and predicted label ``names[j]`` (B-/I- ignored;
    ``O`` for tokens outside every scored entity, listed last)."""
    cells: Counter[tuple[str, str]] = Counter()
    for gold, pred in pairs:
        if len(gold) != len(pred):
            raise ValueError(f"tag sequences differ in length: {len(gold)} gold vs {len(pred)} predicted")
        cells.update(zip(_token_labels(gold, labels), _token_labels(pred, labels), strict=True))
    seen = {name for pair in cells for name in pair} | set(labels or ())
    names = sorted(seen - {OUTSIDE}) + [OUTSIDE]
    return names, [[cells[(g, p)] for p in names] for g in names]
