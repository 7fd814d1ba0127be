"""The speed benchmark behind ``fa-relations bench``: per stage, end to end, processes, threads, memory, cold start.

The input is fixed: Persian news of many topics from ``news_mixed/`` of the
shared corpora (see :func:`news_documents`), cut into paragraphs and taken in
a fixed round-robin order over the four sources until a size in words is
reached, so every size mixes topics and a larger size starts with the smaller
one. The text never leaves the machine: only counts and timings are written.

One run measures, on one process and one torch thread unless said otherwise:

* words and documents per second per stage (tokenizer, each component,
  Doc → Document, through ``Pipeline.pipe(timings=...)``) and end to end, at
  every size (cost must grow linearly with size);
* end to end with 1 and 2 processes (``nlp.pipe(n_process=...)``) and with
  1 and 2 torch threads, at one size;
* peak resident memory (of the process, and of a fresh process that only
  loads the pipeline and runs the input);
* cold start in a fresh process: ``import fa_relations``, ``load()``, the first
  document;
* side by side: hazm's normaliser + tokenizer, parsivar's, and a
  ParsBERT-sized token classifier (12 layers, hidden 768, vocabulary 100,000,
  random weights, one thread, batches of 8).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import logging
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from itertools import zip_longest
from pathlib import Path
from typing import Any

from ..__about__ import __version__
from ..ner.transformers_backend import TransformersTagger
from ..paths import datasets_dir
from ..pipeline import load
from ..text import normalize
from ..text.tokenizer import split_sentences, tokenize_words

logger = logging.getLogger(__name__)

NEWS_FOLDER = "news_mixed"
#: A paragraph longer than this many words is cut at sentence ends into pieces of about this size.
PARAGRAPH_WORDS = 120
#: Lines shorter than this many words (titles, captions) are left out.
MIN_WORDS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def _paragraphs(text: str) -> Iterator[str]:
    """``text`` cut into paragraphs: its lines, and long lines at sentence ends into ~PARAGRAPH_WORDS words."""
    for line in text.splitlines():
        line = line.strip()
        if len(line.split()) < MIN_WORDS:
            continue
        piece: list[str] = []
        n = 0
        for sentence in _SENTENCE_END.split(line):
            piece.append(sentence)
            n += len(sentence.split())
            if n >= PARAGRAPH_WORDS:
                yield " ".join(piece)
                piece, n = [], 0
        if piece and n >= MIN_WORDS:
            yield " ".join(piece)


def _source_streams(folder: Path) -> list[Iterator[str]]:
    """One paragraph stream per source file of ``news_mixed`` (fixed order)."""

    def asriran_2015() -> Iterator[str]:
        yield from _paragraphs((folder / "asriran_2015.txt").read_text(encoding="utf-8"))

    def asriran_2016() -> Iterator[str]:
        with open(folder / "asriran_2016.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield from _paragraphs(row.get("body") or "")

    def rss(name: str) -> Iterator[str]:
        for item in json.loads((folder / name).read_text(encoding="utf-8")):
            text = f"{item.get('title') or ''}\n{item.get('summary') or ''}".strip()
            if len(text.split()) >= MIN_WORDS:
                yield text

    return [asriran_2015(), asriran_2016(), rss("hamshahri_rss_2020.json"), rss("radiofarda_rss_2020.json")]


def news_documents(n_words: int | None = None, n_docs: int | None = None, data: str | Path | None = None) -> list[str]:
    """The fixed benchmark input: news paragraphs round-robin over the ``news_mixed`` sources.

    Stops once ``n_words`` whitespace-separated words or ``n_docs`` paragraphs are
    reached (whichever comes first); the input of a smaller size is a prefix of a
    larger one's.
    """
    folder = datasets_dir(data) / NEWS_FOLDER
    if not folder.is_dir():
        raise FileNotFoundError(f"no {NEWS_FOLDER}/ folder in {folder.parent} (see --data)")
    docs: list[str] = []
    words = 0
    for group in zip_longest(*_source_streams(folder)):
        for text in group:
            if text is None:
                continue
            if (n_words is not None and words >= n_words) or (n_docs is not None and len(docs) >= n_docs):
                return docs
            docs.append(text)
            words += len(text.split())
    return docs


def word_count(texts: Sequence[str]) -> int:
    """Whitespace-separated words (the unit of every words-per-second figure)."""
    return sum(len(t.split()) for t in texts)


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MB.

    ``VmHWM`` of ``/proc/self/status``: the program's own peak (``ru_maxrss`` would keep the
    parent's peak across ``fork`` and ``exec``, so a fresh process would report the benchmark's).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return round(next(int(x.split()[1]) for x in fh if x.startswith("VmHWM:")) / 1024, 1)
    except (OSError, StopIteration):  # not Linux: the best there is
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """The machine and the library versions a result was measured with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": {"fa_relations": __version__, **{p: _version(p) for p in
                     ("spacy", "torch", "numpy", "hazm", "parsivar", "transformers")}},
    }


