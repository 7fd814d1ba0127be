"""``fa-relations extract`` on the command line (issue #2 contract, issue #7 options)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from fa_relations.cli import app

runner = CliRunner()

TEXTS = ["اسحاق هرتزوگ وارد باکو شد.", "وزیر امور خارجه ایران به مسکو سفر کرد.", "ایران و ترکیه مرز مشترک دارند."]


def test_help():
    r = runner.invoke(app, ["extract", "--help"])
    assert r.exit_code == 0
    for opt in ("--output", "--lines", "--workers", "--engine", "--scheduler", "--resume", "--format", "--rows",
                "--text-field", "--id-field", "--shard-size", "--quiet"):
        assert opt in r.stdout
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "extract" in top.stdout


def test_stdin_lines_to_stdout():
    r = runner.invoke(app, ["extract", "--lines", "-w", "0", "-q"], input="\n".join(TEXTS) + "\n")
    assert r.exit_code == 0, r.output
    docs = [json.loads(x) for x in r.stdout.splitlines()]
    assert [d["text"] for d in docs] == TEXTS
    assert [d["id"] for d in docs] == ["<stdin>:1", "<stdin>:2", "<stdin>:3"]
    assert all(set(d) >= {"id", "text", "entities", "triples", "meta"} for d in docs)


def test_stdin_whole_text_is_one_document():
    r = runner.invoke(app, ["extract", "-", "-w", "0", "-q"], input="\n".join(TEXTS))
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["text"] for x in r.stdout.splitlines()] == ["\n".join(TEXTS)]


def test_files_to_jsonl_with_summary(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXTS[0], encoding="utf-8")
    with open(tmp_path / "b.jsonl", "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "b1", "text": TEXTS[1]}, ensure_ascii=False) + "\n")
        fh.write("{oops\n")
    out = tmp_path / "out.jsonl"
    r = runner.invoke(app, ["extract", str(tmp_path / "*.txt"), str(tmp_path / "b.jsonl"), "-o", str(out), "-w", "0",
                            "--max-errors", "1"])
    assert r.exit_code == 0, r.output
    assert "documents in:      3" in r.stderr and "documents written: 2" in r.stderr
    assert "in = written + errors (3 = 2 + 1)" in r.stderr
    docs = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [d["id"] for d in docs] == [str(tmp_path / "a.txt"), "b1"]
    err = json.loads((tmp_path / "out.errors.jsonl").read_text("utf-8"))
    assert err["source"] == str(tmp_path / "b.jsonl") and err["location"] == "line 2"


def test_parquet_folder_and_json_summary(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"k": str(i), "body": t}, ensure_ascii=False) + "\n" for i, t in enumerate(TEXTS)),
                   encoding="utf-8")
    out = tmp_path / "pq"
    args = ["extract", str(src), "-o", str(out), "--format", "parquet", "--text-field", "body", "--id-field", "k",
            "--shard-size", "2", "-w", "0", "--json-summary"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    s = json.loads(r.stderr.strip().splitlines()[-1])
    assert s["documents_in"] == 3 and s["balanced"] and s["shards"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["_errors.jsonl", "_manifest.json", "part-00000.parquet",
                                                     "part-00001.parquet"]
    import pyarrow.parquet as pq

    assert pq.read_table(out / "part-00000.parquet").column("id").to_pylist() == ["0", "1"]
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.stderr
    assert runner.invoke(app, [*args, "--resume"]).exit_code == 0


def test_missing_input_is_a_usage_error(tmp_path: Path):
    r = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 2 and "no such input" in r.stderr
