"""Choosing and loading an NER back end from a name or a path."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..allocator import fix_mmap_threshold
from .base import SequenceTagger
from .tagger import BUILTIN_MODEL, builtin_model_path, load_builtin_tagger
from .transformers_backend import TransformersTagger

logger = logging.getLogger(__name__)

__all__ = ["BUILTIN_MODEL", "builtin_model_path", "is_builtin_model", "load_tagger"]


def is_builtin_model(path: Path) -> bool:
    """Whether ``path`` holds a built-in (BiLSTM-CRF) model: a ``meta.json`` whose back end is ``builtin``."""
    meta = path / "meta.json"
    if not meta.is_file():
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("backend", "builtin") == "builtin"
    except json.JSONDecodeError:
        return False


def load_tagger(model: str | Path | None = None, *, device: str | None = None,
                batch_size: int | None = None) -> SequenceTagger:
    """Load an NER tagger.

    ``model`` is ``None`` (the built-in model), a folder holding a built-in model,
    a folder holding a Hugging Face token-classification checkpoint, or a hub id
    such as ``HooshvareLab/bert-fa-base-uncased-ner-peyma``. ``batch_size``:
    sentences (built-in) or windows (transformers) per forward pass; ``None``
    keeps the back end's default.
    """
    path = builtin_model_path() if model is None else Path(str(model)).expanduser()
    if path.is_dir() and is_builtin_model(path):
        tagger: SequenceTagger = load_builtin_tagger(path)
        logger.info("NER: built-in model from %s", path)
    elif model is None:
        raise FileNotFoundError(
            f"the built-in NER model is missing from {path}; reinstall fa_relations or pass ner=PATH"
        )
    else:
        tagger = TransformersTagger.from_pretrained(str(model), device=device)
        logger.info("NER: transformers checkpoint %s on %s", model, tagger.device)
    if batch_size is not None:
        tagger.batch_size = batch_size
    fix_mmap_threshold()  # freed batch tensors go back to the system (see fa_relations.allocator)
    return tagger
