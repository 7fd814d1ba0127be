"""Extra NER training corpora (readers and label maps) and the training helpers of the built-in tagger."""

from __future__ import annotations

import pytest

from fa_relations.iob import repair_iob
from fa_relations.ner.loading import load_tagger
from fa_relations.ner.tagger import BuiltinTagger, TaggerConfig, Vocab, partial_crf_loss
from fa_relations.training.datasets import (
    CORPUS_LABELS,
    EXTRA_CORPORA,
    LOC_INCLUDES_FAC,
    TaggedSentence,
    _split_glued,
    read_extra,
)
from fa_relations.training.ner import (
    TrainConfig,
    allowed_tags,
    architecture_note,
    expand_vocab,
    training_sources,
)

from .conftest import require_datasets


@pytest.mark.datasets
@pytest.mark.parametrize("corpus", sorted(EXTRA_CORPORA))
def test_extra_corpus_reads_with_schema_labels(corpus):
    sents = read_extra(corpus, require_datasets())
    assert len(sents) > 2000
    labels = {t[2:] for s in sents for t in s.tags if t != "O"}
    # only labels the corpus annotates come out; the others (wiki_ner DAT, MISC, NORP, ...) were read as O
    assert labels == set(CORPUS_LABELS[corpus])
    assert {"PER", "ORG", "LOC"} <= labels
    for s in sents[:500]:
        assert len(s.words) == len(s.tags) and s.tags == repair_iob(s.tags)
    if corpus == "wiki_ner":
        assert "DATE" not in CORPUS_LABELS[corpus]


def test_glued_punctuation_is_cut_off_outside_entities():
    words = ["او", "به", "«تهران»", "رفت.", "جام", "جهانی.", "فوتبال"]
    tags = ["O", "O", "B-LOC", "O", "B-EVENT", "I-EVENT", "I-EVENT"]
    w, t = _split_glued(words, tags)
    assert w == ["او", "به", "«تهران", "»", "رفت", ".", "جام", "جهانی.", "فوتبال"]
    assert t == ["O", "O", "B-LOC", "O", "O", "O", "B-EVENT", "I-EVENT", "I-EVENT"]


def test_sentence_weights_scale_the_partial_crf_loss():
    import torch  # heavy: only this test needs it directly

    torch.manual_seed(0)
    tagger = BuiltinTagger(TaggerConfig(hidden=8, char_filters=8, word_dim=8, char_dim=4), Vocab())
    words, chars, lengths, mask = tagger.encode([["الف", "ب"], ["ج"]])
    with torch.no_grad():
        emis = tagger.net.emissions(words, chars, lengths)
    allowed = torch.ones(2, 2, len(tagger.tags), dtype=torch.bool)
    allowed[:, 0] = False
    allowed[0, 0, 1] = True  # first word of the first sentence: exactly B-PER
    allowed[1, 0, 0] = True  # the second sentence's word: exactly O

    def loss(weights=None):
        with torch.no_grad():
            return partial_crf_loss(tagger.net, emis, mask, allowed, weights)

    plain = loss()
    assert float(plain) > 0
    assert torch.isclose(loss(torch.ones(2)), plain)
    first_only, halved = loss(torch.tensor([1.0, 0.0])), loss(torch.tensor([0.5, 0.0]))
    assert torch.isclose(halved, first_only / 2) and float(first_only) < float(plain)


def test_expand_vocab_adds_words_and_keeps_the_model():
    import numpy as np  # heavy: gensim's vectors are numpy arrays
    from gensim.models import KeyedVectors  # heavy, training-only dependency

    rng = np.random.default_rng(0)
    old_words = [f"w{i}" for i in range(40)]
    tagger = BuiltinTagger(TaggerConfig(hidden=8, char_filters=8, word_dim=6, char_dim=4),
                           Vocab(words=["<pad>", "<unk>", *old_words], chars=["<pad>", "<unk>", "w", "n", "0"]))
    wv = KeyedVectors(vector_size=5)
    new_words = ["n1", "n2", "n3"]
    wv.add_vectors(old_words + new_words, rng.normal(size=(43, 5)).astype(np.float32))
    out = expand_vocab(tagger, wv, TrainConfig(max_vocab=44))
    assert out.vocab.words == tagger.vocab.words + ["n1", "n2"]  # capped at max_vocab
    old_rows = tagger.net.word_emb.weight.data
    assert out.net.word_emb.weight.shape == (44, 6)
    assert bool((out.net.word_emb.weight.data[: len(old_rows)] == old_rows).all())
    assert float(out.net.word_emb.weight.data[-1].abs().sum()) > 0
    sent = ["w1", "w2", "w3"]
    assert out.tag(sent) == tagger.tag(sent)


