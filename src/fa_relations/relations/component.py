"""The spaCy component ``fa_relation_extractor``: rules over tokens and entities → ``doc._.triples``."""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions as _extensions  # noqa: F401  (registers doc._.triples)
from ..schema import PREDICATES, Triple
from . import appositions, families, says
from .context import Context
from .docview import Cand, build_sentences
from .lexicon import Lexicons, default_lexicons, key

ALL_FAMILIES = ("appositions", "says", *families.FAMILIES)


class RelationExtractor:
    """Rule-based relation extraction (see ``docs/relations.md``).

    ``lexicon_dir``: folder of the lexicon files (default ``data/lexicons/relations``).
    ``loc_fallback``: let an untyped LOC stand for COUNTRY/CITY (``None``: only when
    the pipeline has no entity typer). ``families``: which rule families run.
    ``min_confidence``: triples below it are dropped.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        name: str = "fa_relation_extractor",
        *,
        lexicon_dir: str | None = None,
        loc_fallback: bool | None = None,
        families: list[str] | None = None,
        min_confidence: float = 0.0,
    ) -> None:
        self.name = name
        self.lexicon_dir = lexicon_dir
        self.lex: Lexicons = Lexicons.load(lexicon_dir) if lexicon_dir else default_lexicons()
        if loc_fallback is None:
            loc_fallback = nlp is not None and "fa_entity_typer" not in nlp.pipe_names
        self.loc_fallback = bool(loc_fallback)
        self.families = list(families) if families else list(ALL_FAMILIES)
        self.min_confidence = min_confidence

    def __call__(self, doc: Doc) -> Doc:
        doc._.triples = self.extract(doc)
        return doc

    def pipe(self, docs, batch_size: int = 64):
        for doc in docs:
            yield self(doc)

    def extract(self, doc: Doc) -> list[Triple]:
        sents = build_sentences(doc)
        ctx = Context(doc=doc, lex=self.lex, sents=sents, loc_fallback=self.loc_fallback)
        if self.lexicon_dir:
            ctx.__dict__["lexicon_folder"] = self.lexicon_dir
        if not sents:
            return []
        # entity candidates per sentence
        where: dict[int, tuple[int, int]] = {}
        for s in sents:
            for t in s.toks:
                where[t.doc_i] = (s.index, t.i)
        for ent in doc.ents:
            first = next((where[i] for i in range(ent.start, ent.end) if i in where), None)
            last = next((where[i] for i in range(ent.end - 1, ent.start - 1, -1) if i in where), None)
            if first is None or last is None or first[0] != last[0]:
                continue
            sents[first[0]].cands.append(Cand(first[1], last[1] + 1, ent.label_, "ent", ent, sent=first[0]))
        _embassy_countries(doc, sents)
        _split_title_countries(doc, sents, self.lex)
        _name_aliases(doc, sents)
        _names_in_title_lists(doc, sents, self.lex)
        for s in sents:
            s.cands.sort(key=lambda c: c.start)
        # appositions first: they give position_held/member_of and the title index
        all_roles = []
        for s in sents:
            roles = appositions.find_roles(ctx, s)
            all_roles.extend(roles)
            if "appositions" in self.families:
                appositions.emit_roles(ctx, s, roles)
        index = appositions.role_index(ctx, all_roles)
        for s in sents:
            appositions.add_title_mentions(ctx, s, all_roles, index)
        appositions.add_pronouns(ctx)
        appositions.add_demonstratives(ctx)
        fams = [f for f in self.families if f in families.FAMILIES]
        for s in sents:
            if "says" in self.families:
                says.apply(ctx, s)
            families.apply(ctx, s, fams)
        return dedup(ctx.triples, self.min_confidence)

    # no state to serialise besides the config
    def to_disk(self, path, exclude=()):
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, exclude=()):
        return self

    def to_bytes(self, exclude=()):
        return b""

    def from_bytes(self, data, exclude=()):
        return self


_EMBASSY = key("سفارت")
_RELATION_NOUNS = frozenset(key(w) for w in (
    "روابط", "رابطه", "همکاری", "همکاریهای", "مرز", "مرزهای", "تنش", "تنشهای", "جنگ", "سفارت", "توافق", "قرارداد",
))
_PERSIAN = re.compile("[\u0600-\u06FF]")


def _embassy_countries(doc: Doc, sents) -> None:
    """An ORG «سفارت X» (one span from the NER) also yields the state X as a candidate for embassy_in."""
    for s in sents:
        for c in list(s.cands):
            if c.kind != "ent" or c.label != "ORG" or c.end - c.start < 2 or s.toks[c.start].key != _EMBASSY:
                continue
            first, last = s.toks[c.start + 1].doc_i, s.toks[c.end - 1].doc_i
            span = Span(doc, first, last + 1, label="COUNTRY")
            s.cands.append(Cand(c.start + 1, c.end, "COUNTRY", "ent", span, sent=s.index))
            s.cands.remove(c)


def _split_title_countries(doc: Doc, sents, lex: Lexicons) -> None:
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
                if s.toks[a].key in _RELATION_NOUNS and "".join(t.key for t in s.toks[c.start:a]) in countries:
                    span = Span(doc, s.toks[c.start].doc_i, s.toks[a - 1].doc_i + 1, label="COUNTRY")
                    s.cands.remove(c)
                    s.cands.append(Cand(c.start, a, "COUNTRY", "ent", span, sent=s.index))
                    break
            else:
                _split_tail(doc, s, c, countries)


def _split_tail(doc: Doc, s, c, countries: set[str]) -> None:
    """«خارجه آذربایجان» → title words + the state at the end."""
    for a in range(c.start + 1, c.end):
        if "".join(t.key for t in s.toks[a:c.end]) in countries:
            span = Span(doc, s.toks[a].doc_i, s.toks[c.end - 1].doc_i + 1, label="COUNTRY")
            s.cands.remove(c)
            s.cands.append(Cand(a, c.end, "COUNTRY", "ent", span, sent=s.index))
            return


def _name_aliases(doc: Doc, sents) -> None:
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


_FUNCTION_WORDS = frozenset(key(w) for w in (
    "و", "در", "به", "از", "با", "این", "آن", "همچنین", "نیز", "هم", "سایر", "دیگر", "یک", "که", "را", "برای", "تا",
    "اما", "ولی", "او", "وی", "ایشان", "همه", "تمام", "چند", "برخی", "بعضی", "جمعی", "گروهی", "آقای", "خانم", "دکتر",
    "مقامات", "مسئولان", "اعضای", "نمایندگان", "هیئت", "هیات", "کشور", "دولت", "روز", "سال", "پس", "پیش", "ابتدا",
))


def _names_in_title_lists(doc: Doc, sents, lex: Lexicons) -> None:
    """«X معاون اول نخست‌وزیر آذربایجان، فاریز رضایف معاون وزیر ...»: in a list of titled persons,
    two or three unknown words right before a job title are a name the NER left untagged."""
    from .appositions import match_title

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
                if any(not w.key.isalpha() or w.key in _FUNCTION_WORDS or len(w.key) < 2 for w in words):
                    continue
                if any(match_title(toks, x, lex.titles, s) is not None for x in range(i, j)):
                    continue
                mt = match_title(toks, j, lex.titles, s)
                if mt is None or mt[0].predicate != "position_held":
                    continue
                # the list item before the comma is a titled person
                prev = [c for c in persons if c.end <= i - 1 and any(
                    match_title(toks, x, lex.titles, s) is not None for x in range(c.end, i - 1))]
                if not prev:
                    continue
                span = Span(doc, words[0].doc_i, words[-1].doc_i + 1, label="PER")
                s.cands.append(Cand(i, j, "PER", "ent", span, sent=s.index))
                break


def dedup(triples: list[Triple], min_confidence: float = 0.0) -> list[Triple]:
    """One triple per (predicate, subject span, object span); symmetric pairs in either order."""
    best: dict[tuple, Triple] = {}
    order: list[tuple] = []
    for t in triples:
        if t.confidence < min_confidence:
            continue
        a = (t.subject.start, t.subject.end)
        b = (t.object.start, t.object.end)
        k = (t.predicate, *sorted([a, b])) if PREDICATES[t.predicate].symmetric else (t.predicate, a, b)
        if k not in best:
            order.append(k)
            best[k] = t
        elif t.confidence > best[k].confidence:
            best[k] = t
    out = [best[k] for k in order]
    out.sort(key=lambda t: (t.sentence or (0, 0), t.subject.start, t.object.start))
    return out


@Language.factory(
    "fa_relation_extractor",
    requires=["doc.ents"],
    assigns=["doc._.triples"],
    default_config={"lexicon_dir": None, "loc_fallback": None, "families": None, "min_confidence": 0.0},
)
def make_relation_extractor(
    nlp: Language,
    name: str,
    lexicon_dir: str | None,
    loc_fallback: bool | None,
    families: list[str] | None,
    min_confidence: float,
) -> RelationExtractor:
    return RelationExtractor(
        nlp, name, lexicon_dir=lexicon_dir, loc_fallback=loc_fallback, families=families, min_confidence=min_confidence
    )
