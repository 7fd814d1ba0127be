"""IOB2 tag helpers shared by the NER runtime, the corpus readers and the scorer.

Tags are strings ``B-X``, ``I-X`` and ``O`` over SCHEMA labels. This module
imports nothing from fa_relations, so runtime and research code may both use it.
"""

from __future__ import annotations

from collections.abc import Sequence


def repair_iob(tags: Sequence[str]) -> list[str]:
    """Turn an ``I-X`` that does not continue an ``X`` into ``B-X`` (IOB2)."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def spans_from_iob(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans ``(start_token, end_token_exclusive, label)`` from IOB2 tags."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("I-") and label == tag[2:] and start >= 0:
            continue
        if start >= 0:
            spans.append((start, i, label))
            start, label = -1, ""
        if tag.startswith(("B-", "I-")):
            start, label = i, tag[2:]
    return spans
