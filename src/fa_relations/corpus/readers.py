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

Encodings (``encoding``, ``--encoding``): text inputs are UTF-8 by default (a
byte-order mark is allowed); any Python codec name may be given (``cp1256``
for older Persian archives, ``utf-16``, ``latin-1``), or ``auto``, which
detects UTF-8, UTF-16/32 (by their byte-order marks, or UTF-16 without one by
its pattern of zero bytes) and Windows-1256 from the first 64 KiB of each file
and logs the choice. ``auto`` never guesses Latin-1 (any byte decodes as
Latin-1, so it would turn every mistake into mojibake): such a file is one error
record naming the file and the first line that is not UTF-8, and the user passes
``--encoding latin-1``. A line that does not decode is an error record with a
hint, and the rest of the file is read.

User fields: every field or column of a ``.jsonl``, ``.csv`` or ``.parquet``
record other than the text and id (``url``, ``date``, ``category`` ...) is kept
in :attr:`Record.fields` and carried into the output.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import hashlib
import io
import json
import logging
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

#: The default text encoding: UTF-8, with or without a byte-order mark.
DEFAULT_ENCODING = "utf-8"
AUTO = "auto"
#: Bytes read at a time when hashing an input.
HASH_BLOCK = 1 << 20
#: Bytes read from the start of a file to detect its encoding with ``auto``.
DETECT_BYTES = 1 << 16
#: Share of the odd (or even) bytes below 0x09 above which a file without a byte-order mark is UTF-16.
_UTF16_HIGH_SHARE = 0.6
#: Share of letters in Arabic script above which undecodable UTF-8 is taken for Windows-1256.
_ARABIC_SCRIPT_SHARE = 0.5
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Record:
    """One input document, or the reason why an input record is not one (``error``)."""

    id: str
    text: str | None
    source: str
    location: str
    error: str | None = None
    #: the record's other fields (JSON values; CSV cells as strings), in input order
    fields: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReadOptions:
    """How to read inputs; see the module docstring."""

    lines: bool = False
    text_field: str = "text"
    id_field: str = "id"
    input_format: str | None = None
    #: a Python codec name, or ``"auto"`` (see the module docstring)
    encoding: str = DEFAULT_ENCODING

    def __post_init__(self) -> None:
        if self.input_format is not None and self.input_format not in FORMATS:
            raise ValueError(f"input_format must be one of {FORMATS}, got {self.input_format!r}")
        if self.encoding != AUTO:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {self.encoding!r}: use a Python codec name "
                                 "(utf-8, utf-8-sig, utf-16, cp1256, latin-1) or 'auto'") from None


def _codec(encoding: str) -> str:
    """The codec that reads ``encoding``: plain UTF-8 also accepts a byte-order mark."""
    name = codecs.lookup(encoding).name
    return "utf-8-sig" if name == "utf-8" else name


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of ``head`` is mostly a control byte (the high byte
    of Latin or Arabic-script text in UTF-16: 0x00, 0x06), which UTF-8 text never has."""
    if len(head) < 8:
        return None
    low = [sum(1 for b in head[i::2] if b < 0x09) / len(head[i::2]) for i in (0, 1)]
    if low[1] >= _UTF16_HIGH_SHARE and low[0] < 1 - _UTF16_HIGH_SHARE:
        return "utf-16-le"
    if low[0] >= _UTF16_HIGH_SHARE and low[1] < 1 - _UTF16_HIGH_SHARE:
        return "utf-16-be"
    return None


def detect_encoding(head: bytes) -> str | None:
    """The encoding of a file that starts with ``head``: a byte-order mark, else UTF-16 without one
    (see :func:`_utf16_without_bom`), else UTF-8 if the bytes decode, else Windows-1256 if most
    letters then are Arabic-script; ``None`` if unsure (Latin-1 text, for one)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut last character is fine
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    text = head.decode("cp1256", errors="replace")
    letters = [c for c in text if c.isalpha()]
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    if letters and arabic / len(letters) >= _ARABIC_SCRIPT_SHARE:
        return "cp1256"
    return None


