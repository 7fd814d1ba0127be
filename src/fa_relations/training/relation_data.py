"""Relation training data: stand-off sentence keys, candidate lists for annotators, validation.

A gold record names its sentence without copying it (``data/relations/GUIDELINES.md``):

- PEYMA / ARMAN: ``{"corpus": "peyma", "split": "train", "index": 17}`` (ARMAN:
  ``"split": "train_fold1"``); the text is the words of that sentence joined by
  single spaces.
- ``news_mixed``: ``{"corpus": "news_mixed", "file": "hamshahri_rss_2020.json",
  "record": 17, "field": "summary", "start": 0, "end": 143}``; the text is
  ``record[field][start:end]`` of the raw file, a sentence found by the text
  layer's splitter (:func:`news_sentences`).

Entity and relation offsets are character offsets into that text.

Command line (for annotators)::

    python -m fa_relations.training.relation_data candidates peyma train --start 0 --count 50
    python -m fa_relations.training.relation_data candidates news_mixed hamshahri_rss_2020.json --start 0 --count 40
    python -m fa_relations.training.relation_data validate data/relations/train_peyma.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..paths import datasets_dir
from ..schema import ENTITY_LABELS, PREDICATES
from ..text.tokenizer import split_sentences, tokenize_words
from .datasets import TaggedSentence, read_sentences

logger = logging.getLogger(__name__)

NEWS = "news_mixed"
#: The news_mixed files and the text fields of their records.
NEWS_FILES: dict[str, tuple[str, ...]] = {
    "hamshahri_rss_2020.json": ("title", "summary"),
    "radiofarda_rss_2020.json": ("title", "summary"),
    "asriran_2016.csv": ("title", "body"),
    "asriran_2015.txt": ("line",),
}
#: Labels an annotated argument may carry (SCHEMA entity labels and QUOTE, the object of ``says``).
ARGUMENT_LABELS = frozenset(ENTITY_LABELS) | {"QUOTE"}
#: Reporting words that make a sentence with a single entity a candidate (GUIDELINES.md "Selection").
_REPORTING = re.compile(r"گفت|افزود|اظهار|تاکید|تأکید|اعلام|خاطرنشان|تصریح|ادامه داد|بیان|عنوان کرد|«")
_ACTOR_LABELS = frozenset({"PER", "ORG", "LOC"})


@lru_cache(maxsize=8)
def news_records(file: str, data: str | None = None) -> tuple[dict[str, str], ...]:
    """The records of one news_mixed file, each a dict of its text fields."""
    if file not in NEWS_FILES:
        raise ValueError(f"unknown news_mixed file {file!r}; expected one of {sorted(NEWS_FILES)}")
    path = Path(datasets_dir(data)) / NEWS / file
    if file.endswith(".json"):
        items = json.loads(path.read_text(encoding="utf-8"))
        return tuple({f: it.get(f) or "" for f in NEWS_FILES[file]} for it in items)
    if file.endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as fh:
            return tuple({f: row.get(f) or "" for f in NEWS_FILES[file]} for row in csv.DictReader(fh))
    with open(path, encoding="utf-8") as fh:
        return tuple({"line": line.rstrip("\r\n")} for line in fh)


def news_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a raw news text, as (start, end) character spans (the text layer's splitter)."""
    tokens = tokenize_words(text)
    return [(tokens[a].start, tokens[b - 1].end) for a, b in split_sentences(text, tokens) if b > a]


@lru_cache(maxsize=16)
def _corpus(corpus: str, split: str, data: str | None) -> list[TaggedSentence]:
    if corpus == "arman":
        base, _, fold = split.partition("_fold")
        return read_sentences("arman", base, data, fold=int(fold or 1))
    return read_sentences(corpus, split, data)


def sentence_text(rec: dict[str, Any], data: str | None = None) -> str:
    """The text a gold record's offsets refer to (see the module docstring)."""
    if rec["corpus"] == NEWS:
        raw = news_records(rec["file"], data)[rec["record"]][rec["field"]]
        return raw[rec["start"]:rec["end"]]
    return _corpus(rec["corpus"], rec["split"], data)[rec["index"]].text


def _spans(sent: TaggedSentence) -> list[dict[str, Any]]:
    """The corpus entities of a sentence with character offsets into its text."""
    starts, pos = [], 0
    for w in sent.words:
        starts.append(pos)
        pos += len(w) + 1
    out, cur = [], None
    for i, tag in enumerate([*sent.tags, "O"]):
        if cur is not None and not tag.startswith("I-"):
            out.append(cur)
            cur = None
        if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
            cur = {"start": starts[i], "label": tag[2:]}
        if cur is not None and i < len(sent.words):
            cur["end"] = starts[i] + len(sent.words[i])
    for e in out:
        e["text"] = sent.text[e["start"]:e["end"]]
    return out


