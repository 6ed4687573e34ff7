"""Export options: tags as keywords (every format) and notes as annote (BibTeX, biblatex)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.formats import bibtex
from tests.conftest import CHECK_BIB
from tests.unit.conftest import sample_papers

NOTE = "Read §3 first: 50% faster & cheaper_than {baseline} — see Müller's #2 ~ $x$\n\nSecond paragraph."


@pytest.fixture
def noted(library: Library) -> tuple[Library, int]:
    pid = library.import_papers(sample_papers()).imported[0]
    library.add_tags([pid], ["pruning", "to read"])
    library.set_note(pid, NOTE)
    return library, pid


def test_tags_join_the_keywords_once(noted: tuple[Library, int]) -> None:
    library, pid = noted
    library.update_paper(pid, keywords=["Pruning", "sparsity"])
    plain = library.export([pid], "bibtex")
    assert "to read" not in plain
    text = library.export([pid], "bibtex", tags_as_keywords=True)
    assert "keywords = {Pruning, sparsity, to read}" in text
    ris = library.export([pid], "ris", tags_as_keywords=True)
    assert "KW  - to read" in ris
    csl = json.loads(library.export([pid], "csljson", tags_as_keywords=True))
    assert csl[0]["keyword"] == "Pruning, sparsity, to read"


def test_notes_become_escaped_annote(noted: tuple[Library, int]) -> None:
    library, pid = noted
    assert "annote" not in library.export([pid], "bibtex")
    text = library.export([pid], "bibtex", notes_as_annote=True)
    line = next(line for line in text.splitlines() if line.strip().startswith("annote"))
    assert r"50\% faster \& cheaper\_than" in line and r"\#2" in line and r"\$x\$" in line
    assert "M{\\\"u}ller" in line and "Second paragraph" in line
    report = bibtex.parse(text)
    assert report.problems == [] and report.papers[0].extra_fields["annote"].startswith("Read {\\textsection}3")
    utf8 = library.export([pid], "biblatex", notes_as_annote=True)
    assert "Müller" in utf8
    assert "annote" not in library.export([pid], "ris", notes_as_annote=True).lower()


@pytest.mark.clients
def test_real_clients_load_tags_and_notes(noted: tuple[Library, int], tmp_path: Path) -> None:
    library, _pid = noted
    target = tmp_path / "with-notes.bib"
    target.write_text(library.export(library.all_ids(), "bibtex", tags_as_keywords=True, notes_as_annote=True),
                      encoding="utf-8")
    result = subprocess.run([str(CHECK_BIB), "--only", "bibtex,biber,pandoc,bibtool", str(target)],
                            capture_output=True, text=True, timeout=600, check=False,
                            env={**os.environ, "CHECK_BIB_UNICODE_OK": "1"})
    output = result.stdout + result.stderr
    assert "skipped" not in output, output
    assert result.returncode == 0, output
