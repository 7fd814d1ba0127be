"""fa_relations: Persian text to entities and relation triples.

>>> import fa_relations
>>> nlp = fa_relations.load()                      # doctest: +SKIP
>>> doc = nlp("اسحاق هرتزوگ وارد باکو شد.")         # doctest: +SKIP
"""

from .__about__ import __version__
from .corpus import ExtractionSummary, extract_corpus
from .display import render
from .frames import entities_frame, read_corpus, to_networkx, triples_frame
from .pipeline import Pipeline, load
from .schema import (
    ENTITY_LABELS,
    PREDICATES,
    Argument,
    Document,
    Entity,
    Mention,
    Sentence,
    Token,
    Triple,
    read_jsonl,
    write_jsonl,
)
from .text import NormalizedText, Normalizer, normalize

__all__ = [
    "ENTITY_LABELS",
    "PREDICATES",
    "Argument",
    "Document",
    "Entity",
    "ExtractionSummary",
    "Mention",
    "NormalizedText",
    "Normalizer",
    "Pipeline",
    "Sentence",
    "Token",
    "Triple",
    "__version__",
    "entities_frame",
    "extract_corpus",
    "load",
    "normalize",
    "read_corpus",
    "read_jsonl",
    "render",
    "to_networkx",
    "triples_frame",
    "write_jsonl",
]