def test_training_sources_carry_licence_notes():
    cfg = TrainConfig(vectors="fasttext", extra_corpora={"translated_conll": 0.2})
    sources = training_sources(cfg, None)
    assert {"peyma", "arman", "parstwiner", "translated_conll", "news_mixed", "perlex"} <= set(sources)
    assert "research" in sources["translated_conll"]["licence"]
    assert "0.2" in sources["translated_conll"]["use"]
    assert all(v["licence"] for v in sources.values())


def test_loc_spans_may_be_fac_only_in_corpora_that_tag_facilities_as_loc():
    tags = BuiltinTagger(TaggerConfig(), Vocab()).tags
    words = ["فرودگاه", "مهرآباد", "بسته", "شد"]  # written for this test
    gold = ["B-LOC", "I-LOC", "O", "O"]

    def allowed(corpus, widen):
        rows = allowed_tags(TaggedSentence(corpus, "t", 0, words, gold), tags, True, widen)
        return [{t for t, ok in zip(tags, row, strict=True) if ok} for row in rows]

    assert "wiki_ner" in LOC_INCLUDES_FAC and "peyma" not in LOC_INCLUDES_FAC
    wide = allowed("wiki_ner", True)
    assert wide[0] == {"B-LOC", "B-FAC"} and wide[1] == {"I-LOC", "I-FAC"}
    assert allowed("wiki_ner", False)[:2] == [{"B-LOC"}, {"I-LOC"}]
    assert allowed("peyma", True)[:2] == [{"B-LOC"}, {"I-LOC"}]  # PEYMA does not tag facilities as LOC
    # outside entities the partial-label rule is unchanged: O or a label wiki_ner does not annotate
    assert "O" in wide[2] and "B-FAC" in wide[2] and "B-PER" not in wide[2]


def test_continued_stage_keeps_earlier_sources_and_network():
    """A stage trained on from the built-in model lists every source of the earlier stages (the word
    vectors' texts included) and keeps the earlier architecture line."""
    meta = load_tagger(None).meta
    previous = {"training_data": meta["training_data"], "architecture": meta["architecture"]}
    cfg = TrainConfig(init_from="models/ner", vectors="fasttext", extra_corpora={"wiki_ner": 0.5})
    sources = training_sources(cfg, previous)
    assert set(meta["training_data"]) <= set(sources)
    assert sources["news_unlabelled"]["use"].startswith("word vectors")
    assert architecture_note(cfg, previous) == meta["architecture"]


def test_train_cli_passes_data_options(monkeypatch, tmp_path):
    """`fa-relations train ner --vectors/--expand-vocab/--extra/--extra-weight/--average` reach TrainConfig
    (training itself is replaced: this checks the option plumbing only)."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    import fa_relations.training.ner as train_mod
    from fa_relations.cli import app

    seen = {}

    def fake_train(data, output, cfg):
        seen["cfg"] = cfg
        return SimpleNamespace(meta={})

    monkeypatch.setattr(train_mod, "train_tagger", fake_train)
    args = ["train", "ner", "--output", str(tmp_path / "m"), "--vectors", "fasttext", "--expand-vocab",
            "--extra", "wiki_ner=0.5", "--extra", "translated_conll=0.2", "--extra-weight", "0.3", "--average", "3",
            "--loc-may-be-fac"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    cfg = seen["cfg"]
    assert cfg.vectors == "fasttext" and cfg.expand_vocab and cfg.average == 3 and cfg.extra_weight == 0.3
    assert cfg.loc_may_be_fac
    assert cfg.extra_corpora == {"wiki_ner": 0.5, "translated_conll": 0.2}
    bad = CliRunner().invoke(app, ["train", "ner", "--output", str(tmp_path / "m"), "--extra", "wiki_ner"])
    assert bad.exit_code != 0
