"""``fa-relations evaluate relations``: rule-based triples against the gold set or the seed article."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import typer

from .app import evaluate_app, train_app


class GoldSet(str, Enum):
    dev = "dev"
    test = "test"


class Entities(str, Enum):
    gold = "gold"
    predicted = "predicted"


class Relations(str, Enum):
    rules = "rules"
    model = "model"
    both = "both"


def _print_table(res: dict) -> None:
    typer.echo(f"{'predicate':18s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>4s} {'fp':>4s} {'fn':>4s}")
    for pred, v in res["per_predicate"].items():
        typer.echo(f"{pred:18s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['tp']:4d} {v['fp']:4d} {v['fn']:4d}")
    v = res["overall"]
    typer.echo(f"{'micro overall':18s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['tp']:4d} {v['fp']:4d} {v['fn']:4d}")


@evaluate_app.command("relations")
def evaluate_relations_cmd(
    set_name: GoldSet = typer.Option(GoldSet.dev, "--set", help="Gold split: dev (tune on it) or test (report only)."),
    entities: Entities = typer.Option(Entities.gold, "--entities", help="gold: oracle entities from the gold file; predicted: the full pipeline fa_relations.load()."),
    data: Path | None = typer.Option(None, "--data", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets)."),
    gold: Path | None = typer.Option(None, "--gold", help="Folder of gold_*.jsonl (default: data/relations)."),
    gold_file: Path | None = typer.Option(
        None, "--gold-file", exists=True, dir_okay=False,
        help="Score your own gold file instead: JSON Lines of SCHEMA records with text, entities and triples "
             "(as Document.to_dict() writes them); --entities gold runs the relation stage on its entities.",
    ),
    seed: bool = typer.Option(False, "--seed", help="Score the seed article (core recall, precision) instead of the gold set."),
    examples: Path | None = typer.Option(None, "--examples", help="Folder of seed_article.txt + seed_gold.jsonl (default: ../shared/examples)."),
    errors: Path | None = typer.Option(None, "--errors", help="Write the mismatching sentences (JSON) here."),
    output_dir: Path | None = typer.Option(None, "--output-dir", help="Where to write the JSON (default benchmarks/results)."),
    old_spelling: bool = typer.Option(False, "--old-spelling", help="Rewrite each sentence with Arabic ي/ك and no ZWNJ first (offsets kept), as old news archives are written."),
    relations: Relations = typer.Option(Relations.rules, "--relations", help="rules, model (the trained classifier for entity pairs, rules for says) or both."),
    relation_model: Path | None = typer.Option(None, "--relation-model", help="Classifier folder from 'fa-relations train relations' (default models/relations)."),
) -> None:
    """Per-predicate precision, recall and F1 of the relation rules on the gold set (or --gold-file, your own);
    writes benchmarks/results/relations_<set>_<entities>.json (relations_file_<name>_<entities>.json)."""
    from ..evaluation.relations import (  # deferred: keeps `fa-relations --help` fast
        evaluate_relations,
        evaluate_relations_file,
        evaluate_seed,
        write_result,
    )

    tag = "" if relations is Relations.rules else f"_{relations.value}"
    if seed:
        res = evaluate_seed(entities.value, examples, relations=relations.value)
        path = write_result(res, f"relations_seed_{entities.value}{tag}.json", output_dir)
        typer.echo(json.dumps({k: v for k, v in res.items() if not isinstance(v, list)}, ensure_ascii=False))
        for k in ("missed_core", "not_in_gold", "resolved_not_in_gold"):
            for line in res[k]:
                typer.echo(f"  {k}: {line}")
        typer.echo(f"written {path}")
        return
    errs: list | None = [] if errors else None
    if gold_file is not None:
        res = evaluate_relations_file(gold_file, entities.value, errors=errs, relations=relations.value,
                                      relation_model=relation_model)
        name, unit = f"relations_file_{gold_file.stem}_{entities.value}{tag}.json", "records"
    else:
        res = evaluate_relations(set_name.value, entities.value, data=data, gold_folder=gold, errors=errs,
                                 old_spelling=old_spelling, relations=relations.value, relation_model=relation_model)
        suffix = ("_old_spelling" if old_spelling else "") + tag
        name, unit = f"relations_{set_name.value}_{entities.value}{suffix}.json", "sentences"
    _print_table(res)
    path = write_result(res, name, output_dir)
    if errors and errs is not None:
        errors.write_text(json.dumps(errs, ensure_ascii=False, indent=1), encoding="utf-8")
    typer.echo(f"{res['sentences']} {unit}, {res['seconds']} s; written {path}")


@evaluate_app.command("relation-agreement")
def relation_agreement_cmd(
    second: Path | None = typer.Option(None, "--second", help="The second pass (default data/relations/agreement/second_pass.jsonl)."),
    first: list[Path] | None = typer.Option(None, "--first", help="First-pass files (default data/relations/train_*.jsonl)."),
    data: Path | None = typer.Option(None, "--data", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets)."),
    output_dir: Path | None = typer.Option(None, "--output-dir", help="Where to write the JSON (default benchmarks/results)."),
) -> None:
    """Inter-annotator agreement: triple-level F1 between two independent annotation passes of the same sentences."""
    from ..evaluation.relation_agreement import default_passes, relation_agreement  # deferred: fast --help
    from ..evaluation.relations import write_result
    from ..paths import data_dir

    default_first, default_second = default_passes(data_dir() / "relations")
    res = relation_agreement(first or default_first, second or default_second, str(data) if data else None)
    _print_table(res)
    path = write_result(res, "relation_agreement.json", output_dir)
    typer.echo(f"{res['sentences']} sentences in both passes ({res['both_without_relations']} without relations in "
               f"either), triple F1 {res['triple_f1']:.3f}; written {path}")


@train_app.command("relations")
def train_relations_cmd(
    data_files: list[Path] | None = typer.Option(None, "--data", help="Train files (default data/relations/train_*.jsonl)."),
    output: Path | None = typer.Option(None, "--output", help="Model folder (default models/relations)."),
    config: Path | None = typer.Option(None, "--config", help="Training config (default configs/relation_classifier.cfg)."),
    corpora: Path | None = typer.Option(None, "--corpora", help="Folder of the corpora (default: $FA_RELATIONS_DATA or ../shared/datasets)."),
) -> None:
    """Train the relation classifier (fa_relation_classifier) on the hand-read train set, fixed seed; epochs and
    thresholds on held-out folds of the train articles; the gold dev scores go to the model's meta.json."""
    from ..training.relation_classifier import (  # deferred: fast --help
        default_output,
        default_train_files,
        read_config,
        train,
    )

    meta = train(data_files or default_train_files(), output or default_output(), read_config(config),
                 str(corpora) if corpora else None, progress=typer.echo)
    cv, dev = meta["cross_validation"], meta["dev_gold_entities"]
    typer.echo(f"{meta['training_sentences']} sentences, {meta['training_relations']} pair relations; "
               f"{meta['epochs']} epochs, threshold {meta['threshold']}, per predicate {meta['predicate_thresholds']}; "
               f"default mode {meta['default_mode']}")
    for name, block in (("held-out train articles", cv), ("dev, gold entities", dev)):
        r, b = block["rules"], block["rules+model"] or block["rules"]
        typer.echo(f"{name}: rules P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}; rules + model "
                   f"P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f}")
    typer.echo(f"written {output or default_output()}")
