"""The sentence encoder behind ``fa_relations.RelationSentenceEncoder.v1`` (torch, wrapped by thinc).

For a (doc, candidate) pair the sentence's words become ids (their
``ner.features.canonical_word`` form, looked up in the vocabulary kept in the
thinc model's ``attrs["vocab"]``) with four marker tokens around the two
arguments (``<e1> .. </e1>``, ``<e2> .. </e2>``), plus each item's position
relative to each argument's opening marker. Word and position embeddings go
through a BiLSTM (or a width-3 CNN); the pooled sentence (max over items) and
the encoder's states at the two opening markers are concatenated and mapped
to one score per label. The thinc wrapper's output is the softmax, and the
gradient it receives is taken as the gradient of the scores (softmax with
cross-entropy, as the component's loss computes it).

Weights are serialised with safetensors (word embeddings in float16), never
with torch's pickle-based ``torch.save``.
"""

from __future__ import annotations

from typing import Any

import numpy
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from spacy.tokens import Doc
from thinc.api import ArgsKwargs, Model, PyTorchWrapper_v3, torch2xp, xp2torch
from torch import nn

from ..ner.features import canonical_word
from .features import Candidate

PAD, UNK = 0, 1
MARKERS = ("<e1>", "</e1>", "<e2>", "</e2>")
#: ids below this are PAD, UNK and the markers; vocabulary words follow
RESERVED = 2 + len(MARKERS)
#: relative positions are clipped to +-MAX_POS
MAX_POS = 60
#: at most this many items (words and markers) of a sentence are read, centred on the pair
MAX_ITEMS = 160
ENCODERS = ("bilstm", "cnn", "both")
_HALF = ("words.weight",)  # stored in float16


class PairEncoderNet(nn.Module):
    """Embeddings → BiLSTM, CNN or both side by side (features concatenated) → [max-pool; state at <e1>;
    state at <e2>] → label scores."""

    def __init__(self, n_words: int, n_labels: int, width: int, pos_width: int, hidden: int,
                 dropout: float, encoder: str) -> None:
        super().__init__()
        if encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}, got {encoder!r}")
        self.encoder = encoder
        self.words = nn.Embedding(n_words + RESERVED, width, padding_idx=PAD)
        self.pos1 = nn.Embedding(2 * MAX_POS + 1, pos_width)
        self.pos2 = nn.Embedding(2 * MAX_POS + 1, pos_width)
        d_in = width + 2 * pos_width
        if encoder in ("bilstm", "both"):
            self.rnn = nn.LSTM(d_in, hidden, batch_first=True, bidirectional=True)
        if encoder in ("cnn", "both"):
            self.conv = nn.Conv1d(d_in, 2 * hidden, kernel_size=3, padding=1)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(6 * hidden * (2 if encoder == "both" else 1), n_labels)

    def forward(self, ids: torch.Tensor, p1: torch.Tensor, p2: torch.Tensor, lengths: torch.Tensor,
                e1: torch.Tensor, e2: torch.Tensor) -> torch.Tensor:
        x = self.drop(torch.cat([self.words(ids), self.pos1(p1), self.pos2(p2)], dim=-1))
        states = []
        if self.encoder in ("bilstm", "both"):
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            states.append(nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True,
                                                           total_length=ids.shape[1])[0])
        if self.encoder in ("cnn", "both"):
            states.append(torch.relu(self.conv(x.transpose(1, 2))).transpose(1, 2))
        h = torch.cat(states, dim=-1)
        mask = torch.arange(ids.shape[1])[None, :] < lengths[:, None]
        pooled = h.masked_fill(~mask[:, :, None], float("-inf")).max(dim=1).values
        rows = torch.arange(ids.shape[0])
        z = torch.cat([pooled, h[rows, e1], h[rows, e2]], dim=-1)
        return self.out(self.drop(z))


def type_token(label: str) -> str:
    """The item that follows an opening marker when the encoder reads argument types (``<PER>``)."""
    return f"<{label}>"


def _items(doc: Doc, cand: Candidate, typed: bool = False) -> tuple[list[str], int, int]:
    """The sentence's words with the four markers (each opening marker followed by the argument's type
    token when ``typed``), and the indices of ``<e1>`` and ``<e2>``."""
    e1, e2 = cand.subject, cand.object
    out: list[str] = []
    at = {}
    for i in range(cand.sent_start, cand.sent_end):
        for name, span in (("e1", e1), ("e2", e2)):
            if i == span.start:
                at[name] = len(out)
                out.append(f"<{name}>")
                if typed:
                    out.append(type_token(span.label_))
        out.append(canonical_word(doc[i].text))
        for name, span in (("e1", e1), ("e2", e2)):
            if i == span.end - 1:
                out.append(f"</{name}>")
    return out, at["e1"], at["e2"]


