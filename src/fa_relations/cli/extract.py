"""``fa-relations extract``: files, globs or stdin in; JSON Lines or sharded JSON Lines/Parquet out."""



from __future__ import annotations

import json
import signal
from enum import Enum

import typer

from .app import app


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


@app.command("extract")
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
    fmt: OutputFormat = typer.Option(OutputFormat.jsonl, "--format", "-f", help="Output format. parquet always writes a folder."),
    rows: Rows = typer.Option(Rows.documents, "--rows", help="One row per document (SCHEMA.md objects) or one flat row per triple."),
    shards: bool = typer.Option(False, "--shards", help="Write a folder of shards even when OUTPUT ends with .jsonl."),
    shard_size: int = typer.Option(10_000, "--shard-size", min=1, help="Records per shard (the unit of resumption)."),
    workers: int = typer.Option(1, "--workers", "-w", min=0, help="Worker processes, each loading the model once (0: in this process)."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local processes, or dask (a cluster at --scheduler, or a local one with --workers workers)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786."),
    resume: bool = typer.Option(False, "--resume", help="Finish an interrupted run with the same inputs and options."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the output of an earlier run."),
    include_tokens: bool = typer.Option(False, "--include-tokens", help="Keep the tokens in each document."),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Documents sent to a worker at a time."),
    model: str | None = typer.Option(None, "--model", help="A saved pipeline folder (default: the built-in pipeline)."),
    ner: str | None = typer.Option(None, "--ner", help="NER checkpoint path or hub id for the pipeline."),
    device: str | None = typer.Option(None, "--device", help="cpu, cuda or auto (transformer back ends)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary."),
    json_summary: bool = typer.Option(False, "--json-summary", help="Print the summary as one JSON object."),
) -> None:
    """Extract entities and triples from many documents; resumable, never drops a record.

    Every record that cannot be processed (invalid JSON, missing or non-string
    text, a crash) is written to the errors file with its source and location,
    and documents in = documents written + errors.
    """
    from ..corpus import extract_corpus

    previous = signal.signal(signal.SIGTERM, _sigterm_to_interrupt)
    try:
        summary = extract_corpus(
            inputs or None, output, workers=workers, engine=engine.value, scheduler=scheduler,
            format=fmt.value, rows=rows.value, shard_size=shard_size, shards=shards, resume=resume,
            overwrite=overwrite, text_field=text_field, id_field=id_field, lines=lines,
            input_format=input_format.value if input_format else None, include_tokens=include_tokens,
            batch_size=batch_size, model=model, ner=ner, device=device, progress=False if quiet else None,
        )
    except KeyboardInterrupt:
        typer.echo("interrupted: run the same command with --resume to finish", err=True)
        raise typer.Exit(130) from None
    except (FileNotFoundError, FileExistsError, ValueError, ImportError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    except RuntimeError as e:  # e.g. workers that cannot load the pipeline
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if json_summary:
        typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False), err=True)
    elif not quiet:
        typer.echo(str(summary), err=True)
