"""Relation triples by rule (issue #6): seed article, spelling variants, resolution, symmetry, types, offsets, gold set."""

from __future__ import annotations

import pytest

from fa_relations.convert import doc_to_document
from fa_relations.paths import datasets_dir, models_dir
from fa_relations.pipeline import blank_nlp
from fa_relations.relations import doc_with_entities
from fa_relations.relations.context import METONYM_PREDICATES
from fa_relations.schema import PREDICATES

from .conftest import require_datasets, require_shared

EXAMPLES = datasets_dir(must_exist=False).parent / "examples"


@pytest.fixture(scope="module")
def nlp():
    nlp = blank_nlp()
    nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
    return nlp


def run(nlp, text: str, ents: list[tuple[str, str] | tuple[str, str, str]]):
    """Oracle entities given as (surface, label[, iso]); each surface is found left to right."""
    spans, cursor = [], 0
    for e in ents:
        surface, label = e[0], e[1]
        i = text.index(surface, cursor)
        d = {"start": i, "end": i + len(surface), "label": label}
        if len(e) > 2:
            d["iso"] = e[2]
        spans.append(d)
        cursor = i + len(surface)
    doc = doc_with_entities(nlp, text, spans)
    doc = nlp.get_pipe("fa_relation_extractor")(doc)
    return doc_to_document(doc)


def triples(document):
    return {(t.subject.text, t.predicate, t.object.text) for t in document.triples}


def check_offsets(document):
    text = document.text
    for t in document.triples:
        for a in (t.subject, t.object):
            assert text[a.start:a.end] == a.text
            if a.resolved_from is not None:
                assert text[a.resolved_from.start:a.resolved_from.end] == a.resolved_from.text
        for ev in t.evidence:
            assert text[ev.start:ev.end] == ev.text
        assert t.sentence is not None and 0 <= t.sentence[0] < t.sentence[1] <= len(text)
        assert t.method and 0.0 < t.confidence <= 1.0


def check_types(document):
    for t in document.triples:
        spec = PREDICATES[t.predicate]
        for arg, allowed in ((t.subject, spec.subject_labels), (t.object, spec.object_labels)):
            ok = arg.label in allowed or (
                arg.label == "CITY" and "COUNTRY" in allowed and t.predicate in METONYM_PREDICATES
            )
            assert ok, (t.predicate, arg.label, arg.text)
        for a in (t.subject, t.object):
            assert a.label not in ("PRON", "TITLE")


# ----------------------------------------------------------------------------- seed article


def _require_seed() -> None:
    require_shared(EXAMPLES / "seed_article.txt", "the seed article")
    require_shared(EXAMPLES / "seed_gold.jsonl", "the seed article's annotation")


def test_seed_core_triples_with_oracle_entities():
    _require_seed()
    from fa_relations.evaluation.relations import evaluate_seed

    res = evaluate_seed("gold")
    assert res["core_recall"] == 1.0, res["missed_core"]
    # at most one in ten emitted triples wrong (triples reached through a resolved
    # title/pronoun are outside the line-level gold and are checked by hand)
    assert res["precision_excluding_resolved"] >= 0.9, res["not_in_gold"]


def test_seed_core_triples_arabic_letters():
    """The same article with Arabic ي/ك (and, as received, no ZWNJ) gives the same core triples."""
    _require_seed()
    from fa_relations.evaluation.relations import evaluate_seed

    res = evaluate_seed("gold", arabic=True)
    assert res["core_recall"] == 1.0, res["missed_core"]
    assert res["precision_excluding_resolved"] >= 0.9, res["not_in_gold"]


def test_seed_core_triples_end_to_end():
    """With the shipped NER model: the built-in pipeline finds every core triple."""
    _require_seed()
    meta = models_dir() / "ner" / "meta.json"
    assert meta.is_file(), f"the built-in NER model ships with the repository but {meta} is missing"
    from fa_relations.evaluation.relations import evaluate_seed

    res = evaluate_seed("predicted")
    assert res["core_recall"] == 1.0, res["missed_core"]
    assert res["precision_excluding_resolved"] >= 0.9, res["not_in_gold"]


