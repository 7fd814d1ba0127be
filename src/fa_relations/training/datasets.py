"""Readers for the public Persian NER corpora (training and evaluation data), mapped onto SCHEMA labels.

Tags come back as IOB2 strings with SCHEMA labels (``B-PER``, ``I-ORG``, ``O``).
Sentence indices are positions in the file (0-based, blank-line separated), so
stand-off annotations can name a sentence as (corpus, split, index) without
copying its text.
"""

from __future__ import annotations

import ast
import csv
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..iob import repair_iob
from ..paths import datasets_dir

logger = logging.getLogger(__name__)

CORPORA = ("peyma", "arman", "parstwiner")

#: corpus label -> SCHEMA label (``None``: not an entity label of SCHEMA).
LABEL_MAPS: dict[str, dict[str, str | None]] = {
    "peyma": {
        "PER": "PER", "ORG": "ORG", "LOC": "LOC", "DAT": "DATE", "TIM": "TIME",
        "MON": "MONEY", "PCT": "PERCENT",
    },
    "arman": {
        "pers": "PER", "org": "ORG", "loc": "LOC", "fac": "FAC", "pro": "PRODUCT", "event": "EVENT",
    },
    "parstwiner": {
        "PER": "PER", "LOC": "LOC", "ORG": "ORG", "EVE": "EVENT", "POG": "ORG", "NAT": "NAT",
    },
    # extra training corpora (other guidelines or silver); ``None``: no SCHEMA label, read as O
    # (so, under partial labels, unknown: the model is not told such a word is not an entity)
    "wiki_ner": {  # its DAT is broader than PEYMA's (durations, «دیروز»), so it teaches no DATE
        "PER": "PER", "ORG": "ORG", "LOC": "LOC", "EVE": "EVENT", "DAT": None,
    },
    "multiconer2_fa": {  # fine types of the clean-* files
        **dict.fromkeys(("Artist", "Athlete", "Politician", "Cleric", "Scientist", "SportsManager", "OtherPER"),
                        "PER"),
        **dict.fromkeys(("ORG", "PublicCorp", "PrivateCorp", "SportsGRP", "MusicalGRP", "CarManufacturer",
                         "AerospaceManufacturer", "TechCORP"), "ORG"),
        "HumanSettlement": "LOC", "OtherLOC": "LOC", "Facility": "FAC", "Station": "FAC",
        **dict.fromkeys(("ArtWork", "VisualWork", "WrittenWork", "MusicalWork", "Software", "Vehicle", "OtherPROD",
                         "Clothing", "Food", "Drink", "Medication/Vaccine", "MedicalProcedure", "Symptom", "Disease",
                         "AnatomicalStructure", "OtherMedical"), None),
    },
    "translated_conll": {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "MISC": None},
    "translated_ontonotes": {  # its DATE/TIME are broader than PEYMA's (durations, ages), so not taught
        "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "FAC", "EVENT": "EVENT",
        "PRODUCT": "PRODUCT", "MONEY": "MONEY", "PERCENT": "PERCENT",
        **dict.fromkeys(("DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "WORK_OF_ART", "LAW",
                         "LANGUAGE"), None),
    },
    "translated_wnut": {
        "person": "PER", "location": "LOC", "group": "ORG", "corporation": "ORG", "product": None,
        "creative-work": None,
    },
}

#: Extra training corpora (never scored, never used for selection): their files under the datasets folder.
EXTRA_CORPORA: dict[str, tuple[str, ...]] = {
    "wiki_ner": ("wiki_ner/eval.csv", "wiki_ner/test.csv"),
    "multiconer2_fa": ("multiconer2_fa/clean-fa-dev.conll", "multiconer2_fa/clean-fa-train10.conll"),
    "translated_conll": tuple(f"translated_ner/conll2003/{s}.conll" for s in ("train", "validation", "test")),
    "translated_ontonotes": tuple(f"translated_ner/ontonotes5/{s}.conll" for s in ("validation", "test")),
    "translated_wnut": tuple(f"translated_ner/wnut2017/{s}.conll" for s in ("train", "validation", "test")),
}
#: Label ids of the wiki_ner CSV files (PouriaYazdani/Persian-NER preprocess/config.py).
WIKI_NER_TAGS = ("O", "B-DAT", "B-PER", "B-ORG", "B-LOC", "B-EVE", "I-DAT", "I-PER", "I-ORG", "I-LOC", "I-EVE")

