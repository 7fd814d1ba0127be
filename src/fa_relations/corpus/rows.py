"""Flat row layouts for corpus output (``rows="documents"`` or ``rows="triples"``).

Per-document rows (Parquet; JSON Lines keeps the nested SCHEMA.md object instead):

==============  =======  ===================================================
column          type     content
==============  =======  ===================================================
id              string   document id
text            string   the input text, unchanged
n_entities      int32    number of entities
n_triples       int32    number of triples
entities        string   JSON list of entities (SCHEMA.md)
triples         string   JSON list of triples (SCHEMA.md)
sentences       string   JSON list of sentences
tokens          string   JSON list of tokens, null unless ``include_tokens``
meta            string   JSON object (model, version)
==============  =======  ===================================================

Per-triple rows (JSON Lines and Parquet alike; one row per triple, documents
without triples give no row):

``doc_id, triple_index, predicate, subject_text, subject_label, subject_start,
subject_end, subject_iso, subject_canonical, subject_resolved_from, object_text,
object_label, object_start, object_end, object_iso, object_canonical,
object_resolved_from, attributes, confidence, method, evidence, sentence_start,
sentence_end``. ``*_resolved_from``, ``attributes`` and ``evidence`` are JSON
strings (null when absent), offsets index the document's text. Every field of a
SCHEMA.md triple is kept, so rows convert back without loss
(:func:`triple_from_row`).
"""

from __future__ import annotations

import json
from typing import Any

ROWS = ("documents", "triples")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def arrow_schema(rows: str):
    """The pyarrow schema of ``rows`` (``"documents"`` or ``"triples"``)."""
    import pyarrow as pa

    if rows == "documents":
        return pa.schema([
            ("id", pa.string()), ("text", pa.string()),
            ("n_entities", pa.int32()), ("n_triples", pa.int32()),
            ("entities", pa.string()), ("triples", pa.string()), ("sentences", pa.string()),
            ("tokens", pa.string()), ("meta", pa.string()),
        ])
    arg = []
    for side in ("subject", "object"):
        arg += [
            (f"{side}_text", pa.string()), (f"{side}_label", pa.string()),
            (f"{side}_start", pa.int64()), (f"{side}_end", pa.int64()),
            (f"{side}_iso", pa.string()), (f"{side}_canonical", pa.string()),
            (f"{side}_resolved_from", pa.string()),
        ]
    return pa.schema([
        ("doc_id", pa.string()), ("triple_index", pa.int32()), ("predicate", pa.string()),
        *arg[:7], *arg[7:],
        ("attributes", pa.string()), ("confidence", pa.float64()), ("method", pa.string()),
        ("evidence", pa.string()), ("sentence_start", pa.int64()), ("sentence_end", pa.int64()),
    ])


def document_row(doc: dict[str, Any]) -> dict[str, Any]:
    """A ``Document.to_dict()`` as a flat per-document row."""
    return {
        "id": doc.get("id"),
        "text": doc["text"],
        "n_entities": len(doc.get("entities") or []),
        "n_triples": len(doc.get("triples") or []),
        "entities": _dumps(doc.get("entities") or []),
        "triples": _dumps(doc.get("triples") or []),
        "sentences": _dumps(doc.get("sentences") or []),
        "tokens": _dumps(doc["tokens"]) if "tokens" in doc else None,
        "meta": _dumps(doc.get("meta") or {}),
    }


def document_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`document_row` (a dict for ``Document.from_dict``)."""
    d = {
        "id": row["id"], "text": row["text"],
        "entities": _loads(row["entities"]), "triples": _loads(row["triples"]),
        "sentences": _loads(row["sentences"]), "meta": _loads(row["meta"]),
    }
    if row.get("tokens") is not None:
        d["tokens"] = _loads(row["tokens"])
    return d


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
                f"{side}_resolved_from": _dumps(rf) if rf else None,
            })
        sent = t.get("sentence")
        row.update({
            "attributes": _dumps(t.get("attributes") or {}),
            "confidence": float(t.get("confidence", 1.0)),
            "method": t.get("method", ""),
            "evidence": _dumps(t.get("evidence") or []),
            "sentence_start": sent[0] if sent else None,
            "sentence_end": sent[1] if sent else None,
        })
        # columns in schema order, so JSON Lines and Parquet rows look alike
        out.append({k: row[k] for k in _TRIPLE_COLUMNS})
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
            a["resolved_from"] = _loads(row[f"{side}_resolved_from"])
        t[side] = a
    t.update({
        "attributes": _loads(row["attributes"]) or {}, "confidence": row["confidence"], "method": row["method"],
        "evidence": _loads(row["evidence"]) or [],
        "sentence": [row["sentence_start"], row["sentence_end"]] if row.get("sentence_start") is not None else None,
    })
    return t


_TRIPLE_COLUMNS = (
    "doc_id", "triple_index", "predicate",
    *(f"{s}_{k}" for s in ("subject", "object")
      for k in ("text", "label", "start", "end", "iso", "canonical", "resolved_from")),
    "attributes", "confidence", "method", "evidence", "sentence_start", "sentence_end",
)
