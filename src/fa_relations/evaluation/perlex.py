"""PERLEX (the Persian SemEval-2010 Task 8): reading the files, the official score, the evaluation.

File format (``train.txt``, ``test.txt``): ``id<TAB>"sentence with <e1>..</e1> <e2>..</e2>"``,
then the relation line (``Cause-Effect(e2,e1)`` or ``Other``), a ``Comment:`` line
and a blank line. Closing tags carry a space before them and tags may nest or
overlap (``<e2>a <e1></e2>b </e1>``) or mark an argument more than once:
:func:`~fa_relations.relation_classifier.marked.parse_marked` reads the two
arguments' character spans whatever their order and strips the tags. The
``Comment:`` line holds the English original; it is never read.

The official score (``semeval2010_task8_scorer-v1.2.pl``, the figure papers
report): macro-averaged F1 over the 9 relation types, a prediction counting as
correct only with the right direction, ``Other`` excluded from the average
(its pairs still count as false positives/negatives of the others).
:func:`official_score` implements that rule.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..model_files import MANIFEST, write_folder_manifest
from ..paths import datasets_dir, models_dir, results_dir
from ..relation_classifier.marked import PERLEX_MODEL, doc_with_pair, parse_marked

logger = logging.getLogger(__name__)

OTHER = "Other"
#: The 9 relation types of SemEval-2010 Task 8.
RELATION_TYPES: tuple[str, ...] = (
    "Cause-Effect", "Component-Whole", "Content-Container", "Entity-Destination", "Entity-Origin",
    "Instrument-Agency", "Member-Collection", "Message-Topic", "Product-Producer",
)
#: The 19 labels: ``Other`` first (the "no relation" row of the classifier), then each type in both directions.
LABELS: tuple[str, ...] = (OTHER, *(f"{r}({a})" for r in RELATION_TYPES for a in ("e1,e2", "e2,e1")))
_HEAD = re.compile(r'^(\d+)\t"(.*)"\s*$')


@dataclass(frozen=True)
class PerlexItem:
    """One sentence: its id, text without tags, the character spans of e1 and e2, and its label."""

    id: str
    text: str
    e1: tuple[int, int]
    e2: tuple[int, int]
    label: str


def read_perlex(path: str | Path) -> tuple[list[PerlexItem], list[dict[str, Any]]]:
    """The items of a PERLEX file and the records it could not read (id, line, why), never dropped silently."""
    items: list[PerlexItem] = []
    failed: list[dict[str, Any]] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    k = repeated = 0
    while k < len(lines):
        line = lines[k].strip("\ufeff")
        if not line.strip():
            k += 1
            continue
        head = _HEAD.match(line)
        label = lines[k + 1].strip() if k + 1 < len(lines) else ""
        if head is None:
            failed.append({"line": k + 1, "why": "not an id<TAB>\"sentence\" line"})
            k += 1
            continue
        parsed = parse_marked(head.group(2))
        if label not in LABELS:
            failed.append({"id": head.group(1), "line": k + 1, "why": f"unknown label {label!r}"})
        elif parsed is None:
            failed.append({"id": head.group(1), "line": k + 1, "why": "e1/e2 tags not readable"})
        else:
            items.append(PerlexItem(head.group(1), parsed[0], parsed[1], parsed[2], label))
            repeated += int(parsed[3] > 0)
        k += 2
        while k < len(lines) and lines[k].startswith("Comment"):
            k += 1
    if repeated:
        logger.info("%s: %d sentences mark an argument more than once (nearest occurrences kept)", path, repeated)
    return items, failed


def perlex_docs(nlp: Language, items: Iterable[PerlexItem]) -> tuple[list[Doc], list[PerlexItem], list[str]]:
    """Docs of the items whose arguments map onto tokens, those items, and the ids of the others."""
    docs, kept, failed = [], [], []
    for it in items:
        doc = doc_with_pair(nlp, it.text, it.e1, it.e2)
        if doc is None:
            failed.append(it.id)
        else:
            docs.append(doc)
            kept.append(it)
    return docs, kept, failed


def relation_type(label: str) -> str:
    """``Cause-Effect(e2,e1)`` → ``Cause-Effect``; ``Other`` stays."""
    return label.split("(", 1)[0]


def official_score(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, Any]:
    """The SemEval-2010 Task 8 official score with directionality (see the module docstring).

    ``gold`` and ``predicted`` map sentence ids to labels; an id without a
    prediction counts as ``Other``. Per relation type: a true positive is a
    prediction of that type with the gold label exactly (direction included);
    precision's denominator is every prediction of the type, recall's every gold
    pair of the type (a right type in the wrong direction is a miss of both).
    """
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for sid, g in gold.items():
        p = predicted.get(sid, OTHER)
        confusion[(g, p)] += 1
        n_gold[relation_type(g)] += 1
        n_pred[relation_type(p)] += 1
        if p == g:
            tp[relation_type(g)] += 1
    per: dict[str, dict[str, float | int]] = {}
    for r in RELATION_TYPES:
        prec = tp[r] / n_pred[r] if n_pred[r] else 0.0
        rec = tp[r] / n_gold[r] if n_gold[r] else 0.0
        f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[r] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f, 4),
                  "tp": tp[r], "predicted": n_pred[r], "gold": n_gold[r]}
    macro = sum(float(v["f1"]) for v in per.values()) / len(RELATION_TYPES)
    correct = sum(1 for sid, g in gold.items() if predicted.get(sid, OTHER) == g)
    return {"macro_f1": round(100 * macro, 2), "accuracy": round(correct / max(len(gold), 1), 4),
            "per_relation": per,
            "confusion": {f"{g} -> {p}": n for (g, p), n in sorted(confusion.items()) if g != p}}


def write_answers(path: str | Path, predicted: dict[str, str]) -> Path:
    """The answer file of the official scorer: ``id<TAB>label`` per line, in id order."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(predicted.items(), key=lambda kv: (int(kv[0]) if kv[0].isdigit() else 0, kv[0]))
    path.write_text("".join(f"{sid}\t{label}\n" for sid, label in rows), encoding="utf-8")
    return path


