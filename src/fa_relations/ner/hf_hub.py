"""Finding a Hugging Face checkpoint: a local folder, the hub cache, or a download that can succeed.

When a hub id is neither on disk nor reachable (``HF_HUB_OFFLINE=1``, no
network), :func:`resolve_source` fails within seconds with
:class:`ModelNotAvailableError`, which names the model and says how to
provide it. Loading never runs remote code.

torch, transformers and huggingface_hub are imported lazily (the optional
extra ``pip install "fa_relations[transformers]"``).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

INSTALL_HINT = 'pip install "fa_relations[transformers]"'
#: Default hub endpoint probed before a download is attempted.
_DEFAULT_ENDPOINT = "https://huggingface.co"
#: Seconds the reachability probe may take before the hub counts as unreachable.
HUB_PROBE_TIMEOUT = 3.0


class ModelNotAvailableError(OSError):
    """The requested checkpoint is neither on disk nor downloadable."""


def require_backend() -> tuple[Any, Any]:
    """``(torch, transformers)``, or an ImportError that names the extra."""
    try:  # deferred: torch and transformers are the optional "transformers" extra
        import torch
        import transformers
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the transformers NER back end needs torch and transformers ({exc}); install them with: {INSTALL_HINT}"
        ) from exc
    return torch, transformers


def _truthy(value: str | None) -> bool:
    return (value or "").strip().upper() in ("1", "ON", "YES", "TRUE")


def hub_offline() -> bool:
    """Whether the user asked for offline mode (``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE``)."""
    if _truthy(os.environ.get("HF_HUB_OFFLINE")) or _truthy(os.environ.get("TRANSFORMERS_OFFLINE")):
        return True
    try:  # deferred: huggingface_hub comes with the optional transformers extra
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except Exception:  # pragma: no cover
        return False


def hub_endpoint() -> str:
    """The hub endpoint downloads go to (``$HF_ENDPOINT`` or the public hub)."""
    return os.environ.get("HF_ENDPOINT") or _DEFAULT_ENDPOINT


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT) -> bool:
    """A TCP connection to the hub endpoint opens within ``timeout`` seconds (DNS included).

    Behind an HTTP(S) proxy the probe cannot tell, so it answers True and lets
    the download try.
    """
    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")):
        return True
    url = urlparse(hub_endpoint())
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
    try:  # deferred: huggingface_hub comes with the optional transformers extra
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
        f"  * network access to {hub_endpoint()} (and HF_HUB_OFFLINE unset)."
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
                "nor a built-in fa_relations model (meta.json, weights.safetensors, manifest.json)"
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
            name, f"no folder of that name exists here, it is not in the Hugging Face cache, and {hub_endpoint()} cannot be reached"
        )
    return name, False


def dtype_kwarg(transformers: Any, dtype: Any) -> dict[str, Any]:
    """The ``from_pretrained`` keyword for the weights' dtype (renamed in transformers 5)."""
    major = int(str(transformers.__version__).split(".")[0])
    return {"dtype": dtype} if major >= 5 else {"torch_dtype": dtype}


def load_with_fallback(fn: Any, source: str, local_only: bool, kwargs: dict[str, Any]) -> Any:
    """``fn(source, local_files_only=...)``; a cached hub id with missing files retries online when allowed."""
    try:
        return fn(source, local_files_only=local_only, **kwargs)
    except OSError:
        if not local_only or Path(source).is_dir() or hub_offline() or not hub_reachable():
            raise
        return fn(source, local_files_only=False, **kwargs)
