"""Fixtures shared by every test: sample events, the project's fixtures and the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS_DIR = ROOT / "events"
FIXTURES_DIR = ROOT / "tests" / "fixtures"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (the same files `sam local invoke -e` takes)."""
    path = EVENTS_DIR / (name if name.endswith(".json") else f"{name}.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not (CORPUS_DIR / "truth.jsonl").is_file():
        pytest.skip(
            f"the shared corpus is absent ({CORPUS_DIR}); corpus tests need ../shared/corpus"
        )
    return CORPUS_DIR
