"""Row layouts for corpus output (``rows="documents"`` or ``rows="triples"``).

Per-document rows (Parquet; JSON Lines keeps the nested SCHEMA.md object,
with the input's own fields under ``fields``). Entities, triples, sentences and
tokens are nested columns (lists of structs), so pandas and Arrow read them
directly:

==============  ======================  ========================================
column          type                    content
==============  ======================  ========================================
id              string                  document id
text            string                  the input text, unchanged
n_entities      int32                   number of entities
n_triples       int32                   number of triples
entities        list<struct>            SCHEMA.md entities
triples         list<struct>            SCHEMA.md triples (arguments are structs)
sentences       list<struct>            start, end, text
tokens          list<struct>            text, norm, start, end; null unless ``include_tokens``
meta            map<string, string>     model, version
fields          map<string, string>     the input record's other fields (``url``, ``date``...)
==============  ======================  ========================================

Per-triple rows (JSON Lines and Parquet alike; one row per triple, documents
without triples give no row):

``doc_id, triple_index, predicate, subject_text, subject_label, subject_start,
subject_end, subject_iso, subject_canonical, subject_resolved_from, object_text,
object_label, object_start, object_end, object_iso, object_canonical,
object_resolved_from, attributes, confidence, method, evidence, sentence_start,
sentence_end, fields``. ``*_resolved_from`` is a struct (text, start, end) or
null, ``attributes`` and ``fields`` maps, ``evidence`` a list of structs;
offsets index the document's text. Every field of a SCHEMA.md triple is kept,
so rows convert back without loss (:func:`triple_from_row`).

Map columns hold strings: a user field whose value is not a string (a number, a
list) is stored as its JSON text.
"""

from __future__ import annotations

import json
from typing import Any

ROWS = ("documents", "triples")


def str_map(value: dict[str, Any] | None) -> dict[str, str] | None:
    """A dict for a ``map<string, string>`` column: non-string values as JSON text."""
    if not value:
        return None
    return {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in value.items()}


def _drop_none(d: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if d is None else {k: v for k, v in d.items() if v is not None}


def _types():
    """The nested pyarrow types of SCHEMA.md objects."""
    import pyarrow as pa

    mention = pa.struct([("text", pa.string()), ("start", pa.int64()), ("end", pa.int64())])
    argument = pa.struct([
        ("text", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("label", pa.string()),
        ("iso", pa.string()), ("canonical", pa.string()), ("resolved_from", mention),
    ])
    str_map = pa.map_(pa.string(), pa.string())
    return {
        "mention": mention,
        "str_map": str_map,
        "entity": pa.struct([
            ("text", pa.string()), ("label", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
            ("iso", pa.string()), ("canonical", pa.string()), ("cluster", pa.int64()), ("score", pa.float64()),
        ]),
        "triple": pa.struct([
            ("subject", argument), ("predicate", pa.string()), ("object", argument), ("attributes", str_map),
            ("confidence", pa.float64()), ("method", pa.string()), ("evidence", pa.list_(mention)),
            ("sentence", pa.list_(pa.int64())),
        ]),
        "sentence": pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())]),
        "token": pa.struct([("text", pa.string()), ("norm", pa.string()), ("start", pa.int64()),
                            ("end", pa.int64())]),
    }


def arrow_schema(rows: str):
    """The pyarrow schema of ``rows`` (``"documents"`` or ``"triples"``)."""
    import pyarrow as pa

    t = _types()
    if rows == "documents":
        return pa.schema([
            ("id", pa.string()), ("text", pa.string()),
            ("n_entities", pa.int32()), ("n_triples", pa.int32()),
            ("entities", pa.list_(t["entity"])), ("triples", pa.list_(t["triple"])),
            ("sentences", pa.list_(t["sentence"])), ("tokens", pa.list_(t["token"])),
            ("meta", t["str_map"]), ("fields", t["str_map"]),
        ])
    arg = []
    for side in ("subject", "object"):
        arg += [
            (f"{side}_text", pa.string()), (f"{side}_label", pa.string()),
            (f"{side}_start", pa.int64()), (f"{side}_end", pa.int64()),
            (f"{side}_iso", pa.string()), (f"{side}_canonical", pa.string()),
            (f"{side}_resolved_from", t["mention"]),
        ]
    return pa.schema([
        ("doc_id", pa.string()), ("triple_index", pa.int32()), ("predicate", pa.string()),
        *arg,
        ("attributes", t["str_map"]), ("confidence", pa.float64()), ("method", pa.string()),
        ("evidence", pa.list_(t["mention"])), ("sentence_start", pa.int64()), ("sentence_end", pa.int64()),
        ("fields", t["str_map"]),
    ])


