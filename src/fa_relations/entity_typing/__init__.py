"""Entity typing and linking (issue #4).

- :mod:`.gazetteer`: CLDR Persian country/city names (babel) plus the curated
  additions in ``data/gazetteers``; :class:`Gazetteer.lookup` and
  :func:`demonym_country` match through the normaliser.
- :mod:`.typer`: COUNTRY / CITY / LOC typing of one mention in its sentence.
- :mod:`.clusters`: within-document clusters and canonical forms.
- :mod:`.component`: the ``fa_entity_typer`` spaCy component.
- :mod:`.evaluate`: typing accuracy against ``data/typing/loc_gold.jsonl``.
"""

from .clusters import MentionInfo, assign_clusters
from .component import EntityTyper, make_entity_typer
from .gazetteer import (
    CITY,
    COUNTRY,
    LOC,
    Gazetteer,
    GazetteerEntry,
    build_gazetteer,
    default_gazetteer,
    demonym_country,
    lookup,
    name_key,
)
from .typer import PlaceTyping, resolve_name, type_org, type_place

__all__ = [
    "CITY",
    "COUNTRY",
    "LOC",
    "EntityTyper",
    "Gazetteer",
    "GazetteerEntry",
    "MentionInfo",
    "PlaceTyping",
    "assign_clusters",
    "build_gazetteer",
    "default_gazetteer",
    "demonym_country",
    "lookup",
    "make_entity_typer",
    "name_key",
    "resolve_name",
    "type_org",
    "type_place",
]
