"""Stand-off relation training data (issue #12): sentence keys, candidates, validation."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from fa_relations.paths import data_dir
from fa_relations.training.relation_data import candidates, news_records, sentence_text, validate

from .conftest import require_datasets


def test_news_sentences_are_spans_of_the_raw_record():
    require_datasets()
    got = list(candidates("news_mixed", "radiofarda_rss_2020.json", 0, 5))
    assert got and all(c["text"].strip() for c in got)
    for c in got:
        raw = news_records(c["file"])[c["record"]][c["field"]]
        assert raw[c["start"]:c["end"]] == c["text"] == sentence_text(c)
    # consecutive sentences of one field do not overlap and cover its words
    first = [c for c in got if c["record"] == got[0]["record"] and c["field"] == got[0]["field"]]
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(first))


def test_corpus_candidates_pass_the_guideline_filter():
    require_datasets()
    got = list(candidates("peyma", "train", 0, 20))
    assert len(got) == 20
    for c in got:
        actors = [e for e in c["corpus_entities"] if e["label"] in ("PER", "ORG", "LOC")]
        assert len(actors) >= 2 or (len(actors) == 1 and any(w in c["text"] for w in ("گفت", "«", "اعلام", "افزود")))
        assert all(c["text"][e["start"]:e["end"]] == e["text"] for e in c["corpus_entities"])


def test_validate_accepts_the_gold_files_and_names_broken_records(tmp_path: Path):
    require_datasets()
    n, problems, counts = validate(data_dir() / "relations" / "gold_arman.jsonl")
    assert n > 400 and counts["says"] > 50
    assert all("not allowed by SCHEMA" in p for p in problems)  # only type slips, never broken offsets
    c = next(candidates("news_mixed", "radiofarda_rss_2020.json", 0, 1))
    bad = {k: c[k] for k in ("corpus", "file", "record", "field", "start", "end")} | {
        "set": "train",
        "entities": [{"id": "e0", "start": 0, "end": 10_000, "label": "PER"},
                     {"id": "e1", "start": 0, "end": 2, "label": "COUNTRY"}],
        "relations": [{"subject": "e1", "predicate": "member_of", "object": "e0", "attributes": {}},
                      {"subject": "e0", "predicate": "likes", "object": "e1", "attributes": {}}],
    }
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    _, problems, _ = validate(path)
    text = " | ".join(problems)
    assert "outside the text" in text and "not allowed by SCHEMA" in text and "unknown predicate" in text


def test_agreement_is_one_with_itself_and_drops_with_a_changed_pass(tmp_path: Path):
    from fa_relations.evaluation.relation_agreement import relation_agreement

    require_datasets()
    gold = data_dir() / "relations" / "gold_peyma.jsonl"
    recs = [json.loads(x) for x in gold.read_text(encoding="utf-8").splitlines() if x.strip()][:60]
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    same = relation_agreement([first], first)
    assert same["sentences"] == 60 and same["triple_f1"] == 1.0
    n_rel = same["first_pass_triples"]
    changed = [dict(r, relations=r["relations"][1:]) for r in recs]  # the second pass drops one triple per sentence
    dropped = sum(1 for r in recs if r["relations"])
    second = tmp_path / "second.jsonl"
    second.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in changed), encoding="utf-8")
    res = relation_agreement([first], second)
    assert res["overall"]["fn"] == dropped and res["overall"]["fp"] == 0
    assert res["second_pass_triples"] == n_rel - dropped and res["triple_f1"] < 1.0
