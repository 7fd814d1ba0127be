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

import csv
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
from ..paths import data_dir, datasets_dir
from ..resources import read_tsv_records
from .datasets import (
    CORPUS_LABELS,
    EXTRA_CORPORA,
    LOC_INCLUDES_FAC,
    TaggedSentence,
    read_extra,
    read_sentences,
)

logger = logging.getLogger(__name__)

#: Training sources and their licence notes (under ``data/training/``), copied into a model's meta.
NER_SOURCES = "ner_sources.tsv"
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
    vectors: str = "word2vec"  # "word2vec": skip-gram on news_unlabelled + train words; "fasttext": all text
    expand_vocab: bool = False  # with init_from: add the vectors' words, mapped linearly into the model's space
    extra_corpora: dict[str, float] = field(default_factory=dict)  # extra corpus -> fraction drawn each epoch
    extra_weight: float = 0.5  # loss weight of an extra-corpus sentence (gold sentences weigh 1)
    average: int = 0  # also try the mean of the last N epochs' weights on dev (0: off)
    loc_may_be_fac: bool = False  # partial labels: a LOC span of a LOC_INCLUDES_FAC corpus may be a FAC
    arch: TaggerConfig = field(default_factory=TaggerConfig)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        d = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "arch" in d:
            d["arch"] = TaggerConfig.from_dict(d["arch"])
        if "corpora" in d:
            d["corpora"] = tuple(d["corpora"])
        if "extra_corpora" in d:
            d["extra_corpora"] = dict(d["extra_corpora"])
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


def _text_sentences(text: str) -> list[list[str]]:
    """Canonical words of each sentence of a raw text (split after . ! ? ؟)."""
    out = []
    for sent in re.split(r"(?<=[.!؟?])\s+", text):
        toks = _TOKEN_RE.findall(sent)
        if toks:
            out.append([canonical_word(t) for t in toks])
    return out


def unlabelled_sentences(data_dir) -> list[list[str]]:
    """Canonical sentences of the Varzesh3 sports news (news_unlabelled)."""
    folder = Path(datasets_dir(data_dir)) / "news_unlabelled"
    out: list[list[str]] = []
    for f in sorted(folder.glob("*.json")):
        for art in json.loads(f.read_text(encoding="utf-8")):
            for text in [art.get("title") or "", art.get("abstract") or "", *(art.get("paragraphs") or [])]:
                out += _text_sentences(text)
    return out


_PERLEX_TAG = re.compile(r"</?e[12]>")


def mixed_news_and_perlex_sentences(data_dir) -> list[list[str]]:
    """Canonical sentences of news_mixed (every file) and of the PERLEX train sentences (tags stripped)."""
    root = Path(datasets_dir(data_dir))
    texts: list[str] = []
    mixed = root / "news_mixed"
    if (mixed / "asriran_2015.txt").is_file():
        texts += (mixed / "asriran_2015.txt").read_text(encoding="utf-8").splitlines()
    if (mixed / "asriran_2016.csv").is_file():
        with open(mixed / "asriran_2016.csv", encoding="utf-8", newline="") as fh:
            texts += [f"{row.get('title') or ''}\n{row.get('body') or ''}" for row in csv.DictReader(fh)]
    for f in sorted(mixed.glob("*_rss_2020.json")):
        texts += [f"{it.get('title') or ''}\n{it.get('summary') or ''}" for it in json.loads(f.read_text(encoding="utf-8"))]
    perlex = root / "perlex" / "train.txt"
    if perlex.is_file():
        for line in perlex.read_text(encoding="utf-8").splitlines():
            sid, tab, sent = line.partition("\t")
            if tab and sid.strip().isdigit():
                texts.append(_PERLEX_TAG.sub("", sent.strip().strip('"')))
    out: list[list[str]] = []
    for text in texts:
        for para in text.splitlines():
            out += _text_sentences(para)
    return out


