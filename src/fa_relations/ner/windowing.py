"""Sub-words and windows for the transformers NER back end.

Each of OUR words is split into sub-words by the checkpoint's tokenizer
(:func:`encode_words`, ``is_split_into_words``), so the pipeline's word ->
original-offset mapping stays exact. A sentence longer than the model's window
(:func:`max_positions` minus the special tokens of :func:`special_ids`) is cut
into overlapping windows that start on word boundaries (:func:`plan_windows`);
every sub-word takes its prediction from the window where it has the most
context on both sides (:func:`context_size`), so each word gets exactly one tag
and no entity is lost or duplicated at a seam.

Nothing here imports torch: tokenizers are passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..text.characters import translation_table


@lru_cache(maxsize=65536)
def subword_input(word: str) -> str:
    """Letter variants unified and marks dropped (``ي`` -> ``ی``, harakat, tatweel); digits and ZWNJ kept.

    This is the text layer's character table (digits kept). ParsBERT was
    pre-trained on text normalised this way; the checkpoint's own tokenizer
    does the rest (lower-casing, ZWNJ handling, punctuation splits).
    """
    return word.translate(translation_table("keep"))


def plan_windows(n: int, window: int, overlap: int, word_start: Sequence[bool] | None = None) -> list[tuple[int, int]]:
    """Overlapping ``[start, end)`` windows over ``n`` sub-words, each at most ``window`` long.

    Consecutive windows overlap by about ``overlap`` sub-words; a window starts
    on a word's first sub-word when one lies in the overlap. Every position is
    covered, windows advance strictly, and the last one ends at ``n``.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    if n <= window:
        return [(0, n)]
    overlap = max(0, min(overlap, window - 1))
    step = window - overlap
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + window, n)
        spans.append((start, end))
        if end == n:
            return spans
        nxt = start + step
        if word_start is not None and not word_start[nxt]:
            # move back (never more than the overlap, never to or before ``start``) to a word start
            s = nxt - 1
            lowest = max(start + 1, nxt - overlap)
            while s >= lowest and not word_start[s]:
                s -= 1
            if s >= lowest:
                nxt = s
        start = nxt


def context_size(pos: int, start: int, end: int, n: int) -> int:
    """Sub-words of context around ``pos`` inside window ``[start, end)`` (a sentence edge counts as full)."""
    left = pos - start if start > 0 else n
    right = end - 1 - pos if end < n else n
    return min(left, right)


def max_positions(config: Any, tokenizer: Any) -> int:
    limits = []
    mpe = getattr(config, "max_position_embeddings", None)
    if isinstance(mpe, int) and mpe > 0:
        model_type = str(getattr(config, "model_type", "")).lower()
        # RoBERTa-style models offset positions by padding_idx + 1.
        if "roberta" in model_type or model_type in ("camembert", "bart", "longformer"):
            mpe -= int(getattr(config, "pad_token_id", 1) or 1) + 1
        limits.append(mpe)
    tml = getattr(tokenizer, "model_max_length", None)
    if isinstance(tml, int) and 0 < tml < 1_000_000:
        limits.append(tml)
    return min(limits) if limits else 512


def special_ids(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special ids a single sequence gets before and after its tokens (``[CLS]`` / ``[SEP]``)."""
    if getattr(tokenizer, "is_fast", False):
        enc = tokenizer([["a"]], is_split_into_words=True, add_special_tokens=True)
        ids, wids = enc["input_ids"][0], enc.word_ids(0)
        first = next(i for i, w in enumerate(wids) if w is not None)
        last = max(i for i, w in enumerate(wids) if w is not None)
        return list(ids[:first]), list(ids[last + 1:])
    build = getattr(tokenizer, "build_inputs_with_special_tokens", None)
    if build is not None:
        marker = -7
        full = build([marker])
        k = full.index(marker)
        return list(full[:k]), list(full[k + 1:])
    prefix = [tokenizer.cls_token_id] if tokenizer.cls_token_id is not None else []
    suffix = [tokenizer.sep_token_id] if tokenizer.sep_token_id is not None else []
    return prefix, suffix


def _quiet_length_warning(tokenizer: Any) -> None:
    warnings = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warnings, dict):
        warnings["sequence-length-is-longer-than-the-specified-maximum"] = True


def encode_words(tokenizer: Any, sentences: Sequence[Sequence[str]]) -> list[tuple[list[int], list[int]]]:
    """Per sentence: sub-word ids (no special tokens) and the word index of each sub-word.

    Words are canonicalised with :func:`subword_input` first. A word the
    tokenizer turns into nothing (a lone ZWNJ, a control character) has no sub-word.
    """
    _quiet_length_warning(tokenizer)
    out: list[tuple[list[int], list[int]]] = []
    canon = [[subword_input(w) for w in s] for s in sentences]
    if getattr(tokenizer, "is_fast", False):
        todo = [i for i, s in enumerate(canon) if s]
        enc = tokenizer([canon[i] for i in todo], is_split_into_words=True, add_special_tokens=False,
                        return_attention_mask=False, return_token_type_ids=False) if todo else None
        by_sentence: dict[int, tuple[list[int], list[int]]] = {}
        for k, i in enumerate(todo):
            assert enc is not None
            ids = list(enc["input_ids"][k])
            wids = enc.word_ids(k)
            by_sentence[i] = ([t for t, w in zip(ids, wids, strict=True) if w is not None],
                              [w for w in wids if w is not None])
        return [by_sentence.get(i, ([], [])) for i in range(len(canon))]
    for s in canon:  # slow tokenizers: word by word
        ids: list[int] = []
        wids: list[int] = []
        for j, w in enumerate(s):
            piece = tokenizer(w, add_special_tokens=False)["input_ids"] if w.strip() else []
            ids += piece
            wids += [j] * len(piece)
        out.append((ids, wids))
    return out
