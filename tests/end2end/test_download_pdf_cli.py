"""``lectern download-pdf`` as a user runs it, against a real local server standing in for arxiv.org."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SHARED
from tests.fakeapi import server
from tests.fakeapi.server import Fault
from tests.pdfs import paper_pdf

BIB = """
@misc{good2025, title = {Sparse Mixtures Revisited}, author = {Doe, Jane}, year = {2025},
  eprint = {2501.00001}, archivePrefix = {arXiv}}
@misc{gone2025, title = {A Withdrawn Preprint}, author = {Roe, Rich}, year = {2025},
  eprint = {2501.99999}, archivePrefix = {arXiv}}
@misc{page2025, title = {Behind a Captcha}, author = {Poe, Pat}, year = {2025},
  eprint = {2501.00002}, archivePrefix = {arXiv}}
@article{plain2020, title = {No Preprint Here}, author = {Moe, Max}, year = {2020}, journal = {J}}
"""


@pytest.fixture
def apis(tmp_path: Path) -> Iterator[server.FakeApis]:
    with server.running(server.FakeApis(SHARED / "fixtures" / "metadata-apis", [])) as running:
        running.pdfs["2501.00001"] = paper_pdf(tmp_path / "src.pdf", "Sparse Mixtures Revisited",
                                               ["router", "negative results on ImageNet"]).read_bytes()
        running.faults.append(Fault("/arxiv-pdf/pdf/2501.00002", status=200, body=b"<html>wait</html>",
                                    headers={"Content-Type": "text/html"}, times=0))
        yield running


def lectern(library: Path, apis: server.FakeApis, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **apis.env, "LECTERN_LIBRARY": str(library), "LECTERN_RATE_SCALE": "0"}
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_download_pdf_attaches_reports_each_paper_and_exits_1_on_errors(tmp_path: Path,
                                                                      apis: server.FakeApis) -> None:
    library = tmp_path / "lib"
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    assert lectern(library, apis, "import", str(tmp_path / "refs.bib")).returncode == 0
    run = lectern(library, apis, "download-pdf", "good2025", "gone2025", "page2025", "plain2020")
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("good2025: downloaded: arXiv-2501.00001.pdf")
    assert lines[1] == "gone2025: error: arXiv has no PDF for 2501.99999 (HTTP 404)"
    assert lines[2].startswith("page2025: error: arXiv sent a web page (text/html), not a PDF")
    assert lines[3] == "plain2020: skipped: no arXiv id"
    assert run.stderr.splitlines() == ["1 downloaded, 1 skipped, 2 failed"]  # no traceback
    files = json.loads(lectern(library, apis, "files", "good2025", "--json").stdout)
    assert [(f["name"], f["pages"], f["text"]) for f in files] == [("arXiv-2501.00001.pdf", 2, "ok")]
    found = lectern(library, apis, "search", 'fulltext:"negative results"')
    assert "Sparse Mixtures Revisited" in found.stdout
    # --missing now means the two that failed; the one with a PDF is not asked again
    again = lectern(library, apis, "download-pdf", "--missing", "--json")
    report = json.loads(again.stdout)
    assert [o["citekey"] for o in report["outcomes"]] == ["gone2025", "page2025"] and again.returncode == 1
    assert apis.count("/arxiv-pdf/pdf/2501.00001") == 1


def test_usage_and_offline_errors_are_one_line(tmp_path: Path, apis: server.FakeApis) -> None:
    library = tmp_path / "lib"
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    lectern(library, apis, "import", str(tmp_path / "refs.bib"))
    usage = lectern(library, apis, "download-pdf")
    assert usage.returncode == 1 and usage.stderr.startswith("lectern: error: say which papers")
    unknown = lectern(library, apis, "download-pdf", "nosuchkey")
    assert unknown.returncode == 1 and unknown.stderr.strip().startswith("lectern: error:")
    # the fake stays up; only arXiv's PDF host is pointed at a port nobody listens on
    env_library = {**os.environ, **apis.env, "LECTERN_LIBRARY": str(library), "LECTERN_RATE_SCALE": "0",
                   "LECTERN_ARXIV_PDF_URL": "http://127.0.0.1:9"}
    offline = subprocess.run([sys.executable, "-m", "desktop_app", "download-pdf", "good2025"],
                             capture_output=True, text=True, env=env_library, timeout=120, check=False)
    assert offline.returncode == 1 and "Traceback" not in offline.stderr
    assert offline.stdout.startswith("good2025: error: offline: cannot reach arXiv at 127.0.0.1")
