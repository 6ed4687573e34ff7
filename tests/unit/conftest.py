"""Fixtures for core tests: an open library in a temporary folder and a few sample papers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.models import Author, Paper


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def sample_papers() -> list[Paper]:
    return [
        Paper(
            title="The Need for Speed: Pruning Transformers with One Recipe",
            abstract="We introduce a one-shot pruning technique for transformer architectures "
                     "in Düsseldorf without re-training.",
            authors=[Author(family="Khaki", given="Samir"), Author(family="Plataniotis", given="K.")],
            year=2024, venue="ICLR", entry_type="inproceedings",
        ),
        Paper(
            title="Attention Is All You Need",
            abstract="The dominant sequence transduction models are based on recurrent networks. "
                     "We propose the Transformer, based solely on attention mechanisms.",
            authors=[Author(family="Vaswani", given="Ashish"), Author(family="Shazeer", given="Noam")],
            year=2017, arxiv_id="1706.03762v7", arxiv_class="cs.CL", entry_type="article",
        ),
        Paper(
            title="Prototypical Networks for Few-shot Learning",
            abstract="We propose prototypical networks for few-shot classification, where a "
                     "classifier must generalize to new classes.",
            authors=[Author(family="Snell", given="Jake")],
            year=2017, doi="10.5555/3294996.3295163", entry_type="inproceedings",
        ),
        Paper(
            title="Movement Pruning: Adaptive Sparsity by Fine-Tuning",
            abstract="Magnitude pruning is a widely used strategy for reducing model size in pure "
                     "supervised learning; we propose movement pruning.",
            authors=[Author(family="Sanh", given="Victor")],
            year=2020, entry_type="inproceedings",
        ),
    ]


@pytest.fixture
def filled(library: Library) -> Library:
    """A library holding the sample papers, fully indexed."""
    library.import_papers(sample_papers())
    library.catch_up_index()
    return library
