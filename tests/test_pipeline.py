"""The public API: load(), Pipeline, Document, bad input, serialisation."""

from __future__ import annotations

import io

import pytest

import fa_relations
from fa_relations import Document, read_jsonl, write_jsonl


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"], 3.5])
def test_non_string_raises_type_error_naming_the_type(nlp_no_ner, bad) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        nlp_no_ner(bad)


@pytest.mark.parametrize("blank", ["", " ", "\n\t  \u200c", "\u200f\u202b"])
def test_blank_text_gives_empty_document(nlp_no_ner, blank: str) -> None:
    doc = nlp_no_ner(blank)
    assert doc.text == blank
    assert doc.entities == [] and doc.triples == []
    assert all(t.text.strip("\u200f\u202b") == "" or t.text for t in doc.tokens)


@pytest.mark.parametrize(
    "text",
    [
        "Hello world, this is Latin text 123.",
        "سلام 😀 دنیا 🇮🇷!",
        "lone \ud800 surrogate و \udfff",
        "\x00\x01\x02 کنترل \x7f",
        "ﻻ ﷲ ﷺ",
    ],
)
def test_odd_input_keeps_the_offset_invariant(nlp_no_ner, text: str) -> None:
    doc = nlp_no_ner(text)
    assert doc.text == text
    assert doc.tokens, "every one of these inputs has words"
    for tok in doc.tokens:
        assert text[tok.start:tok.end] == tok.text


def test_one_megabyte_document(nlp_no_ner) -> None:
    unit = "اسحاق هرتزوگ، رئيسجمهوري اسرائيل، روز سهشنبه وارد باکو شد و گفت: «ما آمدهایم.» "
    text = unit * (1_000_000 // len(unit) + 1)
    doc = nlp_no_ner(text)
    assert len(doc.sentences) > 1000
    last = doc.tokens[-1]
    assert text[last.start:last.end] == last.text
    assert doc.tokens[-1].end <= len(text)


def test_tokens_carry_surface_and_norm(nlp_no_ner) -> None:
    text = "رئيسجمهوري آمريكا میرود"
    doc = nlp_no_ner(text)
    pairs = [(t.text, t.norm) for t in doc.tokens]
    assert pairs == [("رئيسجمهوري", "رئیس\u200cجمهوری"), ("آمريكا", "آمریکا"), ("میرود", "می\u200cرود")]


def test_document_round_trips_through_json_lines(nlp_no_ner) -> None:
    docs = list(nlp_no_ner.pipe(["سلام دنیا.", "میروم به تهران."], ids=["a", "b"]))
    buf = io.StringIO()
    assert write_jsonl(docs, buf) == 2
    back = list(read_jsonl(io.StringIO(buf.getvalue())))
    assert [d.id for d in back] == ["a", "b"]
    assert back == docs
    assert Document.from_dict(docs[0].to_dict()) == docs[0]
    assert docs[0].meta["version"] == fa_relations.__version__


def test_pipe_matches_single_calls_and_keeps_order(nlp_no_ner) -> None:
    texts = [f"سند شماره {i} میرسد." for i in range(25)]
    piped = list(nlp_no_ner.pipe(texts, batch_size=4))
    assert [d.text for d in piped] == texts
    assert piped[7].tokens == nlp_no_ner(texts[7]).tokens


def test_pipe_with_two_processes(nlp_no_ner) -> None:
    texts = [f"متن {i} دربارهٔ ایران است." for i in range(12)]
    docs = list(nlp_no_ner.pipe(texts, n_process=2, batch_size=3))
    assert [d.text for d in docs] == texts
    assert docs[3].tokens == nlp_no_ner(texts[3]).tokens


def test_pipe_with_processes_keeps_ids_reads_lazily_and_checks_types(nlp_no_ner) -> None:
    read = []

    def stream():
        for i in range(40):
            read.append(i)
            yield f"گزارش {i} از تهران رسید."

    ids = [f"d{i}" for i in range(40)]
    it = nlp_no_ner.pipe(stream(), n_process=2, batch_size=2, ids=ids)
    first = next(it)
    assert first.id == "d0" and first.text == "گزارش 0 از تهران رسید."
    assert len(read) < 40, "a lazy stream is read a few batches ahead, not all at once"
    rest = list(it)
    assert [d.id for d in rest] == ids[1:]
    assert [d.to_dict() for d in rest[-3:]] == [d.to_dict() for d in nlp_no_ner.pipe(
        [f"گزارش {i} از تهران رسید." for i in range(37, 40)], ids=ids[37:])]
    with pytest.raises(TypeError, match="expected a str"):
        list(nlp_no_ner.pipe(["متن", 3], n_process=2))
    with pytest.raises(ValueError, match="n_process"):
        list(nlp_no_ner.pipe(["متن"], n_process=0))


def test_tag_returns_one_tag_per_word(nlp_no_ner) -> None:
    words = ["اسحاق", "هرتزوگ", "به", "باکو", "رفت", " ", ""]
    tags = nlp_no_ner.tag(words)
    assert len(tags) == len(words)
    assert all(t == "O" or t[:2] in ("B-", "I-") for t in tags)
    assert nlp_no_ner.tag([]) == []
    with pytest.raises(TypeError):
        nlp_no_ner.tag("not a list of words")


def test_saved_pipeline_loads_back(tmp_path, nlp_no_ner) -> None:
    nlp_no_ner.save(tmp_path / "pipe")
    again = fa_relations.load(tmp_path / "pipe")
    text = "رئيسجمهوري آمريكا میرود"
    assert again(text).tokens == nlp_no_ner(text).tokens


def test_load_rejects_a_folder_that_is_not_a_pipeline(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="not a saved fa_relations pipeline"):
        fa_relations.load(tmp_path)
