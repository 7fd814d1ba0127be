"""Marked-pair relation classification (SemEval-2010 Task 8 style, as PERLEX): text with ``<e1>..</e1>``
and ``<e2>..</e2>`` in, the relation of the pair out.

>>> nlp = load_pair_classifier()                                   # models/perlex
>>> doc = nlp(marked_doc(nlp, "<e1>باد </e1>باعث <e2>خرابی </e2>شد ."))
>>> doc._.pair_relation                                           # {"label": "Cause-Effect(e1,e2)", ...}

:func:`parse_marked` reads the tags (closing tags may carry a space before
them, arguments may overlap or be marked at several occurrences);
:func:`marked_doc` tokenises the text with the pipeline's tokenizer and puts
the two arguments in ``doc.spans["fa_marked_pair"]`` (labels ``E1``/``E2``),
where a classifier with ``candidates="marked_pair"`` finds them.
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..model_files import verify_model_folder
from ..paths import models_dir
from ..pipeline import blank_nlp
from .component import saved_model_config
from .features import MARKED_PAIR_KEY

#: Folder of the shipped PERLEX classifier under ``models/``.
PERLEX_MODEL = "perlex"
CLASSIFIER = "fa_relation_classifier"
_TAG = re.compile(r"</?e[12]>")


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def parse_marked(marked: str) -> tuple[str, tuple[int, int], tuple[int, int], int] | None:
    """The text without tags, the (start, end) of e1 and e2 in it (edge spaces stripped) and how many
    further occurrences were marked; ``None`` when a tag has no partner or an argument is empty.

    Translators sometimes marked an argument at each of its occurrences
    (``<e1>x </e1> ... <e1>x </e1>``): the k-th opening tag pairs with the k-th
    closing one, and the occurrences of e1 and e2 nearest each other are kept.
    """
    out: list[str] = []
    tags: dict[str, list[int]] = {"<e1>": [], "</e1>": [], "<e2>": [], "</e2>": []}
    pos = last = 0
    for m in _TAG.finditer(marked):
        out.append(marked[last:m.start()])
        pos += m.start() - last
        last = m.end()
        tags[m.group()].append(pos)
    out.append(marked[last:])
    text = "".join(out)
    spans: dict[str, list[tuple[int, int]]] = {}
    for name in ("e1", "e2"):
        opens, closes = tags[f"<{name}>"], tags[f"</{name}>"]
        if not opens or len(opens) != len(closes):
            return None
        spans[name] = [sp for sp in (_strip(text, s, e) for s, e in zip(opens, closes, strict=True)) if sp[1] > sp[0]]
        if not spans[name]:
            return None
    e1, e2 = min(((a, b) for a in spans["e1"] for b in spans["e2"]),
                 key=lambda ab: (max(ab[0][0], ab[1][0]) - min(ab[0][1], ab[1][1]), ab[0][0], ab[1][0]))
    return text, e1, e2, len(spans["e1"]) + len(spans["e2"]) - 2


def doc_with_pair(nlp: Language, text: str, e1: tuple[int, int], e2: tuple[int, int]) -> Doc | None:
    """``text`` tokenised by ``nlp`` with the character spans ``e1``, ``e2`` as the marked pair;
    ``None`` if an argument covers no token."""
    doc = nlp.make_doc(text)
    aligned = doc._.fa_aligned
    spans = []
    for label, (s, e) in (("E1", e1), ("E2", e2)):
        if aligned is not None:
            s, e = aligned.from_original(s, e)
        span = doc.char_span(s, e, label=label, alignment_mode="expand")
        if span is None or not len(span):
            return None
        spans.append(span)
    doc.spans[MARKED_PAIR_KEY] = spans
    return doc


def marked_doc(nlp: Language, marked: str) -> Doc:
    """A Doc of a sentence with ``<e1>..</e1>`` and ``<e2>..</e2>`` (see :func:`parse_marked`)."""
    parsed = parse_marked(marked)
    doc = doc_with_pair(nlp, *parsed[:3]) if parsed is not None else None
    if doc is None:
        raise ValueError(f"no readable <e1>..</e1> and <e2>..</e2> pair in {marked!r}")
    return doc


def load_pair_classifier(folder: str | Path | None = None) -> Language:
    """A blank pipeline (the fa_relations tokenizer) with a saved marked-pair classifier (default: the
    shipped PERLEX model); the folder is checked against its manifest before its weights are read."""
    folder = Path(folder) if folder is not None else models_dir() / PERLEX_MODEL
    verify_model_folder(folder)
    nlp = blank_nlp()
    clf = nlp.add_pipe(CLASSIFIER, config={"model": saved_model_config(folder), "candidates": "marked_pair"})
    clf.from_disk(folder)
    return nlp
