"""FastPhrase finds exactly the documents, with exactly the scores, of Whoosh's own Phrase."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as wq

from desktop_app.core.library import Library
from desktop_app.formats import paper_records
from desktop_app.search.phrase import FastPhrase

PHRASES = [["neural", "network"], ["reinforc", "learn"], ["deep", "neural", "network"], ["state", "art"],
           ["gradient", "descent"], ["network", "neural"], ["learn", "learn"], ["xyzzy", "network"]]


@pytest.fixture(scope="module")
def indexed(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    text = (corpus / "paperlists" / "iclr" / "iclr2018.json").read_text(encoding="utf-8")
    papers = paper_records.parse(text).papers[:400]
    library = Library.open(tmp_path_factory.mktemp("phrase") / "lib")
    library.import_papers(papers)
    library.catch_up_index()
    yield library
    library.close()


@pytest.mark.parametrize("words", PHRASES)
@pytest.mark.parametrize("field", ["title", "abstract"])
@pytest.mark.parametrize("slop", [1, 2, 4])
def test_same_hits_and_scores_as_whoosh(indexed: Library, words: list[str], field: str, slop: int) -> None:
    searcher = indexed.index.papers.searcher()
    ours = searcher.search(FastPhrase(field, words, slop=slop), limit=None)
    theirs = searcher.search(wq.Phrase(field, words, slop=slop), limit=None)
    assert sorted((d, round(s, 9)) for s, d in ours.top_n) == sorted((d, round(s, 9)) for s, d in theirs.top_n)
    if words == ["neural", "network"] and field == "abstract":
        assert len(ours.top_n) > 20


def test_phrase_inside_boolean_queries(indexed: Library) -> None:
    searcher = indexed.index.papers.searcher()
    for ours, theirs in [
        (wq.And([FastPhrase("abstract", ["neural", "network"]), wq.Term("title", "learn")]),
         wq.And([wq.Phrase("abstract", ["neural", "network"]), wq.Term("title", "learn")])),
        (wq.Or([FastPhrase("title", ["neural", "network"]), FastPhrase("abstract", ["state", "art"])]),
         wq.Or([wq.Phrase("title", ["neural", "network"]), wq.Phrase("abstract", ["state", "art"])])),
        (wq.AndNot(FastPhrase("abstract", ["neural", "network"]), wq.Term("abstract", "deep")),
         wq.AndNot(wq.Phrase("abstract", ["neural", "network"]), wq.Term("abstract", "deep"))),
    ]:
        assert sorted(d for _, d in searcher.search(ours, limit=None).top_n) == \
            sorted(d for _, d in searcher.search(theirs, limit=None).top_n)


@pytest.mark.parametrize("words", PHRASES[:5])
def test_top_n_with_block_skipping_matches_the_full_ranking(indexed: Library, words: list[str]) -> None:
    searcher = indexed.index.papers.searcher()
    full = searcher.search(wq.Phrase("abstract", words), limit=None)
    top = searcher.search(FastPhrase("abstract", words), limit=5)
    assert [round(s, 9) for s, _ in top.top_n] == [round(s, 9) for s, _ in full.top_n[:5]]
