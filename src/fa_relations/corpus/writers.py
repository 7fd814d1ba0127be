"""Atomic shard writers (JSON Lines, Parquet), the errors file and small file helpers.

A shard is written to ``<name>.tmp`` and renamed over ``<name>`` with
:func:`os.replace` once complete, so a reader (or ``--resume``) never sees half
a shard.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..rows import arrow_schema, document_row, str_map, triple_rows

FORMATS = ("jsonl", "parquet")
TMP_SUFFIX = ".tmp"


def shard_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{fmt}"


def errors_shard_name(index: int) -> str:
    return f"_errors-{index:05d}.jsonl"


def pending_name(index: int) -> str:
    return f"_pending-{index:05d}.jsonl"


def fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def atomic_concat(parts: Iterable[Path], path: Path) -> None:
    """Concatenate files into ``path`` atomically."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "wb") as out:
        for p in parts:
            with open(p, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def json_line(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


class ShardWriter:
    """Writes the rows of one shard to a temporary file; :meth:`commit` renames it into place."""

    def __init__(self, path: Path, fmt: str, rows: str, *, row_group_size: int = 10_000) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
        self.path = path
        self.tmp = path.with_name(path.name + TMP_SUFFIX)
        self.fmt = fmt
        self.rows = rows
        self.row_group_size = row_group_size
        self.n_rows = 0
        self._buffer: list[dict[str, Any]] = []
        self._pq_writer = None
        self._fh = open(self.tmp, "w", encoding="utf-8") if fmt == "jsonl" else None  # noqa: SIM115

    def add_document(self, doc: dict[str, Any]) -> None:
        """Add one document (``Document.to_dict()``) as rows of this shard's layout."""
        if self.rows == "triples" and self.fmt == "jsonl":
            self._add_rows(triple_rows(doc))
        elif self.rows == "triples":
            self._add_rows([{**r, "fields": str_map(r["fields"])} for r in triple_rows(doc)])
        elif self.fmt == "jsonl":
            self._add_rows([doc])  # the nested SCHEMA.md object
        else:
            self._add_rows([document_row(doc)])

    def _add_rows(self, rows: list[dict[str, Any]]) -> None:
        self.n_rows += len(rows)
        if self._fh is not None:
            self._fh.write("".join(json_line(r) for r in rows))
            return
        self._buffer.extend(rows)
        while len(self._buffer) >= self.row_group_size:  # row groups of a fixed size: deterministic files
            self._write_group(self._buffer[: self.row_group_size])
            del self._buffer[: self.row_group_size]

    def _write_group(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema(self.rows)
        if self._pq_writer is None:
            self._pq_writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        self._pq_writer.write_table(pa.Table.from_pylist(rows, schema=schema))

    def commit(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        else:
            if self._buffer or self._pq_writer is None:
                self._write_group(self._buffer)
                self._buffer = []
            self._pq_writer.close()
            with open(self.tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            if self._fh is not None:
                self._fh.close()
            elif self._pq_writer is not None:
                self._pq_writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def _open_append(path: Path) -> IO[str]:
    """``path`` opened for appending lines; a last line cut short by a kill is ended first."""
    torn = False
    if path.exists() and path.stat().st_size > 0:
        with open(path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            torn = fh.read(1) != b"\n"
    fh = open(path, "a", encoding="utf-8")  # noqa: SIM115
    if torn:
        fh.write("\n")
    return fh


def read_json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON objects of ``path``, one per line; torn or broken lines (a kill mid-write) are skipped."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict):
                yield entry


class _JsonLinesLog:
    """An append-only file of JSON objects, one per line, opened on the first append.

    A torn last line (the process killed while writing it) is ended before the
    next entry and skipped on reading. ``sync_each``: fsync after every entry.
    """

    sync_each = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        self.lines = 0

    def append(self, entry: dict[str, Any]) -> None:
        if self._fh is None:
            self._fh = _open_append(self.path)
        self._fh.write(json_line(entry))
        self.lines += 1
        if self.sync_each:
            self.flush(sync=True)

    def flush(self, *, sync: bool = False) -> None:
        if self._fh is not None:
            self._fh.flush()
            if sync:
                os.fsync(self._fh.fileno())

    def close(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()


class PendingLog(_JsonLinesLog):
    """The results already delivered for a shard that is not complete yet (``_pending-NNNNN.jsonl``).

    Every document (or error) assembled into an open shard is appended here,
    flushed after each batch and fsynced when the run is interrupted, so an
    interrupted run keeps every finished document and ``--resume`` processes
    only the rest. The file is removed once its shard is committed.
    """

    def read(self) -> dict[int, dict[str, Any]]:
        """The entries of an earlier run, by record index."""
        return {int(e["i"]): e for e in read_json_lines(self.path) if "i" in e}

    def remove(self) -> None:
        """Delete the log (its shard is committed); a failure to flush what is being deleted does not matter."""
        with contextlib.suppress(OSError):
            self.close()
        self.path.unlink(missing_ok=True)


class Journal(_JsonLinesLog):
    """Append-only record of completed shards (``_progress.jsonl``), fsynced line by line."""

    sync_each = True

    def read(self) -> dict[int, dict[str, Any]]:
        return {int(e["shard"]): e for e in read_json_lines(self.path) if "shard" in e}
