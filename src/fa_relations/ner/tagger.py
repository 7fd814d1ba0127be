"""The built-in CPU NER tagger: char-CNN + word2vec embeddings + BiLSTM + CRF.

One output layer over every SCHEMA label; trained on the union of PEYMA,
ARMAN and ParsTwiNER with *partial labels* (see :mod:`fa_relations.training.ner`).

Files of a saved model (``save(path)`` / ``load(path)``)::

    config.json   architecture (TaggerConfig)
    vocab.json    words, characters, tags
    weights.safetensors   state dict (embeddings in float16), safetensors: no pickle
    manifest.json         SHA-256 of every file, format and library version (checked at load)
    meta.json     version, training data, seed, dev scores (written by training)
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..defaults import BUILTIN_TAGGER_BATCH_SIZE, BUILTIN_TAGGER_BATCH_TOKENS, WORD_MEMO_SIZE
from ..model_files import MANIFEST, verify_model_folder, write_manifest
from ..paths import models_dir
from .features import canonical_chars, canonical_word

PAD, UNK = "<pad>", "<unk>"
#: The weights of a saved model (safetensors: tensors only) and the pickle they replace.
WEIGHTS = "weights.safetensors"
LEGACY_WEIGHTS = "weights.pt"
#: Other files a model folder may carry (listed in its manifest when present).
EXTRA_FILES = ("train_config.json",)
#: Folder name of the shipped model under ``models/``.
BUILTIN_MODEL = "ner"
SCHEMA_NER_LABELS = ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "PERCENT")


def tags_for(labels: Sequence[str]) -> list[str]:
    return ["O", *[f"{p}-{lab}" for lab in labels for p in ("B", "I")]]


@dataclass
class TaggerConfig:
    """Architecture of the built-in tagger."""

    labels: tuple[str, ...] = SCHEMA_NER_LABELS
    word_dim: int = 100
    char_dim: int = 32
    char_filters: int = 64
    char_width: int = 3
    max_word_chars: int = 20
    hidden: int = 160
    lstm_layers: int = 1
    dropout: float = 0.5
    use_crf: bool = True

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaggerConfig:
        d = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "labels" in d:
            d["labels"] = tuple(d["labels"])
        return cls(**d)


def _torch():
    import torch  # deferred: importing the package (e.g. for a pipeline without NER) must not load torch

    return torch


def build_network(config: TaggerConfig, n_words: int, n_chars: int):
    """The torch module (built lazily so importing this file does not need torch)."""
    torch = _torch()
    nn = torch.nn
    n_tags = len(tags_for(config.labels))

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.word_emb = nn.Embedding(n_words, config.word_dim, padding_idx=0)
            self.char_emb = nn.Embedding(n_chars, config.char_dim, padding_idx=0)
            self.char_cnn = nn.Conv1d(config.char_dim, config.char_filters, config.char_width, padding=1)
            self.drop = nn.Dropout(config.dropout)
            self.lstm = nn.LSTM(
                config.word_dim + config.char_filters,
                config.hidden,
                num_layers=config.lstm_layers,
                batch_first=True,
                bidirectional=True,
                dropout=config.dropout if config.lstm_layers > 1 else 0.0,
            )
            self.out = nn.Linear(2 * config.hidden, n_tags)
            self.trans = nn.Parameter(torch.zeros(n_tags, n_tags))  # from -> to
            self.start = nn.Parameter(torch.zeros(n_tags))
            self.end = nn.Parameter(torch.zeros(n_tags))

        def emissions(self, words, chars, lengths):
            # words (B, T), chars (B, T, C), lengths (B,)
            b, t, c = chars.shape
            ce = self.char_emb(chars.view(b * t, c)).transpose(1, 2)  # (BT, D, C)
            ch = torch.relu(self.char_cnn(self.drop(ce)))
            ch = ch.masked_fill((chars.view(b * t, c) == 0).unsqueeze(1), 0.0).max(dim=2).values
            x = torch.cat([self.word_emb(words), ch.view(b, t, -1)], dim=-1)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=t)
            return self.out(self.drop(h))

    return Net()


def _crf_logz(net, emis, mask):
    """log partition over paths; emis (B,T,K) may carry -1e4 for disallowed tags."""
    torch = _torch()
    alpha = net.start.unsqueeze(0) + emis[:, 0]
    for i in range(1, emis.shape[1]):
        nxt = torch.logsumexp(alpha.unsqueeze(2) + net.trans.unsqueeze(0), dim=1) + emis[:, i]
        m = mask[:, i].unsqueeze(1)
        alpha = torch.where(m, nxt, alpha)
    return torch.logsumexp(alpha + net.end.unsqueeze(0), dim=1)


def partial_crf_loss(net, emis, mask, allowed, weights=None):
    """Negative log of the probability mass of all tag paths consistent with ``allowed`` (B,T,K bool),
    summed over sentences (each multiplied by its entry of ``weights`` (B,) when given)."""
    torch = _torch()
    constrained = emis.masked_fill(~allowed, -1e4)
    both = _crf_logz(net, torch.cat([emis, constrained], 0), torch.cat([mask, mask], 0))
    b = emis.shape[0]
    per_sentence = both[:b] - both[b:]
    return (per_sentence if weights is None else per_sentence * weights).sum()


def partial_softmax_loss(emis, mask, allowed, weights=None):
    """Token-level counterpart of :func:`partial_crf_loss` (no transitions)."""
    torch = _torch()
    logp = torch.log_softmax(emis, dim=-1)
    lp_allowed = torch.logsumexp(logp.masked_fill(~allowed, -1e4), dim=-1)
    per_sentence = -(lp_allowed * mask).sum(1)
    return (per_sentence if weights is None else per_sentence * weights).sum()


def iob_transition_mask(tags: list[str]):
    """(K,K) bool: transition from i to j is valid IOB2; (K,) valid start tags."""
    torch = _torch()
    k = len(tags)
    ok = torch.ones(k, k, dtype=torch.bool)
    start_ok = torch.ones(k, dtype=torch.bool)
    for j, tj in enumerate(tags):
        if tj.startswith("I-"):
            start_ok[j] = False
            for i, ti in enumerate(tags):
                if ti[2:] != tj[2:] or ti == "O":
                    ok[i, j] = False
    return ok, start_ok


def viterbi(net, emis, mask, trans_ok, start_ok, use_crf: bool):
    """Best valid IOB2 path per sentence; returns list of tag-id lists."""
    torch = _torch()
    neg = -1e4
    if use_crf:
        trans = net.trans.masked_fill(~trans_ok, neg)
        start = net.start.masked_fill(~start_ok, neg)
        end = net.end
    else:
        emis = torch.log_softmax(emis, dim=-1)
        trans = torch.zeros_like(net.trans).masked_fill(~trans_ok, neg)
        start = torch.zeros_like(net.start).masked_fill(~start_ok, neg)
        end = torch.zeros_like(net.end)
    b, t, k = emis.shape
    score = start.unsqueeze(0) + emis[:, 0]
    back = []
    for i in range(1, t):
        cand = score.unsqueeze(2) + trans.unsqueeze(0)  # (B, from, to)
        best, idx = cand.max(dim=1)
        nxt = best + emis[:, i]
        m = mask[:, i].unsqueeze(1)
        score = torch.where(m, nxt, score)
        back.append(torch.where(m, idx, torch.arange(k).unsqueeze(0).expand(b, k)))
    score = score + end.unsqueeze(0)
    last = score.argmax(dim=1)
    paths = [last]
    for idx in reversed(back):
        last = idx.gather(1, last.unsqueeze(1)).squeeze(1)
        paths.append(last)
    paths.reverse()
    full = torch.stack(paths, 1)
    lengths = mask.sum(1).tolist()
    return [full[j, : lengths[j]].tolist() for j in range(b)]


@dataclass
class Vocab:
    words: list[str] = field(default_factory=lambda: [PAD, UNK])
    chars: list[str] = field(default_factory=lambda: [PAD, UNK])

    def __post_init__(self) -> None:
        self.word_index = {w: i for i, w in enumerate(self.words)}
        self.char_index = {c: i for i, c in enumerate(self.chars)}


class BuiltinTagger:
    """CPU NER tagger implementing :class:`fa_relations.ner.base.SequenceTagger`."""

    def __init__(self, config: TaggerConfig, vocab: Vocab, net=None, meta: dict | None = None) -> None:
        self.config = config
        self.vocab = vocab
        self.tags = tags_for(config.labels)
        self.labels: tuple[str, ...] = tuple(config.labels)
        self.net = net if net is not None else build_network(config, len(vocab.words), len(vocab.chars))
        self.meta = meta or {}
        self._trans_ok, self._start_ok = iob_transition_mask(self.tags)
        self.batch_size = BUILTIN_TAGGER_BATCH_SIZE
        #: a forward pass holds at most this many padded word positions: the character CNN keeps
        #: about 10 kB per position, so 64 sentences of 300 words would need 200 MB at once
        self.batch_tokens = BUILTIN_TAGGER_BATCH_TOKENS
        #: word → (word id, character ids), filled by :meth:`encode_ids`
        self._encoded: dict[str, tuple[int, tuple[int, ...]]] = {}

    # ---- encoding -------------------------------------------------------
    def _encode_word(self, w: str) -> tuple[int, tuple[int, ...]]:
        """Word id and character ids of one word (long words keep both ends)."""
        c = self.config.max_word_chars
        cw = canonical_chars(w)
        if len(cw) > c:  # keep both ends of long words
            cw = cw[: c // 2] + cw[-(c - c // 2) :]
        ci = self.vocab.char_index
        return self.vocab.word_index.get(canonical_word(w), 1), tuple(ci.get(ch, 1) for ch in cw)

    def encode_ids(self, sent: Sequence[str]) -> tuple[list[int], list[Sequence[int]]]:
        """Word ids and character ids of one sentence (an empty sentence becomes one empty word).

        A word's ids are computed once and remembered (news repeats its words), so the
        characters of a frequent word are not canonicalised and looked up again and again.
        """
        known = self._encoded
        words, chars = [], []
        for w in sent or [""]:
            enc = known.get(w)
            if enc is None:
                if len(known) >= WORD_MEMO_SIZE:
                    known.clear()
                enc = known[w] = self._encode_word(w)
            words.append(enc[0])
            chars.append(enc[1])
        return words, chars

    def collate(self, encoded: Sequence[tuple[Sequence[int], Sequence[Sequence[int]]]]):
        """Padded (words, chars, lengths, mask) tensors of a batch, each built from one nested list."""
        torch = _torch()
        lengths = [len(e[0]) for e in encoded]
        t, c = max(lengths), self.config.max_word_chars
        no_word = [0] * c
        words = torch.tensor([[*w, *[0] * (t - len(w))] for w, _ in encoded], dtype=torch.long)
        chars = torch.tensor([[[*cc, *[0] * (c - len(cc))] for cc in cs] + [no_word] * (t - len(cs))
                              for _, cs in encoded], dtype=torch.long)
        mask = torch.arange(t).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)
        return words, chars, torch.tensor(lengths), mask

    def encode(self, sentences: Sequence[Sequence[str]]):
        return self.collate([self.encode_ids(s) for s in sentences])

    # ---- tagging --------------------------------------------------------
    def tag_batch(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        torch = _torch()
        sentences = [list(s) for s in sentences]
        out: list[list[str] | None] = [None] * len(sentences)
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        self.net.eval()
        with torch.inference_mode():
            for idx in self._batches(order, [len(s) for s in sentences]):
                batch = [sentences[i] for i in idx]
                if all(not s for s in batch):
                    for i in idx:
                        out[i] = []
                    continue
                words, chars, lengths, mask = self.encode(batch)
                emis = self.net.emissions(words, chars, lengths)
                paths = viterbi(self.net, emis, mask, self._trans_ok, self._start_ok, self.config.use_crf)
                for i, sent, path in zip(idx, batch, paths, strict=True):
                    out[i] = [self.tags[k] for k in path[: len(sent)]]
        return [o if o is not None else [] for o in out]

    def _batches(self, order: list[int], lengths: list[int]) -> Iterator[list[int]]:
        """Consecutive runs of ``order`` (sentence indices, shortest first) of at most
        :attr:`batch_size` sentences and :attr:`batch_tokens` padded positions (one sentence
        longer than that goes alone)."""
        batch: list[int] = []
        for i in order:
            if batch and (len(batch) >= self.batch_size or (len(batch) + 1) * lengths[i] > self.batch_tokens):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def tag(self, words: Sequence[str]) -> list[str]:
        return self.tag_batch([words])[0]

    # ---- persistence ----------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write config, vocabulary, safetensors weights, meta and the manifest of their checksums."""
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        cfg = asdict(self.config)
        cfg["labels"] = list(self.config.labels)
        (p / "config.json").write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        (p / "vocab.json").write_text(
            json.dumps({"words": self.vocab.words, "chars": self.vocab.chars, "tags": self.tags}, ensure_ascii=False),
            encoding="utf-8",
        )
        state = {
            k: (v.half() if k.endswith("word_emb.weight") else v).detach().clone().contiguous()
            for k, v in self.net.state_dict().items()
        }
        save_weights(state, p / WEIGHTS)
        files = ["config.json", "vocab.json", WEIGHTS]
        if self.meta:
            (p / "meta.json").write_text(json.dumps(self.meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            files.append("meta.json")
        files += [f for f in EXTRA_FILES if (p / f).is_file()]
        write_manifest(p, files)
        return p

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> BuiltinTagger:
        """Read a saved model: the folder is checked against its manifest first, weights come from safetensors."""
        p = Path(path)
        if not p.is_dir() or not any((p / f).is_file() for f in (WEIGHTS, LEGACY_WEIGHTS, MANIFEST)):
            raise FileNotFoundError(f"no built-in NER model at {p} (expected config.json, vocab.json, {WEIGHTS})")
        verify_model_folder(p)
        config = TaggerConfig.from_dict(json.loads((p / "config.json").read_text(encoding="utf-8")))
        v = json.loads((p / "vocab.json").read_text(encoding="utf-8"))
        vocab = Vocab(words=v["words"], chars=v["chars"])
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8")) if (p / "meta.json").is_file() else {}
        tagger = cls(config, vocab, meta=meta)
        state = load_weights(p / WEIGHTS)
        tagger.net.load_state_dict({k: v.float() for k, v in state.items()})
        tagger.net.eval()
        return tagger

    def speed(self, sentences: Sequence[Sequence[str]]) -> float:
        """Tokens per second of :meth:`tag_batch` over ``sentences``."""
        t0 = time.perf_counter()
        self.tag_batch(sentences)
        return sum(len(s) for s in sentences) / max(time.perf_counter() - t0, 1e-9)


def save_weights(state: dict[str, Any], path: Path) -> None:
    """Tensors to a safetensors file (no pickle)."""
    from safetensors.torch import save_file  # torch-side helper; imported with the weights, as torch is

    save_file(state, str(path))


def load_weights(path: Path) -> dict[str, Any]:
    """Tensors from a safetensors file; nothing in it can run."""
    from safetensors.torch import load_file  # torch-side helper; imported with the weights, as torch is

    return load_file(str(path), device="cpu")


def convert_legacy_folder(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """A built-in model saved with ``weights.pt`` (before safetensors) → a folder with safetensors and a manifest.

    The pickle is read once with torch's restricted loader (``weights_only=True``: tensors only, no code)."""
    torch = _torch()
    src, dest = Path(src), Path(dest)
    state = torch.load(src / LEGACY_WEIGHTS, map_location="cpu", weights_only=True)
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "vocab.json", "meta.json", *EXTRA_FILES):
        if (src / name).is_file():
            (dest / name).write_bytes((src / name).read_bytes())
    save_weights({k: v.contiguous() for k, v in state.items()}, dest / WEIGHTS)
    write_manifest(dest, [n for n in ("config.json", "vocab.json", WEIGHTS, "meta.json", *EXTRA_FILES)
                          if (dest / n).is_file()])
    return dest


def builtin_model_path() -> Path:
    """Folder of the NER model shipped in ``models/``."""
    return models_dir() / BUILTIN_MODEL


def load_builtin_tagger(path: str | os.PathLike[str] | None = None) -> BuiltinTagger:
    """Load the shipped model (:func:`builtin_model_path`) or the one at ``path``."""
    return BuiltinTagger.load(builtin_model_path() if path is None else path)
