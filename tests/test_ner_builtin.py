"""The shipped built-in NER model: loads, tags sensibly, scores on a PEYMA dev slice."""

from __future__ import annotations

import pytest

from fa_relations.ner.base import SequenceTagger
from fa_relations.ner.features import canonical_word
from fa_relations.ner.tagger import BuiltinTagger, load_builtin_tagger
from fa_relations.paths import models_dir

from .conftest import require_datasets


@pytest.fixture(scope="module")
def tagger() -> BuiltinTagger:
    path = models_dir() / "ner"
    assert (path / "weights.safetensors").is_file(), f"shipped NER model missing at {path}"
    return load_builtin_tagger()


def _entities(words, tags):
    from fa_relations.iob import spans_from_iob

    return [(" ".join(words[s:e]), lab) for s, e, lab in spans_from_iob(tags)]


def test_implements_protocol(tagger):
    assert isinstance(tagger, SequenceTagger)
    assert {"PER", "ORG", "LOC"} <= set(tagger.labels)


def test_person_and_country(tagger):
    words = ["حسن", "روحانی", "رئیس", "جمهور", "ایران", "روز", "دوشنبه", "به", "ژاپن", "سفر", "کرد", "."]
    tags = tagger.tag_batch([words])[0]
    assert len(tags) == len(words)
    ents = _entities(words, tags)
    assert ("حسن روحانی", "PER") in ents
    assert ("ایران", "LOC") in ents
    assert ("ژاپن", "LOC") in ents


def test_organisation(tagger):
    words = ["سازمان", "ملل", "متحد", "از", "این", "تصمیم", "انتقاد", "کرد", "."]
    ents = _entities(words, tagger.tag_batch([words])[0])
    assert any(lab == "ORG" and "ملل" in text for text, lab in ents)


def test_raw_variants_tag_like_canonical(tagger):
    canonical = ["علی", "دایی", "در", "تهران", "زندگی", "می\u200cکند"]
    raw = ["علي", "دايي", "در", "تهران", "زندگي", "ميکند"]  # Arabic yeh, no ZWNJ
    assert canonical_word("ميکند") == canonical_word("می‌کند")
    assert tagger.tag_batch([raw])[0] == tagger.tag_batch([canonical])[0]


def test_lengths_empty_and_odd_words(tagger):
    batch = [[], ["x"], ["", "  ", "\u200c", "۱۴۰۲", "2023", "😀", "a" * 300, "؟"], ["تهران"]]
    out = tagger.tag_batch(batch)
    assert [len(t) for t in out] == [len(s) for s in batch]
    assert tagger.tag_batch([]) == []
    valid = {"O"} | {f"{p}-{lab}" for lab in tagger.labels for p in "BI"}
    assert all(t in valid for tags in out for t in tags)


def test_save_load_roundtrip(tagger, tmp_path):
    tagger.save(tmp_path / "m")
    again = BuiltinTagger.load(tmp_path / "m")
    words = ["محمد", "جواد", "ظریف", "وزیر", "امور", "خارجه", "ایران", "به", "مسکو", "رفت", "."]
    assert again.tag_batch([words]) == tagger.tag_batch([words])


@pytest.mark.datasets
def test_peyma_dev_slice(tagger):
    from fa_relations.evaluation.ner import evaluate_ner

    data = require_datasets()
    report = evaluate_ner(tagger.tag, "peyma", "dev", data, limit=120, output=False)
    assert report["sentences"] == 120
    assert report["scored_labels"] == ["DATE", "LOC", "MONEY", "ORG", "PER", "PERCENT", "TIME"]
    assert report["overall"]["f1"] > 65.0, report["overall"]


def test_train_cli_sets_architecture(monkeypatch, tmp_path):
    """`fa-relations train ner --hidden/--lstm-layers` reach TrainConfig.arch (training itself is stubbed)."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import fa_relations.training.ner as train_mod
    from fa_relations.cli import app

    seen = {}

    def fake_train(data, output, cfg):
        seen["cfg"] = cfg
        return SimpleNamespace(meta={})

    monkeypatch.setattr(train_mod, "train_tagger", fake_train)
    args = ["train", "ner", "--output", str(tmp_path / "m"), "--hidden", "256", "--lstm-layers", "2", "--threads", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cfg = seen["cfg"]
    assert (cfg.arch.hidden, cfg.arch.lstm_layers, cfg.threads) == (256, 2, 1)
