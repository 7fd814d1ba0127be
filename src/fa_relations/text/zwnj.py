"""Restoring the zero-width non-joiner (ZWNJ, U+200C) in Persian words.

Scraped news and old archives drop the ZWNJ («میروند», «رئیسجمهوری») or write
a space instead («می روند», «کتاب ها»). The restorer decides word by word from
three sources, most specific first:

1. a lexicon of ZWNJ spellings counted in text we are allowed to learn from
   (``data/lexicons/zwnj.tsv``, built by :func:`fa_relations.training.zwnj_lexicon.build_zwnj_lexicon`), which
   also counts how often the joined spelling is used as a word of its own;
2. hazm's word list (with frequencies) and hazm's verb conjugations;
3. affix rules: a known stem followed by a plural, comparative or clitic suffix.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..paths import cache_dir, data_dir
from . import characters
from .characters import ZWNJ, canonical_word
from .keys import WORD_MEMO_SIZE

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

#: How much likelier «خانه‌ای» (stem + clitic) is than «خان‌های» (stem + plural) at equal
#: stem frequency; tuned on the UD dev files.
HEH_CLITIC_PRIOR = 10.0

WORD_RE = re.compile(r"[آ-ی\u200c]+")
_MIN_STEM = 2


#: Letters that never join the next one: a ZWNJ after them changes nothing on screen,
#: and careful text (UD Persian) leaves it out («داروها»، «مرزهای»).
NON_JOINING = frozenset("اآأإدذرزژو")


def drop_invisible_zwnj(word: str) -> str:
    """Remove each ZWNJ that follows a non-joining letter."""
    if ZWNJ not in word:
        return word
    return "".join(ch for i, ch in enumerate(word) if ch != ZWNJ or i == 0 or word[i - 1] not in NON_JOINING)


@dataclass
class LexiconEntry:
    form: str
    zwnj_count: int
    plain_count: int


def _hazm_cache_path() -> Path | None:
    """Where the derived hazm lexicons are cached, or None when hazm's version is unknown.

    The name carries hazm's version and a hash of the code that derives them
    (this module and the character canonicalisation), so any change to either
    reads a new file.
    """
    try:
        hazm_version = version("hazm")
    except PackageNotFoundError:
        return None
    code = hashlib.sha256()
    for source in (Path(__file__), Path(characters.__file__)):
        code.update(source.read_bytes())
    return cache_dir() / f"hazm-zwnj-lexicons-{hazm_version}-{code.hexdigest()[:12]}.json"


def _derive_hazm_lexicons() -> dict:
    """Read hazm's word list and verb conjugations (imports hazm: slow)."""
    from hazm import Lemmatizer
    from hazm.utils import words_list

    plain: dict[str, int] = {}
    zw: dict[str, tuple[str, int]] = {}
    for word, freq, _tags in words_list():
        word = canonical_word(word)
        if ZWNJ in word:
            key = word.replace(ZWNJ, "")
            if key not in zw or freq > zw[key][1]:
                zw[key] = (word, freq)
        else:
            plain[word] = max(freq, plain.get(word, 0))
    verbs = Lemmatizer(joined_verb_parts=False).verbs
    joined = {v.replace(ZWNJ, ""): v for v in verbs if ZWNJ in v and " " not in v}
    return {"plain": plain, "zwnj": {k: [w, f] for k, (w, f) in zw.items()}, "verbs": joined}


