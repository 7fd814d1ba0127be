"""PERLEX (issue #12, part 4): the reader, the official scorer, the shipped marked-pair classifier."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy
import pytest
from typer.testing import CliRunner

from fa_relations.cli import app
from fa_relations.evaluation.perlex import (
    LABELS,
    RELATION_TYPES,
    official_score,
    perlex_dir,
    perlex_docs,
    read_answers,
    read_perlex,
    write_answers,
)
from fa_relations.paths import models_dir
from fa_relations.pipeline import blank_nlp
from fa_relations.relation_classifier.features import MARKED_PAIR_KEY
from fa_relations.relation_classifier.marked import load_pair_classifier, marked_doc, parse_marked
from fa_relations.training.perlex import PerlexConfig, examples, fit, new_classifier

from .conftest import require_datasets

MODEL = models_dir() / "perlex"


# ---------------------------------------------------------------- reading the tags (text written here)
def test_parse_marked_strips_tags_and_edge_spaces():
    text, e1, e2, repeated = parse_marked("<e1>باد </e1>باعث <e2>خرابی </e2>شد .")
    assert "<" not in text and text[e1[0]:e1[1]] == "باد" and text[e2[0]:e2[1]] == "خرابی" and repeated == 0


def test_parse_marked_reads_overlapping_and_nested_tags():
    text, e1, e2, _ = parse_marked("<e2>انجمن <e1></e2>شهر ، </e1>بزرگ است .")
    assert text[e2[0]:e2[1]] == "انجمن" and text[e1[0]:e1[1]] == "شهر ،"
    text, e1, e2, _ = parse_marked("<e1>دسته <e2>گل </e2></e1>زیبا")
    assert text[e1[0]:e1[1]] == "دسته گل" and text[e2[0]:e2[1]] == "گل"


def test_parse_marked_keeps_the_nearest_of_repeated_marks_and_refuses_broken_ones():
    text, e1, e2, repeated = parse_marked("<e1>سیب </e1>را از <e2>باغ </e2>آوردند و <e1>سیب </e1>خوب بود")
    assert repeated == 1 and e1[0] == 0 and text[e2[0]:e2[1]] == "باغ"
    assert parse_marked("<e1>سیب </e1>را از باغ آوردند") is None       # no e2
    assert parse_marked("<e1>سیب را از <e2>باغ </e2>آوردند") is None     # e1 never closed
    assert parse_marked("<e1> </e1>را از <e2>باغ </e2>آوردند") is None   # empty argument
    with pytest.raises(ValueError):
        marked_doc(blank_nlp(), "بدون نشانه")


# ---------------------------------------------------------------- the official score on hand-made keys
def test_official_score_needs_the_direction_and_leaves_other_out():
    gold = {"1": "Cause-Effect(e1,e2)", "2": "Cause-Effect(e2,e1)", "3": "Other", "4": "Other",
            "5": "Message-Topic(e1,e2)"}
    pred = {"1": "Cause-Effect(e1,e2)", "2": "Cause-Effect(e1,e2)", "3": "Other",
            "4": "Message-Topic(e1,e2)", "5": "Message-Topic(e1,e2)"}
    res = official_score(gold, pred)
    ce, mt = res["per_relation"]["Cause-Effect"], res["per_relation"]["Message-Topic"]
    # Cause-Effect: 2 predicted, 1 right (2 has the wrong direction); 2 gold → P = R = 0.5
    assert (ce["tp"], ce["predicted"], ce["gold"], ce["f1"]) == (1, 2, 2, 0.5)
    # Message-Topic: 2 predicted (one on an Other pair), 1 gold, 1 right → P 0.5, R 1, F1 2/3
    assert (mt["precision"], mt["recall"], mt["f1"]) == (0.5, 1.0, 0.6667)
    # macro over all 9 types, Other not among them; the 7 types never seen have F1 0
    assert "Other" not in res["per_relation"] and len(res["per_relation"]) == 9
    assert res["macro_f1"] == pytest.approx(100 * (0.5 + 2 / 3) / 9, abs=0.01)
    assert res["confusion"] == {"Cause-Effect(e2,e1) -> Cause-Effect(e1,e2)": 1, "Other -> Message-Topic(e1,e2)": 1}


def test_official_score_is_100_when_every_relation_is_right_and_a_missing_answer_is_other():
    gold = {str(i): f"{r}(e1,e2)" for i, r in enumerate(RELATION_TYPES)} | {"x": "Other"}
    assert official_score(gold, dict(gold))["macro_f1"] == 100.0
    without = {k: v for k, v in gold.items() if k != "0"}
    res = official_score(gold, without)
    assert res["per_relation"][RELATION_TYPES[0]]["recall"] == 0.0 and res["accuracy"] == pytest.approx(9 / 10)


def test_answer_file_round_trip(tmp_path):
    answers = {"8002": "Other", "8001": "Cause-Effect(e2,e1)"}
    path = write_answers(tmp_path / "answers.txt", answers)
    assert path.read_text(encoding="utf-8") == "8001\tCause-Effect(e2,e1)\n8002\tOther\n"
    assert read_answers(path) == answers


# ---------------------------------------------------------------- the real files
@pytest.fixture(scope="module")
def perlex() -> Path:
    return require_shared_perlex()


def require_shared_perlex() -> Path:
    require_datasets()
    folder = perlex_dir()
    assert (folder / "train.txt").is_file() and (folder / "test.txt").is_file(), f"no PERLEX in {folder}"
    return folder


def test_reader_reads_every_sentence_of_both_files(perlex):
    nlp = blank_nlp()
    for name, size in (("train", 8000), ("test", 2717)):
        items, unreadable = read_perlex(perlex / f"{name}.txt")
        assert unreadable == [] and len(items) == size and len({it.id for it in items}) == size
        counts = Counter(it.label for it in items)
        assert set(counts) <= set(LABELS) and counts["Other"] > size // 10
        for it in items:
            assert "<e" not in it.text and "</e" not in it.text
            for s, e in (it.e1, it.e2):
                assert 0 <= s < e <= len(it.text) and it.text[s:e].strip() == it.text[s:e]
        docs, _, failed = perlex_docs(nlp, items)
        assert failed == [] and len(docs) == size
        assert all(len(d.spans[MARKED_PAIR_KEY]) == 2 for d in docs)
    assert len(Counter(it.label for it in read_perlex(perlex / "train.txt")[0])) == 19


def test_a_marked_pair_classifier_learns_from_a_slice_of_train(perlex):
    """The generalised component with the sparse architecture: 19 labels, one marked pair per doc."""
    items, _ = read_perlex(perlex / "train.txt")
    nlp = blank_nlp()
    docs, items, _ = perlex_docs(nlp, items[:1500])
    cfg = PerlexConfig(architecture="sparse", epochs=2, learn_rate=0.01, batch_size=16, length=2**16)
    clf = new_classifier(nlp, cfg)
    assert clf.labels == LABELS and clf.candidate_source == "marked_pair"
    result = fit(clf, examples(docs[:1200], items[:1200]), docs[1200:], items[1200:], cfg)
    assert result["dev_macro_f1"] > 20  # a random guess over 19 labels scores about 5
    out = nlp(docs[1200])._.pair_relation
    assert out["label"] in LABELS and 0 < out["confidence"] <= 1


# ---------------------------------------------------------------- the shipped model
@pytest.fixture(scope="module")
def shipped():
    assert (MODEL / "manifest.json").is_file(), "models/perlex is missing"
    return load_pair_classifier()


def test_shipped_model_is_small_and_documents_its_data(shipped):
    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    assert "PARSBERT-RE@414aead" in meta["training_data"]["source"] and "licence" in meta["training_data"]
    assert meta["dev_macro_f1"] > 65 and meta["test_macro_f1"] > 65
    assert sum(p.stat().st_size for p in MODEL.iterdir()) < 25 * 2**20
    assert not [p for p in MODEL.iterdir() if p.suffix in (".pt", ".pkl", ".bin")]
    doc = shipped(marked_doc(shipped, "<e1>باد </e1>شدید باعث <e2>خرابی </e2>خانه‌ها شد ."))
    assert doc._.pair_relation["label"] in LABELS


def test_evaluate_perlex_scores_test_above_65_in_well_under_a_minute(perlex, tmp_path):
    answers = tmp_path / "answers.txt"
    run = CliRunner().invoke(app, ["evaluate", "perlex", "--data", str(perlex), "--predictions", str(answers),
                                   "--output-dir", str(tmp_path)])
    assert run.exit_code == 0, run.output
    res = json.loads((tmp_path / "perlex_test.json").read_text(encoding="utf-8"))
    assert res["macro_f1"] > 65 and res["seconds"] < 30 and res["sentences"] == 2717
    lines = answers.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2717 and all(line.split("\t")[1] in LABELS for line in lines)
    # the printed figure is the official score of the written answers
    items, _ = read_perlex(perlex / "test.txt")
    again = official_score({it.id: it.label for it in items}, read_answers(answers))
    assert again["macro_f1"] == res["macro_f1"] and f"{res['macro_f1']:.2f}" in run.output


def test_to_disk_from_disk_gives_identical_predictions(shipped, perlex, tmp_path):
    items, _ = read_perlex(perlex / "test.txt")
    docs, _, _ = perlex_docs(shipped, items[:300])
    clf = shipped.get_pipe("fa_relation_classifier")
    _, before = clf.predict(docs)
    clf.to_disk(tmp_path / "copy", exclude=["vocab"])
    again = load_pair_classifier(tmp_path / "copy").get_pipe("fa_relation_classifier")
    assert again.cfg == clf.cfg
    _, after = again.predict(docs)
    assert numpy.array_equal(before, after)
