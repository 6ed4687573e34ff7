"""Frequent terms' decoded postings are kept across searches and never outlive a deletion (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from desktop_app.core.library import Library
from desktop_app.domain.models import Author, Paper
from desktop_app.search import term_cache
from desktop_app.search.ranked import _most_words


def _paper(i: int) -> Paper:
    words = "pruning transformers" if i % 2 else "graph networks"
    return Paper(title=f"Study {i} of {words}", abstract=f"We revisit {words} once more, number {i}.",
                 authors=[Author(family="Doe", given="A.")], year=2020, entry_type="article")


@pytest.fixture()
def library(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(term_cache, "MIN_POSTINGS", 10)
    term_cache.clear()
    library = Library.open(tmp_path / "lib")
    library.import_papers([_paper(i) for i in range(60)])
    library.catch_up_index()
    yield library
    library.close()
    term_cache.clear()


def _reader(library: Library):  # type: ignore[no-untyped-def]
    return library.index.papers.searcher().leaf_searchers()[0][0].reader()


def test_a_frequent_term_is_read_once_and_a_rare_one_each_time(library: Library) -> None:
    reader = _reader(library)
    first = term_cache.term_arrays(reader, "abstract", "prune")
    assert len(first.ids) == 30 and list(first.ids) == sorted(first.ids)
    assert term_cache.term_arrays(reader, "abstract", "prune") is first
    rare = term_cache.term_arrays(reader, "abstract", "revisit")
    assert len(rare.ids) == 60 and term_cache.term_arrays(reader, "abstract", "revisit") is rare
    term_cache.clear()
    assert term_cache.term_arrays(reader, "abstract", "prune") is not first


def test_a_term_under_the_minimum_is_not_kept(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(term_cache, "MIN_POSTINGS", 1000)
    reader = _reader(library)
    assert term_cache.term_arrays(reader, "abstract", "prune") is not term_cache.term_arrays(reader, "abstract", "prune")


def test_a_deleted_paper_leaves_the_kept_postings(library: Library) -> None:
    kept = term_cache.term_arrays(_reader(library), "abstract", "prune")
    assert len(kept.ids) == 30
    before = library.search("pruning transformers once more").ids
    library.delete_papers([before[0]])
    library.catch_up_index()
    fresh = term_cache.term_arrays(_reader(library), "abstract", "prune")
    assert len(fresh.ids) == 29
    after = library.search("pruning transformers once more").ids
    assert before[0] not in after and set(after) == set(before) - {before[0]}


def test_the_cache_keeps_within_its_budget(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(term_cache, "MAX_POSTINGS", 45)
    reader = _reader(library)
    term_cache.term_arrays(reader, "abstract", "prune")  # 30 postings
    term_cache.term_arrays(reader, "abstract", "graph")  # 30 more: the first is dropped
    assert term_cache._held == 30
    assert list(term_cache._kept) == [(reader.segment().segment_id(), reader.segment().deleted_count(),
                                       "abstract", "graph")]


def test_most_words_takes_every_tie_at_the_cut() -> None:
    counts = np.array([0, 3, 2, 2, 1, 3, 2, 1], dtype=np.int16)
    pool = np.flatnonzero(counts)
    assert sorted(_most_words(pool, counts, 2).tolist()) == [1, 5]
    assert sorted(_most_words(pool, counts, 3).tolist()) == [1, 2, 3, 5, 6]
    assert sorted(_most_words(pool, counts, 10).tolist()) == [1, 2, 3, 4, 5, 6, 7]
