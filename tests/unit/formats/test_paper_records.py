"""JSON paper records (Paper Copilot lists) with their embedded BibTeX."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import detect_format, paper_records


@pytest.fixture(scope="module")
def paperlists(corpus: Path) -> dict[str, str]:
    files = sorted((corpus / "paperlists").glob("*/*.json"))
    return {f"{f.parent.name}/{f.name}": f.read_text(encoding="utf-8") for f in files}


def test_every_paperlist_parses_and_nearly_all_have_years(paperlists):
    reports = {name: paper_records.parse(text, source=name) for name, text in paperlists.items()}
    papers = [p for r in reports.values() for p in r.papers]
    problems = [p for r in reports.values() for p in r.problems]
    assert len(papers) + len(problems) == 12_345
    assert len(papers) == 12_340
    assert [str(p) for p in problems] == [
        "iclr/iclr2017.json:11780: record without a title",
        "iclr/iclr2018.json:13540: placeholder record (title 'title'); not stored",
        "iclr/iclr2018.json:17098: placeholder record (title 'withdrawn'); not stored",
        "iclr/iclr2018.json:19626: placeholder record (title 'Withdrawn'); not stored",
        "iclr/iclr2018.json:28629: placeholder record (title 'Withdrawn'); not stored",
    ]
    with_year = sum(1 for p in papers if p.year)
    assert with_year == 12_123  # iclr2013/2014 and a few others carry no BibTeX


def test_record_keys_win_and_bibtex_fills_the_gaps(paperlists):
    paper = paper_records.parse(paperlists["acl/acl2021.json"]).papers[0]
    assert paper.title == "A Bidirectional Transformer Based Alignment Model for Unsupervised Word Alignment"
    assert [(a.given, a.family) for a in paper.authors] == [("Jingyi", "Zhang"), ("Josef", "van Genabith")]
    assert (paper.year, paper.month) == (2021, 8)
    assert paper.venue.startswith("Proceedings of the 59th Annual Meeting")
    assert paper.pages == "283--292"
    assert paper.publisher == "Association for Computational Linguistics"
    assert paper.doi == "10.18653/v1/2021.acl-long.24"
    assert paper.url == "https://aclanthology.org/2021.acl-long.24/"
    assert paper.entry_type == "inproceedings"
    assert paper.extra_fields["editor"].startswith("Zong, Chengqing and Xia, Fei")
    assert paper.extra_fields["address"] == "Online"
    assert paper.extra_fields["pdf"] == "https://aclanthology.org/2021.acl-long.24.pdf"


def test_embedded_latex_is_decoded_in_fields_and_kept_in_extras(paperlists):
    papers = paper_records.parse(paperlists["nips/nips1999.json"]).papers
    editors = {p.extra_fields.get("editor", "") for p in papers}
    assert 'S. Solla and T. Leen and K. M\\"{u}ller' in editors  # extra fields stay LaTeX
    assert all(p.venue == "Advances in Neural Information Processing Systems" for p in papers)
    record = {"title": "", "author": "", "bibtex": '@inproceedings{k, author = {B\\"{u}lthoff, H. and {DeepMind}},'
              ' title = {{BERT} and \\emph{more}}, publisher = {M{\\"o}bius}}'}
    (paper,) = paper_records.parse(json.dumps([record])).papers
    assert paper.authors[0].family == "Bülthoff" and paper.authors[1].literal == "DeepMind"
    assert (paper.title, paper.publisher) == ("BERT and more", "Möbius")
    iclr = paper_records.parse(paperlists["iclr/iclr2017.json"]).papers
    assert {p.entry_type for p in iclr} >= {"misc"}


def test_records_with_code_arxiv_doi_and_keywords():
    record = {
        "title": "T", "author": "Ada Lovelace; Charles Babbage", "abstract": "A.",
        "keywords": "graphs; calibration", "site": "https://openreview.net/forum?id=x",
        "arxiv": "https://arxiv.org/abs/2105.04321v3", "doi": "https://doi.org/10.1/XYZ",
        "github": "https://github.com/a/b", "project": "https://a.github.io",
        "bibtex": '@article{k, journal = "J. " # {Stat}, year = 2020, month = aug, '
                  'volume = 12, number = "3", title = {Other {T}itle}, note = {n {\\"o}}}',
    }
    (paper,) = paper_records.parse(json.dumps([record])).papers
    assert paper.entry_type == "article"
    assert paper.venue == "J. Stat"
    assert (paper.year, paper.month, paper.volume, paper.number) == (2020, 8, "12", "3")
    assert paper.title == "T"
    assert paper.arxiv_id == "2105.04321" and paper.doi == "10.1/XYZ"
    assert paper.code_url == "https://github.com/a/b"
    assert paper.keywords == ["graphs", "calibration"]
    assert paper.extra_fields["note"] == 'n {\\"o}'


def test_embedded_fields_scanner():
    entry_type, fields = paper_records.embedded_fields(
        '@InProceedings{key,\n title = {A {Nested {Deep}} Title},\n author = "Doe, J. and {Org}",'
        '\n pages = {},\n month = sep,\n year = {1999}\n}'
    )
    assert entry_type == "inproceedings"
    assert fields == {
        "title": "A {Nested {Deep}} Title", "author": "Doe, J. and {Org}", "pages": "",
        "month": "sep", "year": "1999",
    }
    assert paper_records.embedded_fields("not bibtex") == ("", {})
    assert paper_records.embedded_fields("@misc{k, title = {cut short") == ("misc", {})


def test_missing_title_is_a_problem_on_the_record_line():
    text = json.dumps([{"title": "A"}, {"title": "", "author": "X"}, {"title": "C"}], indent=2)
    report = paper_records.parse(text, source="r.json")
    assert [p.title for p in report.papers] == ["A", "C"]
    (problem,) = report.problems
    assert (problem.source, problem.line, problem.reason) == ("r.json", 5, "record without a title")


@pytest.mark.parametrize("text", ['{"foo": 1}', "[1, 2, 3]", "[]", '"just a string"', "{}", "null"])
def test_json_that_is_not_records_gives_one_problem(text):
    report = paper_records.parse(text, source="x.json")
    assert report.papers == []
    assert [p.reason for p in report.problems] == ["JSON holds no paper records"]


def test_hostile_text_gives_problems_not_exceptions(paperlists):
    truncated = paperlists["colm/colm2024.json"][:200_000]
    report = paper_records.parse(truncated, source="cut.json")
    assert len(report.papers) == 44
    assert report.problems[-1].reason.startswith("not valid JSON")
    assert report.problems[-1].line > 1000
    junk = bytes(range(256)).decode("latin-1") * 10
    for text in ("", junk, "[{", "\ufeff["):
        report = paper_records.parse(text)
        assert report.papers == [] and len(report.problems) == 1


def test_detection(paperlists):
    fmt = detect_format(paperlists["nips/nips1987.json"], "nips1987.json")
    assert fmt is not None and fmt.name == "records-json"
    assert paper_records.sniff(paperlists["iclr/iclr2013.json"])
    assert not paper_records.sniff('[{"type": "book", "title": "x", "author": [{"family": "A"}]}]')
    assert not paper_records.sniff('[{"paper": {"id": "2310.01234"}, "title": "x"}]')
    assert not paper_records.sniff('{"foo": 1}')


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = paper_records.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    paper_records.sniff(text)
