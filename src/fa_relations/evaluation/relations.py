"""Scoring relation triples against the stand-off gold of ``data/relations/`` and the seed article.

A predicted triple matches a gold one when the predicate and both argument
spans (original character offsets) are equal; symmetric predicates match in
either order. QUOTE spans are compared after trimming surrounding spaces,
quote marks and punctuation (the seed gold keeps a final «.», the corpus gold
drops it).
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..defaults import DOC_BATCH_SIZE
from ..paths import data_dir, results_dir, shared_dir
from ..pipeline import blank_nlp, load, relation_model_path
from ..relation_classifier.component import saved_model_config
from ..relations import component as _relation_component  # noqa: F401  (registers fa_relation_extractor)
from ..relations.oracle import doc_with_entities
from ..schema import PREDICATES
from ..training.datasets import read_sentences

logger = logging.getLogger(__name__)

_TRIM = set(" \u200c\n\t.!?؟،,:;؛«»\"“”'()")


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def triple_key(pred: str, subj: tuple[int, int], obj: tuple[int, int]) -> tuple:
    if PREDICATES[pred].symmetric:
        a, b = sorted([subj, obj])
        return (pred, a, b)
    return (pred, subj, obj)


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)

    def add(self, pred: set, gold: set) -> None:
        for k in pred & gold:
            self.tp[k[0]] += 1
        for k in pred - gold:
            self.fp[k[0]] += 1
        for k in gold - pred:
            self.fn[k[0]] += 1

    @staticmethod
    def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn,
                "support": tp + fn}

    def table(self) -> dict[str, Any]:
        preds = sorted(set(self.tp) | set(self.fp) | set(self.fn))
        per = {p: self.prf(self.tp[p], self.fp[p], self.fn[p]) for p in preds}
        overall = self.prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        return {"per_predicate": per, "overall": overall}


# --------------------------------------------------------------------------- gold


def gold_files(folder: str | Path | None = None) -> list[Path]:
    d = Path(folder) if folder else data_dir() / "relations"
    return sorted(d.glob("gold_*.jsonl"))


def iter_gold(set_name: str, folder: str | Path | None = None, data: str | Path | None = None) -> Iterable[tuple[dict, str]]:
    """Yield ``(record, sentence_text)`` for gold records of ``set`` (dev/test)."""
    cache: dict[tuple[str, str], list] = {}
    for path in gold_files(folder):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("set") != set_name or rec.get("skip_reason"):
                    continue
                ck = (rec["corpus"], rec["split"])
                if ck not in cache:
                    if rec["corpus"] == "arman":
                        split, _, fold = rec["split"].partition("_fold")
                        cache[ck] = read_sentences("arman", split, data, fold=int(fold or 1))
                    else:
                        cache[ck] = read_sentences(rec["corpus"], rec["split"], data)
                yield rec, cache[ck][rec["index"]].text


def gold_triples(rec: dict, text: str) -> set[tuple]:
    ents = {e["id"]: e for e in rec["entities"]}
    out = set()
    for r in rec["relations"]:
        s, o = ents[r["subject"]], ents[r["object"]]
        sp = (s["start"], s["end"])
        op = _trim(text, o["start"], o["end"]) if o["label"] == "QUOTE" else (o["start"], o["end"])
        out.add(triple_key(r["predicate"], sp, op))
    return out


def predicted_triples(triples, text: str) -> set[tuple]:
    out = set()
    for t in triples:
        sp = (t.subject.start, t.subject.end)
        op = _trim(text, t.object.start, t.object.end) if t.object.label == "QUOTE" else (t.object.start, t.object.end)
        out.add(triple_key(t.predicate, sp, op))
    return out


def schema_triples(rec: dict, text: str) -> set[tuple]:
    """The triples of a SCHEMA record (``Document.to_dict()``: arguments as ``{start, end, label, ...}``) as keys."""
    out = set()
    for t in rec.get("triples") or []:
        s, o = t["subject"], t["object"]
        op = _trim(text, o["start"], o["end"]) if o.get("label") == "QUOTE" else (o["start"], o["end"])
        out.add(triple_key(t["predicate"], (s["start"], s["end"]), op))
    return out


def read_gold_documents(path: str | Path) -> Iterable[dict]:
    """A user's gold file: JSON Lines of SCHEMA records with at least ``text``, ``entities`` and ``triples``
    (as ``Document.to_dict()`` or ``fa-relations extract`` writes them); blank lines are skipped."""
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            missing = [k for k in ("text", "triples") if k not in rec]
            if missing:
                raise ValueError(f"{path}:{n}: record without {', '.join(missing)}")
            yield rec


class _Runner:
    """Runs the relation stage (rules, model or both) with gold (oracle) or predicted entities."""

    def __init__(self, entities: str, relations: str = "rules", relation_model: str | Path | None = None) -> None:
        self.entities = entities
        if entities == "gold":
            self.nlp = blank_nlp()
            # oracle labels are already typed (COUNTRY/CITY/LOC): no LOC fallback
            self.nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
            if relations != "rules":
                folder = Path(relation_model) if relation_model else relation_model_path()
                clf = self.nlp.add_pipe("fa_relation_classifier", config={"model": saved_model_config(folder)})
                clf.from_disk(folder)
                clf.cfg["mode"] = relations
            self.pipeline = None
        elif entities == "predicted":
            self.pipeline = load(relations=relations, relation_model=relation_model)
            self.nlp = self.pipeline.nlp
        else:
            raise ValueError("entities must be 'gold' or 'predicted'")

    def __call__(self, text: str, gold_entities: list[dict]):
        if self.entities == "gold":
            doc = doc_with_entities(self.nlp, text, gold_entities)
            for _, proc in self.nlp.pipeline:
                doc = proc(doc)
            return doc._.triples or []
        doc = self.nlp(text)
        return doc._.triples or []

    def many(self, texts: list[str], gold_entities: list[list[dict]]) -> list[list]:
        """:meth:`__call__` over many texts; the full pipeline runs them in batches (``nlp.pipe``),
        which gives the same triples several times faster than one call per text."""
        if self.entities == "gold":
            return [self(t, e) for t, e in zip(texts, gold_entities, strict=True)]
        return [doc._.triples or [] for doc in self.nlp.pipe(texts, batch_size=DOC_BATCH_SIZE)]


def evaluate_relations(
    set_name: str = "dev",
    entities: str = "gold",
    *,
    data: str | Path | None = None,
    gold_folder: str | Path | None = None,
    errors: list | None = None,
    old_spelling: bool = False,
    relations: str = "rules",
    relation_model: str | Path | None = None,
) -> dict[str, Any]:
    """Per-predicate and micro P/R/F1 of the relation stage on the gold set ``set_name``.

    ``relations``: ``"rules"``, ``"model"`` or ``"both"`` (see :func:`fa_relations.load`).

    With ``old_spelling`` every sentence is first rewritten as old news archives
    write Persian (:data:`OLD_SPELLING`: Arabic ي/ك, no ZWNJ); the rewrite keeps
    every offset, so the same gold spans apply.
    """
    def items() -> Iterable[tuple[dict, str, list[dict], set[tuple]]]:
        for rec, text in iter_gold(set_name, gold_folder, data):
            if old_spelling:
                text = text.translate(OLD_SPELLING)
            where = {"corpus": rec["corpus"], "split": rec["split"], "index": rec["index"]}
            yield where, text, rec["entities"], gold_triples(rec, text)

    res, counts = _score(items(), _Runner(entities, relations, relation_model), errors)
    res.update({"set": set_name, "entities": entities, "relations": relations, "spelling": "old" if old_spelling else "as in the corpus",
                **counts})
    return res


def evaluate_relations_file(
    path: str | Path,
    entities: str = "gold",
    *,
    errors: list | None = None,
    relations: str = "rules",
    relation_model: str | Path | None = None,
) -> dict[str, Any]:
    """Per-predicate and micro P/R/F1 on a user's own gold file (:func:`read_gold_documents`): the
    relation stage runs on each record's ``text`` with its gold ``entities`` (``entities="gold"``) or
    the full pipeline's (``"predicted"``), and its triples are matched against the record's ``triples``
    as for the project's gold sets (predicate and both argument spans; symmetric predicates either way)."""
    def items() -> Iterable[tuple[dict, str, list[dict], set[tuple]]]:
        for n, rec in enumerate(read_gold_documents(path)):
            if entities == "gold" and "entities" not in rec:
                raise ValueError(f"{path}: record {n} has no entities; use predicted entities")
            yield {"record": n, "id": rec.get("id")}, rec["text"], rec.get("entities") or [], schema_triples(rec, rec["text"])

    res, counts = _score(items(), _Runner(entities, relations, relation_model), errors)
    res.update({"gold_file": str(path), "entities": entities, "relations": relations, **counts})
    return res


