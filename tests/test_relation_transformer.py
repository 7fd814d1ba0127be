"""The transformer variant of the relation classifier (issue #12): entity markers on a BERT-style encoder,
selected by config, on a tiny random checkpoint this test builds (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import numpy
import pytest
from spacy.training import Example
from thinc.api import Adam, fix_random_seed

from fa_relations.pipeline import blank_nlp
from fa_relations.relation_classifier.component import GOLD_KEY
from fa_relations.relation_classifier.features import LABELS
from fa_relations.relation_classifier.model import TRANSFORMER_ARCHITECTURE
from fa_relations.relations.oracle import doc_with_entities

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

TEXT = "محمد جواد ظریف وزیر امور خارجه ایران روز دوشنبه با سرگئی لاوروف در مسکو دیدار کرد."
ENTITIES = [{"start": 0, "end": 14, "label": "PER"}, {"start": 31, "end": 36, "label": "COUNTRY", "iso": "IR"},
            {"start": 51, "end": 63, "label": "PER"}, {"start": 67, "end": 71, "label": "CITY"}]


def _tiny_checkpoint(folder: Path) -> Path:
    """A 2-layer BERT with random weights and a WordPiece vocabulary of this test's words and letters."""
    words = sorted(set(TEXT.replace(".", " . ").split()))
    letters = sorted({ch for w in words for ch in w})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *letters, *(f"##{ch}" for ch in letters)]
    folder.mkdir(parents=True)
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False)
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _example(nlp) -> Example:
    doc = doc_with_entities(nlp, TEXT, ENTITIES)
    per, country, per2, city = doc.ents
    doc.user_data[GOLD_KEY] = [(per.start, per.end, "position_held", country.start, country.end),
                               (per.start, per.end, "meets", per2.start, per2.end),
                               (per.start, per.end, "visits", city.start, city.end)]
    return Example(doc, doc)


def _pipe(nlp, checkpoint: Path):
    return nlp.add_pipe("fa_relation_classifier", config={"mode": "model", "threshold": 0.5, "model": {
        "@architectures": TRANSFORMER_ARCHITECTURE, "checkpoint": str(checkpoint), "max_length": 48}})


def test_transformer_variant_learns_saves_and_loads(tmp_path):
    torch.set_num_threads(1)
    fix_random_seed(0)
    checkpoint = _tiny_checkpoint(tmp_path / "tiny-bert")
    nlp = blank_nlp()
    clf = _pipe(nlp, checkpoint)
    example = _example(nlp)
    clf.initialize(lambda: [example], nlp=nlp)
    optimizer = Adam(0.002)
    losses = [clf.update([example], sgd=optimizer)["fa_relation_classifier"] for _ in range(40)]
    assert losses[-1] < losses[0] / 4, f"the loss should fall on the one sentence it sees: {losses[0]:.2f} -> {losses[-1]:.2f}"

    cands, probs = clf.predict([example.predicted])
    assert probs.shape == (len(cands[0]), len(LABELS))
    assert numpy.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    clf.set_annotations([example.predicted], (cands, probs))
    found = {(t.subject.text, t.predicate, t.object.text) for t in example.predicted._.triples}
    assert ("محمد جواد ظریف", "meets", "سرگئی لاوروف") in found
    assert all(t.method == "model:fa_relation_classifier" for t in example.predicted._.triples)

    clf.to_disk(tmp_path / "saved")
    assert (tmp_path / "saved" / "manifest.json").is_file()
    again = _pipe(blank_nlp(), checkpoint).from_disk(tmp_path / "saved")
    _, probs_again = again.predict([example.predicted])
    assert numpy.allclose(probs, probs_again, atol=1e-6)
