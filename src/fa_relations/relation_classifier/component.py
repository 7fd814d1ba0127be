"""``fa_relation_classifier``: a trainable spaCy component that scores entity pairs for relations.

It runs after ``fa_relation_extractor`` (the rules) and, per ``mode``:

- ``"both"``: adds the pairs the model labels with probability at least
  ``threshold`` that the rules did not relate, keeping every rule triple;
- ``"model"``: replaces the rule triples of the predicates it scores (every
  predicate but ``says``, whose statement spans come from the rules) by its own.

Each added triple has ``method="model:<name>"`` and the model's probability as
``confidence``. The model (:mod:`.model`) is a registered thinc architecture;
``to_disk``/``from_disk`` save it with the labels, candidate source, mode and thresholds (one
for every predicate, and a predicate's own where training chose one).

The label set and the candidate source are configuration. The default (news)
scores entity pairs with the SCHEMA predicates and writes ``doc._.triples``; a
classifier with ``candidates="marked_pair"`` (PERLEX, SemEval-2010 Task 8)
scores the one pair in ``doc.spans["fa_marked_pair"]`` against its own labels
(the first is the "no relation" label, e.g. ``Other``) and writes
``doc._.pair_relation = {"label": ..., "confidence": ...}``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example
from spacy.vocab import Vocab
from thinc.api import Model, Optimizer

from .. import extensions  # noqa: F401  (registers doc._.triples)
from ..extensions import original_span
from ..model_files import verify_model_folder, write_folder_manifest
from ..relations.docview import argument_from_span
from ..schema import PREDICATES, Triple
from .features import CANDIDATE_SOURCES, LABELS, NONE, Candidate, candidates_from, features, hash_features
from .model import ARCHITECTURE, DEFAULT_MODEL_CONFIG

logger = logging.getLogger(__name__)

MODES = ("both", "model")
#: Key of a reference Doc's ``user_data`` holding its gold relations for training:
#: a list of (subject token start, subject end, predicate, object start, object end).
GOLD_KEY = "fa_gold_relations"
#: Key of a reference Doc's ``user_data`` holding the gold label of its marked pair (``marked_pair`` source).
GOLD_LABEL_KEY = "fa_gold_label"
DEFAULT_THRESHOLD = 0.5


def gold_label(gold: set[tuple], cand: Candidate) -> str:
    """The gold predicate of a candidate pair (symmetric predicates in either order), or ``none``."""
    s, o = cand.subject, cand.object
    for pred in LABELS[1:]:
        if (s.start, s.end, pred, o.start, o.end) in gold:
            return pred
        if PREDICATES[pred].symmetric and (o.start, o.end, pred, s.start, s.end) in gold:
            return pred
    return NONE


class RelationClassifier(TrainablePipe):
    """See the module docstring."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "fa_relation_classifier", *,
                 mode: str = "both", threshold: float = DEFAULT_THRESHOLD,
                 model_config: dict[str, Any] | None = None, labels: Sequence[str] | None = None,
                 candidates: str = "entity_pairs", predicate_thresholds: dict[str, float] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if candidates not in CANDIDATE_SOURCES:
            raise ValueError(f"candidates must be one of {CANDIDATE_SOURCES}, got {candidates!r}")
        self.vocab = vocab
        self.model = model
        self.name = name
        #: saved with the weights, so a loader can build the same architecture before reading them
        self.cfg: dict[str, Any] = {"labels": list(labels or LABELS), "mode": mode, "threshold": float(threshold),
                                    "model_config": dict(model_config or DEFAULT_MODEL_CONFIG),
                                    "candidates": candidates,
                                    "predicate_thresholds": {p: float(t) for p, t in (predicate_thresholds or {}).items()}}

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    @property
    def threshold(self) -> float:
        return float(self.cfg["threshold"])

    def threshold_of(self, predicate: str) -> float:
        """The probability ``predicate`` needs: its own threshold where training chose one (above 1: the
        model never adds it), else :attr:`threshold`."""
        return float(self.cfg.get("predicate_thresholds", {}).get(predicate, self.cfg["threshold"]))

    @property
    def candidate_source(self) -> str:
        """``entity_pairs`` (news; also what a folder saved before this setting holds) or ``marked_pair``."""
        return str(self.cfg.get("candidates", "entity_pairs"))

    def _guess(self, p: numpy.ndarray) -> int:
        """The label index a probability row gives: a marked pair takes the most probable label; an
        entity pair the most probable relation if it reaches the threshold, else ``none`` (0)."""
        if self.candidate_source == "marked_pair":
            return int(numpy.argmax(p))
        k = int(numpy.argmax(p[1:])) + 1
        return k if p[k] >= self.threshold_of(self.labels[k]) else 0

    # ---- prediction --------------------------------------------------------------
    def _encode(self, docs: list[Doc], cands: list[list[Candidate]] | None = None) -> tuple[list[list[Candidate]], Any]:
        """The candidates of ``docs`` (computed unless given) and the model's input: their hashed features,
        or the (doc, candidate) pairs themselves for an architecture that reads the sentence
        (``model.attrs["input"] == "pairs"``)."""
        if cands is None:
            cands = [candidates_from(doc, self.candidate_source) for doc in docs]
        if self.model.attrs.get("input") == "pairs":
            return cands, [(doc, c) for doc, cs in zip(docs, cands, strict=True) for c in cs]
        feats = [features(doc, c) for doc, cs in zip(docs, cands, strict=True) for c in cs]
        return cands, hash_features(feats)

    @staticmethod
    def _n_rows(X: Any) -> int:
        return len(X) if isinstance(X, list) else len(X[2])

    def _probs(self, X: Any) -> numpy.ndarray:
        """One probability row per candidate of the model input ``X``."""
        if not self._n_rows(X):
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        return self.model.ops.to_numpy(self.model.predict(X))

    def predict(self, docs: Iterable[Doc]) -> tuple[list[list[Candidate]], numpy.ndarray]:
        docs = list(docs)
        cands, X = self._encode(docs)
        return cands, self._probs(X)

    def set_annotations(self, docs: Iterable[Doc], scores: tuple[list[list[Candidate]], numpy.ndarray]) -> None:
        cands, probs = scores
        if self.candidate_source == "marked_pair":
            self._set_pair_relations(docs, cands, probs)
            return
        row = 0
        for doc, doc_cands in zip(docs, cands, strict=True):
            found = self._triples(doc, doc_cands, probs[row:row + len(doc_cands)])
            row += len(doc_cands)
            rules = list(doc._.triples or [])
            if self.cfg["mode"] == "model":
                rules = [t for t in rules if t.predicate not in LABELS]
            taken = {frozenset(((t.subject.start, t.subject.end), (t.object.start, t.object.end))) for t in rules}
            added = [t for t in found if frozenset(((t.subject.start, t.subject.end),
                                                    (t.object.start, t.object.end))) not in taken]
            out = rules + added
            out.sort(key=lambda t: (t.sentence or (0, 0), t.subject.start, t.object.start))
            doc._.triples = out

    def _set_pair_relations(self, docs: Iterable[Doc], cands: list[list[Candidate]], probs: numpy.ndarray) -> None:
        """``doc._.pair_relation`` of each doc from its marked pair's probabilities (None without a pair)."""
        row = 0
        for doc, doc_cands in zip(docs, cands, strict=True):
            doc._.pair_relation = None
            if doc_cands:
                k = self._guess(probs[row])
                doc._.pair_relation = {"label": self.labels[k], "confidence": round(float(probs[row][k]), 4)}
            row += len(doc_cands)

    def _triples(self, doc: Doc, doc_cands: list[Candidate], probs: numpy.ndarray) -> list[Triple]:
        best: dict[tuple, Triple] = {}
        sentences: dict[int, tuple[int, int]] = {}  # original offsets of each sentence, computed once
        for cand, p in zip(doc_cands, probs, strict=True):
            k = int(numpy.argmax(p[1:])) + 1
            pred = self.labels[k]
            if p[k] < self.threshold_of(pred):
                continue
            s, o = cand.subject, cand.object
            if PREDICATES[pred].symmetric and o.start < s.start:
                s, o = o, s
            key = (pred, s.start, o.start)
            if key in best and best[key].confidence >= p[k]:
                continue
            if cand.sent_start not in sentences:
                last = doc[cand.sent_end - 1]
                sentences[cand.sent_start] = original_span(doc, doc[cand.sent_start].idx, last.idx + len(last.text))[:2]
            best[key] = Triple(subject=argument_from_span(doc, s), predicate=pred, object=argument_from_span(doc, o),
                               confidence=round(float(p[k]), 4), method=f"model:{self.name}",
                               sentence=sentences[cand.sent_start])
        # one relation per pair: the most probable
        per_pair: dict[frozenset, Triple] = {}
        for t in best.values():
            pk = frozenset(((t.subject.start, t.subject.end), (t.object.start, t.object.end)))
            if pk not in per_pair or per_pair[pk].confidence < t.confidence:
                per_pair[pk] = t
        return list(per_pair.values())

    # ---- training ----------------------------------------------------------------
    def _gold_rows(self, examples: Iterable[Example]) -> tuple[list[Doc], list[list[Candidate]], numpy.ndarray]:
        """The predicted docs, their candidates and the gold label index of every candidate."""
        examples = list(examples)
        docs = [eg.predicted for eg in examples]
        cands = [candidates_from(doc, self.candidate_source) for doc in docs]
        index = {lab: i for i, lab in enumerate(self.labels)}
        if self.candidate_source == "marked_pair":
            y = [index[eg.reference.user_data[GOLD_LABEL_KEY]] for eg, cs in zip(examples, cands, strict=True)
                 for _ in cs]
        else:
            golds = [{tuple(g) for g in eg.reference.user_data.get(GOLD_KEY, [])} for eg in examples]
            y = [index[gold_label(g, c)] for g, cs in zip(golds, cands, strict=True) for c in cs]
        return docs, cands, numpy.asarray(y, dtype="int32")

    @staticmethod
    def _loss(y: numpy.ndarray, scores: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        """Cross-entropy of softmax ``scores`` against gold indices ``y``, and its gradient."""
        truth = numpy.zeros_like(scores)
        truth[numpy.arange(len(y)), y] = 1.0
        d_scores = (scores - truth) / max(len(y), 1)
        loss = float(-numpy.log(numpy.clip(scores[numpy.arange(len(y)), y], 1e-9, 1.0)).sum())
        return loss, d_scores

    def get_loss(self, examples: Iterable[Example], scores: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        _, _, y = self._gold_rows(examples)
        return self._loss(y, scores)

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optimizer | None = None,
               losses: dict[str, float] | None = None) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        docs, cands, y = self._gold_rows(examples)
        _, X = self._encode(docs, cands)
        if not self._n_rows(X):
            return losses
        scores, backprop = self.model.begin_update(X)
        loss, d_scores = self._loss(y, scores)
        backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None) -> None:
        self.model.initialize()

    # ---- files -------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """spaCy's files (``cfg``, ``model``: msgpack, no pickle) and a manifest of their checksums. The
        spaCy vocabulary is not written: no model reads it (the sentence encoder keeps its own words in
        the model, the sparse model hashes strings), and every file of the folder is in the manifest."""
        super().to_disk(path, exclude=[*exclude, "vocab"])
        write_folder_manifest(path)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelationClassifier:
        """Check the folder against its manifest (altered, truncated or pickle-capable files are
        refused, naming the file) before anything in it is read; a ``vocab`` folder that an older
        version wrote is not read."""
        verify_model_folder(path)
        return super().from_disk(path, exclude=[*exclude, "vocab"])

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        """Micro P/R/F1 of the model's own pairs against the gold relations it can score."""
        docs, cands, y = self._gold_rows(examples)
        _, X = self._encode(docs, cands)
        probs = self._probs(X)
        tp = fp = fn = 0
        for gold, p in zip(y, probs, strict=True):
            guess = self._guess(p)
            tp += int(guess == gold != 0)
            fp += int(guess != 0 and guess != gold)
            fn += int(gold != 0 and guess != gold)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"rel_p": prec, "rel_r": rec, "rel_f": f}