#: Extra corpora whose guidelines tag facilities (airports, stadiums, bridges) as LOC: with
#: ``TrainConfig.loc_may_be_fac`` a LOC span of theirs may be a LOC or a FAC (partial labels).
LOC_INCLUDES_FAC: frozenset[str] = frozenset({"wiki_ner", "translated_conll", "translated_wnut"})

#: SCHEMA labels each corpus annotates; a label outside this set is unknown, not "O".
CORPUS_LABELS: dict[str, frozenset[str]] = {
    name: frozenset(v for v in m.values() if v and v != "NAT") for name, m in LABEL_MAPS.items()
}


@dataclass
class TaggedSentence:
    """One gold sentence: words and their IOB2 tags with SCHEMA labels."""

    corpus: str
    split: str
    index: int
    words: list[str]
    tags: list[str]

    @property
    def text(self) -> str:
        """The words joined by single spaces (the text stand-off offsets refer to)."""
        return " ".join(self.words)


def split_file(corpus: str, split: str, fold: int = 1) -> str:
    """File name of a split: ``train``/``dev``/``test``; ARMAN has folds and no dev."""
    if corpus not in CORPORA:
        raise ValueError(f"unknown corpus {corpus!r}; expected one of {CORPORA}")
    if split not in ("train", "dev", "test"):
        raise ValueError(f"unknown split {split!r}; expected train, dev or test")
    if corpus == "arman":
        if split == "dev":
            raise ValueError("ARMAN has no dev split; hold out part of train_foldN instead")
        return f"{split}_fold{fold}.txt"
    return f"{split}.txt"


def _parse_line(corpus: str, line: str) -> tuple[str, str]:
    if corpus == "peyma":
        word, _, tag = line.rpartition("|")
    elif corpus == "parstwiner":
        word, _, tag = line.rpartition("\t")
    else:
        word, _, tag = line.rpartition(" ")
    return word, tag.strip()


def _map_tag(corpus: str, tag: str, keep_nat: bool) -> str:
    if tag == "O" or not tag:
        return "O"
    prefix, sep, label = (tag[0] + "-" + tag[2:] if tag[1:2] == "_" else tag).partition("-")  # B_X as B-X
    if not sep or prefix not in ("B", "I"):
        raise ValueError(f"{corpus}: malformed tag {tag!r}")
    if label not in LABEL_MAPS[corpus]:
        raise ValueError(f"{corpus}: unknown label {label!r} in tag {tag!r}")
    mapped = LABEL_MAPS[corpus][label]
    if mapped is None or (mapped == "NAT" and not keep_nat):
        return "O"
    return f"{prefix}-{mapped}"


def iter_sentences(
    corpus: str,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    fold: int = 1,
    keep_nat: bool = False,
) -> Iterator[TaggedSentence]:
    """Yield the sentences of one corpus split, with SCHEMA IOB2 tags."""
    path = Path(datasets_dir(data_dir)) / corpus / split_file(corpus, split, fold)
    words: list[str] = []
    tags: list[str] = []
    index = 0
    split_name = split if corpus != "arman" else f"{split}_fold{fold}"
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if not line.strip() and not (corpus == "peyma" and line.endswith("|O")):
                if words:
                    yield TaggedSentence(corpus, split_name, index, words, repair_iob(tags))
                    index += 1
                    words, tags = [], []
                continue
            word, tag = _parse_line(corpus, line)
            words.append(word)
            tags.append(_map_tag(corpus, tag, keep_nat))
    if words:
        yield TaggedSentence(corpus, split_name, index, words, repair_iob(tags))


def read_sentences(
    corpus: str,
    split: str,
    data_dir: str | os.PathLike[str] | None = None,
    *,
    fold: int = 1,
    keep_nat: bool = False,
) -> list[TaggedSentence]:
    """All sentences of one corpus split (see :func:`iter_sentences`)."""
    return list(iter_sentences(corpus, split, data_dir, fold=fold, keep_nat=keep_nat))


_GLUED_PUNCT = re.compile(r"^(.*?[^\W_].*?)([.,!?:;\u060c\u061b\u061f\u00ab\u00bb\"'()]+)$")


