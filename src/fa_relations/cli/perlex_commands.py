"""``fa-relations train perlex`` and ``fa-relations evaluate perlex``: the relation classifier on PERLEX."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..paths import results_dir
from .app import evaluate_app, train_app


@train_app.command("perlex")
def train_perlex_cmd(
    output: Path | None = typer.Option(None, "--output", help="Model folder (default models/perlex)."),
    config: Path | None = typer.Option(None, "--config", help="Training config (default configs/perlex.cfg)."),
    data: Path | None = typer.Option(None, "--data", help="PERLEX folder (default: perlex/ in the corpus folder)."),
) -> None:
    """Train the relation classifier on PERLEX train with its 19 labels (one marked pair per sentence), a
    fixed-seed part of train held out as dev for every choice; the test file is not read."""
    from ..training.perlex import default_output, read_config, train  # deferred: fast --help

    meta = train(output or default_output(), read_config(config), data)
    typer.echo(f"{meta['training_data']['train_sentences']} train / {meta['training_data']['dev_sentences']} dev "
               f"sentences; best epoch {meta['best_epoch']}, dev macro-F1 {meta['dev_macro_f1']:.2f}; "
               f"{meta['size_bytes'] / 2**20:.1f} MB; written {output or default_output()}")


@evaluate_app.command("perlex")
def evaluate_perlex_cmd(
    data: Path | None = typer.Option(None, "--data", help="PERLEX folder (default: perlex/ in the corpus folder)."),
    model: Path | None = typer.Option(None, "--model", help="Classifier folder (default models/perlex)."),
    predictions: Path | None = typer.Option(
        None, "--predictions", help="Answer file to write (default benchmarks/results/perlex_test_answers.txt)."),
    output_dir: Path | None = typer.Option(None, "--output-dir", help="Where to write the JSON (default benchmarks/results)."),
    record: bool = typer.Option(False, "--record", help="Also write the test figures into the model's meta.json "
                                                        "(and refresh its manifest): done once for a shipped model."),
) -> None:
    """Predict PERLEX test, write the SemEval-2010 Task 8 answer file (id<TAB>Relation(e1,e2)) and print the
    official score: macro-F1 over the 9 relations, direction required, Other excluded."""
    import torch  # deferred: heavy; one thread, as the figures in the docs were measured

    from ..evaluation.perlex import evaluate_perlex, record_in_meta  # deferred: fast --help
    from ..relation_classifier.marked import load_pair_classifier

    torch.set_num_threads(1)
    nlp = load_pair_classifier(model)
    res = evaluate_perlex(nlp, data, predictions, output_dir)
    typer.echo(f"{'relation':20s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for rel, v in res["per_relation"].items():
        typer.echo(f"{rel:20s} {100 * v['precision']:6.2f} {100 * v['recall']:6.2f} {100 * v['f1']:6.2f}")
    typer.echo(json.dumps({k: res[k] for k in ("macro_f1", "accuracy", "sentences", "sentences_per_second")}))
    if res["unreadable"] or res["not_tokenised"]:
        typer.echo(f"{len(res['unreadable'])} unreadable, {len(res['not_tokenised'])} not tokenised (scored as Other)")
    if record:
        typer.echo(f"recorded in {record_in_meta(model, res)}")
    answers = predictions or (output_dir or results_dir()) / res["answers"]
    typer.echo(f"macro-F1 (official, 9 relations, direction, no Other): {res['macro_f1']:.2f}; answers {answers}")
