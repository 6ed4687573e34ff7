"""Search finds what people type (issue 10): stop words, ranked plain words, pasted titles, spellings, repairs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.core.library import InvalidQueryError, Library
from desktop_app.domain.models import Author, Paper
from desktop_app.search.analysis import prose_analyzer
from desktop_app.search.spelling import americanise
from desktop_app.search.syntax import FIELD_NAMES_SHOWN


def _paper(title: str, abstract: str = "", family: str = "Doe") -> Paper:
    return Paper(title=title, abstract=abstract, authors=[Author(family=family, given="A.")], year=2020,
                 entry_type="article")


PAPERS = [
    _paper("The Blasius Problem Revisited", "A boundary layer over a flat plate and its similarity solution."),
    _paper("Boundary layers without a problem", "We study the Blasius boundary layer with suction."),
    _paper("To Be or Not to Be", "A paper whose title is only stop words."),
    _paper("Haematopoietic stem cells in the bone marrow", "Niches that keep them."),
    _paper("Colour constancy in modelling natural scenes", "We optimise a colour model."),
    _paper("Organization of memory in transformers", "Optimizing attention to behave like a memory."),
    _paper("Pruning transformers with one recipe", "One-shot pruning without retraining."),
    _paper("Graph neural networks for molecules", "Message passing predicts chemical properties."),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    library = Library.open(tmp_path_factory.mktemp("ranked") / "lib")
    library.import_papers(PAPERS)
    library.catch_up_index()
    yield library
    library.close()


@pytest.fixture(scope="module")
def daily(tmp_path_factory: pytest.TempPathFactory, daily_page_text: str) -> Iterator[Library]:
    library = Library.open(tmp_path_factory.mktemp("daily") / "lib")
    library.import_text(daily_page_text)
    library.catch_up_index()
    yield library
    library.close()


def _titles(library: Library, query: str) -> list[str]:
    return [library.paper(pid).title for pid in library.search(query).ids]


# -- stop words ---------------------------------------------------------------------------------


def test_a_stop_word_never_empties_a_query(small: Library) -> None:
    assert _titles(small, "the blasius problem") == _titles(small, "blasius problem")
    assert _titles(small, "the blasius problem")[0] == "The Blasius Problem Revisited"


def test_a_title_of_stop_words_only_is_found(small: Library) -> None:
    result = small.search("to be or not to be")
    assert small.paper(result.ids[0]).title == "To Be or Not to Be"
    assert "common words" in result.notice


def test_stop_words_in_strict_queries_are_not_required(small: Library) -> None:
    assert _titles(small, "title:pruning AND the") == ["Pruning transformers with one recipe"]


# -- ranked matching ----------------------------------------------------------------------------


def test_all_words_first_then_most_of_them(small: Library) -> None:
    result = small.search("blasius boundary layer suction")
    assert small.paper(result.ids[0]).title == "Boundary layers without a problem"  # has all four
    assert "The Blasius Problem Revisited" in [small.paper(p).title for p in result.ids[1:]]
    assert result.mode == "ranked"
    assert result.notice == "1 paper has all 4 words; below them, papers with most of them"


def test_no_paper_with_every_word_still_finds_the_closest(small: Library) -> None:
    result = small.search("graph neural networks for proteins and molecules with attention")
    assert small.paper(result.ids[0]).title == "Graph neural networks for molecules"
    assert result.notice.startswith("No paper has all 6 words; showing papers with most of them")


def test_two_words_stay_strict_when_a_paper_has_both(small: Library) -> None:
    assert _titles(small, "pruning transformers") == ["Pruning transformers with one recipe"]
    fallback = small.search("pruning molecules")
    assert len(fallback.ids) == 2 and fallback.notice.startswith("No paper has all 2 words")


def test_explicit_syntax_keeps_its_strict_meaning(small: Library) -> None:
    assert _titles(small, "pruning AND molecules") == []
    assert sorted(_titles(small, "pruning OR molecules")) == ["Graph neural networks for molecules",
                                                              "Pruning transformers with one recipe"]
    assert _titles(small, '"blasius problem"') == ["The Blasius Problem Revisited"]
    assert small.search("pruning OR molecules").mode == "strict"


def test_every_daily_papers_title_pasted_ranks_its_paper_first(daily: Library) -> None:
    ids = daily.all_ids(order="added", descending=False)
    assert len(ids) == 108
    misses = []
    for pid in ids:
        title = daily.paper(pid).title
        found = daily.search(title, limit=10).ids
        if not found or found[0] != pid:
            misses.append(title)
    assert misses == []


@pytest.mark.parametrize("typed", ["The Need for Speed", "Are We There Yet", "pruning of transformers",
                                   "a multi-level framework"])
def test_the_issues_examples_find_their_paper(daily: Library, typed: str) -> None:
    top = daily.paper(daily.search(typed).ids[0]).title
    assert typed.lower().split()[-1] in top.lower()


def test_a_whole_pasted_page_searches_without_an_internal_error(daily: Library, daily_page_text: str) -> None:
    result = daily.search(daily_page_text)
    assert result.ids and "first 48 distinct words" in result.notice


# -- spelling variants --------------------------------------------------------------------------


@pytest.mark.parametrize(("british", "american"), [
    ("haematopoietic", "hematopoietic"), ("optimise", "optimize"), ("optimisation", "optimization"),
    ("colour", "color"), ("modelling", "modeling"), ("centre", "center"), ("analysed", "analyzed"),
    ("behaviour", "behavior"), ("catalogue", "catalog"), ("anaemia", "anemia"),
])
def test_british_and_american_spellings_index_alike(british: str, american: str) -> None:
    analyzer = prose_analyzer()
    assert [t.text for t in analyzer(british)] == [t.text for t in analyzer(american)]


@pytest.mark.parametrize("word", ["four", "hour", "tour", "advise", "promise", "noise", "exercise", "genre",
                                  "literature", "vogue", "premises"])
def test_words_that_only_look_british_are_left_alone(word: str) -> None:
    assert americanise(word) == word


@pytest.mark.parametrize(("query", "title"), [
    ("hematopoietic stem cells", "Haematopoietic stem cells in the bone marrow"),
    ("color constancy", "Colour constancy in modelling natural scenes"),
    ("modeling natural scenes", "Colour constancy in modelling natural scenes"),
    ("organisation of memory", "Organization of memory in transformers"),
    ("optimising attention", "Organization of memory in transformers"),
])
def test_spelling_variants_find_each_other(small: Library, query: str, title: str) -> None:
    assert _titles(small, query)[0] == title


# -- queries that cannot run as typed -----------------------------------------------------------


@pytest.mark.parametrize(("query", "notice", "first"), [
    ('"blasius problem', "Closed the unclosed quote", "The Blasius Problem Revisited"),
    ("pruning AND", "Ignored 'AND' with nothing after it", "Pruning transformers with one recipe"),
    ("(pruning OR molecules", "Ignored an unmatched '('", None),
    ("foo:pruning", "foo: is not a field (fields: " + ", ".join(FIELD_NAMES_SHOWN) + ")",
     "Pruning transformers with one recipe"),
])
def test_bad_queries_are_repaired_with_a_notice(small: Library, query: str, notice: str, first: str | None) -> None:
    result = small.search(query)
    assert result.notice.startswith(notice)
    assert "\n" not in result.notice
    if first is not None:
        assert small.paper(result.ids[0]).title == first


@pytest.mark.parametrize("query", ["title:(", "NOT", "AND OR", "()"])
def test_a_query_with_nothing_left_is_one_clear_error(small: Library, query: str) -> None:
    with pytest.raises(InvalidQueryError) as caught:
        small.search(query)
    assert "\n" not in str(caught.value) and ("nothing to search for" in str(caught.value)
                                              or "type something" in str(caught.value))



def test_ranking_spans_segments_and_skips_deleted_papers(tmp_path_factory: pytest.TempPathFactory) -> None:
    library = Library.open(tmp_path_factory.mktemp("segments") / "lib")
    try:
        first = library.import_papers(PAPERS[:4]).imported
        library.catch_up_index()
        library.import_papers(PAPERS[4:])
        library.catch_up_index()
        library.add_tags([first[0]], ["fluids"])
        assert len(library.index.papers.searcher().leaf_searchers()) >= 2
        query = "colour constancy blasius boundary fluids"
        result = library.search(query)
        titles = [library.paper(pid).title for pid in result.ids]
        assert titles[:2] == ["The Blasius Problem Revisited", "Colour constancy in modelling natural scenes"]
        library.delete_papers([first[0]])
        library.catch_up_index()
        assert "The Blasius Problem Revisited" not in _titles(library, query)
    finally:
        library.close()
