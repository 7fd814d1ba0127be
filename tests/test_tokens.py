"""Document.tokens and Document.sentences are compact (TokenList, SentenceList): they behave as the
lists of Token and Sentence objects they replaced."""

from __future__ import annotations

import pickle
import sys

import pytest

from fa_relations.schema import Document, Sentence, SentenceList, Token, TokenList, read_jsonl, write_jsonl

TEXT = "رئيس‌جمهور  اسرائیل به باکو رفت."


def test_tokens_are_a_compact_list_equal_to_the_token_objects(nlp_no_ner) -> None:
    doc = nlp_no_ner(TEXT)
    assert isinstance(doc.tokens, TokenList)
    as_objects = [Token(text=t.text, norm=t.norm, start=t.start, end=t.end) for t in doc.tokens]
    assert doc.tokens == as_objects and as_objects == doc.tokens
    assert [t.text for t in doc.tokens] == [TEXT[t.start:t.end] for t in doc.tokens]
    assert doc.tokens[0].norm != doc.tokens[0].text, "the normaliser changes «ي» and the ZWNJ word"
    assert doc.tokens[-1] == doc.tokens[len(doc.tokens) - 1]
    assert doc.tokens[1:3] == as_objects[1:3]
    assert doc.tokens + doc.entities == [*as_objects, *doc.entities]
    assert [] + doc.tokens == as_objects
    with pytest.raises(IndexError):
        doc.tokens[len(doc.tokens)]
    # a plain list given to Document is stored compactly, and compares equal
    again = Document(text=TEXT, tokens=as_objects)
    assert isinstance(again.tokens, TokenList) and again.tokens == doc.tokens


def test_sentences_are_a_compact_list_equal_to_the_sentence_objects(nlp_no_ner) -> None:
    text = f"{TEXT} او سپس به تهران بازگشت. "
    doc = nlp_no_ner(text)
    assert isinstance(doc.sentences, SentenceList) and len(doc.sentences) == 2
    as_objects = [Sentence(start=s.start, end=s.end, text=s.text) for s in doc.sentences]
    assert all(s.text == text[s.start:s.end] for s in as_objects)
    assert doc.sentences == as_objects
    assert Document(text=text, sentences=as_objects).sentences == doc.sentences


def test_tokens_survive_pickle_and_json(nlp_no_ner, tmp_path) -> None:
    doc = nlp_no_ner(TEXT)
    assert pickle.loads(pickle.dumps(doc)) == doc
    write_jsonl([doc], tmp_path / "d.jsonl")
    (back,) = read_jsonl(tmp_path / "d.jsonl")
    assert back.tokens == doc.tokens and isinstance(back.tokens, TokenList)


def test_tokens_can_be_changed_and_keep_foreign_surfaces() -> None:
    tokens = TokenList("ab cd")
    tokens.append(Token(text="ab", norm="AB", start=0, end=2))
    tokens.append(Token(text="xx", norm="xx", start=3, end=5))  # a surface that is not the text's (read from elsewhere)
    assert [(t.text, t.norm) for t in tokens] == [("ab", "AB"), ("xx", "xx")]
    tokens[1] = Token(text="cd", norm="cd", start=3, end=5)
    assert tokens[1] == Token(text="cd", norm="cd", start=3, end=5)
    assert tokens != [Token(text="ab", norm="ab", start=0, end=2), tokens[1]]


def test_a_token_costs_bytes_not_objects(nlp_no_ner) -> None:
    text = " ".join([TEXT] * 2000)
    tokens = nlp_no_ner(text).tokens
    size = sum(sys.getsizeof(x) for x in (tokens._starts, tokens._ends, tokens._extras))
    size += sum(sys.getsizeof(v) for v in tokens._extras.values())
    per_token = size / len(tokens)
    print(f"tokens: {len(tokens):,}, {per_token:.1f} bytes each (Token objects: about 400)")
    assert per_token < 60
