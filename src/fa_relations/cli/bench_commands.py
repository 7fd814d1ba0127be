"""``fa-relations bench``: speed per stage and end to end, processes and threads, memory, cold start, alternatives."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from ..paths import results_dir
from .app import app

#: ``--quick``: tiny sizes and a tiny BERT stand-in, for tests (seconds, not minutes)
QUICK_SIZES = "300,600"


@app.command("bench")
def bench_cmd(
    sizes: str = typer.Option("1000,10000,100000", "--sizes", help="Input sizes in words, comma-separated."),
    parallel_size: int = typer.Option(10_000, "--parallel-size", help="Input size (words) of the 1/2 processes and 1/2 threads comparison."),
    repeat: int = typer.Option(1, "--repeat", help="Runs per measurement; the fastest is kept (for a shared machine)."),
    parsbert_words: int = typer.Option(1_000, "--parsbert-words", help="Words the ParsBERT-sized classifier tags (about 100 words/s)."),
    long_document_mb: float = typer.Option(1.0, "--long-document-mb", help="Also run one document of this many MB in a fresh process (0: skip)."),
    quick: bool = typer.Option(False, "--quick", help=f"Tiny sizes ({QUICK_SIZES} words), a tiny BERT instead of the ParsBERT-sized one, no long document: checks the command, not the speed."),
    data: Path | None = typer.Option(None, "--data", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets); reads news_mixed/."),
    output: Path | None = typer.Option(None, "--output", "-o", help="JSON to write (default benchmarks/results/bench.json); the plot goes beside it (.png)."),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="Also write the plot (matplotlib)."),
) -> None:
    """Measure speed on fixed Persian news (news_mixed): words/s per stage and end to end at each size, 1 and 2
    processes, 1 and 2 torch threads, peak memory, cold start, and hazm, parsivar and a ParsBERT-sized classifier
    side by side. Prints the tables and writes benchmarks/results/bench.json and bench.png."""
    from ..evaluation.bench import (  # deferred: keeps `fa-relations --help` fast
        BenchConfig,
        markdown_tables,
        run_bench,
    )

    try:
        size_list = tuple(int(s) for s in (QUICK_SIZES if quick else sizes).split(",") if s.strip())
    except ValueError:
        typer.echo(f"error: --sizes must be integers separated by commas, got {sizes!r}", err=True)
        raise typer.Exit(2) from None
    if not size_list or min(size_list) <= 0:
        typer.echo("error: --sizes needs at least one positive size", err=True)
        raise typer.Exit(2)
    config = BenchConfig(
        sizes=tuple(sorted(size_list)), parallel_size=min(size_list) if quick else parallel_size, repeat=repeat,
        parsbert_words=min(size_list) if quick else parsbert_words, parsbert_full_size=not quick,
        long_document_mb=0.0 if quick else long_document_mb, data=str(data) if data else None,
    )
    logging.getLogger("fa_relations.evaluation.bench").setLevel(logging.INFO)
    out = output or results_dir() / "bench.json"
    try:
        result = run_bench(config, out, plot=plot)
    except FileNotFoundError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(markdown_tables(result))
    typer.echo(f"\nwritten {out}" + (f" and {out.with_suffix('.png')}" if plot else ""))
