"""Shared fixtures: where the real corpus lives and fresh libraries to test against."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _find_shared() -> Path:
    """The shared folder (corpus, tools): beside the checkout, or where $LECTERN_SHARED says."""
    candidates = [os.environ.get("LECTERN_SHARED", ""), ROOT.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "corpus").is_dir():
            return Path(candidate).resolve()
    return (ROOT.parent / "shared").resolve()


SHARED = _find_shared()
CORPUS = SHARED / "corpus"
CHECK_BIB = SHARED / "tools" / "check_bib"
DAILY_PAGE = CORPUS / "daily-papers" / "hf-daily-papers-page.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the shared test corpus is missing at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def daily_page_text(corpus: Path) -> str:
    return DAILY_PAGE.read_text(encoding="utf-8")
