"""The ParsBERT NER back end: any Hugging Face token-classification checkpoint as a :class:`SequenceTagger`.

>>> import fa_relations                                                    # doctest: +SKIP
>>> nlp = fa_relations.load(ner="HooshvareLab/bert-fa-base-uncased-ner-peyma")  # doctest: +SKIP

How it works:

* the checkpoint's ``id2label`` is mapped onto SCHEMA tags (:mod:`.label_schemes`)
  before any weight is read, so a checkpoint with unknown labels fails fast;
* the pipeline hands over OUR words; each word is split into sub-words by the
  checkpoint's tokenizer (``is_split_into_words``) and gets the tag predicted
  for its first sub-word, so the pipeline's word -> original-offset mapping
  stays exact;
* a sentence longer than the model's window (``max_position_embeddings``
  minus the special tokens) is cut into overlapping windows that start on
  word boundaries; every sub-word takes its prediction from the window where
  it has the most context on both sides, so each word gets exactly one tag and
  no entity is lost or duplicated at a seam;
* windows of all sentences are batched together, sorted by length and padded
  per batch (dynamic padding), under ``torch.inference_mode``; half precision
  on CUDA.

Loading never runs remote code and prefers safetensors weights. When a hub id
is neither on disk nor reachable (``HF_HUB_OFFLINE=1``, no network), loading
fails within seconds with :class:`ModelNotAvailableError`, which names the
model and says how to provide it.

:func:`finetune` fine-tunes a base checkpoint on PEYMA + ARMAN + ParsTwiNER with
the built-in model's held-out policy and writes a folder ``load(ner=...)`` accepts.

torch and transformers are imported lazily: the extra is
``pip install "fa_relations[transformers]"``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..datasets import repair_iob
from ..schema import NER_LABELS
from ..text.characters import map_char
from .label_schemes import UnknownLabelSchemeError, map_label_scheme, schema_labels

logger = logging.getLogger(__name__)

__all__ = [
    "ModelNotAvailableError",
    "TransformersTagger",
    "UnknownLabelSchemeError",
    "finetune",
    "plan_windows",
]

INSTALL_HINT = 'pip install "fa_relations[transformers]"'
#: Default hub endpoint probed before a download is attempted.
_DEFAULT_ENDPOINT = "https://huggingface.co"
#: Seconds the reachability probe may take before the hub counts as unreachable.
HUB_PROBE_TIMEOUT = 3.0


class ModelNotAvailableError(OSError):
    """The requested checkpoint is neither on disk nor downloadable."""


def _require() -> tuple[Any, Any]:
    """``(torch, transformers)``, or an ImportError that names the extra."""
    try:
        import torch
        import transformers
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the transformers NER back end needs torch and transformers ({exc}); install them with: {INSTALL_HINT}"
        ) from exc
    return torch, transformers


# ---------------------------------------------------------------- word canonicalisation
@lru_cache(maxsize=65536)
def canonical_word(word: str) -> str:
    """Letter variants unified and marks dropped (``ي`` -> ``ی``, harakat, tatweel); digits and ZWNJ kept.

    ParsBERT was pre-trained on text normalised this way; the checkpoint's own
    tokenizer does the rest (lower-casing, ZWNJ handling, punctuation splits).
    """
    return "".join(map_char(c, "keep") for c in word)


# ---------------------------------------------------------------- windows
def plan_windows(n: int, window: int, overlap: int, word_start: Sequence[bool] | None = None) -> list[tuple[int, int]]:
    """Overlapping ``[start, end)`` windows over ``n`` sub-words, each at most ``window`` long.

    Consecutive windows overlap by about ``overlap`` sub-words; a window starts
    on a word's first sub-word when one lies in the overlap. Every position is
    covered, windows advance strictly, and the last one ends at ``n``.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    if n <= window:
        return [(0, n)]
    overlap = max(0, min(overlap, window - 1))
    step = window - overlap
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + window, n)
        spans.append((start, end))
        if end == n:
            return spans
        nxt = start + step
        if word_start is not None and not word_start[nxt]:
            # move back (never more than the overlap, never to or before ``start``) to a word start
            s = nxt - 1
            lowest = max(start + 1, nxt - overlap)
            while s >= lowest and not word_start[s]:
                s -= 1
            if s >= lowest:
                nxt = s
        start = nxt


