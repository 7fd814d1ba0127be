"""The transformer encoder behind ``fa_relations.RelationTransformer.v1`` (R-BERT / BERTEM style).

For a (doc, candidate) pair, the sentence's words are given to a BERT-style
encoder (any Hugging Face checkpoint folder, e.g. ParsBERT) with four marker
tokens around the two arguments (``[E1] .. [/E1]``, ``[E2] .. [/E2]``, added to
the tokenizer as special tokens). The encoder's states at ``[CLS]`` and at the
two opening markers are concatenated and mapped to one score per label
("entity start" pooling of Baldini Soares et al. 2019). The thinc wrapper's
output is the softmax; the gradient it receives is taken as the gradient of
the scores (softmax with cross-entropy, as the component's loss computes it).

The checkpoint is read once when the architecture is built (``trust_remote_code``
off, safetensors preferred); the fine-tuned weights, encoder included, are
serialised with safetensors, never with torch's pickle. Needs the
``transformers`` extra.
"""

from __future__ import annotations

from typing import Any

import numpy
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from spacy.tokens import Doc
from thinc.api import ArgsKwargs, Model, PyTorchWrapper_v3
from torch import nn

from ..ner.hf_hub import require_backend
from .features import Candidate
from .sentence_net import softmax_outputs

MARKERS = ("[E1]", "[/E1]", "[E2]", "[/E2]")


class PairTransformerNet(nn.Module):
    """Encoder → [state at [CLS]; at [E1]; at [E2]] → dropout → label scores."""

    def __init__(self, encoder: nn.Module, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        width = encoder.config.hidden_size
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(3 * width, n_labels)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, e1: torch.Tensor, e2: torch.Tensor) -> torch.Tensor:
        h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        rows = torch.arange(ids.shape[0])
        return self.out(self.drop(torch.cat([h[:, 0], h[rows, e1], h[rows, e2]], dim=-1)))


def marked_words(doc: Doc, cand: Candidate) -> list[str]:
    """The words of the candidate's sentence with the four markers around its two arguments."""
    e1, e2 = cand.subject, cand.object
    out: list[str] = []
    for i in range(cand.sent_start, cand.sent_end):
        for marker, span in ((MARKERS[0], e1), (MARKERS[2], e2)):
            if i == span.start:
                out.append(marker)
        if not doc[i].is_space:
            out.append(doc[i].text)
        for marker, span in ((MARKERS[1], e1), (MARKERS[3], e2)):
            if i == span.end - 1:
                out.append(marker)
    return out


def encode(pairs: list[tuple[Doc, Candidate]], tokenizer: Any, max_length: int) -> tuple[torch.Tensor, ...]:
    """Padded ids, attention mask and the positions of ``[E1]`` and ``[E2]`` of a batch of pairs. A
    sentence longer than ``max_length`` sub-words keeps a window around the pair."""
    e1_id, e2_id = tokenizer.convert_tokens_to_ids([MARKERS[0], MARKERS[2]])
    rows = []
    for doc, cand in pairs:
        ids = tokenizer(marked_words(doc, cand), is_split_into_words=True, add_special_tokens=False)["input_ids"]
        body = max_length - 2
        if len(ids) > body:
            a, b = ids.index(e1_id), ids.index(e2_id)
            lo = max(0, min(min(a, b) - 8, max(a, b) + 8 - body))
            ids = ids[lo:lo + body]
        rows.append([tokenizer.cls_token_id, *ids, tokenizer.sep_token_id])
    width = max(len(r) for r in rows)
    ids = numpy.full((len(rows), width), tokenizer.pad_token_id, dtype="int64")
    mask = numpy.zeros((len(rows), width), dtype="int64")
    e1 = numpy.zeros(len(rows), dtype="int64")
    e2 = numpy.zeros(len(rows), dtype="int64")
    for r, row in enumerate(rows):
        ids[r, :len(row)] = row
        mask[r, :len(row)] = 1
        # a marker cut off by the window points at [CLS]
        e1[r] = row.index(e1_id) if e1_id in row else 0
        e2[r] = row.index(e2_id) if e2_id in row else 0
    return tuple(torch.from_numpy(x) for x in (ids, mask, e1, e2))


def _serialize(net: nn.Module) -> bytes:
    return save_tensors({k: v.contiguous() for k, v in net.state_dict().items()})


def _deserialize(net: nn.Module, data: bytes, device: Any) -> nn.Module:
    net.load_state_dict(load_tensors(data))
    return net.to(device)


def build_transformer_model(config: dict[str, Any], checkpoint: str, n_labels: int, max_length: int,
                            dropout: float) -> Model:
    """The thinc model: input a list of (doc, candidate), output one probability row per pair."""
    _, transformers = require_backend()
    tokenizer = transformers.AutoTokenizer.from_pretrained(checkpoint, trust_remote_code=False)
    tokenizer.add_special_tokens({"additional_special_tokens": list(MARKERS)})
    encoder = transformers.AutoModel.from_pretrained(checkpoint, trust_remote_code=False)
    encoder.resize_token_embeddings(len(tokenizer))
    net = PairTransformerNet(encoder, n_labels, dropout)
    limit = min(max_length, int(getattr(encoder.config, "max_position_embeddings", max_length)))

    def convert_inputs(model: Model, X: list[tuple[Doc, Candidate]], is_train: bool):
        return ArgsKwargs(args=encode(X, tokenizer, limit), kwargs={}), lambda d: []

    model = PyTorchWrapper_v3(net, convert_inputs=convert_inputs, convert_outputs=softmax_outputs,
                              serialize_model=_serialize, deserialize_model=_deserialize)
    model.attrs["input"] = "pairs"
    model.attrs["config"] = config
    return model
