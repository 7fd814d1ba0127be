"""Where fa_relations finds its bundled models, data files and the shared corpora.

No path here is relative to the current working directory unless the user gave it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that points at the folder holding ARMAN, PEYMA, ... .
DATASETS_ENV = "FA_RELATIONS_DATA"
#: Environment variable for the folder of derived, rebuildable files (default: the user cache folder).
CACHE_ENV = "FA_RELATIONS_CACHE"
#: Environment variable for the folder evaluation reports are written to.
RESULTS_ENV = "FA_RELATIONS_RESULTS"

_PACKAGE_DIR = Path(__file__).resolve().parent
# src/fa_relations -> repository root, for source checkouts and editable installs.
_SOURCE_ROOT = _PACKAGE_DIR.parent.parent
_BUNDLED = _PACKAGE_DIR / "_bundled"


def _first_existing(*candidates: Path) -> Path:
    for c in candidates:
        if c.exists():
            return c
    return candidates[0]


def models_dir() -> Path:
    """Folder of the models shipped with the library."""
    return _first_existing(_BUNDLED / "models", _SOURCE_ROOT / "models")


def data_dir() -> Path:
    """Folder of our own lexicons, gazetteers and stand-off annotations."""
    return _first_existing(_BUNDLED / "data", _SOURCE_ROOT / "data")


def cache_dir() -> Path:
    """Folder for derived files that can always be rebuilt (``$FA_RELATIONS_CACHE``,
    else ``$XDG_CACHE_HOME/fa_relations``, else ``~/.cache/fa_relations``); an absolute path."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return (Path(base).expanduser() / "fa_relations").resolve()


def is_source_checkout() -> bool:
    """Whether the package runs from a repository checkout (``src/`` layout, editable install)."""
    return (_SOURCE_ROOT / "pyproject.toml").is_file()


def results_dir() -> Path:
    """Folder evaluation reports are written to.

    Order: ``$FA_RELATIONS_RESULTS``, then ``benchmarks/results`` of the source
    checkout, then ``benchmarks/results`` under the current working directory
    (an installed wheel never writes beside its own files).
    """
    if os.environ.get(RESULTS_ENV):
        return Path(os.environ[RESULTS_ENV]).expanduser().resolve()
    root = _SOURCE_ROOT if is_source_checkout() else Path.cwd()
    return root / "benchmarks" / "results"


def datasets_dir(path: str | os.PathLike[str] | None = None, *, must_exist: bool = True) -> Path:
    """Resolve the folder of the public corpora.

    Order: the explicit ``path``, then ``$FA_RELATIONS_DATA``, then
    ``../shared/datasets`` beside the repository root.
    """
    if path is not None:
        resolved = Path(path).expanduser().resolve()
    elif os.environ.get(DATASETS_ENV):
        resolved = Path(os.environ[DATASETS_ENV]).expanduser().resolve()
    else:
        resolved = (_SOURCE_ROOT.parent / "shared" / "datasets").resolve()
    if must_exist and not resolved.is_dir():
        raise FileNotFoundError(
            f"corpus folder {resolved} does not exist; pass --data DIR or set ${DATASETS_ENV}"
        )
    return resolved


def shared_dir() -> Path:
    """The shared project folder: the parent of :func:`datasets_dir` (``../shared`` beside the
    repository, or the parent of ``$FA_RELATIONS_DATA``), holding ``datasets/`` and ``examples/``
    (the seed article). Found from the package, so it does not depend on the working folder."""
    return datasets_dir(must_exist=False).parent
