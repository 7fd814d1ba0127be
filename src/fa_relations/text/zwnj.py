"""Restoring the zero-width non-joiner (ZWNJ, U+200C) in Persian words.

Scraped news and old archives drop the ZWNJ («میروند», «رئیسجمهوری») or write
a space instead («می روند», «کتاب ها»). The restorer decides word by word from
three sources, most specific first:

1. a lexicon of ZWNJ spellings counted in text we are allowed to learn from
   (``data/lexicons/zwnj.tsv``, built by :func:`build_zwnj_lexicon`), which
   also counts how often the joined spelling is used as a word of its own;
2. hazm's word list (with frequencies) and hazm's verb conjugations;
3. affix rules: a known stem followed by a plural, comparative or clitic suffix.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..paths import data_dir
from .characters import ZWNJ, canonical_word

logger = logging.getLogger(__name__)

LEXICON_FILE = "lexicons/zwnj.tsv"

#: Suffixes written after a ZWNJ, longest first.
SUFFIXES: tuple[str, ...] = (
    "هایشان", "هایتان", "هایمان", "هایش", "هایت", "هایم", "هایی", "های", "ها",
    "ترین", "تری", "تر",
)
#: Clitics that take a ZWNJ only after a final «ه» (خانه‌ای، رفته‌اند).
CLITICS_AFTER_HEH: tuple[str, ...] = ("ایم", "اید", "اند", "ای", "ام", "ات", "اش")
#: Standalone pieces that old spellings separate with a space.
DETACHED_PREFIXES = ("می", "نمی")
DETACHED_SUFFIXES = ("ها", "های", "هایی", "هایش", "هایشان", "تر", "ترین")

_WORD_RE = re.compile(r"[آ-ی\u200c]+")
_MIN_STEM = 2


@dataclass
class LexiconEntry:
    form: str
    zwnj_count: int
    plain_count: int


def _iter_words(text: str) -> Iterator[str]:
    for m in _WORD_RE.finditer(canonical_word(text)):
        yield m.group().strip(ZWNJ)


def build_zwnj_lexicon(texts: Iterable[str], output: str | Path | None = None, min_count: int = 1) -> Path:
    """Count ZWNJ spellings and their joined spellings in ``texts`` and write the lexicon TSV.

    Only text that is not used for reporting may go in (never the UD test files).
    """
    zwnj_forms: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    for text in texts:
        for w in _iter_words(text):
            if ZWNJ in w:
                zwnj_forms[w] += 1
            else:
                plain[w] += 1
    best: dict[str, tuple[str, int]] = {}
    for form, n in zwnj_forms.items():
        key = form.replace(ZWNJ, "")
        if n >= min_count and (key not in best or n > best[key][1]):
            best[key] = (form, n)
    path = Path(output) if output else data_dir() / LEXICON_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# joined\tzwnj_form\tzwnj_count\tplain_count\n")
        for key in sorted(best):
            form, n = best[key]
            fh.write(f"{key}\t{form}\t{n}\t{plain.get(key, 0)}\n")
    logger.info("wrote %d ZWNJ lexicon entries to %s", len(best), path)
    return path


class ZwnjRestorer:
    """Decides the ZWNJ spelling of single words and of space-separated affixes."""

    def __init__(self, lexicon_path: str | Path | None = None, use_hazm: bool = True) -> None:
        self.lexicon_path = Path(lexicon_path) if lexicon_path else data_dir() / LEXICON_FILE
        self.use_hazm = use_hazm

    @cached_property
    def corpus_lexicon(self) -> dict[str, LexiconEntry]:
        entries: dict[str, LexiconEntry] = {}
        if not self.lexicon_path.exists():
            logger.warning("ZWNJ lexicon %s not found; restoring from hazm and rules only", self.lexicon_path)
            return entries
        with open(self.lexicon_path, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                key, form, nz, np_ = line.rstrip("\n").split("\t")
                entries[key] = LexiconEntry(form, int(nz), int(np_))
        return entries

    @cached_property
    def _hazm_words(self) -> tuple[dict[str, int], dict[str, tuple[str, int]]]:
        """hazm's word list: plain word -> frequency, joined key -> (ZWNJ form, frequency)."""
        plain: dict[str, int] = {}
        zw: dict[str, tuple[str, int]] = {}
        if not self.use_hazm:
            return plain, zw
        from hazm.utils import words_list

        for word, freq, _tags in words_list():
            word = canonical_word(word)
            if ZWNJ in word:
                key = word.replace(ZWNJ, "")
                if key not in zw or freq > zw[key][1]:
                    zw[key] = (word, freq)
            else:
                plain[word] = max(freq, plain.get(word, 0))
        return plain, zw

    @cached_property
    def _hazm_verbs(self) -> dict[str, str]:
        """Joined spelling -> ZWNJ spelling of hazm's verb conjugations."""
        if not self.use_hazm:
            return {}
        from hazm import Lemmatizer

        verbs = Lemmatizer(joined_verb_parts=False).verbs
        return {v.replace(ZWNJ, ""): v for v in verbs if ZWNJ in v and " " not in v}

    def plain_frequency(self, word: str) -> int:
        return self._hazm_words[0].get(word, 0)

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a word of its own (seen in hazm's list or our counts)."""
        if self.plain_frequency(word) > 0:
            return True
        entry = self.corpus_lexicon.get(word)
        return entry is not None and entry.plain_count > 0

    def restore(self, word: str, _depth: int = 0) -> str:
        """The ZWNJ spelling of a word written without ZWNJ (the word itself if none applies)."""
        if len(word) < 3 or ZWNJ in word or word in DETACHED_SUFFIXES:
            return word
        restored = self._restore(word, _depth)
        if restored != word and min(len(p) for p in restored.split(ZWNJ)) < 2:
            return word
        return restored

    def _restore(self, word: str, _depth: int) -> str:
        entry = self.corpus_lexicon.get(word)
        if entry is not None:
            if entry.zwnj_count > entry.plain_count:
                return entry.form
            if entry.plain_count > 0:
                return word
        plain, zw = self._hazm_words
        hz = zw.get(word)
        freq = plain.get(word, 0)
        if hz is not None and hz[1] > freq:
            return hz[0]
        if freq > 0:
            return word
        verb = self._hazm_verbs.get(word)
        if verb is not None:
            return verb
        if _depth < 2:
            for suffix in SUFFIXES:
                stem = word[: -len(suffix)]
                if word.endswith(suffix) and len(stem) >= _MIN_STEM:
                    restored = self.restore(stem, _depth + 1)
                    if restored != stem or self.is_known(stem):
                        return restored + ZWNJ + suffix
            for clitic in CLITICS_AFTER_HEH:
                stem = word[: -len(clitic)]
                if word.endswith(clitic) and stem.endswith("ه") and len(stem) >= _MIN_STEM + 1:
                    restored = self.restore(stem, _depth + 1)
                    if restored != stem or self.is_known(stem):
                        return restored + ZWNJ + clitic
        return word

    def join_detached(self, left: str, right: str) -> str | None:
        """The ZWNJ spelling of two space-separated pieces («می روند»), or None to keep them apart."""
        if left in DETACHED_PREFIXES:
            joined = left + ZWNJ + right
            if joined.replace(ZWNJ, "") in self._hazm_verbs or self._hazm_verbs.get(left + right):
                return joined
            return None
        if right in DETACHED_SUFFIXES and len(left) >= _MIN_STEM and not left.endswith(ZWNJ):
            return left + ZWNJ + right
        return None


def lexicon_sources(data: str | Path | None = None) -> Iterator[str]:
    """Texts the shipped lexicon is built from: UD dev files, ARMAN train_fold1, ParsTwiNER train, news.

    Never the UD test files, which the ZWNJ benchmark reports on.
    """
    from ..datasets import iter_sentences
    from ..paths import datasets_dir

    root = datasets_dir(data)
    for conllu in sorted((root / "ud_persian").glob("*-dev.conllu")):
        with open(conllu, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("# text = "):
                    yield line[9:]
    for corpus, split in (("arman", "train"), ("parstwiner", "train")):
        for sent in iter_sentences(corpus, split, root):
            yield sent.text
    for path in sorted((root / "news_unlabelled").glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            for article in json.load(fh):
                yield " ".join([article.get("title", ""), article.get("abstract", ""), *article.get("paragraphs", [])])
