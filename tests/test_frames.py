"""Documents as data frames and graphs (issue #16, item 3), on the seed article through the real pipeline."""

from __future__ import annotations

import pytest

import fa_relations
from fa_relations.corpus import extract_corpus

from .conftest import SHARED, require_shared


@pytest.fixture(scope="module")
def seed_doc():
    text = require_shared(SHARED / "examples" / "seed_article.txt", "the seed article").read_text(encoding="utf-8")
    return fa_relations.load()(text, id="seed")


def test_document_frames_have_a_row_per_triple_and_entity(seed_doc):
    t = seed_doc.to_pandas()
    assert len(t) == len(seed_doc.triples) > 20
    for row, triple in zip(t.itertuples(), seed_doc.triples, strict=True):
        assert (row.subject_text, row.predicate, row.object_text) == (triple.subject.text, triple.predicate,
                                                                       triple.object.text)
        assert seed_doc.text[row.subject_start:row.subject_end] == row.subject_text
    e = seed_doc.entities_frame()
    assert len(e) == len(seed_doc.entities) and set(e["doc_id"]) == {"seed"}
    assert e.loc[e.label == "COUNTRY", "iso"].notna().all()
    many = fa_relations.triples_frame([seed_doc, seed_doc])
    assert len(many) == 2 * len(t)


def test_graph_merges_the_names_of_one_state(seed_doc):
    g = fa_relations.to_networkx([seed_doc])
    il = g.nodes["COUNTRY:IL"]
    assert il["iso"] == "IL" and il["mentions"] == sum(1 for e in seed_doc.entities if e.iso == "IL" and
                                                         e.label == "COUNTRY")
    counted = sum(d["count"] for _, _, d in g.edges(data=True))
    assert counted == sum(1 for t in seed_doc.triples if t.object.label != "QUOTE")
    assert all(ev["sentence"] for _, _, d in g.edges(data=True) for ev in d["evidence"])
    with_says = fa_relations.to_networkx([seed_doc], include_says=True)
    assert with_says.number_of_edges() > g.number_of_edges()
    # no country node without its code when the documents type that name elsewhere
    assert not [n for n, d in g.nodes(data=True) if d["label"] == "COUNTRY" and not d["iso"]]


def test_an_argument_without_a_code_joins_its_state():
    """A state the relation rules split off an organisation carries no ISO code; the graph still
    puts it on the node of the state typed elsewhere (a document written for this test)."""
    text = "ایران و ترکیه روابط خود را گسترش دادند."
    ents = [{"text": "ایران", "label": "COUNTRY", "start": 0, "end": 5, "iso": "IR", "canonical": "ایران"}]
    triple = {"subject": {"text": "ایران", "label": "COUNTRY", "start": 0, "end": 5, "iso": None},
              "object": {"text": "ترکیه", "label": "COUNTRY", "start": 8, "end": 13, "iso": None},
              "predicate": "cooperates_with", "sentence": [0, len(text)]}
    g = fa_relations.to_networkx([{"id": "t", "text": text, "entities": ents, "triples": [triple]}])
    assert set(g.nodes) == {"COUNTRY:IR", "COUNTRY:ترکیه"}
    assert g.nodes["COUNTRY:IR"]["mentions"] == 1 and g.has_edge("COUNTRY:IR", "COUNTRY:ترکیه")


def test_read_corpus_reads_every_output_layout(seed_doc, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(seed_doc.text, encoding="utf-8")
    want = seed_doc.to_pandas().drop(columns=["doc_id"])
    for name, opts in (("one.jsonl", {}), ("pq", {"format": "parquet"}),
                       ("tr", {"format": "parquet", "rows": "triples"}), ("trj", {"rows": "triples"})):
        extract_corpus(src, tmp_path / name, workers=0, progress=False, **opts)
        got = fa_relations.read_corpus(tmp_path / name)
        assert len(got) == len(want)
        assert list(got["predicate"]) == list(want["predicate"])
        assert list(got["subject_text"]) == list(want["subject_text"])
    ents = fa_relations.read_corpus(tmp_path / "pq", rows="entities")
    assert len(ents) == len(seed_doc.entities)
    with pytest.raises(ValueError, match="no entities"):
        fa_relations.read_corpus(tmp_path / "tr", rows="entities")
    with pytest.raises(FileNotFoundError):
        fa_relations.read_corpus(tmp_path / "nothing")
