"""Matching: close titles without contradictions are applied; Crossref's wrong top hits only proposed."""

from __future__ import annotations

from desktop_app.domain.models import Author, Paper
from desktop_app.metadata import crossref
from desktop_app.metadata.matching import Action, judge, title_similarity
from tests.conftest import SHARED

CROSSREF = SHARED / "fixtures" / "metadata-apis" / "crossref"


def test_the_recorded_wrong_crossref_top_hits_are_never_applied() -> None:
    cases = {
        "2025-08_works-query.title+author-Attention_is_All_you_Need-wrong-top-hit.json":
            Paper(title="Attention is All you Need"),
        "2025-09_works-query.title-PaperQA-rows1-wrong-top-hit.json":
            Paper(title="PaperQA: Retrieval-Augmented Generative Agent for Scientific Research"),
    }
    for name, paper in cases.items():
        (top,) = crossref.parse_search((CROSSREF / name).read_bytes())
        verdict = judge(paper, top.paper)
        assert verdict.action == Action.PROPOSE, (name, verdict)
        assert "the title differs" in verdict.reasons


def test_the_right_crossref_hit_is_applied() -> None:
    (hit,) = crossref.parse_search(
        (CROSSREF / "2025-09_works-query.title-Augmenting_LLMs_with_chemistry_tools-rows1.json").read_bytes())
    assert judge(Paper(title="Augmenting Large Language Models with Chemistry Tools"), hit.paper).action == Action.APPLY


def test_case_punctuation_and_accents_do_not_matter() -> None:
    assert title_similarity("Déjà vu: A Contextualized Model", "deja vu - a contextualized model") == 1.0
    assert title_similarity("", "anything") == 0.0


def test_a_longer_title_is_only_a_proposal() -> None:
    verdict = judge(Paper(title="Deep Learning"), Paper(title="Deep Learning for Cats"))
    assert verdict.action == Action.PROPOSE


def test_authors_or_year_that_contradict_block_applying() -> None:
    mine = Paper(title="Attention Is All You Need", authors=[Author(family="Vaswani")], year=2017)
    other_author = Paper(title="Attention is all you need", authors=[Author(family="Smith")], year=2017)
    other_year = Paper(title="Attention is all you need", authors=[Author(family="Vaswani")], year=2021)
    next_year = Paper(title="Attention is all you need", authors=[Author(family="Vaswani", given="A.")], year=2018)
    assert judge(mine, other_author).action == Action.PROPOSE
    assert judge(mine, other_year).action == Action.PROPOSE
    assert judge(mine, next_year).action == Action.APPLY  # preprint one year, proceedings the next


def test_a_record_fetched_by_the_papers_own_id_is_trusted_when_the_paper_has_no_title() -> None:
    assert judge(Paper(arxiv_id="2310.01234"), Paper(title="Anything"), by_identifier=True).action == Action.APPLY


def test_noise_is_dropped() -> None:
    assert judge(Paper(title="Quantum chromodynamics on lattices"), Paper(title="Ecology")).action == Action.REJECT
