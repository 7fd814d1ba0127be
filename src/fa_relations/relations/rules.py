"""The relation rule set: every lexicon and pattern of one folder, loaded and compiled once.

:class:`RuleSet` is built by the ``fa_relation_extractor`` component when it is
created (or read back from a saved pipeline) and is never changed afterwards;
the rule code reads lexicons, compiled trigger patterns and reporting verbs
only from it (through :attr:`Context.rules <fa_relations.relations.context.Context.rules>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..defaults import WORD_MEMO_SIZE
from .docview import Tok, match_verb, match_words, verb_forms, verb_negated, verb_start_keys
from .lexicon import LexiconError, Lexicons, Pattern, key, lexicon_dir, read_folder

_KARD = key("کرد")
_NAMUD = key("نمود")
_SLOTS = frozenset({"S", "O", "S+", "O+"})


@dataclass(frozen=True)
class Elem:
    """One element of a compiled trigger pattern (syntax in ``patterns/README.md``)."""

    kind: str  # W (alternatives), SLOT, ITEM, GAP
    alts: tuple = ()  # ("W", key) or ("V", verb forms)
    optional: bool = False
    slot: str = ""  # S / O
    plus: bool = False
    gap: int = 0
    commas: bool = False


@dataclass(frozen=True)
class Compiled:
    """A trigger pattern compiled against the verb lexicon."""

    pattern: Pattern
    elems: tuple[Elem, ...]
    has_subject: bool

    @cached_property
    def _opening_words(self) -> tuple[frozenset[str], tuple[str, ...]] | None:
        """For a pattern that opens with a required word: (the token keys its verb forms may start at,
        its trigger words); None for one that opens with a slot, a gap or an optional element."""
        first = self.elems[0]
        if first.kind != "W" or first.optional:
            return None
        verbs = frozenset().union(*(verb_start_keys(v) for k, v in first.alts if k == "V"))
        return verbs, tuple(v for k, v in first.alts if k == "W")

    def may_start(self, key_: str) -> bool:
        """Whether a match may start at a token whose key is ``key_`` (a necessary condition).

        A trigger word matches from a token whose key is a prefix of it, or the word with a
        noun ending (``patterns.match_noun``); an empty key may run into the next token.
        """
        opening = self._opening_words
        if opening is None or not key_:
            return True
        verbs, words = opening
        return key_ in verbs or any(w.startswith(key_) or key_.startswith(w) for w in words)

    def may_match(self, joined_keys: str, seen: dict[object, bool] | None = None) -> bool:
        """A cheap necessary condition: every required word (or one of its verb forms) occurs in the sentence.

        Every way a W element matches consumes token keys that spell the word (or a verb
        form) contiguously, so a word absent from the joined keys rules the pattern out.
        ``seen``: the answers for this sentence so far (word or verb-form set → found), shared
        by every pattern, so a trigger many patterns use is looked for once per sentence.
        """
        for e in self.elems:
            if e.kind != "W" or e.optional:
                continue
            for kind, val in e.alts:
                found = seen.get(val) if seen is not None else None
                if found is None:
                    found = (val in joined_keys) if kind == "W" else any(f in joined_keys for f in val)
                    if seen is not None:
                        seen[val] = found
                if found:
                    break
            else:
                return False
        return True


def _verb(verbs: Mapping[str, str], past: str) -> frozenset[str]:
    return verb_forms(past, verbs.get(past, ""))


def compile_pattern(p: Pattern, verbs: Mapping[str, str]) -> Compiled:
    """Compile one pattern row; a pattern that cannot run raises :class:`LexiconError` naming its line."""
    elems: list[Elem] = []
    for raw in p.elements:
        if raw in ("*", "**"):
            elems.append(Elem("GAP", gap=3 if raw == "*" else 12, commas=raw == "**"))
            continue
        if raw.startswith("{") or raw.endswith("}"):
            body = raw[1:-1] if raw.startswith("{") and raw.endswith("}") else ""
            opt = body.endswith("?")
            body = body.rstrip("?")
            if body == "ITEM":
                elems.append(Elem("ITEM", optional=opt))
            elif body in _SLOTS:
                elems.append(Elem("SLOT", slot=body[0], plus=body.endswith("+"), optional=opt))
            else:
                raise LexiconError(f"{p.source}: unknown slot {raw!r} (use {{S}}, {{O}}, {{S+}}, {{O+}}, {{ITEM}}, {{ITEM?}})")
            continue
        opt = raw.endswith("?") and len(raw) > 1
        body = raw[:-1] if opt else raw
        alts = []
        for a in body.split("|"):
            if a.startswith("V:"):
                past = key(a[2:])
                if not past:
                    raise LexiconError(f"{p.source}: empty verb stem in {raw!r}")
                alts.append(("V", _verb(verbs, past)))
                if past == _KARD:
                    # formal news prose uses «نمود» as the light verb: «سفر نمود»، «دیدار نمودند»
                    alts.append(("V", _verb(verbs, _NAMUD)))
            else:
                if not key(a):
                    raise LexiconError(f"{p.source}: empty alternative in {raw!r}")
                alts.append(("W", key(a)))
        elems.append(Elem("W", alts=tuple(alts), optional=opt))
    if not any(e.kind == "SLOT" and e.slot == "O" for e in elems):
        raise LexiconError(f"{p.source}: pattern {' '.join(p.elements)!r} has no object slot {{O}}, so it can never give a triple")
    return Compiled(p, tuple(elems), any(e.kind == "SLOT" and e.slot == "S" for e in elems))


@dataclass(frozen=True)
class ReportingVerb:
    """A compiled reporting phrase of ``reporting_verbs.tsv``."""

    elems: tuple[tuple[str, object], ...]  # ("W", key) or ("V", verb forms)
    confidence: float
    name: str  # the phrase as written, without «V:»
    direct: bool  # may take a statement with no «:»/«که»


def compile_reporting(lex: Lexicons) -> tuple[ReportingVerb, ...]:
    """The reporting phrases, compiled against the verb lexicon."""
    out = []
    for words, conf in lex.reporting:
        elems: list[tuple[str, object]] = []
        for w in words:
            if w.startswith("V:"):
                elems.append(("V", _verb(lex.verbs, key(w[2:]))))
            else:
                elems.append(("W", key(w)))
        direct = " ".join(words) in lex.reporting_direct
        out.append(ReportingVerb(tuple(elems), conf, " ".join(words).replace("V:", ""), direct))
    return tuple(out)


def _joined_head(rv: ReportingVerb) -> str | None:
    """The words before the verb of a phrase that may be written as one word («اظهارکرد»), else None."""
    elems = rv.elems
    if len(elems) >= 2 and elems[-1][0] == "V" and all(k == "W" for k, _ in elems[:-1]):
        return "".join(v for _, v in elems[:-1])  # type: ignore[misc]
    return None


class ReportingIndex:
    """The reporting phrases that may start at a token, found by its key (same matches as trying them all).

    A phrase starts with a word (the token key is one of its prefixes) or a verb (the
    key is one of :func:`~.docview.verb_start_keys`); a phrase that may be written as
    one word also starts at any key beginning with its head words.
    """

    def __init__(self, verbs: tuple[ReportingVerb, ...]) -> None:
        by_key: dict[str, set[int]] = {}
        always: set[int] = set()
        joined: list[tuple[int, str]] = []
        for n, rv in enumerate(verbs):
            head = _joined_head(rv)
            if head is not None:
                joined.append((n, head))
            if not rv.elems:
                always.add(n)
                continue
            kind, val = rv.elems[0]
            if kind == "V":
                starts = verb_start_keys(val)  # type: ignore[arg-type]
            elif val:
                starts = frozenset(val[:k] for k in range(1, len(val) + 1))  # type: ignore[index]
            else:
                always.add(n)
                continue
            for k in starts:
                by_key.setdefault(k, set()).add(n)
        self._by_key = by_key
        self._always = frozenset(always)
        self._joined = tuple(joined)
        self._answers: dict[str, tuple[int, ...]] = {}

    def at(self, key_: str) -> tuple[int, ...]:
        """Indices, ascending, of the phrases that may start at a token whose key is ``key_``."""
        found = self._answers.get(key_)
        if found is None:
            ids = set(self._by_key.get(key_, ())) | self._always
            ids.update(n for n, head in self._joined if key_.startswith(head) and len(key_) > len(head))
            if len(self._answers) >= WORD_MEMO_SIZE:
                self._answers.clear()
            found = self._answers[key_] = tuple(sorted(ids))
        return found


def match_reporting(verbs: tuple[ReportingVerb, ...], toks: list[Tok], i: int,
                    index: ReportingIndex | None = None) -> tuple[int, float, str, bool] | None:
    """The longest reporting phrase at token ``i``: ``(end, confidence, name, direct)``, or None.

    ``index`` (:attr:`RuleSet.reporting_index`): try only the phrases that may start there.
    """
    best = None
    for n in (index.at(toks[i].key) if index is not None else range(len(verbs))):
        rv = verbs[n]
        elems = rv.elems
        # «اظهارکرد» written as one word
        if len(elems) >= 2 and elems[-1][0] == "V" and all(k == "W" for k, _ in elems[:-1]):
            head = "".join(v for _, v in elems[:-1])
            tk = toks[i].key
            if tk.startswith(head) and len(tk) > len(head):
                rest = Tok(0, 0, tk[len(head):], tk[len(head):], 0, 0)
                if match_verb([rest], 0, elems[-1][1]) is not None and (best is None or i + 1 > best[0]):
                    best = (i + 1, rv.confidence, rv.name, rv.direct)
        j = i
        ok = True
        for kind, val in elems:
            nj = match_verb(toks, j, val) if kind == "V" else match_words(toks, j, val)
            if nj is None or (kind == "V" and verb_negated(toks, j, val)):
                ok = False  # «X اعلام نکرد ...»، «X هرگز نگفت که ...»: no statement was made
                break
            j = nj
        if ok and (best is None or j > best[0]):
            best = (j, rv.confidence, rv.name, rv.direct)
    return best


@dataclass(frozen=True)
class RuleSet:
    """Everything the relation rules read, built once from one lexicon folder.

    ``files`` keeps the text of every file it was built from (relative path →
    text), so a component can write exactly these files into a saved pipeline.
    Frozen, with tuples and read-only ``Mapping`` views (plain dicts, so that a
    pipeline still pickles for multiprocessing): nothing changes it after it is built.
    """

    files: Mapping[str, str]
    lex: Lexicons
    #: pattern family (file stem of ``patterns/*.tsv``) → its compiled patterns, in file order
    patterns: Mapping[str, tuple[Compiled, ...]]
    reporting: tuple[ReportingVerb, ...]
    #: «پاسخ گفت»، «تبریک گفت»: the words before a reporting verb that make it no report
    reporting_exclude: tuple[tuple[str, ...], ...]
    #: forms of the light verbs (``light_verbs.txt``) that close a relative clause or start a coordinated one
    light_verbs: tuple[frozenset[str], ...]

    @cached_property
    def reporting_index(self) -> ReportingIndex:
        """:attr:`reporting` indexed by the token key each phrase may start at (built on first use)."""
        return ReportingIndex(self.reporting)

    @classmethod
    def from_files(cls, files: Mapping[str, str]) -> RuleSet:
        """Build from the texts of a lexicon folder (relative path → text)."""
        lex = Lexicons.from_files(files)
        compiled: dict[str, list[Compiled]] = {}
        for p in lex.patterns:
            compiled.setdefault(p.family, []).append(compile_pattern(p, lex.verbs))
        exclude = tuple(tuple(key(w) for w in words if not w.startswith("V:")) for words in lex.reporting_exclude)
        return cls(
            files=dict(files),
            lex=lex,
            patterns={f: tuple(c) for f, c in compiled.items()},
            reporting=compile_reporting(lex),
            reporting_exclude=exclude,
            light_verbs=tuple(_verb(lex.verbs, w) for w in lex.light_verbs),
        )

    @classmethod
    def load(cls, folder: str | Path | None = None) -> RuleSet:
        """Build from a lexicon folder (default: the bundled ``data/lexicons/relations``)."""
        return cls.from_files(read_folder(Path(folder) if folder is not None else lexicon_dir()))

    def write(self, folder: str | Path) -> None:
        """Write every file this rule set was built from into ``folder`` (a loadable lexicon folder)."""
        out = Path(folder)
        for rel, text in self.files.items():
            path = out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