def pretrain_vectors(train: list[TaggedSentence], data_dir, cfg: TrainConfig):
    """Word vectors: skip-gram word2vec on the unlabelled news plus the raw words of the train sentences, or
    (``cfg.vectors == "fasttext"``) skip-gram fastText (character 3-5-grams) on every Persian text at hand:
    news_unlabelled, news_mixed, PERLEX train and the words of every training sentence (gold and extra)."""
    from gensim.models import FastText, KeyedVectors, Word2Vec  # deferred: heavy, training only

    cache = os.environ.get("FA_NER_W2V_CACHE")  # optional: reuse vectors across experiments
    if cache and Path(cache).is_file():
        return KeyedVectors.load(cache)
    corpus = unlabelled_sentences(data_dir) + [[canonical_word(w) for w in s.words] for s in train]
    if cfg.vectors == "fasttext":
        corpus += mixed_news_and_perlex_sentences(data_dir)
        for name in EXTRA_CORPORA:  # the words of every extra corpus, used for training or not
            corpus += [[canonical_word(w) for w in s.words] for s in read_extra(name, data_dir)]
    logger.info("%s on %d sentences, %d tokens", cfg.vectors, len(corpus), sum(map(len, corpus)))
    if cfg.vectors == "fasttext":
        model = FastText(
            corpus, vector_size=cfg.w2v_dim, window=5, min_count=cfg.w2v_min_count, sg=1, workers=cfg.threads,
            epochs=cfg.w2v_epochs, seed=cfg.seed, min_n=3, max_n=5, bucket=200_000,
        )
    else:
        model = Word2Vec(
            corpus, vector_size=cfg.w2v_dim, window=5, min_count=cfg.w2v_min_count, sg=1, workers=cfg.threads,
            epochs=cfg.w2v_epochs, seed=cfg.seed,
        )
    if cache:
        model.wv.save(cache)
    return model.wv


def expand_vocab(tagger: BuiltinTagger, wv, cfg: TrainConfig) -> BuiltinTagger:
    """A copy of a trained tagger whose vocabulary also holds the vectors' most frequent words (up to
    ``cfg.max_vocab``): a least-squares linear map from the new vector space to the tagger's trained
    word embeddings, fitted on the words both know, gives the new words' rows; the rest is unchanged."""
    import numpy as np  # deferred: training only
    import torch

    old = tagger.vocab.words
    emb = tagger.net.word_emb.weight.data.numpy()
    shared = [i for i, w in enumerate(old) if w in wv.key_to_index and i > 1]
    x = np.stack([wv[old[i]] for i in shared])
    x1 = np.hstack([x, np.ones((len(x), 1), dtype=x.dtype)])
    w, *_ = np.linalg.lstsq(x1, emb[shared], rcond=None)
    resid = emb[shared] - x1 @ w
    r2 = 1 - float((resid**2).sum() / ((emb[shared] - emb[shared].mean(0)) ** 2).sum())
    known = set(old)
    new = [k for k in wv.index_to_key if k not in known][: max(cfg.max_vocab - len(old), 0)]
    logger.info("vocab expansion: map fitted on %d words (R^2 %.3f), %d new words", len(shared), r2, len(new))
    vocab = Vocab(words=[*old, *new], chars=list(tagger.vocab.chars))
    out = BuiltinTagger(tagger.config, vocab, meta=dict(tagger.meta))
    state = tagger.net.state_dict()
    rows = np.hstack([np.stack([wv[k] for k in new]), np.ones((len(new), 1), dtype=np.float32)]) @ w if new \
        else np.zeros((0, emb.shape[1]), dtype=np.float32)
    state["word_emb.weight"] = torch.cat([state["word_emb.weight"], torch.from_numpy(rows.astype(np.float32))])
    out.net.load_state_dict(state)
    return out


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