@dataclass
class BenchConfig:
    """What one ``fa-relations bench`` run measures."""

    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    #: input size (words) of the process/thread comparison
    parallel_size: int = 10_000
    #: runs per measurement; the fastest is kept (the machine may be shared)
    repeat: int = 1
    #: ParsBERT-sized classifier: words it tags (it runs at about 100 words/s on one thread)
    parsbert_words: int = 1_000
    #: True: the real ParsBERT dimensions; False (``--quick``): a tiny network, for tests
    parsbert_full_size: bool = True
    #: one document of this many MB (0: skip) in a fresh process: seconds and peak memory
    long_document_mb: float = 1.0
    data: str | None = None


def _set_threads(n: int) -> None:
    import torch  # heavy optional dependency: only the benchmark sets torch threads

    torch.set_num_threads(n)


def _best(run: Callable[[], dict[str, float]], repeat: int, key: str) -> dict[str, float]:
    """The fastest of ``repeat`` runs (smallest ``key``)."""
    results = [run() for _ in range(max(1, repeat))]
    return min(results, key=lambda r: r[key])


def measure_stages(nlp: Any, docs: list[str], repeat: int = 1) -> dict[str, Any]:
    """Seconds and words/documents per second of every stage, and end to end, over ``docs`` (one process)."""
    words = word_count(docs)

    def staged() -> dict[str, float]:
        timings: dict[str, float] = {}
        for _ in nlp.pipe(docs, timings=timings):
            pass
        timings["total"] = sum(timings.values())
        return timings

    def end_to_end() -> dict[str, float]:
        gc.collect()
        t, cpu = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(docs):
            pass
        return {"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - cpu}

    stages = _best(staged, repeat, "total")
    best = _best(end_to_end, repeat, "seconds")
    total = best["seconds"]
    return {
        "words": words, "documents": len(docs),
        "stages": {name: {"seconds": round(sec, 3), "words_per_second": _rate(words, sec),
                          "documents_per_second": _rate(len(docs), sec)}
                   for name, sec in stages.items() if name != "total"},
        "end_to_end": {"seconds": round(total, 3), "words_per_second": _rate(words, total),
                       "documents_per_second": _rate(len(docs), total),
                       "seconds_per_1000_words": round(1000 * total / words, 4),
                       # CPU time of this process: on a machine shared with other jobs it shows the
                       # cost of the work itself, which wall-clock time mixes with waiting for a core
                       "cpu_seconds": round(best["cpu_seconds"], 3),
                       "words_per_cpu_second": _rate(words, best["cpu_seconds"])},
    }


def measure_parallel(nlp: Any, docs: list[str], repeat: int = 1) -> list[dict[str, Any]]:
    """End to end with 1 and 2 torch threads (one process) and with 2 processes (one thread each)."""
    words = word_count(docs)
    runs = []
    for processes, threads in ((1, 1), (1, 2), (2, 1)):
        _set_threads(threads)

        def once(processes: int = processes) -> dict[str, float]:
            t = time.perf_counter()
            for _ in nlp.pipe(docs, n_process=processes):
                pass
            return {"seconds": time.perf_counter() - t}

        sec = _best(once, repeat, "seconds")["seconds"]
        runs.append({"processes": processes, "torch_threads": threads, "words": words, "documents": len(docs),
                     "seconds": round(sec, 3), "words_per_second": _rate(words, sec),
                     "documents_per_second": _rate(len(docs), sec)})
    _set_threads(1)
    base = runs[0]["words_per_second"]
    for r in runs:
        r["speed_up"] = round(r["words_per_second"] / base, 2)
    return runs


_COLD_START = """
import json, resource, sys, time
t0 = time.perf_counter()
import fa_relations
t1 = time.perf_counter()
nlp = fa_relations.load()
t2 = time.perf_counter()
nlp(sys.argv[1])
t3 = time.perf_counter()
use = resource.getrusage(resource.RUSAGE_SELF)
from fa_relations.evaluation.bench import peak_rss_mb  # after the measurement: not part of the cold start
print(json.dumps({"import_seconds": round(t1 - t0, 3), "load_seconds": round(t2 - t1, 3),
                  "first_document_seconds": round(t3 - t2, 3), "total_seconds": round(t3 - t0, 3),
                  "cpu_seconds": round(use.ru_utime + use.ru_stime, 3), "peak_rss_mb": peak_rss_mb()}))
"""

_RUN_INPUT = """
import json, sys, time
import fa_relations, torch
from fa_relations.evaluation.bench import peak_rss_mb
torch.set_num_threads(1)
texts = json.loads(open(sys.argv[1], encoding="utf-8").read())
nlp = fa_relations.load()
nlp(texts[0][:200])
after_load = peak_rss_mb()
t, cpu = time.perf_counter(), time.process_time()
n = sum(len(d.triples) for d in nlp.pipe(texts))
print(json.dumps({"seconds": round(time.perf_counter() - t, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
                  "triples": n, "peak_rss_after_load_mb": after_load, "peak_rss_mb": peak_rss_mb()}))
"""


def _fresh_python(code: str, *args: str, timeout: float = 1800) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (same environment) and read the JSON line it prints last."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_cold_start(first_document: str) -> dict[str, Any]:
    """A fresh process: ``import fa_relations``, ``load()``, one document; and ``fa-relations --help``."""
    result = _fresh_python(_COLD_START, first_document)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fa_relations", "--help"], capture_output=True, check=True, timeout=600)
    result["cli_help_seconds"] = round(time.perf_counter() - t, 3)
    return result


def measure_memory(docs: list[str], long_document_mb: float, tmp: Path) -> dict[str, Any]:
    """Peak resident memory of fresh processes: the whole input as paragraphs, and one long document."""
    path = tmp / "input.json"
    path.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    out: dict[str, Any] = {"paragraphs": {"words": word_count(docs), "documents": len(docs),
                                          **_fresh_python(_RUN_INPUT, str(path))}}
    if long_document_mb > 0:
        target = int(long_document_mb * 1_000_000)
        pieces: list[str] = []
        size = 0
        while size < target:
            for d in docs:
                pieces.append(d)
                size += len(d.encode("utf-8")) + 1
                if size >= target:
                    break
        text = "\n".join(pieces)
        path.write_text(json.dumps([text], ensure_ascii=False), encoding="utf-8")
        out["long_document"] = {"megabytes": round(len(text.encode("utf-8")) / 1e6, 2), "words": len(text.split()),
                                **_fresh_python(_RUN_INPUT, str(path))}
    return out


def measure_hazm_parsivar(docs: list[str], repeat: int = 1) -> dict[str, Any]:
    """Words per second of hazm's and parsivar's normaliser + word tokenizer over ``docs``."""
    import hazm  # optional comparison libraries: imported only by the benchmark
    import parsivar

    words = word_count(docs)
    hazm_norm = hazm.Normalizer()
    pars_norm, pars_tok = parsivar.Normalizer(), parsivar.Tokenizer()
    systems: dict[str, Callable[[str], Any]] = {
        "hazm Normalizer + word_tokenize": lambda t: hazm.word_tokenize(hazm_norm.normalize(t)),
        "parsivar Normalizer + Tokenizer": lambda t: pars_tok.tokenize_words(pars_norm.normalize(t)),
    }
    out = {}
    for name, fn in systems.items():
        fn(docs[0])  # warm-up (hazm loads its word lists on first use)

        def once(fn: Callable[[str], Any] = fn) -> dict[str, float]:
            t, cpu = time.perf_counter(), time.process_time()
            for d in docs:
                fn(d)
            return {"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - cpu}

        best = _best(once, repeat, "seconds")
        out[name] = {"words": words, "seconds": round(best["seconds"], 3), "words_per_second": _rate(words, best["seconds"]),
                     "words_per_cpu_second": _rate(words, best["cpu_seconds"])}
    return out


def wordpiece_tokenizer(train: Iterable[str], vocab_size: int) -> Any:
    """A BERT WordPiece tokenizer trained on ``train`` (texts), so words split into about as many
    sub-words as with ParsBERT's own vocabulary; no download."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast  # heavy optional dependency

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=None)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(train, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")


#: ParsBERT-base dimensions (12 layers, hidden 768, vocabulary 100,000) and the tiny stand-in of ``--quick``
PARSBERT_SIZE = {"layers": 12, "hidden": 768, "vocab": 100_000}
TINY_SIZE = {"layers": 2, "hidden": 64, "vocab": 5_000}


def measure_parsbert_sized(sentences: list[list[str]], train: list[str], full_size: bool = True,
                           batch_size: int = 8, threads: int = 1) -> dict[str, Any]:
    """Words per second of a BERT token classifier with random weights (speed does not depend on them)."""
    from transformers import BertConfig, BertForTokenClassification  # heavy optional dependency


    size = PARSBERT_SIZE if full_size else TINY_SIZE
    _set_threads(threads)
    tokenizer = wordpiece_tokenizer(train, min(size["vocab"], 30_000))
    labels = ["O"] + [f"{p}-{t}" for p in "BI" for t in ("LOC", "ORG", "PER")]
    config = BertConfig(vocab_size=size["vocab"], hidden_size=size["hidden"], num_hidden_layers=size["layers"],
                        num_attention_heads=max(1, size["hidden"] // 64), intermediate_size=4 * size["hidden"],
                        max_position_embeddings=512, id2label=dict(enumerate(labels)),
                        label2id={lab: i for i, lab in enumerate(labels)})
    with tempfile.TemporaryDirectory() as tmp:
        BertForTokenClassification(config).save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        tagger = TransformersTagger.from_pretrained(tmp, device="cpu", batch_size=batch_size)
    tagger.tag_batch(sentences[:batch_size])  # warm-up
    words = sum(len(s) for s in sentences)
    t, cpu = time.perf_counter(), time.process_time()
    tagger.tag_batch(sentences)
    sec, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"model": f"BertForTokenClassification {size['layers']}x{size['hidden']}, vocabulary {size['vocab']}, "
                     "random weights", "parsbert_size": full_size, "torch_threads": threads, "batch_size": batch_size,
            "sentences": len(sentences), "words": words, "seconds": round(sec, 3), "cpu_seconds": round(cpu, 3),
            "words_per_second": _rate(words, sec), "words_per_cpu_second": _rate(words, cpu)}


def _sentences_of(docs: list[str]) -> list[list[str]]:
    """The pipeline's own sentences of ``docs`` as word lists (what a NER back end is given)."""
    out = []
    for d in docs:
        norm = normalize(d).text
        spans = tokenize_words(norm)
        out.extend([norm[t.start:t.end] for t in spans[a:b]] for a, b in split_sentences(norm, spans))
    return out


def run_bench(config: BenchConfig, output: Path | None = None, plot: bool = True) -> dict[str, Any]:
    """Run every measurement of :class:`BenchConfig`; write the JSON (and the plot beside it) when ``output`` is given."""
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "fa-relations bench", "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "input": {"corpus": NEWS_FOLDER, "unit": "whitespace-separated words of the input text",
                  "paragraph_words": PARAGRAPH_WORDS, "sizes": list(config.sizes)},
    }
    largest = news_documents(max(config.sizes), data=config.data)
    logger.info("cold start in a fresh process")
    result["cold_start"] = measure_cold_start(largest[0])
    _set_threads(1)
    nlp = load()
    result["pipeline"] = {"name": nlp.name, "components": nlp.components}
    for _ in nlp.pipe(largest[:5]):  # warm-up: lexicons and caches load on first use
        pass
    result["stages"] = []
    for size in config.sizes:
        docs = news_documents(size, data=config.data)
        logger.info("stages on %d words", word_count(docs))
        result["stages"].append({"size": size, **measure_stages(nlp, docs, config.repeat)})
    per_k = [s["end_to_end"]["seconds_per_1000_words"] for s in result["stages"]]
    result["scaling"] = {"seconds_per_1000_words": dict(zip(map(str, config.sizes), per_k, strict=True)),
                         "largest_over_smallest": round(per_k[-1] / per_k[0], 2) if per_k[0] else None}
    logger.info("processes and threads")
    result["parallel"] = measure_parallel(nlp, news_documents(config.parallel_size, data=config.data), config.repeat)
    result["memory"] = {"this_process_peak_rss_mb": peak_rss_mb()}
    with tempfile.TemporaryDirectory(prefix="fa-bench-") as tmp:
        logger.info("memory in fresh processes")
        result["memory"].update(measure_memory(largest, config.long_document_mb, Path(tmp)))
    logger.info("hazm and parsivar")
    result["alternatives"] = measure_hazm_parsivar(largest, config.repeat)
    logger.info("ParsBERT-sized classifier")
    pb_docs = news_documents(config.parsbert_words, data=config.data)
    parsbert = measure_parsbert_sized(_sentences_of(pb_docs), largest, full_size=config.parsbert_full_size)
    parsbert["words"] = word_count(pb_docs)
    parsbert["words_per_second"] = _rate(parsbert["words"], parsbert["seconds"])
    parsbert["words_per_cpu_second"] = _rate(parsbert["words"], parsbert["cpu_seconds"])
    result["alternatives"]["ParsBERT-sized token classifier"] = parsbert
    _set_threads(1)
    ours = result["stages"][-1]["end_to_end"]["words_per_second"]
    result["summary"] = {
        "end_to_end_words_per_second": ours,
        "end_to_end_words_per_cpu_second": result["stages"][-1]["end_to_end"]["words_per_cpu_second"],
        "times_parsbert_sized": round(ours / parsbert["words_per_second"], 1),
        "times_parsbert_sized_cpu": round(result["stages"][-1]["end_to_end"]["words_per_cpu_second"]
                                          / parsbert["words_per_cpu_second"], 1),
        "cold_start_cpu_seconds": result["cold_start"]["cpu_seconds"],
        "cold_start_seconds": result["cold_start"]["total_seconds"],
        "two_processes_speed_up": next(r["speed_up"] for r in result["parallel"] if r["processes"] == 2),
        "peak_rss_mb": result["memory"]["paragraphs"]["peak_rss_mb"],
    }
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if plot:
            write_plot(result, output.with_suffix(".png"))
    return result


