"""Streaming readers: input files and globs to :class:`Record` objects.

Every record carries its source file and location (``line 12``, ``row 7``) so
that a record that cannot be processed can be reported precisely. Records come
out in a deterministic order: inputs in the order given, globs and folders
expanded in sorted order, then file order. Memory stays bounded: only a
whole-file ``.txt`` document is read at once.

Formats (by extension, or forced with ``input_format``):

- ``.txt``: the whole file is one document (id ``<file>``), or with
  ``lines=True`` one document per non-blank line (id ``<file>:<line>``).
- ``.jsonl`` / ``.ndjson``: one JSON object per line, text in ``text_field``,
  id in ``id_field`` (``<file>:<line>`` when absent). Blank lines are skipped.
- ``.csv``: a header row; text and id columns as above (id ``<file>:<line>``
  with the line where the row starts).
- ``.parquet``: text and id columns as above (id ``<file>:<row>``, rows from 1).
- ``-``: standard input, read as ``.txt`` unless ``input_format`` says otherwise.

``.txt``, ``.jsonl`` and ``.csv`` may be gzip-compressed (``.jsonl.gz``).
"""

from __future__ import annotations

import csv
import glob
import gzip
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

STDIN = "-"
STDIN_NAME = "<stdin>"
FORMATS = ("txt", "jsonl", "csv", "parquet")
_SUFFIXES = {".txt": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True, slots=True)
class Record:
    """One input document, or the reason why an input record is not one (``error``)."""

    id: str
    text: str | None
    source: str
    location: str
    error: str | None = None


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; see the module docstring."""

    lines: bool = False
    text_field: str = "text"
    id_field: str = "id"
    input_format: str | None = None

    def __post_init__(self) -> None:
        if self.input_format is not None and self.input_format not in FORMATS:
            raise ValueError(f"input_format must be one of {FORMATS}, got {self.input_format!r}")


def detect_format(path: str, input_format: str | None = None) -> str:
    """The reader for ``path``: ``input_format`` if given, else from its extension."""
    if input_format is not None:
        return input_format
    if path == STDIN:
        return "txt"
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    fmt = _SUFFIXES.get(os.path.splitext(name)[1])
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {path!r}: expected one of {sorted(_SUFFIXES)} "
            "(optionally .gz), or pass input_format / --input-format"
        )
    if fmt == "parquet" and path.lower().endswith(".gz"):
        raise ValueError(f"{path!r}: Parquet files are compressed internally; do not gzip them")
    return fmt


def _is_supported(path: str) -> bool:
    try:
        detect_format(path)
    except ValueError:
        return False
    return True


def expand_inputs(inputs: Iterable[str | os.PathLike[str]], input_format: str | None = None) -> list[str]:
    """Files, folders (searched recursively for supported files) and globs to a list of paths.

    Globs and folders expand in sorted order; a path given twice is read once.
    A glob that matches nothing or a missing file raises ``FileNotFoundError``.
    """
    out: list[str] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            out.append(p)

    for item in inputs:
        s = os.fspath(item)
        if s == STDIN:
            add(STDIN)
        elif any(c in _GLOB_CHARS for c in s) and not os.path.exists(s):
            matches = sorted(m for m in glob.glob(s, recursive=True) if os.path.isfile(m))
            if not matches:
                raise FileNotFoundError(f"no file matches {s!r}")
            for m in matches:
                add(m)
        elif os.path.isdir(s):
            found = sorted(
                str(p) for p in Path(s).rglob("*")
                if p.is_file() and (input_format is not None or _is_supported(str(p)))
            )
            if not found:
                raise FileNotFoundError(f"no supported input file under {s!r}")
            for m in found:
                add(m)
        elif os.path.isfile(s):
            add(s)
        else:
            raise FileNotFoundError(f"no such input: {s!r}")
    return out


def check_inputs(paths: list[str], opts: ReadOptions) -> None:
    """Fail fast on configuration mistakes: unknown formats, a text column a CSV or Parquet file lacks."""
    for path in paths:
        fmt = detect_format(path, opts.input_format)
        if path == STDIN:
            if fmt == "parquet":
                raise ValueError("Parquet cannot be read from standard input")
            continue
        if fmt == "csv":
            with _open_text(path) as fh:
                header = next(csv.reader(fh), None)
            if header is not None and opts.text_field not in header:
                raise ValueError(f"{path}: no column {opts.text_field!r} (columns: {header}); set text_field / --text-field")
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            names = pq.ParquetFile(path).schema_arrow.names
            if opts.text_field not in names:
                raise ValueError(f"{path}: no column {opts.text_field!r} (columns: {names}); set text_field / --text-field")


def input_fingerprint(paths: list[str]) -> list[dict[str, Any]]:
    """Path, size and modification time of each input (how ``--resume`` checks that inputs did not change)."""
    out = []
    for p in paths:
        if p == STDIN:
            out.append({"path": STDIN})
        else:
            st = os.stat(p)
            out.append({"path": p, "size": st.st_size, "mtime_ns": st.st_mtime_ns})
    return out


def count_records(paths: list[str], opts: ReadOptions) -> int | None:
    """A quick count of the records the inputs hold (for the progress bar's ETA); ``None`` for stdin."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        fmt = detect_format(path, opts.input_format)
        if fmt == "txt" and not opts.lines:
            total += 1
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        else:
            with _open_binary(path) as fh:
                n = sum(1 for line in fh if line.strip())
            total += n - 1 if fmt == "csv" and n else n
    return total


def _open_binary(path: str) -> IO[bytes]:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def _open_text(path: str) -> IO[str]:
    return io.TextIOWrapper(_open_binary(path), encoding="utf-8-sig", newline="")


def _stdin_binary(stdin: IO[Any] | None) -> IO[bytes]:
    stream = stdin if stdin is not None else sys.stdin
    buf = getattr(stream, "buffer", None)
    if buf is not None:
        return buf
    if isinstance(stream, io.TextIOBase):
        return io.BytesIO(stream.read().encode("utf-8"))
    return stream  # type: ignore[return-value]


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _make_id(value: object, default: str) -> str:
    if value is None or value == "":
        return default
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _text_record(text: object, rid: str, source: str, location: str, field: str) -> Record:
    if isinstance(text, str):
        return Record(rid, text, source, location)
    reason = f"missing field {field!r}" if text is _MISSING else f"field {field!r} is {_type_name(text)}, not a string"
    return Record(rid, None, source, location, reason)


_MISSING = object()


def _read_txt(fh: IO[bytes], source: str, lines: bool) -> Iterator[Record]:
    if not lines:
        data = fh.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            yield Record(source, None, source, "file", f"invalid UTF-8: {e}")
            return
        yield Record(source, text, source, "file")
        return
    for n, raw in enumerate(fh, 1):
        loc, rid = f"line {n}", f"{source}:{n}"
        try:
            line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield Record(rid, None, source, loc, f"invalid UTF-8: {e}")
            continue
        line = line.rstrip("\r\n")
        if line.strip():
            yield Record(rid, line, source, loc)


def _read_jsonl(fh: IO[bytes], source: str, opts: ReadOptions) -> Iterator[Record]:
    for n, raw in enumerate(fh, 1):
        loc, default_id = f"line {n}", f"{source}:{n}"
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
        except UnicodeDecodeError as e:
            yield Record(default_id, None, source, loc, f"invalid UTF-8: {e}")
            continue
        except json.JSONDecodeError as e:
            yield Record(default_id, None, source, loc, f"invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            yield Record(default_id, None, source, loc, f"expected a JSON object, got {_type_name(obj)}")
            continue
        rid = _make_id(obj.get(opts.id_field), default_id)
        yield _text_record(obj.get(opts.text_field, _MISSING), rid, source, loc, opts.text_field)


def _read_csv(fh: IO[str], source: str, opts: ReadOptions) -> Iterator[Record]:
    csv.field_size_limit(2**31 - 1)
    reader = csv.DictReader(fh)
    if reader.fieldnames is None:  # reads the header; an empty file has no rows
        return
    start = reader.line_num + 1
    for row in reader:
        loc, default_id = f"line {start}", f"{source}:{start}"
        rid = _make_id(row.get(opts.id_field), default_id)
        yield _text_record(row.get(opts.text_field, _MISSING), rid, source, loc, opts.text_field)
        start = reader.line_num + 1


def _read_parquet(path: str, opts: ReadOptions) -> Iterator[Record]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    columns = [opts.text_field] + ([opts.id_field] if opts.id_field in names and opts.id_field != opts.text_field else [])
    n = 0
    for batch in pf.iter_batches(batch_size=1024, columns=columns):
        texts = batch.column(opts.text_field).to_pylist()
        ids = batch.column(opts.id_field).to_pylist() if len(columns) > 1 else [None] * len(texts)
        for text, rid in zip(texts, ids, strict=True):
            n += 1
            loc = f"row {n}"
            yield _text_record(text, _make_id(rid, f"{path}:{n}"), path, loc, opts.text_field)


def read_file(path: str, opts: ReadOptions, *, stdin: IO[Any] | None = None) -> Iterator[Record]:
    """The records of one input. A file that breaks off (truncated gzip, corrupt Parquet)
    yields one error record saying where, then stops."""
    fmt = detect_format(path, opts.input_format)
    source = STDIN_NAME if path == STDIN else path
    last_loc = "file"
    try:
        if fmt == "parquet":
            gen: Iterator[Record] = _read_parquet(path, opts)
            for rec in gen:
                last_loc = rec.location
                yield rec
            return
        fh = _stdin_binary(stdin) if path == STDIN else _open_binary(path)
        try:
            if fmt == "txt":
                gen = _read_txt(fh, source, opts.lines)
            elif fmt == "jsonl":
                gen = _read_jsonl(fh, source, opts)
            else:
                text_fh = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
                gen = _read_csv(text_fh, source, opts)
            for rec in gen:
                last_loc = rec.location
                yield rec
        finally:
            if path != STDIN:
                fh.close()
    except (OSError, ValueError, EOFError, csv.Error) as e:  # a file that cannot be read on
        where = f"after {last_loc}" if last_loc != "file" else "file"
        yield Record(f"{source}:{where}", None, source, where, f"unreadable input: {type(e).__name__}: {e}")


def iter_records(paths: Iterable[str], opts: ReadOptions, *, stdin: IO[Any] | None = None) -> Iterator[Record]:
    """All records of ``paths`` (from :func:`expand_inputs`), in order."""
    for path in paths:
        yield from read_file(path, opts, stdin=stdin)
