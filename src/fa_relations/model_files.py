"""Model folders that carry no code: a manifest of checksums, verified before anything is read.

Every model folder fa_relations writes holds ``manifest.json``: the format
version, the library version that wrote it and the SHA-256 of each file.
:func:`verify_model_folder` checks it before a loader reads a byte of
weights: a missing, truncated or altered file, a pickle-capable file
(``*.pt``, ``*.pth``, ``*.bin``, ``*.pkl``, ``*.pickle``, ``*.joblib``) where
safetensors are expected, or a folder written by a newer, incompatible format
each give a :class:`ModelFileError` naming the file. Weights are read with
safetensors, which stores tensors and nothing executable.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .__about__ import __version__

MANIFEST = "manifest.json"
#: Version of the folder layout; a folder with a higher one was written by a newer fa_relations.
FORMAT_VERSION = 1
#: Files that can hold pickled code: never read from a model folder.
PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".pkl", ".pickle", ".joblib", ".ckpt")


class ModelFileError(ValueError):
    """A model folder that cannot be trusted or read; the message names the file and what to do."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: str | Path, files: list[str]) -> Path:
    """Write ``manifest.json`` listing ``files`` (names inside ``folder``) with their checksums."""
    folder = Path(folder)
    manifest = {
        "format_version": FORMAT_VERSION,
        "fa_relations_version": __version__,
        "files": {name: sha256(folder / name) for name in sorted(files)},
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def write_folder_manifest(folder: str | Path) -> Path:
    """Write ``manifest.json`` listing every file of ``folder`` (the manifest itself excepted)."""
    folder = Path(folder)
    return write_manifest(folder, [p.name for p in folder.iterdir() if p.is_file() and p.name != MANIFEST])


def verify_model_folder(folder: str | Path) -> dict[str, Any]:
    """Check a model folder against its manifest (see the module docstring); returns the manifest."""
    folder = Path(folder)
    pickles = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        raise ModelFileError(
            f"{folder / pickles[0]}: a pickle-capable file in a model folder; fa_relations reads safetensors "
            "only and never unpickles. Convert the folder once with: fa-relations convert-checkpoint "
            f"{folder} NEW_FOLDER")
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelFileError(f"{folder}: no {MANIFEST}; it was not written by fa_relations (or by a version "
                             "before model manifests): convert it with fa-relations convert-checkpoint")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = dict(manifest["files"])
        version = int(manifest["format_version"])
    except (ValueError, KeyError, TypeError) as e:
        raise ModelFileError(f"{path}: not a readable manifest ({e})") from None
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{folder} was saved by fa_relations {manifest.get('fa_relations_version', '?')} in model format "
            f"{version}; this fa_relations ({__version__}) reads format {FORMAT_VERSION}: upgrade fa_relations")
    for name, digest in files.items():
        file = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ModelFileError(f"{path}: the manifest names a file outside the folder: {name!r}")
        if not file.is_file():
            raise ModelFileError(f"{file}: listed in {MANIFEST} but missing")
        if sha256(file) != digest:
            raise ModelFileError(f"{file}: its checksum does not match {MANIFEST} (altered or truncated)")
    return manifest