def candidates(source: str, part: str, start: int = 0, count: int = 50, data: str | None = None) -> Iterator[dict]:
    """Sentences to annotate, in file order from ``start``.

    PEYMA/ARMAN (``part`` = split, e.g. ``train`` or ``train_fold1``): those
    passing the GUIDELINES filter (two PER/ORG/LOC entities, or one and a
    reporting word), with the corpus entities; ``start`` and ``count`` are
    positions in that filtered list (each candidate says its ``position``). news_mixed (``part`` = file):
    every sentence of records ``start`` .. ``start + count - 1`` (no entities:
    the annotator marks them).
    """
    if source == NEWS:
        recs = news_records(part, data)
        for r in range(start, min(start + count, len(recs))):
            for field in NEWS_FILES[part]:
                raw = recs[r][field]
                for s, e in news_sentences(raw):
                    yield {"corpus": NEWS, "file": part, "record": r, "field": field, "start": s, "end": e,
                           "text": raw[s:e]}
        return
    position = 0
    for sent in _corpus(source, part, data):
        ents = _spans(sent)
        actors = [e for e in ents if e["label"] in _ACTOR_LABELS]
        if len(actors) >= 2 or (len(actors) == 1 and _REPORTING.search(sent.text)):
            if position >= start + count:
                return
            if position >= start:
                yield {"corpus": source, "split": part, "index": sent.index, "position": position,
                       "text": sent.text, "corpus_entities": ents}
            position += 1


def validate_record(rec: dict[str, Any], text: str) -> list[str]:
    """Problems of one gold record against its sentence text (empty when it is sound)."""
    problems = []
    ents = {}
    for e in rec.get("entities", []):
        if e.get("label") not in ARGUMENT_LABELS:
            problems.append(f"entity {e.get('id')}: unknown label {e.get('label')!r}")
        if not (0 <= e.get("start", -1) < e.get("end", -1) <= len(text)):
            problems.append(f"entity {e.get('id')}: offsets {e.get('start')}-{e.get('end')} outside the text")
        elif "text" in e and text[e["start"]:e["end"]] != e["text"]:
            problems.append(f"entity {e.get('id')}: text {e['text']!r} != {text[e['start']:e['end']]!r}")
        if e.get("id") in ents:
            problems.append(f"entity id {e.get('id')} used twice")
        ents[e.get("id")] = e
    for r in rec.get("relations", []):
        spec = PREDICATES.get(r.get("predicate"))
        if spec is None:
            problems.append(f"unknown predicate {r.get('predicate')!r}")
            continue
        s, o = ents.get(r.get("subject")), ents.get(r.get("object"))
        if s is None or o is None:
            problems.append(f"{r['predicate']}: argument id {r.get('subject')}/{r.get('object')} not an entity")
            continue
        if s["label"] not in spec.subject_labels or o["label"] not in spec.object_labels:
            problems.append(f"{r['predicate']}: {s['label']} -> {o['label']} is not allowed by SCHEMA")
    return problems


def validate(path: str | os.PathLike[str], data: str | None = None) -> tuple[int, list[str], Counter]:
    """Check every record of a gold file; returns (records, problems, relations per predicate)."""
    problems, counts, n = [], Counter(), 0
    seen: set[tuple] = set()
    with open(path, encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            n += 1
            try:
                rec = json.loads(line)
                key = tuple(rec.get(k) for k in ("corpus", "split", "index", "file", "record", "field", "start"))
                if key in seen:
                    problems.append(f"line {line_no}: the same sentence twice")
                seen.add(key)
                text = sentence_text(rec, data)
            except (KeyError, IndexError, ValueError, TypeError) as e:
                problems.append(f"line {line_no}: cannot read the record or find its sentence: {e}")
                continue
            problems += [f"line {line_no}: {p}" for p in validate_record(rec, text)]
            counts.update(r["predicate"] for r in rec.get("relations", []))
    return n, problems, counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m fa_relations.training.relation_data", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("candidates", help="print sentences to annotate as JSON lines")
    c.add_argument("source", choices=["peyma", "arman", NEWS])
    c.add_argument("part", help="split (train, train_fold1) or news_mixed file name")
    c.add_argument("--start", type=int, default=0)
    c.add_argument("--count", type=int, default=50)
    v = sub.add_parser("validate", help="check a gold file: offsets, labels, SCHEMA argument types")
    v.add_argument("path")
    args = p.parse_args(argv)
    if args.cmd == "candidates":
        for rec in candidates(args.source, args.part, args.start, args.count):
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return 0
    n, problems, counts = validate(args.path)
    for prob in problems:
        sys.stdout.write(prob + "\n")
    sys.stdout.write(f"{n} records, {sum(counts.values())} relations {dict(counts)}, {len(problems)} problems\n")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
