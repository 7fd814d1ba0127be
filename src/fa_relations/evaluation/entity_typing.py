"""Typing accuracy on the gold LOC mentions of PEYMA test and ARMAN test_fold1.

The gold is ``data/typing/loc_gold.jsonl`` (hand labels, stand-off). Each gold
LOC span is typed by the ``fa_entity_typer`` component with its sentence as
context and all the corpus's gold entity spans set (gold span in, type out),
so the figures measure typing alone, not NER.

A mention the typer drops (a lone demonym) counts as ``NOT_LOC``. ISO accuracy
is measured over the gold COUNTRY and CITY mentions (an empty gold code, e.g.
Jerusalem, must be predicted empty).
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Span

from ..entity_typing import component as _typer_component  # noqa: F401  (registers fa_entity_typer)
from ..entity_typing.typer import type_place
from ..iob import spans_from_iob
from ..paths import data_dir
from ..pipeline import blank_nlp
from ..text import canonical_word
from ..training.datasets import read_sentences

TYPES = ("COUNTRY", "CITY", "LOC", "NOT_LOC")
GOLD_SPLITS = {"peyma": ("test", 1), "arman": ("test", 1)}


@dataclass(frozen=True)
class GoldMention:
    corpus: str
    split: str
    index: int
    start_token: int
    end_token: int
    text: str
    type: str
    iso: str


def gold_path() -> Path:
    return data_dir() / "typing" / "loc_gold.jsonl"


def read_gold(path: str | os.PathLike[str] | None = None, corpus: str | None = None) -> list[GoldMention]:
    """The gold mentions (optionally of one corpus)."""
    out = []
    with open(path or gold_path(), encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            if corpus is None or d["corpus"] == corpus:
                out.append(GoldMention(
                    d["corpus"], d["split"], d["index"], d["start_token"], d["end_token"], d["text"], d["type"],
                    d.get("iso") or "",
                ))
    return out


def _make_typer(**config: Any):
    nlp = blank_nlp()
    return nlp, nlp.add_pipe("fa_entity_typer", config=dict(config))


def predict(corpus: str, data: str | os.PathLike[str] | None = None, *, gold: list[GoldMention] | None = None,
            **config: Any) -> list[tuple[GoldMention, str, str, str]]:
    """``(gold, predicted type, predicted iso, reason)`` for every gold mention of ``corpus``."""
    gold = gold if gold is not None else read_gold(corpus=corpus)
    split, fold = GOLD_SPLITS[corpus]
    sentences = {s.index: s for s in read_sentences(corpus, split, data, fold=fold)}
    nlp, typer = _make_typer(**config)
    by_sentence: dict[int, list[GoldMention]] = defaultdict(list)
    for g in gold:
        by_sentence[g.index].append(g)
    results = []
    for index, mentions in sorted(by_sentence.items()):
        sent = sentences[index]
        words = [canonical_word(w).replace(" ", "\u200c") or "_" for w in sent.words]
        doc = Doc(nlp.vocab, words=words)
        spans = spans_from_iob(sent.tags)
        doc.ents = [Span(doc, a, b, label=label) for a, b, label in spans]
        in_entity = [False] * len(doc)
        for a, b, _ in spans:
            for i in range(a, b):
                in_entity[i] = True
        doc = typer(doc)
        typed = {(e.start, e.end): e for e in doc.ents}
        for g in mentions:
            ent = typed.get((g.start_token, g.end_token))
            if ent is None:
                pred, iso = "NOT_LOC", ""
            else:
                pred, iso = ent.label_, ent._.iso or ""
            # the reason is recomputed on the same input (cheap; for the breakdown only)
            reason = type_place(
                words[g.start_token:g.end_token], words[:g.start_token], words[g.end_token:],
                left_in_entity=in_entity[:g.start_token], gaz=typer.gazetteer,
            ).reason
            results.append((g, pred, iso, reason))
    return results


def score(results: Iterable[tuple[GoldMention, str, str, str]]) -> dict[str, Any]:
    """Accuracy, per-type P/R/F1, ISO accuracy, confusion matrix and per-rule accuracy."""
    results = list(results)
    n = len(results)
    correct = sum(g.type == p for g, p, _, _ in results)
    confusion: dict[str, dict[str, int]] = {t: {u: 0 for u in TYPES} for t in TYPES}
    for g, p, _, _ in results:
        confusion.setdefault(g.type, {u: 0 for u in TYPES})[p if p in TYPES else "LOC"] += 1
    per_type = {}
    for t in TYPES:
        tp = sum(g.type == t and p == t for g, p, _, _ in results)
        fp = sum(g.type != t and p == t for g, p, _, _ in results)
        fn = sum(g.type == t and p != t for g, p, _, _ in results)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_type[t] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                       "support": tp + fn, "predicted": tp + fp}
    iso_items = [(g, p, iso) for g, p, iso, _ in results if g.type in ("COUNTRY", "CITY")]
    iso_ok = sum(g.iso == iso for g, _, iso in iso_items)
    iso_country = [(g, iso) for g, _, iso in iso_items if g.type == "COUNTRY"]
    iso_country_ok = sum(g.iso == iso for g, iso in iso_country)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for g, p, _, r in results:
        reasons[r]["n"] += 1
        reasons[r]["correct"] += g.type == p
    errors = Counter((g.text, g.type, p) for g, p, _, _ in results if g.type != p)
    return {
        "mentions": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "per_type": per_type,
        "macro_f1_country_city_loc": round(sum(per_type[t]["f1"] for t in ("COUNTRY", "CITY", "LOC")) / 3, 4),
        "iso_accuracy": round(iso_ok / len(iso_items), 4) if iso_items else 0.0,
        "iso_mentions": len(iso_items),
        "iso_accuracy_country": round(iso_country_ok / len(iso_country), 4) if iso_country else 0.0,
        "confusion": confusion,
        "by_rule": {r: {"n": c["n"], "accuracy": round(c["correct"] / c["n"], 4)} for r, c in sorted(reasons.items())},
        "top_errors": [{"text": t, "gold": gt, "predicted": p, "count": c} for (t, gt, p), c in errors.most_common(25)],
    }


def evaluate(corpus: str = "both", data: str | os.PathLike[str] | None = None, *,
             gold_file: str | os.PathLike[str] | None = None, **config: Any) -> dict[str, Any]:
    """Score typing on ``corpus`` (``peyma``, ``arman`` or ``both``); returns a JSON-ready dict."""
    corpora = ("peyma", "arman") if corpus == "both" else (corpus,)
    for c in corpora:
        if c not in GOLD_SPLITS:
            raise ValueError(f"unknown corpus {c!r}; expected peyma, arman or both")
    gold = read_gold(gold_file)
    report: dict[str, Any] = {"task": "entity typing (gold LOC spans)", "gold": str(gold_file or gold_path().name)}
    all_results = []
    for c in corpora:
        res = predict(c, data, gold=[g for g in gold if g.corpus == c], **config)
        all_results.extend(res)
        split, fold = GOLD_SPLITS[c]
        report[c] = {"split": split if c != "arman" else f"{split}_fold{fold}", **score(res)}
    if len(corpora) > 1:
        report["all"] = score(all_results)
    return report
