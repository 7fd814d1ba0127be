"""Building the ZWNJ lexicon the text layer ships (``data/lexicons/zwnj.tsv``) from corpora.

Research code: it reads corpora, so it lives beside the other training code and the
runtime never imports it. Rebuild with::

    python -c "from fa_relations.training.zwnj_lexicon import build_zwnj_lexicon, lexicon_sources; build_zwnj_lexicon(lexicon_sources())"
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..paths import data_dir, datasets_dir
from ..text.characters import ZWNJ, canonical_word
from ..text.zwnj import LEXICON_FILE, WORD_RE
from .datasets import iter_sentences

logger = logging.getLogger(__name__)


def _iter_words(text: str) -> Iterator[str]:
    for m in WORD_RE.finditer(canonical_word(text)):
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


def lexicon_sources(data: str | Path | None = None) -> Iterator[str]:
    """Texts the shipped lexicon is built from: the UD Persian dev files and ARMAN train_fold1.

    Never the UD test files, which the ZWNJ benchmark reports on. Tweets
    (ParsTwiNER) and the Varzesh3 news were tried and left out: they rarely
    write a ZWNJ, so their counts vote for the joined spelling (UD dev: 75.1%
    and 78.4% of ZWNJ words restored with them, 83.6% without).
    """
    root = datasets_dir(data)
    for conllu in sorted((root / "ud_persian").glob("*-dev.conllu")):
        with open(conllu, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("# text = "):
                    yield line[9:]
    for sent in iter_sentences("arman", "train", root):
        yield sent.text
