"""Choosing and loading an NER back end from a name or a path."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..paths import models_dir
from .base import SequenceTagger

logger = logging.getLogger(__name__)

BUILTIN_MODEL = "ner"


def builtin_model_path() -> Path:
    """Folder of the NER model shipped in ``models/``."""
    return models_dir() / BUILTIN_MODEL


def is_builtin_model(path: Path) -> bool:
    meta = path / "meta.json"
    if not meta.is_file():
        return False
    try:
        return json.loads(meta.read_text(encoding="utf-8")).get("backend", "builtin") == "builtin"
    except json.JSONDecodeError:
        return False


def load_tagger(model: str | Path | None = None, *, device: str | None = None) -> SequenceTagger:
    """Load an NER tagger.

    ``model`` is ``None`` (the built-in model), a folder holding a built-in model,
    a folder holding a Hugging Face token-classification checkpoint, or a hub id
    such as ``HooshvareLab/bert-fa-base-uncased-ner-peyma``.
    """
    path = builtin_model_path() if model is None else Path(str(model)).expanduser()
    if path.is_dir() and is_builtin_model(path):
        from .tagger import load_builtin_tagger

        return load_builtin_tagger(path)
    if model is None:
        raise FileNotFoundError(
            f"the built-in NER model is missing from {path}; reinstall fa_relations or pass ner=PATH"
        )
    from .transformers_backend import TransformersTagger

    return TransformersTagger.from_pretrained(str(model), device=device)
