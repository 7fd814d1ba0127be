"""Documents as pandas data frames and as a networkx graph.

- :func:`triples_frame`: one row per triple (both arguments' text, label, ISO
  code, canonical name and offsets, predicate, attributes, confidence, method,
  sentence), the same columns as the corpus writers' ``--rows triples``
  (:mod:`fa_relations.rows`), plus ``doc_id``.
- :func:`entities_frame`: one row per entity.
- :func:`read_corpus`: the output of ``fa-relations extract`` (a JSON Lines
  file, or a folder of JSON Lines or Parquet shards, in either row layout) as
  one of those frames.
- :func:`to_networkx`: a multigraph whose nodes are canonical entities (the
  typing stage's ISO code or canonical name merges the names of one state)
  and whose edges are triples with counts and evidence.

pandas and networkx are imported when these functions run, not with the library.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .rows import TRIPLE_COLUMNS, document_from_row, triple_rows

if TYPE_CHECKING:  # pragma: no cover
    import networkx
    import pandas


class Document(Protocol):
    """What these functions need of a :class:`fa_relations.schema.Document` (which uses them)."""

    def to_dict(self, *, include_tokens: bool = True) -> dict[str, Any]: ...

ENTITY_COLUMNS = ("doc_id", "text", "label", "start", "end", "iso", "canonical", "cluster", "score")
ROW_KINDS = ("triples", "entities")


def as_records(docs: Document | dict | Iterable[Document | dict]) -> list[dict[str, Any]]:
    """Documents or their dicts (``Document.to_dict()``), one or many, as dicts without tokens."""
    items = [docs] if isinstance(docs, dict) or hasattr(docs, "to_dict") else list(docs)
    return [d if isinstance(d, dict) else d.to_dict(include_tokens=False) for d in items]


def triples_frame(docs: Document | dict | Iterable[Document | dict]) -> pandas.DataFrame:
    """One row per triple of ``docs`` (see the module docstring)."""
    import pandas as pd  # heavy: only when a frame is asked for

    rows = [row for d in as_records(docs) for row in triple_rows(d)]
    return pd.DataFrame(rows, columns=list(TRIPLE_COLUMNS))


def entities_frame(docs: Document | dict | Iterable[Document | dict]) -> pandas.DataFrame:
    """One row per entity of ``docs``: ``doc_id`` and the SCHEMA entity fields."""
    import pandas as pd  # heavy: only when a frame is asked for

    rows = [{"doc_id": d.get("id"), **{k: e.get(k) for k in ENTITY_COLUMNS[1:]}}
            for d in as_records(docs) for e in d.get("entities") or []]
    return pd.DataFrame(rows, columns=list(ENTITY_COLUMNS))


def _corpus_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"no corpus output at {path}")
    files = sorted(p for p in path.glob("part-*") if p.suffix in (".jsonl", ".parquet"))
    if not files:
        raise FileNotFoundError(f"{path} holds no part-*.jsonl or part-*.parquet shards")
    return files


def _read_rows(files: list[Path]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in files:
        if f.suffix == ".parquet":
            import pyarrow.parquet as pq  # heavy: only for Parquet output

            rows += pq.read_table(f).to_pylist(maps_as_pydicts="strict")
        else:
            rows += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def read_corpus(path: str | Path, rows: str = "triples") -> pandas.DataFrame:
    """The output of ``fa-relations extract`` at ``path`` as a frame of ``rows`` (``triples`` or ``entities``).

    Reads a ``.jsonl`` file or a folder of ``part-*`` shards (JSON Lines or
    Parquet), written with ``--rows documents`` or ``--rows triples``; the
    errors file and manifest are not data. Entities need ``--rows documents``.
    """
    if rows not in ROW_KINDS:
        raise ValueError(f"rows must be one of {ROW_KINDS}, got {rows!r}")
    import pandas as pd  # heavy: only when a frame is asked for

    records = _read_rows(_corpus_files(Path(path)))
    if records and "triple_index" in records[0]:  # written with --rows triples
        if rows == "entities":
            raise ValueError(f"{path} holds one row per triple (--rows triples): it has no entities")
        return pd.DataFrame(records)
    docs = [document_from_row(r) if "n_entities" in r else r for r in records]
    return triples_frame(docs) if rows == "triples" else entities_frame(docs)


def argument_iso(arg: dict[str, Any], known_iso: dict[str, str] | None = None) -> str | None:
    """The ISO code of an entity or argument; for a COUNTRY that came without one (e.g. a state
    split off an organisation by the relation rules), the code ``known_iso`` gives its canonical
    name or surface (names of countries typed elsewhere → code)."""
    if arg.get("iso") or arg.get("label") != "COUNTRY" or not known_iso:
        return arg.get("iso")
    return known_iso.get(arg.get("canonical") or arg["text"]) or known_iso.get(arg["text"])


def node_key(arg: dict[str, Any], known_iso: dict[str, str] | None = None) -> str:
    """The graph node of an entity or argument: its ISO code for a country (see
    :func:`argument_iso`), else its canonical name, so one state stays one node."""
    label = arg.get("label") or "ENT"
    iso = argument_iso(arg, known_iso)
    if label == "COUNTRY" and iso:
        return f"COUNTRY:{iso}"
    return f"{label}:{arg.get('canonical') or arg['text']}"


def to_networkx(docs: Document | dict | Iterable[Document | dict], *, include_says: bool = False) -> networkx.MultiDiGraph:
    """A multigraph of canonical entities (nodes) and predicates (edges, keyed by predicate).

    Node attributes: ``label``, ``name`` (canonical or most frequent surface),
    ``iso``, ``mentions`` (count) and ``surfaces`` (every spelling seen). Edge
    attributes: ``predicate``, ``count`` and ``evidence`` (a list of
    ``{doc_id, sentence, method, confidence}``). ``says`` triples (whose
    object is a statement, not an entity) are left out unless ``include_says``.
    """
    import networkx as nx  # heavy: only when a graph is asked for

    g = nx.MultiDiGraph()
    records = list(as_records(docs))
    known_iso = {
        name: e["iso"]
        for d in records for e in d.get("entities") or [] if e.get("label") == "COUNTRY" and e.get("iso")
        for name in (e.get("canonical"), e["text"]) if name
    }

    def add_node(arg: dict[str, Any], mentions: int) -> str:
        key = node_key(arg, known_iso)
        if key not in g:
            g.add_node(key, label=arg.get("label"), name=arg.get("canonical") or arg["text"],
                       iso=argument_iso(arg, known_iso), mentions=0, surfaces={})
        node = g.nodes[key]
        node["mentions"] += mentions
        node["surfaces"][arg["text"]] = node["surfaces"].get(arg["text"], 0) + mentions
        if not arg.get("canonical"):
            node["name"] = max(node["surfaces"], key=lambda s: (node["surfaces"][s], s))
        return key

    for d in records:
        for e in d.get("entities") or []:
            add_node(e, 1)
        for t in d.get("triples") or []:
            if t["object"].get("label") == "QUOTE" and not include_says:
                continue
            s, o = add_node(t["subject"], 0), add_node(t["object"], 0)
            p = t["predicate"]
            if not g.has_edge(s, o, key=p):
                g.add_edge(s, o, key=p, predicate=p, count=0, evidence=[])
            edge = g.edges[s, o, p]
            edge["count"] += 1
            sent = t.get("sentence")
            edge["evidence"].append({
                "doc_id": d.get("id"), "method": t.get("method"), "confidence": t.get("confidence"),
                "sentence": d["text"][sent[0]:sent[1]] if sent else None,
            })
    return g

