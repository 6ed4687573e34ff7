"""Plain lists of arXiv ids and URLs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import arxiv_ids, detect_format

IDS = """2310.01234
arXiv:2310.01235v2  https://arxiv.org/abs/2310.01236
# a comment line

hep-th/9901001, math.GT/0309136v2; https://arxiv.org/pdf/2401.00001v1.pdf
https://huggingface.co/papers/2509.24210
"""


def test_every_id_form_becomes_a_paper_with_id_and_url():
    report = arxiv_ids.parse(IDS, source="ids.txt")
    assert report.problems == []
    assert [p.arxiv_id for p in report.papers] == [
        "2310.01234", "2310.01235", "2310.01236", "hep-th/9901001", "math.GT/0309136",
        "2401.00001", "2509.24210",
    ]
    first = report.papers[0]
    assert first.url == "https://arxiv.org/abs/2310.01234"
    assert first.title == ""


def test_sniff_only_when_every_line_is_ids():
    assert arxiv_ids.sniff(IDS)
    assert not arxiv_ids.sniff(IDS + "Attention is all you need\n")
    assert not arxiv_ids.sniff("")
    assert not arxiv_ids.sniff("2313.01234")  # month 13 does not exist
    assert not arxiv_ids.sniff("12345")


def test_other_lines_are_problems_with_line_numbers_and_ids_still_count():
    report = arxiv_ids.parse("2310.01234\nnot an id 2310.09999\n\n@article{x,\n", source="s")
    assert [p.arxiv_id for p in report.papers] == ["2310.01234", "2310.09999"]
    assert [(p.line, p.source) for p in report.problems] == [(2, "s"), (4, "s")]
    assert "not an arXiv id" in report.problems[0].reason


def test_duplicates_and_versions_collapse():
    report = arxiv_ids.parse("2310.01234v1\n2310.01234v3 arXiv:2310.01234")
    assert len(report.papers) == 1


def test_empty_text_is_a_problem():
    report = arxiv_ids.parse("\n\n")
    assert report.papers == [] and report.problems[0].line == 1


def test_detect_format_picks_arxiv_ids():
    fmt = detect_format(IDS, "ids.txt")
    assert fmt is not None and fmt.name == "arxiv-ids"


def test_find_arxiv_id_needs_a_marker():
    assert arxiv_ids.find_arxiv_id("see https://arxiv.org/abs/2310.01234v3.") == "2310.01234"
    assert arxiv_ids.find_arxiv_id("we use 2310.01234 samples") is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = arxiv_ids.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    arxiv_ids.sniff(text)
