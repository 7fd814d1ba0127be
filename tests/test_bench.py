"""``fa-relations bench``: the fixed input and a --quick run that writes every section of the report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fa_relations.cli import app
from fa_relations.evaluation.bench import MIN_WORDS, news_documents, word_count

from .conftest import require_datasets

SECTIONS = {"machine", "input", "cold_start", "pipeline", "stages", "scaling", "parallel", "memory", "alternatives",
            "summary"}


def test_input_is_fixed_and_sizes_are_prefixes():
    require_datasets()
    small, large = news_documents(500), news_documents(2_000)
    assert word_count(small) >= 500 and word_count(large) >= 2_000
    assert large[: len(small)] == small  # a larger size starts with the smaller one
    assert news_documents(2_000) == large  # same input on every run
    assert all(len(d.split()) >= MIN_WORDS for d in large)  # no titles or captions alone


def test_quick_bench_writes_every_section(tmp_path):
    require_datasets()
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(app, ["bench", "--quick", "--output", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= SECTIONS
    assert report["machine"]["cores"] and report["machine"]["versions"]["fa_relations"]
    components = report["pipeline"]["components"]
    for size in report["stages"]:
        assert set(size["stages"]) == {"tokenizer", *components, "to_document"}
        assert all(s["words_per_second"] > 0 and s["documents_per_second"] > 0 for s in size["stages"].values())
        assert size["words"] >= size["size"] and size["end_to_end"]["words_per_second"] > 0
    assert [s["size"] for s in report["stages"]] == sorted(s["size"] for s in report["stages"])
    assert {(r["processes"], r["torch_threads"]) for r in report["parallel"]} == {(1, 1), (1, 2), (2, 1)}
    cold = report["cold_start"]
    assert 0 < cold["import_seconds"] <= cold["total_seconds"] and cold["peak_rss_mb"] > 0
    assert report["memory"]["paragraphs"]["peak_rss_mb"] > 0
    assert {"hazm Normalizer + word_tokenize", "parsivar Normalizer + Tokenizer",
            "ParsBERT-sized token classifier"} <= set(report["alternatives"])
    assert report["alternatives"]["ParsBERT-sized token classifier"]["parsbert_size"] is False  # --quick: tiny
    assert report["summary"]["end_to_end_words_per_second"] == report["stages"][-1]["end_to_end"]["words_per_second"]
    assert out.with_suffix(".png").stat().st_size > 10_000
    assert "**end to end**" in result.output


def test_bench_rejects_bad_sizes(tmp_path):
    result = CliRunner().invoke(app, ["bench", "--sizes", "ten", "--output", str(tmp_path / "b.json")])
    assert result.exit_code == 2 and "--sizes" in result.output
