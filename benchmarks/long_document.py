"""One very long document in bounded memory: peak memory and the same results as its paragraphs.

Builds a document of ``--mb`` megabytes (UTF-8), one paragraph per line, from
the news paragraphs of ``fa-relations bench`` (``news_mixed``, ``--source news``,
the default) or from the seed article's paragraphs (``--source seed``: a
diplomatic report, about seven times denser in triples than news), repeated;
the text is read here and never stored in the repository. Runs
``nlp(text, tokens=False)`` on it once, records the wall time and the process's
peak resident memory (``VmHWM``) before and after, and checks that its entities
and triples are exactly those of its paragraphs analysed one by one (shifted
to the paragraph's place). Writes
``benchmarks/results/long_document_<MB>mb[_seed][_no_ner].json``.

    python benchmarks/long_document.py --mb 50
    python benchmarks/long_document.py --mb 50 --source seed
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
from fa_relations.evaluation.bench import news_documents, peak_rss_mb

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "examples" / "seed_article.txt"
RESULTS = Path(__file__).resolve().parent / "results"


def _peak_mb() -> float:
    return peak_rss_mb()  # VmHWM: this process's own peak (ru_maxrss keeps a parent's across exec)


def _shifted(doc: fa_relations.Document) -> tuple[list, list]:
    """A paragraph's entities and triples as comparable tuples, offsets from the paragraph's start."""
    ents = [(e.start, e.end, e.label, e.text) for e in doc.entities]
    trip = [(t.subject.start, t.predicate, t.object.start, t.method) for t in doc.triples]
    return ents, trip


def _paragraphs(source: str) -> list[str]:
    if source == "seed":
        return [p for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    return [line for doc in news_documents() for line in doc.splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="document size in megabytes of UTF-8")
    ap.add_argument("--no-ner", action="store_true", help="load(ner=False): measure the rest of the pipeline")
    ap.add_argument("--source", choices=("news", "seed"), default="news",
                    help="news paragraphs of news_mixed (as fa-relations bench) or the seed article's")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (as fa-relations bench: one)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    paragraphs = _paragraphs(args.source)
    unit = "\n".join(paragraphs) + "\n"
    repeats = int(args.mb * 1_000_000 // len(unit.encode("utf-8"))) + 1
    text = unit * repeats
    nlp = fa_relations.load(ner=False if args.no_ner else None)
    nlp("سلام")  # components load their resources on first use
    rss_before = _peak_mb()
    t0 = time.perf_counter()
    doc = nlp(text, tokens=False)
    seconds = time.perf_counter() - t0
    rss_after = _peak_mb()
    got_e = [(e.start, e.end, e.label, e.text) for e in doc.entities]
    got_t = [(t.subject.start, t.predicate, t.object.start, t.method) for t in doc.triples]
    counts = {"entities": len(doc.entities), "triples": len(doc.triples), "sentences": len(doc.sentences)}
    del doc
    singles = [_shifted(d) for d in nlp.pipe(paragraphs, tokens=False)]  # after the peak was read
    want_e, want_t, at = [], [], 0
    for _ in range(repeats):
        for p, (ents, trips) in zip(paragraphs, singles, strict=True):
            want_e += [(s + at, e + at, lab, txt) for s, e, lab, txt in ents]
            want_t += [(s + at, pred, o + at, m) for s, pred, o, m in trips]
            at += len(p) + 1
    out = {
        "benchmark": "long_document", "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": __version__, "python": platform.python_version(), "machine": platform.machine(),
        "megabytes_utf8": round(len(text.encode("utf-8")) / 1e6, 2), "characters": len(text),
        "paragraphs": repeats * len(paragraphs), "max_chunk_chars": MAX_CHUNK_CHARS,
        "components": nlp.components, "torch_threads": args.threads, "seconds": round(seconds, 1),
        "characters_per_second": round(len(text) / seconds),
        "peak_rss_mb_before": round(rss_before), "peak_rss_mb_after": round(rss_after),
        "source": args.source, **counts,
        "same_as_paragraphs_one_by_one": got_e == want_e and got_t == want_t,
    }
    RESULTS.mkdir(exist_ok=True)
    name = f"long_document_{args.mb:g}mb{'_seed' if args.source == 'seed' else ''}{'_no_ner' if args.no_ner else ''}.json"
    (RESULTS / name).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
