"""Attached files and the full-text index through the library facade."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.core.fulltext_search import is_plain
from desktop_app.core.library import InvalidQueryError, Library
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import Paper
from tests.pdfs import paper_pdf, write_pdf


def _papers(library: Library) -> tuple[int, int]:
    library.fetch_arxiv = None
    outcome = library.import_papers([
        Paper(title="Pruning Vision Models", abstract="We prune convolutional networks.", year=2021),
        Paper(title="Scaling Language Models", abstract="Bigger is different.", year=2023),
    ])
    library.catch_up_index()
    return outcome.imported[0], outcome.imported[1]


def _imagenet_pdf(tmp_path: Path, name: str = "paper.pdf") -> Path:
    return paper_pdf(tmp_path / name, "Pruning Vision Models",
                     ["we introduce a method", "filler page", "more filler", "still filler", "filler again",
                      "almost there", "we report negative results on ImageNet", "conclusion"])


def test_attach_copies_into_the_library_and_lists(library: Library, tmp_path: Path) -> None:
    pid, _ = _papers(library)
    pdf = _imagenet_pdf(tmp_path)
    outcome = library.attach(pid, [pdf])
    assert outcome.summary() == "attached 1 file"
    [row] = library.attached_files(pid)
    stored = library.files.attachments.path_of(row)
    assert stored.is_relative_to(library.directory / "files") and stored.read_bytes() == pdf.read_bytes()
    assert (row.kind, row.linked, row.text_status) == ("paper", False, "pending")
    library.files.catch_up()
    [row] = library.attached_files(pid)
    assert (row.pages, row.text_status) == (8, "ok")


def test_same_content_is_stored_once_and_names_never_collide(library: Library, tmp_path: Path) -> None:
    first, second = _papers(library)
    pdf = _imagenet_pdf(tmp_path)
    library.attach(first, [pdf])
    again = library.attach(first, [pdf])
    assert again.attached == [] and len(again.already) == 1
    library.attach(second, [pdf])
    (tmp_path / "sub").mkdir()
    other = paper_pdf(tmp_path / "sub" / "paper.pdf", "Other", ["different text"])
    library.attach(first, [other], kind="supplement")
    rows_first, rows_second = library.attached_files(first), library.attached_files(second)
    assert rows_second[0].path == rows_first[0].path  # shared copy, stored once
    assert len({r.path for r in rows_first}) == 2  # two different files named paper.pdf
    assert sorted(p.name for p in (library.directory / "files").rglob("*.pdf")) == ["paper-2.pdf", "paper.pdf"]


def test_link_keeps_the_file_where_it_is(library: Library, tmp_path: Path) -> None:
    pid, _ = _papers(library)
    pdf = _imagenet_pdf(tmp_path)
    [row] = library.attach(pid, [pdf], link=True).attached
    assert row.linked and Path(row.path) == pdf.resolve()
    assert not (library.directory / "files").exists() or not any((library.directory / "files").rglob("*.pdf"))
    library.detach([row.id])
    assert pdf.exists()  # a linked file is the user's


def test_bad_input_is_a_problem_or_a_clear_error(library: Library, tmp_path: Path) -> None:
    pid, _ = _papers(library)
    outcome = library.attach(pid, [tmp_path / "nope.pdf"])
    assert outcome.attached == [] and outcome.problems[0].reason == "no such file"
    with pytest.raises(InvalidInputError):
        library.attach(pid, [tmp_path], kind="poster")
    with pytest.raises(NotFoundError):
        library.attach(999, [_imagenet_pdf(tmp_path)])


def test_fulltext_finds_the_page_and_plain_queries_rank_it_last(library: Library, tmp_path: Path) -> None:
    pruning, scaling = _papers(library)
    library.attach(scaling, [_imagenet_pdf(tmp_path)])
    library.files.catch_up()
    result = library.search('fulltext:"negative results"')
    assert result.ids == [scaling]
    [(pid, snippet)] = library.files.search.page_snippets(result.compiled, result.ids).items()
    assert pid == scaling and snippet.page == 7
    assert snippet.text().startswith("p. 7: …") and "[negative] [results] on ImageNet" in snippet.text()
    # "prune" matches the first paper's title and the second paper's PDF only: title first
    plain = library.search("prune")
    assert plain.ids == [pruning, scaling] and plain.total == 2
    assert plain.scores[scaling] < plain.scores[pruning]
    library.files.search.set_plain(False)
    assert library.search("prune").ids == [pruning]
    assert library.search("fulltext:imagenet").ids == [scaling]  # the field works either way
    assert library.search("fulltext:imagenet AND year:2021").ids == []
    with pytest.raises(InvalidQueryError):
        library.search("fulltext:i*")


def test_detach_and_refresh_update_the_index(library: Library, tmp_path: Path) -> None:
    pid, _ = _papers(library)
    pdf = _imagenet_pdf(tmp_path)
    [row] = library.attach(pid, [pdf], link=True).attached
    library.files.catch_up()
    assert library.search("fulltext:imagenet").ids == [pid]
    paper_pdf(pdf, "Pruning Vision Models", ["now about cifar only"])  # the linked file changes
    assert library.files.recheck() == [f"{pdf.resolve()}: changed; its text is read again"]
    assert library.files.recheck() == []
    library.files.catch_up()
    assert library.search("fulltext:imagenet").ids == []
    assert library.search("fulltext:cifar").ids == [pid]
    library.detach([row.id])
    library.files.catch_up()
    assert library.search("fulltext:cifar").ids == []
    assert library.files.index.page_count() == 0


def test_deleted_paper_keeps_files_until_purged(library: Library, tmp_path: Path) -> None:
    pid, other = _papers(library)
    library.attach(pid, [_imagenet_pdf(tmp_path)])
    library.files.catch_up()
    [row] = library.attached_files(pid)
    stored = library.files.attachments.path_of(row)
    library.delete_papers([pid])
    library.catch_up_index()
    assert stored.exists()
    assert library.search("fulltext:imagenet").ids == []  # gone from results with its paper
    library.undo()
    library.catch_up_index()
    assert [r.id for r in library.attached_files(pid)] == [row.id]
    assert library.search("fulltext:imagenet").ids == [pid]
    library.delete_papers([pid])
    assert library.files.purge_deleted([other]) == 0  # not deleted: nothing to purge
    assert library.files.purge_deleted([pid]) == 1
    library.files.catch_up()
    assert not stored.exists() and library.files.index.page_count() == 0


def test_scanned_and_broken_files_get_a_status(library: Library, tmp_path: Path) -> None:
    pid, _ = _papers(library)
    scan = write_pdf(tmp_path / "scan.pdf", [None])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really")
    library.attach(pid, [scan, broken], kind="supplement")
    library.files.catch_up()
    statuses = {r.name: r.text_status for r in library.attached_files(pid)}
    assert statuses["scan.pdf"] == "no text (scanned?)"
    assert statuses["broken.pdf"].startswith("problem: damaged or truncated PDF")


@pytest.mark.parametrize("loss", ["deleted", "older version"])
def test_a_lost_index_is_rebuilt_from_the_text_cache(tmp_path: Path, loss: str) -> None:
    with Library.open(tmp_path / "lib") as library:
        pid, _ = _papers(library)
        library.attach(pid, [_imagenet_pdf(tmp_path)])
        library.files.catch_up()
    index = tmp_path / "lib" / "fulltext" / "index"
    if loss == "deleted":
        shutil.rmtree(index)
    else:  # version 1 had no words or pairs fields: its phrases would find nothing
        (index / "meta.json").write_text('{"schema_version": 1}', encoding="utf-8")
    with Library.open(tmp_path / "lib") as library:
        assert library.files.pending() == 1
        library.files.catch_up()
        assert library.search("fulltext:imagenet").ids == [pid]
        assert library.search('fulltext:"negative results on imagenet"').ids == [pid]


def test_plain_queries_are_those_without_fields() -> None:
    assert is_plain("pruning transformers") and is_plain('"negative results" OR imagenet')
    assert is_plain('"title: in a phrase"')
    assert not is_plain('fulltext:"negative results"') and not is_plain("pruning year:2020..2024")


def test_a_full_page_of_title_matches_counts_pdf_only_papers_without_showing_them(library: Library,
                                                                                   tmp_path: Path) -> None:
    library.fetch_arxiv = None
    titled = library.import_papers([Paper(title=f"Pruning Networks {n}", abstract="Sparse.", year=2020)
                                    for n in range(4)]).imported
    others = library.import_papers([Paper(title=f"Scaling Study {n}", abstract="Bigger.", year=2021)
                                    for n in range(2)]).imported
    library.catch_up_index()
    library.attach(others[0], [paper_pdf(tmp_path / "a.pdf", "Scaling Study 0", ["we prune", "prune again"])])
    library.attach(others[1], [paper_pdf(tmp_path / "b.pdf", "Scaling Study 1", ["we prune once"])])
    library.attach(titled[0], [paper_pdf(tmp_path / "c.pdf", "Pruning Networks 0", ["prune here too"])])
    library.files.catch_up()
    every = library.search("prune")
    assert set(every.ids[:4]) == set(titled) and every.ids[4:] == others and every.total == 6
    index = library.files.search.index
    searched: list[int] = []
    original = index.page_counts
    index.page_counts = lambda node: searched.append(1) or original(node)  # type: ignore[method-assign]
    full_page = library.search("prune", limit=3)  # title matches fill it: the PDF-only ones wait
    assert len(full_page.ids) == 3 and set(full_page.ids) <= set(titled) and searched == []
    assert full_page.total == 6 and searched == [1]  # the paper matching by title and by PDF counts once
    room = library.search("prune", limit=5)
    assert set(room.ids[:4]) == set(titled) and room.ids[4:] == [others[0]] and room.total == 6
    for text in ("prune", "we prune", "prune sparse networks", "networks OR study"):  # strict and ranked
        whole = library.search(text)
        assert len(whole.ids) == len(set(whole.ids)) == whole.total == library.search(text, limit=2).total, text
    library.files.search.set_plain(False)
    assert library.search("prune", limit=3).total == 4
