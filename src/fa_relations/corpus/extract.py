"""``extract_corpus``: many input files in, sharded entities and triples out, resumably.

Record ``i`` (in input order, counting every record, even one that cannot be
processed) always belongs to shard ``i // shard_size``, and each shard is
written in record order. So the output does not depend on the number of
workers, on the engine, or on how many times the job was interrupted and
resumed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from ..__about__ import __version__
from ..rows import ROWS
from . import engines as _engines
from .readers import (
    STDIN,
    STDIN_NAME,
    ReadOptions,
    check_inputs,
    count_records,
    expand_inputs,
    input_changes,
    input_fingerprint,
    iter_records,
)
from .writers import (
    FORMATS,
    TMP_SUFFIX,
    Journal,
    PendingLog,
    ShardWriter,
    atomic_concat,
    atomic_write_text,
    errors_shard_name,
    json_line,
    pending_name,
    shard_name,
)

logger = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
ERRORS = "_errors.jsonl"
JOURNAL = "_progress.jsonl"
MANIFEST_VERSION = 1
DEFAULT_SHARD_SIZE = 10_000
DEFAULT_BATCH_SIZE = 32


@dataclass
class ExtractionSummary:
    """What a run of :func:`extract_corpus` did. Totals cover the whole job, resumed parts included."""

    output: str
    documents_in: int
    documents_written: int
    errors: int
    triples: int
    entities: int
    shards: int
    seconds: float
    documents_processed: int
    resumed_documents: int
    engine: str
    workers: int
    errors_path: str | None = None
    manifest_path: str | None = None
    pipeline: dict[str, Any] = field(default_factory=dict)
    complete: bool = True
    #: seconds until the first batch came back (start-up: reading, starting workers, loading the model)
    startup_seconds: float = 0.0
    #: documents in that first batch
    first_batch: int | None = None

    @property
    def steady_documents_per_second(self) -> float:
        """Throughput once the workers were up: documents after the first batch over the time after it."""
        if self.first_batch is None or self.seconds <= self.startup_seconds:
            return 0.0
        return (self.documents_processed - self.first_batch) / (self.seconds - self.startup_seconds)

    @property
    def balanced(self) -> bool:
        """Documents in == documents written + errors: nothing was dropped."""
        return self.documents_in == self.documents_written + self.errors

    @property
    def documents_per_second(self) -> float:
        """Documents processed by this run per second of its wall time."""
        return self.documents_processed / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["balanced"] = self.balanced
        d["documents_per_second"] = round(self.documents_per_second, 2)
        d["steady_documents_per_second"] = round(self.steady_documents_per_second, 2)
        return d

    def __str__(self) -> str:
        check = "=" if self.balanced else "!="
        lines = [
            f"documents in:      {self.documents_in}",
            f"documents written: {self.documents_written}",
            f"errors:            {self.errors}" + (f"  (see {self.errors_path})" if self.errors and self.errors_path else ""),
            f"  in {check} written + errors ({self.documents_in} {check} {self.documents_written} + {self.errors})",
            f"triples:           {self.triples}",
            f"entities:          {self.entities}",
            f"time:              {self.seconds:.1f} s, {self.documents_per_second:.1f} documents/s "
            f"({self.documents_processed} processed by this run, {self.resumed_documents} from earlier runs)",
            f"output:            {self.output}" + ("" if self.complete else "  (incomplete: rerun with --resume)"),
        ]
        return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


@dataclass
class _Shard:
    index: int
    writer: ShardWriter
    pending: PendingLog
    next: int
    results: dict[int, tuple] = field(default_factory=dict)
    error_lines: list[str] = field(default_factory=list)
    documents: int = 0
    errors: int = 0
    triples: int = 0
    entities: int = 0


class _Run:
    """One invocation: reads, dispatches, assembles shards in order, records progress."""

    def __init__(self, workdir: Path, *, fmt: str, rows: str, shard_size: int, batch_size: int,
                 done: dict[int, dict[str, Any]], progress) -> None:
        self.workdir = workdir
        self.fmt = fmt
        self.rows = rows
        self.shard_size = shard_size
        self.batch_size = batch_size
        self.done = done
        self.progress = progress
        self.open: dict[int, _Shard] = {}
        self.read = 0
        self.exhausted = False
        self.processed = 0
        self.pipeline: dict[str, Any] | None = None
        self.first_result: tuple[float, int] | None = None
        self.journal = Journal(workdir / JOURNAL)
        #: documents re-delivered from the pending logs of an interrupted run
        self.recovered = 0
        #: seconds per pipeline stage, summed over the batches (from the workers)
        self.timings: dict[str, float] = {}

    @property
    def processed_here(self) -> int:
        """Records this run processed (not the ones re-delivered from an interrupted run's pending logs)."""
        return self.processed - self.recovered

    # -- reading -----------------------------------------------------------
    def batches(self, records: Iterable) -> Iterator[_engines.Batch]:
        """Batches of records to process; completed shards and documents kept by an
        interrupted run are skipped, unreadable records recorded."""
        cur = _engines.Batch([], [], [], [])
        cur_shard = -1
        kept_shard, kept = -1, {}
        for idx, rec in enumerate(records):
            self.read = idx + 1
            shard = idx // self.shard_size
            if shard in self.done:
                continue
            if shard != kept_shard:
                kept_shard, kept = shard, self._recover(shard)
            if idx in kept:
                continue
            if cur.items and (shard != cur_shard or len(cur.items) >= self.batch_size):
                yield cur
                cur = _engines.Batch([], [], [], [])
            cur_shard = shard
            if rec.error is not None:
                self.deliver(idx, ("error", rec.error, ""), rec.id, (rec.source, rec.location), "read", rec.fields)
            else:
                cur.indices.append(idx)
                cur.items.append((rec.id, rec.text))
                cur.origins.append((rec.source, rec.location))
                cur.fields.append(rec.fields)
        self.exhausted = True
        if cur.items:
            yield cur
        for k in sorted(self.open):
            self._maybe_finish(k)

    def _recover(self, k: int) -> dict[int, dict[str, Any]]:
        """Re-deliver what an interrupted run kept of shard ``k``; returns it by record index."""
        log = PendingLog(self.workdir / pending_name(k))
        kept = log.read()
        if kept:
            logger.info("shard %d: %d documents kept by an earlier run", k, len(kept))
            self.recovered += len(kept)
        for idx in sorted(kept):
            e = kept[idx]
            self.deliver(idx, tuple(e["r"]), e["id"], tuple(e["o"]), e["s"], log=False)
        return kept

    # -- assembling --------------------------------------------------------
    def handle(self, batch: _engines.Batch, result: dict[str, Any]) -> None:
        if self.first_result is None:
            self.first_result = (time.perf_counter(), len(batch.items))
        if result.get("pipeline") and self.pipeline is None:
            self.pipeline = result["pipeline"]
        for stage, sec in (result.get("timings") or {}).items():
            self.timings[stage] = self.timings.get(stage, 0.0) + sec
        res = result["results"]
        if len(res) != len(batch.items):
            raise RuntimeError(f"worker returned {len(res)} results for {len(batch.items)} documents")
        for idx, (doc_id, _), origin, f, r in zip(batch.indices, batch.items, batch.origins, batch.fields, res,
                                                 strict=True):
            self.deliver(idx, r, doc_id, origin, "process", f)
        for st in self.open.values():
            st.pending.flush()

    def _shard(self, k: int) -> _Shard:
        st = self.open.get(k)
        if st is None:
            writer = ShardWriter(self.workdir / shard_name(k, self.fmt), self.fmt, self.rows)
            st = self.open[k] = _Shard(k, writer, PendingLog(self.workdir / pending_name(k)),
                                       next=k * self.shard_size)
        return st

    def deliver(self, idx: int, result: tuple, doc_id: str, origin: tuple[str, str], stage: str,
                fields: dict[str, Any] | None = None, *, log: bool = True) -> None:
        """Place one record's result in its shard; write the shard's records that are now in order.

        ``log``: append it to the shard's pending log (not when it comes from that log)."""
        k = idx // self.shard_size
        st = self._shard(k)
        if fields and result[0] == "ok":
            result = ("ok", {**result[1], "fields": fields})
        if log:
            st.pending.append({"i": idx, "r": result, "id": doc_id, "o": origin, "s": stage})
        st.results[idx] = (result, doc_id, origin, stage)
        while st.next in st.results:
            (r, rid, (source, location), stg) = st.results.pop(st.next)
            if r[0] == "ok":
                doc = r[1]
                st.writer.add_document(doc)
                st.documents += 1
                st.triples += len(doc.get("triples") or [])
                st.entities += len(doc.get("entities") or [])
            else:
                st.errors += 1
                st.error_lines.append(json_line({
                    "index": st.next, "id": rid, "source": source, "location": location,
                    "stage": stg, "reason": r[1], "traceback": r[2] or None,
                }))
                logger.info("record not processed: %s %s (%s): %s", source, location, rid, r[1])
            st.next += 1
            self.processed += 1
            if self.progress is not None:
                self.progress.update(1)
        self._maybe_finish(k)

    def _maybe_finish(self, k: int) -> None:
        st = self.open.get(k)
        if st is None:
            return
        end = (k + 1) * self.shard_size
        if st.next == end or (self.exhausted and st.next == self.read):
            self._finish(st)

    def _finish(self, st: _Shard) -> None:
        st.writer.commit()
        files = [st.writer.path.name]
        err_path = self.workdir / errors_shard_name(st.index)
        if st.error_lines:
            atomic_write_text(err_path, "".join(st.error_lines))
            files.append(err_path.name)
        else:
            err_path.unlink(missing_ok=True)
        entry = {
            "shard": st.index, "first": st.index * self.shard_size, "records": st.documents + st.errors,
            "documents": st.documents, "errors": st.errors, "triples": st.triples, "entities": st.entities,
            "rows": st.writer.n_rows, "files": files,
        }
        self.journal.append(entry)
        st.pending.remove()
        self.done[st.index] = entry
        del self.open[st.index]

    def abort(self) -> int:
        """Stop: drop the unfinished shard files, keep (and fsync) every pending log.

        Returns how many finished documents the pending logs keep. Errors here
        (a full disk) are logged, never raised over the reason for the stop."""
        kept = 0
        for st in self.open.values():
            try:
                st.pending.flush(sync=True)
                kept += st.pending.lines
            except OSError as e:
                logger.warning("could not save the pending documents of shard %d: %s", st.index, e)
            finally:
                with contextlib.suppress(OSError):
                    st.pending.close()
            try:
                st.writer.abort()
            except OSError as e:
                logger.warning("could not remove %s: %s", st.writer.tmp, e)
        self.open.clear()
        with contextlib.suppress(OSError):
            self.journal.close()
        return kept


#: Output suffixes that name a format the corpus writers do not write.
_REFUSED_SUFFIXES = (".csv", ".tsv", ".json", ".txt", ".xls", ".xlsx", ".gz", ".zip")


class EmptyInputError(ValueError):
    """The inputs hold no record at all (empty files, or only blank lines)."""


def output_format(output: str | os.PathLike[str], format: str | None) -> str:
    """The output format: ``format`` if given, else from ``output``'s suffix (``.parquet`` gives
    Parquet, anything else JSON Lines). A suffix we cannot write (``.csv``) or one that
    contradicts ``format`` is an error, never a folder named ``results.csv``."""
    out = os.fspath(output)
    if out == STDIN:
        return format or "jsonl"
    suffix = os.path.splitext(out.rstrip("/" + os.sep))[1].lower()
    if suffix in _REFUSED_SUFFIXES:
        raise ValueError(f"cannot write {out!r}: the output is JSON Lines (a path ending in .jsonl, or a folder "
                         f"of shards) or Parquet (a folder, e.g. {out[: -len(suffix)] or 'out'}/ with "
                         "--format parquet, or a name ending in .parquet); a .csv is made from the output "
                         "with --rows triples and pandas")
    implied = {".jsonl": "jsonl", ".parquet": "parquet"}.get(suffix)
    if format is None:
        return implied or "jsonl"
    if implied is not None and implied != format:
        raise ValueError(f"the output {out!r} ends in {suffix} but the format is {format}: "
                         f"choose a name without that suffix or --format {implied}")
    return format


def _make_engine(engine: str, config: dict[str, Any], workers: int, scheduler: str | None):
    if engine == "dask":
        return _engines.DaskEngine(config, workers, scheduler)
    if engine != "local":
        raise ValueError(f"engine must be one of {_engines.ENGINES}, got {engine!r}")
    if workers <= 0:
        return _engines.InProcessEngine(config)
    return _engines.LocalEngine(config, workers)


def _load_manifest(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def _our_files(workdir: Path) -> list[Path]:
    pats = ("part-*", "_errors-*.jsonl", "_pending-*.jsonl", MANIFEST, ERRORS, JOURNAL, f"*{TMP_SUFFIX}")
    return sorted({p for pat in pats for p in workdir.glob(pat)})


def _summary_from_manifest(m: dict[str, Any], output: str, *, seconds: float, processed: int, engine: str,
                           workers: int, errors_path: str | None, manifest_path: str | None,
                           complete: bool) -> ExtractionSummary:
    shards = m.get("shards") or []
    tot = {k: sum(s[k] for s in shards) for k in ("records", "documents", "errors", "triples", "entities")}
    return ExtractionSummary(
        output=output, documents_in=tot["records"], documents_written=tot["documents"], errors=tot["errors"],
        triples=tot["triples"], entities=tot["entities"], shards=len(shards), seconds=seconds,
        documents_processed=processed, resumed_documents=tot["records"] - processed, engine=engine,
        workers=workers, errors_path=errors_path, manifest_path=manifest_path,
        pipeline=m.get("pipeline") or {}, complete=complete,
    )


@dataclass(frozen=True)
class OutputOptions:
    """What the output looks like (these shape the output files; ``--resume`` checks them)."""

    #: ``"jsonl"`` or ``"parquet"``; None: from the output's suffix (see :func:`output_format`)
    format: str | None = None
    #: ``"documents"`` (one SCHEMA.md object or row per document) or ``"triples"`` (one row per triple)
    rows: str = "documents"
    #: input records per shard
    shard_size: int = DEFAULT_SHARD_SIZE
    #: a folder of shards even when the output ends in ``.jsonl``
    shards: bool = False
    #: keep each document's tokens
    include_tokens: bool = False


@dataclass(frozen=True)
class RunOptions:
    """How the job runs (these never change the output)."""

    #: processes of the local engine (0: in this process) or local Dask workers
    workers: int = 1
    #: ``"local"`` or ``"dask"``
    engine: str = "local"
    #: address of a Dask scheduler (``engine="dask"``); None starts a local cluster
    scheduler: str | None = None
    #: documents sent to a worker at a time
    batch_size: int = DEFAULT_BATCH_SIZE
    #: finish an interrupted run with the same inputs and options
    resume: bool = False
    #: replace the output of an earlier run
    overwrite: bool = False
    #: a progress bar; None: when standard error is a terminal
    progress: bool | None = None


@dataclass(frozen=True)
class PipelineOptions:
    """The pipeline each worker loads with :func:`fa_relations.load`."""

    #: a saved pipeline folder; None: the built-in pipeline
    model: str | os.PathLike[str] | None = None
    #: an NER checkpoint path or hub id (or False for none)
    ner: str | os.PathLike[str] | bool | None = None
    #: cpu, cuda or auto for transformer back ends
    device: str | None = None


_OPTION_CLASSES = (ReadOptions, OutputOptions, RunOptions, PipelineOptions)


def _with_overrides(objs: dict[type, Any], overrides: dict[str, Any]) -> dict[type, Any]:
    """Apply keyword options (``workers=2``, ``format="parquet"``...) to the option object that has them."""
    out = dict(objs)
    for key, value in overrides.items():
        owner = next((cls for cls in _OPTION_CLASSES if key in cls.__dataclass_fields__), None)
        if owner is None:
            raise TypeError(f"extract_corpus() got an unexpected keyword argument {key!r}")
        out[owner] = replace(out[owner], **{key: value})
    return out


#: Beside the work folder while a run writes to it: ``<folder>.lock`` holds the run's process id.
LOCK_SUFFIX = ".lock"


#: An empty lock file older than this was left by a run killed as it started.
_EMPTY_LOCK_SECONDS = 5.0


class OutputLockedError(FileExistsError):
    """Another run is writing to the same output."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


@contextlib.contextmanager
def output_lock(workdir: Path | None) -> Iterator[None]:
    """Hold ``<workdir>.lock`` (this process's id) while the body runs, so two runs never write to one
    output at once. A lock left by a process that is gone (killed) is taken over with a warning."""
    if workdir is None:
        yield
        return
    workdir = workdir.resolve()
    path = workdir.with_name(workdir.name + LOCK_SUFFIX)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner = int(path.read_text(encoding="ascii").split()[0])
            except (OSError, ValueError, IndexError):
                owner = None  # being written just now (look again), or left empty by a killed run
                with contextlib.suppress(OSError):
                    if time.time() - path.stat().st_mtime > _EMPTY_LOCK_SECONDS:
                        owner = -1
            if owner is not None and owner != os.getpid() and _pid_alive(owner):
                raise OutputLockedError(f"{workdir} is in use by another run (process {owner}, lock file {path}): "
                                        "wait for it to end, or stop it and run again with --resume") from None
            if owner is not None:
                logger.warning("taking over %s: the run that held it (process %s) is gone", path,
                               owner if owner > 0 else "unknown")
                path.unlink(missing_ok=True)
            else:
                time.sleep(0.2)
            continue
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
        break
    else:
        raise OutputLockedError(f"{workdir} is in use by another run (lock file {path})")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def extract_corpus(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None,
    output: str | os.PathLike[str],
    *,
    read: ReadOptions | None = None,
    write: OutputOptions | None = None,
    run: RunOptions | None = None,
    pipeline: PipelineOptions | None = None,
    stdin: IO[Any] | None = None,
    stdout: IO[Any] | None = None,
    **options: Any,
) -> ExtractionSummary:
    """Run the pipeline over many documents and write sharded output with a manifest.

    Options come as objects (``read=ReadOptions(text_field="body")``,
    ``write=OutputOptions(format="parquet")``, ``run=RunOptions(workers=2)``,
    ``pipeline=PipelineOptions(ner=...)``) or as keywords named after their
    fields (``workers=2, format="parquet"``), which override the objects.

    ``inputs``: files, folders, globs, or ``"-"`` / ``None`` for standard input
    (see :mod:`fa_relations.corpus.readers`). ``output``:

    - a path ending in ``.jsonl`` (with ``format="jsonl"`` and not ``shards``):
      one JSON Lines file, plus ``<name>.errors.jsonl`` when some records
      failed; the work happens in ``<output>.parts/`` until the end, so
      ``resume`` works here too;
    - ``"-"``: JSON Lines on standard output (``stdout``), errors logged;
    - anything else: a folder of ``part-NNNNN.{jsonl,parquet}`` shards of
      ``shard_size`` records, ``_errors.jsonl`` and ``_manifest.json`` (the
      leading underscore makes pandas, pyarrow and Dask dataset readers skip
      them, so ``pandas.read_parquet(folder)`` just works).

    ``rows``: ``"documents"`` (one SCHEMA.md object or row per document) or
    ``"triples"`` (one flat row per triple, see :mod:`fa_relations.rows`). ``workers``:
    processes of the local engine (0 runs in this process) or local Dask
    workers; ``engine="dask"`` with ``scheduler`` uses an existing cluster.
    ``resume=True`` keeps completed shards and redoes the rest; the result is
    identical to an uninterrupted run. ``model``/``ner``/``device`` go to
    :func:`fa_relations.load`, once per worker.
    """
    objs = _with_overrides({ReadOptions: read or ReadOptions(), OutputOptions: write or OutputOptions(),
                            RunOptions: run or RunOptions(), PipelineOptions: pipeline or PipelineOptions()},
                           options)
    opts: ReadOptions = objs[ReadOptions]
    out_opts: OutputOptions = objs[OutputOptions]
    run_opts: RunOptions = objs[RunOptions]
    pipe_opts: PipelineOptions = objs[PipelineOptions]
    lines, text_field, id_field = opts.lines, opts.text_field, opts.id_field
    input_format, encoding = opts.input_format, opts.encoding
    format, rows, shard_size = out_opts.format, out_opts.rows, out_opts.shard_size
    shards, include_tokens = out_opts.shards, out_opts.include_tokens
    workers, engine, scheduler, batch_size = run_opts.workers, run_opts.engine, run_opts.scheduler, run_opts.batch_size
    resume, overwrite, progress = run_opts.resume, run_opts.overwrite, run_opts.progress
    model, ner, device = pipe_opts.model, pipe_opts.ner, pipe_opts.device
    t0 = time.perf_counter()
    format = output_format(output, format)
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    if rows not in ROWS:
        raise ValueError(f"rows must be one of {ROWS}, got {rows!r}")
    if shard_size < 1 or batch_size < 1:
        raise ValueError("shard_size and batch_size must be at least 1")
    if inputs is None:
        inputs = [STDIN]
    elif isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    paths = expand_inputs(list(inputs) or [STDIN], input_format)
    check_inputs(paths, opts)
    if resume and STDIN in paths:
        raise ValueError("--resume cannot re-read standard input; read from files instead")

    out_str = os.fspath(output)
    to_stdout = out_str == STDIN
    single = to_stdout or (out_str.endswith(".jsonl") and format == "jsonl" and not shards)
    if to_stdout:
        if format != "jsonl":
            raise ValueError("standard output takes JSON Lines only")
        workdir = Path(tempfile.mkdtemp(prefix="fa-relations-"))
        final = None
        errors_final = None
    elif single:
        final = Path(out_str)
        workdir = Path(out_str + ".parts")
        errors_final = final.with_name(final.name[: -len(".jsonl")] + ".errors.jsonl")
    else:
        final = None
        workdir = Path(out_str)
        errors_final = workdir / ERRORS

    fingerprint_opts = {
        "format": format, "rows": rows, "shard_size": shard_size, "include_tokens": include_tokens,
        "lines": lines, "text_field": text_field, "id_field": id_field, "input_format": input_format,
        "encoding": encoding, "model": os.fspath(model) if model is not None else None,
        "ner": os.fspath(ner) if isinstance(ner, os.PathLike) else ner, "layout": "file" if single else "directory",
    }
    fingerprint_inputs = input_fingerprint(paths)

    with output_lock(None if to_stdout else workdir):
        # -- prepare the work folder -------------------------------------------
        manifest_path = workdir / MANIFEST
        if single and not to_stdout and final.exists() and not workdir.exists():
            if overwrite:
                final.unlink()
                errors_final.unlink(missing_ok=True)
            elif resume:  # finished earlier: nothing left to do
                n_docs = _count_lines(final)
                n_err = _count_lines(errors_final) if errors_final.exists() else 0
                logger.info("%s is already complete", final)
                return ExtractionSummary(out_str, n_docs + n_err, n_docs, n_err, 0, 0, 0, time.perf_counter() - t0,
                                         0, n_docs + n_err, engine, workers,
                                         str(errors_final) if n_err else None, None, {}, True)
            else:
                raise FileExistsError(f"{final} exists: pass overwrite=True (--overwrite) or resume=True (--resume)")
        previous = _load_manifest(manifest_path) if not to_stdout else None
        done: dict[int, dict[str, Any]] = {}
        if previous is not None:
            if overwrite:
                for p in _our_files(workdir):
                    p.unlink()
                previous = None
            elif not resume:
                raise FileExistsError(f"{workdir} holds an earlier run: pass resume=True (--resume) or overwrite=True (--overwrite)")
            else:
                before = previous.get("options") or {}
                changed = [f"{k}: {before.get(k)!r} then, {v!r} now" for k, v in fingerprint_opts.items()
                           if before.get(k) != v]
                changed += input_changes(previous.get("inputs") or [], fingerprint_inputs)
                if changed:
                    raise ValueError(f"cannot resume {workdir}: it was made with other inputs or options ("
                                     + "; ".join(changed) + "); use --overwrite to start again")
                if previous.get("status") == "complete":
                    logger.info("%s is already complete", workdir)
                    return _summary_from_manifest(previous, out_str, seconds=time.perf_counter() - t0, processed=0,
                                                  engine=engine, workers=workers, errors_path=str(errors_final),
                                                  manifest_path=str(manifest_path), complete=True)
                done = {k: e for k, e in Journal(workdir / JOURNAL).read().items()
                        if all((workdir / f).exists() for f in e["files"])}
                for p in workdir.glob(f"*{TMP_SUFFIX}"):
                    p.unlink()
                for k in done:  # a kill between journaling a shard and removing its pending log leaves one
                    (workdir / pending_name(k)).unlink(missing_ok=True)
                logger.info("resuming: %d shards already complete", len(done))
        elif not to_stdout:
            if workdir.exists() and not workdir.is_dir():
                raise FileExistsError(f"{workdir} exists and is not a folder")
            if workdir.exists() and any(workdir.iterdir()) and not overwrite:
                raise FileExistsError(f"{workdir} is not empty: choose an empty or new folder, or pass --overwrite")
            if overwrite and workdir.exists():
                for p in _our_files(workdir):
                    p.unlink()
            workdir.mkdir(parents=True, exist_ok=True)

        manifest: dict[str, Any] = previous or {
            "manifest_version": MANIFEST_VERSION, "fa_relations_version": __version__, "created": _now(),
            "options": fingerprint_opts, "inputs": fingerprint_inputs, "runs": [],
        }
        manifest["status"] = "running"
        run_info = {"started": _now(), "engine": engine, "workers": workers, "scheduler": scheduler,
                    "batch_size": batch_size}
        manifest.setdefault("runs", []).append(run_info)

        def save_manifest(status: str) -> None:
            if to_stdout:
                return
            manifest["status"] = status
            manifest["updated"] = _now()
            manifest["shards"] = [done[k] for k in sorted(done)]
            manifest["errors_file"] = errors_final.name if not single else str(errors_final)
            atomic_write_text(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

        save_manifest("running")

        # -- run ---------------------------------------------------------------
        show = progress if progress is not None else sys.stderr.isatty()
        bar = None
        if show:
            from tqdm import tqdm

            total = count_records(paths, opts)
            bar = tqdm(total=total, initial=sum(e["records"] for e in done.values()), unit="doc",
                       desc="extract", dynamic_ncols=True, file=sys.stderr)
        config = {"model": fingerprint_opts["model"], "ner": fingerprint_opts["ner"], "device": device,
                  "include_tokens": include_tokens,
                  # read here, not in the worker: a forkserver keeps the environment it started with
                  "fault_injection": os.environ.get(_engines.worker.FAULT_ENV) or None}
        run = _Run(workdir, fmt=format, rows=rows, shard_size=shard_size, batch_size=batch_size, done=done,
                   progress=bar)
        eng = None
        try:
            eng = _make_engine(engine, config, workers, scheduler)
            for batch, result in eng.map(run.batches(iter_records(paths, opts, stdin=stdin))):
                run.handle(batch, result)
            if run.open:
                raise RuntimeError(f"internal error: shards {sorted(run.open)} were left incomplete")
        except BaseException as exc:
            kept = run.abort()
            if eng is not None:
                try:
                    eng.abort()
                except BaseException:  # pragma: no cover
                    logger.exception("stopping the engine")
            if bar is not None:
                bar.close()
            run_info["seconds"] = round(time.perf_counter() - t0, 3)
            run_info["documents_processed"] = run.processed_here
            run_info["kept_documents"] = kept
            if not to_stdout:  # a shard journaled just as the interrupt came is complete too
                with contextlib.suppress(OSError):
                    done.update({k: e for k, e in Journal(workdir / JOURNAL).read().items()
                                 if all((workdir / f).exists() for f in e["files"])})
            if to_stdout:
                shutil.rmtree(workdir, ignore_errors=True)
            elif previous is None and not done and not kept:  # a fresh run that finished nothing leaves nothing behind
                with contextlib.suppress(OSError):
                    for p in _our_files(workdir):
                        p.unlink()
                    workdir.rmdir()
            else:
                try:
                    save_manifest("interrupted")
                except OSError as e:
                    logger.warning("could not update %s: %s (the journal and pending logs are kept)", manifest_path, e)
                logger.warning("stopped (%s): %d shards complete and %d documents of unfinished shards kept in %s",
                               type(exc).__name__, len(done), kept, workdir)
            raise
        eng.close()
        if bar is not None:
            bar.close()
        run.journal.close()
        if run.timings:
            run_info["stage_seconds"] = {k: round(v, 3) for k, v in run.timings.items()}
            logger.info("seconds per stage (summed over workers): %s",
                        ", ".join(f"{k} {v:.2f}" for k, v in run.timings.items()))
        if run.read == 0 and not done:
            if to_stdout:
                shutil.rmtree(workdir, ignore_errors=True)
            elif previous is None:
                with contextlib.suppress(OSError):
                    for p in _our_files(workdir):
                        p.unlink()
                    workdir.rmdir()
            names = ", ".join(STDIN_NAME if p == STDIN else p for p in paths)
            raise EmptyInputError(f"no records in the input ({names}): the files are empty or hold only blank lines")

        # -- finish ------------------------------------------------------------
        if run.pipeline is not None:
            manifest["pipeline"] = run.pipeline
        order = sorted(done)
        parts = [workdir / shard_name(k, format) for k in order]
        err_parts = [workdir / errors_shard_name(k) for k in order if done[k]["errors"]]
        seconds = time.perf_counter() - t0
        run_info["seconds"] = round(seconds, 3)
        run_info["documents_processed"] = run.processed_here
        summary = _summary_from_manifest({"shards": [done[k] for k in order], "pipeline": manifest.get("pipeline")},
                                         out_str, seconds=seconds, processed=run.processed_here,
                                         engine=engine,
                                         workers=workers, errors_path=None, manifest_path=None, complete=True)
        if run.first_result is not None:
            summary.startup_seconds = run.first_result[0] - t0
            summary.first_batch = run.first_result[1]
        manifest["summary"] = {k: v for k, v in summary.to_dict().items() if k not in ("output", "pipeline")}
        if to_stdout:
            out = stdout if stdout is not None else sys.stdout
            sink = getattr(out, "buffer", None)
            for p in parts:
                if sink is not None:
                    with open(p, "rb") as fh:
                        shutil.copyfileobj(fh, sink)
                else:
                    out.write(p.read_text(encoding="utf-8"))
            out.flush()
            for p in err_parts:
                for line in p.read_text(encoding="utf-8").splitlines():
                    logger.warning("record not processed: %s", line)
            shutil.rmtree(workdir, ignore_errors=True)
            return summary
        if single:
            if summary.errors:
                atomic_concat(err_parts, errors_final)
                summary.errors_path = str(errors_final)
            else:
                errors_final.unlink(missing_ok=True)
            atomic_concat(parts, final)
            shutil.rmtree(workdir)  # a kill before this line: --resume finds every shard done and redoes the concatenation
            return summary
        atomic_concat(err_parts, errors_final)
        summary.errors_path = str(errors_final)
        summary.manifest_path = str(manifest_path)
        save_manifest("complete")
        for p in err_parts:
            p.unlink()
        (workdir / JOURNAL).unlink(missing_ok=True)
        return summary
