"""Saved pipelines carry their own settings and resources (issue #11)."""

from __future__ import annotations

from pathlib import Path

import fa_relations
from fa_relations.text import NormalizerConfig
from fa_relations.text.spacy_tokenizer import SETTINGS_FILE, ZWNJ_FILE, PersianTokenizer

TEXT = "رئيسجمهوري ميروند"


def test_normaliser_settings_reach_the_tokenizer_and_are_saved(tmp_path: Path):
    plain = fa_relations.load(ner=False, normalizer=NormalizerConfig(restore_zwnj=False))
    assert [t.norm for t in plain(TEXT).tokens] == ["رئیسجمهوری", "میروند"]
    plain.save(tmp_path / "plain")
    cfg = (tmp_path / "plain" / "config.cfg").read_text(encoding="utf-8")
    assert "[nlp.tokenizer.normalizer]" in cfg and "restore_zwnj = false" in cfg
    again = fa_relations.load(tmp_path / "plain")
    assert again(TEXT).tokens == plain(TEXT).tokens
    # the default restores ZWNJ, and its saved copy does too
    default = fa_relations.load(ner=False)
    assert [t.norm for t in default(TEXT).tokens] == ["رئیس\u200cجمهوری", "می\u200cروند"]


def test_the_zwnj_lexicon_travels_with_the_pipeline_and_edits_take_effect(tmp_path: Path):
    nlp = fa_relations.load(ner=False)
    nlp.save(tmp_path / "p")
    folder = tmp_path / "p" / "tokenizer"
    assert (folder / SETTINGS_FILE).exists() and (folder / ZWNJ_FILE).stat().st_size > 100_000
    word = "نیکپیمانه"  # a made-up word: a lexicon line added to the saved pipeline decides its spelling there only
    before = fa_relations.load(tmp_path / "p")(word).tokens[0].norm
    with open(folder / ZWNJ_FILE, "a", encoding="utf-8") as fh:
        fh.write(f"{word}\tنیک\u200cپیمانه\t1000\t0\n")
    after = fa_relations.load(tmp_path / "p")(word).tokens[0].norm
    assert before == word and after == "نیک\u200cپیمانه"
    assert nlp(word).tokens[0].norm == before  # the built-in pipeline is untouched


def test_tokenizer_bytes_round_trip_and_legacy_marker():
    nlp = fa_relations.load(ner=False, normalizer=NormalizerConfig(digits="latin"))
    data = nlp.nlp.tokenizer.to_bytes()
    other = PersianTokenizer(nlp.nlp.vocab).from_bytes(data)
    assert other.settings == nlp.nlp.tokenizer.settings and other.settings["digits"] == "latin"
    assert [t.text for t in other("سال ۱۴۰۲")] == [t.text for t in nlp.nlp.tokenizer("سال ۱۴۰۲")]
    legacy = PersianTokenizer(nlp.nlp.vocab)
    assert legacy.from_bytes(b"fa_relations.PersianTokenizer") is legacy
