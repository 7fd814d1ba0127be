"""The one matching key for lexicon and gazetteer look-ups.

A key is what two spellings of the same word or name have in common, so a
lexicon written one way matches text written another way. :func:`lookup_key`
applies the text layer's character normalisation (:func:`~.characters.canonical_word`:
Arabic ي/ك/ة → Persian letters, harakat and tatweel dropped, digits unified),
folds the hamza seat ئ → ی, and drops ZWNJ and spaces («تل آویو»، «تلآویو» and
«تل‌آویو» share one key).

Two look-ups need a little more, and say so with the parameters instead of
keeping a key function of their own:

* ``drop``: further characters that do not change a word (the relation
  lexicons write multi-word entries with ``_``; place names are written with
  or without ``-``);
* ``fold_hamza``: place names also fold آ → ا and drop a lone ء («آمريكا» and
  «امریکا» are one country).

The built-in NER model's character encoder (:mod:`fa_relations.ner.features`)
is not a look-up key: its canonical form is part of the trained model's
vocabulary and stays with the model.
"""

from __future__ import annotations

from functools import lru_cache

from .characters import ZWNJ, canonical_word

#: Characters no key keeps: ZWNJ and the space (a word matches with, without or split by them).
ALWAYS_DROPPED = ZWNJ + " "
#: Letter folds every key applies after :func:`canonical_word`.
LETTER_FOLDS = {"ئ": "ی"}
#: Extra folds with ``fold_hamza``: madda alef → alef, lone hamza dropped.
HAMZA_FOLDS = {"آ": "ا", "ء": ""}


#: Distinct words each per-word memo keeps (look-up keys, ZWNJ restoration, the NER's word ids,
#: pattern triggers, place keys). News repeats its words: the 50k most frequent cover almost all
#: tokens, and the memos together stay near 50 MB however long the input.
WORD_MEMO_SIZE = 50_000


@lru_cache(maxsize=16)
def _table(drop: str, fold_hamza: bool) -> dict[int, str]:
    """``str.translate`` table of one key variant."""
    folds = {**LETTER_FOLDS, **(HAMZA_FOLDS if fold_hamza else {})}
    folds.update(dict.fromkeys(ALWAYS_DROPPED + drop, ""))
    return str.maketrans(folds)


@lru_cache(maxsize=WORD_MEMO_SIZE)
def lookup_key(text: str, *, drop: str = "", fold_hamza: bool = False) -> str:
    """The matching key of a word or phrase (see the module docstring).

    ``drop``: characters removed besides ZWNJ and spaces; ``fold_hamza``: also
    fold آ → ا and drop ء. Leading and trailing whitespace other than spaces
    (newlines) is kept; strip the text first where it may carry some.
    """
    return canonical_word(text).translate(_table(drop, fold_hamza))
