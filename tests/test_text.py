"""The text layer: normalisation, ZWNJ restoration, offsets back to the input, tokenisation."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fa_relations import normalize
from fa_relations.text import ZWNJ, Normalizer, NormalizerConfig
from fa_relations.text.tokenizer import split_sentences, tokenize_words

Z = ZWNJ


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("كتاب", "کتاب"),
        ("علي", "علی"),
        ("رئيسجمهوري", f"رئیس{Z}جمهوری"),
        ("میروند", f"می{Z}روند"),
        ("نمیخواست", f"نمی{Z}خواست"),
        ("سهشنبه", f"سه{Z}شنبه"),
        ("نخستوزیر", f"نخست{Z}وزیر"),
        ("پرچمهای", f"پرچم{Z}های"),
        ("بزرگترین", f"بزرگ{Z}ترین"),
        ("کتابها", f"کتاب{Z}ها"),
        ("داروها", "داروها"),  # no ZWNJ after a non-joining letter
        ("تنها", "تنها"),  # a word of its own, not تن + ها
        ("می روند", f"می{Z}روند"),
        ("کتاب ها", f"کتاب{Z}ها"),
        ("مُحَمَّد", "محمد"),
        ("ایـــران", "ایران"),
        ("سال 1402 و ٢٠٢٣", "سال ۱۴۰۲ و ۲۰۲۳"),
        ("سلام ، دنیا", "سلام، دنیا"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


def test_bidi_and_control_characters_are_dropped() -> None:
    out = normalize("ایران\u200f\u202bتهران\x00\ufeff")
    assert out.text == "ایرانتهران"


def test_normalizer_steps_can_be_switched_off() -> None:
    keep = Normalizer(NormalizerConfig(restore_zwnj=False, digits="keep"))
    assert keep("میروند 12").text == "میروند 12"


def test_to_original_maps_restored_word_to_input() -> None:
    raw = "اسحاق هرتزوگ، رئيسجمهوري اسرائیل"
    out = normalize(raw)
    start = out.text.index("رئیس")
    end = start + len(f"رئیس{Z}جمهوری")
    s, e = out.to_original(start, end)
    assert raw[s:e] == "رئيسجمهوري"
    assert out.from_original(s, e) == (start, end)


def test_tokenizer_keeps_zwnj_words_and_numbers_whole() -> None:
    text = normalize("او میگوید قیمت ۱۲.۵ درصد رشد کرد.").text
    words = [text[t.start:t.end] for t in tokenize_words(text)]
    assert words == ["او", f"می{Z}گوید", "قیمت", "۱۲.۵", "درصد", "رشد", "کرد", "."]


def test_sentences_do_not_split_inside_quotes() -> None:
    text = "او گفت: «ما آمدیم. ما رفتیم.» سپس رفت. پایان"
    toks = tokenize_words(text)
    sents = [text[toks[a].start:toks[b - 1].end] for a, b in split_sentences(text, toks)]
    assert sents == ["او گفت: «ما آمدیم. ما رفتیم.»", "سپس رفت.", "پایان"]


def test_unclosed_quote_does_not_swallow_the_document() -> None:
    text = "«" + " ".join(["جمله یک."] * 600)
    toks = tokenize_words(text)
    assert len(split_sentences(text, toks)) > 1


persian = st.sampled_from(list("آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ"))
variants = st.sampled_from(list("يكةۀأإؤىھ") + ["\u064e", "\u0651", "\u0640"])
others = st.sampled_from(
    list("abcXYZ0123456789۰۱۲۳٤٥٦") + [" ", "  ", "\n", "\t", Z, Z + Z, "\u200f", "\u202b", "\ufeff",
                                        "،", ".", "!", "؟", "«", "»", ":", "(", ")", "\ud800", "😀", "\x00", "ﻻ", "ﷲ", "\r\n"]
)
mixed_text = st.lists(st.one_of(persian, persian, persian, variants, others), max_size=80).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_text)
def test_offsets_always_point_into_the_input(raw: str) -> None:
    out = normalize(raw)
    assert len(out.starts) == len(out.text) == len(out.ends)
    for i in range(len(out.text)):
        assert 0 <= out.starts[i] <= out.ends[i] <= len(raw)
    for tok in tokenize_words(out.text):
        s, e = out.to_original(tok.start, tok.end)
        assert 0 <= s < e <= len(raw)
        assert out.from_original(s, e)[0] <= tok.start


ZWNJ_WORDS = ["میروند", "کتابهایشان", "رئیسجمهوری", "بزرگترین", "نمیدانم", "خانهها", "تنها", "بیشتر"]


def test_hazm_lexicon_cache_round_trip(tmp_path, monkeypatch) -> None:
    """The derived hazm lexicons are cached under $FA_RELATIONS_CACHE; a restorer reading the
    cache decides exactly as one that derived them, and a damaged cache is rebuilt."""
    from fa_relations.text.zwnj import ZwnjRestorer

    monkeypatch.setenv("FA_RELATIONS_CACHE", str(tmp_path))
    first = ZwnjRestorer()
    derived = [first.restore(w) for w in ZWNJ_WORDS]
    files = list(tmp_path.glob("hazm-zwnj-lexicons-*.json"))
    assert len(files) == 1 and files[0].stat().st_size > 100_000
    assert derived[0] == "می" + ZWNJ + "روند" and derived[-1] == "بیشتر"

    assert [ZwnjRestorer().restore(w) for w in ZWNJ_WORDS] == derived

    files[0].write_text("{not json", encoding="utf-8")
    assert [ZwnjRestorer().restore(w) for w in ZWNJ_WORDS] == derived
    assert files[0].read_text(encoding="utf-8").startswith("{\"plain\"")


def test_unwritable_cache_folder_is_not_an_error(tmp_path, monkeypatch) -> None:
    from fa_relations.text.zwnj import ZwnjRestorer

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("FA_RELATIONS_CACHE", str(blocker / "cache"))  # cannot be created
    assert ZwnjRestorer().restore("میروند") == "می" + ZWNJ + "روند"
