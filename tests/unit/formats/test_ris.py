"""RIS (and Web of Science) import, RIS export, and the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.models import Author, Paper
from desktop_app.formats import detect_format, ris
from desktop_app.formats.encoding import decode_bytes
from desktop_app.formats.extras import raw_extras


@pytest.fixture(scope="module")
def ris_files(corpus: Path) -> dict[str, str]:
    files = sorted((corpus / "ris").rglob("*.ris"))
    return {f.name: decode_bytes(f.read_bytes())[0] for f in files}


def test_every_corpus_file_imports_without_raising(ris_files):
    assert len(ris_files) == 34
    total = 0
    for name, text in ris_files.items():
        report = ris.parse(text, source=name)
        total += len(report.papers)
        assert report.papers or report.problems, name
        assert all(p.source == name and p.line for p in report.problems)
    assert total == 41


def test_basic_record(ris_files):
    (paper,) = ris.parse(ris_files["example_basic.ris"]).papers
    assert paper.entry_type == "article"
    assert paper.title == "A Mathematical Theory of Communication"
    assert [(a.family, a.given) for a in paper.authors] == [("Shannon", "Claude E.")]
    assert (paper.year, paper.month) == (1948, 7)
    assert paper.venue == "Bell System Technical Journal"
    assert (paper.volume, paper.pages) == ("27", "379--423")


def test_bom_extraneous_data_and_empty_tags(ris_files):
    (bom,) = ris.parse(ris_files["example_bom.ris"]).papers
    assert bom.doi == "10.1186/s40981-020-0316-0"
    first, second = ris.parse(ris_files["example_extraneous_data.ris"]).papers
    assert first.title == "Title of reference" and second.title == "The title of the reference"
    assert first.keywords == ["Pippi", "Nordwind", "Piraten"]
    assert first.extra_fields["editor"] == "Glattauer, Daniel"
    assert first.extra_fields["ris_L2"] == "http://example.com"
    assert first.extra_fields["ris_ID"] == "12345"  # a number is no citation key
    (empty,) = ris.parse(ris_files["example_empty_tag.ris"]).papers
    assert empty.pages == "" and empty.number == "9"
    assert empty.doi == "10.1177/2325967120950040"
    assert empty.abstract.startswith("Background: Athletic endeavor") and "safe return" in empty.abstract


def test_corrupted_and_odd_files_are_read_and_reported(ris_files):
    report = ris.parse(ris_files["RisImporterCorrupted.ris"], source="c.ris")
    (paper,) = report.papers
    assert paper.title == "Editorial: Open Source and Empirical Software Engineering"
    assert [(p.line, p.reason) for p in report.problems] == [(2, "record without a TY line (read as misc)")]
    report = ris.parse(ris_files["RisImporterTest1.ris"], source="t1.ris")
    assert len(report.papers) == 1 and report.papers[0].entry_type == "book"
    assert [p.line for p in report.problems if p.skipped] == [3, 4, 5, 6, 7, 8, 9, 10, 39, 43]
    assert "a second TY line" in report.problems[0].reason
    multiline = ris.parse(ris_files["example_multiline.ris"], source="m.ris")
    assert multiline.papers == [] and [p.line for p in multiline.problems] == [1, 8, 17]


def test_dates_types_names_and_keys(ris_files):
    (chapter,) = ris.parse(ris_files["RisImporterTest3.ris"]).papers
    assert chapter.entry_type == "incollection" and chapter.pages == "1--22"
    assert chapter.venue == "Dermoscopy Image Analysis"
    assert chapter.extra_fields["isbn"] == "978-1-4822-5326-9"
    assert chapter.authors[0] == Author(family="Barata", given="Catarina")
    (book,) = ris.parse(ris_files["RisImporterTest7.ris"]).papers
    assert (book.year, book.month) == (2015, 10)
    assert book.extra_fields["editor"] == "Martin, Steve and Clark, Joe"
    (keyed,) = ris.parse(ris_files["RisImporterTest4a.ris"]).papers
    assert keyed.citekey == "berkman"
    (dated,) = ris.parse(ris_files["RisImporterTest8_date.ris"]).papers
    assert (dated.year, dated.month) == (2005, 7)
    assert dated.authors[1].family == "Molina-Bolívar"
    (patent,) = ris.parse(ris_files["RisImporterTestDoiAndJournalTitle.ris"]).papers
    assert patent.entry_type == "misc" and patent.extra_fields["ris_TY"] == "PAT"
    (science,) = ris.parse(ris_files["RisImporterTestScience.ris"]).papers
    assert science.doi == "10.1016/j.actamat.2016.09.028"
    assert "ω phase transformation" in science.keywords
    (utf,) = ris.parse(ris_files["example_utf_chars.ris"]).papers
    assert utf.extra_fields["ris_ST"].startswith("Состояние")


def test_urls_split_and_unknown_tags_kept(ris_files):
    papers = ris.parse(ris_files["example_urls.ris"]).papers
    assert [p.url for p in papers] == ["http://example.com"] * 4
    assert [p.extra_fields.get("ris_UR") for p in papers] == [None] + ["http://www.example.com"] * 3
    (unknown,) = ris.parse(ris_files["example_single_unknown_tag.ris"]).papers
    assert unknown.extra_fields["ris_JP"] == "CRISPR\nDirect Current"


def test_web_of_science_file(ris_files):
    text = ris_files["example_wos.ris"]
    assert ris.sniff(text)
    first, second = ris.parse(text).papers
    assert first.title.startswith("Interactions stabilizing the structure of the core light-harvesting")
    assert [a.family for a in first.authors] == ["Parkes-Loach", "Majeed", "Law", "Loach"]
    assert (first.year, first.month, first.venue) == (2004, 6, "BIOCHEMISTRY")
    assert (first.pages, first.doi) == ("7003--7016", "10.1021/bi049798f")
    assert "ANTENNA COMPLEX" in first.keywords
    assert second.doi == "10.1021/bi0497291"


def test_detection(ris_files):
    for name in ("example_basic.ris", "example_bom.ris", "example_extraneous_data.ris",
                 "RisImporterTest1.ris", "RisImporterCorrupted.ris"):
        fmt = detect_format(ris_files[name], name)
        assert fmt is not None and fmt.name == "ris", name
    assert not ris.sniff('[{"title": "TY  - JOUR"}]')
    assert not ris.sniff("@article{k,\n title = {TY  - JOUR}\n}")


def test_hostile_text_gives_problems():
    junk = bytes(range(256)).decode("latin-1") * 10
    for text in ("", "\n\n", junk, "TY  - ", "ER  - \nER  - ", "AU  -\nTY  - JOUR"):
        report = ris.parse(text, source="j")
        assert all(p.title or p.authors or p.doi or p.url for p in report.papers)
        assert report.problems, text


def test_render_is_read_by_rispy_with_one_line_per_author_and_keyword():
    paper = Paper(
        entry_type="inproceedings", citekey="vaswani2017attention", title="Attention Is All You Need",
        authors=[Author(family="Vaswani", given="Ashish"), Author(literal="Google Brain")],
        year=2017, month=12, venue="NeurIPS", pages="5998--6008", doi="10.5555/3295222",
        url="https://arxiv.org/abs/1706.03762", keywords=["attention", "transformers"],
        extra_fields={"note": "first\nsecond", "ris_M3": "Conference paper", "ris_l2": "http://x.org",
                      "bibtex_only": "x"},
    )
    text = ris.render([paper, paper])
    (entry, _) = rispy.loads(text)
    assert entry["type_of_reference"] == "CPAPER"
    assert entry["authors"] == ["Vaswani, Ashish", "Google Brain"]
    assert entry["keywords"] == ["attention", "transformers"]
    assert entry["start_page"] == "5998" and entry["end_page"] == "6008"
    assert entry["notes"] == ["first", "second"]
    assert entry["type_of_work"] == "Conference paper"
    assert entry["file_attachments2"] == "http://x.org"  # a name lower-cased by BibTeX still maps
    assert "bibtex_only" not in text
    assert text.endswith("ER  - \n\n")


_WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzÄéøßЖ0123456789.'&"), min_size=1, max_size=8)
_PHRASE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
_NAME = st.builds(
    lambda family, given: Author(family=family.capitalize(), given=given.title()),
    st.lists(st.text(st.sampled_from("abcdeéøxyz-"), min_size=2, max_size=8).filter(
        lambda w: w[0] != "-" and w[-1] != "-"), min_size=1, max_size=2).map(" ".join),
    st.lists(st.text(st.sampled_from("abcdefgéo"), min_size=1, max_size=6), min_size=1, max_size=2).map(" ".join),
)


@st.composite
def _papers(draw: st.DrawFn) -> Paper:
    year = draw(st.none() | st.integers(1000, 2999))
    extra_names = draw(st.sets(st.sampled_from(["note", "address", "edition", "series", "language",
                                                "ris_M3", "ris_L2"])))
    editors = draw(st.lists(_NAME, max_size=2))
    extra = {name: draw(_PHRASE) for name in extra_names}
    if editors:
        extra["editor"] = " and ".join(e.sort_name for e in editors)
    start, end = draw(_WORD.filter(lambda w: "-" not in w)), draw(st.none() | _WORD.filter(lambda w: "-" not in w))
    return Paper(
        entry_type=draw(st.sampled_from(sorted(set(ris.RIS_TYPES) - {"conference", "inbook", "mastersthesis", "proceedings"}))),
        citekey=draw(st.from_regex(r"\A[A-Za-z][A-Za-z0-9:_-]{0,12}\Z") | st.just("")),
        title=draw(_TEXT.filter(lambda t: bool(t.split()) and "withdrawn" not in t.casefold()
                                and t.strip().casefold() not in ("title", "untitled"))),
        authors=draw(st.lists(_NAME, max_size=4)),
        year=year,
        month=draw(st.none() | st.integers(1, 12)) if year else None,
        venue=draw(_TEXT),
        volume=draw(st.just("") | _PHRASE),
        number=draw(st.just("") | _PHRASE),
        pages=draw(st.sampled_from(["", start, f"{start}--{end}" if end else start])),
        publisher=draw(_TEXT),
        doi=draw(st.just("") | st.from_regex(r"\A10\.[0-9]{4}/[a-z0-9.]{1,10}\Z")),
        url=draw(st.just("") | _WORD.map(lambda w: f"https://example.org/{w}")),
        abstract=draw(_TEXT.filter(lambda t: t.strip().casefold() not in ("abstract", "[withdrawn]"))),
        keywords=draw(st.lists(_PHRASE, max_size=3)),
        extra_fields=raw_extras(extra),
    )


_CARRIED = ("entry_type", "citekey", "title", "authors", "year", "month", "venue", "volume", "number",
            "pages", "publisher", "doi", "url", "abstract", "keywords", "extra_fields")


@settings(max_examples=50, deadline=None)
@given(st.lists(_papers(), min_size=1, max_size=3))
def test_round_trip_keeps_every_field_ris_carries(papers):
    report = ris.parse(ris.render(papers), source="rt")
    assert report.problems == []
    assert len(report.papers) == len(papers)
    for before, after in zip(papers, report.papers, strict=True):
        for name in _CARRIED:
            assert getattr(after, name) == getattr(before, name), name


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = ris.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    ris.sniff(text)
