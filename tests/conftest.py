"""Shared fixtures: where the real corpus lives and fresh libraries to test against."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# CI replays the same examples on every run, so a landing never depends on the draw; a run
# on a desk explores new ones (that is how the property tests find bugs).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


_REPORTS = pytest.StashKey[list[tuple[str, str]]]()


@pytest.fixture(scope="session")
def ci_report(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Add a titled section to the end of the test run's output (the CI log)."""
    sections = request.config.stash.setdefault(_REPORTS, [])
    return lambda title, text: sections.append((title, text))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    for title, text in config.stash.get(_REPORTS, []):
        terminalreporter.section(title)
        terminalreporter.write_line(text)
