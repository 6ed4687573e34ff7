"""BatchSegmentWriter writes the segment Whoosh's SegmentWriter writes: same bytes, same postings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import TEXT, Schema
from whoosh.qparser import MultifieldParser
from whoosh.writing import SegmentWriter

from desktop_app.core import importing
from desktop_app.search import segment_writer
from desktop_app.search.documents import paper_document
from desktop_app.search.index import IndexDoc
from desktop_app.search.schema import note_schema, paper_schema
from desktop_app.search.segment_writer import BatchSegmentWriter

Writer = Callable[..., SegmentWriter]


@pytest.fixture(scope="module")
def docs(corpus: Path) -> list[IndexDoc]:
    """Real papers: a conference year of abstracts and the Daily Papers page (accents, code, long titles)."""
    papers = []
    for path in (corpus / "paperlists" / "iclr" / "iclr2018.json", corpus / "daily-papers" / "hf-daily-papers-page.txt"):
        report, problem = importing.read_file(path)
        assert problem is None and report is not None
        papers.extend(report.papers)
    for number, paper in enumerate(papers, start=1):
        paper.id = number
    assert len(papers) > 900
    return [paper_document(paper) for paper in papers]


def _build(directory: Path, schema: Schema, batches: Sequence[tuple[Writer, Sequence[IndexDoc], bool]]) -> Path:
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), schema)
    for writer_class, batch, merge in batches:
        writer = writer_class(ix, limitmb=64, compound=False)
        for doc in batch:
            writer.add_document(pid=doc.pid, **doc.fields)
        writer.commit(merge=merge)
    ix.close()
    return directory


def _segment_files(directory: Path) -> dict[str, bytes]:
    """Each segment's files, named by the segment's place in the TOC instead of its random id."""
    ix = whoosh_index.open_dir(str(directory))
    ids = [segment.segment_id() for segment in ix._read_toc().segments]
    ix.close()
    files = {}
    for number, segment_id in enumerate(ids):
        for path in directory.glob(f"{segment_id}.*"):
            files[f"{number}{path.name.removeprefix(segment_id)}"] = path.read_bytes()
    return files


def _postings(directory: Path) -> dict[tuple[str, bytes], list[tuple[Any, ...]]]:
    ix = whoosh_index.open_dir(str(directory))
    with ix.reader() as reader:
        out = {}
        for fieldname, tbytes in reader.all_terms():
            info = reader.term_info(fieldname, tbytes)
            matcher = reader.postings(fieldname, tbytes)
            rows: list[tuple[Any, ...]] = [(info.doc_frequency(), info.weight(), info.min_length(), info.max_length())]
            while matcher.is_active():
                rows.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            out[(fieldname, tbytes)] = rows
    ix.close()
    return out


@pytest.fixture
def unshared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Encode every position list afresh, as Whoosh does (no shared one-word values)."""
    monkeypatch.setattr(segment_writer, "_SINGLES", [])