def allowed_tags(sent: TaggedSentence, tags: list[str], partial: bool, loc_may_be_fac: bool = False) -> list[list[bool]]:
    """Per word, which tags are consistent with the sentence's annotation: exactly the gold tag inside an
    entity (or, with ``loc_may_be_fac``, the FAC tag too inside a LOC of a :data:`LOC_INCLUDES_FAC` corpus),
    ``O`` or any tag of a label the corpus does not annotate outside one (``O`` only without ``partial``)."""
    annotated = CORPUS_LABELS[sent.corpus]
    free = [t == "O" or (partial and t[2:] not in annotated) for t in tags]
    widen = partial and loc_may_be_fac and sent.corpus in LOC_INCLUDES_FAC
    out = []
    for g in sent.tags:
        if g == "O":
            out.append(free)
        elif widen and g[2:] == "LOC":
            out.append([t in (g, f"{g[:2]}FAC") for t in tags])
        else:
            out.append([t == g for t in tags])
    return out


# ---------------------------------------------------------------- meta
def _vector_sources(cfg: TrainConfig) -> list[str]:
    if cfg.vectors == "fasttext":  # every text at hand, the extra corpora's words included
        return ["news_unlabelled", "news_mixed", "perlex", *EXTRA_CORPORA]
    return ["news_unlabelled"]


