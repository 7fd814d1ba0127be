"""The notebooks under notebooks/ run top to bottom (issue 16, item 4), and their saved outputs hold no corpus text.

Each notebook is executed with nbclient in the running interpreter's ``python3`` kernel (ipykernel, a dev
dependency), from a temporary working folder, so they must find everything through the package; any error fails.
The corpora's sentences must never be committed, saved outputs included: the outputs (saved and fresh) are
checked against the corpus files the notebooks read, eight words at a time.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

from fa_relations.training.datasets import read_sentences

from .conftest import SHARED, require_datasets, require_shared

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WORD = re.compile(r"\w+")
TAG = re.compile(r"<[^>]*>")
#: words in a run compared with the corpora: shorter runs catch news formulae anyone writes
#: («حسن روحانی، رئیس‌جمهوری ایران، روز» is six words of our own example and of a Radio Farda summary)
SHINGLE = 8


def test_the_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == ["01_quickstart.ipynb", "02_ner_evaluation.ipynb",
                                           "03_relation_evaluation.ipynb", "04_corpus_to_graph.ipynb"]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = WORD.findall(text)
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


@pytest.fixture(scope="module")
def corpus_shingles() -> set[tuple[str, ...]]:
    """Runs of :data:`SHINGLE` words of every corpus text the notebooks read (NER test sets, the relation dev sentences' splits,
    the news summaries)."""
    datasets = require_datasets()
    texts = [s.text for corpus, split in (("peyma", "test"), ("peyma", "dev"), ("arman", "test"), ("parstwiner", "test"))
             for s in read_sentences(corpus, split, datasets)]
    news = json.loads((datasets / "news_mixed" / "radiofarda_rss_2020.json").read_text(encoding="utf-8"))
    texts += [item.get("summary") or "" for item in news]
    return set().union(*map(_shingles, texts))


def _output_text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for kind, value in out.get("data", {}).items():
                if kind.startswith("text/"):
                    parts.append(TAG.sub(" ", "".join(value)))
    return "\n".join(parts)


def _leaks(nb: dict, corpus_shingles: set) -> list[str]:
    return [" ".join(s) for s in sorted(_shingles(_output_text(nb)) & corpus_shingles)][:5]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_outputs_hold_no_corpus_text(path: Path, corpus_shingles):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert all(c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"), "saved without running"
    assert not _leaks(nb, corpus_shingles)
    assert path.stat().st_size < 1_000_000


@pytest.mark.datasets
@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_from_any_folder(path: Path, tmp_path: Path, monkeypatch, capsys, corpus_shingles):
    require_shared(SHARED / "examples" / "seed_article.txt", "the seed article")
    import nbformat  # dev dependency, only this test needs it
    from nbclient import NotebookClient

    # the kernelspec ipykernel installs runs "python" from PATH: make that this interpreter
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    monkeypatch.delenv("FA_RELATIONS_SHOW_EXAMPLES", raising=False)
    monkeypatch.delenv("FA_RELATIONS_FULL_EVALUATION", raising=False)
    monkeypatch.delenv("FA_RELATIONS_RESULTS", raising=False)  # 02 and 03 show the committed figures (and write none)
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    seconds = time.perf_counter() - t0
    with capsys.disabled():
        print(f"\nnotebook {path.name}: {seconds:.0f} s")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert not _leaks(nb, corpus_shingles)
