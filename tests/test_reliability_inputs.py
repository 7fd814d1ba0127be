"""Hostile and odd inputs (issue 15, item 2): no crash, valid offsets, the same output twice.

Property-based (hypothesis) over ``normalize``, the tokenizer, ``nlp()`` and
``nlp.tag()`` with the real built-in pipeline: any Unicode (all planes, lone
surrogates, bidi and zero-width controls), mixed scripts; then a few long
inputs (a 100,000-character word, a 100,000-character line without spaces),
text that is only punctuation or only ZWNJ. The number of examples each
property ran is printed in the run's summary (``reliability: ...``).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import fa_relations
from fa_relations import Document, normalize
from fa_relations.cli import app
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

    @settings(max_examples=60, **SETTINGS)
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

    @settings(max_examples=60, **SETTINGS)
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
    # letters, digits, ZWNJ, marks and a few word-splitting characters, no sentence end: one long sentence
    no_space_pool = PERSIAN[:32] * 3 + "abcXYZ0123456789-/\u200c\u200f\u064b😀"
    return {
        "one 100,000-character Persian word": "ب" * 100_000,
        "one 100,000-character Latin word": "a" * 100_000,
        "a 100,000-character line without spaces": "".join(rng.choice(no_space_pool) for _ in range(100_000)),
        "a news sentence then a 100,000-character word": "اسحاق هرتزوگ وارد باکو شد. " + "ک" * 100_000,
        "only punctuation": "".join(rng.choice(".،؛؟!«»()…-:\"'") for _ in range(1_000)),
        "only ZWNJ": "\u200c" * 10_000,
        "only bidi and zero-width controls": "".join(rng.choice(CONTROLS) for _ in range(10_000)),
    }


@pytest.mark.parametrize("name", list(_long_inputs()))
def test_long_and_degenerate_inputs(nlp, name, report):
    text = _long_inputs()[name]
    doc = nlp(text)  # (the same output twice: the properties above)
    assert_valid(doc, text)
    tags = nlp.tag([text, "ایران"])
    assert len(tags) == 2
    report("size", f"{len(text):,} characters, {len(doc.tokens)} tokens")


# --------------------------------------------------------------------------- files given to fa-relations extract

runner = CliRunner()
LATIN = ["Zürich, Genève et Besançon à l'été.", "Straße für Müller, São Paulo, Ñandú."]


def test_latin1_is_read_when_named_and_refused_by_auto_naming_file_and_line(tmp_path: Path):
    src = tmp_path / "western.txt"
    src.write_bytes(("\n".join(["plain ascii first line", *LATIN]) + "\n").encode("latin-1"))
    ok = runner.invoke(app, ["extract", str(src), "--lines", "-w", "0", "-q", "--encoding", "latin-1"])
    assert ok.exit_code == 0, ok.output
    assert [json.loads(x)["text"] for x in ok.stdout.splitlines()] == ["plain ascii first line", *LATIN]
    out = tmp_path / "auto.jsonl"
    auto = runner.invoke(app, ["extract", str(src), "--lines", "-w", "0", "-q", "--encoding", "auto", "-o", str(out)])
    assert auto.exit_code == 3 and "Traceback" not in auto.output
    (err,) = [json.loads(x) for x in (tmp_path / "auto.errors.jsonl").read_text("utf-8").splitlines()]
    assert err["source"] == str(src)
    assert "cannot detect the encoding: line 2, byte 0xfc" in err["reason"] and "--encoding" in err["reason"]
    default = runner.invoke(app, ["extract", str(src), "--lines", "-w", "0", "-q", "-o", str(tmp_path / "d.jsonl")])
    assert default.exit_code == 3  # read as UTF-8: the two Latin-1 lines are errors naming their line
    errs = [json.loads(x) for x in (tmp_path / "d.errors.jsonl").read_text("utf-8").splitlines()]
    assert [e["location"] for e in errs] == ["line 2", "line 3"]
    assert all("invalid UTF-8" in e["reason"] and "--encoding" in e["reason"] for e in errs)


def test_nul_bytes_and_broken_json_are_reported_and_the_rest_processed(tmp_path: Path):
    good = json.dumps({"id": "g", "text": "اسحاق هرتزوگ وارد باکو شد."}, ensure_ascii=False).encode()
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(good + b'\n{"id": "nul", "text": "a\x00b"}\n{"id": "cut", "text": "\xd8\xa7\n'
                    + good.replace(b'"g"', b'"g2"') + b"\n\x00\x00\x00\n")
    out = tmp_path / "o.jsonl"
    r = runner.invoke(app, ["extract", str(src), "-w", "0", "-q", "-o", str(out)])
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert [json.loads(x)["id"] for x in out.read_text("utf-8").splitlines()] == ["g", "g2"]
    errs = [json.loads(x) for x in (tmp_path / "o.errors.jsonl").read_text("utf-8").splitlines()]
    assert [e["location"] for e in errs] == ["line 2", "line 3", "line 5"]
    assert all(e["reason"].startswith("invalid JSON") for e in errs)
    txt = tmp_path / "nul.txt"  # in plain text a NUL is a control character like any other: dropped, offsets kept
    txt.write_bytes("ایران\x00تهران\n".encode())
    t = runner.invoke(app, ["extract", str(txt), "--lines", "-w", "0", "-q"])
    assert t.exit_code == 0
    doc = json.loads(t.stdout)
    assert doc["text"] == "ایران\x00تهران"
    assert all(doc["text"][s["start"]:s["end"]] == s["text"] for s in doc["sentences"])


# --------------------------------------------------------------------------- size (issue 15, item 3)


def test_long_text_gives_the_results_of_its_paragraphs_one_by_one(nlp, seed_article: str, report):
    paragraphs = [p for p in seed_article.splitlines() if p.strip()]
    long_paragraph = " ".join(paragraphs)  # longer than the limit set below: cut after a sentence end
    parts = [*paragraphs, long_paragraph, *paragraphs[:3]]
    text = "\n\n".join(parts) + "\n"
    limit = max(len(p) for p in paragraphs) + 10
    assert len(long_paragraph) > limit and len(text) > limit
    saved = nlp.max_chunk_chars
    nlp.max_chunk_chars = limit
    try:
        doc = nlp(text)
        again = next(nlp.pipe([text]))
    finally:
        nlp.max_chunk_chars = saved
    assert_valid(doc, text)
    assert again.to_dict() == doc.to_dict()
    want_ents, want_triples, at = [], [], 0
    for p in parts:
        at = text.index(p, at)
        if p is long_paragraph:  # analysed in pieces: compare its entities' places only through validity
            at += len(p)
            continue
        one = nlp(p)
        want_ents += [(e.start + at, e.end + at, e.label, e.text) for e in one.entities]
        want_triples += [(t.subject.start + at, t.predicate, t.object.start + at, t.method) for t in one.triples]
        at += len(p)
    cut = text.index(long_paragraph)
    got = [(e.start, e.end, e.label, e.text) for e in doc.entities if not cut <= e.start < cut + len(long_paragraph)]
    got_t = [(t.subject.start, t.predicate, t.object.start, t.method) for t in doc.triples
             if not cut <= t.subject.start < cut + len(long_paragraph)]
    assert got == want_ents and got_t == want_triples
    assert want_ents and want_triples
    report("size", f"{len(text):,} characters in {len(parts)} paragraphs, max_chunk_chars {limit}: "
                   f"{len(doc.entities)} entities, {len(doc.triples)} triples")


MEMORY_SCRIPT = """
import json, sys
import fa_relations
from fa_relations.evaluation.bench import peak_rss_mb as peak  # VmHWM: this process's own peak
nlp = fa_relations.load()
unit = open(sys.argv[1], encoding="utf-8").read()
out = {}
for mb in (0.2, float(sys.argv[2])):
    text = unit * int(mb * 1e6 // len(unit.encode()) + 1)
    doc = nlp(text, tokens=False)
    out[mb] = {"peak_mb": peak(), "sentences": len(doc.sentences), "chars": len(text)}
    del text, doc
print(json.dumps(out))
"""


def test_long_text_memory_is_bounded(tmp_path: Path, seed_article: str, report):
    """With the whole pipeline (NER included), peak memory hardly grows from a 0.2 MB to a 1 MB text
    (analysed whole, a 1.25 MB text made the peak grow by 135 MB here); what grows is the output.
    The 20 MB and 50 MB figures come from ``fa-relations bench`` and ``benchmarks/long_document.py``."""
    unit = tmp_path / "unit.txt"
    unit.write_text(seed_article.strip() + "\n\n", encoding="utf-8")
    script = tmp_path / "mem.py"
    script.write_text(MEMORY_SCRIPT, encoding="utf-8")
    big = 1.0
    r = subprocess.run([sys.executable, str(script), str(unit), str(big)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    small_run, big_run = json.loads(r.stdout.strip().splitlines()[-1]).values()
    assert big_run["sentences"] > 4 * small_run["sentences"]
    growth = big_run["peak_mb"] - small_run["peak_mb"]
    report("size", f"0.2 MB then {big} MB of text ({big_run['chars']:,} characters): peak RSS "
                   f"{small_run['peak_mb']:.0f} MB then {big_run['peak_mb']:.0f} MB")
    assert growth < 40, f"peak memory grew by {growth:.0f} MB for {big - 0.2:.1f} MB more text"
