"""The README's examples really run (issue #10): every Python block, with the printed
output it shows, and every command-line block except the set-up commands (which CI runs)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import SHARED, require_datasets, require_shared

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(README.read_text(encoding="utf-8")) if kind == lang]


def expected_output(block: str) -> list[str]:
    """Whole-line comments after the first ``print(``: the output the README says the block prints."""
    lines = block.splitlines()
    first = next((i for i, x in enumerate(lines) if "print(" in x), None)
    if first is None:
        return []
    return [x[2:] for x in lines[first:] if x.startswith("# ")]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["FA_RELATIONS_RESULTS"] = str(tmp_path / "results")  # never overwrite the committed figures
    return env


def test_readme_python_blocks_run_and_print_what_they_show(tmp_path: Path):
    require_shared(SHARED / "examples" / "seed_article.txt", "the seed article")
    code = blocks("python")
    assert len(code) >= 2
    # a working folder with ../shared beside it, as in a checkout, so what the blocks write stays out of the repo
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").symlink_to(SHARED)
    for i, block in enumerate(code):
        script = tmp_path / f"block{i}.py"
        script.write_text(block, encoding="utf-8")
        r = subprocess.run([sys.executable, str(script)], cwd=work, capture_output=True, text=True, timeout=600,
                           env=_env(tmp_path))
        assert r.returncode == 0, f"README python block {i} failed:\n{block}\n{r.stderr[-3000:]}"
        want = expected_output(block)
        assert r.stdout.splitlines() == want, f"block {i} prints\n{r.stdout}\nbut the README shows\n{want}"


def test_readme_command_line_blocks_run(tmp_path: Path):
    require_datasets()
    cli = [b for b in blocks("bash") if "pip install" not in b and "pytest" not in b]
    assert cli and any("fa-relations extract" in b for b in cli)
    for i, block in enumerate(cli):
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, capture_output=True, text=True,
                           timeout=900, env=_env(tmp_path))
        assert r.returncode == 0, f"README command block {i} failed:\n{block}\n{r.stderr[-3000:]}"
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(out) == 2 and '"fields": {"url": "https://example.org/1"' in out[0]
