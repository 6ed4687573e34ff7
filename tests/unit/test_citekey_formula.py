"""Citation-key formulas (JabRef/Better BibTeX style) and provisional keys."""

from __future__ import annotations

import pytest

from desktop_app.domain.citekeys import (
    DEFAULT_FORMULA,
    KeyFormulaError,
    check_formula,
    formula_key,
    is_complete_for_key,
    looks_generated,
)
from desktop_app.domain.models import Author, Paper

PAPER = Paper(title="A Three-Regime Theory of Grokking", year=2023,
              authors=[Author(family="Zhou", given="Wei"), Author(family="Müller", given="Anna"),
                       Author(family="van der Berg", given="Tom")])


def test_default_is_family_year_first_significant_word() -> None:
    assert formula_key(PAPER) == "zhou2023threeregime"
    assert formula_key(PAPER, DEFAULT_FORMULA) == formula_key(PAPER)


@pytest.mark.parametrize(("formula", "key"), [
    ("[auth][year]", "Zhou2023"),
    ("[auth:upper]_[shortyear]", "ZHOU_23"),
    ("[authors2][year]", "ZhouMullerEtAl2023"),
    ("[auth:lower][year][shorttitle]", "zhou2023ThreeRegimeTheory"),
    ("[auth4:lower]:[year]", "zhou:2023"),
])
def test_fields_and_modifiers(formula: str, key: str) -> None:
    assert formula_key(PAPER, formula) == key


def test_a_hyphenated_first_word_stays_whole_and_stop_words_are_skipped() -> None:
    paper = PAPER.model_copy(update={"title": "On the Fine-Tuning of LLMs: a Study"})
    assert formula_key(paper) == "zhou2023finetuning"
    assert formula_key(PAPER.model_copy(update={"title": "2024: The Year of (MEFT)"})) == "zhou2023year"


def test_incomplete_data_falls_back_to_a_readable_provisional_key() -> None:
    thin = Paper(title="A Three-Regime Theory of Grokking")
    assert not is_complete_for_key(thin)
    assert formula_key(thin, "[auth][year]") == "threeregime"
    assert looks_generated("threeregime", thin) and looks_generated("threeregimeb", thin)
    assert not looks_generated("myownkey", thin)


@pytest.mark.parametrize("bad", ["", "[nosuchfield]", "[auth:shout]", "[auth"])
def test_bad_formulas_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(KeyFormulaError):
        check_formula(bad)
