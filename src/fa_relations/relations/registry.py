"""The registry of relation rule families.

A *family* is a named group of rules that produces a declared set of
predicates. Code families register their sentence-level function with
:func:`rule_family`; pattern families (the rows of ``patterns/NAME.tsv``)
register an optional filter with :func:`pattern_family` or
:func:`register_pattern_family`. A pattern file whose name no module
registered runs as a *plain* pattern family (no filter; its predicates are
the ones its rows name), so adding a predicate with triggers only needs a new
``patterns/NAME.tsv``.

:func:`plan` turns the registry and a :class:`~.rules.RuleSet` into the
ordered families a component runs for every sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from ..schema import PREDICATES
from .context import Context
from .docview import Sent
from .lexicon import LexiconError
from .patterns import PatternFilter, apply_family
from .rules import RuleSet

logger = logging.getLogger(__name__)

SentenceRule = Callable[[Context, Sent], None]

#: run order of pattern families no module registered (after every registered family, by name)
PLAIN_ORDER = 1000


@dataclass(frozen=True)
class Family:
    """A registered rule family.

    ``run`` is the sentence-level rule (None for a family that the component
    runs over the whole document itself: ``appositions``). ``patterns`` says
    that the family's rules are the rows of ``patterns/NAME.tsv``.
    Families run in ``order``, then by name.
    """

    name: str
    predicates: frozenset[str]
    order: int
    run: SentenceRule | None = None
    patterns: bool = False
    pattern_filter: PatternFilter | None = None


_REGISTRY: dict[str, Family] = {}


def _identity(f: Family) -> tuple:
    """What makes two registrations the same (a module imported twice registers the same functions again)."""
    fns = tuple(getattr(fn, "__qualname__", None) for fn in (f.run, f.pattern_filter))
    return (f.name, f.predicates, f.order, f.patterns, fns)


def _register(family: Family) -> None:
    unknown = family.predicates - PREDICATES.keys()
    if unknown:
        raise ValueError(f"family {family.name!r} declares unknown predicates {sorted(unknown)}")
    old = _REGISTRY.get(family.name)
    if old is not None and _identity(old) != _identity(family):
        raise ValueError(f"rule family {family.name!r} is registered twice")
    _REGISTRY[family.name] = family


def rule_family(name: str, *, predicates: Iterable[str], order: int) -> Callable[[SentenceRule], SentenceRule]:
    """Decorator: register a sentence-level rule function as the family ``name``."""

    def deco(fn: SentenceRule) -> SentenceRule:
        _register(Family(name, frozenset(predicates), order, run=fn))
        return fn

    return deco


def register_document_family(name: str, *, predicates: Iterable[str], order: int) -> None:
    """Register a family that the component runs over the whole document (no sentence-level ``run``)."""
    _register(Family(name, frozenset(predicates), order))


def pattern_family(name: str, *, predicates: Iterable[str], order: int) -> Callable[[PatternFilter], PatternFilter]:
    """Decorator: register ``patterns/NAME.tsv`` as a family with the decorated function as its filter."""

    def deco(fn: PatternFilter) -> PatternFilter:
        register_pattern_family(name, predicates=predicates, order=order, pattern_filter=fn)
        return fn

    return deco


def register_pattern_family(
    name: str, *, predicates: Iterable[str], order: int, pattern_filter: PatternFilter | None = None
) -> None:
    """Register ``patterns/NAME.tsv`` as a family producing ``predicates`` (optionally with a filter)."""
    _register(Family(name, frozenset(predicates), order, patterns=True, pattern_filter=pattern_filter))


def registered() -> tuple[Family, ...]:
    """Every registered family, in run order."""
    return tuple(sorted(_REGISTRY.values(), key=lambda f: (f.order, f.name)))


def _runner(family: str, filt: PatternFilter | None) -> SentenceRule:
    return partial(apply_family, family=family, filt=filt)


def plan(rules: RuleSet, selected: Iterable[str] | None = None) -> tuple[Family, ...]:
    """The families to run, in order: every registered family and one plain family per unregistered pattern file.

    Raises :class:`~.lexicon.LexiconError` when a pattern file of a registered
    family names a predicate the family does not declare, and ``ValueError``
    when ``selected`` names a family that does not exist.
    """
    families: list[Family] = []
    for fam in registered():
        if fam.patterns:
            for comp in rules.patterns.get(fam.name, ()):
                if comp.pattern.predicate not in fam.predicates:
                    raise LexiconError(
                        f"{comp.pattern.source}: family {fam.name!r} produces {sorted(fam.predicates)}, "
                        f"not {comp.pattern.predicate!r}"
                    )
            if fam.name not in rules.patterns:
                logger.info("pattern family %r has no patterns/%s.tsv; it gives no triples", fam.name, fam.name)
            fam = Family(fam.name, fam.predicates, fam.order, _runner(fam.name, fam.pattern_filter), True, fam.pattern_filter)
        families.append(fam)
    for name in sorted(set(rules.patterns) - {f.name for f in families}):
        preds = frozenset(c.pattern.predicate for c in rules.patterns[name])
        families.append(Family(name, preds, PLAIN_ORDER, _runner(name, None), True))
    if selected is not None:
        selected = list(selected)
        unknown = set(selected) - {f.name for f in families}
        if unknown:
            raise ValueError(f"unknown relation rule families {sorted(unknown)}; known: {[f.name for f in families]}")
        families = [f for f in families if f.name in selected]
    return tuple(families)
