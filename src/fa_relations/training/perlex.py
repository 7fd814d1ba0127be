"""Training the relation classifier on PERLEX (the Persian SemEval-2010 Task 8) as a separate model.

The same component as the news classifier (``fa_relation_classifier``), with
PERLEX's 19 labels and one candidate per sentence, the marked pair
(``candidates="marked_pair"``). A fixed-seed part of train (``dev_size``
sentences) is held out as dev: the architecture, the epochs and every other
setting are chosen by the official macro-F1 on it; the test file is scored
once, by ``fa-relations evaluate perlex``.

Architectures (``configs/perlex.cfg`` ``[training] architecture``):

- ``sparse``: ``fa_relations.RelationSparseLinear.v1`` over the news
  classifier's hashed lexical features (the baseline);
- ``sentence``: ``fa_relations.RelationSentenceEncoder.v1``, a BiLSTM and a CNN
  side by side (or one of them) over word and relative-position embeddings
  with entity markers, initialised
  from fastText vectors trained here on PERLEX train and the unlabelled news
  (:func:`.pair_vectors.fasttext_vectors`; cached under the cache folder, rebuildable).

``fa-relations train perlex`` runs :func:`train`.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from thinc.api import Adam, Config, fix_random_seed

from ..__about__ import __version__
from ..evaluation.perlex import LABELS, PerlexItem, official_score, perlex_dir, perlex_docs, read_perlex
from ..model_files import MANIFEST, write_folder_manifest
from ..paths import models_dir
from ..pipeline import blank_nlp
from ..relation_classifier.component import GOLD_LABEL_KEY, RelationClassifier
from ..relation_classifier.features import MARKED_PAIR_KEY
from ..relation_classifier.model import ARCHITECTURE
from .pair_vectors import VECTOR_SOURCES, SentenceEncoderConfig

logger = logging.getLogger(__name__)

CLASSIFIER = "fa_relation_classifier"
MODEL_FOLDER = "perlex"
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / "configs" / "perlex.cfg"
SOURCE = "PERLEX (Asgari-Bidhendi et al., 2020), from nimaafshar/PARSBERT-RE@414aead"
LICENCE = "none found for the PERLEX data; research use"


@dataclass
class PerlexConfig(SentenceEncoderConfig):
    """Training settings (``[training]`` of ``configs/perlex.cfg``); the sentence encoder's are inherited."""

    #: train sentences held out as dev (fixed seed) for every choice
    dev_size: int = 800
    #: "sparse" (hashed lexical features, linear) or "sentence" (BiLSTM/CNN over the sentence)
    architecture: str = "sentence"
    epochs: int = 15
    learn_rate: float = 0.001
    batch_size: int = 32
    #: sparse: hash buckets
    length: int = 2**18
    #: also train on every sentence with e1 and e2 swapped (the label's direction flipped)
    swap_augment: bool = False
    #: sentence: also try the mean of the weights of the last N epochs on dev, kept if it scores higher (0: off)
    average_last: int = 0
    #: sentence: keep the fastText word embeddings fixed
    freeze_embeddings: bool = False


def read_config(path: str | Path | None = None, **overrides: Any) -> PerlexConfig:
    cfg = Config().from_disk(path or DEFAULT_CONFIG)
    return PerlexConfig(**{**dict(cfg.get("training", {})), **overrides})


def split_train(items: list[PerlexItem], config: PerlexConfig) -> tuple[list[PerlexItem], list[PerlexItem]]:
    """Train and dev: ``dev_size`` sentences drawn with the fixed seed."""
    order = list(range(len(items)))
    random.Random(config.seed).shuffle(order)
    dev = set(order[:config.dev_size])
    return [it for i, it in enumerate(items) if i not in dev], [it for i, it in enumerate(items) if i in dev]


def examples(docs: list[Doc], items: list[PerlexItem]) -> list[Example]:
    """Training examples: the marked doc, its gold label in the reference's ``user_data``."""
    out = []
    for doc, it in zip(docs, items, strict=True):
        doc.user_data[GOLD_LABEL_KEY] = it.label
        out.append(Example(doc, doc))
    return out