def _context(pos: int, start: int, end: int, n: int) -> int:
    """Sub-words of context around ``pos`` inside window ``[start, end)`` (a sentence edge counts as full)."""
    left = pos - start if start > 0 else n
    right = end - 1 - pos if end < n else n
    return min(left, right)


# ---------------------------------------------------------------- loading helpers
def _truthy(value: str | None) -> bool:
    return (value or "").strip().upper() in ("1", "ON", "YES", "TRUE")


def hub_offline() -> bool:
    """Whether the user asked for offline mode (``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``)."""
    if _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE")):
        return True
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except Exception:  # pragma: no cover
        return False


def _endpoint() -> str:
    return os.environ.get("HF_ENDPOINT") or _DEFAULT_ENDPOINT


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT) -> bool:
    """A TCP connection to the hub endpoint opens within ``timeout`` seconds (DNS included).

    Behind an HTTP(S) proxy the probe cannot tell, so it answers True and lets
    the download try.
    """
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return True
    url = urlparse(_endpoint())
    host = url.hostname or "huggingface.co"
    port = url.port or (443 if url.scheme != "http" else 80)
    result: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])


def _looks_like_path(name: str) -> bool:
    return (
        os.path.isabs(name)
        or name.startswith((".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or name.endswith("/")
    )


def _in_cache(repo_id: str, cache_dir: str | None, revision: str | None) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        hit = try_to_load_from_cache(repo_id, "config.json", cache_dir=cache_dir, revision=revision)
    except Exception:
        return False
    return isinstance(hit, str)


def unavailable_error(name: str, reason: str) -> ModelNotAvailableError:
    """The error raised when ``name`` can be neither read from disk nor downloaded."""
    short = name.rstrip("/").rsplit("/", 1)[-1] or "model"
    return ModelNotAvailableError(
        f"NER model {name!r} is not available: {reason}.\n"
        "Provide it in one of these ways:\n"
        f"  * a local folder: fa_relations.load(ner='/path/to/{short}'), the folder holding config.json, "
        "the weights (model.safetensors, or pytorch_model.bin) and the tokenizer files, as written by save_pretrained or by "
        f"`hf download {name} --local-dir /path/to/{short}` on a machine with internet;\n"
        f"  * the Hugging Face cache: run `hf download {name}` (or load it once) where there is internet and "
        "copy ~/.cache/huggingface (or $HF_HOME) here; cached models load with HF_HUB_OFFLINE=1 too;\n"
        f"  * network access to {_endpoint()} (and HF_HUB_OFFLINE unset)."
    )


def resolve_source(
    name: str, *, cache_dir: str | None = None, revision: str | None = None, local_files_only: bool | None = None
) -> tuple[str, bool]:
    """``(what to pass to from_pretrained, local_files_only)`` for a folder or hub id.

    Raises :class:`FileNotFoundError` for a missing folder and
    :class:`ModelNotAvailableError` within seconds for a hub id that is not
    cached while the hub is offline or unreachable.
    """
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"{path} holds no config.json: it is neither a Hugging Face token-classification checkpoint "
                "nor a built-in fa_relations model (meta.json + weights.pt)"
            )
        return str(path), True
    if path.exists() or _looks_like_path(name):
        raise FileNotFoundError(f"NER model folder {str(path)!r} does not exist")
    if _in_cache(name, cache_dir, revision):
        return name, True
    if local_files_only:
        raise unavailable_error(name, "it is not in the Hugging Face cache and local_files_only=True")
    if hub_offline():
        raise unavailable_error(
            name, "no folder of that name exists here, it is not in the Hugging Face cache, and HF_HUB_OFFLINE is set"
        )
    if not hub_reachable():
        raise unavailable_error(
            name, f"no folder of that name exists here, it is not in the Hugging Face cache, and {_endpoint()} cannot be reached"
        )
    return name, False


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


def _max_positions(config: Any, tokenizer: Any) -> int:
    limits = []
    mpe = getattr(config, "max_position_embeddings", None)
    if isinstance(mpe, int) and mpe > 0:
        model_type = str(getattr(config, "model_type", "")).lower()
        # RoBERTa-style models offset positions by padding_idx + 1.
        if "roberta" in model_type or model_type in ("camembert", "bart", "longformer"):
            mpe -= int(getattr(config, "pad_token_id", 1) or 1) + 1
        limits.append(mpe)
    tml = getattr(tokenizer, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    return min(limits) if limits else 512


def _special_ids(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special ids a single sequence gets before and after its tokens (``[CLS]`` / ``[SEP]``)."""
    if getattr(tokenizer, "is_fast", False):
        enc = tokenizer([["a"]], is_split_into_words=True, add_special_tokens=True)
        ids, wids = enc["input_ids"][0], enc.word_ids(0)
        first = next(i for i, w in enumerate(wids) if w is not None)
        last = max(i for i, w in enumerate(wids) if w is not None)
        return list(ids[:first]), list(ids[last + 1:])
    build = getattr(tokenizer, "build_inputs_with_special_tokens", None)
    if build is not None:
        marker = -7
        full = build([marker])
        k = full.index(marker)
        return list(full[:k]), list(full[k + 1:])
    prefix = [tokenizer.cls_token_id] if tokenizer.cls_token_id is not None else []
    suffix = [tokenizer.sep_token_id] if tokenizer.sep_token_id is not None else []
    return prefix, suffix


def _quiet_length_warning(tokenizer: Any) -> None:
    warnings = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warnings, dict):
        warnings["sequence-length-is-longer-than-the-specified-maximum"] = True


def encode_words(tokenizer: Any, sentences: Sequence[Sequence[str]]) -> list[tuple[list[int], list[int]]]:
    """Per sentence: sub-word ids (no special tokens) and the word index of each sub-word.

    Words are canonicalised with :func:`canonical_word` first. A word the
    tokenizer turns into nothing (a lone ZWNJ, a control character) has no sub-word.
    """
    _quiet_length_warning(tokenizer)
    out: list[tuple[list[int], list[int]]] = []
    canon = [[canonical_word(w) for w in s] for s in sentences]
    if getattr(tokenizer, "is_fast", False):
        todo = [i for i, s in enumerate(canon) if s]
        enc = tokenizer([canon[i] for i in todo], is_split_into_words=True, add_special_tokens=False,
                        return_attention_mask=False, return_token_type_ids=False) if todo else None
        by_sentence: dict[int, tuple[list[int], list[int]]] = {}
        for k, i in enumerate(todo):
            assert enc is not None
            ids = list(enc["input_ids"][k])
            wids = enc.word_ids(k)
            by_sentence[i] = ([t for t, w in zip(ids, wids, strict=True) if w is not None],
                              [w for w in wids if w is not None])
        return [by_sentence.get(i, ([], [])) for i in range(len(canon))]
    for s in canon:  # slow tokenizers: word by word
        ids: list[int] = []
        wids: list[int] = []
        for j, w in enumerate(s):
            piece = tokenizer(w, add_special_tokens=False)["input_ids"] if w.strip() else []
            ids += piece
            wids += [j] * len(piece)
        out.append((ids, wids))
    return out


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


# ---------------------------------------------------------------- the tagger
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
        batch_size: int = 16,
        max_length: int | None = None,
        overlap: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        torch, _ = _require()
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
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
        self.prefix_ids, self.suffix_ids = _special_ids(tokenizer)
        limit = max_length or _max_positions(model.config, tokenizer)
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
        batch_size: int = 16,
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
        torch, transformers = _require()
        name = str(name_or_path)
        source, local_only = resolve_source(name, cache_dir=cache_dir, revision=revision,
                                            local_files_only=local_files_only)
        common = {"cache_dir": cache_dir, "revision": revision, "trust_remote_code": False}
        try:
            config = _load_with_fallback(transformers.AutoConfig.from_pretrained, source, local_only, common)
        except OSError as exc:
            raise unavailable_error(name, f"its config could not be read ({exc})") from exc
        map_label_scheme(config.id2label, model_name=repr(name), overrides=label_map)  # fail before the weights
        dev = resolve_device(device, torch)
        torch_dtype = resolve_dtype(dtype, dev, torch)
        try:
            tokenizer = _load_with_fallback(transformers.AutoTokenizer.from_pretrained, source, local_only, common)
            weights = {"config": config, **_dtype_kwarg(transformers, torch_dtype)}
            if Path(source).is_dir():
                weights["use_safetensors"] = True if any(Path(source).glob("*.safetensors")) else None
            model = _load_with_fallback(transformers.AutoModelForTokenClassification.from_pretrained, source,
                                        local_only, {**common, **weights})
        except OSError as exc:
            raise unavailable_error(name, f"its files could not be read ({exc})") from exc
        meta: dict[str, Any] = {}
        meta_path = Path(source) / "meta.json"
        if meta_path.is_file():
            try:
                meta = {k: v for k, v in json.loads(meta_path.read_text(encoding="utf-8")).items()
                        if k in ("name", "version", "architecture", "seed", "base", "dev_mean_f1")}
            except json.JSONDecodeError:
                meta = {}
        meta.setdefault("name", name)
        model.to(dev)
        return cls(model, tokenizer, name=name, device=dev, label_map=label_map, batch_size=batch_size,
                   max_length=max_length, overlap=overlap, meta=meta)

    # ------------------------------------------------------------ tagging
    def _forward(self, windows: list[list[int]]) -> list[list[int]]:
        """Argmax label ids per position for a batch of sub-word windows (no special tokens)."""
        import torch

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
        import torch

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
                            ctx = _context(pos, a, b, n)
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


def _dtype_kwarg(transformers: Any, dtype: Any) -> dict[str, Any]:
    major = int(str(transformers.__version__).split(".")[0])
    return {"dtype": dtype} if major >= 5 else {"torch_dtype": dtype}


def _load_with_fallback(fn: Any, source: str, local_only: bool, kwargs: dict[str, Any]) -> Any:
    """``fn(source, local_files_only=...)``; a cached hub id with missing files retries online when allowed."""
    try:
        return fn(source, local_files_only=local_only, **kwargs)
    except OSError:
        if not local_only or Path(source).is_dir() or hub_offline() or not hub_reachable():
            raise
        return fn(source, local_files_only=False, **kwargs)


# ---------------------------------------------------------------- fine-tuning
def _fine_tune_tags(corpora: Sequence[str]) -> list[str]:
    from ..datasets import CORPUS_LABELS

    present = set().union(*(CORPUS_LABELS[c] for c in corpora))
    labels = [lab for lab in NER_LABELS if lab in present]
    return ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]


def _allowed_if_outside(tags: list[str], corpus: str) -> list[bool]:
    """Tags an ``O`` word of ``corpus`` may truly have: ``O`` and the labels the corpus does not annotate."""
    from ..datasets import CORPUS_LABELS

    return [t == "O" or t[2:] not in CORPUS_LABELS[corpus] for t in tags]


def _build_model(transformers: Any, torch: Any, source: str, local_only: bool, tags: list[str]) -> tuple[Any, str]:
    """The base model with a fresh head over ``tags``; rows of a base NER head that map onto SCHEMA are kept."""
    id2label = dict(enumerate(tags))
    label2id = {t: i for i, t in enumerate(tags)}
    common = {"trust_remote_code": False, "local_files_only": local_only}
    base_config = transformers.AutoConfig.from_pretrained(source, **common)
    try:
        old = map_label_scheme(base_config.id2label)
    except UnknownLabelSchemeError:
        old = None
    if old is not None:
        model = transformers.AutoModelForTokenClassification.from_pretrained(source, config=base_config, **common)
        head = getattr(model, "classifier", None)
        if isinstance(head, torch.nn.Linear) and head.out_features == len(old):
            new = torch.nn.Linear(head.in_features, len(tags))
            new.weight.data.normal_(0.0, getattr(model.config, "initializer_range", 0.02))
            new.bias.data.zero_()
            kept = 0
            for j, tag in enumerate(tags):
                src = next((i for i in sorted(old) if old[i] == tag), None)
                if src is not None:
                    new.weight.data[j] = head.weight.data[src]
                    new.bias.data[j] = head.bias.data[src]
                    kept += 1
            model.classifier = new
            model.num_labels = len(tags)
            model.config.id2label, model.config.label2id = id2label, label2id
            model.config.num_labels = len(tags)
            return model, f"head initialised from the base NER head for {kept}/{len(tags)} tags"
    model = transformers.AutoModelForTokenClassification.from_pretrained(
        source, num_labels=len(tags), id2label=id2label, label2id=label2id, ignore_mismatched_sizes=True, **common
    )
    return model, "new head"


def _chunks(words: list[str], sub_counts: list[int], room: int) -> list[tuple[int, int]]:
    """Word ranges whose sub-words fit in ``room`` (a longer single word is truncated later)."""
    spans, start, used = [], 0, 0
    for i, c in enumerate(sub_counts):
        if i > start and used + c > room:
            spans.append((start, i))
            start, used = i, 0
        used += c
    if words:
        spans.append((start, len(words)))
    return spans


def finetune(
    base: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None = None,
    output: str | os.PathLike[str] = "models/ner-transformers",
    seed: int = 0,
    epochs: int = 3,
    *,
    corpora: Sequence[str] = ("peyma", "arman", "parstwiner"),
    batch_size: int = 16,
    lr: float = 5e-5,
    weight_decay: float = 0.01,
    warmup_ratio: float = 0.1,
    max_length: int = 256,
    partial_labels: bool = True,
    device: str | None = None,
    max_train_sentences: int | None = None,
    max_dev_sentences: int | None = None,
    max_minutes: float | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Fine-tune ``base`` (hub id or folder) for NER and write a checkpoint ``load(ner=output)`` accepts.

    Same data and held-out policy as the built-in model (``ner.train.load_training_data``):
    PEYMA train, ARMAN train_fold1 minus every 10th sentence, ParsTwiNER train;
    the epoch is selected on PEYMA dev + the ARMAN held-out slice + ParsTwiNER
    dev; no test split (nor ARMAN train_fold2/3, which contain test_fold1) is read.
    Label-set handling as in the built-in model: an ``O`` word of a corpus that
    does not annotate label X may be X (the loss is the marginal over those tags).
    Uses CUDA (mixed precision) when present. Returns the summary also written
    to ``output/meta.json``.
    """
    torch, transformers = _require()
    from ..__about__ import __version__
    from ..datasets import CORPUS_LABELS
    from ..evaluation.conlleval import score
    from .loading import is_builtin_model
    from .train import ARMAN_DEV_EVERY, load_training_data

    if not base:
        raise ValueError("fine-tuning needs a base model: --base HooshvareLab/bert-fa-base-uncased (a hub id or a folder)")
    base = str(base)
    out = Path(output)
    if out.is_dir() and is_builtin_model(out):
        raise FileExistsError(f"{out} holds the built-in NER model; write the fine-tuned model elsewhere (-o models/ner-parsbert)")
    t_start = time.time()
    random.seed(seed)
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    dev_ = resolve_device(device, torch)
    source, local_only = resolve_source(base)

    train, dev = load_training_data(data_dir, tuple(corpora))
    rng = random.Random(seed)
    if max_train_sentences is not None:
        train = rng.sample(train, min(max_train_sentences, len(train)))
    if max_dev_sentences is not None:
        dev = {c: s[:max_dev_sentences] for c, s in dev.items()}
    tags = _fine_tune_tags(corpora)
    tag_index = {t: i for i, t in enumerate(tags)}
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, trust_remote_code=False, local_files_only=local_only)
    model, head_note = _build_model(transformers, torch, source, local_only, tags)
    model.to(dev_)
    prefix, suffix = _special_ids(tokenizer)
    limit = min(max_length, _max_positions(model.config, tokenizer))
    room = limit - len(prefix) - len(suffix)

    # encode: one example per chunk of words that fits the window; labels at first sub-words
    o_allowed = {c: _allowed_if_outside(tags, c) for c in corpora}
    examples: list[tuple[list[int], list[int], list[list[bool]]]] = []
    encoded = encode_words(tokenizer, [s.words for s in train])
    for sent, (ids, wids) in zip(train, encoded, strict=True):
        counts = [0] * len(sent.words)
        for w in wids:
            counts[w] += 1
        first_of = {}
        for pos, w in enumerate(wids):
            first_of.setdefault(w, pos)
        offsets = [0]
        for c in counts:
            offsets.append(offsets[-1] + c)
        for a, b in _chunks(sent.words, counts, room):
            sub = ids[offsets[a]:offsets[b]][:room]
            label_pos, allowed = [], []
            for w in range(a, b):
                if counts[w] == 0 or first_of[w] - offsets[a] >= room:
                    continue
                gold = sent.tags[w]
                label_pos.append(len(prefix) + first_of[w] - offsets[a])
                if gold == "O" and partial_labels:
                    allowed.append(o_allowed[sent.corpus])
                else:
                    allowed.append([i == tag_index[gold] for i in range(len(tags))])
            if label_pos:
                examples.append((prefix + sub + suffix, label_pos, allowed))
    if not examples:
        raise ValueError("no training sentences found")

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(params, lr=lr)
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total_steps = max(1, steps_per_epoch * epochs)
    warmup = int(total_steps * warmup_ratio)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total_steps - s) / max(1, total_steps - warmup))
    )
    use_amp = dev_.type == "cuda"
    amp_dtype = torch.bfloat16 if use_amp and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda") if use_amp and amp_dtype == torch.float16 else None
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    eval_tagger = TransformersTagger(model, tokenizer, name=str(out), device=dev_, max_length=limit, batch_size=64)

    def dev_scores() -> dict[str, Any]:
        res: dict[str, Any] = {}
        with torch.autocast(device_type=dev_.type, dtype=amp_dtype, enabled=use_amp):
            for c, sents in dev.items():
                pred = eval_tagger.tag_batch([s.words for s in sents])
                res[c] = score([s.tags for s in sents], pred, labels=CORPUS_LABELS[c])
        res["mean_f1"] = round(sum(res[c]["overall"]["f1"] for c in dev) / max(1, len(dev)), 2)
        return res

    best, best_epoch, best_scores, history = -1.0, 0, None, []
    step = 0
    logger.info("fine-tuning %s on %d examples (%d sentences), %s, %s; %d steps", base, len(examples), len(train),
                dev_, head_note, total_steps)
    out.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.time()
        order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]) + rng.random() * 8)
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total, n_lab = 0.0, 0
        for bidx in batches:
            items = [examples[i] for i in bidx]
            width = max(len(x[0]) for x in items)
            ids = torch.full((len(items), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(items), width), dtype=torch.long)
            rows, cols, allow = [], [], []
            for i, (x, pos, al) in enumerate(items):
                ids[i, : len(x)] = torch.tensor(x)
                mask[i, : len(x)] = 1
                rows += [i] * len(pos)
                cols += pos
                allow += al
            allowed = torch.tensor(allow, dtype=torch.bool, device=dev_)
            with torch.autocast(device_type=dev_.type, dtype=amp_dtype, enabled=use_amp):
                logits = model(input_ids=ids.to(dev_), attention_mask=mask.to(dev_)).logits
            picked = logits[torch.tensor(rows, device=dev_), torch.tensor(cols, device=dev_)].float()
            loss_each = torch.logsumexp(picked, -1) - torch.logsumexp(picked.masked_fill(~allowed, float("-inf")), -1)
            loss = loss_each.mean()
            opt.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            sched.step()
            total += float(loss_each.detach().sum())
            n_lab += len(rows)
            step += 1
            if step % 200 == 0:
                logger.info("epoch %d step %d/%d loss/word %.4f (%.0fs)", epoch, step, steps_per_epoch * epochs,
                            total / max(1, n_lab), time.time() - t_start)
        scores = dev_scores()
        entry = {"epoch": epoch, "loss_per_word": round(total / max(1, n_lab), 4),
                 "dev_f1": {c: scores[c]["overall"]["f1"] for c in dev}, "mean_f1": scores["mean_f1"],
                 "seconds": round(time.time() - t0, 1)}
        history.append(entry)
        logger.info("epoch %s", entry)
        print(json.dumps(entry), flush=True)
        if scores["mean_f1"] > best or best_scores is None:
            best, best_epoch, best_scores = scores["mean_f1"], epoch, scores
            model.save_pretrained(out)  # safetensors
            tokenizer.save_pretrained(out)
        if max_minutes is not None and (time.time() - t_start) / 60 > max_minutes:
            logger.info("time budget reached after epoch %d", epoch)
            break

    assert best_scores is not None
    meta = {
        "backend": "transformers",
        "name": f"fa_relations NER fine-tuned from {base}",
        "version": __version__,
        "base": base,
        "architecture": ", ".join(model.config.architectures or [type(model).__name__]),
        "labels": [t[2:] for t in tags if t.startswith("B-")],
        "head": head_note,
        "training_data": {
            "peyma": "train.txt" if "peyma" in corpora else None,
            "arman": f"train_fold1.txt minus every {ARMAN_DEV_EVERY}th sentence (held out for selection)"
            if "arman" in corpora else None,
            "parstwiner": "train.txt" if "parstwiner" in corpora else None,
        },
        "label_set_handling": "partial labels: an O word of a corpus lacking label X may be X (marginal likelihood)"
        if partial_labels else "none: O means O in every corpus",
        "selection": "epoch with best mean micro-F1 over " + ", ".join(
            {"peyma": "PEYMA dev", "arman": "ARMAN held-out slice", "parstwiner": "ParsTwiNER dev"}[c] for c in dev),
        "seed": seed,
        "best_epoch": best_epoch,
        "dev_scores": {c: {"overall": best_scores[c]["overall"],
                           "per_label": {k: v["f1"] for k, v in best_scores[c]["per_label"].items()}} for c in dev},
        "dev_mean_f1": best,
        "history": history,
        "train_minutes": round((time.time() - t_start) / 60, 2),
        "train_config": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "weight_decay": weight_decay,
                         "warmup_ratio": warmup_ratio, "max_length": limit, "partial_labels": partial_labels,
                         "device": str(dev_), "mixed_precision": str(amp_dtype) if use_amp else None,
                         "max_train_sentences": max_train_sentences, "max_dev_sentences": max_dev_sentences,
                         "train_examples": len(examples)},
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"output": str(out), "dev_mean_f1": best, "best_epoch": best_epoch}), flush=True)
    return meta
