"""The relation rule set (issue 11): built once, pattern families from the lexicon folder, errors for
pattern files that cannot run, and lexicons that travel with a saved pipeline."""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

import fa_relations
from fa_relations.pipeline import blank_nlp
from fa_relations.relations import doc_with_entities
from fa_relations.relations.component import LEXICON_SUBDIR, RelationExtractor
from fa_relations.relations.lexicon import LexiconError, lexicon_dir
from fa_relations.relations.registry import registered
from fa_relations.relations.rules import RuleSet

#: a made-up trigger word: no bundled lexicon knows it
MADE_UP = "زرتوپ"


def _extract(folder: Path | None, text: str, ents: list[tuple[str, str]]) -> set[tuple[str, str, str, str]]:
    """(subject, predicate, object, method) with oracle entities, the component built on ``folder``."""
    nlp = blank_nlp()
    config = {"loc_fallback": False, "lexicon_dir": str(folder) if folder is not None else None}
    comp = nlp.add_pipe("fa_relation_extractor", config=config)
    spans, cursor = [], 0
    for surface, label in ents:
        i = text.index(surface, cursor)
        spans.append({"start": i, "end": i + len(surface), "label": label})
        cursor = i + len(surface)
    doc = comp(doc_with_entities(nlp, text, spans))
    return {(t.subject.text, t.predicate, t.object.text, t.method) for t in doc._.triples}


@pytest.fixture()
def lexicons(tmp_path: Path) -> Path:
    """A copy of the bundled lexicon folder to edit."""
    folder = tmp_path / "lexicons"
    shutil.copytree(lexicon_dir(), folder)
    return folder


TEXT = f"حسن روحانی {MADE_UP} ژاپن ."
ENTS = [("حسن روحانی", "PER"), ("ژاپن", "COUNTRY")]


def test_new_pattern_file_runs_as_a_plain_family(lexicons: Path) -> None:
    assert not any(t[1] == "visits" for t in _extract(lexicons, TEXT, ENTS))
    (lexicons / "patterns" / "excursions.tsv").write_text(
        f"# predicate\tpattern\tconfidence\trule\nvisits\t{{S}} {MADE_UP} {{O}}\t0.8\tmade_up_trip\n", encoding="utf-8"
    )
    got = _extract(lexicons, TEXT, ENTS)
    assert ("حسن روحانی", "visits", "ژاپن", "excursions:made_up_trip") in got
    assert "excursions" in RelationExtractor(lexicon_dir=str(lexicons)).families


def test_new_row_in_a_registered_family_runs_with_its_filter(lexicons: Path) -> None:
    with open(lexicons / "patterns" / "movement.tsv", "a", encoding="utf-8") as fh:
        fh.write(f"visits\t{{S}} {MADE_UP} {{O}}\t0.8\tmade_up_trip\n")
    assert ("حسن روحانی", "visits", "ژاپن", "movement:made_up_trip") in _extract(lexicons, TEXT, ENTS)


@pytest.mark.parametrize(
    "row, message",
    [
        ("visits\n", "expected predicate<TAB>pattern"),
        (f"travels_to\t{{S}} {MADE_UP} {{O}}\t0.8\tx\n", "unknown predicate 'travels_to'"),
        (f"visits\t{{S}} {MADE_UP} {{O}}\thigh\tx\n", "confidence 'high' is not a number"),
        (f"visits\t{{S}} {MADE_UP} {{X}}\t0.8\tx\n", "unknown slot '{X}'"),
        (f"visits\t{{S}} {MADE_UP}\t0.8\tx\n", "no object slot"),
    ],
    ids=["no-pattern", "unknown-predicate", "bad-confidence", "unknown-slot", "no-object"],
)
def test_malformed_pattern_file_is_an_error(lexicons: Path, row: str, message: str) -> None:
    (lexicons / "patterns" / "broken.tsv").write_text("# predicate\tpattern\tconfidence\trule\n" + row, encoding="utf-8")
    with pytest.raises(LexiconError, match=re.escape("patterns/broken.tsv:2")) as err:
        RuleSet.load(lexicons)
    assert message in str(err.value)


def test_registered_family_rejects_an_undeclared_predicate(lexicons: Path) -> None:
    with open(lexicons / "patterns" / "movement.tsv", "a", encoding="utf-8") as fh:
        fh.write(f"meets\t{{S}} {MADE_UP} {{O}}\t0.8\tx\n")
    with pytest.raises(LexiconError, match="family 'movement' produces"):
        RelationExtractor(lexicon_dir=str(lexicons))


def test_missing_lexicon_file_is_an_error(lexicons: Path) -> None:
    (lexicons / "light_verbs.txt").unlink()
    with pytest.raises(LexiconError, match=re.escape("light_verbs.txt is missing")):
        RuleSet.load(lexicons)


def test_unknown_family_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown relation rule families"):
        RelationExtractor(families=["says", "telepathy"])


