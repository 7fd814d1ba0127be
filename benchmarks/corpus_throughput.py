"""Throughput of corpus extraction: 1 and 2 local worker processes and Dask (2 workers), same input.

Builds a JSON Lines input from the first ``--docs`` paragraphs of the
unlabelled news corpus (in a temporary folder; the text never enters the
repository), runs ``extract_corpus`` once per configuration, checks that every
configuration wrote byte-identical output, and writes
``benchmarks/results/corpus_throughput.json`` plus a Markdown table on stdout.

``docs/s`` is end to end (start-up included: spawning workers, loading the
pipeline once per worker); ``steady docs/s`` counts from the first returned
batch on. The pipeline components that ran are recorded, since NER and
relation extraction are developed in parallel and change the cost per document.

    python benchmarks/corpus_throughput.py --docs 600
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from fa_relations import __version__
from fa_relations.corpus import extract_corpus
from fa_relations.paths import datasets_dir

CONFIGS = [
    {"name": "local, 1 process", "engine": "local", "workers": 1},
    {"name": "local, 2 processes", "engine": "local", "workers": 2},
    {"name": "dask LocalCluster, 2 workers", "engine": "dask", "workers": 2},
]


def build_input(news_dir: Path, n_docs: int, path: Path) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for f in sorted(news_dir.glob("*.json")):
            for item in json.loads(f.read_text(encoding="utf-8")):
                for j, para in enumerate(item.get("paragraphs") or []):
                    out.write(json.dumps({"id": f"{item.get('code')}-{j}", "text": para}, ensure_ascii=False) + "\n")
                    n += 1
                    if n >= n_docs:
                        return n
    return n


def data_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "_manifest.json"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=600, help="number of news paragraphs (default 600)")
    ap.add_argument("--news", type=Path, default=None, help="folder of news_unlabelled/*.json")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--shard-size", type=int, default=200)
    ap.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "corpus_throughput.json")
    args = ap.parse_args()
    news = args.news or datasets_dir() / "news_unlabelled"

    runs = []
    with tempfile.TemporaryDirectory(prefix="fa-corpus-bench-") as tmp:
        src = Path(tmp) / "news.jsonl"
        n = build_input(news, args.docs, src)
        reference = None
        for cfg in CONFIGS:
            out = Path(tmp) / cfg["engine"] / str(cfg["workers"])
            load_before = os.getloadavg()[0]
            t = time.perf_counter()
            s = extract_corpus([src], out, engine=cfg["engine"], workers=cfg["workers"], shard_size=args.shard_size,
                               batch_size=args.batch_size, progress=False)
            wall = time.perf_counter() - t
            files = data_files(out)
            reference = reference or files
            runs.append({
                **cfg, "documents": s.documents_in, "errors": s.errors, "triples": s.triples,
                "entities": s.entities, "seconds": round(wall, 2), "startup_seconds": round(s.startup_seconds, 2),
                "docs_per_second": round(s.documents_in / wall, 2),
                "steady_docs_per_second": round(s.steady_documents_per_second, 2),
                "identical_to_first": files == reference, "load_average_before": round(load_before, 2),
                "components": s.pipeline.get("components"),
            })
            print(f"{cfg['name']}: {runs[-1]['docs_per_second']} docs/s", file=sys.stderr)

    result = {
        "benchmark": "corpus_throughput", "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fa_relations_version": __version__, "python": platform.python_version(), "cpus": os.cpu_count(),
        "input": {"corpus": "news_unlabelled", "documents": n, "batch_size": args.batch_size,
                  "shard_size": args.shard_size},
        "pipeline_components": runs[0]["components"], "runs": runs,
        "all_outputs_identical": all(r["identical_to_first"] for r in runs),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    print(f"{n} news paragraphs, pipeline components: {result['pipeline_components']}, {os.cpu_count()} CPUs\n")
    print("| configuration | seconds | start-up s | docs/s | steady docs/s | identical output |")
    print("|---|---:|---:|---:|---:|---|")
    for r in runs:
        print(f"| {r['name']} | {r['seconds']} | {r['startup_seconds']} | {r['docs_per_second']} | "
              f"{r['steady_docs_per_second']} | {'yes' if r['identical_to_first'] else 'NO'} |")


if __name__ == "__main__":
    main()
