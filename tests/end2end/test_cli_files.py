"""``lectern attach / files / detach / open / fulltext`` and PDF import, run as a user runs them."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from tests.end2end.test_cli import lectern
from tests.pdfs import paper_pdf, write_pdf

BIB = """@article{lovelace2021pruning,
  title = {Pruning Vision Models},
  author = {Lovelace, Ada},
  year = {2021},
}
"""


def _seven_page_pdf(path: Path) -> Path:
    pages = ["intro", "two", "three", "four", "five", "six", "we report negative results on ImageNet", "end"]
    return paper_pdf(path, "Pruning Vision Models", pages)


def test_attach_files_fulltext_search_open_and_detach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = tmp_path / "library"
    bib = tmp_path / "p.bib"
    bib.write_text(BIB, encoding="utf-8")
    lectern(lib, "import", str(bib))
    pdf = _seven_page_pdf(tmp_path / "pruning.pdf")
    slides = write_pdf(tmp_path / "slides.pdf", [None])

    attached = lectern(lib, "attach", "lovelace2021pruning", str(pdf)).stdout
    assert attached.startswith("attached 1 file\n[1] paper: ")
    scan = lectern(lib, "attach", "1", str(slides), "--kind", "slides").stdout
    assert "slides.pdf: no text (scanned?)" in scan

    listed = lectern(lib, "files", "1").stdout
    assert "[1] paper: pruning.pdf (" in listed and "8 pages, stored, text: ok" in listed
    assert "[2] slides: slides.pdf" in listed and "text: no text (scanned?)" in listed
    rows = json.loads(lectern(lib, "files", "1", "--json").stdout)
    assert [r["kind"] for r in rows] == ["paper", "slides"]
    assert Path(rows[0]["path"]).is_relative_to(lib / "files")

    found = lectern(lib, "search", 'fulltext:"negative results"').stdout
    assert "[1] lovelace2021pruning: Pruning Vision Models (2021)" in found
    assert "p. 7: …we report [negative] [results] on ImageNet" in found
    hits = json.loads(lectern(lib, "search", "imagenet", "--json").stdout)
    assert [(h["id"], h["page"]) for h in hits] == [(1, 7)]
    assert lectern(lib, "fulltext", "off").stdout.startswith("plain queries search PDF text: off; 8 pages indexed")  # the scan adds none
    assert "no papers match" in lectern(lib, "search", "imagenet").stdout
    assert "[1]" in lectern(lib, "search", "fulltext:imagenet").stdout

    assert lectern(lib, "open", "1", "--page", "7", "--print").stdout.strip() == \
        f"{lib / 'files' / '1' / 'pruning.pdf'} (page 7)"
    # a viewer that records its arguments stands in for evince
    record = tmp_path / "args.txt"
    fake = tmp_path / "bin" / "evince"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {record}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    with monkeypatch.context() as patched:
        patched.setenv("LECTERN_PDF_VIEWER", "evince")
        patched.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
        lectern(lib, "open", "lovelace2021pruning", "--page", "7")
    for _ in range(50):  # the viewer is started detached
        if record.exists() and record.read_text():
            break
        time.sleep(0.1)
    assert record.read_text().split() == ["-i", "7", str(lib / "files" / "1" / "pruning.pdf")]

    assert lectern(lib, "detach", "1").stdout == "detached 1 file\n"
    assert "no papers match" in lectern(lib, "search", "fulltext:imagenet").stdout
    assert not (lib / "files" / "1" / "pruning.pdf").exists()
    failed = lectern(lib, "open", "1", "--file", "1", check=False)
    assert failed.returncode == 1 and failed.stderr.startswith("lectern: error: paper 1 has no file 1")


def test_import_a_folder_of_pdfs_makes_papers(tmp_path: Path) -> None:
    lib = tmp_path / "library"
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    paper_pdf(folder / "doi.pdf", "Sparse Mixtures of Experts", ["body text about experts"], doi="10.5555/moe.2024")
    paper_pdf(folder / "nested" / "guess.pdf", "Learning Without Labels", ["body text about labels"])
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\ntruncated")
    (folder / "notes.md").write_text("ignored: not a file Lectern reads")

    result = lectern(lib, "import", str(folder), check=False)
    assert result.returncode == 1  # one file could not be read
    lines = result.stdout.splitlines()
    assert lines[0] == "imported 2, merged 0 duplicates, 1 problems"
    assert any(line.startswith(f"{broken}: damaged or truncated PDF") for line in lines)
    assert any(line.startswith(f"guess: {folder / 'nested' / 'guess.pdf'}: no DOI or arXiv id found; "
                               "title guessed from the first page: 'Learning Without Labels'") for line in lines)
    papers = {p["title"]: p for p in (json.loads(lectern(lib, "show", str(i), "--json").stdout) for i in (1, 2))}
    assert papers["Sparse Mixtures of Experts"]["doi"] == "10.5555/moe.2024"
    assert papers["Learning Without Labels"]["doi"] == ""
    assert "text: ok" in lectern(lib, "files", str(papers["Learning Without Labels"]["id"])).stdout
    # the same folder again changes nothing: each PDF is attached already
    again = lectern(lib, "import", str(folder / "doi.pdf")).stdout
    assert again.startswith("imported 0, merged 1 duplicates, 0 problems")