def test_every_family_declares_schema_predicates() -> None:
    names = [f.name for f in registered()]
    assert names[:2] == ["appositions", "says"]
    assert {"movement", "meetings", "interstate", "supplies", "embassy", "located_in", "membership"} <= set(names)
    comp = RelationExtractor()
    for fam in comp.plan:
        for compiled in comp.rules.patterns.get(fam.name, ()):
            assert compiled.pattern.predicate in fam.predicates


def test_every_lexicon_file_is_documented() -> None:
    readme = (lexicon_dir() / "README.md").read_text(encoding="utf-8")
    for path in sorted(lexicon_dir().iterdir()):
        if path.is_file() and path.name != "README.md":
            assert f"| {path.name} |" in readme, f"{path.name} is not in data/lexicons/relations/README.md"


# ----------------------------------------------------------------------------- serialisation


def test_component_bytes_round_trip(lexicons: Path) -> None:
    (lexicons / "patterns" / "excursions.tsv").write_text(f"visits\t{{S}} {MADE_UP} {{O}}\t0.8\tmade_up_trip\n",
                                                         encoding="utf-8")
    source = RelationExtractor(lexicon_dir=str(lexicons))
    target = RelationExtractor().from_bytes(source.to_bytes())
    assert dict(target.rules.files) == dict(source.rules.files)
    assert "excursions" in target.families


def test_component_pickles() -> None:
    """spaCy's multiprocessing may pickle the pipeline: the rule set must survive it."""
    comp = RelationExtractor()
    back = pickle.loads(pickle.dumps(comp))
    assert back.families == comp.families and dict(back.rules.files) == dict(comp.rules.files)
    assert back.rules.patterns == comp.rules.patterns


def test_component_to_disk_writes_the_lexicon_folder(tmp_path: Path) -> None:
    comp = RelationExtractor()
    comp.to_disk(tmp_path / "rel")
    saved = tmp_path / "rel" / LEXICON_SUBDIR
    bundled = sorted(p.relative_to(lexicon_dir()).as_posix() for p in lexicon_dir().rglob("*") if p.is_file())
    assert sorted(p.relative_to(saved).as_posix() for p in saved.rglob("*") if p.is_file()) == bundled
    # edit the saved copy: the component read back from it extracts the new pattern
    (saved / "patterns" / "excursions.tsv").write_text(f"visits\t{{S}} {MADE_UP} {{O}}\t0.8\tmade_up_trip\n",
                                                      encoding="utf-8")
    back = RelationExtractor().from_disk(tmp_path / "rel")
    assert "excursions" in back.families and "excursions" not in comp.families


def test_saved_component_loads_where_its_configured_folder_is_absent(tmp_path: Path, lexicons: Path) -> None:
    """spacy.load builds the component from config.cfg before from_disk: a lexicon folder named there that
    is absent on this machine is not an error when the saved pipeline brings its own."""
    comp = RelationExtractor(lexicon_dir=str(lexicons))
    comp.to_disk(tmp_path / "rel")
    shutil.rmtree(lexicons)
    waiting = RelationExtractor(lexicon_dir=str(lexicons))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        waiting.extract(blank_nlp()("متن."))
    back = waiting.from_disk(tmp_path / "rel")
    assert back.families == comp.families and dict(back.rules.files) == dict(comp.rules.files)


SAYS_TEXT = f"حسن روحانی {MADE_UP}: «اقتصاد ایران امروز بسیار قوی است.»"


def test_saved_pipeline_carries_its_lexicons(tmp_path: Path) -> None:
    """Save the built-in pipeline, add a reporting verb inside the saved folder, load it: the verb now reports."""
    pipeline = fa_relations.load()
    before = pipeline(SAYS_TEXT)
    assert not [t for t in before.triples if t.predicate == "says"]
    pipeline.save(tmp_path / "saved")
    saved = tmp_path / "saved" / "fa_relation_extractor" / LEXICON_SUBDIR
    assert (saved / "reporting_verbs.tsv").is_file() and (saved / "patterns" / "movement.tsv").is_file()
    with open(saved / "reporting_verbs.tsv", "a", encoding="utf-8") as fh:
        fh.write(f"{MADE_UP}\t0.8\n")
    after = fa_relations.load(tmp_path / "saved")(SAYS_TEXT)
    says = [(t.subject.text, t.object.text) for t in after.triples if t.predicate == "says"]
    assert says == [("حسن روحانی", "اقتصاد ایران امروز بسیار قوی است")]


