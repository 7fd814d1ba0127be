"""State shared by the rule families while one document is processed."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..schema import PREDICATES, Argument, Mention, Triple
from .docview import Cand, Sent, argument_from_cand, mention
from .lexicon import Lexicons
from .rules import RuleSet

#: predicates where a capital city may stand for its state («تهران ادعا کرده»، «باکو در جنگ علیه»)
METONYM_PREDICATES = frozenset({"conflict_with", "cooperates_with", "accuses", "supports", "supplies", "embassy_in"})
ACTOR_LABELS = frozenset({"PER", "ORG", "COUNTRY"})


@dataclass
class Context:
    """One document being processed: its sentences and candidates, the rule set (read only) and the triples so far."""

    doc: Doc
    rules: RuleSet
    sents: list[Sent]
    loc_fallback: bool = False  # no entity typer: an untyped LOC may be a COUNTRY/CITY
    triples: list[Triple] = field(default_factory=list)

    @property
    def lex(self) -> Lexicons:
        """The lexicons of the rule set."""
        return self.rules.lex

    # ------------------------------------------------------------------ types
    def allowed(self, predicate: str, role: str, label: str) -> bool:
        spec = PREDICATES[predicate]
        base = spec.subject_labels if role == "S" else spec.object_labels
        if label in base:
            return True
        if label == "CITY" and "COUNTRY" in base and predicate in METONYM_PREDICATES:
            return True
        return bool(self.loc_fallback and label == "LOC" and base & {"COUNTRY", "CITY"})

    # ----------------------------------------------------------------- output
    def sentence_offsets(self, sent: Sent) -> tuple[int, int]:
        m = mention(self.doc, sent.start, sent.end)
        return (m.start, m.end)

    def evidence(self, sent: Sent, ranges: list[tuple[int, int]]) -> list[Mention]:
        out = []
        for a, b in ranges:
            if a < b:
                out.append(mention(self.doc, sent.toks[a].start, sent.toks[b - 1].end))
        return out

    def emit(
        self,
        sent: Sent,
        predicate: str,
        subj: Cand,
        obj: Cand | Argument,
        *,
        confidence: float,
        method: str,
        evidence: list[tuple[int, int]],
        attributes: dict[str, str] | None = None,
    ) -> Triple | None:
        """Type-check and add a triple; returns it, or None when it is not allowed."""
        if not subj.resolved or not self.allowed(predicate, "S", subj.label):
            return None
        s_arg = argument_from_cand(self.doc, subj)
        if isinstance(obj, Argument):
            o_arg = obj
            if predicate != "says":
                return None
        else:
            if not obj.resolved or not self.allowed(predicate, "O", obj.label):
                return None
            o_arg = argument_from_cand(self.doc, obj)
            if (o_arg.start, o_arg.end) == (s_arg.start, s_arg.end):
                return None
            if s_arg.iso and s_arg.iso == o_arg.iso and s_arg.label == o_arg.label == "COUNTRY":
                return None
            if subj.span is not None and obj.span is not None and subj.span.start < obj.span.end and obj.span.start < subj.span.end:
                return None
        def _pos(a: Argument) -> int:
            return a.resolved_from.start if a.resolved_from is not None else a.start

        if PREDICATES[predicate].symmetric and _pos(o_arg) < _pos(s_arg):
            s_arg, o_arg = o_arg, s_arg
        t = Triple(
            subject=s_arg, predicate=predicate, object=o_arg, attributes=dict(attributes or {}),
            confidence=max(0.0, min(1.0, confidence)), method=method,
            evidence=self.evidence(sent, evidence), sentence=self.sentence_offsets(sent),
        )
        self.triples.append(t)
        return t
