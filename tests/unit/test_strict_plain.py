"""Strict plain-word search scored with numpy gives Whoosh's own scores, order and count (issue 10)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.models import Author, Paper
from desktop_app.search import strict_plain
from desktop_app.search.strict_plain import strict_top


def _paper(i: int) -> Paper:
    topic = ["pruning transformers", "graph networks", "pruning graph networks", "memory models"][i % 4]
    return Paper(title=f"On {topic} {i % 7}", abstract=f"We study {topic}. " * (1 + i % 3),
                 authors=[Author(family="Pruning" if i == 5 else "Doe", given="A.")], year=2020,
                 entry_type="article")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = Library.open(tmp_path_factory.mktemp("strict") / "lib")
    library.import_papers([_paper(i) for i in range(40)])
    library.catch_up_index()
    library.add_tags(library.all_ids()[:3], ["pruning"])
    library.import_papers([_paper(i) for i in range(40, 60)])  # a second segment
    library.catch_up_index()
    yield library
    library.close()


@pytest.mark.parametrize("text", ["pruning", "graph", "pruning graph", "memory pruning", "nothingness"])
@pytest.mark.parametrize("limit", [None, 5])
@pytest.mark.parametrize("share", [1, 10**6], ids=["library-long arrays", "sparse"])
def test_scores_order_and_count_are_whooshs(library: Library, text: str, limit: int | None, share: int,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strict_plain, "SPARSE_SHARE", share)
    compiled = library.compile(text)
    assert compiled.plain is not None
    searcher = library.index.papers.searcher()
    whoosh = searcher.search(compiled.query, limit=None, terms=False)  # an unlimited search: every hit sorted
    expected = [(score, docnum) for score, docnum in whoosh.top_n]
    top, total = strict_top(searcher, compiled.plain.words, limit)
    assert total == len(whoosh)
    wanted = expected if limit is None else expected[:limit]
    assert [d for _, d in top] == [d for _, d in wanted]
    assert all(abs(a - b) < 1e-9 for (a, _), (b, _) in zip(top, wanted, strict=True))


def test_the_library_search_uses_it_and_counts_exactly(library: Library) -> None:
    result = library.search("pruning", limit=3)
    assert len(result.ids) == 3
    assert result.total == len(library.search("pruning").ids)