def training_sources(cfg: TrainConfig, previous: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """Every source a model was trained from (earlier stages included), with its use and licence note
    (``data/training/ner_sources.tsv``)."""
    rows = {r["source"]: r for r in read_tsv_records(data_dir() / "training" / NER_SOURCES)}
    used: dict[str, str] = {}
    earlier = (previous or {}).get("training_data") or {}
    for key, value in earlier.items():
        if value:  # an earlier stage's source; the first stages wrote "unlabelled" for news_unlabelled
            used[key if key in rows else "news_unlabelled"] = rows.get(key, {}).get("use", "word vectors only")
    for name in cfg.corpora:
        used[name] = rows[name]["use"]
    for name in cfg.extra_corpora:
        used[name] = f"{rows[name]['use']}, {cfg.extra_corpora[name]:g} of it drawn each epoch, loss weight " \
                     f"{cfg.extra_weight:g}"
    if cfg.use_pretrained and (cfg.init_from is None or cfg.expand_vocab):
        for name in _vector_sources(cfg):
            used.setdefault(name, "word vectors only")
    return {name: {"use": use, "licence": rows[name]["licence"]} for name, use in used.items()}


def architecture_note(cfg: TrainConfig, previous: dict[str, Any] | None) -> str:
    """One line naming the network and where its word vectors come from."""
    if cfg.init_from and not cfg.expand_vocab and previous and previous.get("architecture"):
        return previous["architecture"]  # continued training: the same network and vocabulary
    vectors = "word2vec (skip-gram, news_unlabelled + train words)"
    if cfg.vectors == "fasttext" and cfg.use_pretrained:
        vectors = "fastText (skip-gram, char 3-5-grams, every Persian text at hand)"
        if cfg.init_from and cfg.expand_vocab:
            vectors = "word2vec, vocabulary extended with fastText vectors (all text) mapped linearly"
    elif previous and cfg.init_from:
        vectors = ((previous.get("train_config") or {}).get("vectors") == "fasttext" and "fastText") or vectors
    return f"char-CNN + {vectors} + BiLSTM + {'CRF' if cfg.arch.use_crf else 'softmax'}"


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

    if cfg.vectors not in ("word2vec", "fasttext"):
        raise ValueError(f"vectors must be word2vec or fasttext, not {cfg.vectors!r}")
    unknown = sorted(set(cfg.extra_corpora) - set(EXTRA_CORPORA))
    if unknown:
        raise ValueError(f"unknown extra corpora {unknown}; expected some of {sorted(EXTRA_CORPORA)}")
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    t_start = time.time()

    train, dev = load_training_data(data_dir, cfg.corpora)
    extra = {name: read_extra(name, data_dir) for name in cfg.extra_corpora}
    previous: dict[str, Any] | None = None
    if cfg.init_from:
        tagger = BuiltinTagger.load(cfg.init_from)
        previous = {k: tagger.meta.get(k) for k in ("architecture", "training_data", "best_epoch", "dev_mean_f1",
                                                   "history", "train_minutes", "train_config", "previous_stage")}
        if cfg.expand_vocab:
            tagger = expand_vocab(tagger, pretrain_vectors(train, data_dir, cfg), cfg)
        arch, vocab, net = tagger.config, tagger.vocab, tagger.net
        logger.info("continuing from %s (dev mean F1 %s)", cfg.init_from, tagger.meta.get("dev_mean_f1"))
    else:
        wv = pretrain_vectors(train, data_dir, cfg) if cfg.use_pretrained else None
        vocab = build_vocab(train + [s for sents in extra.values() for s in sents], wv, cfg)
        arch = cfg.arch
        if wv is not None:
            arch.word_dim = cfg.w2v_dim
        tagger = BuiltinTagger(arch, vocab)
        net = tagger.net
        if wv is not None:
            emb = net.word_emb.weight.data
            hits = 0
            for i, w in enumerate(vocab.words):
                if i > 1 and (w in wv.key_to_index or cfg.vectors == "fasttext"):  # fastText: subword vectors
                    emb[i] = torch.from_numpy(wv[w].copy())
                    hits += 1
            logger.info("pretrained vectors for %d / %d words", hits, len(vocab.words))
        net.word_emb.weight.data[0].zero_()
    logger.info("vocab %d words, %d chars, train %d sentences, extra %s, %.0fs prep", len(vocab.words),
                len(vocab.chars), len(train), {k: len(v) for k, v in extra.items()}, time.time() - t_start)

    # pre-encode: (sentence, allowed tags, ids, loss weight)
    tags = tagger.tags

    def encode(sents: list[TaggedSentence], weight: float) -> list[tuple[Any, ...]]:
        return [(s, torch.tensor(allowed_tags(s, tags, cfg.partial_labels, cfg.loc_may_be_fac), dtype=torch.bool),
                 tagger.encode_ids(s.words), weight) for s in sents]

    enc_gold = encode(train, 1.0)
    enc_extra = {name: encode(sents, cfg.extra_weight) for name, sents in extra.items()}

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
    epoch_states: list[dict[str, Any]] = []
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        t0 = time.time()
        enc = list(enc_gold)
        for name, items in enc_extra.items():  # a fresh draw of each extra corpus every epoch
            enc += rng.sample(items, min(len(items), round(cfg.extra_corpora[name] * len(items))))
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
            weights = torch.tensor([it[3] for it in items])
            emis = net.emissions(words, chars, lengths)
            if arch.use_crf:
                loss = partial_crf_loss(net, emis, mask, allowed, weights)
            else:
                loss = partial_softmax_loss(emis, mask, allowed, weights)
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
        current = {k: v.detach().clone() for k, v in net.state_dict().items()}
        if scores["mean_f1"] > best:
            best, best_epoch = scores["mean_f1"], epoch
            best_state = current
            best_scores = scores
        if cfg.average and not out_of_time:
            epoch_states = [*epoch_states, current][-cfg.average :]
            if len(epoch_states) > 1:  # the mean of the last epochs' weights, scored like an epoch
                avg = {k: sum(st[k] for st in epoch_states) / len(epoch_states) for k in current}
                net.load_state_dict(avg)
                avg_scores = dev_scores(tagger, dev)
                net.load_state_dict(current)
                history[-1]["averaged"] = {"epochs": len(epoch_states), "mean_f1": avg_scores["mean_f1"],
                                           "dev_f1": {c: avg_scores[c]["overall"]["f1"] for c in dev}}
                print(json.dumps(history[-1]["averaged"]), flush=True)
                if avg_scores["mean_f1"] > best:
                    best, best_epoch = avg_scores["mean_f1"], epoch + 0.5  # x.5: average ending at epoch x
                    best_state, best_scores = avg, avg_scores
        if epoch - best_epoch >= cfg.patience:
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
        "architecture": architecture_note(cfg, previous),
        "labels": list(arch.labels),
        "training_data": training_sources(cfg, previous),
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
