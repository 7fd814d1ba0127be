"""The seed article end to end through the command line, checked against its hand annotation."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fa_relations.cli import app

from .conftest import SHARED


def _core_triples() -> set[tuple[str, str, str]]:
    triples = set()
    with open(SHARED / "examples" / "seed_gold.jsonl", encoding="utf-8") as fh:
        for line in fh:
            for t in json.loads(line)["triples"]:
                if t.get("core"):
                    triples.add((t["subject"]["text"], t["predicate"], t["object"]["text"].rstrip(".")))
    return triples


def test_seed_article_through_the_cli(tmp_path, seed_article: str) -> None:
    out = tmp_path / "seed.jsonl"
    result = CliRunner().invoke(app, ["extract", str(SHARED / "examples" / "seed_article.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    doc = records[0]
    assert doc["text"] == seed_article
    assert doc["meta"]["version"]
    for ent in doc["entities"]:
        assert seed_article[ent["start"]:ent["end"]] == ent["text"]
    labels = {e["label"] for e in doc["entities"]}
    assert {"PER", "COUNTRY", "CITY"} <= labels
    emitted = set()
    for t in doc["triples"]:
        for arg in (t["subject"], t["object"]):
            assert seed_article[arg["start"]:arg["end"]] == arg["text"]
        emitted.add((t["subject"]["text"], t["predicate"], t["object"]["text"].rstrip(".")))
        if t["predicate"] in ("meets", "cooperates_with", "conflict_with", "borders"):
            emitted.add((t["object"]["text"], t["predicate"], t["subject"]["text"]))
    missing = _core_triples() - emitted
    assert not missing, f"core triples of seed_gold.jsonl not extracted: {sorted(missing)}"
