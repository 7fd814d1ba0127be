"""``fa-relations extract``: files, globs or stdin in; JSON Lines or sharded JSON Lines/Parquet out."""

from __future__ import annotations

import errno
import json
import logging
import signal
import sys
from enum import Enum

import typer

from ..corpus.extract import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SHARD_SIZE,
    EmptyInputError,
    ExtractionSummary,
    OutputOptions,
    PipelineOptions,
    RunOptions,
    extract_corpus,
)
from ..corpus.readers import DEFAULT_ENCODING, ReadOptions
from .app import app

#: Exit statuses of ``fa-relations extract`` (also listed in its ``--help``).
EXIT_OK = 0
EXIT_FAILED = 1        # the run could not go on: the pipeline did not load, the disk is full, the output is unwritable
EXIT_USAGE = 2         # a mistake in the command or its inputs: bad option, missing or empty input, output exists
EXIT_RECORD_ERRORS = 3  # the run finished but more records failed than --max-errors allows
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM: finished documents are kept, --resume continues

EXIT_HELP = (
    "Exit status: 0 all records written (or the failed ones within --max-errors); "
    "1 the run failed (the pipeline did not load, the disk is full, the output cannot be written); "
    "2 a usage or input mistake (bad option, missing or empty input, output exists); "
    "3 more records failed than --max-errors allows (see the errors file); "
    "130 interrupted (every finished document is kept: run the same command with --resume)."
)


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    parquet = "parquet"


class Rows(str, Enum):
    documents = "documents"
    triples = "triples"


class InputFormat(str, Enum):
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


def _sigterm_to_interrupt(signum, frame):
    raise KeyboardInterrupt


def parse_max_errors(value: str) -> float:
    """``--max-errors``: a count (``10``), a fraction of the records (``0.01``) or a percentage (``1%``)."""
    v = value.strip()
    try:
        if v.endswith("%"):
            x = float(v[:-1]) / 100
            if not 0 <= x <= 1:
                raise ValueError
            return x
        if v.isdigit():
            return int(v)
        x = float(v)
        if not 0 <= x < 1:
            raise ValueError
        return x
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give a count (10), a fraction below 1 (0.01) or a percentage (1%)") from None


def too_many_errors(summary: ExtractionSummary, max_errors: float) -> bool:
    """Whether ``summary`` has more failed records than ``max_errors`` (a count, or a fraction if a float)."""
    if isinstance(max_errors, int):
        return summary.errors > max_errors
    return summary.errors > max_errors * summary.documents_in