def _score(items: Iterable[tuple[dict, str, list[dict], set[tuple]]], run: _Runner,
           errors: list | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``run`` on each ``(where, text, gold entities, gold triple keys)`` and score: the
    :meth:`Scores.table` and ``{"sentences", "seconds"}``; mismatches go to ``errors``."""
    t0 = time.time()
    scores = Scores()
    todo = list(items)
    outputs = run.many([t for _, t, _, _ in todo], [e for _, _, e, _ in todo])
    for (where, text, _, gold), triples in zip(todo, outputs, strict=True):
        pred = predicted_triples(triples, text)
        scores.add(pred, gold)
        if errors is not None and pred != gold:
            errors.append({
                **where, "text": text,
                "fp": [_show(k, text) for k in sorted(pred - gold)], "fn": [_show(k, text) for k in sorted(gold - pred)],
                "methods": {_show(triple_key(t.predicate, (t.subject.start, t.subject.end), (t.object.start, t.object.end)), text): t.method for t in triples},
            })
    return scores.table(), {"sentences": len(todo), "seconds": round(time.time() - t0, 1)}


def _show(k: tuple, text: str) -> str:
    pred, a, b = k
    return f"{pred}({text[a[0]:a[1]]} | {text[b[0]:b[1]][:80]})"


# --------------------------------------------------------------------------- seed


def seed_paths(examples: str | Path | None = None) -> tuple[Path, Path]:
    d = Path(examples) if examples else shared_dir() / "examples"
    return d / "seed_article.txt", d / "seed_gold.jsonl"


def load_seed(examples: str | Path | None = None) -> tuple[str, list[dict], list[dict]]:
    """The seed article, its gold entities and gold triples, in whole-article offsets."""
    art, gold = seed_paths(examples)
    text = art.read_text(encoding="utf-8")
    offs, o = [], 0
    for line in text.split("\n"):
        offs.append(o)
        o += len(line) + 1
    ents, triples = [], []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        g = json.loads(line)
        base = offs[int(g["id"].split("-")[1]) - 1]
        for e in g["entities"]:
            ents.append(dict(e, start=e["start"] + base, end=e["end"] + base))
        for t in g["triples"]:
            triples.append({
                "predicate": t["predicate"],
                "subject": (t["subject"]["start"] + base, t["subject"]["end"] + base),
                "object": (t["object"]["start"] + base, t["object"]["end"] + base),
                "core": bool(t.get("core")), "quote": t["predicate"] == "says",
                "text": f'{t["predicate"]}({t["subject"]["text"]} | {t["object"]["text"][:60]})',
            })
    return text, ents, triples


#: length-preserving spelling variant: Arabic letters as scraped news often has them
ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})
#: length-preserving old-archive spelling: Arabic letters and a space where a ZWNJ belongs
OLD_SPELLING = str.maketrans({"ی": "ي", "ک": "ك", "\u200c": " "})


def evaluate_seed(entities: str = "gold", examples: str | Path | None = None, *, arabic: bool = False,
                  relations: str = "rules") -> dict[str, Any]:
    """Core recall, all-gold recall and precision on the seed article (processed as one document).

    A predicted triple that is not in the line-level gold but reaches an argument
    through a resolved title/pronoun is reported apart (``resolved_not_in_gold``):
    the gold of a line does not resolve mentions across lines.
    """
    text, ents, gold = load_seed(examples)
    if arabic:
        text = text.translate(ARABIC_LETTERS)
    run = _Runner(entities, relations)
    triples = run(text, ents)

    def gk(g):
        o = _trim(text, *g["object"]) if g["quote"] else g["object"]
        return triple_key(g["predicate"], g["subject"], o)

    gold_keys = {gk(g): g for g in gold}
    pred_keys = {}
    for t in triples:
        o = (t.object.start, t.object.end)
        if t.object.label == "QUOTE":
            o = _trim(text, *o)
        pred_keys[triple_key(t.predicate, (t.subject.start, t.subject.end), o)] = t
    core = [k for k, g in gold_keys.items() if g["core"]]
    found_core = [k for k in core if k in pred_keys]
    correct = [k for k in pred_keys if k in gold_keys]
    resolved = [k for k, t in pred_keys.items() if k not in gold_keys and (t.subject.resolved_from or t.object.resolved_from)]
    wrong = [k for k in pred_keys if k not in gold_keys and k not in resolved]

    def show(k):
        t = pred_keys[k]
        rf = lambda a: a.text + (f"<-{a.resolved_from.text}" if a.resolved_from else "")  # noqa: E731
        return f"{t.predicate}({rf(t.subject)} | {rf(t.object)[:60]}) [{t.method}]"

    return {
        "entities": entities,
        "core_total": len(core), "core_found": len(found_core),
        "core_recall": round(len(found_core) / len(core), 4) if core else 0.0,
        "gold_total": len(gold_keys), "gold_found": len(correct),
        "recall_all": round(len(correct) / len(gold_keys), 4) if gold_keys else 0.0,
        "emitted": len(pred_keys),
        "precision_strict": round(len(correct) / len(pred_keys), 4) if pred_keys else 0.0,
        "precision_excluding_resolved": round(len(correct) / (len(correct) + len(wrong)), 4) if correct or wrong else 0.0,
        "missed_core": [gold_keys[k]["text"] for k in core if k not in pred_keys],
        "missed_other": [gold_keys[k]["text"] for k in gold_keys if k not in pred_keys and not gold_keys[k]["core"]],
        "resolved_not_in_gold": [show(k) for k in resolved],
        "not_in_gold": [show(k) for k in wrong],
    }


def write_result(result: dict[str, Any], name: str, out_dir: str | Path | None = None) -> Path:
    d = Path(out_dir) if out_dir else results_dir()
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
