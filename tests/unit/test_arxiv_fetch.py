"""Completing pasted arXiv ids from the arXiv API (the network is replaced by a fake)."""

from __future__ import annotations

import urllib.error
from collections.abc import Sequence

from desktop_app.core.arxiv_fetch import complete_from_arxiv
from desktop_app.core.library import Library
from desktop_app.domain.models import Paper

ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <entry>
    <id>http://arxiv.org/abs/1706.03762v7</id>
    <published>2017-06-12T17:57:34Z</published>
    <title>Attention Is All You Need</title>
    <summary>The dominant sequence transduction models are based on recurrent networks.</summary>
    <author><name>Ashish Vaswani</name></author>
    <author><name>Noam Shazeer</name></author>
    <arxiv:primary_category term="cs.CL"/>
    <category term="cs.CL"/>
  </entry>
</feed>
"""


def test_ids_only_papers_are_completed() -> None:
    asked: list[list[str]] = []

    def fake(ids: Sequence[str]) -> str:
        asked.append(list(ids))
        return ATOM

    papers, problems = complete_from_arxiv([Paper(arxiv_id="1706.03762"), Paper(title="Kept as is")], fetch=fake, pause=0)
    assert asked == [["1706.03762"]]
    assert problems == []
    assert papers[0].title == "Attention Is All You Need" and papers[0].arxiv_class == "cs.CL"
    assert papers[1].title == "Kept as is"


def test_offline_keeps_the_ids_and_says_so() -> None:
    def offline(ids: Sequence[str]) -> str:
        raise urllib.error.URLError("Name or service not known")

    papers, problems = complete_from_arxiv([Paper(arxiv_id="1706.03762")], fetch=offline, source="<pasted>", pause=0)
    assert papers == [Paper(arxiv_id="1706.03762")]
    assert len(problems) == 1 and "could not fetch arXiv metadata" in problems[0].reason


def test_pasting_ids_into_the_library(library: Library) -> None:
    library.fetch_arxiv = lambda ids: ATOM
    outcome = library.import_text("1706.03762v2\nhttps://arxiv.org/abs/1706.03762\n")
    assert len(outcome.imported) == 1
    paper = library.paper(outcome.imported[0])
    assert paper.title == "Attention Is All You Need"
    assert paper.citekey == "vaswani2017attention"
