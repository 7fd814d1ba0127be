"""Shared fixtures: the public corpora folder, skipped on a user's machine but required in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fa_relations.paths import datasets_dir

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def require_datasets() -> Path:
    """The corpora folder; skip when absent, except under CI=true where its absence is a failure."""
    path = datasets_dir(must_exist=False)
    if not path.is_dir():
        reason = f"corpus folder {path} is absent (set FA_RELATIONS_DATA or put ../shared/datasets beside the repo)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def datasets() -> Path:
    return require_datasets()


@pytest.fixture(scope="session")
def seed_article() -> str:
    path = SHARED / "examples" / "seed_article.txt"
    if not path.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the seed article {path} is absent")
        pytest.skip(f"seed article {path} is absent")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nlp_no_ner():
    import fa_relations

    return fa_relations.load(ner=False)