def test_seed_offsets_types_and_resolution():
    _require_seed()
    from fa_relations.evaluation.relations import load_seed

    text, ents, _ = load_seed()
    nlp = blank_nlp()
    comp = nlp.add_pipe("fa_relation_extractor", config={"loc_fallback": False})
    doc = comp(doc_with_entities(nlp, text, ents))
    document = doc_to_document(doc)
    assert document.text == text
    check_offsets(document)
    check_types(document)
    # «او ... ادامه داد: «...»» resolves to علی‌اف; the mention is kept
    resolved = [t for t in document.triples if t.subject.resolved_from is not None]
    assert resolved and all(t.subject.label == "PER" for t in resolved)


# ----------------------------------------------------------------------------- spelling variants


ARABIC_AND_NO_ZWNJ = [
    # Arabic ي/ك, no ZWNJ in رئيسجمهوري / مي‌كنند
    ("الهام علي اف، رئيسجمهوري آذربايجان گفت: «ما با اسرائيل همكاري نزديكي داريم.»",
     [("الهام علي اف", "PER"), ("آذربايجان", "COUNTRY", "AZ"), ("اسرائيل", "COUNTRY", "IL")],
     {("الهام علي اف", "position_held", "آذربايجان")}, {"says"}),
    ("جيحون بايراموف وزير خارجه آذربايجان براي سفري رسمي وارد تلآويو شد.",
     [("جيحون بايراموف", "PER"), ("آذربايجان", "COUNTRY", "AZ"), ("تلآويو", "CITY")],
     {("جيحون بايراموف", "position_held", "آذربايجان"), ("جيحون بايراموف", "visits", "تلآويو")}, set()),
    ("هيئت ايراني به مسكو سفر كردند و وزير امور خارجه روسيه سرگئي لاوروف گفت كه روابط دو كشور گسترش مي يابد.",
     [("مسكو", "CITY"), ("روسيه", "COUNTRY", "RU"), ("سرگئي لاوروف", "PER")],
     {("سرگئي لاوروف", "position_held", "روسيه")}, {"says"}),
    ("بر اساس گزارش ها، 69 درصد از واردات تسليحاتي آذربايجان از اسرائيل صورت گرفته است.",
     [("آذربايجان", "COUNTRY", "AZ"), ("اسرائيل", "COUNTRY", "IL")],
     {("اسرائيل", "supplies", "آذربايجان")}, set()),
    ("سفارت تركيه در تهران بازگشايي شد.",
     [("تركيه", "COUNTRY", "TR"), ("تهران", "CITY")],
     {("تركيه", "embassy_in", "تهران")}, set()),
]


@pytest.mark.parametrize("text,ents,expected,preds", ARABIC_AND_NO_ZWNJ)
def test_arabic_letters_and_missing_zwnj(nlp, text, ents, expected, preds):
    document = run(nlp, text, ents)
    got = triples(document)
    assert expected <= got, got
    assert preds <= {t.predicate for t in document.triples}
    check_offsets(document)
    check_types(document)


def test_verb_inflection(nlp):
    for verb in ("سفر کرد", "سفر کردند", "سفر می‌کند", "سفر خواهد کرد", "سفر كرده است"):
        text = f"حسن روحانی به ژاپن {verb}."
        got = triples(run(nlp, text, [("حسن روحانی", "PER"), ("ژاپن", "COUNTRY", "JP")]))
        assert ("حسن روحانی", "visits", "ژاپن") in got, verb


# ----------------------------------------------------------------------------- resolution


def test_pronoun_resolved_to_named_person(nlp):
    text = "الهام علی‌اف وارد باکو شد. وی گفت: «همکاری با اسرائیل ادامه دارد.»"
    document = run(nlp, text, [("الهام علی‌اف", "PER"), ("باکو", "CITY"), ("اسرائیل", "COUNTRY", "IL")])
    says = [t for t in document.triples if t.predicate == "says"]
    assert len(says) == 1
    assert says[0].subject.text == "الهام علی‌اف"
    assert says[0].subject.resolved_from is not None and says[0].subject.resolved_from.text == "وی"
    check_offsets(document)


def test_unresolved_pronoun_never_in_a_triple(nlp):
    text = "وی گفت: «ما به ترکیه سفر خواهیم کرد.» او از آنکارا بازدید کرد."
    document = run(nlp, text, [("ترکیه", "COUNTRY", "TR"), ("آنکارا", "CITY")])
    assert document.triples == []