class ZwnjRestorer:
    """Decides the ZWNJ spelling of single words and of space-separated affixes."""

    def __init__(self, lexicon_path: str | Path | None = None, use_hazm: bool = True,
                 *, lexicon_text: str | None = None) -> None:
        """``lexicon_path``: the ZWNJ lexicon TSV (default: the one in ``data/lexicons``);
        ``lexicon_text``: its content instead of a file (a pipeline read from bytes)."""
        self.lexicon_path = Path(lexicon_path) if lexicon_path else data_dir() / LEXICON_FILE
        self.use_hazm = use_hazm
        self._lexicon_text = lexicon_text

    def lexicon_text(self) -> str | None:
        """The ZWNJ lexicon TSV this restorer uses (to save it with a pipeline), or None if there is none."""
        if self._lexicon_text is not None:
            return self._lexicon_text
        return self.lexicon_path.read_text(encoding="utf-8") if self.lexicon_path.exists() else None

    @cached_property
    def corpus_lexicon(self) -> dict[str, LexiconEntry]:
        entries: dict[str, LexiconEntry] = {}
        text = self.lexicon_text()
        if text is None:
            logger.warning("ZWNJ lexicon %s not found; restoring from hazm and rules only", self.lexicon_path)
            return entries
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            key, form, nz, np_ = line.split("\t")
            entries[key] = LexiconEntry(form, int(nz), int(np_))
        logger.info("ZWNJ lexicon: %d entries from %s", len(entries),
                    "a saved pipeline" if self._lexicon_text is not None else self.lexicon_path)
        return entries

    @cached_property
    def _hazm_lexicons(self) -> dict:
        """hazm's word list and verb conjugations in the form the restorer needs.

        Deriving them means importing hazm and reading its data (about 6 s), so the
        result is kept as JSON in :func:`~fa_relations.paths.cache_dir` (see
        :func:`_hazm_cache_path`); a missing or unreadable cache is rebuilt.
        """
        if not self.use_hazm:
            return {"plain": {}, "zwnj": {}, "verbs": {}}
        path = _hazm_cache_path()
        if path is not None and path.is_file():
            try:
                with open(path, encoding="utf-8") as fh:
                    cached = json.load(fh)
                if set(cached) == {"plain", "zwnj", "verbs"}:
                    return cached
            except (OSError, ValueError) as e:
                logger.debug("ignoring the unreadable hazm lexicon cache %s: %s", path, e)
        lexicons = _derive_hazm_lexicons()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
                with open(tmp, "w", encoding="utf-8") as fh:
                    json.dump(lexicons, fh, ensure_ascii=False)
                os.replace(tmp, path)
            except OSError as e:  # a read-only home: work without the cache
                logger.debug("could not write the hazm lexicon cache %s: %s", path, e)
        return lexicons

    @cached_property
    def _hazm_words(self) -> tuple[dict[str, int], dict[str, tuple[str, int]]]:
        """hazm's word list: plain word -> frequency, joined key -> (ZWNJ form, frequency)."""
        lex = self._hazm_lexicons
        return lex["plain"], {k: (v[0], v[1]) for k, v in lex["zwnj"].items()}

    @cached_property
    def _hazm_verbs(self) -> dict[str, str]:
        """Joined spelling -> ZWNJ spelling of hazm's verb conjugations."""
        return self._hazm_lexicons["verbs"]

    def plain_frequency(self, word: str) -> int:
        return self._hazm_words[0].get(word, 0)

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a word of its own (seen in hazm's list or our counts)."""
        if self.plain_frequency(word) > 0:
            return True
        entry = self.corpus_lexicon.get(word)
        return entry is not None and entry.plain_count > 0

    @cached_property
    def _cache(self) -> dict[str, str]:
        return {}

    def restore(self, word: str, _depth: int = 0) -> str:
        """The ZWNJ spelling of a word written without ZWNJ (the word itself if none applies)."""
        if _depth == 0:
            cached = self._cache.get(word)
            if cached is None:
                if len(self._cache) >= WORD_MEMO_SIZE:
                    self._cache.clear()
                cached = self._cache[word] = self._restore_checked(word, 0)
            return cached
        return self._restore_checked(word, _depth)

    def _restore_checked(self, word: str, _depth: int) -> str:
        if len(word) < 3 or ZWNJ in word or word in DETACHED_SUFFIXES:
            return word
        restored = drop_invisible_zwnj(self._restore(word, _depth))
        if restored != word and min(len(p) for p in restored.split(ZWNJ)) < 2:
            return word
        return restored

    def _restore(self, word: str, _depth: int) -> str:
        plain, zw = self._hazm_words
        hz = zw.get(word)
        freq = plain.get(word, 0)
        if hz is not None and hz[1] > freq:
            return hz[0]
        if freq > 0:
            return word  # a word of its own in hazm's list: «تنها»، «بیشتر»
        if _depth < 2:
            affixed = self._best_affix_parse(word, _depth)
            if affixed is not None:
                return affixed
        entry = self.corpus_lexicon.get(word)
        if entry is not None and entry.zwnj_count > entry.plain_count:
            return entry.form
        verb = self._hazm_verbs.get(word)
        if verb is not None:
            return verb
        return word

    def _stem_weight(self, stem: str) -> int:
        entry = self.corpus_lexicon.get(stem)
        return self.plain_frequency(stem) + (entry.plain_count if entry else 0)

    def _best_affix_parse(self, word: str, depth: int) -> str | None:
        """Split off a plural/comparative suffix or a clitic after «ه»; the most frequent stem wins."""
        best: tuple[float, str] | None = None
        for suffix in SUFFIXES:
            stem = word[: -len(suffix)]
            if not word.endswith(suffix) or len(stem) < _MIN_STEM:
                continue
            if suffix in ("تری", "ترین") and self.plain_frequency(stem + "تر") > 0:
                continue  # lexicalised comparative: «بیشتری»
            candidate = self._candidate(stem, suffix, depth)
            if candidate and (best is None or candidate[0] > best[0]):
                best = candidate
        for clitic in CLITICS_AFTER_HEH:
            stem = word[: -len(clitic)]
            if word.endswith(clitic) and stem.endswith("ه") and len(stem) >= _MIN_STEM + 1:
                candidate = self._candidate(stem, clitic, depth, weight_factor=HEH_CLITIC_PRIOR)
                if candidate and (best is None or candidate[0] > best[0]):
                    best = candidate
        return best[1] if best else None

    def _candidate(
        self, stem: str, suffix: str, depth: int, weight_factor: float = 1.0
    ) -> tuple[float, str] | None:
        restored = self.restore(stem, depth + 1)
        weight = self._stem_weight(stem)
        if restored == stem and weight == 0:
            return None
        return max(weight, 1) * weight_factor, restored + ZWNJ + suffix

    def join_detached(self, left: str, right: str) -> str | None:
        """The ZWNJ spelling of two space-separated pieces («می روند»), or None to keep them apart."""
        if left in DETACHED_PREFIXES:
            joined = left + ZWNJ + right
            if joined.replace(ZWNJ, "") in self._hazm_verbs or self._hazm_verbs.get(left + right):
                return joined
            return None
        if right in DETACHED_SUFFIXES and len(left) >= _MIN_STEM and not left.endswith(ZWNJ):
            return drop_invisible_zwnj(left + ZWNJ + right)
        return None
