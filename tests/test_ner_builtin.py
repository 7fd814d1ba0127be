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
    assert (path / "weights.pt").is_file(), f"shipped NER model missing at {path}"
    return load_builtin_tagger()


def _entities(words, tags):
    from fa_relations.datasets import spans_from_iob

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


# ---- optional lexical features (a tiny model trained here on hand-written sentences) ----------
_TINY_SENTENCES = [
    (["آقای", "حسن", "روحانی", "به", "ژاپن", "رفت", "."], ["O", "B-PER", "I-PER", "O", "B-LOC", "O", "O"]),
    (["وزارت", "امور", "خارجه", "ایران", "گفت", "."], ["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"]),
    (["خانم", "مریم", "در", "ایالات", "متحده", "آمریکا", "است"], ["O", "B-PER", "O", "B-LOC", "I-LOC", "I-LOC", "O"]),
    (["بانک", "ملی", "در", "تهران", "شعبه", "دارد"], ["B-ORG", "I-ORG", "O", "B-LOC", "O", "O"]),
]


def _tiny_tagger(lexical: bool, steps: int = 0) -> BuiltinTagger:
    import torch

    from fa_relations.ner.lexicon import LEXICAL_FEATURES, build_lexicon
    from fa_relations.ner.tagger import PAD, UNK, TaggerConfig, Vocab, partial_crf_loss

    torch.manual_seed(0)
    words = sorted({canonical_word(w) for ws, _ in _TINY_SENTENCES for w in ws})
    chars = sorted({c for w in words for c in w})
    config = TaggerConfig(
        labels=("PER", "ORG", "LOC"), word_dim=8, char_dim=4, char_filters=6, hidden=8, dropout=0.0,
        lexical_features=LEXICAL_FEATURES if lexical else (),
    )
    tagger = BuiltinTagger(config, Vocab([PAD, UNK, *words], [PAD, UNK, *chars]),
                           lexicon=build_lexicon() if lexical else None)
    opt = torch.optim.Adam(tagger.net.parameters(), lr=0.05)
    encoded = [tagger.encode_ids(ws) for ws, _ in _TINY_SENTENCES]
    allowed = torch.zeros(len(encoded), max(len(ws) for ws, _ in _TINY_SENTENCES), len(tagger.tags), dtype=torch.bool)
    allowed[:, :, 0] = True
    for i, (_, tags) in enumerate(_TINY_SENTENCES):
        for j, t in enumerate(tags):
            allowed[i, j] = torch.tensor([x == t for x in tagger.tags])
    tagger.net.train()
    for _ in range(steps):
        words_t, chars_t, lengths, mask, lex = tagger.collate(encoded)
        loss = partial_crf_loss(tagger.net, tagger.net.emissions(words_t, chars_t, lengths, lex), mask, allowed)
        opt.zero_grad()
        loss.backward()
        opt.step()
    tagger.net.eval()
    return tagger


def test_lexical_features_build_save_load_tag(tmp_path):
    from fa_relations.ner.lexicon import LEXICAL_FEATURES

    tagger = _tiny_tagger(lexical=True, steps=60)
    words = ["آقای", "حسن", "روحانی", "به", "ایالات", "متحده", "آمریکا", "رفت"]
    on = [[LEXICAL_FEATURES[i] for i in f] for f in tagger.lexicon.indicators(words)]
    assert on[0] == ["person_title"] and on[1:4] == [[], [], []]
    assert on[4:7] == [["country_B"], ["country_I"], ["country_I"]]
    assert tagger.lexicon.indicators(["ایرانیان"]) == [[LEXICAL_FEATURES.index("demonym")]]
    lex = tagger.encode([words])[4]
    assert lex is not None and lex.shape == (1, len(words), len(LEXICAL_FEATURES)) and lex.sum() == 4

    tagger.save(tmp_path / "m")
    assert (tmp_path / "m" / "lexicon.json").is_file()
    again = BuiltinTagger.load(tmp_path / "m")
    assert again.config.lexical_features == LEXICAL_FEATURES
    batch = [words, [s for s, _ in _TINY_SENTENCES][1], []]
    assert again.tag_batch(batch) == tagger.tag_batch(batch)
    assert again.tag_batch([_TINY_SENTENCES[0][0]])[0] == _TINY_SENTENCES[0][1]  # learnt its training data


def test_warm_start_adds_lexical_features_without_changing_tags(tmp_path):
    import torch

    from fa_relations.ner.lexicon import build_lexicon

    _tiny_tagger(lexical=False, steps=30).save(tmp_path / "plain")
    assert "lexical_features" not in (tmp_path / "plain" / "config.json").read_text(encoding="utf-8")
    assert not (tmp_path / "plain" / "lexicon.json").exists()
    plain = BuiltinTagger.load(tmp_path / "plain")  # word vectors stored in float16: compare loaded models
    widened = plain.with_lexical_features(build_lexicon())
    batch = [ws for ws, _ in _TINY_SENTENCES] + [["سفیر", "فرانسه", "در", "پاریس", "و", "ایرانیان"]]
    assert widened.tag_batch(batch) == plain.tag_batch(batch)
    words, chars, lengths, _, lex = widened.encode(batch)
    assert lex is not None and lex.sum() > 0  # the indicators are on; only their weights are zero
    with torch.no_grad():
        assert torch.equal(plain.net.emissions(words, chars, lengths), widened.net.emissions(words, chars, lengths, lex))
    widened.save(tmp_path / "wide")
    assert BuiltinTagger.load(tmp_path / "wide").tag_batch(batch) == plain.tag_batch(batch)


def test_shipped_model_lexical_features_match_its_files(tagger):
    """A model saved without lexical features loads with them off; one with them loads its own lexicon.json."""
    if (models_dir() / "ner" / "lexicon.json").is_file():
        assert tagger.config.lexical_features and tagger.lexicon is not None
    else:
        assert tagger.config.lexical_features == () and tagger.lexicon is None