def read_answers(path: str | Path) -> dict[str, str]:
    """An answer file (``id<TAB>label`` per line) as a dict."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            sid, label = line.split("\t", 1)
            out[sid.strip()] = label.strip()
    return out


def perlex_dir(data: str | Path | None = None) -> Path:
    """The PERLEX folder: ``data`` if given, else ``perlex/`` in the corpus folder."""
    return Path(data) if data is not None else datasets_dir(must_exist=False) / "perlex"


def predict_labels(nlp: Language, docs: list[Doc], batch_size: int = 256) -> list[str]:
    """The classifier's label for each marked doc (``doc._.pair_relation``)."""
    return [doc._.pair_relation["label"] for doc in nlp.pipe(docs, batch_size=batch_size)]


def evaluate_perlex(nlp: Language, data: str | Path | None = None, predictions: str | Path | None = None,
                    output_dir: str | Path | None = None) -> dict[str, Any]:
    """Predict PERLEX test with ``nlp`` (a blank pipeline with a marked-pair classifier), write the answer
    file (``predictions``, default ``<results>/perlex_test_answers.txt``) and ``perlex_test.json``."""
    items, unreadable = read_perlex(perlex_dir(data) / "test.txt")
    docs, kept, untokenised = perlex_docs(nlp, items)
    t0 = time.time()
    labels = predict_labels(nlp, docs)
    seconds = time.time() - t0
    predicted = dict(zip((it.id for it in kept), labels, strict=True))
    gold = {it.id: it.label for it in items}
    res = official_score(gold, predicted)
    res.update({"sentences": len(items), "unreadable": unreadable, "not_tokenised": untokenised,
                "seconds": round(seconds, 2), "sentences_per_second": round(len(docs) / max(seconds, 1e-9), 1)})
    out = Path(output_dir) if output_dir is not None else results_dir()
    answers = write_answers(Path(predictions) if predictions else out / "perlex_test_answers.txt", predicted)
    res["answers"] = answers.name if answers.parent == out else str(answers)  # no machine path beside the JSON
    out.mkdir(parents=True, exist_ok=True)
    (out / "perlex_test.json").write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return res



def record_in_meta(model: str | Path | None, res: dict[str, Any]) -> Path:
    """Write the test figures of ``res`` into the model folder's ``meta.json`` and refresh its manifest."""
    folder = Path(model) if model is not None else models_dir() / PERLEX_MODEL
    path = folder / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update({"test_macro_f1": res["macro_f1"], "test_accuracy": res["accuracy"],
                 "test_per_relation": res["per_relation"],
                 "test_sentences_per_second": res["sentences_per_second"],
                 "test_note": "scored once, after every choice was made on dev"})
    meta["size_bytes"] = sum(p.stat().st_size for p in folder.iterdir()
                             if p.is_file() and p.name not in ("meta.json", MANIFEST))
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_folder_manifest(folder)
    return path
