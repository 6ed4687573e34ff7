"""Issue 11's reproductions, one test each: nothing a real file holds is lost without a word."""

from __future__ import annotations

import json

from desktop_app import formats
from desktop_app.domain.models import Author, Paper
from desktop_app.formats import bibtex, paper_records, ris
from desktop_app.formats.encoding import decode_bytes
from desktop_app.formats.entry_types import BIBTEX_TYPES


def only(text: str):
    report = bibtex.parse(text, source="t.bib")
    assert len(report.papers) == 1, report.problems
    return report.papers[0], report


# -- names -------------------------------------------------------------------------------------


def test_comma_separated_record_authors_are_three_people() -> None:
    text = json.dumps([{"title": "3D Aerial Display",
                        "author": "Nahomi Maki, Toshiaki Yamanouchi, Kazuhisa Yanaka"}])
    (paper,) = paper_records.parse(text).papers
    assert paper.authors == [Author(family="Maki", given="Nahomi"),
                             Author(family="Yamanouchi", given="Toshiaki"),
                             Author(family="Yanaka", given="Kazuhisa")]


def test_record_author_separators_are_detected() -> None:
    split = paper_records.split_author_list
    assert split("Ann Lee; Bob Ray") == ["Ann Lee", "Bob Ray"]
    assert split("Ann Lee and Bob Ray") == ["Ann Lee", "Bob Ray"]
    assert split("Ann Lee, Bob Ray, and Cy Young") == ["Ann Lee", "Bob Ray", "Cy Young"]
    assert split("Lee, Ann") == ["Lee, Ann"]  # one inverted name, not two people


def test_biblatex_extended_names() -> None:
    paper, _ = only("@article{k, title={T}, author={family=Oord, given=Aaron, prefix=van den, "
                    "useprefix=true and Dieleman, Sander}}")
    assert paper.authors == [Author(family="van den Oord", given="Aaron"),
                             Author(family="Dieleman", given="Sander")]
    out = bibtex.render([paper])
    assert "author = {van den Oord, Aaron and Dieleman, Sander}" in out
    assert bibtex.parse(out).papers[0].authors == paper.authors


def test_editor_or_shortauthor_names_the_people_when_there_is_no_author() -> None:
    report = bibtex.parse("@collection{c, editor={Doe, Jane}, booktitle={B}}\n"
                          "@online{o, shortauthor={ACM}, shorthand={ACM}}\n"
                          "@book{s, shorthand={KpV}}\n", source="t.bib")
    assert [p.authors for p in report.papers] == [[Author(family="Doe", given="Jane")],
                                                  [Author(family="ACM")], []]
    assert report.problems == []
    out = bibtex.render(report.papers[:1], dialect="biblatex")
    assert "editor = {Doe, Jane}" in out and "author" not in out  # not turned into an author


def test_an_entry_with_nothing_to_name_it_is_a_counted_problem() -> None:
    report = bibtex.parse("@misc{empty,\n}\n", source="t.bib")
    assert report.papers == [] and report.skipped == 1
    assert report.problems[0].line == 1 and "skipped" in report.problems[0].reason


# -- unknown LaTeX -----------------------------------------------------------------------------

TUGBOAT = r"""@article{tub,
  title = {{SGML\slash HyTime}; \MF{} at the \TUB{}},
  author = {\Thanh{} and Sebastian Rahtz},
  journal = {\TUB{}},
  year = 1995
}
@article{tub2, title = {More \MF{}}, author = {Knuth, Donald}}
"""


def test_unknown_macros_are_shown_by_name_and_exported_as_written() -> None:
    report = bibtex.parse(TUGBOAT, source="tub.bib")
    paper = report.papers[0]
    assert paper.title == "SGML/HyTime; MF at the TUB"
    assert paper.authors[0].display_name == "Thanh"
    assert paper.venue == "TUB"
    for dialect in ("bibtex", "biblatex"):
        out = bibtex.render([paper], dialect=dialect)
        assert r"title = {{SGML\slash HyTime}; \MF{} at the \TUB{}}," in out
        assert r"author = {\Thanh{} and Sebastian Rahtz}," in out
    macros = sorted(p.reason.split()[3] for p in report.problems)
    assert macros == [r"\MF", r"\TUB", r"\Thanh"]  # one problem per macro name per file
    assert all(not p.skipped for p in report.problems)


def test_a_line_break_before_a_word_is_not_an_unknown_macro() -> None:
    # ``\\plain`` is the control symbol ``\\`` and the word "plain", not a macro ``\plain``
    report = bibtex.parse(r"@book{k, title={A \\ B \% \MF{}}, editor={\\plain}}")
    assert [p.reason.split()[3] for p in report.problems] == [r"\MF"]


def test_an_edited_field_wins_over_its_kept_source() -> None:
    paper, _ = only(r"@article{k, title={\MF{} book}, year=2000}")
    edited = paper.model_copy(update={"title": "The METAFONT book"})
    out = bibtex.render([edited])
    assert "title = {The {METAFONT} book}" in out and r"\MF" not in out


# -- entry types -------------------------------------------------------------------------------


def test_only_comment_is_a_comment() -> None:
    report = bibtex.parse("@comment{ignored}\n@commented{palandt, title={Palandt BGB}, year=2020}\n"
                          "@stringent{s, title={Not a string}}\n", source="t.bib")
    assert [p.citekey for p in report.papers] == ["palandt", "s"]
    palandt = report.papers[0]
    assert palandt.entry_type == "misc"
    assert bibtex.render([palandt], dialect="biblatex").startswith("@commented{palandt,")
    as_bibtex = bibtex.render([palandt], dialect="bibtex")
    assert as_bibtex.startswith("@misc{palandt,") and "originaltype = {commented}" in as_bibtex
    assert bibtex.parse(as_bibtex).papers[0].extra_fields["_type"] == "commented"


