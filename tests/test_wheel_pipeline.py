"""A saved pipeline is self-contained (issue #11): built wheel, fresh environment, no checkout, no
bundled models or data; ``Pipeline.save`` then ``load`` gives byte-identical JSON for the seed article."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import fa_relations

from .conftest import SHARED, require_shared

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import fa_relations
    here = Path(fa_relations.__file__).resolve()
    assert sys.argv[3] in str(here), f"fa_relations imported from {here}, not from the fresh environment"
    assert not (here.parent / "_bundled").exists(), "the bundled models and data should be gone"
    nlp = fa_relations.load(sys.argv[1])
    text = Path(sys.argv[2]).read_text(encoding="utf-8")
    sys.stdout.write(nlp(text, id="seed").to_json())
""")


def test_saved_pipeline_runs_from_a_wheel_without_repository_files(tmp_path: Path):
    seed = require_shared(SHARED / "examples" / "seed_article.txt", "the seed article")
    text = seed.read_text(encoding="utf-8")
    nlp = fa_relations.load()
    expected = nlp(text, id="seed").to_json()

    saved = tmp_path / "saved"
    nlp.save(saved)
    moved = tmp_path / "elsewhere" / "pipeline"
    moved.parent.mkdir()
    shutil.move(str(saved), moved)

    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
                    str(ROOT)], check=True, timeout=600)
    wheel = next(dist.glob("fa_relations-*.whl"))
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=300)
    py = env_dir / "bin" / "python"
    target = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, timeout=600)
    shutil.rmtree(target / "fa_relations" / "_bundled")  # only the saved pipeline's own files remain
    # the third-party dependencies come from this environment's site-packages as plain path entries:
    # .pth files there (our editable install among them) are not processed, so no checkout is on the path
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (target / "_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FA_RELATIONS_DATA")}
    r = subprocess.run([str(py), str(script), str(moved), str(seed), str(env_dir)], capture_output=True, text=True,
                       timeout=600, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout == expected
    assert len(json.loads(r.stdout)["triples"]) > 20
