"""Hostile and odd inputs (issue 15, item 2): no crash, valid offsets, the same output twice.

Property-based (hypothesis) over ``normalize``, the tokenizer, ``nlp()`` and
``nlp.tag()`` with the real built-in pipeline: any Unicode (all planes, lone
surrogates, bidi and zero-width controls), mixed scripts; then a few long
inputs (a 100,000-character word, a 100,000-character line without spaces),
text that is only punctuation or only ZWNJ. The number of examples each
property ran is printed in the run's summary (``reliability: ...``).
"""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fa_relations
from fa_relations import Document, normalize
from fa_relations.text.tokenizer import split_sentences, tokenize_words

from .test_text import mixed_text

#: Bidi, zero-width and other format controls a copied web page carries.
CONTROLS = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
            "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\ufeff", "\u00ad", "\u2028", "\u2029", "\x00", "\x85"]
PERSIAN = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ۰۱۲۳۴۵۶۷۸۹،؛؟«»"
#: Any code point of any plane, lone surrogates included (a Python str may hold them).
any_char = st.characters(exclude_categories=())
hostile_text = st.lists(
    st.one_of(any_char, st.sampled_from(CONTROLS), st.sampled_from(list(PERSIAN)), st.sampled_from([" ", "\n", ". "])),
    max_size=60,
).map("".join)
mixed_scripts = st.lists(
    st.sampled_from(["ایران", "تهران", "Paris", "Москва", "北京", "עברית", "ελληνικά", "हिन्दी", "😀", "🇮🇷",
                     "۱۴۰۲", "2023", "https://x.ir/a?b=1", "a@b.com", "<b>", "&amp;", "…", ".", "«", "»", " ", "\n",
                     "\u200c", "\u200f"]),
    max_size=40,
).map("".join)
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@pytest.fixture(scope="module")
def nlp():
    return fa_relations.load()


def assert_valid(doc: Document, text: str) -> None:
    """Every offset of ``doc`` points at its text in ``text``; sentences are ordered and hold every token."""
    assert doc.text == text
    for x in [*doc.tokens, *doc.entities, *doc.sentences]:
        assert 0 <= x.start < x.end <= len(text) and text[x.start:x.end] == x.text, x
    for t in doc.triples:
        for arg in (t.subject, t.object):
            assert text[arg.start:arg.end] == arg.text, t
            if arg.resolved_from is not None:
                assert text[arg.resolved_from.start:arg.resolved_from.end] == arg.resolved_from.text, t
        for m in t.evidence:
            assert text[m.start:m.end] == m.text, t
        if t.sentence is not None:
            assert 0 <= t.sentence[0] < t.sentence[1] <= len(text)
    bounds = [(s.start, s.end) for s in doc.sentences]
    assert all(a[1] <= b[0] for a, b in pairwise(bounds)), "sentences overlap or are unordered"
    for tok in doc.tokens:
        assert any(s <= tok.start and tok.end <= e for s, e in bounds), f"token {tok} outside every sentence"


def test_normalize_and_tokenizer_any_unicode(report):
    n = 0

    @settings(max_examples=500, **SETTINGS)
    @given(st.one_of(hostile_text, mixed_scripts))
    def check(raw: str) -> None:
        nonlocal n
        n += 1
        out = normalize(raw)
        assert len(out.starts) == len(out.text) == len(out.ends)
        assert all(0 <= s <= e <= len(raw) for s, e in zip(out.starts, out.ends, strict=True))
        spans = tokenize_words(out.text)
        assert all(0 <= a.start < a.end <= len(out.text) for a in spans)
        assert all(a.end <= b.start for a, b in pairwise(spans))
        sents = split_sentences(out.text, spans)
        assert [i for a, b in sents for i in range(a, b)] == list(range(len(spans)))  # each token in one sentence
        assert normalize(raw) == out

    check()
    report("hypothesis examples", n)


def test_pipeline_any_unicode_valid_offsets_and_deterministic(nlp, report):
    n = 0

    @settings(max_examples=80, **SETTINGS)
    @given(st.one_of(hostile_text, mixed_scripts, mixed_text))
    def check(raw: str) -> None:
        nonlocal n
        n += 1
        doc = nlp(raw)
        assert_valid(doc, raw)
        assert nlp(raw).to_dict() == doc.to_dict()

    check()
    report("hypothesis examples", n)


def test_tag_any_words(nlp, report):
    n = 0
    words = st.lists(st.one_of(st.text(any_char, max_size=12), st.sampled_from(["اسحاق", "هرتزوگ", "باکو", "ایران"]),
                               st.sampled_from(CONTROLS)), max_size=30)

    @settings(max_examples=100, **SETTINGS)
    @given(words)
    def check(ws: list[str]) -> None:
        nonlocal n
        n += 1
        tags = nlp.tag(ws)
        assert len(tags) == len(ws)
        assert all(t == "O" or (t[:2] in ("B-", "I-") and len(t) > 2) for t in tags)
        assert nlp.tag(ws) == tags

    check()
    report("hypothesis examples", n)


def _long_inputs() -> dict[str, str]:
    rng = random.Random(15)
    no_space_pool = PERSIAN + "abcXYZ.,!?-_/0123456789\u200c\u200f😀"
    return {
        "one 100,000-character Persian word": "ب" * 100_000,
        "one 100,000-character Latin word": "a" * 100_000,
        "a 100,000-character line without spaces": "".join(rng.choice(no_space_pool) for _ in range(100_000)),
        "a news sentence then a 100,000-character word": "اسحاق هرتزوگ وارد باکو شد. " + "ک" * 100_000,
        "only punctuation": "".join(rng.choice(".،؛؟!«»()…-:\"'") for _ in range(5_000)),
        "only ZWNJ": "\u200c" * 10_000,
        "only bidi and zero-width controls": "".join(rng.choice(CONTROLS) for _ in range(10_000)),
    }


@pytest.mark.parametrize("name", list(_long_inputs()))
def test_long_and_degenerate_inputs(nlp, name, report):
    text = _long_inputs()[name]
    doc = nlp(text)
    assert_valid(doc, text)
    assert nlp(text).to_dict() == doc.to_dict()
    tags = nlp.tag([text, "ایران"])
    assert len(tags) == 2
    report("size", f"{len(text):,} characters, {len(doc.tokens)} tokens")
