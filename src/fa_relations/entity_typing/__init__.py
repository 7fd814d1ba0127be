"""Entity typing and linking (issue #4).

- :mod:`.places`: the place types, :class:`GazetteerEntry`, :class:`PlaceTyping`
  and :func:`name_key` (the text layer's look-up key with the place-name folds).
- :mod:`.names`: typing a place name by itself (gazetteer entry, generic head, qualifier).
- :mod:`.gazetteer`: CLDR Persian country/city names (babel) plus the curated
  additions in ``data/gazetteers``; :class:`Gazetteer.lookup` and
  :func:`demonym_country` match through :func:`name_key`.
- :mod:`.typer`: COUNTRY / CITY / LOC typing of one mention in its sentence.
- :mod:`.clusters`: within-document clusters and canonical forms.
- :mod:`.component`: the ``fa_entity_typer`` spaCy component.

Typing accuracy against ``data/typing/loc_gold.jsonl`` is research code:
:mod:`fa_relations.evaluation.entity_typing`.
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
