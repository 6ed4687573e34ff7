"""Shared fixtures: where the real corpus lives and fresh libraries to test against."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = (ROOT.parent / "shared" / "corpus").resolve()
DAILY_PAGE = CORPUS / "daily-papers" / "hf-daily-papers-page.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared test corpus is missing at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def daily_page_text(corpus: Path) -> str:
    return DAILY_PAGE.read_text(encoding="utf-8")
