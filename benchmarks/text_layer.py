"""ZWNJ restoration and word tokenisation on the UD Persian test files: fa_relations vs hazm vs parsivar.

    python benchmarks/text_layer.py [--data ../shared/datasets]

Writes benchmarks/results/text_layer.json. Only the ``*-test.conllu`` files are
scored; nothing in fa_relations is built from them.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from fa_relations.evaluation.text_layer import UdSentence, evaluate_tokenizer, evaluate_zwnj, read_conllu
from fa_relations.paths import datasets_dir
from fa_relations.text import normalize
from fa_relations.text.tokenizer import tokenize_words

RESULTS = Path(__file__).resolve().parent / "results" / "text_layer.json"


def ours_tokenize(text: str) -> list[str]:
    norm = normalize(text).text
    return [norm[t.start:t.end] for t in tokenize_words(norm)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="corpus folder (default: $FA_RELATIONS_DATA or ../shared/datasets)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    root = datasets_dir(args.data) / "ud_persian"
    sentences: list[UdSentence] = []
    for path in sorted(root.glob("*-test.conllu")):
        sentences.extend(read_conllu(path))

    import hazm
    import parsivar

    hazm_norm = hazm.Normalizer()
    pars_norm = parsivar.Normalizer()
    pars_tok = parsivar.Tokenizer()
    normalize("گرم کردن")  # load lexicons before timing

    zwnj = {
        "fa_relations": evaluate_zwnj(lambda t: normalize(t).text, sentences),
        "hazm.Normalizer": evaluate_zwnj(hazm_norm.normalize, sentences),
        "parsivar.Normalizer": evaluate_zwnj(pars_norm.normalize, sentences),
    }
    tokens = {
        "fa_relations": evaluate_tokenizer(ours_tokenize, sentences),
        "hazm.word_tokenize": evaluate_tokenizer(hazm.word_tokenize, sentences),
        "parsivar.Tokenizer": evaluate_tokenizer(pars_tok.tokenize_words, sentences),
        "whitespace": evaluate_tokenizer(str.split, sentences),
    }
    result = {"sentences": len(sentences), "files": sorted(p.name for p in root.glob("*-test.conllu")),
              "zwnj_restoration": zwnj, "tokenization_bag_f1": tokens}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"UD Persian test, {len(sentences)} sentences")
    print(f"{'ZWNJ restoration':24} {'ZWNJ words %':>13} {'all words %':>12} {'s':>6}")
    for name, r in zwnj.items():
        print(f"{name:24} {r['zwnj_words_restored']:13.2f} {r['all_words_exact']:12.2f} {r['seconds']:6.1f}")
    print(f"{'tokenisation':24} {'P':>7} {'R':>7} {'F1':>7} {'s':>6}")
    for name, r in tokens.items():
        print(f"{name:24} {r['precision']:7.2f} {r['recall']:7.2f} {r['f1']:7.2f} {r['seconds']:6.1f}")


if __name__ == "__main__":
    main()
