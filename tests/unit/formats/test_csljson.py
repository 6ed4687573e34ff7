"""CSL-JSON import, export and the round trip (and pandoc reading what we write)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.models import Author, Paper
from desktop_app.formats import csljson, detect_format
from desktop_app.formats.arxiv_ids import abs_url
from desktop_app.formats.extras import raw_extras

ZOTERO_EXPORT = """[
  {
    "id": "http://zotero.org/users/local/abcd1234/items/QWERTY12",
    "type": "article",
    "title": "Attention Is All You Need",
    "author": [
      {"family": "Vaswani", "given": "Ashish"},
      {"family": "Shazeer", "given": "Noam"}
    ],
    "issued": {"date-parts": [["2017", "6", "12"]]},
    "publisher": "arXiv",
    "number": "arXiv:1706.03762",
    "URL": "http://arxiv.org/abs/1706.03762",
    "DOI": "10.48550/arXiv.1706.03762",
    "abstract": "The dominant sequence transduction models are based on complex recurrent networks.",
    "note": "arXiv:1706.03762 [cs]",
    "keyword": "Computer Science - Computation and Language, Computer Science - Machine Learning"
  },
  {
    "id": "vangenabith2021",
    "type": "paper-conference",
    "title": "A Bidirectional Transformer Based Alignment Model",
    "author": [
      {"family": "Zhang", "given": "Jingyi"},
      {"family": "Genabith", "given": "Josef", "non-dropping-particle": "van"},
      {"literal": "The ACL Consortium"}
    ],
    "editor": [{"family": "Zong", "given": "Chengqing"}],
    "container-title": ["Proceedings of ACL-IJCNLP 2021"],
    "publisher-place": "Online",
    "page": "283\u2013292",
    "issued": {"raw": "2021-08"},
    "DOI": "10.18653/v1/2021.acl-long.24"
  },
  {
    "id": "thesis1",
    "type": "thesis",
    "genre": "Master's thesis",
    "title": "Small Models",
    "author": [{"family": "Okafor", "given": "Ada", "suffix": "Jr."}],
    "issued": {"literal": "Spring 2019"},
    "publisher": "University of Lagos"
  },
  {
    "id": "dataset-1",
    "type": "dataset",
    "title": "A Dataset",
    "issued": {"date-parts": [[2020]]}
  }
]
"""


def test_import_zotero_style_preprint_and_friends():
    report = csljson.parse(ZOTERO_EXPORT, source="z.json")
    assert report.problems == []
    preprint, conference, thesis, dataset = report.papers
    assert preprint.citekey == ""  # Zotero's item URI is no citation key
    assert preprint.entry_type == "misc"
    assert preprint.arxiv_id == "1706.03762" and preprint.publisher == "" and preprint.number == ""
    assert (preprint.year, preprint.month) == (2017, 6)
    assert preprint.doi == "10.48550/arXiv.1706.03762"
    assert preprint.keywords == ["Computer Science - Computation and Language",
                                 "Computer Science - Machine Learning"]
    assert preprint.extra_fields == {"note": "arXiv:1706.03762 [cs]"}
    assert conference.citekey == "vangenabith2021"
    assert conference.entry_type == "inproceedings"
    assert conference.authors == [Author(family="Zhang", given="Jingyi"),
                                  Author(family="van Genabith", given="Josef"),
                                  Author(literal="The ACL Consortium")]
    assert conference.venue == "Proceedings of ACL-IJCNLP 2021"
    assert conference.pages == "283--292"
    assert (conference.year, conference.month) == (2021, 8)
    assert conference.extra_fields == {"address": "Online", "editor": "Zong, Chengqing"}
    assert thesis.entry_type == "mastersthesis" and thesis.year == 2019
    assert thesis.authors == [Author(family="Okafor Jr.", given="Ada")]
    assert dataset.entry_type == "misc" and dataset.year == 2020


def test_detection():
    fmt = detect_format(ZOTERO_EXPORT, "refs.json")
    assert fmt is not None and fmt.name == "csljson"
    assert csljson.sniff('{"type": "book", "title": "x", "author": [{"literal": "WHO"}]}')
    assert not csljson.sniff('[{"title": "x", "author": "A; B", "bibtex": "@misc{}"}]')
    assert not csljson.sniff('[{"type": "x", "title": "no markers"}]')
    assert not csljson.sniff("TY  - JOUR")


def test_problems_with_lines_and_hostile_input():
    text = json.dumps([{"type": "book", "title": "A"}, {"type": "book"}, 5], indent=2)
    report = csljson.parse(text, source="c.json")
    assert [p.title for p in report.papers] == ["A"]
    assert [(p.line, p.reason) for p in report.problems] == [
        (6, "CSL item with no title, DOI or URL"), (9, "not a CSL item (no type)"),
    ]
    for junk in ("", "{", '{"foo": 1}', "[1, 2]", bytes(range(256)).decode("latin-1")):
        report = csljson.parse(junk)
        assert report.papers == [] and len(report.problems) == 1, junk
    odd = '[{"type": "book", "title": 5, "issued": {"date-parts": [[true, "x"]]}, "author": [1, {}]}]'
    (paper,) = csljson.parse(odd).papers
    assert paper.title == "5" and paper.year is None and paper.authors == []


def test_render_follows_zotero_for_arxiv_preprints():
    paper = Paper(entry_type="misc", citekey="vaswani2017attention", title="Attention Is All You Need",
                  authors=[Author(family="Vaswani", given="Ashish")], year=2017, month=6,
                  arxiv_id="1706.03762")
    (item,) = json.loads(csljson.render([paper]))
    assert item == {
        "id": "vaswani2017attention", "type": "article", "title": "Attention Is All You Need",
        "author": [{"family": "Vaswani", "given": "Ashish"}], "publisher": "arXiv",
        "URL": "https://arxiv.org/abs/1706.03762", "issued": {"date-parts": [[2017, 6]]},
        "number": "arXiv:1706.03762",
    }
    text = csljson.render([paper.model_copy(update={"title": "Zo\u00eb\u2019s model"})])
    assert "Zo\u00eb\u2019s" in text and text.startswith("[\n  {")


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_pandoc_reads_what_we_write(tmp_path):
    papers = csljson.parse(ZOTERO_EXPORT).papers
    path = tmp_path / "refs.json"
    path.write_text(csljson.render(papers), encoding="utf-8")
    result = subprocess.run(["pandoc", "-f", "csljson", "-t", "csljson", str(path)],
                            capture_output=True, text=True, timeout=60, check=True)
    items = json.loads(result.stdout)
    assert [i["title"] for i in items] == [p.title for p in papers]
    assert items[1]["author"][1] == {"family": "Genabith", "given": "Josef",
                                     "non-dropping-particle": "van"} or items[1]["author"][1][
        "family"].endswith("Genabith")


_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzÄéøßЖ0123456789.'&"), min_size=1, max_size=8)
_PHRASE = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=50)
_PERSON = st.builds(
    lambda family, given: Author(family=family.capitalize(), given=given.title()),
    st.text(st.sampled_from("abcdeéøxyz"), min_size=2, max_size=8),
    st.text(st.sampled_from("abcdefgéo. "), max_size=8).map(lambda g: " ".join(g.split())),
)
_ORG = _PHRASE.map(lambda name: Author(literal=name))
_TYPES = ["article", "inproceedings", "book", "incollection", "phdthesis", "mastersthesis",
          "techreport", "unpublished", "misc"]


@st.composite
def _papers(draw: st.DrawFn) -> Paper:
    entry_type = draw(st.sampled_from(_TYPES))
    year = draw(st.none() | st.integers(1, 9999))
    extra = {name: draw(_PHRASE) for name in draw(st.sets(st.sampled_from(
        ["note", "address", "isbn", "issn", "edition", "series", "language"])))}
    editors = draw(st.lists(_PERSON.filter(lambda a: a.given), max_size=2))
    if editors:
        extra["editor"] = " and ".join(e.sort_name for e in editors)
    arxiv_id = "" if entry_type == "techreport" else draw(st.sampled_from(["", "2310.01234", "hep-th/9901001"]))
    start, end = draw(_WORD.filter(lambda w: "-" not in w)), draw(_WORD.filter(lambda w: "-" not in w))
    return Paper(
        entry_type=entry_type,
        citekey=draw(st.from_regex(r"\A[A-Za-z][A-Za-z0-9:_-]{0,12}\Z")),
        title=draw(_TEXT.filter(lambda t: bool(t.split()))),
        authors=draw(st.lists(_PERSON | _ORG, max_size=4)),
        year=year,
        month=draw(st.none() | st.integers(1, 12)) if year else None,
        venue=draw(_TEXT),
        volume=draw(st.just("") | _PHRASE),
        number=draw(st.just("") | _PHRASE),
        pages=draw(st.sampled_from(["", start, f"{start}--{end}"])),
        publisher=draw(_TEXT.filter(lambda t: t.strip().lower() != "arxiv")),
        doi=draw(st.just("") | st.from_regex(r"\A10\.[0-9]{4}/[a-z0-9.]{1,10}\Z")),
        arxiv_id=arxiv_id,
        url=draw(st.just("") | _WORD.map(lambda w: f"https://example.org/{w}")),
        abstract=draw(_TEXT),
        keywords=draw(st.lists(_PHRASE, max_size=3)),
        extra_fields=raw_extras(extra),
    )


_CARRIED = ("entry_type", "citekey", "title", "authors", "year", "month", "venue", "volume", "number",
            "pages", "publisher", "doi", "arxiv_id", "abstract", "keywords", "extra_fields")


@settings(max_examples=50, deadline=None)
@given(st.lists(_papers(), min_size=1, max_size=3))
def test_round_trip_keeps_every_field_csl_carries(papers):
    report = csljson.parse(csljson.render(papers), source="rt")
    assert report.problems == []
    assert len(report.papers) == len(papers)
    for before, after in zip(papers, report.papers, strict=True):
        for name in _CARRIED:
            assert getattr(after, name) == getattr(before, name), name
        expected_url = before.url or (abs_url(before.arxiv_id) if before.arxiv_id else "")
        assert after.url == expected_url


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = csljson.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    csljson.sniff(text)
