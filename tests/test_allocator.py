"""fa_relations.allocator: loading a tagger fixes glibc's mmap threshold, unless the user set it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import fa_relations
from fa_relations import allocator
print(allocator._done)
fa_relations.load(relations="rules")("اسحاق هرتزوگ وارد باکو شد.")
print(allocator._done)
"""


def _run(env: dict[str, str]) -> list[str]:
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
def test_loading_the_tagger_fixes_the_threshold_once() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    assert _run(env) == ["False", "True"], "not before a tagger is loaded; fixed once it is"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
def test_a_users_own_glibc_setting_is_kept() -> None:
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    assert _run(env) == ["False", "False"]
