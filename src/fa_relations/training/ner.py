"""Training of the built-in NER tagger on the union of PEYMA, ARMAN and ParsTwiNER.

Label-set handling (*partial labels*): the corpora annotate different label
sets, so a word tagged ``O`` in a corpus that does not annotate label X may in
truth be an X. For such a word the loss is the negative log of the probability
mass of every tag path whose tag there is ``O`` *or* a ``B-``/``I-`` tag of a
label the corpus does not annotate (marginal likelihood of a CRF restricted to
the consistent paths). Words inside a gold entity have exactly one allowed tag.

Held-out policy: trains on PEYMA train, ARMAN train_fold1 minus a held-out
slice (every 10th sentence) and ParsTwiNER train; selects the epoch on PEYMA
dev + ARMAN held-out slice + ParsTwiNER dev. Never reads any test split.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..__about__ import __version__
from ..evaluation.conlleval import score
from ..ner.features import canonical_chars, canonical_word
from ..ner.tagger import PAD, UNK, BuiltinTagger, TaggerConfig, Vocab, partial_crf_loss, partial_softmax_loss
from ..paths import datasets_dir
from .datasets import CORPUS_LABELS, TaggedSentence, read_sentences

logger = logging.getLogger(__name__)

ARMAN_DEV_EVERY = 10  # every 10th sentence of ARMAN train_fold1 is held out for model selection


@dataclass
class TrainConfig:
    seed: int = 0
    corpora: tuple[str, ...] = ("peyma", "arman", "parstwiner")
    partial_labels: bool = True
    epochs: int = 14
    max_minutes: float = 42.0
    batch_size: int = 32
    lr: float = 2e-3
    lr_decay: float = 0.92
    clip: float = 5.0
    word_dropout: float = 0.05
    patience: int = 4
    w2v_dim: int = 100
    w2v_epochs: int = 5
    w2v_min_count: int = 2
    max_vocab: int = 50000
    use_pretrained: bool = True
    threads: int = 2
    init_from: str | None = None  # continue training a saved model (its vocab and weights)
    arch: TaggerConfig = field(default_factory=TaggerConfig)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        d = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "arch" in d:
            d["arch"] = TaggerConfig.from_dict(d["arch"])
        if "corpora" in d:
            d["corpora"] = tuple(d["corpora"])
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["corpora"] = list(self.corpora)
        d["arch"]["labels"] = list(self.arch.labels)
        return d


# ---------------------------------------------------------------- data
def load_training_data(data_dir, corpora) -> tuple[list[TaggedSentence], dict[str, list[TaggedSentence]]]:
    """Train sentences and dev sentences per corpus (no test split is read)."""
    train: list[TaggedSentence] = []
    dev: dict[str, list[TaggedSentence]] = {}
    for c in corpora:
        if c == "arman":
            sents = read_sentences("arman", "train", data_dir, fold=1)
            dev[c] = [s for s in sents if s.index % ARMAN_DEV_EVERY == 0]
            train += [s for s in sents if s.index % ARMAN_DEV_EVERY != 0]
        else:
            train += read_sentences(c, "train", data_dir)
            dev[c] = read_sentences(c, "dev", data_dir)
    return train, dev


_TOKEN_RE = re.compile(r"[\w\u200c]+|[^\w\s\u200c]")


def unlabelled_sentences(data_dir) -> list[list[str]]:
    folder = Path(datasets_dir(data_dir)) / "news_unlabelled"
    out: list[list[str]] = []
    for f in sorted(folder.glob("*.json")):
        for art in json.loads(f.read_text(encoding="utf-8")):
            for text in [art.get("title") or "", art.get("abstract") or "", *(art.get("paragraphs") or [])]:
                for sent in re.split(r"(?<=[.!؟?])\s+", text):
                    toks = _TOKEN_RE.findall(sent)
                    if toks:
                        out.append([canonical_word(t) for t in toks])
    return out


def pretrain_word2vec(train: list[TaggedSentence], data_dir, cfg: TrainConfig):
    """Skip-gram word2vec on the unlabelled news plus the raw words of the train sentences."""
    from gensim.models import KeyedVectors, Word2Vec  # deferred: optional and heavy, only for training

    cache = os.environ.get("FA_NER_W2V_CACHE")  # optional: reuse vectors across experiments
    if cache and Path(cache).is_file():
        return KeyedVectors.load(cache)
    corpus = unlabelled_sentences(data_dir) + [[canonical_word(w) for w in s.words] for s in train]
    logger.info("word2vec on %d sentences, %d tokens", len(corpus), sum(map(len, corpus)))
    model = Word2Vec(
        corpus, vector_size=cfg.w2v_dim, window=5, min_count=cfg.w2v_min_count, sg=1, workers=cfg.threads,
        epochs=cfg.w2v_epochs, seed=cfg.seed,
    )
    if cache:
        model.wv.save(cache)
    return model.wv


def build_vocab(train: list[TaggedSentence], wv, cfg: TrainConfig) -> Vocab:
    counts = Counter(canonical_word(w) for s in train for w in s.words)
    words = [w for w, n in counts.most_common() if n >= 2]
    if wv is not None:
        known = set(words)
        words += [w for w in wv.index_to_key if w not in known]
    words = words[: cfg.max_vocab - 2]
    ccounts = Counter(ch for s in train for w in s.words for ch in canonical_chars(w))
    chars = [c for c, n in ccounts.most_common() if n >= 2]
    return Vocab(words=[PAD, UNK, *words], chars=[PAD, UNK, *chars])


def allowed_tags(sent: TaggedSentence, tags: list[str], partial: bool) -> list[list[bool]]:
    annotated = CORPUS_LABELS[sent.corpus]
    free = [t == "O" or (partial and t[2:] not in annotated) for t in tags]
    out = []
    for g in sent.tags:
        if g == "O":
            out.append(free)
        else:
            out.append([t == g for t in tags])
    return out


# ---------------------------------------------------------------- evaluation on dev
def dev_scores(tagger: BuiltinTagger, dev: dict[str, list[TaggedSentence]]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for c, sents in dev.items():
        pred = tagger.tag_batch([s.words for s in sents])
        res[c] = score([s.tags for s in sents], pred, labels=CORPUS_LABELS[c])
    res["mean_f1"] = round(sum(res[c]["overall"]["f1"] for c in dev) / len(dev), 2)
    return res


# ---------------------------------------------------------------- training
def train_tagger(data_dir, output, cfg: TrainConfig) -> BuiltinTagger:
    import numpy as np  # deferred: torch (and numpy with it) only load when training
    import torch

    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    t_start = time.time()

    train, dev = load_training_data(data_dir, cfg.corpora)
    previous: dict[str, Any] | None = None
    if cfg.init_from:
        tagger = BuiltinTagger.load(cfg.init_from)
        previous = {k: tagger.meta.get(k) for k in ("best_epoch", "dev_mean_f1", "history", "train_minutes",
                                                   "train_config", "previous_stage")}
        arch, vocab, net = tagger.config, tagger.vocab, tagger.net
        logger.info("continuing from %s (dev mean F1 %s)", cfg.init_from, tagger.meta.get("dev_mean_f1"))
    else:
        wv = pretrain_word2vec(train, data_dir, cfg) if cfg.use_pretrained else None
        vocab = build_vocab(train, wv, cfg)
        arch = cfg.arch
        if wv is not None:
            arch.word_dim = cfg.w2v_dim
        tagger = BuiltinTagger(arch, vocab)
        net = tagger.net
        if wv is not None:
            emb = net.word_emb.weight.data
            hits = 0
            for i, w in enumerate(vocab.words):
                if w in wv.key_to_index:
                    emb[i] = torch.from_numpy(wv[w].copy())
                    hits += 1
            logger.info("pretrained vectors for %d / %d words", hits, len(vocab.words))
        net.word_emb.weight.data[0].zero_()
    logger.info("vocab %d words, %d chars, train %d sentences, %.0fs prep", len(vocab.words), len(vocab.chars),
                len(train), time.time() - t_start)

    # pre-encode
    tags = tagger.tags
    enc = []
    for s in train:
        enc.append((s, torch.tensor(allowed_tags(s, tags, cfg.partial_labels), dtype=torch.bool), tagger.encode_ids(s.words)))

    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=cfg.lr_decay)
    best, best_state, best_epoch, history = -1.0, None, -1, []
    best_scores: dict[str, Any] = {}
    if previous is not None:  # a continued model keeps its weights unless an epoch beats them on dev
        best_scores = dev_scores(tagger, dev)
        best, best_epoch = best_scores["mean_f1"], 0
        best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        logger.info("start dev mean F1 %.2f", best)
    rng = random.Random(cfg.seed + (1 if cfg.init_from else 0))
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        t0 = time.time()
        order = sorted(range(len(enc)), key=lambda i: len(enc[i][0].words) + rng.random() * 4)
        batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        rng.shuffle(batches)
        total, ntok = 0.0, 0
        out_of_time = False
        for bidx in batches:
            if (time.time() - t_start) / 60 > cfg.max_minutes:
                out_of_time = True  # stop mid-epoch; the partial epoch is still evaluated
                break
            items = [enc[i] for i in bidx]
            words, chars, lengths, mask = tagger.collate([it[2] for it in items])
            if cfg.word_dropout:
                drop = (torch.rand(words.shape) < cfg.word_dropout) & mask
                words = words.masked_fill(drop, 1)
            b, t = words.shape
            allowed = torch.zeros(b, t, len(tags), dtype=torch.bool)
            allowed[:, :, 0] = True  # padding positions: anything, masked anyway
            for j, it in enumerate(items):
                allowed[j, : len(it[1])] = it[1]
            emis = net.emissions(words, chars, lengths)
            if arch.use_crf:
                loss = partial_crf_loss(net, emis, mask, allowed)
            else:
                loss = partial_softmax_loss(emis, mask, allowed)
            opt.zero_grad()
            (loss / b).backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.clip)
            opt.step()
            total += float(loss.detach())
            ntok += int(mask.sum())
        sched.step()
        scores = dev_scores(tagger, dev)
        summary = {c: scores[c]["overall"]["f1"] for c in dev}
        history.append({"epoch": epoch, "loss_per_token": round(total / max(ntok, 1), 4), "dev_f1": summary,
                        "tokens_seen": ntok, "partial_epoch": out_of_time,
                        "mean_f1": scores["mean_f1"], "seconds": round(time.time() - t0, 1)})
        logger.info("epoch %d %s", epoch, history[-1])
        print(json.dumps(history[-1]), flush=True)
        if scores["mean_f1"] > best:
            best, best_epoch = scores["mean_f1"], epoch
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            best_scores = scores
        elif epoch - best_epoch >= cfg.patience:
            break
        if out_of_time or (time.time() - t_start) / 60 > cfg.max_minutes:
            logger.info("time budget reached")
            break
    assert best_state is not None
    net.load_state_dict(best_state)
    tagger.meta = {
        "name": "fa_relations builtin NER",
        "backend": "builtin",
        "version": __version__,
        "architecture": "char-CNN + word2vec (skip-gram, news_unlabelled + train words) + BiLSTM + CRF"
        if arch.use_crf else "char-CNN + word2vec + BiLSTM + softmax",
        "labels": list(arch.labels),
        "training_data": {
            "peyma": "train.txt" if "peyma" in cfg.corpora else None,
            "arman": f"train_fold1.txt minus every {ARMAN_DEV_EVERY}th sentence (held out for selection)"
            if "arman" in cfg.corpora else None,
            "parstwiner": "train.txt" if "parstwiner" in cfg.corpora else None,
            "unlabelled": "news_unlabelled (word2vec only)" if cfg.use_pretrained else None,
        },
        "label_set_handling": "partial labels: an O word of a corpus lacking label X may be X (CRF marginal likelihood)"
        if cfg.partial_labels else "none: O means O in every corpus",
        "selection": "epoch with best mean micro-F1 over PEYMA dev, ARMAN held-out slice, ParsTwiNER dev",
        "seed": cfg.seed,
        "best_epoch": best_epoch,
        "dev_scores": {
            c: {"overall": best_scores[c]["overall"],
                "per_label": {k: v["f1"] for k, v in best_scores[c]["per_label"].items()}}
            for c in dev
        },
        "dev_mean_f1": best,
        "history": history,
        "train_minutes": round((time.time() - t_start) / 60, 1),
        "train_config": cfg.to_dict(),
        "previous_stage": previous,
    }
    if output:
        out = Path(output)
        tagger.save(out)
        (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n", encoding="utf-8")
    return tagger


def main() -> None:  # python -m fa_relations.training.ner OUTPUT [CONFIG_JSON]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = sys.argv[1]
    cfg = TrainConfig.from_dict(json.loads(Path(sys.argv[2]).read_text())) if len(sys.argv) > 2 else TrainConfig()
    for kv in sys.argv[3:]:
        k, v = kv.split("=", 1)
        cur = getattr(cfg, k)
        setattr(cfg, k, type(cur)(json.loads(v)) if not isinstance(cur, str) else v)
    train_tagger(os.environ.get("FA_RELATIONS_DATA"), out, cfg)


if __name__ == "__main__":
    main()
