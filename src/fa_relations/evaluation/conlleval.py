"""Entity-level precision / recall / F1 with the conlleval definition.

An entity counts as correct only when its span (start and end token) and its
type both match a gold entity exactly. Tags are IOB2 (``B-X``, ``I-X``, ``O``);
an ``I-X`` that does not continue an ``X`` starts a new entity, as conlleval does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from ..iob import spans_from_iob


def entities(tags: Sequence[str]) -> set[tuple[int, int, str]]:
    """Spans ``(start, end_exclusive, label)`` of one tag sequence."""
    return set(spans_from_iob(tags))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2),
            "support": n_gold, "predicted": n_pred, "correct": tp}


def score(
    gold: Iterable[Sequence[str]],
    pred: Iterable[Sequence[str]],
    labels: Collection[str] | None = None,
) -> dict:
    """Micro and per-label scores. With ``labels``, entities of other types (gold or predicted) are dropped."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if len(g) != len(p):
            raise ValueError(f"tag sequences differ in length: {len(g)} gold vs {len(p)} predicted")
        ge, pe = entities(g), entities(p)
        if labels is not None:
            ge = {e for e in ge if e[2] in labels}
            pe = {e for e in pe if e[2] in labels}
        for e in ge:
            n_gold[e[2]] += 1
        for e in pe:
            n_pred[e[2]] += 1
        for e in ge & pe:
            tp[e[2]] += 1
    all_labels = sorted(set(n_gold) | set(n_pred) | set(labels or ()))
    per_label = {lab: _prf(tp[lab], n_pred[lab], n_gold[lab]) for lab in all_labels}
    overall = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return {"overall": overall, "per_label": per_label}