def flip(label: str) -> str:
    """``X(e1,e2)`` ↔ ``X(e2,e1)``; ``Other`` stays."""
    if label.endswith("(e1,e2)"):
        return label[:-7] + "(e2,e1)"
    if label.endswith("(e2,e1)"):
        return label[:-7] + "(e1,e2)"
    return label


def swapped(docs: list[Doc], items: list[PerlexItem]) -> tuple[list[Doc], list[PerlexItem]]:
    """Copies of the docs with the two arguments exchanged, and items with the flipped labels."""
    out_docs, out_items = [], []
    for doc, it in zip(docs, items, strict=True):
        copy = doc.copy()
        e1, e2 = doc.spans[MARKED_PAIR_KEY]
        copy.spans[MARKED_PAIR_KEY] = [copy.char_span(e2.start_char, e2.end_char, label="E1"),
                                       copy.char_span(e1.start_char, e1.end_char, label="E2")]
        out_docs.append(copy)
        out_items.append(PerlexItem(f"{it.id}s", it.text, it.e2, it.e1, flip(it.label)))
    return out_docs, out_items


# ---------------------------------------------------------------- training
def new_classifier(nlp: Language, config: PerlexConfig, vocab_size: int = 0) -> RelationClassifier:
    """A fresh marked-pair classifier with PERLEX's labels and the configured architecture."""
    if CLASSIFIER in nlp.pipe_names:
        nlp.remove_pipe(CLASSIFIER)
    fix_random_seed(config.seed)
    if config.architecture == "sparse":
        model = {"@architectures": ARCHITECTURE, "length": config.length, "n_labels": len(LABELS)}
    else:
        model = config.model_config(len(LABELS), vocab_size)
    clf: RelationClassifier = nlp.add_pipe(CLASSIFIER, config={"model": model, "labels": list(LABELS),
                                                               "candidates": "marked_pair"})
    clf.initialize(lambda: [])
    return clf


def dev_score(clf: RelationClassifier, docs: list[Doc], items: list[PerlexItem]) -> dict[str, Any]:
    """The official score of ``clf`` on marked docs."""
    _, probs = clf.predict(docs)
    predicted = {it.id: clf.labels[clf._guess(p)] for it, p in zip(items, probs, strict=True)}
    return official_score({it.id: it.label for it in items}, predicted)


def fit(clf: RelationClassifier, train: list[Example], dev_docs: list[Doc], dev_items: list[PerlexItem],
        config: PerlexConfig, on_epoch: Callable[[int, float, float], None] | None = None) -> dict[str, Any]:
    """Train for ``config.epochs``; keep the weights of the epoch with the best dev macro-F1, or the mean of
    the last ``config.average_last`` epochs' weights (torch architectures) when that scores higher on dev."""
    rng = random.Random(config.seed)
    optimizer = Adam(config.learn_rate)
    order = list(train)
    best: tuple[float, int, bytes] = (-1.0, 0, b"")
    curve = []
    net = clf.model.shims[0]._model if clf.model.shims else None
    summed: dict[str, Any] = {}
    averaging = net is not None and config.average_last > 0
    for epoch in range(1, config.epochs + 1):
        rng.shuffle(order)
        losses: dict[str, float] = {}
        for k in range(0, len(order), config.batch_size):
            clf.update(order[k:k + config.batch_size], sgd=optimizer, losses=losses)
        f1 = dev_score(clf, dev_docs, dev_items)["macro_f1"]
        curve.append({"epoch": epoch, "loss": round(losses.get(CLASSIFIER, 0.0), 2), "dev_macro_f1": f1})
        logger.info("epoch %d: loss %.1f, dev macro-F1 %.2f", epoch, losses.get(CLASSIFIER, 0.0), f1)
        if on_epoch is not None:
            on_epoch(epoch, losses.get(CLASSIFIER, 0.0), f1)
        if f1 > best[0]:
            best = (f1, epoch, clf.model.to_bytes())
        if averaging and epoch > config.epochs - config.average_last:
            for k, v in net.state_dict().items():
                summed[k] = summed[k] + v.float() if k in summed else v.float().clone()
    result: dict[str, Any] = {"best_epoch": best[1], "dev_macro_f1": best[0], "curve": curve}
    if averaging:
        n = min(config.average_last, config.epochs)
        net.load_state_dict({k: v / n for k, v in summed.items()})
        f1 = dev_score(clf, dev_docs, dev_items)["macro_f1"]
        result["averaged"] = {"epochs": f"{config.epochs - n + 1}-{config.epochs}", "dev_macro_f1": f1}
        logger.info("mean of the last %d epochs' weights: dev macro-F1 %.2f (best single epoch %.2f)", n, f1, best[0])
        if f1 > best[0]:
            result.update({"best_epoch": f"mean of epochs {config.epochs - n + 1}-{config.epochs}", "dev_macro_f1": f1})
            return result
    clf.model.from_bytes(best[2])
    return result


