"""Batch use as a data engineer expects it (issue #10).

Multiprocessing with torch loaded, interrupts that keep finished work, exit
statuses, input encodings, clear errors for the user's own mistakes, the
user's fields in the output, and logging. Real pipeline, real news paragraphs
from ``../shared/datasets/news_mixed`` where the test needs many documents.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fa_relations.cli import app
from fa_relations.corpus import extract_corpus
from fa_relations.corpus.readers import detect_encoding

from .conftest import require_datasets

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ["اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل، وارد باکو شد.", "وزیر امور خارجه ایران به مسکو سفر کرد.",
             "ایران و ترکیه مرز مشترک دارند."]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def news_records(n: int) -> list[dict]:
    """``n`` real news summaries (Hamshahri RSS, 2020) with their link and tags as user fields."""
    items = json.loads((require_datasets() / "news_mixed" / "hamshahri_rss_2020.json").read_text("utf-8"))
    out = [{"id": f"h{i:04d}", "text": it["summary"], "url": it["link"], "tags": it["tags"]}
           for i, it in enumerate(items) if isinstance(it.get("summary"), str) and len(it["summary"]) > 80]
    assert len(out) >= n
    return out[:n]


def write_jsonl(path: Path, records: list[dict], encoding: str = "utf-8") -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding=encoding)
    return path


# --------------------------------------------------------------------------- 1. n_process with torch loaded

PIPE_SCRIPT = textwrap.dedent("""
    import json, sys, torch
    import fa_relations
    torch.set_num_threads(2)                      # the parent runs torch on two threads first
    ner = None if sys.argv[1] == "builtin" else sys.argv[1]
    nlp = fa_relations.load(ner=ner, device="cpu")
    texts = json.loads(open(sys.argv[2], encoding="utf-8").read())
    one = [d.to_dict() for d in nlp.pipe(texts, batch_size=2)]
    two = [d.to_dict() for d in nlp.pipe(texts, batch_size=2, n_process=2)]
    print(json.dumps({"same": one == two, "n": len(two), "entities": sum(len(d["entities"]) for d in one)}))
