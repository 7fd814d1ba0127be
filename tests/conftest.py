"""Shared fixtures: the public corpora folder, skipped on a user's machine but required in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from fa_relations.paths import datasets_dir

# CI replays the same examples on every run (a red CI then always means a change broke something);
# on a developer's machine hypothesis keeps exploring new ones.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

#: What the reliability tests measured (hypothesis examples run, kill points, sizes), as
#: ``(test, what, value)``; printed at the end of the run, ``-q`` or not.
RELIABILITY_REPORT: list[tuple[str, str, object]] = []


@pytest.fixture(scope="session")
def report():
    """``report(what, value)``: a line ``reliability: <test>: <what>: <value>`` in the run's summary."""

    def add(what: str, value: object) -> None:
        test = os.environ.get("PYTEST_CURRENT_TEST", "?").rsplit(" (", 1)[0].split("::")[-1]
        RELIABILITY_REPORT.append((test, what, value))

    return add


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print what the reliability tests measured (see :func:`report`)."""
    if RELIABILITY_REPORT:
        terminalreporter.section("reliability")
        for test, what, value in RELIABILITY_REPORT:
            terminalreporter.write_line(f"reliability: {test}: {what}: {value}")


def require_shared(path: Path, what: str) -> Path:
    """``path`` from the shared folder; skip when absent, except under CI=true where absence fails the test."""
    if not path.exists() or (path.is_dir() and not any(path.iterdir())):
        reason = f"{what} ({path}) is absent; set FA_RELATIONS_DATA or put ../shared beside the repository"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return path


def require_datasets() -> Path:
    """The corpora folder (see :func:`require_shared`)."""
    return require_shared(datasets_dir(must_exist=False), "the corpus folder")


@pytest.fixture(scope="session")
def datasets() -> Path:
    return require_datasets()


@pytest.fixture(scope="session")
def seed_article() -> str:
    path = require_shared(SHARED / "examples" / "seed_article.txt", "the seed article")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nlp_no_ner():
    import fa_relations

    return fa_relations.load(ner=False)
