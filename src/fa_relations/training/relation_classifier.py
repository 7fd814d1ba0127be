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
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy
import torch
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Adam, Config, fix_random_seed

from ..__about__ import __version__
from ..evaluation.relation_agreement import default_passes, relation_agreement
from ..evaluation.relations import Scores, gold_triples, iter_gold, predicted_triples
from ..model_files import write_folder_manifest
from ..paths import data_dir, models_dir
from ..pipeline import blank_nlp
from ..relation_classifier.component import GOLD_KEY, RelationClassifier
from ..relation_classifier.features import LABELS, Candidate, candidates
from ..relation_classifier.model import ARCHITECTURE, SENTENCE_ARCHITECTURE
from ..relation_classifier.sentence_net import set_vocabulary, type_token
from ..relations.oracle import doc_with_entities
from ..schema import PREDICATES
from .pair_vectors import VECTOR_SOURCES, SentenceEncoderConfig, SentenceVocabulary
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
class TrainConfig(SentenceEncoderConfig):
    """Training settings (``[training]`` of the config file); the sentence encoder's are inherited."""

    epochs: int = 12
    learn_rate: float = 0.01
    batch_size: int = 16
    #: thresholds tried on the held-out folds for the probability a pair's best predicate needs
    thresholds: list[float] = field(default_factory=lambda: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    #: the chosen setting must keep at least this precision on the held-out folds (gold entities)
    min_precision: float = 0.8
    mode: str = "both"
    #: the recorded default mode is ``mode`` only if rules + model beat the rules on dev (gold entities) by at
    #: least this much F1; a difference of a sentence or two is noise, and the model costs time on every text
    min_default_gain: float = 0.01
    length: int = 2**18
    #: folds of the train sentences (whole articles or blocks of sentences) for choosing epochs and threshold
    folds: int = 5
    #: how many of the folds are held out in turn (0: all of them, full cross-validation)
    folds_trained: int = 0
    #: train the final model on every sentence for the chosen number of epochs; without it the model of
    #: the first held-out fold, at its chosen epoch, is kept (for the slower sentence encoder)
    refit: bool = True
    #: also choose a threshold per predicate on the held-out folds (:func:`choose_predicate_thresholds`)
    predicate_thresholds: bool = False
    #: "sparse" (hashed lexical features, linear) or "sentence" (BiLSTM + CNN over the sentence)
    architecture: str = "sparse"
    #: sentence encoder: news pairs are read with their argument types
    typed: bool = True


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
                items.append(_DevItem(doc, list(doc._.triples or []), gold_triples(rec, text), text, group_of(rec)))
    logger.info("%d repeated sentences left out", repeats)
    return examples, items


@dataclass
class _DevItem:
    doc: Doc
    rule_triples: list
    gold: set
    text: str
    #: the article (news) or block of consecutive sentences (PEYMA, ARMAN) it comes from
    group: tuple = ()


#: PEYMA and ARMAN give no article boundaries: blocks of this many consecutive sentences stand for them.
SENTENCE_BLOCK = 20


def group_of(rec: dict) -> tuple:
    """What a held-out fold keeps together: a news article (file, record), else a block of sentences, so
    that no fold is scored on an article whose other sentences (same names, same events) were trained on."""
    if rec.get("file") is not None:
        return (rec["corpus"], rec["file"], rec.get("record"))
    return (rec["corpus"], rec.get("split"), int(rec["index"]) // SENTENCE_BLOCK)


def grouped_folds(items: list[_DevItem], folds: int, rng: random.Random) -> list[list[int]]:
    """``folds`` lists of item indices, whole groups in each, groups shuffled by ``rng``."""
    groups = sorted({it.group for it in items}, key=repr)
    rng.shuffle(groups)
    fold_of = {g: k % folds for k, g in enumerate(groups)}
    return [[i for i, it in enumerate(items) if fold_of[it.group] == f] for f in range(folds)]


def dev_items(nlp: Language, data: str | None = None) -> list[_DevItem]:
    """The gold dev sentences with gold entities and the rules' triples (computed once)."""
    rules = nlp.get_pipe("fa_relation_extractor")
    items = []
    for rec, text in iter_gold("dev", None, data):
        doc = rules(doc_with_entities(nlp, text, rec["entities"]))
        items.append(_DevItem(doc, list(doc._.triples or []), gold_triples(rec, text), text, group_of(rec)))
    return items


@dataclass
class Predictions:
    """A classifier's probabilities for the candidates of some scoring items (computed once, then scored
    under any threshold setting)."""

    items: list[_DevItem]
    cands: list[list[Candidate]]
    probs: numpy.ndarray


def predict_items(clf: RelationClassifier, items: list[_DevItem]) -> Predictions:
    cands, probs = clf.predict([it.doc for it in items])
    return Predictions(items, cands, probs)


def score_predictions(clf: RelationClassifier, predictions: Iterable[Predictions], threshold: float,
                      predicate_thresholds: dict[str, float] | None = None) -> Scores:
    """Rules + model under one setting (a threshold above 1 gives the rules alone), pooled over
    ``predictions``; ``clf``'s own setting is left as it was."""
    saved = clf.cfg["threshold"], clf.cfg.get("predicate_thresholds", {})
    clf.cfg["threshold"], clf.cfg["predicate_thresholds"] = threshold, dict(predicate_thresholds or {})
    scores = Scores()
    for pr in predictions:
        row = 0
        for it, cs in zip(pr.items, pr.cands, strict=True):
            it.doc._.triples = list(it.rule_triples)
            clf.set_annotations([it.doc], ([cs], pr.probs[row:row + len(cs)]))
            row += len(cs)
            scores.add(predicted_triples(it.doc._.triples, it.text), it.gold)
    clf.cfg["threshold"], clf.cfg["predicate_thresholds"] = saved
    return scores


def choose_predicate_thresholds(clf: RelationClassifier, predictions: list[Predictions], threshold: float,
                                grid: list[float], min_precision: float, rounds: int = 2) -> dict[str, float]:
    """Each predicate's own threshold (``grid``, or above 1: the model never adds it), by coordinate
    ascent on the pooled micro-F1 of rules + model from the common ``threshold``; a change is kept only
    if it raises F1 and precision stays at least ``min_precision``."""
    chosen: dict[str, float] = {}
    best = _table(score_predictions(clf, predictions, threshold))
    for _ in range(rounds):
        changed = False
        for pred in clf.labels[1:]:
            for t in grid:
                trial = {**chosen, pred: t}
                if trial.get(pred, threshold) == chosen.get(pred, threshold):
                    continue
                sc = _table(score_predictions(clf, predictions, threshold, trial))
                if sc["precision"] >= min_precision and sc["f1"] > best["f1"]:
                    best, chosen, changed = sc, trial, True
        if not changed:
            break
    return chosen


#: The entity labels a candidate's arguments can have, whose type tokens the sentence encoder reads.
ARGUMENT_LABELS: tuple[str, ...] = tuple(sorted({lab for spec in PREDICATES.values() if spec.name != "says"
                                                 for lab in (*spec.subject_labels, *spec.object_labels)}))


def _fresh_classifier(nlp: Language, config: TrainConfig, vocab: SentenceVocabulary | None = None) -> RelationClassifier:
    if CLASSIFIER in nlp.pipe_names:
        nlp.remove_pipe(CLASSIFIER)
    fix_random_seed(config.seed)
    if config.architecture == "sparse":
        model: dict[str, Any] = {"@architectures": ARCHITECTURE, "length": config.length}
    elif config.architecture == "sentence" and vocab is not None:
        model = config.model_config(len(LABELS), len(vocab.words))
    else:
        raise ValueError(f"architecture must be 'sparse' or 'sentence' (with a vocabulary), got {config.architecture!r}")
    clf: RelationClassifier = nlp.add_pipe(CLASSIFIER, config={"mode": config.mode, "model": model})
    clf.initialize(lambda: [])
    if vocab is not None:
        set_vocabulary(clf.model, vocab.words, vocab.vectors)
    return clf


def _fit(clf: RelationClassifier, examples: list[Example], config: TrainConfig, rng: random.Random,
         after_epoch: Callable[[int], None] | None = None, progress: Callable[[str], None] | None = None,
         phase: str = "") -> list[float]:
    optimizer = Adam(config.learn_rate)
    order = list(examples)
    losses_per_epoch = []
    for epoch in range(1, config.epochs + 1):
        t0 = time.time()
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for k in range(0, len(order), config.batch_size):
            clf.update(order[k:k + config.batch_size], sgd=optimizer, losses=losses)
        losses_per_epoch.append(round(losses.get(CLASSIFIER, 0.0), 2))
        line = f"{phase}epoch {epoch} of {config.epochs}: loss {losses.get(CLASSIFIER, 0.0):.1f} ({time.time() - t0:.0f} s)"
        logger.info("%s", line)
        if progress is not None:
            progress(line)
        if after_epoch is not None:
            after_epoch(epoch)
    return losses_per_epoch


def _table(s: Scores) -> dict[str, Any]:
    return s.table()["overall"]


def _describe(config: TrainConfig) -> str:
    if config.architecture == "sparse":
        return f"{ARCHITECTURE}: linear model over hashed lexical features (thinc SparseLinear + softmax)"
    return (f"{SENTENCE_ARCHITECTURE}: {config.encoder} encoder over fastText-initialised word embeddings and "
            f"positions, entity markers{' with argument types' if config.typed else ''} (torch, safetensors)")


def train(files: list[Path], output: Path, config: TrainConfig, data: str | None = None,
          progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train; choose the epochs and the threshold on held-out folds of the train set; save to ``output``.

    Why not the gold dev set: the rules were written on it (0.967/0.819 with gold
    entities), so it cannot tell what a model adds on text the rules have not
    seen. The train sentences are split into ``config.folds`` folds of whole
    articles (:func:`grouped_folds`); each of the first ``folds_trained`` (all by
    default) is held out in turn, rules + model are scored on it after every
    epoch and at every threshold, and the (epochs, threshold) with the best
    pooled micro-F1 whose precision is at least ``min_precision`` is kept. With
    ``refit`` the final model is trained on all train sentences for those
    epochs; otherwise the first fold's model at that epoch is kept. The gold
    dev figures are reported, not selected on, and decide the recorded default
    mode (the rules unless rules + model beat them on dev by ``min_default_gain`` F1). ``progress`` receives a line per epoch.
    """
    torch.set_num_threads(max(config.threads, 1))
    t0 = time.time()
    rng = random.Random(config.seed)
    nlp = blank_nlp()
    nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
    examples, items = train_examples(nlp, files, data)
    n_cands = sum(len(candidates(eg.predicted)) for eg in examples)
    n_pos = sum(len(eg.reference.user_data[GOLD_KEY]) for eg in examples)
    logger.info("%d training sentences, %d candidate pairs, %d gold pair relations", len(examples), n_cands, n_pos)
    dev = dev_items(nlp, data)
    vocab = (config.vocabulary([eg.predicted for eg in examples], [it.doc for it in dev], data,
                               [type_token(lab) for lab in ARGUMENT_LABELS] if config.typed else [])
             if config.architecture == "sentence" else None)

    folds = grouped_folds(items, config.folds, rng)
    grid = [*config.thresholds, 2.0]  # 2.0: the rules alone
    held_out: dict[int, list[Predictions]] = {e: [] for e in range(1, config.epochs + 1)}
    snapshots: dict[int, bytes] = {}
    kept: RelationClassifier | None = None
    for f, held in enumerate(folds[:config.folds_trained or config.folds]):
        held_set = set(held)
        clf = _fresh_classifier(nlp, config, vocab)
        held_items = [items[i] for i in held]
        keep = f == 0 and not config.refit

        def evaluate(epoch: int, clf=clf, held_items=held_items, keep=keep) -> None:
            held_out[epoch].append(predict_items(clf, held_items))
            if keep:
                snapshots[epoch] = clf.model.to_bytes()

        _fit(clf, [examples[i] for i in range(len(examples)) if i not in held_set], config, rng, evaluate,
             progress, f"held-out fold {f + 1}: ")
        kept = clf if keep else kept
        logger.info("held-out fold %d of %d done", f + 1, config.folds)
    pooled = {(e, t): _table(score_predictions(clf, held_out[e], t)) for e in held_out for t in grid}
    rules_cv = pooled[(1, 2.0)]
    ok = {k: sc for k, sc in pooled.items() if k[1] <= 1.0 and sc["precision"] >= config.min_precision}
    (best_epochs, threshold) = max(ok, key=lambda k: (ok[k]["f1"], k[1], -k[0])) if ok else (config.epochs, 2.0)
    per_predicate = (choose_predicate_thresholds(clf, held_out[best_epochs], threshold, grid, config.min_precision)
                     if config.predicate_thresholds and ok else {})
    selected = _table(score_predictions(clf, held_out[best_epochs], threshold, per_predicate))
    logger.info("held out: rules %.3f F1; rules + model %.3f F1 at %d epochs, threshold %.2f, per predicate %s",
                rules_cv["f1"], selected["f1"], best_epochs, threshold, per_predicate)

    losses: list[float] = []
    if config.refit or kept is None:
        final = TrainConfig(**{**asdict(config), "epochs": best_epochs})
        clf = _fresh_classifier(nlp, final, vocab)
        losses = _fit(clf, examples, final, rng, progress=progress, phase="final model: ")
    else:
        clf = kept
        clf.model.from_bytes(snapshots[best_epochs])
    clf.cfg["threshold"] = threshold
    clf.cfg["predicate_thresholds"] = per_predicate
    dev_predictions = [predict_items(clf, dev)]
    dev_scores = {t: score_predictions(clf, dev_predictions, t, per_predicate if t == threshold else None)
                  for t in (threshold, 2.0)}
    dev_gain = _table(dev_scores[threshold])["f1"] - _table(dev_scores[2.0])["f1"]
    default_mode = config.mode if dev_gain >= config.min_default_gain and dev_gain > 0 else "rules"
    output.mkdir(parents=True, exist_ok=True)
    clf.to_disk(output)
    sources = sorted({json.loads(line)["corpus"] for f in files
                      for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip()})
    cv_table = {f"{e}:{t}": sc for (e, t), sc in sorted(pooled.items()) if t <= 1.0}
    n_folds = config.folds_trained or config.folds
    meta = {
        "name": "fa_relations relation classifier", "component": CLASSIFIER, "version": __version__,
        "architecture": _describe(config),
        "labels": list(clf.labels), "mode": config.mode, "threshold": threshold, "epochs": best_epochs,
        "predicate_thresholds": per_predicate,
        # what load() uses when relations= is not given: the rules alone unless rules + model beat them on dev
        "default_mode": default_mode,
        "training_files": [{"file": f"data/relations/{Path(f).name}",
                            "records": sum(1 for line in Path(f).read_text(encoding="utf-8").splitlines() if line.strip())}
                           for f in files],
        "training_sources": {s: LICENCES.get(s, "see the corpus README") for s in sources},
        "vectors": (f"{VECTOR_SOURCES}; vocabulary {len(vocab.words)} words" if config.pretrained
                    else f"random initialisation; vocabulary {len(vocab.words)} words") if vocab else None,
        "training_sentences": len(examples), "training_pairs": n_cands, "training_relations": n_pos,
        "annotation_agreement": _agreement(data),
        "selection": f"{n_folds} of {config.folds} folds of whole articles held out in turn: epochs and threshold "
                     f"with the best pooled micro-F1 of rules + model, precision at least {config.min_precision}; "
                     + ("final model refit on every train sentence" if config.refit or kept is None
                        else "the first fold's model at the chosen epoch is kept"),
        "config": asdict(config), "losses": losses,
        "cross_validation": {"rules": rules_cv, "rules+model": selected if ok else None, "grid": cv_table},
        "dev_gold_entities": {"rules": _table(dev_scores[2.0]), "rules+model": _table(dev_scores[threshold])},
        "dev_per_predicate": dev_scores[threshold].table()["per_predicate"],
        "seconds": round(time.time() - t0, 1),
    }
    (output / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_folder_manifest(output)  # meta.json included
    return meta


def _agreement(data: str | None) -> dict[str, Any] | None:
    """Triple F1 between the two independent annotation passes over the same train sentences
    (``data/relations/agreement/``), or None where the second pass is absent."""
    first, second = default_passes(data_dir() / "relations")
    if not second.is_file():
        return None
    res = relation_agreement(first, second, data)
    return {"sentences": res["sentences"], "triple_f1": res["triple_f1"], "second_pass": "data/relations/agreement/"}


def default_output() -> Path:
    return models_dir() / MODEL_FOLDER


def default_train_files() -> list[Path]:
    return sorted((data_dir() / "relations").glob("train_*.jsonl"))
