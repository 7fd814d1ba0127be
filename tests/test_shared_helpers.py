"""The small modules both sides may use: IOB helpers, the look-up key, the TSV reader, the results folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from fa_relations import paths
from fa_relations.iob import repair_iob, spans_from_iob
from fa_relations.resources import read_tsv, read_tsv_records
from fa_relations.text.keys import lookup_key


def test_iob_helpers() -> None:
    assert repair_iob(["O", "I-PER", "I-PER", "I-ORG"]) == ["O", "B-PER", "I-PER", "B-ORG"]
    assert spans_from_iob(["B-PER", "I-PER", "O", "I-LOC"]) == [(0, 2, "PER"), (3, 4, "LOC")]


@pytest.mark.parametrize(
    ("a", "b"),
    [("تل آویو", "تل‌آویو"), ("روسيه", "روسیه"), ("امريكا", "امریکا"), ("مسئول", "مسیول"), ("سَلام", "سلام")],
)
def test_lookup_key_unifies_spellings(a: str, b: str) -> None:
    assert lookup_key(a) == lookup_key(b)


def test_lookup_key_options_are_explicit() -> None:
    assert lookup_key("آمریکا") != lookup_key("امریکا")
    assert lookup_key("آمریکا", fold_hamza=True) == lookup_key("امریکا", fold_hamza=True)
    assert lookup_key("رئیس_جمهور", drop="_") == lookup_key("رئیس جمهور")
    assert lookup_key("آذربایجان-غربی", drop="-") == lookup_key("آذربایجان غربی")


def test_read_tsv_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    f = tmp_path / "x.tsv"
    f.write_text("# comment\n\nname\tiso\n  # indented comment\n ایران \tIR\nقدس\n", encoding="utf-8")
    assert read_tsv(f) == [["name", "iso"], ["ایران", "IR"], ["قدس"]]
    assert read_tsv_records(f) == [{"name": "ایران", "iso": "IR"}, {"name": "قدس", "iso": ""}]


def test_results_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.RESULTS_ENV, str(tmp_path))
    assert paths.results_dir() == tmp_path.resolve()
    monkeypatch.delenv(paths.RESULTS_ENV)
    assert paths.results_dir() == Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    monkeypatch.setattr(paths, "is_source_checkout", lambda: False)  # as installed from a wheel
    monkeypatch.chdir(tmp_path)
    assert paths.results_dir() == tmp_path / "benchmarks" / "results"


def test_doc_extensions_survive_to_bytes() -> None:
    """The text layer's offset map and the relation stage's triples each have their own msgpack codec."""
    from spacy.tokens import Doc

    from fa_relations import extensions  # noqa: F401  (registers doc._.triples)
    from fa_relations.pipeline import blank_nlp
    from fa_relations.schema import Argument, Triple

    nlp = blank_nlp()
    doc = nlp("علي در تهران است.")
    triple = Triple(Argument("علی", 0, 3, "PER"), "located_in", Argument("تهران", 7, 12, "CITY"), confidence=0.5)
    doc._.triples = [triple]
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert copy._.fa_aligned == doc._.fa_aligned and copy._.fa_aligned.original == "علي در تهران است."
    assert copy._.triples == [triple]
    assert copy[0]._.orig_span == (0, 3)