def test_title_resolved_within_document(nlp):
    text = ("اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل وارد باکو شد. "
            "رئیس‌جمهوری اسرائیل در دیدار با الهام علی‌اف گفت: «روابط ما راهبردی است.»")
    document = run(nlp, text, [("اسحاق هرتزوگ", "PER"), ("اسرائیل", "COUNTRY", "IL"), ("باکو", "CITY"),
                               ("اسرائیل", "COUNTRY", "IL"), ("الهام علی‌اف", "PER")])
    says = [t for t in document.triples if t.predicate == "says"]
    assert says and says[0].subject.text == "اسحاق هرتزوگ"
    assert says[0].subject.resolved_from.text == "رئیس‌جمهوری اسرائیل"
    meets = [t for t in document.triples if t.predicate == "meets"]
    assert meets and {meets[0].subject.text, meets[0].object.text} == {"اسحاق هرتزوگ", "الهام علی‌اف"}


def test_unnamed_title_speaker_gives_no_says(nlp):
    text = "رئیس دانشگاه تهران گفت: کلاس‌ها از شنبه حضوری است."
    document = run(nlp, text, [("دانشگاه تهران", "ORG")])
    assert [t for t in document.triples if t.predicate == "says"] == []


def test_attribution_is_not_says(nlp):
    text = "به گزارش خبرگزاری فارس، محمد احمدی گفت: قیمت‌ها ثابت می‌ماند."
    document = run(nlp, text, [("خبرگزاری فارس", "ORG"), ("محمد احمدی", "PER")])
    says = [(t.subject.text, t.object.text) for t in document.triples if t.predicate == "says"]
    assert says == [("محمد احمدی", "قیمت‌ها ثابت می‌ماند")]


STATEMENT_FORMS = [
    # the statement follows the verb directly, with no «:» or «که»
    ("مریم رحیمی گفت بازار مسکن تا پایان سال آرام می‌ماند.", "مریم رحیمی", "بازار مسکن تا پایان سال آرام می‌ماند"),
    ("وزارت نیرو اعلام کرده مصرف برق امسال ده درصد بیشتر شده است.", "وزارت نیرو",
     "مصرف برق امسال ده درصد بیشتر شده است"),
    # a semicolon after the verb
    ("روزنامه گاردین تصریح کرد؛ دولت انگلیس طرح را پس گرفت.", "روزنامه گاردین", "دولت انگلیس طرح را پس گرفت"),
    # «بر لزوم ... تاکید کرد»: the proposition under «بر»
    ("علی کریمی بر لزوم حمایت از صنایع کوچک تاکید کرد.", "علی کریمی", "لزوم حمایت از صنایع کوچک"),
    # the speaker before a closed relative clause
    ("سارا نوری در نشستی که با حضور خبرنگاران برگزار شد، اظهار داشت: نرخ تورم کاهش یافته است.",
     "سارا نوری", "نرخ تورم کاهش یافته است"),
    # an interview headline
    ("گفت‌وگو با رضا امیری درباره بازار کتاب: ناشران زیر فشار هزینه‌ها هستند.", "رضا امیری",
     "ناشران زیر فشار هزینه‌ها هستند"),
]


@pytest.mark.parametrize("text,speaker,statement", STATEMENT_FORMS)
def test_statement_forms(nlp, text, speaker, statement):
    label = "ORG" if speaker.startswith(("وزارت", "روزنامه")) else "PER"
    document = run(nlp, text, [(speaker, label)])
    says = [(t.subject.text, t.object.text) for t in document.triples if t.predicate == "says"]
    assert says == [(speaker, statement)]
    check_offsets(document)


@pytest.mark.parametrize("text", [
    "علی کریمی بر برنامه‌های آموزشی تاکید کرد.",  # a topic, not a statement
    "علی کریمی به کار خود ادامه داد و به تهران رفت.",  # not a reporting use
    "علی کریمی گفت و گوی تلفنی با همکارانش داشت.",  # «گفت و گو»
    "علی کریمی گفت خیلی خوب.",  # too short to be a statement without a delimiter
    "علی کریمی اعلام کرد زیرا تیم آماده نبود کنار می‌رود.",  # «زیرا» does not open a statement
])
def test_no_statement(nlp, text):
    document = run(nlp, text, [("علی کریمی", "PER")])
    assert [t for t in document.triples if t.predicate == "says"] == []


# ----------------------------------------------------------------------------- symmetry, types


