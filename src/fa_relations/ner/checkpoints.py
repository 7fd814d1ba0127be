"""Converting model folders with pickled weights to safetensors, once (``fa-relations convert-checkpoint``).

- A built-in model saved before safetensors (``weights.pt``) becomes a folder
  with ``weights.safetensors`` and a manifest.
- A Hugging Face checkpoint that ships only ``pytorch_model.bin`` (as some
  published ParsBERT NER checkpoints do) becomes the same checkpoint with
  ``model.safetensors``; its other files (config, tokenizer) are copied.

The pickle is read with torch's restricted loader (``weights_only=True``:
tensors and plain containers only, never arbitrary objects or code).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..model_files import PICKLE_SUFFIXES
from .tagger import LEGACY_WEIGHTS, convert_legacy_folder, save_weights

HF_PICKLE = "pytorch_model.bin"
HF_SAFETENSORS = "model.safetensors"


def convert_checkpoint(src: str | Path, dest: str | Path) -> Path:
    """Write a safetensors copy of the model folder ``src`` to ``dest`` (see the module docstring)."""
    src, dest = Path(src), Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    if (src / LEGACY_WEIGHTS).is_file():
        return convert_legacy_folder(src, dest)
    if not (src / HF_PICKLE).is_file():
        raise FileNotFoundError(f"{src} holds neither {LEGACY_WEIGHTS} (a built-in model) nor {HF_PICKLE} "
                                "(a Hugging Face checkpoint): nothing to convert")
    import torch  # heavy: only for a conversion

    state = torch.load(src / HF_PICKLE, map_location="cpu", weights_only=True)
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and f.suffix.lower() not in PICKLE_SUFFIXES:
            shutil.copyfile(f, dest / f.name)
    # tied weights share storage; safetensors wants each tensor once and contiguous
    save_weights({k: v.detach().clone().contiguous() for k, v in state.items()}, dest / HF_SAFETENSORS)
    index = dest / "pytorch_model.bin.index.json"
    if index.exists():
        index.unlink()
    (dest / "converted_from.json").write_text(json.dumps({"source": str(src), "file": HF_PICKLE}) + "\n",
                                               encoding="utf-8")
    return dest
