"""fa_relations: Persian text to entities and relation triples.

>>> import fa_relations
>>> nlp = fa_relations.load()                      # doctest: +SKIP
>>> doc = nlp("اسحاق هرتزوگ وارد باکو شد.")         # doctest: +SKIP
"""

from .__about__ import __version__
from .corpus import ExtractionSummary, extract_corpus
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
    "extract_corpus",
    "load",
    "normalize",
    "read_jsonl",
    "write_jsonl",
]
