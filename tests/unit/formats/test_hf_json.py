"""Hugging Face /api/daily_papers and /api/papers/<id> JSON."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import detect_format, hf_json

FIXTURE = Path(__file__).parent / "data" / "hf_daily_papers.json"


def _text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def test_daily_papers_listing():
    report = hf_json.parse(_text(), source="daily.json")
    assert report.problems == []
    routers, scenes, tokenizer = report.papers
    assert routers.arxiv_id == "2509.24210"
    assert routers.url == "https://arxiv.org/abs/2509.24210"
    assert routers.title.startswith("Sparse Routers Remember")
    assert [a.display_name for a in routers.authors] == [
        "Mei-Ling Chen", "Jörg Müller-Lüdenscheidt", "Oluwaseun Adeyemi",
    ]
    assert routers.authors[1].family == "Müller-Lüdenscheidt"
    assert (routers.year, routers.month) == (2025, 9)  # the arXiv date, not the listing date
    assert routers.code_url == "https://github.com/example-lab/sparse-routers"
    assert routers.keywords == ["mixture-of-experts", "continued pre-training", "router"]
    assert "specialisation, while a small set" in routers.abstract
    assert routers.entry_type == "misc"
    assert scenes.code_url == "https://scene-scratchpad.github.io/"
    assert tokenizer.code_url == "" and tokenizer.keywords == []


def test_single_item_and_bare_paper_object():
    items = json.loads(_text())
    single = hf_json.parse(json.dumps(items[1]))
    assert [p.arxiv_id for p in single.papers] == ["2510.00417"]
    bare = items[2]["paper"]
    assert hf_json.sniff(json.dumps(bare))
    report = hf_json.parse(json.dumps(bare))
    assert report.papers[0].title == "How Much Data Does a Tokenizer Need?"


def test_detection():
    fmt = detect_format(_text(), "daily.json")
    assert fmt is not None and fmt.name == "hf-json"
    assert not hf_json.sniff('[{"title": "x", "author": "A; B"}]')
    assert not hf_json.sniff('[{"type": "article-journal", "title": "x", "issued": {}}]')
    assert not hf_json.sniff("<feed/>")


def test_bad_items_are_problems_with_lines_and_the_rest_are_read():
    items = json.loads(_text())
    items[1]["paper"]["title"] = ""
    items[1]["title"] = ""
    items.insert(2, 42)
    text = json.dumps(items, indent=2)
    report = hf_json.parse(text, source="s.json")
    assert [p.arxiv_id for p in report.papers] == ["2509.24210", "2509.26998"]
    lines = text.split("\n")
    reasons = {p.reason: p.line for p in report.problems}
    assert lines[reasons["paper without a title"] - 1] == "  {"
    assert lines[reasons["not a Hugging Face paper object"] - 1] == "  42,"


def test_hostile_inputs_give_problems():
    truncated = _text()[: len(_text()) * 3 // 4]
    report = hf_json.parse(truncated, source="t.json")
    assert len(report.papers) == 1 and report.problems[0].reason.startswith("not valid JSON")
    for text in ("", "{}", "[]", "[1, 2]", '{"foo": 1}', "ÿþ\x00junk", "null"):
        report = hf_json.parse(text)
        assert report.papers == [] and report.problems, text


def test_odd_values_do_not_crash():
    item = {"paper": {"id": 7, "title": "T", "authors": [{"name": None}, "Ada Lovelace", 3],
                      "publishedAt": "0000-13-99", "ai_keywords": "not a list"}}
    (paper,) = hf_json.parse(json.dumps([item])).papers
    assert paper.title == "T" and paper.year is None and paper.month is None
    assert [a.family for a in paper.authors] == ["Lovelace"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = hf_json.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    hf_json.sniff(text)
