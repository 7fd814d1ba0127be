"""Document-level name consistency: a name tagged once is tagged where it recurs.

A sentence tagger sees one sentence at a time, so a person introduced in full
(«اسحاق هرتزوگ») and named later by surname alone («هرتزوگ اظهار کرد») is often
found the first time and missed the second. :func:`propagate_names` reads the
tags of all the sentences of one document and tags the untagged recurrences:

* a name of two or more words, of any label, where the same words recur
  untagged;
* for a person named with two or more words, the last word (the surname) where
  it recurs alone, untagged, when it is long enough and not a common word
  (``data/lexicons/ner/not_surnames.tsv``, which linguists can edit).

Only untagged ("O") words change: a word the tagger gave any label keeps it, so
the step can add entities but never relabels or splits one. Words are compared
through :func:`~fa_relations.text.keys.lookup_key`, so spellings with and
without ZWNJ or Arabic letters match.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..iob import spans_from_iob
from ..paths import data_dir
from ..resources import read_tsv
from ..text.keys import lookup_key

#: Words that end a person's name but are too common to tag alone (one word a row).
NOT_SURNAMES_FILE = "lexicons/ner/not_surnames.tsv"
#: A surname alone is propagated only from this many characters on.
MIN_SURNAME_CHARS = 3
#: Labels whose last word may be propagated alone.
SURNAME_LABELS = frozenset({"PER"})
#: Labels whose full multi-word names are propagated.
NAME_LABELS = frozenset({"PER", "ORG", "LOC", "COUNTRY", "CITY", "FAC", "EVENT"})


def read_not_surnames(path: str | os.PathLike[str] | None = None) -> frozenset[str]:
    """Look-up keys of the words never propagated alone as surnames (default: the bundled list)."""
    return frozenset(lookup_key(row[0]) for row in read_tsv(path or data_dir() / NOT_SURNAMES_FILE))


@dataclass
class _Names:
    """Names found in one document: key tuples → label; a name seen with two labels is dropped."""

    by_first: dict[str, dict[tuple[str, ...], str]] = field(default_factory=dict)
    conflicting: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, words: tuple[str, ...], label: str) -> None:
        known = self.by_first.setdefault(words[0], {})
        if known.setdefault(words, label) != label:
            self.conflicting.add(words)

    def drop_conflicts(self, labelled: dict[tuple[str, ...], set[str]]) -> None:
        """Forget names that were tagged with two labels, here or as tagged single words."""
        for known in self.by_first.values():
            for words in [w for w, lab in known.items() if w in self.conflicting or labelled.get(w, {lab}) - {lab}]:
                del known[words]
        self.by_first = {k: v for k, v in self.by_first.items() if v}

    def match(self, keys: Sequence[str], i: int) -> tuple[int, str] | None:
        """The longest known name starting at ``keys[i]``: (length, label)."""
        best: tuple[int, str] | None = None
        for words, label in self.by_first.get(keys[i], {}).items():
            n = len(words)
            if tuple(keys[i:i + n]) == words and (best is None or n > best[0]):
                best = (n, label)
        return best


def collect_names(doc_keys: Sequence[Sequence[str]], tags: Sequence[Sequence[str]],
                  not_surnames: frozenset[str] = frozenset()) -> _Names:
    """The names worth propagating in one document's tagged sentences (``doc_keys``: per sentence,
    the words' look-up keys)."""
    names = _Names()
    labelled: dict[tuple[str, ...], set[str]] = {}
    for keys, sent_tags in zip(doc_keys, tags, strict=True):
        for s, e, label in spans_from_iob(sent_tags):
            labelled.setdefault(tuple(keys[s:e]), set()).add(label)
            if e - s < 2 or label not in NAME_LABELS:
                continue
            names.add(tuple(keys[s:e]), label)
            last = keys[e - 1]
            if label in SURNAME_LABELS and len(last) >= MIN_SURNAME_CHARS and last not in not_surnames:
                names.add((last,), label)
    names.drop_conflicts(labelled)
    return names


def propagate_names(words: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], *,
                    not_surnames: frozenset[str] = frozenset()) -> list[list[str]]:
    """Tags of one document's sentences with untagged recurrences of its names tagged.

    ``words`` and ``tags``: per sentence, the words and their IOB2 tags;
    ``not_surnames``: look-up keys of words never tagged alone (see
    :func:`read_not_surnames`). Returns new tag lists; the input is not changed.
    """
    doc_keys = [[lookup_key(w) for w in sent_words] for sent_words in words]
    names = collect_names(doc_keys, tags, not_surnames)
    out: list[list[str]] = []
    for keys, sent_tags in zip(doc_keys, tags, strict=True):
        new = list(sent_tags)
        if names.by_first:
            i = 0
            while i < len(keys):
                hit = names.match(keys, i) if new[i] == "O" else None
                if hit is None or any(t != "O" for t in new[i:i + hit[0]]) or _continues(new, i + hit[0]):
                    i += 1
                    continue
                n, label = hit
                new[i:i + n] = [f"B-{label}"] + [f"I-{label}"] * (n - 1)
                i += n
        out.append(new)
    return out


def _continues(tags: Sequence[str], j: int) -> bool:
    """Whether position ``j`` continues an entity (so a match ending before it would split one)."""
    return j < len(tags) and tags[j].startswith("I-")
