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
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from ..paths import results_dir
from ..training.datasets import CORPUS_LABELS, TaggedSentence, read_conll, read_sentences
from .conlleval import score

TagFn = Callable[[list[str]], list[str]]
#: Tags many sentences at once, e.g. :meth:`fa_relations.Pipeline.tag_batch`.
BatchTagFn = Callable[[list[list[str]]], list[list[str]]]


def _tag_all(tag_fn: TagFn | BatchTagFn, sentences: Sequence[TaggedSentence], batch_size: int | None) -> list[list[str]]:
    if batch_size is None:
        return [list(tag_fn(list(s.words))) for s in sentences]  # type: ignore[arg-type]
    out: list[list[str]] = []
    for i in range(0, len(sentences), batch_size):
        out += [list(t) for t in tag_fn([list(s.words) for s in sentences[i:i + batch_size]])]  # type: ignore[arg-type]
    return out


def tag_and_score(
    tag_fn: TagFn | BatchTagFn,
    sentences: Sequence[TaggedSentence],
    labels: Collection[str],
    *,
    predictions: list[dict[str, Any]] | None = None,
    batch_size: int | None = None,
) -> tuple[dict[str, Any], float]:
    """Tag each sentence's gold words with ``tag_fn`` and score the tags (:func:`conlleval.score` over
    ``labels``); returns the scores and the seconds spent tagging.

    ``batch_size``: ``None`` calls ``tag_fn`` with one sentence's words at a time (e.g.
    :meth:`fa_relations.Pipeline.tag`); a number calls it with lists of that many sentences (e.g.
    ``Pipeline.tag_batch``, several times faster on a CPU). ``predictions``: a list that receives
    ``{"corpus", "split", "index", "words", "gold", "pred"}`` per sentence, for error analysis
    (:mod:`fa_relations.evaluation.ner_errors`).
    """
    gold, pred = [], []
    t0 = time.perf_counter()
    tagged = _tag_all(tag_fn, sentences, batch_size)
    if len(tagged) != len(sentences):
        raise ValueError(f"tagger returned {len(tagged)} tag sequences for {len(sentences)} sentences")
    for s, tags in zip(sentences, tagged, strict=True):
        if len(tags) != len(s.words):
            raise ValueError(f"tagger returned {len(tags)} tags for {len(s.words)} words ({s.corpus} {s.split} #{s.index})")
        pred.append(tags)
        gold.append(s.tags)
        if predictions is not None:
            predictions.append({"corpus": s.corpus, "split": s.split, "index": s.index, "words": list(s.words),
                                "gold": list(s.tags), "pred": tags})
    seconds = time.perf_counter() - t0
    return score(gold, pred, labels=labels), seconds


def _report(
    sentences: Sequence[TaggedSentence], labels: list[str], result: dict[str, Any], seconds: float,
    model_meta: dict[str, Any] | None, label_policy: str, batch_size: int | None, **header: Any,
) -> dict[str, Any]:
    n_tokens = sum(len(s.words) for s in sentences)
    return {
        "task": "ner",
        **header,
        "sentences": len(sentences),
        "tokens": n_tokens,
        "metric": "entity-level precision/recall/F1, exact span and type (conlleval); micro over scored labels",
        "scored_labels": labels,
        "label_policy": label_policy,
        "overall": result["overall"],
        "per_label": result["per_label"],
        "tokens_per_second": round(n_tokens / seconds, 1) if seconds else None,
        "speed_note": (f"{'one sentence' if batch_size is None else f'batches of {batch_size} sentences'} per call, "
                       "one process, gold tokens, includes tag_fn overhead"),
        "model": model_meta or {},
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_report(report: dict[str, Any], output: str | os.PathLike[str] | bool | None, default_name: str) -> None:
    """Write ``report`` as JSON to ``output``, or to ``default_name`` in the results folder when ``output`` is
    None (``False``: nothing), and note where in ``report['written_to']``."""
    if output is not False:
        path = Path(output) if output else results_dir() / default_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        report["written_to"] = str(path)


def evaluate_ner(
    tag_fn: TagFn | BatchTagFn,
    corpus: str,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    fold: int = 1,
    *,
    limit: int | None = None,
    model_meta: dict[str, Any] | None = None,
    output: str | os.PathLike[str] | bool | None = None,
    predictions: list[dict[str, Any]] | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Tag every sentence of ``corpus``/``split`` with ``tag_fn`` and score it.

    ``output``: a JSON path to write, ``None`` for
    ``benchmarks/results/ner_<corpus>_<split>.json``, ``False`` to write nothing.
    ``predictions``, ``batch_size``: see :func:`tag_and_score`.
    """
    sentences = read_sentences(corpus, split, data_dir, fold=fold)
    if limit is not None:
        sentences = sentences[:limit]
    labels = sorted(CORPUS_LABELS[corpus])
    result, seconds = tag_and_score(tag_fn, sentences, labels, predictions=predictions, batch_size=batch_size)
    split_name = sentences[0].split if sentences else split
    report = _report(sentences, labels, result, seconds, model_meta, (
        "only labels annotated by this corpus are scored; predicted entities of other labels "
        "are dropped before scoring (the corpus leaves them unannotated, not 'O')"
    ), batch_size, corpus=corpus, split=split_name)
    if limit is not None:
        report["limit"] = limit
    write_report(report, output, f"ner_{corpus}_{split_name}.json")
    return report


def evaluate_ner_file(
    tag_fn: TagFn | BatchTagFn,
    path: str | os.PathLike[str],
    *,
    labels: Collection[str] | None = None,
    model_meta: dict[str, Any] | None = None,
    output: str | os.PathLike[str] | bool | None = False,
    predictions: list[dict[str, Any]] | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Score ``tag_fn`` on a user's own CoNLL/IOB gold file (:func:`~fa_relations.training.datasets.read_conll`).

    ``labels``: the labels to score (default: those the file's gold tags use; predicted entities of
    other labels are dropped, as for the corpora). ``output``: a JSON path, ``False`` (default) to
    write nothing, ``None`` for ``benchmarks/results/ner_file_<name>.json``. ``predictions``,
    ``batch_size``: see :func:`tag_and_score`.
    """
    sentences = read_conll(path)
    scored = sorted(labels) if labels is not None else sorted(
        {t[2:] for s in sentences for t in s.tags if t != "O"})
    result, seconds = tag_and_score(tag_fn, sentences, scored, predictions=predictions, batch_size=batch_size)
    report = _report(sentences, scored, result, seconds, model_meta, (
        "labels given by the caller" if labels is not None else
        "the labels the gold file uses are scored; predicted entities of other labels are dropped before scoring"
    ), batch_size, gold_file=str(path))
    write_report(report, output, f"ner_file_{Path(path).stem}.json")
    return report