def write_plot(result: dict[str, Any], path: Path) -> None:
    """Three panels: words/s per stage at each size, seconds against input size, and the comparison."""
    import matplotlib  # heavy optional dependency (dev extra): only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    stages = result["stages"]
    names = list(stages[-1]["stages"]) + ["end to end"]
    width = 0.8 / len(stages)
    for k, s in enumerate(stages):
        rates = [s["stages"][n]["words_per_second"] for n in names[:-1]] + [s["end_to_end"]["words_per_second"]]
        axes[0].bar([i + k * width for i in range(len(names))], rates, width, label=f"{s['words']:,} words")
    axes[0].set_xticks([i + width * (len(stages) - 1) / 2 for i in range(len(names))], names, rotation=20, ha="right")
    axes[0].set_yscale("log")
    axes[0].set_ylabel("words per second (1 process, 1 thread)")
    axes[0].legend()
    axes[0].set_title("per stage")
    words = [s["words"] for s in stages]
    secs = [s["end_to_end"]["seconds"] for s in stages]
    axes[1].loglog(words, secs, "o-", label="measured")
    axes[1].loglog(words, [secs[-1] * w / words[-1] for w in words], "--", label="linear")
    axes[1].set_xlabel("input words")
    axes[1].set_ylabel("seconds end to end")
    axes[1].legend()
    axes[1].set_title("cost against input size")
    alts = {"fa_relations end to end": result["summary"]["end_to_end_words_per_second"],
            **{n: a["words_per_second"] for n, a in result["alternatives"].items()}}
    axes[2].barh(list(alts), list(alts.values()))
    axes[2].set_xscale("log")
    axes[2].set_xlabel("words per second (one thread)")
    axes[2].set_title("side by side")
    fig.suptitle(f"fa-relations bench, {result['machine']['cpu']}, {result['machine']['cores']} cores")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def markdown_tables(result: dict[str, Any]) -> str:
    """The README tables of a result: per stage and size, processes and threads, and the summary."""
    stages = result["stages"]
    names = list(stages[-1]["stages"])
    lines = ["| stage | " + " | ".join(f"{s['words']:,} words" for s in stages) + " |",
             "|---|" + "---:|" * len(stages)]
    for n in names:
        lines.append(f"| {n} | " + " | ".join(f"{s['stages'][n]['words_per_second']:,.0f}" for s in stages) + " |")
    lines.append("| **end to end** | " + " | ".join(f"**{s['end_to_end']['words_per_second']:,.0f}**"
                                                     for s in stages) + " |")
    lines.append("| end to end, documents/s | " + " | ".join(f"{s['end_to_end']['documents_per_second']:,.0f}"
                                                              for s in stages) + " |")
    lines.append("| end to end, words per CPU second | " + " | ".join(
        f"{s['end_to_end']['words_per_cpu_second']:,.0f}" for s in stages) + " |")
    lines.append("| seconds per 1,000 words | " + " | ".join(f"{s['end_to_end']['seconds_per_1000_words']:.3f}"
                                                              for s in stages) + " |")
    lines += ["", "| processes | torch threads | words/s | speed-up |", "|---:|---:|---:|---:|"]
    lines += [f"| {r['processes']} | {r['torch_threads']} | {r['words_per_second']:,.0f} | {r['speed_up']} |"
              for r in result["parallel"]]
    summary = result["summary"]
    lines += ["", "| side by side (one thread) | words/s | words per CPU second |", "|---|---:|---:|",
              f"| fa_relations, end to end | {summary['end_to_end_words_per_second']:,.0f} | "
              f"{summary['end_to_end_words_per_cpu_second']:,.0f} |"]
    lines += [f"| {n} | {a['words_per_second']:,.0f} | {a['words_per_cpu_second']:,.0f} |"
              for n, a in result["alternatives"].items()]
    cold = result["cold_start"]
    lines += ["", f"Cold start (fresh process): import {cold['import_seconds']} s, load() {cold['load_seconds']} s, "
              f"first document {cold['first_document_seconds']} s, total {cold['total_seconds']} s "
              f"({cold['cpu_seconds']} s CPU); "
              f"`fa-relations --help` {cold['cli_help_seconds']} s."]
    mem = result["memory"]
    line = f"Peak memory: {mem['paragraphs']['peak_rss_mb']:,.0f} MB ({mem['paragraphs']['words']:,} words as paragraphs)"
    if "long_document" in mem:
        line += (f", {mem['long_document']['peak_rss_mb']:,.0f} MB (one {mem['long_document']['megabytes']} MB "
                 f"document, {mem['long_document']['seconds']} s)")
    lines.append(line + ".")
    return "\n".join(lines)
