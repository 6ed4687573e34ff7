"""arXiv API Atom feeds."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import arxiv_atom, detect_format

FIXTURE = Path(__file__).parent / "data" / "arxiv_query.atom"


def _text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def test_feed_entries_map_to_papers():
    report = arxiv_atom.parse(_text(), source="q.atom")
    assert report.problems == []
    routing, strings, graphs = report.papers
    assert routing.arxiv_id == "2310.01234"
    assert routing.url == "https://arxiv.org/abs/2310.01234"
    assert routing.title == "Routing Tokens Through Sparse Experts: A Study of Load Balance"
    assert routing.abstract.startswith("Sparse mixture-of-experts layers route each token")
    assert "\n" not in routing.abstract
    assert [(a.given, a.family) for a in routing.authors] == [
        ("Zoë", "Ångström"), ("Rafael", "García-Núñez"), ("Wei", "Zhang"),
    ]
    assert (routing.year, routing.month) == (2023, 10)
    assert routing.arxiv_class == "cs.LG"
    assert routing.keywords == ["cs.LG", "cs.CL"]
    assert routing.extra_fields == {"comment": "14 pages, 6 figures"}
    assert routing.entry_type == "misc"
    assert strings.arxiv_id == "hep-th/9901001"
    assert (strings.year, strings.arxiv_class) == (1999, "hep-th")
    assert graphs.doi == "10.1016/j.neunet.2022.01.015"
    assert graphs.extra_fields["journal_ref"] == "Neural Networks 149 (2022) 118-130"


def test_detection():
    assert arxiv_atom.sniff(_text())
    fmt = detect_format(_text(), "query.xml")
    assert fmt is not None and fmt.name == "arxiv-atom"
    assert not arxiv_atom.sniff('<?xml version="1.0"?><rss version="2.0"></rss>')
    assert not arxiv_atom.sniff('[{"title": "x"}]')


ERROR_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=1234.12345</title>
  <id>http://arxiv.org/api/fRt0GzIhdFSPUsg4V0Ekjdeqowo</id>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.12345</summary>
    <updated>2025-10-02T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


def test_arxiv_error_entry_is_a_problem():
    report = arxiv_atom.parse(ERROR_FEED, source="err.atom")
    assert report.papers == []
    (problem,) = report.problems
    assert problem.line == 5
    assert problem.reason == "arXiv API error: incorrect id format for 1234.12345"


def test_entity_declarations_are_refused():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol2;</title></entry></feed>'
    )
    report = arxiv_atom.parse(bomb, source="bomb.xml")
    assert report.papers == []
    assert report.problems[0].line == 2
    assert "DOCTYPE" in report.problems[0].reason


def test_broken_and_foreign_xml():
    cut = _text()[:1500]
    report = arxiv_atom.parse(cut, source="cut.atom")
    assert report.papers == [] and "not well-formed" in report.problems[0].reason
    assert report.problems[0].line > 1
    for text in ("", "junk \x00\x01", "<rss/>", bytes(range(256)).decode("latin-1")):
        report = arxiv_atom.parse(text)
        assert report.papers == [] and report.problems


def test_entry_without_title_is_reported_and_others_kept():
    text = _text().replace("<title>Notes on Boundary States in String Field Theory</title>", "")
    report = arxiv_atom.parse(text, source="q")
    assert len(report.papers) == 2
    (problem,) = report.problems
    assert problem.reason == "entry without a title"
    assert text.split("\n")[problem.line - 1].strip() == "<entry>"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = arxiv_atom.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    arxiv_atom.sniff(text)
