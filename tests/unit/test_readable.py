"""Titles with inline TeX math read as text on screen; the stored source is what export writes."""
# ruff: noqa: RUF001  (the expected text is Greek and mathematical letters on purpose)

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.readable import readable


@pytest.mark.parametrize(("source", "shown"), [
    (r"$\mu$KE: Matryoshka Unstructured Knowledge Editing", "μKE: Matryoshka Unstructured Knowledge Editing"),
    (r"Sparse Recovery with $\ell_1$ Minimisation", "Sparse Recovery with ℓ₁ Minimisation"),
    (r"An $O(n^2)$ Algorithm", "An O(n²) Algorithm"),
    (r"$\alpha$-$\beta$ Pruning", "α-β Pruning"),
    (r"Bounds in $\mathcal{O}(\log n)$", "Bounds in 𝒪(log n)"),
    (r"Mixing $x_{ij}$ Terms", "Mixing xᵢⱼ Terms"),
    (r"The $\ell_{2,1}$ Norm", "The ℓ_2,1 Norm"),  # no subscript comma in Unicode: keep the TeX
])
def test_inline_math_becomes_unicode(source: str, shown: str) -> None:
    assert readable(source) == shown


@pytest.mark.parametrize("text", [
    "Plain Title Without Math",
    "It costs $5 and $10",  # dollars, not math (pandoc's rule)
    "A lone $ sign",
    r"Escaped \$ signs \$ stay",
    "$$",
])
def test_text_that_is_not_math_is_left_alone(text: str) -> None:
    assert readable(text) == text


def test_export_keeps_the_latex_source(tmp_path: Path) -> None:
    bib = tmp_path / "mu.bib"
    bib.write_text("@article{mu, title = {$\\mu$KE: Editing}, author = {Doe, Jane}, year = {2025}}\n",
                   encoding="utf-8")
    library = Library.open(tmp_path / "library")
    try:
        library.import_files([bib])
        (pid,) = library.all_ids()
        assert library.paper(pid).title == "$\\mu$KE: Editing"  # stored as written
        assert readable(library.paper(pid).title) == "μKE: Editing"  # shown as read
        assert '"$\\\\mu$KE: Editing"' in library.export([pid], "csljson")
    finally:
        library.close()
