"""Corpus jobs that lose nothing (issue 15, item 4): SIGKILL at random points, changed inputs, two runs at once.

The real pipeline on the short Persian documents of ``test_corpus`` (written for
the tests). The full-disk case is ``test_batch_use.test_full_disk_is_a_clear_error_and_keeps_the_work``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from fa_relations.corpus import extract_corpus
from fa_relations.corpus.extract import LOCK_SUFFIX, OutputLockedError

from .test_corpus import _cli, read_dir, write_jsonl_corpus

N_DOCS = 400
SHARD = 20
#: Seeded, so CI kills at the same points every time (printed in the summary).
KILL_SEED = 15


def _progress(out: Path) -> int:
    """Records the output folder keeps as done (what ``--resume`` will not redo): those of journaled
    shards and the documents (or errors) in the pending logs; lines cut by a kill do not count."""
    done: set[int] = set()
    journal = out / "_progress.jsonl"
    for line in journal.read_text("utf-8").splitlines() if journal.exists() else []:
        with contextlib.suppress(ValueError, KeyError):
            e = json.loads(line)
            done.update(range(e["first"], e["first"] + e["records"]))
    for p in out.glob("_pending-*.jsonl"):
        try:
            text = p.read_text("utf-8", errors="replace")
        except FileNotFoundError:  # the running job turned it into a shard since the glob: the next poll sees it
            continue
        for line in text.splitlines():
            with contextlib.suppress(ValueError, KeyError):
                done.add(json.loads(line)["i"])
    return len(done)


def _kill_at(cmd: list[str], out: Path, point: int, timeout: float = 120) -> tuple[int, int]:
    """Run ``cmd``; once ``point`` records are done, SIGKILL its whole process group (the job and its
    workers). Returns (exit status, records done when killed); the status is 0 if it finished first."""
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if _progress(out) >= point:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        else:
            if proc.poll() is None:
                pytest.fail(f"no progress to {point} records in {timeout} s")
        return proc.wait(timeout=60), _progress(out)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_sigkill_at_ten_random_points_then_resume_is_byte_identical(tmp_path: Path, report):
    src = tmp_path / "docs.jsonl"
    write_jsonl_corpus(src, N_DOCS, bad_every=53)
    ref = tmp_path / "ref"
    extract_corpus([src], ref, workers=0, shard_size=SHARD, batch_size=4, progress=False)
    out = tmp_path / "out"
    cmd = _cli("extract", str(src), "-o", str(out), "--shard-size", str(SHARD), "--batch-size", "4",
               "--workers", "2", "--quiet", "--max-errors", "100")
    points = sorted(random.Random(KILL_SEED).sample(range(5, N_DOCS - 40), 10))
    report("kill points (records done)", points)
    report("documents", N_DOCS)
    killed_at = []
    for point in points:
        status, done = _kill_at([*cmd, *(["--resume"] if out.exists() else [])], out, point)
        assert status == -signal.SIGKILL, f"the run ended with {status} before {point} records"
        assert done >= point
        killed_at.append(done)
        if (out / "_manifest.json").exists():
            m = json.loads((out / "_manifest.json").read_text("utf-8"))
            assert all((out / f).exists() for s in m["shards"] for f in s["files"])
    report("records done at each kill", killed_at)
    final = subprocess.run([*cmd, "--resume", "--json-summary"], capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    summary = json.loads(final.stderr.strip().splitlines()[-1])
    assert summary["documents_in"] == N_DOCS and summary["balanced"]
    assert summary["resumed_documents"] == killed_at[-1]  # everything kept at the last kill was kept
    assert read_dir(out) == read_dir(ref)  # every shard and the errors, byte for byte
    assert json.loads((out / "_manifest.json").read_text("utf-8"))["status"] == "complete"
    assert not list(out.glob("_pending-*")) and not Path(str(out) + LOCK_SUFFIX).exists()


def test_changed_input_is_refused_on_resume(tmp_path: Path):
    src = tmp_path / "docs.jsonl"
    write_jsonl_corpus(src, 12)
    out = tmp_path / "out"
    extract_corpus([src], out, workers=0, shard_size=5, progress=False)
    (out / "_manifest.json").write_text(  # as an interrupted run leaves it
        (out / "_manifest.json").read_text("utf-8").replace('"status": "complete"', '"status": "interrupted"'), "utf-8")
    os.utime(src, ns=(0, 0))  # a touch (or a copy) is no change
    assert extract_corpus([src], out, workers=0, shard_size=5, progress=False, resume=True).documents_in == 12
    data = src.read_bytes()
    same_size = data.replace("ایران".encode(), "توران".encode(), 1)
    assert len(same_size) == len(data) and same_size != data
    src.write_bytes(same_size)
    with pytest.raises(ValueError, match=r"the input .*docs.jsonl changed \(same size, other content"):
        extract_corpus([src], out, workers=0, shard_size=5, progress=False, resume=True)
    src.write_bytes(data + data[:10])
    with pytest.raises(ValueError, match=f"changed \\({len(data)} bytes then, {len(data) + 10} now\\)"):
        extract_corpus([src], out, workers=0, shard_size=5, progress=False, resume=True)


def test_two_runs_on_one_output_and_a_stale_lock(tmp_path: Path, caplog):
    src = tmp_path / "docs.jsonl"
    write_jsonl_corpus(src, 5000)  # far more than the first run can do while the second starts
    out = tmp_path / "out"
    lock = Path(str(out) + LOCK_SUFFIX)
    first = subprocess.Popen(_cli("extract", str(src), "-o", str(out), "--shard-size", "50", "-w", "1", "-q"),
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text("ascii").strip()) and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(OutputLockedError, match=f"in use by another run \\(process {first.pid}"):
            extract_corpus([src], out, workers=0, shard_size=50, progress=False, resume=True)
        second = subprocess.run(_cli("extract", str(src), "-o", str(out), "--shard-size", "50", "-w", "0",
                                     "--resume"), capture_output=True, text=True, timeout=120)
        assert first.poll() is None, "the first run ended before the second was checked"
        assert second.returncode == 2 and f"process {first.pid}" in second.stderr and "Traceback" not in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the first run dies with its lock in place
        first.wait()
    assert lock.read_text("ascii").split()[0] == str(first.pid)
    small = tmp_path / "small.jsonl"
    write_jsonl_corpus(small, 5)
    with caplog.at_level("WARNING", logger="fa_relations.corpus.extract"):
        s = extract_corpus([small], out, workers=0, shard_size=50, progress=False, overwrite=True)
    assert s.documents_in == 5 and s.balanced
    assert f"(process {first.pid}) is gone" in caplog.text
    assert not lock.exists()


def test_a_kill_between_journal_and_pending_log_leaves_nothing_behind(tmp_path: Path):
    """A shard journaled as complete whose pending log was not removed yet (killed in between):
    the resumed run removes the log instead of leaving it in the finished output."""
    src = tmp_path / "docs.jsonl"
    write_jsonl_corpus(src, 12)
    out = tmp_path / "out"
    extract_corpus([src], out, workers=0, shard_size=5, progress=False)
    ref = read_dir(out)
    m = json.loads((out / "_manifest.json").read_text("utf-8"))
    (out / "_progress.jsonl").write_text("".join(json.dumps(e) + "\n" for e in m["shards"][:2]), "utf-8")
    (out / "_pending-00001.jsonl").write_text('{"i": 5, "r": ["error", "stale", ""], "id": "x", "o": ["f", "l"], '
                                              '"s": "process"}\n', "utf-8")
    m["status"] = "interrupted"
    (out / "_manifest.json").write_text(json.dumps(m), "utf-8")
    extract_corpus([src], out, workers=0, shard_size=5, progress=False, resume=True)
    assert read_dir(out) == ref
