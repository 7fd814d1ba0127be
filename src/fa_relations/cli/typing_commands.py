"""``fa-relations evaluate typing``: COUNTRY/CITY/LOC typing accuracy on the hand-labelled LOC gold."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from ..paths import results_dir
from .app import evaluate_app


class TypingCorpus(StrEnum):
    peyma = "peyma"
    arman = "arman"
    both = "both"


def _default_output(corpus: str) -> Path:
    """``typing_<corpus>.json`` in :func:`fa_relations.paths.results_dir`."""
    return results_dir() / f"typing_{corpus}.json"


@evaluate_app.command("typing")
def evaluate_typing(
    corpus: TypingCorpus = typer.Option(TypingCorpus.both, "--corpus", help="peyma (test), arman (test_fold1) or both."),
    data: Path | None = typer.Option(None, "--data", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets)."),
    gold: Path | None = typer.Option(None, "--gold", help="Stand-off gold (default: data/typing/loc_gold.jsonl)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="JSON report (default: benchmarks/results/typing_<corpus>.json)."),
) -> None:
    """Type the gold LOC spans in their sentences and compare with the hand labels."""
    from ..evaluation.entity_typing import evaluate  # deferred: keeps `fa-relations --help` fast

    report = evaluate(corpus.value, data, gold_file=gold)
    out = output or _default_output(corpus.value)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = {
        c: {k: report[c][k] for k in ("mentions", "accuracy", "macro_f1_country_city_loc", "iso_accuracy")}
        for c in ("peyma", "arman", "all") if c in report
    }
    typer.echo(json.dumps({"output": str(out), **summary}, ensure_ascii=False))
