"""``Library.check`` / ``lectern check`` compare the full-text index with the files table and requeue what drifted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper
from desktop_app.storage import files as store
from tests.end2end.test_cli import lectern
from tests.pdfs import paper_pdf

PAGES = ["we introduce a method", "we report negative results on ImageNet"]


def _attached(library: Library, tmp_path: Path) -> tuple[int, int]:
    library.fetch_arxiv = None
    [pid] = library.import_papers([Paper(title="Pruning Vision Models", year=2021)]).imported
    library.catch_up_index()
    library.attach(pid, [paper_pdf(tmp_path / "p.pdf", "Pruning Vision Models", PAGES)])
    library.files.catch_up()
    [row] = library.attached_files(pid)
    return pid, row.id


def test_a_consistent_library_with_pdfs_checks_clean(library: Library, tmp_path: Path) -> None:
    _attached(library, tmp_path)
    report = library.check(repair=False)
    assert report.consistent, report.problems


def test_pages_of_a_file_row_that_is_gone_are_found_and_removed(library: Library, tmp_path: Path) -> None:
    pid, fid = _attached(library, tmp_path)
    with library.db.write() as conn:  # a lost detach: the row went, its pages and queue entry did not
        conn.execute("DELETE FROM files WHERE id = ?", (fid,))
    assert library.search("fulltext:imagenet").ids == [pid]
    report = library.check(repair=False)
    assert report.problems == ["1 files no longer attached still have pages in the full-text index"]
    assert report.repaired == []
    report = library.check()
    assert report.repaired == ["queued 1 files for the full-text index"]
    library.files.catch_up()
    assert library.files.index.page_count() == 0 and library.search("fulltext:imagenet").ids == []
    assert library.check(repair=False).consistent


def test_text_missing_from_the_index_is_read_again(library: Library, tmp_path: Path) -> None:
    pid, fid = _attached(library, tmp_path)
    library.files.index.write([], [fid])  # a lost index commit: SQLite says "ok", the index has no page
    assert library.search("fulltext:imagenet").ids == []
    report = library.check()
    assert report.problems == ["1 attached files have text missing from the full-text index"]
    assert report.repaired == ["queued 1 files for the full-text index"]
    library.files.catch_up()  # from the text cache
    assert library.search("fulltext:imagenet").ids == [pid]
    assert library.check(repair=False).consistent


def test_scanned_files_without_text_are_not_a_problem(library: Library, tmp_path: Path) -> None:
    from tests.pdfs import write_pdf

    library.fetch_arxiv = None
    [pid] = library.import_papers([Paper(title="Scanned")]).imported
    library.attach(pid, [write_pdf(tmp_path / "scan.pdf", [None])])
    library.files.catch_up()
    assert library.attached_files(pid)[0].text_status == "no text (scanned?)"
    assert library.check(repair=False).consistent


def test_a_shared_librarys_file_that_is_not_here_is_not_a_problem(library: Library, tmp_path: Path) -> None:
    pid, _fid = _attached(library, tmp_path)
    with library.db.write() as conn:  # another member's file: read there ("ok"), no bytes here
        fid = store.insert(conn, paper_id=pid, path="", name="slides.pdf", kind="slides", sha256="0" * 64,
                           size=10, linked=False, added="2026-01-01T00:00:00+00:00")
        store.set_text(conn, fid, 3, "ok")
    assert library.check(repair=False).consistent


def test_lectern_check_reports_and_repairs_the_full_text_index(tmp_path: Path) -> None:
    lib = tmp_path / "library"
    bib = tmp_path / "p.bib"
    bib.write_text("@article{a2021, title = {Pruning Vision Models}, author = {Lovelace, Ada}, year = {2021}}\n",
                   encoding="utf-8")
    lectern(lib, "import", str(bib))
    lectern(lib, "attach", "a2021", str(paper_pdf(tmp_path / "p.pdf", "Pruning Vision Models", PAGES)))
    conn = sqlite3.connect(lib / "library.sqlite")
    with conn:
        conn.execute("DELETE FROM files")
    conn.close()
    run = lectern(lib, "check")
    assert run.stdout.splitlines() == [
        "problem: 1 files no longer attached still have pages in the full-text index",
        "repaired: queued 1 files for the full-text index",
        "library is consistent after repair",
    ]
    assert json.loads(lectern(lib, "fulltext", "--json").stdout)["pages_indexed"] == 0
    assert lectern(lib, "check").stdout.startswith("library is consistent:")
