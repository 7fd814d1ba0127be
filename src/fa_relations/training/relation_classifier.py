"""Training the relation classifier (``fa_relation_classifier``) on the hand-read train set.

Examples come from ``data/relations/train_*.jsonl`` (stand-off; see
``data/relations/GUIDELINES.md``): each sentence is tokenised by the pipeline's
tokenizer and given its gold entities, and its gold relations become token
spans. Training minimises cross-entropy over every candidate pair with Adam
and a fixed seed. The number of epochs and the probability threshold are
chosen by cross-validation on the train sentences (see :func:`train` for why
not on the gold dev set, which is reported); the test set is never looked at.

``fa-relations train relations`` runs :func:`train` with ``configs/relation_classifier.cfg``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Adam, Config, fix_random_seed

from ..__about__ import __version__
from ..evaluation.relations import Scores, gold_triples, iter_gold, predicted_triples
from ..paths import data_dir, models_dir
from ..pipeline import blank_nlp
from ..relation_classifier.component import GOLD_KEY, RelationClassifier
from ..relation_classifier.features import candidates
from ..relation_classifier.model import ARCHITECTURE
from ..relations.oracle import doc_with_entities
from .relation_data import sentence_text

logger = logging.getLogger(__name__)

CLASSIFIER = "fa_relation_classifier"
#: Where the shipped model lives under ``models/``.
MODEL_FOLDER = "relations"
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "configs" / "relation_classifier.cfg"
LICENCES = {
    "peyma": "PEYMA (train.txt): research use, per its authors",
    "arman": "ARMAN (train_fold1.txt): research use, per its authors",
    "news_mixed": "news_mixed (Asriran 2016, Radio Farda 2020 RSS): no licence stated; text (c) the publishers, research use only",
}


@dataclass
class TrainConfig:
    """Training settings (``[training]`` of the config file)."""

    seed: int = 0
    epochs: int = 12
    learn_rate: float = 0.01
    batch_size: int = 16
    #: thresholds tried on dev for the probability a pair's best predicate needs
    thresholds: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    #: the chosen setting must keep at least this precision on dev (gold entities)
    min_precision: float = 0.8
    mode: str = "both"
    length: int = 2**18
    #: folds of the train sentences for choosing epochs and threshold
    folds: int = 5


def read_config(path: str | Path | None = None) -> TrainConfig:
    cfg = Config().from_disk(path or DEFAULT_CONFIG)
    return TrainConfig(**dict(cfg.get("training", {})))


def _span_of(doc: Doc, ent: dict) -> tuple[int, int] | None:
    aligned = doc._.fa_aligned
    s, e = aligned.from_original(ent["start"], ent["end"]) if aligned is not None else (ent["start"], ent["end"])
    span = doc.char_span(s, e, alignment_mode="expand")
    if span is None:
        return None
    return next(((x.start, x.end) for x in doc.ents if x.start == span.start and x.end == span.end), None)


def example_from_record(nlp: Language, rec: dict, text: str) -> Example:
    """A training Example: the sentence with its gold entities, gold relations in ``user_data``."""
    doc = doc_with_entities(nlp, text, rec.get("entities", []))
    spans = {e["id"]: _span_of(doc, e) for e in rec.get("entities", []) if e.get("label") != "QUOTE"}
    gold = []
    for r in rec.get("relations", []):
        s, o = spans.get(r["subject"]), spans.get(r["object"])
        if s is not None and o is not None and r["predicate"] != "says":
            gold.append((s[0], s[1], r["predicate"], o[0], o[1]))
    doc.user_data[GOLD_KEY] = gold
    return Example(doc, doc)


def train_examples(nlp: Language, files: Iterable[Path], data: str | None = None) -> tuple[list[Example], list]:
    """Training Examples, and the same sentences as scoring items (rules' triples, gold triples)."""
    rules = nlp.get_pipe("fa_relation_extractor")
    examples, items = [], []
    seen: set[str] = set()
    repeats = 0
    for path in files:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("skip_reason") or rec.get("set") != "train":
                    continue
                text = sentence_text(rec, data)
                # news archives repeat articles: a sentence counts once (the first annotation of it), so
                # no copy lands in a held-out fold while another is trained on
                if text in seen:
                    repeats += 1
                    continue
                seen.add(text)
                eg = example_from_record(nlp, rec, text)
                doc = rules(eg.predicted)
                examples.append(eg)
                items.append(_DevItem(doc, list(doc._.triples or []), gold_triples(rec, text), text))
    logger.info("%d repeated sentences left out", repeats)
    return examples, items


@dataclass
class _DevItem:
    doc: Doc
    rule_triples: list
    gold: set
    text: str


def dev_items(nlp: Language, data: str | None = None) -> list[_DevItem]:
    """The gold dev sentences with gold entities and the rules' triples (computed once)."""
    rules = nlp.get_pipe("fa_relation_extractor")
    items = []
    for rec, text in iter_gold("dev", None, data):
        doc = rules(doc_with_entities(nlp, text, rec["entities"]))
        items.append(_DevItem(doc, list(doc._.triples or []), gold_triples(rec, text), text))
    return items


def score_items(clf: RelationClassifier, items: list[_DevItem], thresholds: Iterable[float]) -> dict[float, Scores]:
    """Rules + model on ``items`` for each threshold (a threshold above 1 gives the rules alone)."""
    docs = [it.doc for it in items]
    cands, probs = clf.predict(docs)
    saved = clf.cfg["threshold"]
    out = {}
    for t in thresholds:
        clf.cfg["threshold"] = t
        scores = Scores()
        row = 0
        for it, cs in zip(items, cands, strict=True):
            it.doc._.triples = list(it.rule_triples)
            clf.set_annotations([it.doc], ([cs], probs[row:row + len(cs)]))
            row += len(cs)
            scores.add(predicted_triples(it.doc._.triples, it.text), it.gold)
        out[t] = scores
    clf.cfg["threshold"] = saved
    return out


def _merge(into: Scores, other: Scores) -> None:
    into.tp.update(other.tp)
    into.fp.update(other.fp)
    into.fn.update(other.fn)


def _fresh_classifier(nlp: Language, config: TrainConfig) -> RelationClassifier:
    if CLASSIFIER in nlp.pipe_names:
        nlp.remove_pipe(CLASSIFIER)
    fix_random_seed(config.seed)
    clf: RelationClassifier = nlp.add_pipe(CLASSIFIER, config={
        "mode": config.mode, "model": {"@architectures": ARCHITECTURE, "length": config.length}})
    clf.initialize(lambda: [])
    return clf


def _fit(clf: RelationClassifier, examples: list[Example], config: TrainConfig, rng: random.Random,
         after_epoch=None) -> list[float]:
    optimizer = Adam(config.learn_rate)
    order = list(examples)
    losses_per_epoch = []
    for epoch in range(1, config.epochs + 1):
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for k in range(0, len(order), config.batch_size):
            clf.update(order[k:k + config.batch_size], sgd=optimizer, losses=losses)
        losses_per_epoch.append(round(losses.get(CLASSIFIER, 0.0), 2))
        if after_epoch is not None:
            after_epoch(epoch)
    return losses_per_epoch


def _table(s: Scores) -> dict[str, Any]:
    return s.table()["overall"]


def train(files: list[Path], output: Path, config: TrainConfig, data: str | None = None) -> dict[str, Any]:
    """Train; choose the epochs and the threshold by cross-validation on the train set; save to ``output``.

    Why not the gold dev set: the rules were written on it (0.967/0.819 with gold
    entities), so it cannot tell what a model adds on text the rules have not
    seen. Each of ``config.folds`` folds of the train sentences is held out in
    turn; rules + model are scored on it after every epoch and at every
    threshold, and the (epochs, threshold) with the best pooled micro-F1 whose
    precision is at least ``min_precision`` is kept. The final model is trained
    on all train sentences; the gold dev figures are reported, not selected on.
    """
    t0 = time.time()
    rng = random.Random(config.seed)
    nlp = blank_nlp()
    nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
    examples, items = train_examples(nlp, files, data)
    n_cands = sum(len(candidates(eg.predicted)) for eg in examples)
    n_pos = sum(len(eg.reference.user_data[GOLD_KEY]) for eg in examples)
    logger.info("%d training sentences, %d candidate pairs, %d gold pair relations", len(examples), n_cands, n_pos)

    order = list(range(len(examples)))
    rng.shuffle(order)
    folds = [order[f::config.folds] for f in range(config.folds)]
    grid = [*config.thresholds, 2.0]  # 2.0: the rules alone
    pooled = {(e, t): Scores() for e in range(1, config.epochs + 1) for t in grid}
    for f, held in enumerate(folds):
        held_set = set(held)
        clf = _fresh_classifier(nlp, config)
        held_items = [items[i] for i in held]

        def evaluate(epoch: int, clf=clf, held_items=held_items) -> None:
            for t, sc in score_items(clf, held_items, grid).items():
                _merge(pooled[(epoch, t)], sc)

        _fit(clf, [examples[i] for i in order if i not in held_set], config, rng, evaluate)
        logger.info("fold %d of %d done", f + 1, config.folds)
    rules_cv = _table(pooled[(1, 2.0)])
    ok = {k: _table(s) for k, s in pooled.items() if k[1] <= 1.0 and _table(s)["precision"] >= config.min_precision}
    (best_epochs, threshold) = max(ok, key=lambda k: (ok[k]["f1"], k[1], -k[0])) if ok else (config.epochs, 2.0)
    logger.info("cross-validation: rules %.3f F1; rules + model %.3f F1 at %d epochs, threshold %.2f",
                rules_cv["f1"], ok.get((best_epochs, threshold), rules_cv)["f1"], best_epochs, threshold)

    final = TrainConfig(**{**asdict(config), "epochs": best_epochs})
    clf = _fresh_classifier(nlp, final)
    losses = _fit(clf, examples, final, rng)
    clf.cfg["threshold"] = threshold
    dev = dev_items(nlp, data)
    dev_scores = score_items(clf, dev, [threshold, 2.0])
    output.mkdir(parents=True, exist_ok=True)
    clf.to_disk(output)
    sources = sorted({json.loads(line)["corpus"] for f in files
                      for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip()})
    cv_table = {f"{e}:{t}": _table(s) for (e, t), s in sorted(pooled.items()) if t <= 1.0}
    meta = {
        "name": "fa_relations relation classifier", "component": CLASSIFIER, "version": __version__,
        "architecture": f"{ARCHITECTURE}: linear model over hashed lexical features (thinc SparseLinear + softmax)",
        "labels": list(clf.labels), "mode": config.mode, "threshold": threshold, "epochs": best_epochs,
        # what load() uses when relations= is not given: the rules alone until a model beats them on dev
        "default_mode": "rules",
        "training_files": [{"file": f"data/relations/{Path(f).name}",
                            "records": sum(1 for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip())}
                           for f in files],
        "training_sources": {s: LICENCES.get(s, "see the corpus README") for s in sources},
        "training_sentences": len(examples), "training_pairs": n_cands, "training_relations": n_pos,
        "selection": f"{config.folds}-fold cross-validation on the train sentences: epochs and threshold with the "
                     f"best pooled micro-F1 of rules + model, precision at least {config.min_precision}",
        "config": asdict(config), "losses": losses,
        "cross_validation": {"rules": rules_cv, "rules+model": ok.get((best_epochs, threshold)), "grid": cv_table},
        "dev_gold_entities": {"rules": _table(dev_scores[2.0]), "rules+model": _table(dev_scores[threshold])},
        "dev_per_predicate": dev_scores[threshold].table()["per_predicate"],
        "seconds": round(time.time() - t0, 1),
    }
    (output / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return meta


def default_output() -> Path:
    return models_dir() / MODEL_FOLDER


def default_train_files() -> list[Path]:
    return sorted((data_dir() / "relations").glob("train_*.jsonl"))
