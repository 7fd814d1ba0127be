"""The ``fa_entity_typer`` spaCy component.

It runs after NER and

- relabels LOC mentions as COUNTRY, CITY or LOC (:func:`~.typer.type_place`),
  and ORG mentions that name a state («جمهوری اسلامی ایران»، or «آمریکا» as
  an actor outside sport news) as COUNTRY (:func:`~.typer.type_org`);
- drops a LOC mention that is only a nationality word («اروپایی»), since
  SCHEMA.md does not count demonyms as entities;
- sets ``span._.iso`` (country code of a COUNTRY, or of a CITY's country) and
  ``span._.canonical``;
- sets ``span._.cluster`` so that mentions of one entity in the document share
  an id (:mod:`.clusters`);
- lists nationality words outside entities in ``doc._.demonyms`` as
  ``(start_token, end_token, iso)`` («مقامات اسرائیلی» → the token of
  «اسرائیلی» with ``"IL"``), for the relation stage.

It never invents entities by default: a country name that NER missed stays
untagged. ``add_missing_countries=True`` adds COUNTRY mentions for names in
the gazetteer that are unambiguous (see :data:`AMBIGUOUS_NAMES`) and do not
overlap an existing entity; this is off by default because precision matters
more than recall for the triples built on top.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import extensions  # noqa: F401  (registers span._.iso etc.)
from ..paths import data_dir
from ..resources import read_tsv_records
from .clusters import MentionInfo, assign_clusters
from .gazetteer import (
    COUNTRY,
    GAZETTEER_FOLDER,
    Gazetteer,
    GazetteerEntry,
    build_gazetteer,
    default_gazetteer,
    name_key,
)
from .typer import PlaceTyping, type_org, type_place

Doc.set_extension("demonyms", default=None, force=True)

#: Country names that are also common Persian words or person names; never added by
#: ``add_missing_countries``.
AMBIGUOUS_NAMES = frozenset(
    name_key(w)
    for w in (
        "چین", "مالی", "عمان", "کویت", "ایران", "پرو", "چاد", "توگو", "کوبا", "گینه", "نیجر", "بنین", "مالت",
        "اردن", "لبنان", "یمن", "ساموآ", "کره", "کنگو", "غنا", "موریس", "گابن", "چک", "هند", "روم",
        "آذربایجان", "فلسطین", "جمهوری اسلامی",
    )
)
_MAX_NAME_TOKENS = 4
#: Words before a headless ministry ORG, in the gazetteer folder (see :meth:`EntityTyper._split_ministries`).
MINISTRY_WORDS_FILE = "ministry_words.tsv"


logger = logging.getLogger(__name__)


class EntityTyper:
    """See the module docstring."""

    def __init__(
        self,
        nlp: Language,
        name: str = "fa_entity_typer",
        *,
        gazetteer_dir: str | None = None,
        type_org_states: bool = True,
        drop_demonym_spans: bool = True,
        add_missing_countries: bool = False,
    ) -> None:
        self.name = name
        #: the folder of gazetteer TSVs this component types with (saved with the pipeline)
        self.gazetteer_dir: Path | None = Path(gazetteer_dir) if gazetteer_dir else None
        self._gazetteer: Gazetteer | None = None
        self._ministry_words: dict[str, str] | None = None
        self.type_org_states = type_org_states
        self.drop_demonym_spans = drop_demonym_spans
        self.add_missing_countries = add_missing_countries

    @property
    def ministry_words(self) -> dict[str, str]:
        """Look-up key → ``title``/``org`` of the words read before a headless ministry ORG
        (``ministry_words.tsv`` of the gazetteer folder; see :meth:`_split_ministries`)."""
        if self._ministry_words is None:
            path = (self.gazetteer_dir or data_dir() / GAZETTEER_FOLDER) / MINISTRY_WORDS_FILE
            rows = read_tsv_records(path) if path.is_file() else []
            self._ministry_words = {name_key(r["word"]): r["kind"] for r in rows}
        return self._ministry_words

    def _country_tail(self, span: Span) -> tuple[int, GazetteerEntry] | None:
        """The longest proper tail of ``span`` that the gazetteer knows as a country: (start token, entry)."""
        for start in range(span.start + 1, span.end):
            entry = self.gazetteer.entries.get(name_key(span.doc[start : span.end].text))
            if entry is not None and entry.type == COUNTRY:
                return start, entry
        return None

    def _split_ministries(self, doc: Doc, ents: list[Span]) -> list[Span]:
        """«وزیر [خارجه آمریکا]ORG» → «آمریکا» COUNTRY; «وزارت [بهداشت ایران]ORG» → «وزارت بهداشت ایران» ORG.

        Only for an ORG span that does not start with such a word itself, whose word
        before is one (``ministry_words``) and outside any entity, and whose end is a
        country name (a title) — the NER's habit of cutting a ministry's name at its head.
        """
        words = self.ministry_words
        if not words:
            return ents
        taken = {i for e in ents for i in range(e.start, e.end)}
        out: list[Span] = []
        for ent in ents:
            before = ent.start - 1
            kind = words.get(name_key(doc[before].text)) if before >= 0 and before not in taken else None
            if ent.label_ != "ORG" or len(ent) < 2 or kind is None or name_key(ent[0].text) in words:
                out.append(ent)
                continue
            tail = self._country_tail(ent)
            if kind == "org":
                out.append(Span(doc, before, ent.end, label="ORG"))
            elif tail is not None:
                span = Span(doc, tail[0], ent.end, label=COUNTRY)
                span._.iso, span._.canonical = tail[1].iso, tail[1].canonical
                out.append(span)
            else:
                out.append(ent)
        return out

    @property
    def gazetteer(self) -> Gazetteer:
        """Built on first use: the shared default, or the one of ``gazetteer_dir``."""
        if self._gazetteer is None:
            self._gazetteer = build_gazetteer(self.gazetteer_dir) if self.gazetteer_dir else default_gazetteer()
            logger.info("gazetteer from %s", self.gazetteer_dir or data_dir() / GAZETTEER_FOLDER)
        return self._gazetteer

    # ---- serialisation: the gazetteer files travel with the pipeline ---------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        source = self.gazetteer_dir or data_dir() / GAZETTEER_FOLDER
        target = Path(path) / GAZETTEER_FOLDER
        target.mkdir(parents=True, exist_ok=True)
        for tsv in sorted(source.glob("*.tsv")):
            shutil.copyfile(tsv, target / tsv.name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> EntityTyper:
        folder = Path(path) / GAZETTEER_FOLDER
        if folder.is_dir():  # pipelines saved before the typer saved its files keep the configured gazetteer
            self.gazetteer_dir = folder
            self._gazetteer = None
            self._ministry_words = None
        return self

    # ------------------------------------------------------------------ helpers
    def _context(self, doc: Doc, span: Span) -> tuple[int, int]:
        if doc.has_annotation("SENT_START"):
            sent = span.sent
            return sent.start, sent.end
        return 0, len(doc)

    def type_span(self, span: Span, in_entity: list[bool]) -> PlaceTyping | None:
        """The typing of one entity span (``None``: leave it as it is)."""
        doc = span.doc
        words = [t.text for t in span]
        if span.label_ == "LOC":
            s, e = self._context(doc, span)
            left = [t.text for t in doc[s : span.start]]
            right = [t.text for t in doc[span.end : e]]
            return type_place(words, left, right, left_in_entity=in_entity[s : span.start], gaz=self.gazetteer)
        if span.label_ == "ORG" and self.type_org_states:
            s, e = self._context(doc, span)
            return type_org(words, [t.text for t in doc[s:e]], gaz=self.gazetteer)
        return None

    def _missing_countries(self, doc: Doc, taken: list[bool]) -> list[Span]:
        added: list[Span] = []
        i = 0
        while i < len(doc):
            hit = None
            for n in range(min(_MAX_NAME_TOKENS, len(doc) - i), 0, -1):
                if any(taken[i : i + n]):
                    continue
                key = name_key(doc[i : i + n].text)
                entry = self.gazetteer.entries.get(key)
                if entry is not None and entry.type == COUNTRY and key not in AMBIGUOUS_NAMES and len(key) >= 4:
                    hit = Span(doc, i, i + n, label=COUNTRY)
                    hit._.iso, hit._.canonical = entry.iso, entry.canonical
                    break
            if hit is not None:
                added.append(hit)
                i = hit.end
            else:
                i += 1
        return added

    # ------------------------------------------------------------------ call
    def __call__(self, doc: Doc) -> Doc:
        ents = self._split_ministries(doc, list(doc.ents))
        in_entity = [False] * len(doc)
        for ent in ents:
            for i in range(ent.start, ent.end):
                in_entity[i] = True
        new_ents: list[Span] = []
        for ent in ents:
            typing = self.type_span(ent, in_entity)
            if typing is None:
                new_ents.append(ent)
                continue
            if typing.type is None:
                if self.drop_demonym_spans:
                    for i in range(ent.start, ent.end):
                        in_entity[i] = False
                    continue
                new_ents.append(ent)
                continue
            span = Span(doc, ent.start, ent.end, label=typing.type)
            span._.score = ent._.score
            span._.iso = typing.iso
            span._.canonical = typing.canonical
            new_ents.append(span)
        if self.add_missing_countries:
            new_ents.extend(self._missing_countries(doc, in_entity))
            new_ents.sort(key=lambda s: s.start)
        doc.ents = new_ents
        # spans read back from doc.ents are new objects: re-set the extensions on them
        ents_out = list(doc.ents)
        by_pos = {(s.start, s.end): s for s in new_ents}
        mentions = []
        for ent in ents_out:
            src = by_pos.get((ent.start, ent.end))
            if src is not None and src is not ent:
                ent._.iso, ent._.canonical, ent._.score = src._.iso, src._.canonical, src._.score
            mentions.append(MentionInfo(ent.label_, [t.text for t in ent], ent._.iso, ent._.canonical))
        for ent, (cid, canonical) in zip(ents_out, assign_clusters(mentions), strict=True):
            ent._.cluster = cid
            if canonical is not None:
                ent._.canonical = canonical
        covered = [False] * len(doc)
        for ent in ents_out:
            for i in range(ent.start, ent.end):
                covered[i] = True
        demonyms = []
        for tok in doc:
            if covered[tok.i] or (not tok.is_alpha and "\u200c" not in tok.text):
                continue
            iso = self.gazetteer.demonym_country(tok.text)
            if iso is not None:
                demonyms.append((tok.i, tok.i + 1, iso))
        doc._.demonyms = demonyms
        return doc


@Language.factory(
    "fa_entity_typer",
    requires=["doc.ents"],
    assigns=["doc.ents", "span._.iso", "span._.canonical", "span._.cluster"],
    default_config={
        "gazetteer_dir": None,
        "type_org_states": True,
        "drop_demonym_spans": True,
        "add_missing_countries": False,
    },
)
def make_entity_typer(
    nlp: Language,
    name: str,
    gazetteer_dir: str | None,
    type_org_states: bool,
    drop_demonym_spans: bool,
    add_missing_countries: bool,
) -> EntityTyper:
    return EntityTyper(
        nlp, name, gazetteer_dir=gazetteer_dir, type_org_states=type_org_states,
        drop_demonym_spans=drop_demonym_spans, add_missing_countries=add_missing_countries,
    )