@Language.factory(
    "fa_relation_classifier",
    requires=["doc.ents", "doc._.triples"],
    assigns=["doc._.triples"],
    default_config={"model": DEFAULT_MODEL_CONFIG, "mode": "both", "threshold": DEFAULT_THRESHOLD,
                    "labels": None, "candidates": "entity_pairs", "predicate_thresholds": None},
    default_score_weights={"rel_f": 1.0, "rel_p": 0.0, "rel_r": 0.0},
)
def make_relation_classifier(nlp: Language, name: str, model: Model, mode: str, threshold: float,
                             labels: list[str] | None, candidates: str,
                             predicate_thresholds: dict[str, float] | None) -> RelationClassifier:
    """``mode``: ``both`` (add to the rules) or ``model`` (replace the rules' pair predicates);
    ``threshold``: the probability a pair's best predicate needs (chosen by training);
    ``labels``: the model's output labels, "no relation" first (default: ``none`` and the SCHEMA predicates);
    ``candidates``: ``entity_pairs`` (news) or ``marked_pair`` (the pair in ``doc.spans["fa_marked_pair"]``);
    ``predicate_thresholds``: a predicate's own threshold where it differs (above 1: never added)."""
    return RelationClassifier(nlp.vocab, model, name, mode=mode, threshold=threshold,
                              model_config=model_config_of(model), labels=labels, candidates=candidates,
                              predicate_thresholds=predicate_thresholds)


def model_config_of(model: Model) -> dict[str, Any] | None:
    """The registered architecture's config that rebuilds ``model`` (None for another architecture):
    ``model.attrs["config"]`` where the architecture records it, else the sparse linear model's."""
    if "config" in model.attrs:
        return dict(model.attrs["config"])
    if not model.layers or model.layers[0].name != "sparse_linear":
        return None
    return {"@architectures": ARCHITECTURE, "length": model.layers[0].get_dim("length")}


def saved_model_config(folder: Path) -> dict[str, Any]:
    """The architecture config a saved classifier was trained with (to build it before ``from_disk``)."""
    cfg = json.loads((Path(folder) / "cfg").read_text(encoding="utf-8"))
    return dict(cfg.get("model_config") or DEFAULT_MODEL_CONFIG)
