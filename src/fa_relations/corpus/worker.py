"""What runs in a worker process: a per-process pipeline cache and batch processing.

The pipeline is loaded once per process (:func:`get_pipeline`) and reused for
every batch that process handles, whichever engine sent it.

Testing aid (fault injection): when the environment variable
``FA_RELATIONS_FAULT_INJECTION`` is ``raise:REGEX`` the worker raises
``RuntimeError`` on each document whose id matches ``REGEX`` (``re.search``);
with ``exit:REGEX`` the worker process dies on it (``os._exit(70)``), as a
segfault or an out-of-memory kill would. It exists so that the error handling
can be tested on real documents with the real pipeline; never set it otherwise.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import time
import traceback
from typing import Any

logger = logging.getLogger(__name__)

FAULT_ENV = "FA_RELATIONS_FAULT_INJECTION"
WARM_UP_TEXT = "وزیر امور خارجه ایران به تهران بازگشت."

_PIPELINES: dict[tuple, Any] = {}


def pipeline_key(config: dict[str, Any]) -> tuple:
    return (config.get("model"), config.get("ner"), config.get("device"))


def get_pipeline(config: dict[str, Any]):
    """The pipeline for ``config`` (``model``, ``ner``, ``device``), loaded once per process."""
    key = pipeline_key(config)
    nlp = _PIPELINES.get(key)
    if nlp is None:
        ner = config.get("ner")
        # deferred: spaCy and torch load in the worker, so `fa-relations --help` stays fast
        from ..pipeline import load

        t0 = time.perf_counter()
        nlp = load(config.get("model"), ner=ner, device=config.get("device"))
        logger.info("process %d loaded %r in %.1f s", os.getpid(), nlp, time.perf_counter() - t0)
        # components load some resources on first use: pay for it here, once per process
        # (a failure here shows again, and is reported, on the documents themselves)
        with contextlib.suppress(Exception):
            nlp(WARM_UP_TEXT)
        _PIPELINES[key] = nlp
    return nlp


_INIT_ERROR: list[BaseException] = []


def pipeline_info(config: dict[str, Any]) -> dict[str, Any]:
    if _INIT_ERROR:  # the initializer could not load the pipeline: say why, in the parent
        raise _INIT_ERROR[0]
    nlp = get_pipeline(config)
    return {**nlp.meta, "components": list(nlp.components), "pid": os.getpid()}


def init_worker(config: dict[str, Any]) -> None:
    """Process-pool initializer: ignore SIGINT (the parent handles it) and load the pipeline."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        get_pipeline(config)
    except Exception as e:  # an exception here would only break the pool, without the reason
        _INIT_ERROR.append(e)


def _fault(doc_id: str, spec: str | None) -> None:
    """Fail on ``doc_id`` as ``spec`` (the run's :data:`FAULT_ENV` value) asks: ``exit:REGEX`` or ``raise:REGEX``."""
    if not spec:
        return
    mode, _, pattern = spec.partition(":")
    if pattern and re.search(pattern, doc_id):
        if mode == "exit":
            os._exit(70)
        if mode == "raise":
            raise RuntimeError(f"fault injected by {FAULT_ENV} on {doc_id!r}")


def _error(exc: BaseException) -> tuple[str, str, str]:
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return ("error", f"{type(exc).__name__}: {exc}", "".join(tb[-3:]).strip())


def process_batch(items: list[tuple[str, str]], config: dict[str, Any]) -> dict[str, Any]:
    """Analyse ``items`` (``(id, text)`` pairs) in order.

    Returns ``{"results": [...], "pipeline": {...}}`` with one result per item:
    ``("ok", Document.to_dict())`` or ``("error", reason, traceback)``. A
    document that raises is reported alone; the others are kept.
    """
    nlp = get_pipeline(config)
    include_tokens = bool(config.get("include_tokens"))
    results: list[tuple] = []
    timings: dict[str, float] = {}
    try:
        if config.get("fault_injection"):
            raise LookupError("fault injection active: per-document processing")
        docs = nlp.pipe([t for _, t in items], batch_size=max(1, len(items)), ids=[i for i, _ in items],
                        timings=timings, tokens=include_tokens)
        results = [("ok", d.to_dict(include_tokens=include_tokens)) for d in docs]
    except Exception:
        results = []
        for doc_id, text in items:
            try:
                _fault(doc_id, config.get("fault_injection"))
                results.append(("ok", nlp(text, id=doc_id, tokens=include_tokens).to_dict(include_tokens=include_tokens)))
            except Exception as e:
                results.append(_error(e))
    return {"results": results, "pipeline": {**nlp.meta, "components": list(nlp.components)},
            "timings": timings}
