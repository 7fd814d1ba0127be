"""Saved pipelines carry their own settings and resources (issue #11)."""

from __future__ import annotations

import shutil
from pathlib import Path

import fa_relations
from fa_relations.pipeline import blank_nlp
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


def test_ner_model_is_saved_with_the_pipeline_and_settings_arrive(tmp_path: Path):
    from fa_relations.ner.component import MODEL_FOLDER

    nlp = fa_relations.load()
    text = "اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل، وارد باکو شد."
    nlp.save(tmp_path / "p")
    assert (tmp_path / "p" / "fa_ner" / MODEL_FOLDER / "vocab.json").exists()
    assert (tmp_path / "p" / "fa_entity_typer" / "gazetteers" / "countries.tsv").exists()
    again = fa_relations.load(tmp_path / "p")
    assert again(text).to_json() == nlp(text).to_json()
    assert again.meta == nlp.meta  # the documents' meta.model does not depend on where the folder lies


def test_transformers_checkpoint_travels_with_the_pipeline(tmp_path: Path):
    from .test_transformers_backend import PEYMA, make_checkpoint

    ckpt = make_checkpoint(tmp_path / "ckpt", PEYMA)
    nlp = fa_relations.load(ner=ckpt, device="cpu")
    nlp.nlp.get_pipe("fa_ner").tagger.batch_size = 3  # a setting that must survive the round trip
    text = "علی رضایی دیروز به تهران سفر کرد. علیرضا در تهران است."
    nlp.save(tmp_path / "p")
    shutil.rmtree(ckpt)  # the saved pipeline must not need the original checkpoint
    saved = list((tmp_path / "p" / "fa_ner" / "model").iterdir())
    assert any(p.suffix == ".safetensors" for p in saved) and not any(p.suffix in (".bin", ".pt") for p in saved)
    again = fa_relations.load(tmp_path / "p")
    assert again(text).to_json() == nlp(text).to_json()
    assert again.nlp.get_pipe("fa_ner").tagger.batch_size == 3


def test_tagger_batch_size_comes_from_the_component_config():
    nlp = blank_nlp()
    nlp.add_pipe("fa_ner", config={"tagger_batch_size": 7})
    assert nlp.get_pipe("fa_ner").tagger.batch_size == 7
