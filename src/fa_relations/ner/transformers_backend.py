"""The ParsBERT NER back end: any Hugging Face token-classification checkpoint as a :class:`SequenceTagger`.

>>> import fa_relations                                                    # doctest: +SKIP
>>> nlp = fa_relations.load(ner="HooshvareLab/bert-fa-base-uncased-ner-peyma")  # doctest: +SKIP

How it works:

* the checkpoint's ``id2label`` is mapped onto SCHEMA tags (:mod:`.label_schemes`)
  before any weight is read, so a checkpoint with unknown labels fails fast;
* the pipeline hands over OUR words; each word is split into sub-words by the
  checkpoint's tokenizer and gets the tag predicted for its first sub-word;
  long sentences are cut into overlapping windows (:mod:`.windowing`);
* windows of all sentences are batched together, sorted by length and padded
  per batch (dynamic padding), under ``torch.inference_mode``; half precision
  on CUDA.

Loading never runs remote code and prefers safetensors weights. When a hub id
is neither on disk nor reachable (``HF_HUB_OFFLINE=1``, no network), loading
fails within seconds with :class:`ModelNotAvailableError` (:mod:`.hf_hub`),
which names the model and says how to provide it.

Fine-tuning a base checkpoint is research code:
:func:`fa_relations.training.transformers_finetune.finetune`.

torch and transformers are imported lazily: the extra is
``pip install "fa_relations[transformers]"``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..defaults import TRANSFORMER_TAGGER_BATCH_SIZE
from ..iob import repair_iob
from ..model_files import MANIFEST, verify_model_folder, write_folder_manifest
from .hf_hub import (
    ModelNotAvailableError,
    dtype_kwarg,
    load_with_fallback,
    require_backend,
    resolve_source,
    unavailable_error,
)
from .label_schemes import UnknownLabelSchemeError, map_label_scheme, schema_labels
from .windowing import context_size, encode_words, max_positions, plan_windows, special_ids

__all__ = [
    "ModelNotAvailableError",
    "TransformersTagger",
    "UnknownLabelSchemeError",
    "encode_words",
    "plan_windows",
    "resolve_device",
    "resolve_dtype",
]


def resolve_device(device: Any, torch: Any) -> Any:
    """``None``/``"auto"`` -> CUDA when available, else CPU; ``"cuda"`` without a GPU is an error."""
    if isinstance(device, torch.device):
        return device
    if device in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device={device!r} was asked for but torch sees no CUDA GPU; use device='cpu' or 'auto'")
    return dev


def resolve_dtype(dtype: Any, device: Any, torch: Any) -> Any:
    """float16 on CUDA and float32 elsewhere unless ``dtype`` says otherwise."""
    if dtype in (None, "auto"):
        return torch.float16 if device.type == "cuda" else torch.float32
    if isinstance(dtype, str):
        return {"float16": torch.float16, "fp16": torch.float16, "half": torch.float16, "bfloat16": torch.bfloat16,
                "bf16": torch.bfloat16, "float32": torch.float32, "fp32": torch.float32}[dtype]
    return dtype


def _fill_untokenised(tags: list[str | None]) -> list[str]:
    """Words without sub-words: inside an entity when both neighbours say so, else ``O``."""
    out: list[str] = []
    for i, tag in enumerate(tags):
        if tag is None:
            prev = out[-1] if out else "O"
            nxt = next((t for t in tags[i + 1:] if t is not None), "O")
            tag = f"I-{prev[2:]}" if prev != "O" and nxt == f"I-{prev[2:]}" else "O"
        out.append(tag)
    return out


class TransformersTagger:
    """A :class:`~fa_relations.ner.base.SequenceTagger` over a Hugging Face token-classification model."""

    backend = "transformers"

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        name: str = "transformers",
        device: Any = None,
        label_map: Mapping[str, str | None] | None = None,
        batch_size: int = TRANSFORMER_TAGGER_BATCH_SIZE,
        max_length: int | None = None,
        overlap: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        torch, _ = require_backend()
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.label_map = dict(label_map or {})
        id2tag = map_label_scheme(model.config.id2label, model_name=repr(name), overrides=label_map)
        n_out = int(model.config.num_labels)
        missing = [i for i in range(n_out) if i not in id2tag]
        if missing:
            raise UnknownLabelSchemeError(f"{name!r}: config.id2label has no name for output(s) {missing}")
        self.id2tag: list[str] = [id2tag[i] for i in range(n_out)]
        self.labels: tuple[str, ...] = schema_labels(self.id2tag)
        self.device = resolve_device(device, torch) if device is not None else next(model.parameters()).device
        if next(model.parameters()).device != self.device:
            self.model.to(self.device)
        self.model.eval()
        self.batch_size = batch_size
        self.prefix_ids, self.suffix_ids = special_ids(tokenizer)
        limit = max_length or max_positions(model.config, tokenizer)
        self.max_length = limit
        self.window = limit - len(self.prefix_ids) - len(self.suffix_ids)
        if self.window < 2:
            raise ValueError(f"{name!r}: max_length {limit} leaves no room for sub-words")
        self.overlap = overlap if overlap is not None else self.window // 4
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad) if pad is not None else 0
        self.meta: dict[str, Any] = {
            "name": name, "backend": "transformers", "version": None,
            "architecture": ", ".join(getattr(model.config, "architectures", None) or [type(model).__name__]),
            "labels": list(self.labels), "seed": None, **(meta or {}),
        }

    def __repr__(self) -> str:
        return (f"TransformersTagger({self.name!r}, device={str(self.device)!r}, labels={self.labels}, "
                f"max_length={self.max_length})")

    # ------------------------------------------------------------ loading
    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | os.PathLike[str],
        *,
        device: str | None = None,
        dtype: Any = None,
        batch_size: int = TRANSFORMER_TAGGER_BATCH_SIZE,
        max_length: int | None = None,
        overlap: int | None = None,
        label_map: Mapping[str, str | None] | None = None,
        cache_dir: str | None = None,
        revision: str | None = None,
        local_files_only: bool | None = None,
    ) -> TransformersTagger:
        """Load a folder or hub id with ``AutoTokenizer``/``AutoModelForTokenClassification``.

        ``device``: ``"cpu"``, ``"cuda"``, ``"auto"`` (default: CUDA when present).
        ``dtype``: default float16 on CUDA, float32 on CPU. Labels are checked
        before the weights are read. Remote code is never run.
        """
        torch, transformers = require_backend()
        name = str(name_or_path)
        source, local_only = resolve_source(name, cache_dir=cache_dir, revision=revision,
                                            local_files_only=local_files_only)
        if (Path(source) / MANIFEST).is_file():  # a folder fa_relations wrote: checked before anything is read
            verify_model_folder(source)
        common = {"cache_dir": cache_dir, "revision": revision, "trust_remote_code": False}
        try:
            config = load_with_fallback(transformers.AutoConfig.from_pretrained, source, local_only, common)
        except OSError as exc:
            raise unavailable_error(name, f"its config could not be read ({exc})") from exc
        map_label_scheme(config.id2label, model_name=repr(name), overrides=label_map)  # fail before the weights
        dev = resolve_device(device, torch)
        torch_dtype = resolve_dtype(dtype, dev, torch)
        try:
            tokenizer = load_with_fallback(transformers.AutoTokenizer.from_pretrained, source, local_only, common)
            weights = {"config": config, **dtype_kwarg(transformers, torch_dtype)}
            if Path(source).is_dir():
                weights["use_safetensors"] = True if any(Path(source).glob("*.safetensors")) else None
            model = load_with_fallback(transformers.AutoModelForTokenClassification.from_pretrained, source,
                                        local_only, {**common, **weights})
        except OSError as exc:
            raise unavailable_error(name, f"its files could not be read ({exc})") from exc
        meta: dict[str, Any] = {}
        meta_path = Path(source) / "meta.json"
        if meta_path.is_file():
            try:
                meta = {k: v for k, v in json.loads(meta_path.read_text(encoding="utf-8")).items()
                        if k in ("name", "version", "architecture", "seed", "base", "dev_mean_f1", "label_map")}
            except json.JSONDecodeError:
                meta = {}
        if label_map is None and meta.get("label_map"):  # saved with the pipeline (see save())
            label_map = meta["label_map"]
        meta.setdefault("name", name)
        model.to(dev)
        return cls(model, tokenizer, name=name, device=dev, label_map=label_map, batch_size=batch_size,
                   max_length=max_length, overlap=overlap, meta=meta)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the model (safetensors), its tokenizer, ``meta.json`` (back end, labels, label
        overrides, max length) and a manifest of their checksums to ``path``, so :meth:`from_pretrained`
        reads the same tagger back (and refuses the folder if a file was altered)."""
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(p, safe_serialization=True)
        self.tokenizer.save_pretrained(p)
        meta = {**self.meta, "backend": "transformers", "label_map": self.label_map or None}
        (p / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        write_folder_manifest(p)
        return p

    # ------------------------------------------------------------ tagging
    def _forward(self, windows: list[list[int]]) -> list[list[int]]:
        """Argmax label ids per position for a batch of sub-word windows (no special tokens)."""
        import torch  # deferred: the optional transformers extra (see require_backend)

        rows = [self.prefix_ids + w + self.suffix_ids for w in windows]
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
            mask[i, : len(r)] = 1
        logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
        best = logits.argmax(-1).cpu().tolist()
        p = len(self.prefix_ids)
        return [b[p : p + len(w)] for b, w in zip(best, windows, strict=True)]

    def tag_batch(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """IOB2 SCHEMA tags, one per word, for each sentence."""
        import torch  # deferred: the optional transformers extra (see require_backend)

        sentences = [list(s) for s in sentences]
        if not sentences:
            return []
        encoded = encode_words(self.tokenizer, sentences)
        jobs: list[tuple[int, int, int]] = []
        for si, (ids, wids) in enumerate(encoded):
            starts = [k == 0 or wids[k] != wids[k - 1] for k in range(len(ids))]
            jobs += [(si, a, b) for a, b in plan_windows(len(ids), self.window, self.overlap, starts)] if ids else []
        best_ctx = [[-1] * len(ids) for ids, _ in encoded]
        best_lab = [[0] * len(ids) for ids, _ in encoded]
        order = sorted(range(len(jobs)), key=lambda j: jobs[j][2] - jobs[j][1])
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.inference_mode():
                for k in range(0, len(order), self.batch_size):
                    batch = [jobs[j] for j in order[k : k + self.batch_size]]
                    preds = self._forward([encoded[si][0][a:b] for si, a, b in batch])
                    for (si, a, b), pred in zip(batch, preds, strict=True):
                        n = len(encoded[si][0])
                        for pos in range(a, b):
                            ctx = context_size(pos, a, b, n)
                            if ctx > best_ctx[si][pos]:
                                best_ctx[si][pos] = ctx
                                best_lab[si][pos] = pred[pos - a]
        finally:
            if was_training:
                self.model.train()
        out: list[list[str]] = []
        for si, words in enumerate(sentences):
            ids, wids = encoded[si]
            word_tags: list[str | None] = [None] * len(words)
            for pos, w in enumerate(wids):
                if word_tags[w] is None:
                    word_tags[w] = self.id2tag[best_lab[si][pos]]
            out.append(repair_iob(_fill_untokenised(word_tags)))
        return out

    def tag(self, words: Sequence[str]) -> list[str]:
        return self.tag_batch([words])[0]

    def speed(self, sentences: Sequence[Sequence[str]]) -> float:
        """Words tagged per second over ``sentences``."""
        t0 = time.perf_counter()
        self.tag_batch(sentences)
        return sum(len(s) for s in sentences) / max(time.perf_counter() - t0, 1e-9)