_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _verbose_logging(level: int) -> logging.Handler:
    """Show the ``fa_relations`` logs on standard error for this command (``-v`` INFO, ``-vv`` DEBUG)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    log = logging.getLogger("fa_relations")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if level > 1 else logging.INFO)
    log.propagate = False  # the handler above prints it; the root's would print it twice
    return handler


def _end_verbose_logging(handler: logging.Handler) -> None:
    log = logging.getLogger("fa_relations")
    log.removeHandler(handler)
    log.setLevel(logging.NOTSET)
    log.propagate = True


def _os_error_message(e: OSError) -> str:
    where = f" {e.filename}" if e.filename else ""
    if e.errno == errno.ENOSPC:
        return (f"no space left on the device writing{where}. Completed shards, the documents of unfinished "
                "shards and the progress journal are kept: free some space and run the same command with --resume")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write{where}: {e.strerror}. Choose an output folder you can write to"
    return f"{e.strerror or e}{(':' + where) if where else ''}"


@app.command("extract", epilog=EXIT_HELP)
def extract(
    inputs: list[str] | None = typer.Argument(
        None, help="Files, folders or globs (.txt, .jsonl, .csv, .parquet; .gz for text formats). '-' or none: standard input.",
        show_default=False,
    ),
    output: str = typer.Option(
        "-", "--output", "-o",
        help="'-' for standard output; a path ending in .jsonl for one JSON Lines file; otherwise a folder of shards with _manifest.json and _errors.jsonl.",
    ),
    lines: bool = typer.Option(False, "--lines", help=".txt and standard input: one document per line (default: one per file)."),
    input_format: InputFormat | None = typer.Option(None, "--input-format", help="Read every input (and stdin) as this format instead of guessing from the extension."),
    text_field: str = typer.Option("text", "--text-field", help=".jsonl/.csv/.parquet: field or column holding the text."),
    id_field: str = typer.Option("id", "--id-field", help=".jsonl/.csv/.parquet: field or column holding the id (default id: FILE:LINE)."),
    fmt: OutputFormat | None = typer.Option(
        None, "--format", "-f",
        help="Output format (default: parquet when OUTPUT ends in .parquet, else jsonl). parquet always writes a folder.",
        show_default=False,
    ),
    rows: Rows = typer.Option(Rows.documents, "--rows", help="One row per document (SCHEMA.md objects) or one flat row per triple."),
    shards: bool = typer.Option(False, "--shards", help="Write a folder of shards even when OUTPUT ends with .jsonl."),
    shard_size: int = typer.Option(DEFAULT_SHARD_SIZE, "--shard-size", min=1, help="Records per output file."),
    workers: int = typer.Option(1, "--workers", "-w", min=0, help="Worker processes, each loading the model once (0: in this process)."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local processes, or dask (a cluster at --scheduler, or a local one with --workers workers)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run with the same inputs and options."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the output of an earlier run."),
    include_tokens: bool = typer.Option(False, "--include-tokens", help="Keep the tokens in each document."),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, "--batch-size", min=1, help="Documents sent to a worker at a time."),
    encoding: str = typer.Option(
        DEFAULT_ENCODING, "--encoding", "-e",
        help="Text encoding of .txt/.jsonl/.csv inputs: utf-8 (a BOM is allowed), utf-16, cp1256 (Windows Arabic/Persian), "
             "latin-1, any Python codec, or 'auto' to detect UTF-8, UTF-16/32 and cp1256 per file (logged with -v; "
             "Latin-1 is never guessed).",
    ),
    max_errors: str = typer.Option(
        "0", "--max-errors",
        help="Failed records tolerated before the exit status is 3: a count (10), a fraction (0.01) or a percentage (1%).",
    ),
    model: str | None = typer.Option(None, "--model", help="A saved pipeline folder (default: the built-in pipeline)."),
    ner: str | None = typer.Option(None, "--ner", help="NER checkpoint path or hub id for the pipeline."),
    device: str | None = typer.Option(None, "--device", help="cpu, cuda or auto (transformer back ends)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    json_summary: bool = typer.Option(False, "--json-summary", help="Print the summary as one JSON object."),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True,
        help="-v: log what loads from where, detected encodings, seconds per stage and why each record failed; -vv: debug.",
    ),
) -> None:
    """Extract entities and triples from many documents; resumable, never drops a record.

    Every record that cannot be processed (invalid JSON, missing or non-string
    text, a crash) is written to the errors file with its source and location,
    and documents in = documents written + errors. The input's other fields
    (url, date, ...) are kept in each output record under "fields".
    Ctrl-C or SIGTERM keeps every finished document; --resume goes on from there.
    """
    tolerated = parse_max_errors(max_errors)
    previous = signal.signal(signal.SIGTERM, _sigterm_to_interrupt)
    log_handler = _verbose_logging(verbose) if verbose else None
    try:
        summary = extract_corpus(
            inputs or None, output,
            read=ReadOptions(lines=lines, text_field=text_field, id_field=id_field,
                             input_format=input_format.value if input_format else None, encoding=encoding),
            write=OutputOptions(format=fmt.value if fmt else None, rows=rows.value, shard_size=shard_size,
                                shards=shards, include_tokens=include_tokens),
            run=RunOptions(workers=workers, engine=engine.value, scheduler=scheduler, batch_size=batch_size,
                           resume=resume, overwrite=overwrite, progress=False if quiet else None),
            pipeline=PipelineOptions(model=model, ner=ner, device=device),
        )
    except KeyboardInterrupt:
        typer.echo("interrupted: every finished document is kept; run the same command with --resume to finish",
                   err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except EmptyInputError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError, ValueError, ImportError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as e:  # unwritable output, full disk
        typer.echo(f"error: {_os_error_message(e)}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    except RuntimeError as e:  # e.g. workers that cannot load the pipeline
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        if log_handler is not None:
            _end_verbose_logging(log_handler)
    if json_summary:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False), err=True)
    elif not quiet:
        typer.echo(str(summary), err=True)
    if too_many_errors(summary, tolerated):
        allowed = f"{tolerated:.2%} of the records" if isinstance(tolerated, float) else str(tolerated)
        typer.echo(f"error: {summary.errors} of {summary.documents_in} records failed (tolerated: {allowed}, "
                   f"--max-errors); see {summary.errors_path or 'the log'}", err=True)
        raise typer.Exit(EXIT_RECORD_ERRORS)