def document_row(doc: dict[str, Any]) -> dict[str, Any]:
    """A ``Document.to_dict()`` (with the corpus's optional ``fields``) as a per-document Parquet row."""
    return {
        "id": doc.get("id"),
        "text": doc["text"],
        "n_entities": len(doc.get("entities") or []),
        "n_triples": len(doc.get("triples") or []),
        "entities": doc.get("entities") or [],
        "triples": doc.get("triples") or [],
        "sentences": doc.get("sentences") or [],
        "tokens": doc.get("tokens"),
        "meta": str_map(doc.get("meta")) or {},
        "fields": str_map(doc.get("fields")),
    }


def _argument_from_row(a: dict[str, Any]) -> dict[str, Any]:
    d = _drop_none(a)
    if d.get("resolved_from") is not None:
        d["resolved_from"] = dict(d["resolved_from"])
    return d


def document_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`document_row` (a dict for ``Document.from_dict``).

    Read the rows with ``Table.to_pylist(maps_as_pydicts="strict")``, or pass
    map columns as lists of pairs; both are accepted.
    """
    triples = []
    for t in row["triples"] or []:
        t = dict(t)
        t["subject"] = _argument_from_row(t["subject"])
        t["object"] = _argument_from_row(t["object"])
        t["attributes"] = _as_dict(t.get("attributes")) or {}
        t["evidence"] = list(t.get("evidence") or [])
        triples.append(t)
    d = {
        "id": row["id"], "text": row["text"],
        "entities": [_drop_none(e) for e in row["entities"] or []], "triples": triples,
        "sentences": list(row["sentences"] or []), "meta": _as_dict(row["meta"]) or {},
    }
    if row.get("tokens") is not None:
        d["tokens"] = list(row["tokens"])
    if row.get("fields"):
        d["fields"] = _as_dict(row["fields"])
    return d


def _as_dict(value: Any) -> dict[str, Any] | None:
    """A map column's value as a dict (pyarrow gives a list of pairs unless ``maps_as_pydicts``)."""
    if value is None:
        return None
    return dict(value)


def triple_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per triple of a ``Document.to_dict()``."""
    out = []
    for i, t in enumerate(doc.get("triples") or []):
        row: dict[str, Any] = {"doc_id": doc.get("id"), "triple_index": i, "predicate": t["predicate"]}
        for side in ("subject", "object"):
            a = t[side]
            rf = a.get("resolved_from")
            row.update({
                f"{side}_text": a["text"], f"{side}_label": a.get("label"),
                f"{side}_start": a["start"], f"{side}_end": a["end"],
                f"{side}_iso": a.get("iso"), f"{side}_canonical": a.get("canonical"),
                f"{side}_resolved_from": rf or None,
            })
        sent = t.get("sentence")
        row.update({
            "attributes": dict(t.get("attributes") or {}),
            "confidence": float(t.get("confidence", 1.0)),
            "method": t.get("method", ""),
            "evidence": list(t.get("evidence") or []),
            "sentence_start": sent[0] if sent else None,
            "sentence_end": sent[1] if sent else None,
            "fields": doc.get("fields") or None,
        })
        # columns in schema order, so JSON Lines and Parquet rows look alike
        out.append({k: row[k] for k in TRIPLE_COLUMNS})
    return out


def triple_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`triple_rows` for one row (a dict for ``Triple.from_dict``)."""
    t: dict[str, Any] = {"predicate": row["predicate"]}
    for side in ("subject", "object"):
        a = {"text": row[f"{side}_text"], "start": row[f"{side}_start"], "end": row[f"{side}_end"],
             "label": row[f"{side}_label"]}
        for key in ("iso", "canonical"):
            if row.get(f"{side}_{key}") is not None:
                a[key] = row[f"{side}_{key}"]
        if row.get(f"{side}_resolved_from") is not None:
            a["resolved_from"] = dict(row[f"{side}_resolved_from"])
        t[side] = a
    t.update({
        "attributes": _as_dict(row["attributes"]) or {}, "confidence": row["confidence"], "method": row["method"],
        "evidence": list(row["evidence"] or []),
        "sentence": [row["sentence_start"], row["sentence_end"]] if row.get("sentence_start") is not None else None,
    })
    return t


#: The columns of a per-triple row, in order.
TRIPLE_COLUMNS = (
    "doc_id", "triple_index", "predicate",
    *(f"{s}_{k}" for s in ("subject", "object")
      for k in ("text", "label", "start", "end", "iso", "canonical", "resolved_from")),
    "attributes", "confidence", "method", "evidence", "sentence_start", "sentence_end", "fields",
)
