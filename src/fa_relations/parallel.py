"""``Pipeline.pipe(n_process=N)``: batches of texts analysed in N worker processes, in order.

Each worker is a forked copy of the calling process, so it starts with the
pipeline already loaded (copy-on-write, no second ``load()``) and runs torch on
one thread (:mod:`fa_relations.forking`). A worker turns a batch of texts into
finished :class:`~fa_relations.schema.Document` objects and sends them back
pickled; the parent only unpickles them and keeps the order. (spaCy's own
``n_process`` sends every ``Doc`` back as bytes and leaves the conversion to
the parent, which then did a third of the work on a 2-core machine: two
processes ran at 1.2 times one.) At most ``2 * N`` batches are in flight, so a
lazy stream of texts is read lazily.

Where ``fork`` is not available, workers are spawned and receive the pipeline
pickled (spaCy pipelines pickle; a custom component must too).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from .schema import Document

logger = logging.getLogger(__name__)

#: Batches queued per worker beyond the one it is working on.
BATCHES_AHEAD_PER_WORKER = 2

#: The pipeline's batch function inside a worker process (set once by :func:`_start_worker`).
_worker_run: Callable[[list[str]], list[Document]] | None = None


def _start_worker(run: Callable[[list[str]], list[Document]]) -> None:
    global _worker_run
    _worker_run = run


def _run_batch(texts: list[str]) -> list[Document]:
    if _worker_run is None:  # pragma: no cover - the pool's initializer always runs first
        raise RuntimeError("worker process started without a pipeline")
    return _worker_run(texts)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def map_batches(run: Callable[[list[str]], list[Document]], texts: Iterable[str], *, n_process: int,
                batch_size: int) -> Iterator[Document]:
    """``run`` over consecutive batches of ``batch_size`` texts in ``n_process`` processes; the
    documents of every batch, in the order of ``texts``. An exception in a worker is raised here."""
    if n_process < 2:
        raise ValueError(f"n_process must be at least 2 here, got {n_process}")
    it = iter(texts)
    pending: deque[Future] = deque()
    pool = ProcessPoolExecutor(n_process, mp_context=_context(), initializer=_start_worker, initargs=(run,))
    logger.debug("%d worker processes, batches of %d texts", n_process, batch_size)
    try:
        while True:
            while len(pending) < n_process * (1 + BATCHES_AHEAD_PER_WORKER):
                batch = list(islice(it, batch_size))
                if not batch:
                    break
                pending.append(pool.submit(_run_batch, batch))
            if not pending:
                return
            yield from pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
