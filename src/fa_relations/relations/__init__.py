"""Relation triples by rule (issue #6).

The spaCy component ``fa_relation_extractor`` (registered on import) applies
trigger lexicons and patterns from ``data/lexicons/relations/`` over tokens and
entities, resolves titles and pronouns within the document and writes
:class:`~fa_relations.schema.Triple` objects to ``doc._.triples``.
"""

from .component import RelationExtractor, dedup, make_relation_extractor
from .lexicon import Lexicons, default_lexicons, key
from .oracle import doc_with_entities

__all__ = ["Lexicons", "RelationExtractor", "dedup", "default_lexicons", "doc_with_entities", "key", "make_relation_extractor"]
