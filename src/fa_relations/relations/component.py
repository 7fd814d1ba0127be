"""The spaCy component ``fa_relation_extractor``: rules over tokens and entities → ``doc._.triples``."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from .. import extensions as _extensions  # noqa: F401  (registers doc._.triples)
from ..defaults import DOC_BATCH_SIZE
from ..schema import PREDICATES, Triple
from . import appositions
from . import families as _families  # noqa: F401  (registers the pattern families)
from . import says as _says  # noqa: F401  (registers the says family)
from .context import Context
from .docview import Cand, build_sentences
from .entity_repair import repair_candidates
from .lexicon import Lexicons
from .registry import Family, plan
from .rules import RuleSet

logger = logging.getLogger(__name__)

#: sub-folder of a saved component that holds its lexicon folder
LEXICON_SUBDIR = "lexicons"
#: triples below this confidence are dropped (default: none)
DEFAULT_MIN_CONFIDENCE = 0.0
#: the factory's config defaults (``None``: the bundled lexicons / decided from the pipeline / every family)
DEFAULT_CONFIG = {"lexicon_dir": None, "loc_fallback": None, "families": None, "min_confidence": DEFAULT_MIN_CONFIDENCE}


class RelationExtractor:
    """Rule-based relation extraction (see ``docs/relations.md``).

    ``lexicon_dir``: folder of the lexicon files (default ``data/lexicons/relations``).
    ``loc_fallback``: let an untyped LOC stand for COUNTRY/CITY (``None``: only when
    the pipeline has no entity typer). ``families``: which rule families run
    (default: every registered family and every pattern file).
    ``min_confidence``: triples below it are dropped.

    The lexicons and patterns are read and compiled once, here, into a
    :class:`~.rules.RuleSet`; ``to_disk`` writes the lexicon folder into a saved
    pipeline and ``from_disk`` rebuilds the rule set from there.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        name: str = "fa_relation_extractor",
        *,
        lexicon_dir: str | None = None,
        loc_fallback: bool | None = None,
        families: list[str] | None = None,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> None:
        self.name = name
        self.lexicon_dir = lexicon_dir
        if loc_fallback is None:
            loc_fallback = nlp is not None and "fa_entity_typer" not in nlp.pipe_names
        self.loc_fallback = bool(loc_fallback)
        self.selected = list(families) if families else None
        self.min_confidence = min_confidence
        self._missing: FileNotFoundError | None = None
        try:
            self._use(RuleSet.load(lexicon_dir))
        except FileNotFoundError as err:
            # spacy.load(saved) builds the component from config.cfg before from_disk reads the saved
            # lexicons: the folder named there (or the bundled one) may be absent on this machine.
            # A missing folder is reported only if nothing supplies a rule set before the first document.
            logger.debug("no lexicon folder yet (%s); waiting for from_disk/from_bytes", err)
            self._missing = err
            self.plan, self.families, self._sentence_rules = (), [], ()

    def _use(self, rules: RuleSet) -> None:
        """Adopt a rule set and the families that run on it (checked here, not per document)."""
        plan_ = plan(rules, self.selected)
        self.rules = rules
        self._missing = None
        self.plan: tuple[Family, ...] = plan_
        self.families = [f.name for f in plan_]
        self._sentence_rules = tuple(f.run for f in plan_ if f.run is not None)

    @property
    def lex(self) -> Lexicons:
        """The lexicons of the rule set."""
        return self._ready().lex

    def __call__(self, doc: Doc) -> Doc:
        doc._.triples = self.extract(doc)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = DOC_BATCH_SIZE) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def _ready(self) -> RuleSet:
        """The rule set; the lexicon folder error when none was ever loaded."""
        if self._missing is not None:
            raise self._missing
        return self.rules

    def extract(self, doc: Doc) -> list[Triple]:
        """The triples of one document (entities from ``doc.ents``)."""
        self._ready()
        sents = build_sentences(doc)
        ctx = Context(doc=doc, rules=self.rules, sents=sents, loc_fallback=self.loc_fallback)
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
        repair_candidates(doc, sents, self.lex)
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
        for s in sents:
            for run in self._sentence_rules:
                run(ctx, s)
        return dedup(ctx.triples, self.min_confidence)

    # ------------------------------------------------------------ serialisation
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the lexicon folder (every lexicon and pattern file) to ``path/lexicons``."""
        folder = Path(path) / LEXICON_SUBDIR
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        self._ready().write(folder)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> RelationExtractor:
        """Rebuild the rule set from the lexicon folder a ``to_disk`` wrote (an older, empty save keeps the current one)."""
        folder = Path(path) / LEXICON_SUBDIR
        if folder.is_dir():
            self._use(RuleSet.load(folder))
            self.lexicon_dir = str(folder)
        else:
            logger.warning("%s holds no %s/ folder (saved by an older version); keeping the current lexicons",
                           path, LEXICON_SUBDIR)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The lexicon files as msgpack (relative path → text)."""
        return srsly.msgpack_dumps({"lexicons": dict(self._ready().files)})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> RelationExtractor:
        """Rebuild the rule set from :meth:`to_bytes` output (empty bytes from an older version keep the current one)."""
        if data:
            self._use(RuleSet.from_files(srsly.msgpack_loads(data)["lexicons"]))
        return self


def dedup(triples: list[Triple], min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[Triple]:
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
    default_config=DEFAULT_CONFIG,
)
def make_relation_extractor(
    nlp: Language,
    name: str,
    lexicon_dir: str | None,
    loc_fallback: bool | None,
    families: list[str] | None,
    min_confidence: float,
) -> RelationExtractor:
    """spaCy factory of :class:`RelationExtractor` (``nlp.add_pipe("fa_relation_extractor", config=...)``)."""
    return RelationExtractor(
        nlp, name, lexicon_dir=lexicon_dir, loc_fallback=loc_fallback, families=families, min_confidence=min_confidence
    )
