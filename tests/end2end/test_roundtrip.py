"""The whole corpus library exported in both BibTeX dialects reads back as the same papers.

Also the library-level reproductions of issue 11: papers that only look alike never merge,
and re-importing a file merges every paper instead of duplicating short titles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper

COMPARED = ("title", "authors", "year", "month", "doi", "arxiv_id", "abstract", "entry_type", "citekey")
IMPORTABLE = (".bib", ".ris", ".json")


def by_key(library: Library) -> dict[str, Paper]:
    return {paper.citekey: paper for batch in library.iter_papers() for paper in batch}


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library.open(tmp_path / "lib") as lib:
        yield lib


@pytest.fixture(scope="module")
def corpus_library(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    files = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in IMPORTABLE)
    with Library.open(tmp_path_factory.mktemp("roundtrip") / "lib") as library:
        library.import_files(files)
        yield library


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_corpus_round_trip_is_exact(corpus_library: Library, dialect: str, tmp_path: Path,
                                    ci_report: Callable[[str, str], None]) -> None:
    original = by_key(corpus_library)
    exported = tmp_path / f"corpus.{dialect}.bib"
    exported.write_text(corpus_library.export(corpus_library.all_ids(), dialect), encoding="utf-8")
    with Library.open(tmp_path / "again") as again:
        outcome = again.import_files([exported])
        back = by_key(again)
    (account,) = outcome.files
    assert (account.entries, account.imported, account.merged, account.problems) == (
        len(original), len(original), 0, 0)
    differences: Counter[str] = Counter()
    examples: list[str] = []
    for key, paper in original.items():
        other = back.get(key)
        for name in COMPARED:
            if other is None or getattr(paper, name) != getattr(other, name):
                differences[name] += 1
                if len(examples) < 5:
                    examples.append(f"{key}.{name}: {getattr(paper, name)!r} -> "
                                    f"{getattr(other, name) if other else None!r}")
    ci_report(f"Round trip through {dialect}",
              f"{len(original)} papers, {sum(differences.values())} field differences {dict(differences)}")
    assert differences == Counter(), examples


def test_papers_alike_but_for_the_year_never_merge(library: Library, tmp_path: Path) -> None:
    source = tmp_path / "years.bib"
    source.write_text("@article{a, title={Gates and Circuits}, author={Doe, Jane}, year=1975, date={15/05/84}}\n"
                      "@article{b, title={Gates and Circuits}, author={Doe, Jane}, year=1980}\n",
                      encoding="utf-8")
    first = library.import_files([source])
    assert len(first.imported) == 2
    exported = tmp_path / "export.bib"
    exported.write_text(library.export(library.all_ids(), "biblatex"), encoding="utf-8")
    with Library.open(tmp_path / "fresh") as fresh:
        fresh.import_files([exported])
        assert sorted(p.year for p in by_key(fresh).values()) == [1975, 1980]


def test_differing_identifiers_never_merge(library: Library) -> None:
    a = Paper(title="A Survey of Everything Ever Written", doi="10.1/a", year=2020)
    b = Paper(title="A Survey of Everything Ever Written", doi="10.1/b", year=2020)
    c = Paper(title="Another Paper", arxiv_id="2001.00001", doi="10.1/c", year=2020)
    d = Paper(title="Another Paper", arxiv_id="2001.00001", doi="10.1/d", year=2020)
    e = Paper(title="Third", arxiv_id="2002.00002", year=2010)
    f = Paper(title="Third", arxiv_id="2002.00002", year=2020)
    outcome = library.import_papers([a, b, c, d, e, f])
    assert len(outcome.imported) == 6 and outcome.merged == []
    same = library.import_papers([Paper(title="Third v2", arxiv_id="2002.00002v2", year=2011)])
    assert len(same.merged) == 1  # a year apart: a preprint and its version


def test_reimporting_short_titles_merges_them(library: Library, tmp_path: Path) -> None:
    source = tmp_path / "short.bib"
    source.write_text("@book{gates, title={Gates}, author={Mano, M.}, year=1979}\n"
                      "@misc{nokey, title={Gates}}\n", encoding="utf-8")
    library.import_files([source])
    again = library.import_files([source])
    assert (len(again.imported), len(again.merged)) == (0, 2)
    assert library.count() == 2
    other = Paper(title="Gates", authors=[], year=1990, citekey="someoneelse")
    assert len(library.import_papers([other]).imported) == 1  # a short title alone is no match
