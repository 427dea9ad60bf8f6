"""Shared fixtures for the HJ 212 tests: the real-traffic corpus and the standard's examples."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / ".." / "shared" / "corpus" / "hj212"
CORPUS_FILES = ("2016-08-24_00.h212", "2016-08-24_05.h212")

# The device identifier used throughout the examples of HJ 212-2017 Annex C.
EXAMPLE_MN = "010000A8900016F000169DC0"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not all((CORPUS_DIR / name).is_file() for name in CORPUS_FILES):
        pytest.fail(
            f"HJ 212 corpus missing: expected {', '.join(CORPUS_FILES)} in "
            f"{CORPUS_DIR.resolve()} (<repo>/../shared/corpus/hj212)"
        )
    return CORPUS_DIR
