"""NER with and without document-level name consistency, on windows of consecutive gold sentences.

The NER corpora are sentence lists without document boundaries, but PEYMA
keeps its news articles' sentences in order, so windows of ``window``
consecutive sentences stand in for documents. Each window is tagged sentence by
sentence, scored as it is, and scored again after
:func:`~fa_relations.ner.consistency.propagate_names` has tagged the
recurrences of its names. ``window=1`` is the sentence-level evaluation.
"""

from __future__ import annotations

import os
import time
from typing import Any

from ..ner.base import SequenceTagger
from ..ner.consistency import propagate_names, read_not_surnames
from ..training.datasets import CORPUS_LABELS, read_sentences
from .conlleval import score
from .ner import write_report


def evaluate_consistency(
    tagger: SequenceTagger,
    corpus: str,
    split: str,
    windows: tuple[int, ...] = (1, 5, 20, 50),
    data_dir: str | os.PathLike[str] | None = None,
    *,
    fold: int = 1,
    output: str | os.PathLike[str] | bool | None = None,
) -> dict[str, Any]:
    """Scores of ``tagger`` on ``corpus``/``split`` without and with name propagation per window size.

    ``output``: a JSON path, ``None`` for ``ner_consistency_<corpus>_<split>.json``
    in the results folder, ``False`` to write nothing.
    """
    sentences = read_sentences(corpus, split, data_dir, fold=fold)
    words = [s.words for s in sentences]
    gold = [s.tags for s in sentences]
    labels = sorted(CORPUS_LABELS[corpus])
    pred = tagger.tag_batch(words)
    stop = read_not_surnames()
    base = score(gold, pred, labels=labels)
    rows: list[dict[str, Any]] = []
    for k in windows:
        new: list[list[str]] = []
        for i in range(0, len(sentences), k):
            new += propagate_names(words[i:i + k], pred[i:i + k], not_surnames=stop)
        res = score(gold, new, labels=labels)
        rows.append({
            "window": k,
            "overall": res["overall"],
            "per_label_f1": {lab: v["f1"] for lab, v in res["per_label"].items()},
            "delta_f1": round(res["overall"]["f1"] - base["overall"]["f1"], 2),
        })
    report: dict[str, Any] = {
        "task": "ner_document_consistency",
        "corpus": corpus,
        "split": sentences[0].split if sentences else split,
        "sentences": len(sentences),
        "metric": "entity-level P/R/F1 (conlleval), corpus labels only",
        "documents": f"windows of consecutive sentences (the corpus has no document boundaries); sizes {list(windows)}",
        "without_consistency": {"overall": base["overall"],
                                "per_label_f1": {lab: v["f1"] for lab, v in base["per_label"].items()}},
        "with_consistency": rows,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_report(report, output, f"ner_consistency_{corpus}_{report['split']}.json")
    return report
