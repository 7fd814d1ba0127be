"""One very long document in bounded memory: peak memory and the same results as its paragraphs.

Builds a document of ``--mb`` megabytes (UTF-8) from the paragraphs of the seed
article (``../shared/examples/seed_article.txt``; read here, never stored in the
repository), repeated, one paragraph per line. Runs ``nlp(text, tokens=False)``
on it once, records the wall time and the process's peak resident memory
(``ru_maxrss``) before and after, and checks that its entities and triples are
exactly those of its paragraphs analysed one by one (shifted to the paragraph's
place). Writes ``benchmarks/results/long_document_<MB>mb[_no_ner].json``.

    python benchmarks/long_document.py --mb 50
    python benchmarks/long_document.py --mb 50 --no-ner   # tokenizer, typing, relations only
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import time
from pathlib import Path

import torch

import fa_relations
from fa_relations import __version__
from fa_relations.defaults import MAX_CHUNK_CHARS
from fa_relations.evaluation.bench import peak_rss_mb

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "examples" / "seed_article.txt"
RESULTS = Path(__file__).resolve().parent / "results"


def _peak_mb() -> float:
    return peak_rss_mb()  # VmHWM: this process's own peak (ru_maxrss keeps a parent's across exec)


def _shifted(doc: fa_relations.Document, by: int) -> tuple[list, list]:
    """A paragraph's entities and triples as comparable tuples, at offset ``by`` of the long text."""
    ents = [(e.start + by, e.end + by, e.label, e.text) for e in doc.entities]
    trip = [(t.subject.start + by, t.predicate, t.object.start + by, t.method) for t in doc.triples]
    return ents, trip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="document size in megabytes of UTF-8")
    ap.add_argument("--no-ner", action="store_true", help="load(ner=False): measure the rest of the pipeline")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (as fa-relations bench: one)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    paragraphs = [p for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    unit = "\n".join(paragraphs) + "\n"
    repeats = int(args.mb * 1_000_000 // len(unit.encode("utf-8"))) + 1
    text = unit * repeats
    nlp = fa_relations.load(ner=False if args.no_ner else None)
    nlp("سلام")  # components load their resources on first use
    singles = [nlp(p) for p in paragraphs]
    rss_before = _peak_mb()
    t0 = time.perf_counter()
    doc = nlp(text, tokens=False)
    seconds = time.perf_counter() - t0
    rss_after = _peak_mb()
    want_e, want_t, at = [], [], 0
    for _ in range(repeats):
        for p, single in zip(paragraphs, singles, strict=True):
            e, t = _shifted(single, at)
            want_e += e
            want_t += t
            at += len(p) + 1
    got_e, got_t = _shifted(doc, 0)
    out = {
        "benchmark": "long_document", "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": __version__, "python": platform.python_version(), "machine": platform.machine(),
        "megabytes_utf8": round(len(text.encode("utf-8")) / 1e6, 2), "characters": len(text),
        "paragraphs": repeats * len(paragraphs), "max_chunk_chars": MAX_CHUNK_CHARS,
        "components": nlp.components, "torch_threads": args.threads, "seconds": round(seconds, 1),
        "characters_per_second": round(len(text) / seconds),
        "peak_rss_mb_before": round(rss_before), "peak_rss_mb_after": round(rss_after),
        "entities": len(doc.entities), "triples": len(doc.triples), "sentences": len(doc.sentences),
        "same_as_paragraphs_one_by_one": got_e == want_e and got_t == want_t,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"long_document_{args.mb:g}mb{'_no_ner' if args.no_ner else ''}.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
