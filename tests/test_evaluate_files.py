"""`fa-relations evaluate ner|relations --gold-file`: a user's own gold file scored with the library's scorers
(issue 16, item 5), and the NER error analysis the notebooks use.

The gold files are ours (data/examples/, sentences written and annotated by hand for these tests), not corpus text.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fa_relations.evaluation.ner import evaluate_ner_file
from fa_relations.evaluation.ner_errors import entity_errors, error_counts, token_confusion
from fa_relations.evaluation.relations import evaluate_relations_file, read_gold_documents
from fa_relations.paths import data_dir
from fa_relations.training.datasets import read_conll

EXAMPLES = data_dir() / "examples"
NER_GOLD = EXAMPLES / "gold_ner.conll"
REL_GOLD = EXAMPLES / "gold_relations.jsonl"


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, FA_RELATIONS_RESULTS=str(tmp_path / "results"), COLUMNS="250")  # usage errors on one line
    return subprocess.run([sys.executable, "-m", "fa_relations", *args], capture_output=True, text=True, timeout=600,
                          env=env, cwd=tmp_path)


# --------------------------------------------------------------------------- NER


def test_read_conll_accepts_tabs_spaces_underscores_comments_and_iob1(tmp_path: Path):
    f = tmp_path / "g.conll"
    f.write_text("-DOCSTART- O\n\n# sent_id = 1 x\nعلی\tB-PER\nرضایی I_PER\nآمد _ _ O\n\n\nتهران I-LOC\n# O\n",
                 encoding="utf-8")
    s = read_conll(f)
    assert [x.words for x in s] == [["علی", "رضایی", "آمد"], ["تهران", "#"]]
    assert [x.tags for x in s] == [["B-PER", "I-PER", "O"], ["B-LOC", "O"]]  # a leading I- is repaired to B-
    f.write_text("علی PERSON\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.conll:1"):
        read_conll(f)


def _perturbed(gold_by_words: dict[tuple[str, ...], list[str]]):
    """A deliberately imperfect tagger over the example file: gold tags, except that it misses the first
    LOC («ایران» of sentence 1) and calls «برلین» an ORG."""
    def tag(words: list[str]) -> list[str]:
        tags = list(gold_by_words[tuple(words)])
        if words[0] == "حسن":
            tags[words.index("ایران")] = "O"
        if "برلین" in words:
            tags[words.index("برلین")] = "B-ORG"
        return tags
    return tag


def test_ner_gold_file_scores_an_imperfect_prediction_by_hand():
    gold = {tuple(s.words): s.tags for s in read_conll(NER_GOLD)}
    # the file, read by hand: 4 PER, 7 LOC, 1 ORG in 5 sentences
    predictions: list[dict] = []
    r = evaluate_ner_file(_perturbed(gold), NER_GOLD, predictions=predictions)
    assert r["sentences"] == 5 and r["scored_labels"] == ["LOC", "ORG", "PER"]
    loc, org, per = (r["per_label"][k] for k in ("LOC", "ORG", "PER"))
    assert (loc["support"], loc["predicted"], loc["correct"]) == (7, 5, 5)   # one missed, one relabelled
    assert (org["support"], org["predicted"], org["correct"]) == (1, 2, 1)   # the relabelled «برلین»
    assert (per["precision"], per["recall"]) == (100.0, 100.0)
    o = r["overall"]
    assert (o["correct"], o["predicted"], o["support"]) == (10, 11, 12)
    assert (o["precision"], o["recall"], o["f1"]) == (90.91, 83.33, 86.96)
    tag_one = _perturbed(gold)
    batched = evaluate_ner_file(lambda batch: [tag_one(w) for w in batch], NER_GOLD, batch_size=2)
    assert (batched["overall"], batched["per_label"]) == (r["overall"], r["per_label"])
    counts = error_counts(((p["gold"], p["pred"]) for p in predictions), r["scored_labels"])
    assert {k: dict(v) for k, v in counts.items()} == {
        "missed": {"LOC": 1}, "spurious": {}, "wrong_label": {"LOC": 1}, "boundary": {}}


def test_entity_errors_kinds_and_token_confusion():
    gold = ["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O", "O"]
    pred = ["B-PER", "O", "O", "B-ORG", "O", "O", "O", "B-LOC", "B-DATE"]
    errs = entity_errors(gold, pred, labels={"PER", "LOC", "ORG"})  # DATE is not scored: not spurious
    assert [(e["kind"], e["gold"], e["pred"]) for e in errs] == [
        ("boundary", (0, 2, "PER"), [(0, 1, "PER")]),
        ("wrong_label", (3, 4, "LOC"), [(3, 4, "ORG")]),
        ("missed", (5, 7, "ORG"), []),
        ("spurious", None, [(7, 8, "LOC")]),
    ]
    names, m = token_confusion([(gold, pred)], labels={"PER", "LOC", "ORG"})
    assert names == ["LOC", "ORG", "PER", "O"]
    cell = {(g, p): m[i][j] for i, g in enumerate(names) for j, p in enumerate(names)}
    assert cell[("PER", "PER")] == 1 and cell[("PER", "O")] == 1 and cell[("LOC", "ORG")] == 1
    assert cell[("ORG", "O")] == 2 and cell[("O", "LOC")] == 1 and cell[("O", "O")] == 3
    assert sum(map(sum, m)) == len(gold)


def test_cli_evaluate_ner_gold_file_with_the_built_in_model(tmp_path: Path):
    out = tmp_path / "report.json"
    r = _cli("evaluate", "ner", "--gold-file", str(NER_GOLD), "--output", str(out), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["gold_file"] == str(NER_GOLD) and report["sentences"] == 5
    assert report["per_label"]["PER"]["support"] == 4 and report["per_label"]["LOC"]["support"] == 7
    # the four well-known full names are found exactly; the model is not perfect on the rest, but good
    assert report["per_label"]["PER"]["correct"] == 4
    assert 60 <= report["overall"]["f1"] < 100
    assert f"F1 {report['overall']['f1']:.2f}" in r.stdout and "PER" in r.stdout
    bad = _cli("evaluate", "ner", "--corpus", "peyma", "--gold-file", str(NER_GOLD), tmp_path=tmp_path)
    assert bad.returncode != 0 and "either --corpus or --gold-file" in bad.stderr


# --------------------------------------------------------------------------- relations


def _write(records: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_relations_gold_file_counts_and_perturbations(tmp_path: Path):
    records = list(read_gold_documents(REL_GOLD))
    n_gold = sum(len(r["triples"]) for r in records)
    base = evaluate_relations_file(REL_GOLD, "gold")
    assert base["sentences"] == len(records) == 4
    o = base["overall"]
    assert o["support"] == n_gold == 7 and o["tp"] + o["fn"] == n_gold
    # simple, clearly stated relations the rules are made for: found with the gold entities
    for pred in ("visits", "meets", "says"):
        assert base["per_predicate"][pred]["tp"] == 1, (pred, base["per_predicate"][pred])

    # a symmetric predicate written object-first still matches
    swapped = json.loads(json.dumps(records))
    t = swapped[1]["triples"][0]
    assert t["predicate"] == "meets"
    t["subject"], t["object"] = t["object"], t["subject"]
    assert evaluate_relations_file(_write(swapped, tmp_path / "swapped.jsonl"), "gold")["overall"] == o

    # a gold triple with another predicate: one true positive becomes a false positive and a miss
    changed = json.loads(json.dumps(records))
    assert changed[0]["triples"][1]["predicate"] == "visits"
    changed[0]["triples"][1]["predicate"] = "located_in"
    res = evaluate_relations_file(_write(changed, tmp_path / "changed.jsonl"), "gold")
    v, li = res["per_predicate"]["visits"], res["per_predicate"]["located_in"]
    assert (v["tp"], v["fp"], v["fn"]) == (0, 1, 0) and (li["tp"], li["fp"], li["fn"]) == (0, 0, 1)
    assert res["overall"]["tp"] == o["tp"] - 1


def test_cli_evaluate_relations_gold_file_predicted_entities(tmp_path: Path):
    errors = tmp_path / "errors.json"
    r = _cli("evaluate", "relations", "--gold-file", str(REL_GOLD), "--entities", "predicted",
             "--output-dir", str(tmp_path), "--errors", str(errors), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((tmp_path / "relations_file_gold_relations_predicted.json").read_text(encoding="utf-8"))
    assert res["entities"] == "predicted" and res["sentences"] == 4 and res["overall"]["support"] == 7
    assert "micro overall" in r.stdout and "4 records" in r.stdout
    o = res["overall"]
    # every mismatching record is in the errors file, with exactly the misses and false alarms counted
    errs = json.loads(errors.read_text(encoding="utf-8"))
    assert sum(len(e["fn"]) for e in errs) == o["fn"] and sum(len(e["fp"]) for e in errs) == o["fp"]
    assert all(e["id"].startswith("ex") for e in errs)