def encode(pairs: list[tuple[Doc, Candidate]], index: dict[str, int], typed: bool = False) -> tuple[torch.Tensor, ...]:
    """Padded ids, relative positions, lengths and marker indices of a batch of pairs."""
    rows = []
    for doc, cand in pairs:
        words, a, b = _items(doc, cand, typed)
        if len(words) > MAX_ITEMS:  # keep a window around the pair
            lo = max(0, min(min(a, b) - 10, max(a, b) + 10 - MAX_ITEMS))
            words, a, b = words[lo:lo + MAX_ITEMS], a - lo, b - lo
        rows.append((words, a, b))
    width = max(len(r[0]) for r in rows)
    ids = numpy.zeros((len(rows), width), dtype="int64")
    p1 = numpy.zeros((len(rows), width), dtype="int64")
    p2 = numpy.zeros((len(rows), width), dtype="int64")
    lengths = numpy.zeros(len(rows), dtype="int64")
    e1 = numpy.zeros(len(rows), dtype="int64")
    e2 = numpy.zeros(len(rows), dtype="int64")
    pos = numpy.arange(width)
    for r, (words, a, b) in enumerate(rows):
        ids[r, :len(words)] = [index.get(w, UNK) for w in words]
        p1[r] = numpy.clip(pos - a, -MAX_POS, MAX_POS) + MAX_POS
        p2[r] = numpy.clip(pos - b, -MAX_POS, MAX_POS) + MAX_POS
        lengths[r], e1[r], e2[r] = len(words), a, b
    return tuple(torch.from_numpy(x) for x in (ids, p1, p2, lengths, e1, e2))


def _serialize(net: nn.Module) -> bytes:
    state = {k: (v.half() if k in _HALF else v).contiguous() for k, v in net.state_dict().items()}
    return save_tensors(state)


def _deserialize(net: nn.Module, data: bytes, device: Any) -> nn.Module:
    state = {k: v.float() for k, v in load_tensors(data).items()}
    net.load_state_dict(state)
    return net.to(device)


def softmax_outputs(model: Model, inputs_outputs: tuple, is_train: bool) -> tuple[Any, Any]:
    """thinc output conversion of the pair encoders: the softmax of the network's scores, and a
    backward pass that takes the gradient it is given as the gradient of the scores (softmax with
    cross-entropy, as the component's loss computes it)."""
    _, scores = inputs_outputs
    probs = torch2xp(torch.softmax(scores.detach(), dim=-1))

    def backprop(d_scores: numpy.ndarray) -> ArgsKwargs:
        return ArgsKwargs(args=((scores,),), kwargs={"grad_tensors": (xp2torch(d_scores),)})

    return probs, backprop


def build_sentence_model(config: dict[str, Any], n_labels: int, vocab_size: int, width: int, pos_width: int,
                         hidden: int, dropout: float, encoder: str, word_dropout: float = 0.0,
                         typed: bool = False) -> Model:
    """The thinc model: input a list of (doc, candidate), output one probability row per pair; in training,
    each word is read as unknown with probability ``word_dropout`` (so the unknown-word row learns);
    ``typed``: each argument's entity label is read as an item after its opening marker (its
    :func:`type_token` must be in the vocabulary)."""
    net = PairEncoderNet(vocab_size, n_labels, width, pos_width, hidden, dropout, encoder)
    cache: dict[str, Any] = {"source": None, "index": {}}

    def index_of(model: Model) -> dict[str, int]:
        vocab = model.attrs["vocab"]
        if cache["source"] is not vocab:
            cache["index"] = {w: i for i, w in enumerate(MARKERS, start=2)}
            cache["index"].update({w: i for i, w in enumerate(vocab, start=RESERVED)})
            cache["source"] = vocab
        return cache["index"]

    def convert_inputs(model: Model, X: list[tuple[Doc, Candidate]], is_train: bool):
        args = encode(X, index_of(model), typed)
        if is_train and word_dropout > 0:
            ids = args[0]
            drop = torch.from_numpy(numpy.random.random(tuple(ids.shape)) < word_dropout) & (ids >= RESERVED)
            args = (ids.masked_fill(drop, UNK), *args[1:])
        return ArgsKwargs(args=args, kwargs={}), lambda d: []

    model = PyTorchWrapper_v3(net, convert_inputs=convert_inputs, convert_outputs=softmax_outputs,
                              serialize_model=_serialize, deserialize_model=_deserialize)
    model.attrs["input"] = "pairs"
    model.attrs["config"] = config
    model.attrs["vocab"] = []
    return model


def set_vocabulary(model: Model, vocab: list[str], vectors: dict[str, numpy.ndarray] | None,
                   freeze: bool = False) -> int:
    """Give a fresh model its vocabulary and, for the words ``vectors`` holds, their vectors as the initial
    word embeddings (the others drawn with the vectors' scale); returns how many words had a vector."""
    net: PairEncoderNet = model.shims[0]._model
    n = net.words.num_embeddings - RESERVED
    if len(vocab) != n:
        raise ValueError(f"the model was built for {n} words, got a vocabulary of {len(vocab)}")
    model.attrs["vocab"] = list(vocab)
    found = 0
    if vectors:
        scale = float(numpy.std(numpy.stack(list(vectors.values())[:5000])))
        with torch.no_grad():
            net.words.weight.normal_(0.0, scale)
            net.words.weight[PAD].zero_()
            for i, w in enumerate(vocab, start=RESERVED):
                if w in vectors:
                    net.words.weight[i] = torch.from_numpy(numpy.asarray(vectors[w], dtype="float32"))
                    found += 1
    net.words.weight.requires_grad_(not freeze)
    return found