""")


def _run_pipe_script(tmp_path: Path, ner: str) -> dict:
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps([r["text"] for r in news_records(8)], ensure_ascii=False), encoding="utf-8")
    script = tmp_path / "pipe.py"
    script.write_text(PIPE_SCRIPT, encoding="utf-8")
    try:
        proc = subprocess.run([sys.executable, str(script), ner, str(texts)], capture_output=True, text=True,
                              timeout=240, env=_env(), cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("nlp.pipe(n_process=2) hung (no answer in 240 s)")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_pipe_two_processes_with_the_builtin_model(tmp_path: Path):
    out = _run_pipe_script(tmp_path, "builtin")
    assert out["same"] and out["n"] == 8
    assert out["entities"] > 0  # NER really ran in the workers


def test_pipe_two_processes_with_a_transformers_checkpoint(tmp_path: Path):
    from .test_transformers_backend import PEYMA, make_checkpoint

    ckpt = make_checkpoint(tmp_path / "tiny-bert", PEYMA)
    out = _run_pipe_script(tmp_path, str(ckpt))
    assert out["same"] and out["n"] == 8


# --------------------------------------------------------------------------- 2. interrupts keep finished work


def _pending_lines(out: Path) -> int:
    return sum(sum(1 for _ in open(p, "rb")) for p in out.glob("_pending-*.jsonl"))


def _interrupt_at(args: list[str], out: Path, sig: int, after: int, tmp_path: Path) -> tuple[int, int, str]:
    """Run the CLI, send ``sig`` once at least ``after`` documents are kept; returns (status, kept, stderr)."""
    log = open(tmp_path / f"stderr-{sig}-{after}.txt", "w+", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "fa_relations", *args], stdout=subprocess.DEVNULL,
                            stderr=log, env=_env(), cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None and _pending_lines(out) < after:
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(sig)
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    log.seek(0)
    return status, _pending_lines(out), log.read()


def test_interrupts_keep_finished_documents_and_resume_is_identical(tmp_path: Path):
    n = 600  # enough that a fast run is still going when each signal is sent
    src = write_jsonl(tmp_path / "news.jsonl", news_records(n))
    # default shard size: every document is in the one open shard; small batches: many points to stop at
    common = [str(src), "--format", "parquet", "-q", "--batch-size", "4"]
    ref = tmp_path / "ref"
    r = subprocess.run([sys.executable, "-m", "fa_relations", "extract", *common, "-o", str(ref), "-w", "1"],
                       capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]

    out = tmp_path / "out"
    kept_before = 0
    points = [(signal.SIGINT, 5, "2"), (signal.SIGTERM, 8, "1"), (signal.SIGINT, 8, "0")]
    for sig, more, workers in points:
        args = ["extract", *common, "-o", str(out), "-w", workers, "--resume"]
        status, kept, err = _interrupt_at(args, out, sig, kept_before + more, tmp_path)
        print(f"{signal.Signals(sig).name} once {kept_before + more} documents were kept (workers {workers}): "
              f"exit {status}, kept {kept}")
        assert status == 130, err[-2000:]
        assert "every finished document is kept" in err
        assert kept >= kept_before + more  # nothing finished is lost, earlier work included
        assert (out / "_manifest.json").exists()
        assert json.loads((out / "_manifest.json").read_text("utf-8"))["status"] == "interrupted"
        kept_before = kept
    r = subprocess.run([sys.executable, "-m", "fa_relations", "extract", *common, "-o", str(out), "-w", "1",
                        "--resume", "--json-summary"], capture_output=True, text=True, env=_env(), cwd=tmp_path,
                       timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stderr.strip().splitlines()[-1])
    assert summary["documents_processed"] == n - kept_before  # only what was not kept was redone
    assert (ref / "part-00000.parquet").read_bytes() == (out / "part-00000.parquet").read_bytes()
    assert not list(out.glob("_pending-*"))


# --------------------------------------------------------------------------- 3. exit statuses


def test_exit_status_when_records_fail(tmp_path: Path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": 1}\n{oops\n' + json.dumps({"text": SENTENCES[0]}, ensure_ascii=False) + "\n", "utf-8")
    base = ["extract", str(src), "-w", "0", "-q"]
    r = runner.invoke(app, [*base, "-o", str(tmp_path / "a.jsonl")])
    assert r.exit_code == 3 and "2 of 3 records failed" in r.stderr
    assert runner.invoke(app, [*base, "-o", str(tmp_path / "b.jsonl"), "--max-errors", "2"]).exit_code == 0
    assert runner.invoke(app, [*base, "-o", str(tmp_path / "c.jsonl"), "--max-errors", "50%"]).exit_code == 3
    assert runner.invoke(app, [*base, "-o", str(tmp_path / "d.jsonl"), "--max-errors", "0.7"]).exit_code == 0
    bad = runner.invoke(app, [*base, "-o", str(tmp_path / "e.jsonl"), "--max-errors", "lots"])
    assert bad.exit_code == 2 and "lots" in bad.output
    every = tmp_path / "every.jsonl"
    every.write_text('{"id": 1}\n{"text": 5}\n', "utf-8")
    r = runner.invoke(app, ["extract", str(every), "-w", "0", "-q", "-o", str(tmp_path / "f.jsonl")])
    assert r.exit_code == 3 and "2 of 2 records failed" in r.stderr


# --------------------------------------------------------------------------- 4. encodings


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_encodings_read_with_the_option_or_detected(tmp_path: Path, encoding: str):
    records = [{"id": f"s{i}", "text": t} for i, t in enumerate(SENTENCES)]
    if encoding == "cp1256":  # Windows-1256 has the Arabic yeh ي, not the Persian ی
        records = [{**r, "text": r["text"].replace("ی", "ي")} for r in records]
    src = write_jsonl(tmp_path / f"in-{encoding}.jsonl", records, encoding=encoding)
    ref = runner.invoke(app, ["extract", str(write_jsonl(tmp_path / "utf8.jsonl", records)), "-w", "0", "-q"])
    assert ref.exit_code == 0
    got = runner.invoke(app, ["extract", str(src), "-w", "0", "-q", "--encoding", encoding])
    assert got.exit_code == 0, got.output
    assert got.stdout == ref.stdout
    auto = runner.invoke(app, ["extract", str(src), "-w", "0", "-q", "--encoding", "auto", "-v"])
    assert auto.exit_code == 0 and auto.stdout == ref.stdout
    assert "detected encoding" in auto.stderr


def test_wrong_encoding_gives_a_hint_and_a_failing_status(tmp_path: Path):
    src = tmp_path / "old.txt"
    src.write_bytes("خبرگزاري فارس گزارش داد.\nدومين خط.\n".encode("cp1256"))
    r = runner.invoke(app, ["extract", str(src), "--lines", "-w", "0", "-o", str(tmp_path / "o.jsonl"), "-q"])
    assert r.exit_code == 3
    err = [json.loads(x) for x in (tmp_path / "o.errors.jsonl").read_text("utf-8").splitlines()]
    assert len(err) == 2 and all("--encoding cp1256" in e["reason"] for e in err)
    ok = runner.invoke(app, ["extract", str(src), "--lines", "-w", "0", "-q", "--encoding", "cp1256"])
    assert [json.loads(x)["text"] for x in ok.stdout.splitlines()] == ["خبرگزاري فارس گزارش داد.", "دومين خط."]
    assert runner.invoke(app, ["extract", str(src), "--encoding", "klingon"]).exit_code == 2


def test_detect_encoding():
    text = "رئيس جمهور ايران گفت که مذاکرات ادامه دارد. " * 20
    assert detect_encoding(text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("utf-8")[:-1]) == "utf-8-sig"  # a character cut at the sample's end
    assert detect_encoding(text.encode("cp1256")) == "cp1256"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"
    assert detect_encoding(text.encode("utf-16-le")) == "utf-16-le"  # no byte-order mark
    assert detect_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert detect_encoding(b'{"text": "Hello"}\n'.decode().encode("utf-16-le")) == "utf-16-le"
    assert detect_encoding("Zürich café".encode("latin-1")) is None


# --------------------------------------------------------------------------- 5. clear errors


def test_output_suffix_decides_or_is_refused(tmp_path: Path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": SENTENCES[1]}])
    r = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "results.csv"), "-w", "0"])
    assert r.exit_code == 2 and "cannot write" in r.stderr and "Traceback" not in r.output
    assert not (tmp_path / "results.csv").exists()
    r = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "res.parquet"), "-w", "0", "-q"])
    assert r.exit_code == 0 and (tmp_path / "res.parquet" / "part-00000.parquet").exists()
    r = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "x.parquet"), "-f", "jsonl", "-w", "0"])
    assert r.exit_code == 2 and "--format parquet" in r.stderr


def test_empty_input_is_an_error(tmp_path: Path):
    for name, content in (("empty.jsonl", ""), ("blank.txt", "\n  \n")):
        src = tmp_path / name
        src.write_text(content, "utf-8")
        out = tmp_path / f"out-{name.split('.')[0]}.jsonl"
        r = runner.invoke(app, ["extract", str(src), "--lines", "-o", str(out), "-w", "0"])
        assert r.exit_code == 2 and "no records in the input" in r.stderr, r.output
        assert not out.exists()  # nothing left behind: the same command works once the input is fixed


def test_output_under_a_file_is_a_clear_error(tmp_path: Path):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": SENTENCES[1]}])
    (tmp_path / "afile").write_text("x", "utf-8")
    r = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "afile" / "out"), "-w", "0"])
    assert r.exit_code in (1, 2) and r.stderr.startswith("error:") and "Traceback" not in r.output


@pytest.fixture()
def mount_tmpfs(tmp_path: Path):
    """A helper that mounts a small tmpfs (needs root; skipped elsewhere, required under CI=true)."""
    mounted: list[Path] = []

    def mount(name: str, options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True, text=True)
        if r.returncode != 0:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI=true but a tmpfs cannot be mounted: {r.stderr.strip()}")
            pytest.skip(f"cannot mount a tmpfs here (not root?): {r.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_read_only_output_folder_is_a_clear_error(tmp_path: Path, mount_tmpfs):
    src = write_jsonl(tmp_path / "in.jsonl", [{"text": SENTENCES[1]}])
    ro = mount_tmpfs("ro", "ro,size=1m")
    r = runner.invoke(app, ["extract", str(src), "-o", str(ro / "out"), "-w", "0"])
    assert r.exit_code == 1 and "cannot write" in r.stderr and "Traceback" not in r.output


def test_full_disk_is_a_clear_error_and_keeps_the_work(tmp_path: Path, mount_tmpfs):
    records = news_records(40)
    src = write_jsonl(tmp_path / "in.jsonl", records)
    small = mount_tmpfs("small", "size=64k")
    out = small / "out"
    r = runner.invoke(app, ["extract", str(src), "-o", str(out), "-w", "0", "-q", "--shard-size", "4",
                            "--include-tokens"])
    assert r.exit_code == 1 and "no space left" in r.stderr and "--resume" in r.stderr, r.output
    assert "Traceback" not in r.output
    journal = (out / "_progress.jsonl").read_text("utf-8").splitlines()
    assert journal, "completed shards were journaled before the disk filled"
    done = [json.loads(x) for x in journal if x.strip().endswith("}")]
    assert all((out / f).exists() for e in done for f in e["files"])
    kept = {f: (out / f).read_bytes() for e in done for f in e["files"] if f.startswith("part-")}
    # space is back (the same disk, grown): resume in place, to the same result as a clean run
    subprocess.run(["mount", "-o", "remount,size=16m", str(small)], check=True)
    roomy = out
    again = runner.invoke(app, ["extract", str(src), "-o", str(roomy), "-w", "0", "-q", "--shard-size", "4",
                                "--include-tokens", "--resume"])
    assert all((roomy / f).read_bytes() == b for f, b in kept.items())  # completed shards were kept as they were
    assert again.exit_code == 0, again.output
    ref = tmp_path / "ref"
    assert runner.invoke(app, ["extract", str(src), "-o", str(ref), "-w", "0", "-q", "--shard-size", "4",
                               "--include-tokens"]).exit_code == 0
    names = sorted(p.name for p in ref.glob("part-*"))
    assert names == sorted(p.name for p in roomy.glob("part-*"))
    assert all((ref / n).read_bytes() == (roomy / n).read_bytes() for n in names)


# --------------------------------------------------------------------------- 6. the user's fields


def test_user_fields_reach_every_output(tmp_path: Path):
    import pandas as pd

    records = news_records(6)
    src = write_jsonl(tmp_path / "news.jsonl", records)
    docs_out = tmp_path / "docs.jsonl"
    extract_corpus(src, docs_out, workers=0, progress=False)
    docs = [json.loads(x) for x in docs_out.read_text("utf-8").splitlines()]
    assert [d["fields"] for d in docs] == [{"url": r["url"], "tags": r["tags"]} for r in records]

    extract_corpus(src, tmp_path / "pq", workers=0, progress=False, format="parquet")
    frame = pd.read_parquet(tmp_path / "pq")
    assert list(frame["id"]) == [r["id"] for r in records]
    assert [dict(f)["url"] for f in frame["fields"]] == [r["url"] for r in records]
    assert [json.loads(dict(f)["tags"]) for f in frame["fields"]] == [r["tags"] for r in records]
    # entities and triples are nested columns, not JSON strings
    ents = [e for row in frame["entities"] for e in row]
    assert ents and all(isinstance(e, dict) and {"text", "label", "start", "end"} <= set(e) for e in ents)
    assert list(frame["n_entities"]) == [len(d["entities"]) for d in docs]
    assert [len(t) for t in frame["triples"]] == [len(d["triples"]) for d in docs]

    extract_corpus(src, tmp_path / "tr", workers=0, progress=False, format="parquet", rows="triples")
    triples = pd.read_parquet(tmp_path / "tr")
    by_id = {r["id"]: r["url"] for r in records}
    assert len(triples) == sum(len(d["triples"]) for d in docs)
    assert all(dict(f)["url"] == by_id[i] for f, i in zip(triples["fields"], triples["doc_id"], strict=True))

    csv_src = tmp_path / "news.csv"
    pd.DataFrame([{"id": r["id"], "text": r["text"], "url": r["url"]} for r in records]).to_csv(csv_src, index=False)
    extract_corpus(csv_src, tmp_path / "csv.jsonl", workers=0, progress=False)
    from_csv = [json.loads(x) for x in (tmp_path / "csv.jsonl").read_text("utf-8").splitlines()]
    assert [d["fields"] for d in from_csv] == [{"url": r["url"]} for r in records]


# --------------------------------------------------------------------------- 7. logging


def test_verbose_logs_what_loads_stage_times_and_failures(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": SENTENCES[0]}, ensure_ascii=False) + "\n{bad\n", "utf-8")
    r = subprocess.run([sys.executable, "-m", "fa_relations", "extract", str(src), "-o", str(tmp_path / "o.jsonl"),
                        "-w", "0", "-q", "-v", "--max-errors", "1"], capture_output=True, text=True, env=_env(),
                       timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    for needle in ("built-in model in", "pipeline fa_relations-builtin ready", "seconds per stage",
                   "fa_ner", "fa_relation_extractor", "record not processed", "invalid JSON"):
        assert needle in r.stderr, needle
    quiet = runner.invoke(app, ["extract", str(src), "-o", str(tmp_path / "p.jsonl"), "-w", "0", "-q",
                                "--max-errors", "1"])
    assert quiet.exit_code == 0
    assert "seconds per stage" not in quiet.stderr


def test_library_logger_names_the_model_folder(caplog):
    import fa_relations

    with caplog.at_level(logging.INFO, logger="fa_relations"):
        fa_relations.load()
    assert any("models" in rec.getMessage() and rec.name.startswith("fa_relations") for rec in caplog.records)
