"""The speed benchmark: ``python benchmarks/run.py [options]`` is ``fa-relations bench [options]``.

Writes ``benchmarks/results/bench.json`` and ``bench.png``; see
:mod:`fa_relations.evaluation.bench` for what is measured and how.

    python benchmarks/run.py                       # sizes 1k / 10k / 100k words
    python benchmarks/run.py --quick               # tiny sizes: checks the command, not the speed
"""

from __future__ import annotations

import sys

from fa_relations.cli import app

if __name__ == "__main__":
    app(["bench", *sys.argv[1:]])
