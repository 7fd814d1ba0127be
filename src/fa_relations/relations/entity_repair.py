"""Repairs of predicted entities before the relation rules run.

The rules read ``doc.ents``; a statistical NER slips in a few recurring ways that
cost whole triples. Each repair adds, removes or relabels argument *candidates*
of the rule engine (never ``doc.ents`` itself):

* an ORG «سفارت X» also yields the state X (:func:`embassy_countries`);
* an ORG «خارجه آذربایجان» or «آذربایجان روابط دفاعی» without an organisation
  head that ends with, or starts with, a state named in the document is that
  state (:func:`split_title_countries`);
* a later surname alone («هرتزوگ» after «اسحاق هرتزوگ») is a PER mention
  (:func:`name_aliases`);
* in a list of titled persons, two or three unknown words before a job title
  are a name the NER left untagged (:func:`names_in_title_lists`).

:func:`repair_candidates` runs them in that order.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from .docview import Cand, Sent
from .lexicon import Lexicons, key
from .titles import match_title


def repair_candidates(doc: Doc, sents: list[Sent], lex: Lexicons) -> None:
    """Run every repair over the entity candidates of ``sents`` (in place)."""
    embassy_countries(doc, sents)
    split_title_countries(doc, sents, lex)
    name_aliases(doc, sents)
    names_in_title_lists(doc, sents, lex)


_EMBASSY = key("سفارت")
_PERSIAN = re.compile("[\u0600-\u06FF]")


def embassy_countries(doc: Doc, sents: list[Sent]) -> None:
    """An ORG «سفارت X» (one span from the NER) also yields the state X as a candidate for embassy_in."""
    for s in sents:
        for c in list(s.cands):
            if c.kind != "ent" or c.label != "ORG" or c.end - c.start < 2 or s.toks[c.start].key != _EMBASSY:
                continue
            first, last = s.toks[c.start + 1].doc_i, s.toks[c.end - 1].doc_i
            span = Span(doc, first, last + 1, label="COUNTRY")
            s.cands.append(Cand(c.start + 1, c.end, "COUNTRY", "ent", span, sent=s.index))
            s.cands.remove(c)


def split_title_countries(doc: Doc, sents: list[Sent], lex: Lexicons) -> None:
    """An NER ORG «خارجه آذربایجان» (no organisation head, ends with a state named in the document) → the state."""
    countries: set[str] = set()
    for s in sents:
        for c in s.cands:
            if c.kind == "ent" and c.label == "COUNTRY":
                countries.add("".join(t.key for t in s.toks[c.start:c.end]))
    if not countries or not lex.org_heads:
        return
    for s in sents:
        for c in list(s.cands):
            if c.kind != "ent" or c.label != "ORG" or c.end - c.start < 2 or s.toks[c.start].key in lex.org_heads:
                continue
            # «آذربایجان روابط دفاعی» (ORG from the NER): a state followed by a relation noun the NER swallowed
            for a in range(c.start + 1, c.end):
                if s.toks[a].key in lex.relation_nouns and "".join(t.key for t in s.toks[c.start:a]) in countries:
                    span = Span(doc, s.toks[c.start].doc_i, s.toks[a - 1].doc_i + 1, label="COUNTRY")
                    s.cands.remove(c)
                    s.cands.append(Cand(c.start, a, "COUNTRY", "ent", span, sent=s.index))
                    break
            else:
                _split_tail(doc, s, c, countries)


def _split_tail(doc: Doc, s: Sent, c: Cand, countries: set[str]) -> None:
    """«خارجه آذربایجان» → title words + the state at the end."""
    for a in range(c.start + 1, c.end):
        if "".join(t.key for t in s.toks[a:c.end]) in countries:
            span = Span(doc, s.toks[a].doc_i, s.toks[c.end - 1].doc_i + 1, label="COUNTRY")
            s.cands.remove(c)
            s.cands.append(Cand(a, c.end, "COUNTRY", "ent", span, sent=s.index))
            return


def name_aliases(doc: Doc, sents: list[Sent]) -> None:
    """Later mentions of a person by surname («هرتزوگ» after «اسحاق هرتزوگ») that the NER left untagged."""
    names: dict[str, int] = {}
    for s in sents:
        for c in s.cands:
            if c.kind == "ent" and c.label == "PER" and c.end - c.start >= 2 and _PERSIAN.search(c.span.text):
                names[s.toks[c.end - 1].key] = 1
                names["".join(t.key for t in s.toks[c.start:c.end])] = c.end - c.start
    if not names:
        return
    for s in sents:
        covered = set()
        for c in s.cands:
            covered.update(range(c.start, c.end))
        for t in s.toks:
            if t.i in covered or len(t.key) < 3 or t.key not in names or names[t.key] != 1:
                continue
            span = Span(doc, t.doc_i, t.doc_i + 1, label="PER")
            s.cands.append(Cand(t.i, t.i + 1, "PER", "ent", span, sent=s.index))


def names_in_title_lists(doc: Doc, sents: list[Sent], lex: Lexicons) -> None:
    """«X معاون اول نخست‌وزیر آذربایجان، فاریز رضایف معاون وزیر ...»: in a list of titled persons,
    two or three unknown words right before a job title are a name the NER left untagged."""
    for s in sents:
        toks = s.toks
        persons = [c for c in s.cands if c.kind == "ent" and c.label == "PER"]
        if not persons:
            continue
        for i in range(1, len(toks)):
            if toks[i - 1].key not in ("،", ","):
                continue
            for n in (2, 3):
                j = i + n
                if j >= len(toks) or any(s.cand_covering(x) is not None for x in range(i, j)):
                    continue
                words = toks[i:j]
                if any(not w.key.isalpha() or w.key in lex.not_name_words or len(w.key) < 2 for w in words):
                    continue
                if any(match_title(toks, x, lex, s) is not None for x in range(i, j)):
                    continue
                mt = match_title(toks, j, lex, s)
                if mt is None or mt[0].predicate != "position_held":
                    continue
                # the list item before the comma is a titled person
                prev = [c for c in persons if c.end <= i - 1 and any(
                    match_title(toks, x, lex, s) is not None for x in range(c.end, i - 1))]
                if not prev:
                    continue
                span = Span(doc, words[0].doc_i, words[-1].doc_i + 1, label="PER")
                s.cands.append(Cand(i, j, "PER", "ent", span, sent=s.index))
                break
