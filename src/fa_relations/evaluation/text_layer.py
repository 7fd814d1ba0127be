"""Measuring the text layer on UD Persian: ZWNJ restoration and word tokenisation.

ZWNJ restoration: every ZWNJ of a gold sentence is removed, the system restores
them, and each gold word (punctuation stripped) counts as right when the
system's output renders it exactly. Two rates are reported: over the gold words
that contain a ZWNJ (what the baselines quote) and over all words (which also
punishes a ZWNJ inserted where none belongs).
Tokenisation: bag-of-tokens F1 against the UD word forms, per sentence, summed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..text.characters import ZWNJ, canonical_word

_PUNCT = re.compile(r"[^\w\u200c]", re.UNICODE)


@dataclass
class UdSentence:
    text: str
    forms: list[str] = field(default_factory=list)


def read_conllu(path: str | Path) -> Iterator[UdSentence]:
    """Sentences of a CoNLL-U file with their text and word forms (multi-word ranges skipped)."""
    sent: UdSentence | None = None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("# text = "):
                sent = UdSentence(line[9:])
            elif not line and sent is not None:
                yield sent
                sent = None
            elif sent is not None and line and not line.startswith("#"):
                cols = line.split("\t")
                if cols[0].isdigit():
                    sent.forms.append(cols[1])
    if sent is not None:
        yield sent


def _core(s: str) -> str:
    return _PUNCT.sub("", canonical_word(s)).replace(" ", "")


def _render(output: str) -> tuple[str, list[int], list[str]]:
    """Letters of ``output`` without spaces/ZWNJ, the index of each, and the separators after each."""
    out = canonical_word(output)
    core_chars: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(out):
        if ch in (" ", ZWNJ, "\n") or _PUNCT.match(ch):
            continue
        core_chars.append(ch)
        positions.append(i)
    return "".join(core_chars), positions, list(out)


def score_zwnj_sentence(gold_text: str, system_output: str) -> tuple[int, int, int, int]:
    """``(zwnj_words_right, zwnj_words, words_right, words)`` for one sentence."""
    gold_words = [w for w in (_PUNCT.sub("", canonical_word(w)) for w in gold_text.split()) if w.replace(ZWNJ, "")]
    core, positions, chars = _render(system_output)
    zr = zn = wr = wn = 0
    cursor = 0
    for word in gold_words:
        letters = word.replace(ZWNJ, "")
        is_zwnj = ZWNJ in word.strip(ZWNJ)
        wn += 1
        zn += is_zwnj
        if core[cursor:cursor + len(letters)] != letters:
            found = core.find(letters, cursor)
            if found < 0:
                continue
            cursor = found
        a = positions[cursor]
        b = positions[cursor + len(letters) - 1] + 1
        rendered = "".join(chars[a:b]).replace(" ", "\x00")
        glued_left = a > 0 and chars[a - 1] == ZWNJ
        glued_right = b < len(chars) and chars[b] == ZWNJ
        ok = rendered == word.strip(ZWNJ) and not glued_left and not glued_right
        wr += ok
        zr += ok and is_zwnj
        cursor += len(letters)
    return zr, zn, wr, wn


def evaluate_zwnj(system: Callable[[str], str], sentences: list[UdSentence]) -> dict[str, float]:
    totals = [0, 0, 0, 0]
    start = time.perf_counter()
    for sent in sentences:
        stripped = sent.text.replace(ZWNJ, "")
        for k, v in enumerate(score_zwnj_sentence(sent.text, system(stripped))):
            totals[k] += v
    zr, zn, wr, wn = totals
    return {
        "zwnj_words_restored": round(100 * zr / max(zn, 1), 2),
        "all_words_exact": round(100 * wr / max(wn, 1), 2),
        "zwnj_words": zn,
        "words": wn,
        "seconds": round(time.perf_counter() - start, 2),
    }


def evaluate_tokenizer(tokenize: Callable[[str], list[str]], sentences: list[UdSentence]) -> dict[str, float]:
    tp = n_pred = n_gold = 0
    start = time.perf_counter()
    for sent in sentences:
        gold = Counter(_core(f) or f for f in sent.forms)
        pred = Counter(_core(t) or t for t in tokenize(sent.text) if t.strip())
        tp += sum((gold & pred).values())
        n_pred += sum(pred.values())
        n_gold += sum(gold.values())
    p = tp / max(n_pred, 1)
    r = tp / max(n_gold, 1)
    return {
        "precision": round(100 * p, 2),
        "recall": round(100 * r, 2),
        "f1": round(100 * 2 * p * r / max(p + r, 1e-9), 2),
        "seconds": round(time.perf_counter() - start, 2),
    }