def test_xdata_fills_its_users_and_is_no_paper() -> None:
    report = bibtex.parse("@xdata{pub, publisher={Springer}, location={Berlin}}\n"
                          "@book{a, title={A}, xdata={pub}}\n@xdata{unused, note={x}}\n", source="t.bib")
    (book,) = report.papers
    assert book.publisher == "Springer" and book.extra_fields["location"] == "Berlin"
    assert "xdata" not in book.extra_fields
    assert [p.line for p in report.problems] == [3] and "used by no entry" in report.problems[0].reason


def test_bibtex_dialect_writes_only_bibtex_types_and_keeps_the_original() -> None:
    types = ["online", "report", "mvbook", "thesis", "collection", "software", "dataset", "inreference"]
    papers = [Paper(citekey=f"k{i}", entry_type=t, title=f"Title {i}") for i, t in enumerate(types)]
    out = bibtex.render(papers, dialect="bibtex")
    written = [line[1:line.index("{")] for line in out.splitlines() if line.startswith("@")]
    assert set(written) <= BIBTEX_TYPES
    assert written[:2] == ["misc", "techreport"]
    assert [p.entry_type for p in bibtex.parse(out).papers] == types
    biblatex = bibtex.render(papers, dialect="biblatex")
    assert [line[1:line.index("{")] for line in biblatex.splitlines() if line.startswith("@")] == types


# -- exact exports -----------------------------------------------------------------------------


def test_biblatex_export_keeps_the_papers_year_over_a_stale_date() -> None:
    paper, _ = only("@article{k, title={Old}, author={Doe, J}, year=1975, date={15/05/84}}")
    assert paper.year == 1975
    for dialect in ("bibtex", "biblatex"):
        out = bibtex.render([paper], dialect=dialect)
        assert "year = {1975}" in out and "15/05/84" not in out
        assert bibtex.parse(out).papers[0].year == 1975


def test_a_date_that_agrees_is_written_as_it_was() -> None:
    paper, _ = only("@article{k, title={T}, date={2020-05-17}}")
    assert (paper.year, paper.month) == (2020, 5)
    out = bibtex.render([paper], dialect="biblatex")
    assert "date = {2020-05-17}" in out and "year" not in out


def test_identifier_fields_are_written_as_they_are() -> None:
    paper = Paper(citekey="k", title="T", arxiv_id="2401.00001", arxiv_class="cs, eess")
    assert "eprintclass = {cs, eess}" in bibtex.render([paper], dialect="biblatex")
    assert "primaryClass = {cs, eess}" in bibtex.render([paper], dialect="bibtex")


# -- bad bytes ---------------------------------------------------------------------------------


def test_a_nul_byte_damages_its_entry_not_the_file() -> None:
    data = b"@article{a, title={Clean}}\n@article{b, title={Bro\x00ken}}\n@article{c, title={Also clean}}\n"
    text, _ = decode_bytes(data)
    report = formats.parse(text, source="nul.bib")
    assert [p.title for p in report.papers] == ["Clean", "Broken", "Also clean"]
    assert [(p.line, p.reason) for p in report.problems] == [
        (2, "removed control character(s) U+0000 from the entry here")]


def test_control_characters_never_reach_the_export() -> None:
    text = '[{"title": "Exchangeable \\ufffcRandom Partitions", "author": "Y\\u007faniv Tenzer; \\u0006 Daniel Crawford"}]'
    report = formats.parse(text, source="r.json")
    (paper,) = report.papers
    assert paper.title == "Exchangeable Random Partitions"
    assert [a.given for a in paper.authors] == ["Yaniv", "Daniel"]
    assert "U+0006" in report.problems[0].reason and "U+FFFC" in report.problems[0].reason
    out = bibtex.render([paper.model_copy(update={"abstract": "bad \x06 byte \ufffc"})])
    assert "\x06" not in out and "\ufffc" not in out


def test_placeholder_records_are_reported_not_stored() -> None:
    text = json.dumps([
        {"title": "title", "author": "authors", "abstract": "abstract"},
        {"title": "[Withdrawn] Something", "author": "Ann Lee"},
        {"title": "A real paper", "author": "Ann Lee", "abstract": "Real."},
    ])
    report = formats.parse(text, source="p.json")
    assert [p.title for p in report.papers] == ["A real paper"]
    assert report.skipped == 2 and all("placeholder record" in p.reason for p in report.problems)


def test_ris_with_only_er_lines_reads_nothing() -> None:
    report = ris.parse("ER  - \nER  - \n", source="x.ris")
    assert report.papers == [] and report.problems


def test_the_true_problem_count_is_kept_past_the_listed_ones() -> None:
    report = formats.parse("@a{\n" * 1500, source="junk.bib", fmt="bibtex")
    assert len(report.problems) == 1000
    assert report.problem_count == 1500 and report.skipped == 1500


def test_chunked_splitting_reads_what_one_pass_reads(corpus, monkeypatch) -> None:
    from desktop_app.formats import bibtex_blocks
    files = sorted((corpus / "bibtex").rglob("*.bib"))
    whole = {}
    for path in files:
        text, _ = decode_bytes(path.read_bytes())
        whole[path] = (text, bibtex.parse(text, source=path.name))
    monkeypatch.setattr(bibtex_blocks, "CHUNK_CHARS", 64)
    for path, (text, expected) in whole.items():
        chunked = bibtex.parse(text, source=path.name)
        assert chunked.papers == expected.papers, path
        assert chunked.problems == expected.problems, path