# Sentences written for these tests (issue 12: errors read in news the rules should stop making).
@pytest.mark.parametrize(("text", "ents", "expected"), [
    # a country heading a headline speaks
    ("ژاپن : همکاری با کره جنوبی ادامه خواهد یافت", [("ژاپن", "COUNTRY"), ("کره جنوبی", "COUNTRY")],
     ("ژاپن", "says", "همکاری با کره جنوبی ادامه خواهد یافت")),
    # after a short topic opening, and with the topic named before «:»
    ("بودجه سال آینده؛ مریم کاظمی درباره مالیات : درآمدها کافی نیست", [("مریم کاظمی", "PER")],
     ("مریم کاظمی", "says", "درآمدها کافی نیست")),
    # a speech noun opens the headline, and what is answered comes before «:»
    ("واکنش مریم کاظمی به منتقدان : گزارش ما کامل است", [("مریم کاظمی", "PER")],
     ("مریم کاظمی", "says", "گزارش ما کامل است")),
    # «گزارش داد» may take its statement without «که»
    ("سازمان ملل گزارش داد شمار پناهجویان به دو میلیون نفر رسیده است .", [("سازمان ملل", "ORG")],
     ("سازمان ملل", "says", "شمار پناهجویان به دو میلیون نفر رسیده است")),
])
def test_headline_speakers(text: str, ents: list[tuple[str, str]], expected: tuple[str, str, str]) -> None:
    assert expected in {t[:3] for t in _extract(None, text, ents)}


@pytest.mark.parametrize(("text", "ents"), [
    # a negated reporting verb reports nothing
    ("مریم کاظمی هرگز نگفت که قیمت‌ها بالا می‌رود .", [("مریم کاظمی", "PER")]),
    ("مریم کاظمی اعلام نکرد که جلسه کی برگزار می‌شود .", [("مریم کاظمی", "PER")]),
    # the speaker is the sister, not the person named after her
    ("خواهر مریم کاظمی می‌گوید که او هفته گذشته آزاد شد .", [("مریم کاظمی", "PER")]),
])
def test_no_statement_attributed(text: str, ents: list[tuple[str, str]]) -> None:
    assert not any(t[1] == "says" for t in _extract(None, text, ents))
    positive = text.replace("هرگز نگفت", "گفت").replace("اعلام نکرد", "اعلام کرد").replace("خواهر ", "")
    assert any(t[1] == "says" for t in _extract(None, positive, ents))


@pytest.mark.parametrize(("text", "ents", "expected"), [
    # a title without its own organisation, then «و» and a title with one
    ("محمد سعیدی، نماینده ولی فقیه و امام جمعه قم، گفت: حرم بسته نمی‌شود.", [("محمد سعیدی", "PER"), ("قم", "CITY")],
     {("محمد سعیدی", "position_held", "قم"), ("محمد سعیدی", "says", "حرم بسته نمی‌شود")}),
    # two titles, each with its own state or organisation
    ("حسن روحانی، رئیس جمهور ایران و رئیس شورای عالی امنیت ملی، گفت: مذاکره نمی‌کنیم.",
     [("حسن روحانی", "PER"), ("ایران", "COUNTRY"), ("شورای عالی امنیت ملی", "ORG")],
     {("حسن روحانی", "position_held", "ایران"), ("حسن روحانی", "position_held", "شورای عالی امنیت ملی")}),
])
def test_coordinated_titles_in_an_apposition(text: str, ents: list[tuple[str, str]], expected: set) -> None:
    assert expected <= {t[:3] for t in _extract(None, text, ents)}


def test_honorifics_before_a_slot_belong_to_it() -> None:
    text = "مریم کاظمی در تهران با آیت‌الله حسن جعفری دیدار کرد ."
    got = {t[:3] for t in _extract(None, text, [("مریم کاظمی", "PER"), ("تهران", "CITY"), ("حسن جعفری", "PER")])}
    assert ("مریم کاظمی", "meets", "حسن جعفری") in got


def test_the_same_title_again_is_a_second_person() -> None:
    text = "مریم کاظمی، وزیر بهداشت ژاپن و وزیر بهداشت فرانسه دیداری دو نفره داشتند ."
    got = {t[:3] for t in _extract(None, text, [("مریم کاظمی", "PER"), ("ژاپن", "COUNTRY"), ("فرانسه", "COUNTRY")])}
    assert ("مریم کاظمی", "position_held", "ژاپن") in got
    assert ("مریم کاظمی", "position_held", "فرانسه") not in got


def test_a_university_is_located_in_its_place_but_a_ministry_is_not() -> None:
    uni = "پژوهشگران دانشگاه بیرمنگام در بریتانیا این ستاره را یافتند ."
    got = {t[:3] for t in _extract(None, uni, [("دانشگاه بیرمنگام", "ORG"), ("بریتانیا", "COUNTRY")])}
    assert ("دانشگاه بیرمنگام", "located_in", "بریتانیا") in got
    ministry = "وزارت بهداشت در تهران اعلام کرد که آمار کاهش یافته است ."
    got = {t[:3] for t in _extract(None, ministry, [("وزارت بهداشت", "ORG"), ("تهران", "CITY")])}
    assert not any(t[1] == "located_in" for t in got)
