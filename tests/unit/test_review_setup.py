"""Setting a review up through the facade: create with records or not at all, rename, sources, reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.core.reviews import RecordChoice, checked_fields
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import Paper


def add_papers(library: Library, titles: list[str]) -> list[int]:
    return library.import_papers([Paper(title=t, abstract=f"About {t}.") for t in titles]).imported


@pytest.fixture
def hits(library: Library) -> list[int]:
    ids = add_papers(library, ["Zinc for Wilson disease", "Trientine dosing", "Galaxy rotation"])
    library.create_list("Hits")
    library.add_to_list("Hits", ids[:2])
    library.create_list("Empty")
    return ids


def test_create_with_records_from_a_list_in_one_step(library: Library, hits: list[int]) -> None:
    review, gathered = library.reviews.create_with_records(
        "Wilson SR", RecordChoice("list", "Hits"), question="Which therapy works?",
        exclusion_reasons=["  Wrong   population ", "", "Wrong outcome"], include_keywords=["zinc", " "])
    assert review.question == "Which therapy works?"
    assert review.exclusion_reasons == ["Wrong population", "Wrong outcome"]
    assert review.include_keywords == ["zinc"]
    assert sorted(gathered.new) == sorted(hits[:2])
    assert library.reviews.record_ids("Wilson SR") == sorted(hits[:2])
    assert [(s.label, s.records) for s in library.reviews.sources("Wilson SR")] == [("Reading list: Hits", 2)]


def test_no_review_without_records_or_with_a_taken_name(library: Library, hits: list[int]) -> None:
    with pytest.raises(InvalidInputError, match="no papers") as no_records:
        library.reviews.create_with_records("Nothing", RecordChoice("list", "Empty"))
    assert no_records.value.field == "records"
    library.reviews.create_with_records("Wilson", RecordChoice("list", "Hits"))
    with pytest.raises(InvalidInputError, match="exists already") as taken:
        library.reviews.create_with_records("  wilson ", RecordChoice("list", "Hits"))
    assert taken.value.field == "name"
    with pytest.raises(InvalidInputError, match="needs a name"):
        library.reviews.create_with_records("   ", RecordChoice("list", "Hits"))
    assert [r.name for r in library.reviews.all()] == ["Wilson"]


def test_a_taken_name_is_refused_before_anything_is_imported(library: Library, hits: list[int],
                                                             tmp_path: Path) -> None:
    export = tmp_path / "scopus.bib"
    export.write_text("@article{x, title={Copper chelation}, year={2001}}\n", encoding="utf-8")
    library.reviews.create_with_records("Wilson", RecordChoice("list", "Hits"))
    before = len(library.rows(list(range(1, 100))))
    with pytest.raises(InvalidInputError, match="exists already"):
        library.reviews.create_with_records("Wilson", RecordChoice("import", files=(export,)))
    assert len(library.rows(list(range(1, 100)))) == before


def test_an_imported_export_is_remembered_under_its_database(library: Library, tmp_path: Path) -> None:
    export = tmp_path / "export.bib"
    export.write_text("@article{a, title={Zinc therapy in Wilson disease}, year={2001}}\n"
                      "@article{b, title={Penicillamine for Wilson disease}, year={2003}}\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    _review, gathered = library.reviews.create_with_records(
        "Wilson", RecordChoice("import", files=(export,), database="PubMed"),
        progress=lambda path, number, total: seen.append((Path(path).name, number, total)))
    assert gathered.outcome is not None and len(gathered.outcome.imported) == 2
    assert seen[0] == ("export.bib", 0, 1)
    assert library.reviews.prisma("Wilson").identified == [("PubMed (export.bib)", 2)]


def test_records_from_a_saved_search_and_a_query(library: Library, hits: list[int]) -> None:
    library.catch_up_index()
    library.save_search("Therapies", "zinc OR trientine")
    review, gathered = library.reviews.create_with_records("Wilson", RecordChoice("saved-search", "therapies"))
    assert sorted(gathered.ids) == sorted(hits[:2])
    more = library.reviews.add_records(review.name, RecordChoice("query", "galaxy"))
    assert more.new == [hits[2]]
    assert [s.label for s in library.reviews.sources("Wilson")] == ["Saved search: therapies", "Search: galaxy"]
    with pytest.raises(NotFoundError):
        library.reviews.gather(RecordChoice("saved-search", "No such search"))
    with pytest.raises(InvalidInputError, match="type a search"):
        library.reviews.gather(RecordChoice("query", "  "))


def test_rename_keeps_records_and_refuses_a_taken_name(library: Library, hits: list[int]) -> None:
    library.reviews.create_with_records("Wilson", RecordChoice("list", "Hits"))
    library.reviews.create("Other")
    renamed = library.reviews.rename("Wilson", "Wilson  disease SR")
    assert renamed.name == "Wilson disease SR" and len(library.reviews.record_ids(renamed.name)) == 2
    assert library.reviews.rename("Wilson disease SR", "wilson disease sr").name == "wilson disease sr"
    with pytest.raises(InvalidInputError, match="exists already"):
        library.reviews.rename("wilson disease sr", "OTHER")
    with pytest.raises(InvalidInputError, match="needs a name"):
        library.reviews.rename("wilson disease sr", " ")


def test_duplicate_exclusion_reasons_are_refused(library: Library) -> None:
    library.reviews.create("Wilson")
    with pytest.raises(InvalidInputError, match="listed twice") as twice:
        library.reviews.update("Wilson", exclusion_reasons=["Wrong outcome", "wrong  outcome"])
    assert twice.value.field == "exclusion_reasons"
    assert checked_fields({"question": " Q "}) == {"question": " Q "}


def test_a_cancelled_import_creates_no_review(library: Library, tmp_path: Path) -> None:
    export = tmp_path / "export.bib"
    export.write_text("@article{a, title={Zinc therapy in Wilson disease}, year={2001}}\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="cancelled") as cancelled:
        library.reviews.create_with_records("Wilson", RecordChoice("import", files=(export,)), cancel=lambda: True)
    assert cancelled.value.field == "records" and library.reviews.all() == []
