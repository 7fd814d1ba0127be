"""fa_relations: Persian text to entities and relation triples.

>>> import fa_relations
>>> nlp = fa_relations.load()                      # doctest: +SKIP
>>> doc = nlp("اسحاق هرتزوگ وارد باکو شد.")         # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .__about__ import __version__

if TYPE_CHECKING:
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

#: Public name → the module that defines it. ``import fa_relations`` imports none of them: spaCy
#: (and through thinc, torch) loads only when a name that needs it is first used, so
#: ``fa-relations --help`` and ``fa_relations.normalize`` start fast (PEP 562 module ``__getattr__``).
_LAZY: dict[str, str] = {
    **dict.fromkeys(("ExtractionSummary", "extract_corpus"), ".corpus"),
    "render": ".display",
    **dict.fromkeys(("entities_frame", "read_corpus", "to_networkx", "triples_frame"), ".frames"),
    **dict.fromkeys(("Pipeline", "load"), ".pipeline"),
    **dict.fromkeys(("ENTITY_LABELS", "PREDICATES", "Argument", "Document", "Entity", "Mention", "Sentence", "Token",
                     "Triple", "read_jsonl", "write_jsonl"), ".schema"),
    **dict.fromkeys(("NormalizedText", "Normalizer", "normalize"), ".text"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