def test_symmetric_emitted_once_subject_first(nlp):
    text = "اسرائیل و آذربایجان روابط دفاعی نزدیکی دارند و همکاری اسرائیل و آذربایجان گسترش می‌یابد."
    document = run(nlp, text, [("اسرائیل", "COUNTRY", "IL"), ("آذربایجان", "COUNTRY", "AZ"),
                               ("اسرائیل", "COUNTRY", "IL"), ("آذربایجان", "COUNTRY", "AZ")])
    coop = [t for t in document.triples if t.predicate == "cooperates_with"]
    pairs = [(t.subject.start, t.object.start) for t in coop]
    assert len(pairs) == len(set(pairs)) and coop
    assert all(t.subject.start < t.object.start for t in coop)


def test_type_constraints(nlp):
    # a person cannot have an embassy; a province (LOC) is not a position_held object
    text = "سفارت علی احمدی در تهران افتتاح شد. رضا کریمی استاندار خوزستان گفت: باران آمد."
    document = run(nlp, text, [("علی احمدی", "PER"), ("تهران", "CITY"), ("رضا کریمی", "PER"), ("خوزستان", "LOC")])
    preds = {t.predicate for t in document.triples}
    assert "embassy_in" not in preds and "position_held" not in preds
    check_types(document)


def test_component_in_pipeline_defaults():
    nlp = blank_nlp()
    nlp.add_pipe("fa_relation_extractor")
    doc = nlp("متنی بدون موجودیت.")
    assert doc._.triples == []


def test_lexicons_are_plain_files():
    from fa_relations.relations.lexicon import default_lexicons, lexicon_dir

    d = lexicon_dir()
    for name in ("reporting_verbs.tsv", "titles.tsv", "pronouns.txt", "attribution.txt", "verbs.tsv"):
        text = (d / name).read_text(encoding="utf-8")
        assert text.startswith("#"), f"{name} needs a header comment"
    lex = default_lexicons()
    assert lex.reporting and lex.titles and lex.patterns
    families = {p.family for p in lex.patterns}
    assert {"movement", "meetings", "interstate", "supplies", "embassy", "located_in"} <= families


# ----------------------------------------------------------------------------- gold set


@pytest.mark.parametrize("old_spelling", [False, True], ids=["corpus-spelling", "arabic-letters-no-zwnj"])
def test_gold_dev_oracle_entities(old_spelling):
    require_datasets()
    from fa_relations.evaluation.relations import evaluate_relations

    res = evaluate_relations("dev", "gold", old_spelling=old_spelling)
    assert res["overall"]["precision"] >= 0.85, res["overall"]
    assert res["overall"]["recall"] >= 0.60, res["overall"]


def test_address_closed_by_a_comma_is_located_in_but_a_list_is_not(nlp):
    # «ووهان، چین،» then the sentence goes on: an address
    doc = run(nlp, "آزمایشگاهی در ووهان، چین، منشا ویروس بوده است.", [("ووهان", "CITY"), ("چین", "COUNTRY", "CN")])
    assert ("ووهان", "located_in", "چین") in triples(doc)
    # a list of places is not an address, whether «و» or another place follows the comma
    for text, ents in (
        ("او به پاریس، فرانسه، آلمان سفر کرد.", [("پاریس", "CITY"), ("فرانسه", "COUNTRY", "FR"), ("آلمان", "COUNTRY", "DE")]),
        ("او به لندن، پاریس، فرانسه و ایتالیا سفر کرد.",
         [("لندن", "CITY"), ("پاریس", "CITY"), ("فرانسه", "COUNTRY", "FR"), ("ایتالیا", "COUNTRY", "IT")]),
        ("هیئتی از پاریس، فرانسه و ایتالیا آمد.", [("پاریس", "CITY"), ("فرانسه", "COUNTRY", "FR"), ("ایتالیا", "COUNTRY", "IT")]),
    ):
        assert not any(t[1] == "located_in" for t in triples(run(nlp, text, ents))), text


def test_trip_of_a_titled_person_but_not_from_an_origin(nlp):
    doc = run(nlp, "سفر آقای روحانی رئیس‌جمهوری به ژنو دو روز طول کشید.", [("روحانی", "PER"), ("ژنو", "CITY")])
    assert ("روحانی", "visits", "ژنو") in triples(doc)
    for text in ("سفر همه مهمانان از فرانسه به مشهد با هواپیما انجام شد.",
                 "سفر همه مهمانان از فرانسه و همراهانشان به مشهد با هواپیما انجام شد."):
        doc = run(nlp, text, [("فرانسه", "COUNTRY", "FR"), ("مشهد", "CITY")])
        assert not any(t[1] == "visits" for t in triples(doc)), text
