"""Execution engines: in-process, local processes, Dask.

An engine takes a lazy stream of :class:`Batch` objects and yields
``(batch, result)`` pairs as they complete (in any order), keeping a bounded
number of batches in flight. ``result`` is what :func:`worker.process_batch`
returns. A batch lost to a crashed worker is split into single documents, which
are retried one at a time; a document that crashes a worker on its own is
reported as an error and the run goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from . import worker

logger = logging.getLogger(__name__)

ENGINES = ("local", "dask")


@dataclass
class Batch:
    """Consecutive-in-order records sent to a worker: their global indices and ``(id, text)`` pairs."""

    indices: list[int]
    items: list[tuple[str, str]]
    origins: list[tuple[str, str]]  # (source, location) of each record, kept in the parent
    fields: list[dict[str, Any] | None] = field(default_factory=list)  # the user's other fields, kept in the parent
    isolated: bool = field(default=False)

    def __post_init__(self) -> None:
        if not self.fields:
            self.fields = [None] * len(self.items)

    def split(self) -> list[Batch]:
        return [Batch([i], [it], [o], [f], isolated=True)
                for i, it, o, f in zip(self.indices, self.items, self.origins, self.fields, strict=True)]


def crash_result(reason: str) -> dict[str, Any]:
    return {"results": [("error", reason, "")], "pipeline": None}


class _Scheduler:
    """The bookkeeping common to pool engines: a window of batches, crash isolation."""

    def __init__(self, batches: Iterator[Batch], max_in_flight: int) -> None:
        self.src = batches
        self.max_in_flight = max(1, max_in_flight)
        self.suspects: deque[Batch] = deque()
        self.retry: deque[Batch] = deque()
        self.exhausted = False

    def requeue(self, batch: Batch) -> None:
        """A batch that was never run (the pool broke before it was taken): submit it again as it is."""
        self.retry.append(batch)

    def next_batch(self, n_pending: int) -> Batch | None:
        """The next batch to submit, or None to wait. Suspects run alone."""
        if self.suspects:
            return self.suspects.popleft() if n_pending == 0 else None
        if n_pending >= self.max_in_flight:
            return None
        if self.retry:
            return self.retry.popleft()
        if self.exhausted:
            return None
        b = next(self.src, None)
        if b is None:
            self.exhausted = True
        return b

    def failed(self, batch: Batch, reason: str, alone: bool) -> Iterator[tuple[Batch, dict]]:
        """A batch whose worker died: split it, or report the document if it died alone."""
        if len(batch.items) > 1 or not (batch.isolated and alone):
            self.suspects.extend(batch.split())
            return
        logger.warning("document %r crashed its worker: %s", batch.items[0][0], reason)
        yield batch, crash_result(reason)


class InProcessEngine:
    """Runs in the calling process (``workers=0``): no isolation from crashes, for small jobs and debugging."""

    name = "in-process"

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config

    def map(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, dict]]:
        for b in batches:
            yield b, worker.process_batch(b.items, self.config)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def _mp_context(start_method: str | None):
    """``forkserver`` where available (a clean server process that has imported the pipeline's
    modules once, so starting or restarting a worker is cheap and safe with torch), else ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["fa_relations.pipeline", "fa_relations.corpus.worker"])
    return ctx


