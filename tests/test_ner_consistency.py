"""Document-level name consistency (issue #13 item 3): a name tagged once is tagged where it recurs."""

from __future__ import annotations

import fa_relations
from fa_relations.evaluation.ner_documents import evaluate_consistency
from fa_relations.ner.consistency import propagate_names, read_not_surnames
from fa_relations.ner.loading import load_tagger

from .conftest import require_datasets

# Words and tags written for these tests (not from any corpus).
FIRST = ["نشست", "با", "حضور", "مریم", "کاظمی", "و", "شرکت", "ملی", "نفت", "برگزار", "شد"]
FIRST_TAGS = ["O", "O", "O", "B-PER", "I-PER", "O", "B-ORG", "I-ORG", "I-ORG", "O", "O"]
SECOND = ["کاظمی", "گفت", "شرکت", "ملی", "نفت", "آماده", "است"]


def test_full_names_and_surnames_recur_tagged():
    out = propagate_names([FIRST, SECOND], [FIRST_TAGS, ["O"] * len(SECOND)])
    assert out[0] == FIRST_TAGS
    assert out[1] == ["B-PER", "O", "B-ORG", "I-ORG", "I-ORG", "O", "O"]


def test_tagged_words_keep_their_tags_and_the_input_is_not_changed():
    second_tags = ["B-LOC", "O", "B-ORG", "I-ORG", "O", "O", "O"]
    before = list(second_tags)
    out = propagate_names([FIRST, SECOND], [FIRST_TAGS, second_tags])
    assert second_tags == before
    # «کاظمی» keeps the tagger's label; a recurrence that would end inside another entity is left alone.
    assert out[1][:5] == ["B-LOC", "O", "B-ORG", "I-ORG", "O"]


def test_names_seen_with_two_labels_and_common_words_are_not_propagated():
    conflict = propagate_names([FIRST, ["کاظمی", "آمد"], SECOND],
                               [FIRST_TAGS, ["B-LOC", "O"], ["O"] * len(SECOND)])
    assert conflict[2][0] == "O"
    stop = read_not_surnames()
    words = [["نیکلای", "دوم", "آمد"], ["بار", "دوم", "بود"]]
    out = propagate_names(words, [["B-PER", "I-PER", "O"], ["O", "O", "O"]], not_surnames=stop)
    assert out[1] == ["O", "O", "O"]
    assert propagate_names([SECOND], [["O"] * len(SECOND)]) == [["O"] * len(SECOND)]


def _seed_paragraphs(seed_article: str) -> tuple[str, str]:
    paragraphs = [p for p in seed_article.split("\n") if p.strip()]
    said = next(p for p in paragraphs if p.startswith("در جریان این دیدار"))
    return paragraphs[0], said


def test_seed_surname_alone_is_tagged_in_the_ner_stage(seed_article):
    """The issue's case: «هرتزوگ اظهار کرد» after a paragraph that names «اسحاق هرتزوگ»."""
    first, said = _seed_paragraphs(seed_article)
    nlp = fa_relations.load()
    ner = nlp.nlp.get_pipe("fa_ner")
    text = first + "\n" + said
    start = text.index("هرتزوگ اظهار")
    spans = {(e.start, e.end, e.label) for e in nlp(text).entities}
    assert (start, start + len("هرتزوگ"), "PER") in spans
    assert any(t.predicate == "says" and t.subject.text.endswith("هرتزوگ") for t in nlp(text).triples)
    ner.consistency = False
    try:
        alone = {(e.start, e.end) for e in nlp(text).entities}
        seen_alone = (start, start + len("هرتزوگ")) in alone
    finally:
        ner.consistency = True
    # The built-in model misses the surname alone; the document-level step is what finds it.
    assert not seen_alone


def test_consistency_setting_and_list_travel_with_a_saved_pipeline(tmp_path):
    nlp = fa_relations.load()
    ner = nlp.nlp.get_pipe("fa_ner")
    ner.consistency = False
    nlp.save(tmp_path / "p")
    again = fa_relations.load(tmp_path / "p").nlp.get_pipe("fa_ner")
    assert again.consistency is False
    assert (tmp_path / "p" / "fa_ner" / "not_surnames.tsv").is_file()
    assert again.not_surnames == ner.not_surnames


def test_windows_of_peyma_dev_gain_with_consistency():
    require_datasets()
    report = evaluate_consistency(load_tagger(None), "peyma", "dev", windows=(20,), output=False)
    base = report["without_consistency"]["overall"]["f1"]
    row = report["with_consistency"][0]
    assert row["overall"]["f1"] > base
    assert row["per_label_f1"]["PER"] > report["without_consistency"]["per_label_f1"]["PER"]
