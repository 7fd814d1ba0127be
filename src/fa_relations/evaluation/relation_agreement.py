"""Inter-annotator agreement on relation annotation: triple-level F1 between two passes.

The second pass names the sentences it annotated; each is looked up by its
stand-off key among the first pass's files. Triples are compared as the gold
scorer compares them (:func:`fa_relations.evaluation.relations.gold_triples`):
predicate and argument spans, symmetric predicates unordered, ``says``
statements trimmed of quotation marks and punctuation. F1 is symmetric, so it
does not matter which pass is called "gold".
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..training.relation_data import sentence_text
from .relations import Scores, gold_triples

#: The fields that name a sentence in a gold record (see ``data/relations/GUIDELINES.md``).
KEY_FIELDS = ("corpus", "split", "index", "file", "record", "field", "start", "end")


def sentence_key(rec: dict[str, Any]) -> tuple:
    return tuple(rec.get(k) for k in KEY_FIELDS)


def _records(paths: Iterable[str | os.PathLike[str]]) -> Iterator[dict[str, Any]]:
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def relation_agreement(first: Iterable[str | os.PathLike[str]], second: str | os.PathLike[str],
                       data: str | None = None) -> dict[str, Any]:
    """Triple-level agreement of ``second`` (one file) with the same sentences in ``first`` (files)."""
    index = {sentence_key(r): r for r in _records(first)}
    scores, matched, missing, both_empty = Scores(), 0, [], 0
    by_corpus: dict[str, Scores] = {}
    for rec in _records([second]):
        other = index.get(sentence_key(rec))
        if other is None:
            missing.append(sentence_key(rec))
            continue
        matched += 1
        text = sentence_text(rec, data)
        a, b = gold_triples(other, text), gold_triples(rec, text)
        both_empty += not a and not b
        scores.add(b, a)
        by_corpus.setdefault(rec["corpus"], Scores()).add(b, a)
    table = scores.table()
    return {
        "sentences": matched, "not_in_first_pass": len(missing), "both_without_relations": both_empty,
        "first_pass_triples": table["overall"]["support"],
        "second_pass_triples": table["overall"]["tp"] + table["overall"]["fp"],
        "triple_f1": table["overall"]["f1"], "overall": table["overall"], "per_predicate": table["per_predicate"],
        "per_corpus": {c: s.table()["overall"] for c, s in sorted(by_corpus.items())},
    }


def default_passes(folder: str | os.PathLike[str]) -> tuple[list[Path], Path]:
    """The train files and the second pass under ``data/relations``."""
    root = Path(folder)
    return sorted(root.glob("train_*.jsonl")), root / "agreement" / "second_pass.jsonl"
