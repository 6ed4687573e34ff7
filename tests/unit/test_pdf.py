"""The pdf part: text per page, identifiers, title guesses, and hostile files that must not hurt."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.pdf.extract import MAX_BYTES, NO_TEXT, extract, guess_title
from desktop_app.pdf.identifiers import find_arxiv_id, find_doi
from desktop_app.pdf.worker import PdfWorker, extract_one
from tests.pdfs import crash, hang, paper_pdf, write_pdf


@pytest.mark.parametrize(("text", "doi"), [
    ("https://doi.org/10.1145/3292500.3330701.", "10.1145/3292500.3330701"),
    ("DOI: 10.18653/v1/2021.acl-long.24, pages 1-9", "10.18653/v1/2021.acl-long.24"),
    ("(doi:10.1000/xyz123)", "10.1000/xyz123"),
    ("no identifier here 10.12 or 10/abc", ""),
])
def test_find_doi(text: str, doi: str) -> None:
    assert find_doi([text]) == doi


@pytest.mark.parametrize(("text", "arxiv_id"), [
    ("arXiv:2104.01234v2 [cs.LG] 3 Apr 2021", "2104.01234"),
    ("see https://arxiv.org/abs/1706.03762", "1706.03762"),
    ("arXiv:hep-th/9901001", "hep-th/9901001"),
    ("stamped 1706.03762v7 in the margin", "1706.03762"),
    ("a number 1234.56789 and a version-less 2104.01234", ""),
    ("arXiv:2113.01234 (month 13 is no month)", ""),
])
def test_find_arxiv_id(text: str, arxiv_id: str) -> None:
    assert find_arxiv_id([text]) == arxiv_id


def test_title_is_the_largest_font_run_and_falls_back_to_the_first_real_line() -> None:
    lines = [("arXiv:2104.01234v2 [cs.LG] 3 Apr 2021", 20.0), ("Sparse Mixtures", 17.2),
             ("of Experts at Scale", 17.2), ("Ada Lovelace", 12.0), ("Abstract", 10.0)]
    assert guess_title(lines) == "Sparse Mixtures of Experts at Scale"
    flat = [("1", 0.0), ("Proceedings of Something 2020", 0.0), ("Learning to Rank with Few Labels", 0.0)]
    assert guess_title(flat) == "Learning to Rank with Few Labels"


def test_text_per_page_identifiers_and_title(tmp_path: Path) -> None:
    pdf = paper_pdf(tmp_path / "p.pdf", "Sparse Mixtures of Experts at Scale",
                    ["we introduce experts", "negative results on ImageNet", "conclusions"],
                    doi="10.5555/12345.678", arxiv="2104.01234v2")
    text = extract(pdf)
    assert text.page_count == 3
    assert "negative results on ImageNet" in text.pages[1]
    assert "negative" not in text.pages[0] + text.pages[2]
    assert (text.doi, text.arxiv_id) == ("10.5555/12345.678", "2104.01234")
    assert text.title_guess == "Sparse Mixtures of Experts at Scale"
    assert text.status == "ok"


def test_doi_from_document_metadata(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "m.pdf", [[("Plain Title Of A Paper Here", 18), ("body " * 20, 10)]],
                    info={"Title": "Metadata Title Of The Paper", "Subject": "doi:10.1234/meta.42"})
    text = extract(pdf)
    assert text.doi == "10.1234/meta.42"
    assert text.metadata_title == "Metadata Title Of The Paper"


def test_a_scan_without_text_layer_is_marked(tmp_path: Path) -> None:
    text = extract(write_pdf(tmp_path / "scan.pdf", [None, None]))
    assert text.page_count == 2
    assert text.status == NO_TEXT == "no text (scanned?)"


# -- hostile files: each gives a problem line; none crashes or hangs the caller ------------

def test_encrypted_pdf(tmp_path: Path) -> None:
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is needed (apt install qpdf; .ci/setup installs it)"
    plain = paper_pdf(tmp_path / "plain.pdf", "Secret Paper", ["secret words"])
    locked = tmp_path / "locked.pdf"
    subprocess.run([qpdf, "--encrypt", "user-pw", "owner-pw", "256", "--", str(plain), str(locked)], check=True)
    result = extract_one(locked)
    assert result.text is None
    assert "encrypted" in result.problem


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = paper_pdf(tmp_path / "whole.pdf", "Cut Short", ["page one text", "page two text"]).read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 3])
    result = extract_one(cut)
    assert result.text is None
    assert result.problem.startswith("damaged or truncated PDF")


def test_garbage_and_not_a_pdf(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n" + os.urandom(50_000))
    notes = tmp_path / "notes.pdf"
    notes.write_text("just some text pretending\n")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with PdfWorker() as worker:
        results = [worker.extract(p) for p in (garbage, notes, empty, tmp_path / "missing.pdf")]
    assert [r.ok for r in results] == [False] * 4
    assert "not a PDF" in results[1].problem
    assert "empty" in results[2].problem
    assert "cannot read the file" in results[3].problem
    assert all(r.problem for r in results)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as handle:  # sparse: 201 MB on paper, a few bytes on disk
        handle.write(b"%PDF-1.4\n")
        handle.seek(MAX_BYTES + 1024 * 1024)
        handle.write(b"%%EOF\n")
    assert huge.stat().st_size > 200 * 1024 * 1024
    result = extract_one(huge)
    assert not result.ok
    assert "too large" in result.problem and "200 MB" in result.problem


def test_a_hanging_extraction_costs_only_its_file(tmp_path: Path) -> None:
    pdf = paper_pdf(tmp_path / "ok.pdf", "Fine Paper", ["fine words"])
    with PdfWorker(time_limit=1.0, extractor=hang) as worker:
        result = worker.extract(pdf)
    assert not result.ok
    assert "gave up reading it after 1 s" in result.problem
    with PdfWorker(time_limit=20) as worker:  # the next file, in a fresh child, is read as usual
        assert worker.extract(pdf).ok


def test_a_crashing_extraction_costs_only_its_file(tmp_path: Path) -> None:
    pdf = paper_pdf(tmp_path / "ok.pdf", "Fine Paper", ["fine words"])
    worker = PdfWorker(time_limit=20, extractor=crash)
    try:
        first = worker.extract(pdf)
        assert not first.ok
        assert "crashed" in first.problem
        worker._extractor = extract  # the same worker starts a fresh child for the next file
        assert worker.extract(pdf).ok
    finally:
        worker.close()
