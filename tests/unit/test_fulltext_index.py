"""The full-text index's fast paths return exactly the pages Whoosh's own queries return."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import query as wq

from desktop_app.search.analysis import PairAnalyzer, ProseAnalyzer
from desktop_app.search.fulltext import FIELD, FulltextIndex, PageDoc

Page = tuple[int, int, int]

PAGES = [
    PageDoc(1, 10, 1, "We report negative\nresults on\nImageNet and CIFAR."),
    PageDoc(1, 10, 2, "Deep neural net-\nworks are state-of-the-art."),
    PageDoc(1, 10, 3, "a neural network sees training data; network training is slow"),
    PageDoc(2, 20, 1, "The state of the art in neural networks: negative"),
    PageDoc(2, 20, 2, "results on ImageNet are rare.  Neural networks again."),  # the phrase spans two pages
    PageDoc(2, 20, 3, "very very deep networks, very deep indeed"),
    PageDoc(3, 30, 1, "Neural network training at scale: neural network training."),
    PageDoc(3, 31, 1, "Supplement: negative results on ImageNet, again."),
]


def _index(tmp_path: Path, pages: list[PageDoc] = PAGES, batches: int = 2) -> FulltextIndex:
    index = FulltextIndex(tmp_path / "ft")
    index.create()
    index.open()
    size = max(1, len(pages) // batches)
    for start in range(0, len(pages), size):  # several segments
        index.write(pages[start:start + size], [])
    return index


def _whoosh_pages(index: FulltextIndex, text: str) -> set[Page]:
    """The pages Whoosh's own matchers find for ``text`` (the reference)."""
    node = index.parse(text)
    searcher = index.pages.searcher()
    reader = searcher.reader()
    pid, fid, page = (reader.column_reader(name) for name in ("pid", "fid", "page"))
    reference = node.accept(lambda q: wq.Phrase(FIELD, q.words, slop=q.slop) if isinstance(q, wq.Phrase) else q)
    return {(int(pid[h.docnum]), int(fid[h.docnum]), int(page[h.docnum]))
            for h in searcher.search(reference, limit=None)}


def _pages(index: FulltextIndex, text: str) -> set[Page]:
    found = index.matching_pages(index.parse(text))
    assert len(found) == len(set(found))
    return set(found)


@pytest.mark.parametrize("text", [
    '"negative results on ImageNet"', '"negative results"', '"results imagenet"', '"neural networks"',
    '"neural network training"', '"state of the art"', '"neural net works"', '"very deep"', '"very very deep"',
    '"deep very"', '"networks neural"', '"imagenet cifar"', '"negative results" AND cifar', '"unknown words"',
    "neural AND training", "neural OR cifar", "neur*", '"neural networks"~3',
])
def test_same_pages_as_whoosh(tmp_path: Path, text: str) -> None:
    index = _index(tmp_path)
    assert _pages(index, text) == _whoosh_pages(index, text)


def test_phrases_as_the_words_stand_on_the_page(tmp_path: Path) -> None:
    index = _index(tmp_path)
    # across line breaks, yes; across pages, no
    assert _pages(index, '"negative results on ImageNet"') == {(1, 10, 1), (3, 31, 1)}
    # stop words drop out of phrases on both sides, hyphens split words
    assert _pages(index, '"state of the art"') == {(1, 10, 2), (2, 20, 1)}
    assert _pages(index, '"neural networks"') == {(1, 10, 3), (2, 20, 1), (2, 20, 2), (3, 30, 1)}
    assert _pages(index, '"neural net works"') == {(1, 10, 2)}  # hyphenated as it is today: two words
    # all neighbouring pairs on a page is not enough: "neural network ... network training"
    assert _pages(index, '"neural network training"') == {(3, 30, 1)}
    assert _pages(index, '"very very deep"') == {(2, 20, 3)}
    assert index.page_counts(index.parse('"neural networks"')) == {1: 1, 2: 2, 3: 1}


def test_deleted_pages_are_not_found(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.write([PageDoc(3, 31, 1, "Supplement, rewritten: nothing to see")], [31])
    assert _pages(index, '"negative results on ImageNet"') == {(1, 10, 1)}
    assert _pages(index, '"negative results"') == {(1, 10, 1)}
    assert _pages(index, "supplement") == {(3, 31, 1)}


def test_random_pages_and_phrases_agree_with_whoosh(tmp_path: Path) -> None:
    rng = random.Random(15)
    vocabulary = ("neural network networks the of a on results negative deep learning model models "
                  "training train state art image imagenet data set sets large-scale pre-trained").split()
    pages = []
    for n in range(120):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(5, 60))]
        text = " ".join(w + ("\n" if rng.random() < 0.1 else "") for w in words)
        pages.append(PageDoc(n // 6 + 1, n // 3 + 1, n % 3 + 1, text))
    index = _index(tmp_path, pages, batches=3)
    index.write([], [5, 9])  # deletions in a segment
    for _ in range(150):
        source = rng.choice(pages).text.split()
        start = rng.randrange(len(source))
        length = rng.randint(2, 4)
        phrase = " ".join(source[start:start + length] if rng.random() < 0.7 else rng.sample(vocabulary, length))
        text = f'"{phrase}"'
        assert _pages(index, text) == _whoosh_pages(index, text), text


def test_pairs_are_neighbouring_prose_terms() -> None:
    words = [t.text for t in ProseAnalyzer()("The state of the art: neural\nnet-works", positions=True)]
    assert words == ["state", "art", "neural", "net", "work"]
    assert PairAnalyzer().pairs("The state of the art: neural\nnet-works") == [
        "state art", "art neural", "neural net", "net work"]
