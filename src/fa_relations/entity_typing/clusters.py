"""Within-document entity clusters: mentions of one entity share an id and a canonical form.

- COUNTRY: by ISO code («ایران»، «جمهوری اسلامی ایران»، «جمهوری اسلامی» → one cluster).
- CITY and LOC: by canonical name (gazetteer canonical, else the normalised text).
- PER: a shorter name joins a longer one whose words contain it as a
  contiguous run («هرتزوگ»، «اسحاق هرتزوگ»); when several full names fit, the
  nearest preceding one wins (else the nearest following). The canonical form
  is the longest name of the cluster.
- Other name labels (ORG, FAC, EVENT, PRODUCT): by normalised text.
- DATE, TIME, MONEY, PERCENT get no cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .places import name_key

#: Labels that get a cluster id.
CLUSTERED_LABELS = frozenset({"PER", "ORG", "COUNTRY", "CITY", "LOC", "FAC", "EVENT", "PRODUCT"})


@dataclass
class MentionInfo:
    """What clustering needs to know about one mention (in document order)."""

    label: str
    words: Sequence[str]
    iso: str | None = None
    canonical: str | None = None


def _contains_run(long: Sequence[str], short: Sequence[str]) -> bool:
    n, m = len(long), len(short)
    return m <= n and any(list(long[i : i + m]) == list(short) for i in range(n - m + 1))


def assign_clusters(mentions: Sequence[MentionInfo]) -> list[tuple[int | None, str | None]]:
    """``(cluster id, canonical form)`` for each mention; ids number clusters by first mention."""
    keys: list[tuple | None] = [None] * len(mentions)
    canon: dict[tuple, str] = {}

    # PER: longest names first found the clusters
    per_idx = [i for i, m in enumerate(mentions) if m.label == "PER"]
    per_words = {i: [name_key(w) for w in mentions[i].words if name_key(w)] for i in per_idx}
    founders: list[int] = []
    for i in sorted(per_idx, key=lambda i: (-len(per_words[i]), i)):
        words = per_words[i]
        fits = [f for f in founders if _contains_run(per_words[f], words)]
        if not fits or not words:
            founders.append(i)
            keys[i] = ("PER", i)
            canon[keys[i]] = " ".join(mentions[i].words)
            continue
        if len(fits) > 1:
            # several full names contain it: prefer the nearest mention before it
            members = {f: [j for j in per_idx if keys[j] == ("PER", f)] for f in fits}
            before = [(max(j for j in members[f] if j < i), f) for f in fits if any(j < i for j in members[f])]
            fits = [max(before)[1]] if before else [min((min(members[f]), f) for f in fits)[1]]
        keys[i] = ("PER", fits[0])

    for i, m in enumerate(mentions):
        if m.label == "PER" or m.label not in CLUSTERED_LABELS:
            continue
        if m.label == "COUNTRY" and m.iso:
            keys[i] = ("COUNTRY", m.iso)
        else:
            keys[i] = (m.label, name_key(m.canonical or " ".join(m.words)))
        canon.setdefault(keys[i], m.canonical or " ".join(m.words))

    ids: dict[tuple, int] = {}
    out: list[tuple[int | None, str | None]] = []
    for i, key in enumerate(keys):
        if key is None:
            out.append((None, None))
            continue
        cid = ids.setdefault(key, len(ids))
        out.append((cid, canon.get(key, " ".join(mentions[i].words))))
    return out