def _split_glued(words: list[str], tags: list[str]) -> tuple[list[str], list[str]]:
    """Cut punctuation glued to the end of a word («کرد.» → «کرد» «.») off as an O token, unless the
    entity goes on after the word (the punctuation would then split it)."""
    out_w: list[str] = []
    out_t: list[str] = []
    for i, (w, t) in enumerate(zip(words, tags, strict=True)):
        m = _GLUED_PUNCT.match(w)
        continues = i + 1 < len(tags) and tags[i + 1].startswith("I-")
        if m and not continues:
            out_w += [m.group(1), m.group(2)]
            out_t += [t, "O"]
        else:
            out_w.append(w)
            out_t.append(t)
    return out_w, out_t


def _extra_file_sentences(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    """Raw (words, corpus tags) of one extra-corpus file: wiki_ner CSV or ``token _ _ TAG`` CoNLL."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                words = ast.literal_eval(row["tokens"])
                yield list(words), [WIKI_NER_TAGS[i] for i in ast.literal_eval(row["labels"])]
        return
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            fields = raw.split()
            if len(fields) == 4 and fields[0] != "#":
                words.append(fields[0])
                tags.append(fields[3])
            elif words and (not fields or fields[0] == "#" or (len(fields) == 1 and fields[0].isdigit())):
                yield words, tags
                words, tags = [], []
    if words:
        yield words, tags


def read_extra(corpus: str, data_dir: str | os.PathLike[str] | None = None) -> list[TaggedSentence]:
    """Sentences of an extra training corpus (:data:`EXTRA_CORPORA`), every file, with SCHEMA IOB2 tags.

    Labels without a SCHEMA counterpart become ``O`` (see :data:`LABEL_MAPS`); for the machine-translated
    sets, punctuation glued to a word's end is cut off as its own ``O`` token."""
    if corpus not in EXTRA_CORPORA:
        raise ValueError(f"unknown extra corpus {corpus!r}; expected one of {tuple(EXTRA_CORPORA)}")
    root = Path(datasets_dir(data_dir))
    out: list[TaggedSentence] = []
    for rel in EXTRA_CORPORA[corpus]:
        path = root / rel
        for index, (words, raw_tags) in enumerate(_extra_file_sentences(path)):
            tags = [_map_tag(corpus, t, False) for t in raw_tags]
            if corpus.startswith("translated_"):
                words, tags = _split_glued(words, tags)
            out.append(TaggedSentence(corpus, path.stem, index, words, repair_iob(tags)))
    return out


def _conll_tag(tag: str, where: str) -> str:
    """``O``, ``B-X``/``I-X`` (``B_X`` accepted) as IOB tags; anything else is an error naming ``where``."""
    if tag == "O":
        return tag
    prefix, sep, label = tag.replace("_", "-", 1).partition("-")
    if not sep or prefix not in ("B", "I") or not label:
        raise ValueError(f"{where}: {tag!r} is not an IOB tag (O, B-LABEL, I-LABEL)")
    return f"{prefix}-{label}"


def read_conll(path: str | os.PathLike[str]) -> list[TaggedSentence]:
    """A user's own gold file in CoNLL/IOB form: one ``token<TAB or spaces>tag`` per line (the
    tag is the last field, so ``token _ _ tag`` works too), a blank line between sentences.

    Tags are IOB1 or IOB2 with any labels (``B-PER``, ``I_LOC``), kept as written; ``-DOCSTART-``
    lines and ``#`` comment lines are skipped. Sentences are numbered from 0 in file order.
    """
    path = Path(path)
    sentences: list[TaggedSentence] = []
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if words:
            sentences.append(TaggedSentence(path.name, "file", len(sentences), list(words), repair_iob(tags)))
            words.clear()
            tags.clear()

    with open(path, encoding="utf-8-sig") as fh:
        for n, raw in enumerate(fh, 1):
            fields = raw.split()
            if not fields:
                flush()
                continue
            if fields[0] == "-DOCSTART-" or (fields[0].startswith("#") and len(fields) == 1) or (
                    fields[0] == "#" and len(fields) > 2):
                continue
            if len(fields) < 2:
                raise ValueError(f"{path}:{n}: expected a token and a tag, got {raw.strip()!r}")
            words.append(fields[0])
            tags.append(_conll_tag(fields[-1], f"{path}:{n}"))
    flush()
    return sentences