class LocalEngine:
    """``workers`` processes (forkserver or spawn, never a plain fork), each loading the pipeline once."""

    name = "local"

    def __init__(self, config: dict[str, Any], workers: int, *, max_in_flight: int | None = None,
                 start_method: str | None = None) -> None:
        self.config = config
        self.workers = workers
        self.max_in_flight = max_in_flight or 2 * workers
        self.ctx = _mp_context(start_method)
        self.pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        """A pool whose first worker is known to start and load the pipeline.

        Without that check a pipeline that cannot load (a wrong ``--model``)
        would look like every document crashing its worker; instead it stops
        the run with the reason.
        """
        pool = ProcessPoolExecutor(self.workers, mp_context=self.ctx,
                                   initializer=worker.init_worker, initargs=(self.config,))
        try:
            self.info = pool.submit(worker.pipeline_info, self.config).result()
        except BaseException as e:
            pool.shutdown(wait=False, cancel_futures=True)
            if isinstance(e, Exception):
                raise RuntimeError(f"worker processes could not start or load the pipeline: {e}") from e
            raise
        return pool

    def _submit(self, sched: _Scheduler, pending: dict[Future, Batch]) -> bool:
        """Fill the window; False when the pool turned out to be broken (a worker died since the last wait)."""
        while (b := sched.next_batch(len(pending))) is not None:
            try:
                pending[self.pool.submit(worker.process_batch, b.items, self.config)] = b
            except BrokenProcessPool:
                sched.requeue(b)
                return False
        return True

    def map(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, dict]]:
        sched = _Scheduler(batches, self.max_in_flight)
        self.pool = self._new_pool()
        pending: dict[Future, Batch] = {}
        while True:
            broken = not self._submit(sched, pending)
            if not pending and not broken:
                return
            if not broken:
                done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                alone = len(pending) == 1
                for f in done:
                    b = pending.pop(f)
                    try:
                        res = f.result()
                    except BrokenProcessPool:
                        broken = True
                        yield from sched.failed(b, "worker process died while processing this document", alone)
                    except Exception as e:  # e.g. a result that cannot be pickled
                        yield from sched.failed(b, f"{type(e).__name__}: {e}", True)
                    else:
                        yield b, res
            if broken:
                for f, b in list(pending.items()):  # the others in flight were lost with the pool
                    try:
                        res = f.result()
                    except Exception:
                        yield from sched.failed(b, "worker process died", False)
                    else:
                        yield b, res
                pending.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                logger.warning("a worker process died; restarting the pool")
                self.pool = self._new_pool()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def abort(self) -> None:
        """Stop at once (an interrupt): cancel queued batches and end the workers without waiting
        for the batches they are on (their documents are redone by ``--resume``)."""
        if self.pool is None:
            return
        # ProcessPoolExecutor has no public way to end busy workers before Python 3.14
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
        self.pool = None


def _import_distributed():
    try:
        import distributed
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the Dask engine needs dask.distributed: pip install 'fa_relations[dask]'"
        ) from e
    return distributed


class DaskEngine:
    """Runs batches as tasks on a Dask cluster: ``scheduler`` address, or a local cluster of ``workers`` processes.

    Each worker process keeps one pipeline (the per-process cache of
    :mod:`.worker`); it is loaded on every worker up front with ``Client.run``.
    """

    name = "dask"

    def __init__(self, config: dict[str, Any], workers: int, scheduler: str | None = None,
                 *, max_in_flight: int | None = None) -> None:
        distributed = _import_distributed()
        if not logger.isEnabledFor(logging.INFO):  # distributed logs at INFO by default; keep quiet unless verbose
            logging.getLogger("distributed").setLevel(logging.ERROR)
        self.config = config
        self.cluster = None
        if scheduler:
            self.client = distributed.Client(scheduler)
        else:
            self.cluster = distributed.LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )
            self.client = distributed.Client(self.cluster)
        n_threads = sum(self.client.nthreads().values()) or 1
        self.max_in_flight = max_in_flight or 2 * n_threads
        self.info = self.client.run(worker.pipeline_info, config)  # load once per worker, in parallel
        logger.info("dask workers ready: %s", sorted(self.info))

    def map(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, dict]]:
        distributed = _import_distributed()
        sched = _Scheduler(batches, self.max_in_flight)
        ac = distributed.as_completed()
        pending: dict[Any, Batch] = {}

        def submit() -> None:
            while (b := sched.next_batch(len(pending))) is not None:
                f = self.client.submit(worker.process_batch, b.items, self.config, pure=False)
                pending[f] = b
                ac.add(f)

        submit()
        while pending:
            f = next(ac)
            b = pending.pop(f)
            try:
                res = f.result()
            except Exception as e:  # KilledWorker and the like
                yield from sched.failed(b, f"dask task failed: {type(e).__name__}: {e}", not pending)
            else:
                yield b, res
            f.release()
            submit()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def abort(self) -> None:
        self.close()
