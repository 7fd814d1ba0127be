"""What the ParsBERT NER back end costs: words per second of a ParsBERT-sized model with random weights.

No download: the model is a ``BertForTokenClassification`` with ParsBERT-base
dimensions (12 layers, hidden 768, 12 heads, vocabulary 100,000, 512
positions) and random weights; the tokenizer is a WordPiece vocabulary trained
here on PEYMA train, so words split into about as many sub-words as with the
real ParsBERT vocabulary. Speed does not depend on the weights' values.

    python benchmarks/parsbert_speed.py --sentences 200 --threads 2
    python benchmarks/parsbert_speed.py --device cuda --sentences 2000

The built-in model (when present) is timed on the same sentences for comparison.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path


def _sentences(n: int) -> tuple[list[list[str]], list[list[str]], str]:
    """(sentences to tag, sentences to train the WordPiece vocabulary on, where they come from)."""
    try:
        from fa_relations.training.datasets import read_sentences

        dev = [s.words for s in read_sentences("peyma", "dev")]
        train = [s.words for s in read_sentences("peyma", "train")]
        return dev[:n], train, "PEYMA dev"
    except FileNotFoundError:
        import random

        rng = random.Random(0)
        letters = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
        vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 7))) for _ in range(5000)]
        sents = [[rng.choice(vocab) for _ in range(rng.randint(10, 40))] for _ in range(max(n, 2000))]
        return sents[:n], sents, "synthetic"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sentences", type=int, default=200)
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--vocab", type=int, default=100_000, help="model vocabulary (ParsBERT v2: 100,000)")
    ap.add_argument("--output", type=Path, default=None, help="also write the result as JSON here")
    args = ap.parse_args()

    import torch
    from transformers import BertConfig, BertForTokenClassification

    from fa_relations.evaluation.bench import wordpiece_tokenizer
    from fa_relations.ner.transformers_backend import TransformersTagger
    from fa_relations.ner.windowing import encode_words

    if args.threads:
        torch.set_num_threads(args.threads)
    sents, train, source = _sentences(args.sentences)
    tokenizer = wordpiece_tokenizer((" ".join(s) for s in train), min(args.vocab, 30_000))
    labels = ["O"] + [f"{p}_{t}" for p in "BI" for t in ("DAT", "LOC", "MON", "ORG", "PCT", "PER", "TIM")]
    config = BertConfig(vocab_size=args.vocab, hidden_size=args.hidden, num_hidden_layers=args.layers,
                        num_attention_heads=max(1, args.hidden // 64), intermediate_size=4 * args.hidden,
                        max_position_embeddings=512, id2label=dict(enumerate(labels)),
                        label2id={lab: i for i, lab in enumerate(labels)})
    with tempfile.TemporaryDirectory() as tmp:
        BertForTokenClassification(config).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        t0 = time.perf_counter()
        tagger = TransformersTagger.from_pretrained(tmp, device=args.device, batch_size=args.batch_size)
        load_s = time.perf_counter() - t0
    n_words = sum(len(s) for s in sents)
    n_sub = sum(len(ids) for ids, _ in encode_words(tagger.tokenizer, sents))
    tagger.tag_batch(sents[: min(8, len(sents))])  # warm-up
    if tagger.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    tagger.tag_batch(sents)
    if tagger.device.type == "cuda":
        torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    result = {
        "model": f"BertForTokenClassification {args.layers}x{args.hidden}, vocab {args.vocab} (random weights)",
        "device": str(tagger.device),
        "dtype": str(next(tagger.model.parameters()).dtype),
        "torch_threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "sentences": len(sents), "source": source, "words": n_words,
        "subwords_per_word": round(n_sub / max(1, n_words), 2),
        "batch_size": args.batch_size,
        "load_seconds": round(load_s, 1),
        "seconds": round(secs, 2),
        "words_per_second": round(n_words / secs, 1),
    }
    try:
        from fa_relations.ner.tagger import load_builtin_tagger

        builtin = load_builtin_tagger()
        builtin.tag_batch(sents[:8])
        t0 = time.perf_counter()
        builtin.tag_batch(sents)
        result["builtin_words_per_second"] = round(n_words / (time.perf_counter() - t0), 1)
    except Exception as exc:  # the built-in model is optional here
        result["builtin_words_per_second"] = f"unavailable ({type(exc).__name__})"
    print(json.dumps(result, indent=2))
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
