"""Corpus-scale extraction (issue #7): readers, writers, errors, resume, engines.

Runs the real ``fa_relations.load()`` pipeline on small Persian sentences written
for these tests; one test also uses the unlabelled news corpus when present.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fa_relations.corpus import ReadOptions, expand_inputs, extract_corpus, iter_records
from fa_relations.corpus.readers import count_records
from fa_relations.corpus.worker import FAULT_ENV
from fa_relations.rows import document_from_row, document_row, triple_from_row, triple_rows
from fa_relations.schema import Argument, Document, Mention, Triple

from .conftest import require_shared

SENTENCES = [
    "اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل، وارد باکو شد.",
    "الهام علی‌اف در فرودگاه بین‌المللی حیدر علی‌اف از او استقبال کرد.",
    "وزیر امور خارجه ایران روز دوشنبه به مسکو سفر کرد.",
    "سخنگوی وزارت خارجه گفت: «ما از گفت‌وگو حمایت می‌کنیم.»",
    "جمهوری آذربایجان تامین کننده نفت خام برای اسرائیل است.",
    "ایران و ترکیه مرز مشترک طولانی دارند.",
    "تیم ملی فوتبال ایران در تهران تمرین کرد.",
    "رئیس‌جمهوری فرانسه با صدراعظم آلمان در پاریس دیدار کرد.",
    "سفارت آذربایجان در تل‌آویو افتتاح شد.",
    "قیمت نفت امروز ۳ درصد افزایش یافت.",
]


def persian_doc(i: int) -> str:
    """A short Persian 'news item' made of two of our sentences (deterministic)."""
    return f"{SENTENCES[i % len(SENTENCES)]} {SENTENCES[(i * 7 + 3) % len(SENTENCES)]}"


def write_jsonl_corpus(path: Path, n: int, *, bad_every: int = 0) -> int:
    """``n`` lines; every ``bad_every``-th line is an invalid record. Returns the number of bad lines."""
    bad = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                bad += 1
                kind = bad % 3
                fh.write(["{not json", json.dumps({"id": f"d{i:04d}", "text": 42}), json.dumps({"id": f"d{i:04d}"})][kind] + "\n")
            else:
                fh.write(json.dumps({"id": f"d{i:04d}", "text": persian_doc(i)}, ensure_ascii=False) + "\n")
    return bad


def read_dir(path: Path) -> dict[str, bytes]:
    """Data files of an output folder (not the manifest, which holds timings)."""
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.name != "_manifest.json"}


# --------------------------------------------------------------------------- readers


def test_readers_all_formats(tmp_path: Path):
    (tmp_path / "one.txt").write_text("متن یک سند کامل.\nخط دوم همان سند.\n", encoding="utf-8")
    (tmp_path / "lines.txt").write_text("سند اول\n\n  \nسند دوم\n", encoding="utf-8")
    with open(tmp_path / "a.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"uid": 7, "body": "ایران و ترکیه"}, ensure_ascii=False) + "\n\n")
        fh.write(json.dumps({"body": "بدون شناسه"}, ensure_ascii=False) + "\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"body": "فشرده"}, ensure_ascii=False) + "\n")
    with open(tmp_path / "c.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["uid", "body"])
        w.writerow(["x1", "سطر اول"])
        w.writerow(["", "سطر دوم\nدو خطی"])
        w.writerow(["x3", "سطر سوم"])
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"body": ["پارکت یک", None, "پارکت سه"], "uid": ["p1", "p2", None]}), tmp_path / "d.parquet")

    opts = ReadOptions(text_field="body", id_field="uid")
    recs = list(iter_records(expand_inputs([tmp_path / "*.jsonl*", tmp_path / "c.csv", tmp_path / "d.parquet"]), opts))
    a, b, c, d = (str(tmp_path / n) for n in ("a.jsonl", "b.jsonl.gz", "c.csv", "d.parquet"))
    assert [(r.id, r.text, r.location, r.error) for r in recs] == [
        ("7", "ایران و ترکیه", "line 1", None),
        (f"{a}:3", "بدون شناسه", "line 3", None),
        (f"{b}:1", "فشرده", "line 1", None),
        ("x1", "سطر اول", "line 2", None),
        (f"{c}:3", "سطر دوم\nدو خطی", "line 3", None),
        ("x3", "سطر سوم", "line 5", None),
        ("p1", "پارکت یک", "row 1", None),
        ("p2", None, "row 2", "field 'body' is null, not a string"),
        (f"{d}:3", "پارکت سه", "row 3", None),
    ]
    assert {r.source for r in recs} == {a, b, c, d}

    whole = list(iter_records([str(tmp_path / "one.txt")], ReadOptions()))
    assert [(r.id, r.text) for r in whole] == [(str(tmp_path / "one.txt"), "متن یک سند کامل.\nخط دوم همان سند.\n")]
    by_line = list(iter_records([str(tmp_path / "lines.txt")], ReadOptions(lines=True)))
    assert [(r.id.rsplit(":", 1)[1], r.text) for r in by_line] == [("1", "سند اول"), ("4", "سند دوم")]
    # a folder expands to its supported files, sorted
    assert [Path(p).name for p in expand_inputs([tmp_path])] == [
        "a.jsonl", "b.jsonl.gz", "c.csv", "d.parquet", "lines.txt", "one.txt"]
    assert count_records(expand_inputs([tmp_path / "*.jsonl*", tmp_path / "d.parquet"]), opts) == 6
    with pytest.raises(FileNotFoundError, match="no file matches"):
        expand_inputs([tmp_path / "*.nothing"])


def test_readers_bad_records(tmp_path: Path):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(
        b'{"id": "ok", "text": "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85"}\n'
        b"{broken\n"
        b"[1, 2]\n"
        b'{"id": "n", "text": 5}\n'
        b'{"id": "m"}\n'
        b'{"id": "u", "text": "\xff\xfe"}\n'
    )
    recs = list(iter_records([str(p)], ReadOptions()))
    assert [r.error is None for r in recs] == [True, False, False, False, False, False]
    reasons = [r.error for r in recs[1:]]
    assert reasons[0].startswith("invalid JSON")
    assert reasons[1] == "expected a JSON object, got list"
    assert reasons[2] == "field 'text' is int, not a string"
    assert reasons[3] == "missing field 'text'"
    assert reasons[4].startswith("invalid UTF-8")
    assert [r.location for r in recs] == [f"line {i}" for i in range(1, 7)]


def test_unloadable_pipeline_fails_fast(tmp_path: Path):
    (tmp_path / "a.txt").write_text("سلام", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="not a saved fa_relations pipeline"):
        extract_corpus([tmp_path / "a.txt"], tmp_path / "out", workers=0, model=tmp_path / "no-model")
    assert not (tmp_path / "out").exists()  # a run that finished nothing leaves nothing behind


def test_missing_column_fails_fast(tmp_path: Path):
    (tmp_path / "c.csv").write_text("title,body\nیک,دو\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no column 'text'"):
        extract_corpus([tmp_path / "c.csv"], tmp_path / "out", workers=0)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- rows


def test_triple_rows_round_trip():
    subj = Argument("اسحاق هرتزوگ", 0, 12, "PER")
    obj = Argument("اسرائیل", 30, 37, "COUNTRY", iso="IL", canonical="اسرائیل",
                   resolved_from=Mention("رئیس‌جمهوری", 14, 25))
    t = Triple(subj, "position_held", obj, attributes={"role": "رئیس‌جمهوری"}, confidence=0.9,
               method="rule:apposition", evidence=[Mention("رئیس‌جمهوری", 14, 25)], sentence=(0, 40))
    doc = Document(text="x" * 40, triples=[t], id="doc-1").to_dict()
    rows = triple_rows(doc)
    assert len(rows) == 1 and rows[0]["doc_id"] == "doc-1" and rows[0]["object_iso"] == "IL"
    assert Triple.from_dict(triple_from_row(rows[0])) == t
    assert document_from_row(document_row(doc)) == doc


# --------------------------------------------------------------------------- extraction, in process


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """A 120-record JSON Lines corpus (8 invalid records) and its reference extraction."""
    root = tmp_path_factory.mktemp("corpus")
    src = root / "news.jsonl"
    bad = write_jsonl_corpus(src, 120, bad_every=15)
    ref = root / "reference"
    summary = extract_corpus([src], ref, workers=0, shard_size=25, progress=False)
    return {"root": root, "src": src, "bad": bad, "ref": ref, "summary": summary}


def test_extract_reference_run(corpus):
    s, ref = corpus["summary"], corpus["ref"]
    assert s.documents_in == 120 and s.errors == corpus["bad"] == 8
    assert s.documents_written == 112 and s.balanced
    assert s.shards == 5 and s.complete
    assert sorted(p.name for p in ref.iterdir()) == [
        "_errors.jsonl", "_manifest.json", *(f"part-{k:05d}.jsonl" for k in range(5))]
    docs = [json.loads(line) for k in range(5) for line in (ref / f"part-{k:05d}.jsonl").read_text("utf-8").splitlines()]
    assert len(docs) == 112
    assert [d["id"] for d in docs] == [f"d{i:04d}" for i in range(120) if i % 15 != 14]
    assert docs[0]["text"] == persian_doc(0) and Document.from_dict(docs[0]).text == persian_doc(0)
    assert set(docs[0]) >= {"id", "text", "entities", "triples", "meta"}
    errors = [json.loads(line) for line in (ref / "_errors.jsonl").read_text("utf-8").splitlines()]
    assert [e["location"] for e in errors] == [f"line {i + 1}" for i in range(120) if i % 15 == 14]
    assert all(e["source"] == str(corpus["src"]) and e["reason"] for e in errors)
    m = json.loads((ref / "_manifest.json").read_text("utf-8"))
    assert m["status"] == "complete" and m["summary"]["balanced"] is True
    assert [sh["records"] for sh in m["shards"]] == [25, 25, 25, 25, 20]
    assert sum(sh["documents"] for sh in m["shards"]) == 112
    assert m["inputs"][0]["path"] == str(corpus["src"]) and m["inputs"][0]["size"] > 0
    assert "components" in m["pipeline"]


def test_extract_parquet_rows(corpus, tmp_path: Path):
    import pyarrow.parquet as pq

    s = extract_corpus([corpus["src"]], tmp_path / "pq", workers=0, shard_size=50, format="parquet", progress=False)
    assert s.balanced and s.documents_written == 112
    table = pq.read_table(sorted((tmp_path / "pq").glob("part-*.parquet")))
    ref = [json.loads(line) for p in sorted(corpus["ref"].glob("part-*.jsonl")) for line in p.read_text("utf-8").splitlines()]
    assert [document_from_row(r) for r in table.to_pylist()] == ref
    import pandas as pd

    assert len(pd.read_parquet(tmp_path / "pq")) == 112  # _manifest.json and _errors.jsonl are skipped
    t = extract_corpus([corpus["src"]], tmp_path / "tr", workers=0, shard_size=50, format="parquet",
                       rows="triples", progress=False)
    trows = pq.read_table(sorted((tmp_path / "tr").glob("part-*.parquet"))).to_pylist()
    assert len(trows) == t.triples == sum(len(d["triples"]) for d in ref)
    assert [Triple.from_dict(triple_from_row(r)) for r in trows] == [
        Triple.from_dict(x) for d in ref for x in d["triples"]]


def test_single_file_output_and_reruns(corpus, tmp_path: Path):
    out = tmp_path / "all.jsonl"
    s = extract_corpus([corpus["src"]], out, workers=0, shard_size=40, progress=False)
    assert s.balanced and s.errors_path == str(tmp_path / "all.errors.jsonl")
    ref = b"".join(p.read_bytes() for p in sorted(corpus["ref"].glob("part-*.jsonl")))
    assert out.read_bytes() == ref  # shard size does not change the documents
    assert (tmp_path / "all.errors.jsonl").read_bytes() == (corpus["ref"] / "_errors.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.errors.jsonl", "all.jsonl"]
    with pytest.raises(FileExistsError):
        extract_corpus([corpus["src"]], out, workers=0, progress=False)
    again = extract_corpus([corpus["src"]], out, workers=0, shard_size=40, resume=True, progress=False)
    assert again.documents_processed == 0 and again.documents_in == 120 and again.errors == 8
    extract_corpus([corpus["src"]], out, workers=0, shard_size=40, overwrite=True, progress=False)
    assert out.read_bytes() == ref
    with pytest.raises(FileExistsError, match="earlier run"):
        extract_corpus([corpus["src"]], corpus["ref"], workers=0, shard_size=25, progress=False)
    with pytest.raises(ValueError, match="shard_size: 25 then, 10 now"):
        extract_corpus([corpus["src"]], corpus["ref"], workers=0, shard_size=10, resume=True, progress=False)


def test_fault_injection_raise_in_process(corpus, tmp_path: Path, monkeypatch):
    monkeypatch.setenv(FAULT_ENV, "raise:^d0003$|^d0077$")
    s = extract_corpus([corpus["src"]], tmp_path / "o", workers=0, shard_size=25, progress=False)
    assert s.errors == 10 and s.documents_written == 110 and s.balanced
    errs = {json.loads(x)["id"]: json.loads(x) for x in (tmp_path / "o" / "_errors.jsonl").read_text("utf-8").splitlines()}
    assert errs["d0003"]["stage"] == "process" and "fault injected" in errs["d0003"]["reason"]
    assert errs["d0003"]["location"] == "line 4" and "RuntimeError" in errs["d0003"]["traceback"]


# --------------------------------------------------------------------------- worker processes


def test_worker_crash_is_isolated(tmp_path: Path, monkeypatch):
    """Two worker processes; one document kills its worker: it is reported, all others are written."""
    src = tmp_path / "news.jsonl"
    write_jsonl_corpus(src, 48, bad_every=15)
    extract_corpus([src], tmp_path / "ref", workers=0, shard_size=20, progress=False)
    monkeypatch.setenv(FAULT_ENV, "exit:^d0020$")
    s = extract_corpus([src], tmp_path / "o", workers=2, shard_size=20, batch_size=8, progress=False)
    assert s.errors == 4 and s.documents_written == 44 and s.balanced
    errs = [json.loads(x) for x in (tmp_path / "o" / "_errors.jsonl").read_text("utf-8").splitlines()]
    crash = [e for e in errs if e["id"] == "d0020"]
    assert crash and "died" in crash[0]["reason"] and crash[0]["location"] == "line 21"
    # every other document is exactly as in the reference run
    ref = [x for p in sorted((tmp_path / "ref").glob("part-*.jsonl")) for x in p.read_text("utf-8").splitlines()]
    got = [x for p in sorted((tmp_path / "o").glob("part-*.jsonl")) for x in p.read_text("utf-8").splitlines()]
    assert got == [x for x in ref if json.loads(x)["id"] != "d0020"]


def test_pool_broken_between_waits_is_recovered():
    """A worker dies while the caller is still busy with an earlier result, so the pool is
    already broken when the next batch is submitted: that batch is retried, not lost."""
    from fa_relations.corpus.engines import Batch, LocalEngine

    items = [(f"d{i:04d}", SENTENCES[i % len(SENTENCES)]) for i in range(6)]
    batches = (Batch([i], [it], [("mem", str(i))]) for i, it in enumerate(items))
    engine = LocalEngine({"model": None, "ner": None, "device": None, "include_tokens": False,
                          "fault_injection": "exit:^d0001$"}, workers=2)
    seen: dict[str, str] = {}
    try:
        for batch, result in engine.map(batches):
            seen[batch.items[0][0]] = result["results"][0][0]
            time.sleep(1.5)  # the crashing document's worker dies meanwhile
    finally:
        engine.close()
    assert sorted(seen) == [i for i, _ in items]
    assert seen.pop("d0001") == "error"
    assert set(seen.values()) == {"ok"}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from fa_relations.cli import main; main()", *args]


def _run_until(cmd: list[str], journal: Path, n_shards: int, sig: int, timeout: float = 240) -> int:
    """Start ``cmd``, wait until ``n_shards`` shards are recorded, send ``sig`` to its process group."""
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_text("utf-8").count("\n") >= n_shards:
                break
            if proc.poll() is not None:
                pytest.fail(f"finished before it could be interrupted: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.05)
        else:
            pytest.fail("no progress before the timeout")
        if sig == signal.SIGKILL:
            os.killpg(proc.pid, signal.SIGKILL)  # the job and its workers, at once
        else:
            os.kill(proc.pid, sig)
        return proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.slow
def test_resume_after_sigint_and_sigkill(tmp_path: Path):
    """SIGINT a 2-process run, SIGKILL the resumed 1-process run, finish in process with --resume:
    the output is byte-identical to an uninterrupted run."""
    src = tmp_path / "news.jsonl"
    write_jsonl_corpus(src, 150, bad_every=37)
    ref = tmp_path / "ref"
    extract_corpus([src], ref, workers=0, shard_size=10, progress=False)
    out = tmp_path / "out"
    cmd = _cli("extract", str(src), "-o", str(out), "--shard-size", "10", "--quiet", "--max-errors", "5")
    journal = out / "_progress.jsonl"

    rc = _run_until([*cmd, "--workers", "2"], journal, 2, signal.SIGINT)
    assert rc == 130
    m = json.loads((out / "_manifest.json").read_text("utf-8"))
    assert m["status"] == "interrupted" and not list(out.glob("*.tmp"))
    n_after_int = len(m["shards"])
    assert 2 <= n_after_int < 15

    rc = _run_until([*cmd, "--workers", "1", "--resume"], journal, n_after_int + 2, signal.SIGKILL)
    assert rc == -signal.SIGKILL
    assert json.loads((out / "_manifest.json").read_text("utf-8"))["status"] == "running"
    assert len(list(out.glob("part-*.jsonl"))) < 15

    done = subprocess.run([*cmd, "--workers", "0", "--resume", "--json-summary"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stderr.strip().splitlines()[-1])
    assert summary["documents_in"] == 150 and summary["balanced"] and summary["resumed_documents"] > 0
    assert read_dir(out) == read_dir(ref)  # byte-identical: no duplicate, no missing document
    assert json.loads((out / "_manifest.json").read_text("utf-8"))["status"] == "complete"


# --------------------------------------------------------------------------- dask


@pytest.mark.slow
def test_dask_local_cluster_matches_local(corpus, tmp_path: Path):
    pytest.importorskip("distributed")
    # the forked local pool first: forking a process in which a dask cluster has run (its threads
    # and event loop) can kill a child worker
    local = extract_corpus([corpus["src"]], tmp_path / "local2", workers=2, shard_size=25, batch_size=8,
                           progress=False)
    assert local.workers == 2 and read_dir(tmp_path / "local2") == read_dir(corpus["ref"])
    s = extract_corpus([corpus["src"]], tmp_path / "dask", engine="dask", workers=2, shard_size=25,
                       batch_size=8, progress=False)
    assert s.engine == "dask" and s.balanced and s.documents_in == 120
    assert read_dir(tmp_path / "dask") == read_dir(corpus["ref"])


# --------------------------------------------------------------------------- real news


def _news_dir() -> Path:
    from fa_relations.paths import datasets_dir

    return require_shared(datasets_dir(must_exist=False) / "news_unlabelled", "the news corpus")


@pytest.mark.datasets
def test_news_paragraphs(tmp_path: Path):
    news = sorted(_news_dir().glob("*.json"))[0]
    items = json.loads(news.read_text(encoding="utf-8"))
    paragraphs = [p for it in items[:20] for p in it.get("paragraphs") or []][:60]
    src = tmp_path / "news.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i, p in enumerate(paragraphs):
            fh.write(json.dumps({"doc": f"n{i}", "body": p}, ensure_ascii=False) + "\n")
    s = extract_corpus(src, tmp_path / "out.jsonl", workers=0, text_field="body", id_field="doc", progress=False)
    assert s.documents_in == len(paragraphs) == s.documents_written and s.errors == 0
    docs = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [d["id"] for d in docs] == [f"n{i}" for i in range(len(paragraphs))]
    assert all(d["text"] == p for d, p in zip(docs, paragraphs, strict=True))


def test_option_objects_and_keywords_are_the_same_job(tmp_path: Path):
    from fa_relations.corpus import OutputOptions, ReadOptions, RunOptions

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"uid": str(i), "body": persian_doc(i)}, ensure_ascii=False) + "\n"
                           for i in range(5)), encoding="utf-8")
    a = extract_corpus(src, tmp_path / "a", read=ReadOptions(text_field="body", id_field="uid"),
                       write=OutputOptions(shard_size=2), run=RunOptions(workers=0, progress=False))
    b = extract_corpus(src, tmp_path / "b", text_field="body", id_field="uid", shard_size=2, workers=0,
                       progress=False)
    assert a.shards == b.shards == 3 and read_dir(tmp_path / "a") == read_dir(tmp_path / "b")
    # keywords override the objects; an unknown keyword is an error, not silently ignored
    c = extract_corpus(src, tmp_path / "c.jsonl", read=ReadOptions(text_field="nope"), text_field="body",
                       workers=0, progress=False)
    assert c.documents_written == 5
    with pytest.raises(TypeError, match="shard_sise"):
        extract_corpus(src, tmp_path / "d", shard_sise=2)
