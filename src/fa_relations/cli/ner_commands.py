"""``fa-relations train ner`` and ``fa-relations evaluate ner``."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from .app import evaluate_app, train_app


class Backend(str, Enum):
    builtin = "builtin"
    transformers = "transformers"


class Corpus(str, Enum):
    peyma = "peyma"
    arman = "arman"
    parstwiner = "parstwiner"


@train_app.command("ner")
def train_ner(
    data: Path | None = typer.Option(None, "--data", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets)."),
    output: Path | None = typer.Option(
        None, "--output", "-o",
        help="Folder to write the model to (default: models/ner, or models/ner-parsbert for --backend transformers).",
    ),
    seed: int = typer.Option(0, "--seed"),
    backend: Backend = typer.Option(Backend.builtin, "--backend"),
    base: str | None = typer.Option(None, "--base", help="transformers back end: base model id or path."),
    config: Path | None = typer.Option(None, "--config", help="builtin: training config JSON (e.g. models/ner/train_config.json)."),
    epochs: int | None = typer.Option(None, "--epochs", help="Override the number of epochs."),
    max_minutes: float | None = typer.Option(None, "--max-minutes", help="builtin: wall-time budget."),
    init_from: Path | None = typer.Option(None, "--init-from", help="builtin: continue training this saved model."),
    lr: float | None = typer.Option(None, "--lr", help="builtin: learning rate."),
    threads: int | None = typer.Option(None, "--threads", help="builtin: torch CPU threads."),
    hidden: int | None = typer.Option(
        None, "--hidden", help="builtin: BiLSTM hidden size per direction (new models only; --init-from keeps its own)."
    ),
    lstm_layers: int | None = typer.Option(
        None, "--lstm-layers", help="builtin: number of stacked BiLSTM layers (new models only; --init-from keeps its own)."
    ),
    vectors: str | None = typer.Option(
        None, "--vectors", help="builtin: word2vec (news_unlabelled + train words) or fasttext (every Persian text at hand)."
    ),
    expand_vocab: bool = typer.Option(
        False, "--expand-vocab", help="builtin, with --init-from: add the --vectors words, mapped into the model's space."
    ),
    extra: list[str] = typer.Option(
        [], "--extra", help="builtin: extra training corpus as NAME=FRACTION drawn each epoch (repeatable), e.g. wiki_ner=0.5."
    ),
    extra_weight: float | None = typer.Option(None, "--extra-weight", help="builtin: loss weight of extra sentences."),
    average: int | None = typer.Option(
        None, "--average", help="builtin: also score the mean of the last N epochs' weights (keep it if best)."
    ),
    loc_may_be_fac: bool = typer.Option(
        False, "--loc-may-be-fac", help="builtin: a LOC of wiki_ner / translated CoNLL, WNUT may be a FAC (their guidelines)."
    ),
) -> None:
    """Train an NER model (built-in BiLSTM-CRF on CPU, or fine-tune a transformer)."""
    if backend is Backend.transformers:
        from ..training.transformers_finetune import finetune  # deferred: keeps `fa-relations --help` fast

        if base is None:
            raise typer.BadParameter("--backend transformers needs --base ID_OR_PATH", param_hint="--base")
        kwargs: dict[str, object] = {
            "base": base, "data_dir": data, "output": output or Path("models/ner-parsbert"), "seed": seed,
        }
        if epochs is not None:
            kwargs["epochs"] = epochs
        if max_minutes is not None:
            kwargs["max_minutes"] = max_minutes
        finetune(**kwargs)
        return
    output = output or Path("models/ner")
    from ..training.ner import TrainConfig, train_tagger  # deferred: keeps `fa-relations --help` fast

    cfg = TrainConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))) if config else TrainConfig()
    cfg.seed = seed
    if epochs is not None:
        cfg.epochs = epochs
    if max_minutes is not None:
        cfg.max_minutes = max_minutes
    if init_from is not None:
        cfg.init_from = str(init_from)
    if lr is not None:
        cfg.lr = lr
    if threads is not None:
        cfg.threads = threads
    if hidden is not None:
        cfg.arch.hidden = hidden
    if lstm_layers is not None:
        cfg.arch.lstm_layers = lstm_layers
    if vectors is not None:
        cfg.vectors = vectors
    cfg.expand_vocab = cfg.expand_vocab or expand_vocab
    for item in extra:
        name, sep, fraction = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected NAME=FRACTION, got {item!r}", param_hint="--extra")
        cfg.extra_corpora[name] = float(fraction)
    if extra_weight is not None:
        cfg.extra_weight = extra_weight
    if average is not None:
        cfg.average = average
    cfg.loc_may_be_fac = cfg.loc_may_be_fac or loc_may_be_fac
    tagger = train_tagger(data, output, cfg)
    typer.echo(json.dumps({"output": str(output), "dev_mean_f1": tagger.meta.get("dev_mean_f1"),
                           "best_epoch": tagger.meta.get("best_epoch")}))


def _tag_fn(ner: str | None):
    """A ``words -> tags`` function of the pipeline ``fa_relations.load(ner=...)``, and what model it runs."""
    from ..pipeline import load  # deferred: keeps `fa-relations --help` fast

    pipe = load(ner=ner) if ner else load()
    meta = {"loaded_with": "fa_relations.load", "ner": ner or "builtin"}
    try:
        tagger = pipe.nlp.get_pipe("fa_ner").tagger
    except (AttributeError, KeyError):
        tagger = None
    if tagger is not None and isinstance(getattr(tagger, "meta", None), dict):
        meta.update({k: tagger.meta.get(k) for k in ("name", "version", "architecture", "seed")})
    return pipe.tag, meta


@evaluate_app.command("ner")
def evaluate_ner_cmd(
    corpus: Corpus | None = typer.Option(None, "--corpus", help="The gold corpus (or --gold-file)."),
    split: str = typer.Option("test", "--split", help="train, dev or test (ARMAN: train/test of --fold)."),
    data: Path | None = typer.Option(None, "--data"),
    fold: int = typer.Option(1, "--fold"),
    ner: str | None = typer.Option(None, "--ner", help="Model folder or id (default: the built-in model)."),
    output: Path | None = typer.Option(
        None, "--output",
        help="JSON report path (default benchmarks/results/ner_<corpus>_<split>.json; with --gold-file none unless given).",
    ),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N sentences."),
    gold_file: Path | None = typer.Option(
        None, "--gold-file", exists=True, dir_okay=False,
        help="Score your own gold file instead of a corpus: CoNLL/IOB, one 'token<TAB or space>tag' per line, "
             "a blank line between sentences; the labels its tags use are scored.",
    ),
) -> None:
    """Entity-level P/R/F1 (conlleval) of an NER model on a gold corpus split or on your own CoNLL/IOB file."""
    from ..evaluation.ner import evaluate_ner, evaluate_ner_file  # deferred: keeps `fa-relations --help` fast

    if (corpus is None) == (gold_file is None):
        raise typer.BadParameter("give either --corpus or --gold-file", param_hint="--corpus / --gold-file")
    tag_fn, meta = _tag_fn(ner)
    if gold_file is not None:
        report = evaluate_ner_file(tag_fn, gold_file, model_meta=meta, output=output or False)
        name = gold_file.name
    else:
        report = evaluate_ner(tag_fn, corpus.value, split, data, fold, limit=limit, model_meta=meta, output=output)
        name = f"{corpus.value} {report['split']}"
    o = report["overall"]
    typer.echo(f"{name}: P {o['precision']:.2f} R {o['recall']:.2f} F1 {o['f1']:.2f} "
               f"({report['tokens_per_second']:.0f} tokens/s)")
    for lab, s in report["per_label"].items():
        typer.echo(f"  {lab:8s} P {s['precision']:6.2f} R {s['recall']:6.2f} F1 {s['f1']:6.2f} n={s['support']}")
    if report.get("written_to"):
        typer.echo(f"written to {report['written_to']}")
