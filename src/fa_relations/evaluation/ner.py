"""Evaluate an NER tagger on a gold corpus split (entity-level, conlleval definition).

Only the labels the corpus annotates (``CORPUS_LABELS[corpus]``) are scored:
predicted entities of other labels (e.g. FAC on PEYMA, DATE on ARMAN) are
dropped before scoring, because the corpus cannot say whether they are right.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..paths import results_dir
from ..training.datasets import CORPUS_LABELS, read_sentences
from .conlleval import score

TagFn = Callable[[list[str]], list[str]]


def evaluate_ner(
    tag_fn: TagFn,
    corpus: str,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    fold: int = 1,
    *,
    limit: int | None = None,
    model_meta: dict[str, Any] | None = None,
    output: str | os.PathLike[str] | bool | None = None,
) -> dict[str, Any]:
    """Tag every sentence of ``corpus``/``split`` with ``tag_fn`` and score it.

    ``output``: a JSON path to write, ``None`` for
    ``benchmarks/results/ner_<corpus>_<split>.json``, ``False`` to write nothing.
    """
    sentences = read_sentences(corpus, split, data_dir, fold=fold)
    if limit is not None:
        sentences = sentences[:limit]
    gold, pred = [], []
    t0 = time.perf_counter()
    for s in sentences:
        tags = list(tag_fn(list(s.words)))
        if len(tags) != len(s.words):
            raise ValueError(f"tagger returned {len(tags)} tags for {len(s.words)} words ({corpus} {split} #{s.index})")
        pred.append(tags)
        gold.append(s.tags)
    seconds = time.perf_counter() - t0
    n_tokens = sum(len(s.words) for s in sentences)
    labels = sorted(CORPUS_LABELS[corpus])
    result = score(gold, pred, labels=labels)
    split_name = sentences[0].split if sentences else split
    report: dict[str, Any] = {
        "task": "ner",
        "corpus": corpus,
        "split": split_name,
        "sentences": len(sentences),
        "tokens": n_tokens,
        "metric": "entity-level precision/recall/F1, exact span and type (conlleval); micro over scored labels",
        "scored_labels": labels,
        "label_policy": (
            "only labels annotated by this corpus are scored; predicted entities of other labels "
            "are dropped before scoring (the corpus leaves them unannotated, not 'O')"
        ),
        "overall": result["overall"],
        "per_label": result["per_label"],
        "tokens_per_second": round(n_tokens / seconds, 1) if seconds else None,
        "speed_note": "one sentence per call, one process, gold tokens, includes tag_fn overhead",
        "model": model_meta or {},
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if limit is not None:
        report["limit"] = limit
    if output is not False:
        path = Path(output) if output else results_dir() / f"ner_{corpus}_{split_name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        report["written_to"] = str(path)
    return report