def test_same_bytes_as_whoosh_for_one_batch(tmp_path: Path, docs: list[IndexDoc], unshared: None) -> None:
    ours = _segment_files(_build(tmp_path / "ours", paper_schema(), [(BatchSegmentWriter, docs, True)]))
    theirs = _segment_files(_build(tmp_path / "whoosh", paper_schema(), [(SegmentWriter, docs, True)]))
    assert set(ours) == set(theirs) and len(ours) >= 8
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_same_bytes_when_a_commit_merges_older_segments(tmp_path: Path, docs: list[IndexDoc],
                                                          unshared: None) -> None:
    first, second, third = docs[:50], docs[50:120], docs[120:]

    def plan(writer: Writer) -> list[tuple[Writer, Sequence[IndexDoc], bool]]:
        return [(SegmentWriter, first, True), (writer, second, False), (writer, third, True)]

    ours = _segment_files(_build(tmp_path / "ours", paper_schema(), plan(BatchSegmentWriter)))
    theirs = _segment_files(_build(tmp_path / "whoosh", paper_schema(), plan(SegmentWriter)))
    assert set(ours) == set(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_same_bytes_when_optimizing_segments_with_deletions(tmp_path: Path, docs: list[IndexDoc],
                                                            unshared: None) -> None:
    def build(writer_class: Writer, name: str) -> Path:
        directory = _build(tmp_path / name, paper_schema(), [(SegmentWriter, docs[:300], False),
                                                             (SegmentWriter, docs[300:], False)])
        ix = whoosh_index.open_dir(str(directory))
        writer = writer_class(ix, compound=False)
        for doc in docs[::7]:
            writer.delete_by_term("pid", doc.pid)
        writer.add_document(pid=docs[0].pid, title="Added in the optimizing commit")
        writer.commit(optimize=True)
        ix.close()
        return directory

    ours, theirs = _segment_files(build(BatchSegmentWriter, "ours")), _segment_files(build(SegmentWriter, "whoosh"))
    assert len({name.split(".")[0] for name in ours}) == 1
    assert set(ours) == set(theirs)
    assert [name for name in ours if ours[name] != theirs[name]] == []


def test_shared_values_keep_every_posting_and_shrink_the_file(tmp_path: Path, docs: list[IndexDoc]) -> None:
    ours = _build(tmp_path / "ours", paper_schema(), [(BatchSegmentWriter, docs, True)])
    theirs = _build(tmp_path / "whoosh", paper_schema(), [(SegmentWriter, docs, True)])
    assert _postings(ours) == _postings(theirs)

    def size(directory: Path) -> int:
        return sum(path.stat().st_size for path in directory.glob("*.pst"))

    assert size(ours) < size(theirs)


def test_search_ranks_the_same(tmp_path: Path, docs: list[IndexDoc]) -> None:
    results = []
    for name, writer in (("ours", BatchSegmentWriter), ("whoosh", SegmentWriter)):
        ix = whoosh_index.open_dir(str(_build(tmp_path / name, paper_schema(), [(writer, docs, True)])))
        parser = MultifieldParser(["title", "abstract"], ix.schema)
        with ix.searcher() as searcher:
            results.append([[(hit["pid"], round(hit.score, 9)) for hit in searcher.search(parser.parse(q), limit=20)]
                            for q in ("neural network", '"reinforcement learning"', "title:adversarial", "graph*")])
        ix.close()
    assert results[0] == results[1] and all(results[0])


def test_update_replaces_the_document(tmp_path: Path, docs: list[IndexDoc]) -> None:
    ix = whoosh_index.open_dir(str(_build(tmp_path / "ix", paper_schema(), [(BatchSegmentWriter, docs[:20], True)])))
    writer = BatchSegmentWriter(ix)
    writer.update_document(pid=docs[0].pid, title="Zymurgy of qubits", abstract="")
    writer.commit()
    with ix.searcher() as searcher:
        assert [hit["pid"] for hit in searcher.search(MultifieldParser(["title"], ix.schema).parse("zymurgy"))] == [docs[0].pid]
        assert searcher.doc_count() == 20
    ix.close()


def test_note_schema_and_the_writer_choice(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), note_schema())
    writer = segment_writer.segment_writer(ix)
    assert isinstance(writer, BatchSegmentWriter)
    writer.add_document(pid="7", note="Read the **appendix** first; the proofs are in Section 4.")
    writer.commit()
    with ix.searcher() as searcher:
        assert [hit["pid"] for hit in searcher.search(MultifieldParser(["note"], ix.schema).parse('"proofs are"'))] == ["7"]
    ix.close()
    (tmp_path / "spelled").mkdir()
    spelled = whoosh_index.create_in(str(tmp_path / "spelled"), Schema(word=TEXT(vector=True)))
    plain = segment_writer.segment_writer(spelled)
    assert type(plain) is SegmentWriter
    plain.cancel()
    spelled.close()
