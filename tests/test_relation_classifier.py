"""The trained relation classifier (issue #12): candidates, training, saving, modes in the pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import fa_relations
from fa_relations.evaluation.relations import iter_gold
from fa_relations.model_files import ModelFileError
from fa_relations.paths import models_dir
from fa_relations.pipeline import blank_nlp
from fa_relations.relation_classifier.component import saved_model_config
from fa_relations.relation_classifier.features import LABELS, candidates, features
from fa_relations.relations.oracle import doc_with_entities
from fa_relations.training.relation_classifier import TrainConfig, default_train_files, train

from .conftest import require_datasets

TEXT = "محمد جواد ظریف وزیر امور خارجه ایران روز دوشنبه با سرگئی لاوروف در مسکو دیدار کرد."


def _gold_doc():
    nlp = blank_nlp()
    ents = [{"start": 0, "end": 14, "label": "PER"}, {"start": 31, "end": 36, "label": "COUNTRY", "iso": "IR"},
            {"start": 51, "end": 63, "label": "PER"}, {"start": 67, "end": 71, "label": "CITY"}]
    assert [TEXT[e["start"]:e["end"]] for e in ents] == ["محمد جواد ظریف", "ایران", "سرگئی لاوروف", "مسکو"]
    return doc_with_entities(nlp, TEXT, ents)


def test_candidates_respect_the_schema_argument_types():
    doc = _gold_doc()
    pairs = {(c.subject.text, c.object.text) for c in candidates(doc)}
    assert ("محمد جواد ظریف", "ایران") in pairs and ("محمد جواد ظریف", "مسکو") in pairs
    assert ("مسکو", "محمد جواد ظریف") not in pairs  # no predicate takes a CITY subject and a PER object
    f = features(doc, next(c for c in candidates(doc) if c.object.text == "مسکو" and c.subject.text == "سرگئی لاوروف"))
    assert "t:PER>CITY" in f and any(x.startswith("a:") for x in f)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory) -> tuple[Path, dict]:
    require_datasets()
    out = tmp_path_factory.mktemp("relmodel") / "relations"
    files = default_train_files()
    assert files, "the hand-read train set (data/relations/train_*.jsonl) is missing"
    cfg = TrainConfig(epochs=2, folds=2, thresholds=[0.5, 0.8], length=2**14)
    return out, train(files[:1], out, cfg)


def test_training_writes_a_model_with_its_sources_and_selection(small_model):
    out, _ = small_model
    saved = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert saved["training_sentences"] > 300 and saved["training_sources"]
    assert all("research" in v or "licence" in v for v in saved["training_sources"].values())
    assert saved["threshold"] in (0.5, 0.8, 2.0) and 1 <= saved["epochs"] <= 2
    # the agreement of the two annotation passes travels with the model
    assert saved["annotation_agreement"]["sentences"] == 150 and 0.5 < saved["annotation_agreement"]["triple_f1"] <= 1
    assert saved["dev_gold_entities"]["rules"]["support"] > 200
    assert (out / "model").stat().st_size > 2**14 * len(LABELS) * 4


def test_same_seed_same_model(small_model, tmp_path):
    out, meta = small_model
    cfg = TrainConfig(**meta["config"])
    again = train(default_train_files()[:1], tmp_path / "again", cfg)
    assert (tmp_path / "again" / "model").read_bytes() == (out / "model").read_bytes()
    assert again["threshold"] == meta["threshold"]


def test_modes_in_the_pipeline(small_model):
    out, _ = small_model
    rules = fa_relations.load(relations="rules", relation_model=out)
    both = fa_relations.load(relations="both", relation_model=out)
    model = fa_relations.load(relations="model", relation_model=out)
    assert "fa_relation_classifier" in both.components and "fa_relation_classifier" not in rules.components
    # with no relations= the model's recorded default applies (the rules until a model beats them on dev)
    assert "fa_relation_classifier" not in fa_relations.load(relation_model=out).components
    both.nlp.get_pipe("fa_relation_classifier").cfg["threshold"] = 0.0  # every scored pair: the merge is visible
    r, b, m = rules(TEXT), both(TEXT), model(TEXT)
    key = lambda t: (t.subject.start, t.predicate, t.object.start)  # noqa: E731
    assert {key(t) for t in r.triples} <= {key(t) for t in b.triples}  # "both" keeps every rule triple
    added = [t for t in b.triples if t.method.startswith("model:")]
    assert added and all(0.0 < t.confidence <= 1.0 for t in added)
    pairs = {frozenset(((t.subject.start, t.subject.end), (t.object.start, t.object.end))) for t in r.triples}
    assert not any(frozenset(((t.subject.start, t.subject.end), (t.object.start, t.object.end))) in pairs
                   for t in added)  # a pair the rules related is left to them
    assert all(t.method.startswith("model:") or t.predicate == "says" for t in m.triples)
    with pytest.raises(ValueError):
        fa_relations.load(relations="magic")
    with pytest.raises(FileNotFoundError):
        fa_relations.load(relations="both", relation_model=out / "nothing-here")


def test_classifier_travels_with_a_saved_pipeline(small_model, tmp_path):
    out, _ = small_model
    nlp = fa_relations.load(relations="both", relation_model=out)
    nlp.save(tmp_path / "p")
    again = fa_relations.load(tmp_path / "p")
    assert "fa_relation_classifier" in again.components
    assert again(TEXT).to_json() == nlp(TEXT).to_json()


def test_classifier_folder_has_a_manifest_checked_before_loading(small_model, tmp_path):
    out, _ = small_model
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"], "written by to_disk"
    assert not (out / "vocab").exists(), "every file of the folder is in the manifest (no spaCy vocab folder)"
    bad = tmp_path / "tampered"
    shutil.copytree(out, bad)
    with open(bad / "model", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelFileError, match="model: its checksum does not match"):
        fa_relations.load(relations="both", relation_model=bad)
    pickled = tmp_path / "pickled"
    shutil.copytree(out, pickled)
    (pickled / "weights.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelFileError, match=r"weights\.pkl: a pickle-capable file"):
        fa_relations.load(relations="both", relation_model=pickled)


@pytest.fixture(scope="module")
def small_sentence_model(tmp_path_factory) -> tuple[Path, dict]:
    """The sentence encoder (BiLSTM + CNN with typed markers), small and without fastText vectors, one held-out
    fold kept at its best epoch (as configs/relation_classifier.cfg trains the shipped model, only smaller)."""
    require_datasets()
    out = tmp_path_factory.mktemp("relsentence") / "relations"
    cfg = TrainConfig(architecture="sentence", epochs=2, folds=4, folds_trained=1, refit=False, learn_rate=0.003,
                      batch_size=32, width=24, pos_width=8, hidden=16, max_vocab=3000, pretrained=False,
                      predicate_thresholds=True, thresholds=[0.3, 0.5, 0.8])
    return out, train(default_train_files()[:1], out, cfg)


def test_sentence_model_trains_selects_and_reloads(small_sentence_model):
    out, _ = small_sentence_model
    saved = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert saved["architecture"].startswith("fa_relations.RelationSentenceEncoder.v1")
    assert saved["config"]["typed"] and "1 of 4 folds" in saved["selection"]
    assert set(saved["predicate_thresholds"]) <= set(LABELS[1:])
    assert saved["cross_validation"]["rules"]["support"] > 50
    cfg = json.loads((out / "cfg").read_text(encoding="utf-8"))
    assert cfg["model_config"]["typed"] is True and cfg["predicate_thresholds"] == saved["predicate_thresholds"]
    # the saved folder is what load() reads: same probabilities as the trained classifier's own selection
    nlp = fa_relations.load(relations="both", relation_model=out)
    clf = nlp.nlp.get_pipe("fa_relation_classifier")
    vocab = clf.model.attrs["vocab"]
    assert vocab[:6] == ["<CITY>", "<COUNTRY>", "<FAC>", "<LOC>", "<ORG>", "<PER>"]  # the type tokens come first
    assert saved["vectors"] == f"random initialisation; vocabulary {len(vocab)} words"
    clf.cfg["threshold"], clf.cfg["predicate_thresholds"] = 0.0, {}  # every scored pair: output is visible
    doc = nlp(TEXT)
    added = [t for t in doc.triples if t.method.startswith("model:")]
    assert added and all(0.0 < t.confidence <= 1.0 for t in added)
    again = fa_relations.load(relations="both", relation_model=out).nlp.get_pipe("fa_relation_classifier")
    docs = [_gold_doc()]
    assert (again.predict(docs)[1] == clf.predict(docs)[1]).all()


def test_predicate_threshold_above_one_turns_a_predicate_off(small_model):
    out, _ = small_model
    nlp = fa_relations.load(relations="both", relation_model=out)
    clf = nlp.nlp.get_pipe("fa_relation_classifier")
    clf.cfg["threshold"] = 0.0
    before = {t.predicate for t in nlp(TEXT).triples if t.method.startswith("model:")}
    assert before
    clf.cfg["predicate_thresholds"] = {p: 2.0 for p in before}
    assert not [t for t in nlp(TEXT).triples if t.method.startswith("model:") and t.predicate in before]


def test_shipped_model_loads_offline_and_only_adds_to_the_rules():
    """models/relations: the sentence encoder trained by `fa-relations train relations`; opt-in unless its
    meta records another default; in `both` mode every rule triple stays and each added triple passes its
    predicate's threshold."""
    require_datasets()
    folder = models_dir() / "relations"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert sum(p.stat().st_size for p in folder.iterdir()) < 25 * 2**20
    assert set(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]) == {
        p.name for p in folder.iterdir() if p.name != "manifest.json"}
    assert meta["training_sources"] and meta["annotation_agreement"]["triple_f1"] > 0.5
    default = fa_relations.load()
    assert ("fa_relation_classifier" in default.components) == (meta["default_mode"] != "rules")
    rules, both = blank_nlp(), blank_nlp()
    for nlp in (rules, both):
        nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
    clf = both.add_pipe("fa_relation_classifier", config={"model": saved_model_config(folder)})
    clf.from_disk(folder)
    items = [(rec, text) for rec, text in iter_gold("dev")][:200]
    key = lambda t: (t.subject.start, t.predicate, t.object.start)  # noqa: E731
    for rec, text in items:
        r = rules(doc_with_entities(rules, text, rec["entities"]))._.triples
        b = both(doc_with_entities(both, text, rec["entities"]))._.triples
        assert {key(t) for t in r} <= {key(t) for t in b}
        assert all(clf.threshold_of(t.predicate) <= t.confidence <= 1.0 and t.predicate != "says"
                   for t in b if t.method.startswith("model:"))
    # the model is live: at a lower common threshold it relates pairs the rules left alone
    clf.cfg["threshold"], clf.cfg["predicate_thresholds"] = 0.5, {}
    assert any(t.method.startswith("model:") for rec, text in items
               for t in both(doc_with_entities(both, text, rec["entities"]))._.triples)
