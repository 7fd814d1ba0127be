"""Document.tokens is a compact TokenList: it behaves as the list of Token objects it replaced."""

from __future__ import annotations

import pickle
import sys

import pytest

from fa_relations.schema import Document, Token, TokenList, read_jsonl, write_jsonl

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
    size = sum(sys.getsizeof(x) for x in (tokens._starts, tokens._ends, tokens._norms))
    size += sum(sys.getsizeof(v) for v in tokens._norms.values())
    per_token = size / len(tokens)
    print(f"tokens: {len(tokens):,}, {per_token:.1f} bytes each (Token objects: about 400)")
    assert per_token < 60