def _folder_size(folder: Path) -> int:
    """Bytes of the weights and settings (meta and manifest aside)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name not in ("meta.json", MANIFEST))


def train(output: Path, config: PerlexConfig, data: str | Path | None = None,
          on_epoch: Callable[[int, float, float], None] | None = None) -> dict[str, Any]:
    """Train on PERLEX train minus the held-out dev part, keep the best dev epoch, save to ``output``
    (weights, ``cfg``, ``meta.json``, ``manifest.json``)."""
    import torch  # deferred: heavy; one thread, as the machine's cores are shared

    torch.set_num_threads(max(config.threads, 1))
    t0 = time.time()
    items, unreadable = read_perlex(perlex_dir(data) / "train.txt")
    train_items, dev_items = split_train(items, config)
    nlp = blank_nlp()
    train_docs, train_items, bad_train = perlex_docs(nlp, train_items)
    dev_docs, dev_items, bad_dev = perlex_docs(nlp, dev_items)
    vocab = config.vocabulary(train_docs, dev_docs, data) if config.architecture == "sentence" else None
    clf = new_classifier(nlp, config, vocab_size=len(vocab.words) if vocab else 0)
    if vocab is not None:
        from ..relation_classifier.sentence_net import set_vocabulary  # deferred: torch

        set_vocabulary(clf.model, vocab.words, vocab.vectors, freeze=config.freeze_embeddings)
    train_egs = examples(train_docs, train_items)
    if config.swap_augment:
        train_egs += examples(*swapped(train_docs, train_items))
    result = fit(clf, train_egs, dev_docs, dev_items, config, on_epoch)
    train_seconds = time.time() - t0
    output.mkdir(parents=True, exist_ok=True)
    clf.to_disk(output)
    t1 = time.time()
    dev = dev_score(clf, dev_docs, dev_items)
    speed = len(dev_docs) / max(time.time() - t1, 1e-9)
    size = _folder_size(output)
    meta = {
        "name": "fa_relations PERLEX relation classifier", "component": CLASSIFIER, "version": __version__,
        "task": "PERLEX (SemEval-2010 Task 8 in Persian): the relation of a marked pair, 19 labels",
        "architecture": clf.cfg["model_config"]["@architectures"], "config": asdict(config),
        "labels": list(LABELS), "candidates": "marked_pair",
        "training_data": {"source": SOURCE, "licence": LICENCE, "file": "perlex/train.txt",
                          "sentences": len(items), "unreadable": unreadable,
                          "train_sentences": len(train_docs), "dev_sentences": len(dev_docs),
                          "not_tokenised": bad_train + bad_dev,
                          "dev_split": f"{config.dev_size} train sentences drawn with seed {config.seed}"},
        "vectors": f"{VECTOR_SOURCES}; vocabulary {len(vocab.words)} words" if vocab and config.pretrained else None,
        "selection": "the epoch with the best dev macro-F1 (official rule: 9 relations, direction, no Other)",
        "best_epoch": result["best_epoch"], "curve": result["curve"], "averaged": result.get("averaged"),
        "dev_macro_f1": dev["macro_f1"], "dev_per_relation": dev["per_relation"],
        "dev_sentences_per_second": round(speed, 1), "size_bytes": size,
        "train_seconds": round(train_seconds, 1),
    }
    (output / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_folder_manifest(output)
    return meta


def default_output() -> Path:
    return models_dir() / MODEL_FOLDER