def _first_bad_utf8_line(head: bytes) -> str:
    """Where ``head`` stops being UTF-8: ``line N, byte 0xNN``."""
    for n, line in enumerate(head.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as e:
            return f"line {n}, byte 0x{line[e.start]:02x} at column {e.start + 1}"
    return "line 1"


def _is_ascii_compatible(codec: str) -> bool:
    """Whether lines can be split on ``b"\\n"`` before decoding (not so for UTF-16/32)."""
    return "\n".encode(codec).lstrip(codecs.BOM_UTF8) == b"\n"


def _decode_hint(codec: str) -> str:
    if codecs.lookup(codec).name in ("utf-8", "utf-8-sig"):
        return " (if the file is in another encoding, e.g. Windows-1256, pass --encoding cp1256 or --encoding auto)"
    return " (pass the file's encoding with --encoding, or --encoding auto)"


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
            with _open_text(path, opts.encoding) as fh:
                header = next(csv.reader(fh), None)
            if header is not None and opts.text_field not in header:
                raise ValueError(f"{path}: no column {opts.text_field!r} (columns: {header}); set text_field / --text-field")
        elif fmt == "parquet":
            import pyarrow.parquet as pq

            names = pq.ParquetFile(path).schema_arrow.names
            if opts.text_field not in names:
                raise ValueError(f"{path}: no column {opts.text_field!r} (columns: {names}); set text_field / --text-field")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(HASH_BLOCK):
            h.update(block)
    return h.hexdigest()


def input_fingerprint(paths: list[str]) -> list[dict[str, Any]]:
    """Path, size and SHA-256 of each input: how ``--resume`` checks that the inputs did not change
    (a copy or a ``touch`` keeps them; an edit, even one of the same size, does not)."""
    out: list[dict[str, Any]] = []
    for p in paths:
        if p == STDIN:
            out.append({"path": STDIN})
        else:
            out.append({"path": p, "size": os.path.getsize(p), "sha256": _sha256(p)})
    return out


def input_changes(before: list[dict[str, Any]], now: list[dict[str, Any]]) -> list[str]:
    """What differs between two :func:`input_fingerprint` lists, one phrase per changed input."""
    old = {f["path"]: f for f in before}
    new = {f["path"]: f for f in now}
    out = [f"the input {p} was not among the inputs then" for p in new if p not in old]
    out += [f"the input {p} is not among the inputs now" for p in old if p not in new]
    for p in (p for p in new if p in old):
        a, b = old[p], new[p]
        if a.get("size") != b.get("size"):
            out.append(f"the input {p} changed ({a.get('size')} bytes then, {b.get('size')} now)")
        elif a.get("sha256") is not None and a.get("sha256") != b.get("sha256"):  # none: an older manifest
            out.append(f"the input {p} changed (same size, other content: SHA-256 differs)")
    if not out and [f["path"] for f in before] != [f["path"] for f in now]:
        out.append("the inputs are in another order")
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


def _peek(fh: IO[bytes], n: int) -> bytes:
    """The first ``n`` bytes of ``fh`` without consuming them (a file is rewound; a pipe is peeked)."""
    if fh.seekable():
        pos = fh.tell()
        head = fh.read(n)
        fh.seek(pos)
        return head
    peek = getattr(fh, "peek", None)
    return peek(n)[:n] if peek is not None else b""


def resolve_encoding(fh: IO[bytes], source: str, encoding: str) -> str:
    """The codec to read ``fh`` with: ``encoding`` itself, or the one ``auto`` detects (logged)."""
    if encoding != AUTO:
        return _codec(encoding)
    head = _peek(fh, DETECT_BYTES)
    found = detect_encoding(head)
    if found is None:
        raise UnicodeError(f"{source}: cannot detect the encoding: {_first_bad_utf8_line(head)} is not UTF-8, and "
                           "the file is neither UTF-16/32 nor Windows-1256 (Persian); pass its encoding with "
                           "--encoding (e.g. latin-1 or cp1252 for Western European text)")
    logger.info("%s: detected encoding %s", source, found)
    return found


def _open_text(path: str, encoding: str = DEFAULT_ENCODING) -> IO[str]:
    fh = _open_binary(path)
    return io.TextIOWrapper(fh, encoding=resolve_encoding(fh, path, encoding), newline="")


def _lines(fh: IO[bytes], codec: str) -> Iterator[tuple[int, bytes | str]]:
    """Numbered raw lines: bytes for ASCII-compatible codecs (decoded line by line, so one bad
    line does not stop the file), else text decoded by a stream reader."""
    if _is_ascii_compatible(codec):
        return enumerate(fh, 1)
    return enumerate(io.TextIOWrapper(fh, encoding=codec, newline=""), 1)


def _decode_line(raw: bytes | str, n: int, codec: str) -> str:
    if isinstance(raw, str):
        return raw
    return raw.decode(codec if n == 1 or codec != "utf-8-sig" else "utf-8")


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


def _text_record(text: object, rid: str, source: str, location: str, field: str,
                 fields: dict[str, Any] | None = None) -> Record:
    if isinstance(text, str):
        return Record(rid, text, source, location, fields=fields)
    reason = f"missing field {field!r}" if text is _MISSING else f"field {field!r} is {_type_name(text)}, not a string"
    return Record(rid, None, source, location, reason, fields=fields)


_MISSING = object()


def _invalid(codec: str, e: UnicodeDecodeError) -> str:
    name = codecs.lookup(codec).name
    shown = "UTF-8" if name in ("utf-8", "utf-8-sig") else name
    return f"invalid {shown}: {e}{_decode_hint(codec)}"


def _read_txt(fh: IO[bytes], source: str, lines: bool, codec: str) -> Iterator[Record]:
    if not lines:
        data = fh.read()
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as e:
            yield Record(source, None, source, "file", _invalid(codec, e))
            return
        yield Record(source, text, source, "file")
        return
    for n, raw in _lines(fh, codec):
        loc, rid = f"line {n}", f"{source}:{n}"
        try:
            line = _decode_line(raw, n, codec)
        except UnicodeDecodeError as e:
            yield Record(rid, None, source, loc, _invalid(codec, e))
            continue
        line = line.rstrip("\r\n")
        if line.strip():
            yield Record(rid, line, source, loc)


def _user_fields(obj: dict[str, Any], opts: ReadOptions) -> dict[str, Any] | None:
    extra = {k: v for k, v in obj.items() if k not in (opts.text_field, opts.id_field)}
    return extra or None


def _read_jsonl(fh: IO[bytes], source: str, opts: ReadOptions, codec: str) -> Iterator[Record]:
    for n, raw in _lines(fh, codec):
        loc, default_id = f"line {n}", f"{source}:{n}"
        if not raw.strip():
            continue
        try:
            obj = json.loads(_decode_line(raw, n, codec))
        except UnicodeDecodeError as e:
            yield Record(default_id, None, source, loc, _invalid(codec, e))
            continue
        except json.JSONDecodeError as e:
            yield Record(default_id, None, source, loc, f"invalid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            yield Record(default_id, None, source, loc, f"expected a JSON object, got {_type_name(obj)}")
            continue
        rid = _make_id(obj.get(opts.id_field), default_id)
        yield _text_record(obj.get(opts.text_field, _MISSING), rid, source, loc, opts.text_field,
                           _user_fields(obj, opts))


def _read_csv(fh: IO[str], source: str, opts: ReadOptions) -> Iterator[Record]:
    csv.field_size_limit(2**31 - 1)
    reader = csv.DictReader(fh)
    if reader.fieldnames is None:  # reads the header; an empty file has no rows
        return
    start = reader.line_num + 1
    for row in reader:
        loc, default_id = f"line {start}", f"{source}:{start}"
        rid = _make_id(row.get(opts.id_field), default_id)
        yield _text_record(row.get(opts.text_field, _MISSING), rid, source, loc, opts.text_field,
                           _user_fields(row, opts))
        start = reader.line_num + 1


def _read_parquet(path: str, opts: ReadOptions) -> Iterator[Record]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    n = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            n += 1
            rid = _make_id(row.get(opts.id_field), f"{path}:{n}")
            yield _text_record(row.get(opts.text_field), rid, path, f"row {n}", opts.text_field,
                               _user_fields(row, opts))


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
            codec = resolve_encoding(fh, source, opts.encoding)
            if fmt == "txt":
                gen = _read_txt(fh, source, opts.lines, codec)
            elif fmt == "jsonl":
                gen = _read_jsonl(fh, source, opts, codec)
            else:
                text_fh = io.TextIOWrapper(fh, encoding=codec, newline="")
                gen = _read_csv(text_fh, source, opts)
            for rec in gen:
                last_loc = rec.location
                yield rec
        finally:
            if path != STDIN:
                fh.close()
    except (OSError, ValueError, EOFError, csv.Error) as e:  # a file that cannot be read on
        where = f"after {last_loc}" if last_loc != "file" else "file"
        hint = _decode_hint(opts.encoding if opts.encoding != AUTO else DEFAULT_ENCODING) \
            if isinstance(e, UnicodeError) else ""
        yield Record(f"{source}:{where}", None, source, where, f"unreadable input: {type(e).__name__}: {e}{hint}")


def iter_records(paths: Iterable[str], opts: ReadOptions, *, stdin: IO[Any] | None = None) -> Iterator[Record]:
    """All records of ``paths`` (from :func:`expand_inputs`), in order."""
    for path in paths:
        yield from read_file(path, opts, stdin=stdin)
