"""BibTeX/biblatex import and export: the corpus, the rules in DESIGN.md, round trips, real clients."""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.domain.models import Author, Paper
from desktop_app.formats import bibtex
from desktop_app.formats.encoding import NotTextError, decode_bytes
from desktop_app.formats.names import parse_bibtex_names

# ---------------------------------------------------------------- helpers


def one(text: str) -> Paper:
    report = bibtex.parse(text)
    assert len(report.papers) == 1, report.problems
    return report.papers[0]


def corpus_text(path: Path) -> str:
    try:
        return decode_bytes(path.read_bytes())[0]
    except NotTextError:  # UTF-16 without a BOM: the caller would refuse it; parse must not care
        return path.read_bytes().decode("latin-1")


def corpus_papers(corpus: Path) -> list[Paper]:
    papers: list[Paper] = []
    for path in sorted((corpus / "bibtex").rglob("*.bib")):
        papers.extend(bibtex.parse(corpus_text(path), source=path.name).papers)
    return papers


def tricky_papers() -> list[Paper]:
    """Daily-Papers-like records with the titles and names that break naive exporters."""
    return [
        Paper(citekey="devlin2019bert", entry_type="inproceedings",
              title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
              authors=[Author(family="Devlin", given="Jacob"), Author(family="Chang", given="Ming-Wei")],
              year=2019, month=6, venue="Proceedings of NAACL-HLT 2019", pages="4171--4186",
              doi="10.18653/v1/N19-1423", url="https://aclanthology.org/N19-1423"),
        Paper(title="GPT-4 Technical Report", authors=[Author(literal="OpenAI")], year=2023,
              month=3, arxiv_id="2303.08774", arxiv_class="cs.CL",
              abstract="We report the development of GPT-4, a large-scale, multimodal model..."),
        Paper(citekey="liu2019roberta", title="RoBERTa: a robustly optimized BERT pretraining approach",
              authors=[Author(family="Liu", given="Yinhan"), Author(family="Ott", given="Myle")],
              year=2019, arxiv_id="1907.11692v1", arxiv_class="cs.CL",
              url="https://arxiv.org/abs/1907.11692", keywords=["NLP", "pre-training"]),
        Paper(title="Scaling laws for neural language models in Europe & Asia: 50% of $ spent on C#_{x}~^\\",
              authors=[Author(family="Dörner", given="Dietrich"), Author(family="van der Berg", given="Hans"),
                       Author(family="Łukasiewicz", given="Jan"), Author(family="Müller-Lüdenscheidt", given="Zoë"),
                       Author(family="Smith, Jr", given="John"), Author(family="Anderson and Sons"),
                       Author(family="王", given="小明"), Author(family="Иванов", given="Иван"),
                       Author(literal="World Health Organization"), Author(literal="R & D {Team}")],
              year=2024, month=12, venue="Journal of Ünusual Results", volume="3", number="4",
              pages="e1234", publisher="Springer & Sons",
              doi="10.1000/xyz_(123)<456>#7", url="https://example.org/a_b%20c?x=1&y=~z#frag",
              abstract="Text with -- ligatures ``quoted'' and 100% special {unbalanced chars",
              keywords=["machine learning", "ML & AI", "Ökonomie"],
              extra_fields={"note": "Accepted at {ICLR} 2024 \\& more", "howpublished": "\\url{https://x.org}",
                            "annote": "a } lone brace \\"}),
        Paper(title="LLaMA 2 and Llama2-Chat: ImageNet-1K, 3D, iPhone, DALL·E, α-helices, Ωmega",  # noqa: RUF001
              authors=[Author(family="Touvron", given="Hugo")], year=2023,
              arxiv_id="2307.09288", venue="", entry_type="article"),
        Paper(title="Attention Is All You Need", authors=[Author(family="Vaswani", given="Ashish")],
              year=2017, venue="Advances in Neural Information Processing Systems", volume="30",
              entry_type="inproceedings", citekey="vaswani2017attention"),
        Paper(title="Attention Is All You Need (duplicate key)", authors=[Author(family="Vaswani", given="A.")],
              year=2017, citekey="vaswani2017attention"),
    ]


# ---------------------------------------------------------------- sniff


@pytest.mark.parametrize("text", [
    "@article{a, title={x}}",
    "\ufeff@Article{a, title={x}}",
    "% Encoding: UTF-8\n\n@book(a, title={x})\n",
    "  \n@ misc {a,\n title = {x}}",
    "This file has a free-text header.\n@inproceedings{smith2020,\n  title = {x}}\n",
])
def test_sniff_claims_bibtex(text: str) -> None:
    assert bibtex.sniff(text)


@pytest.mark.parametrize("text", [
    "",
    '[{"title": "x", "note": "@article{a, title={x}}"}]',
    '{"paper": {"id": "2310.01234"}}',
    "TY  - JOUR\nTI  - @article{a,\nER  - \n",
    '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n@article{a,\n</feed>',
    "2310.01234\n2310.01235\n",
    "Contact us @ home {today}\nand more text",
])
def test_sniff_refuses_other_formats(text: str) -> None:
    assert not bibtex.sniff(text)


def test_sniff_refuses_daily_papers_page(daily_page_text: str) -> None:
    assert not bibtex.sniff(daily_page_text)


# ---------------------------------------------------------------- parse: fields


def test_parse_reads_the_modelled_fields() -> None:
    paper = one(r"""
@Article{Smith2020,
  author = {D{\"o}rner, Dietrich and Shazeer, Noam and {World Health Organization}},
  title = {{BERT} and {RoBERTa}: Pre-training {\&} More},
  journal = {Journal of {AI}},
  year = {2020}, month = {aug}, volume = 3, number = "4", pages = {12-15},
  publisher = {ACM}, doi = {https://doi.org/10.1000/ABC_1}, url = {http://x.org/a\_b},
  abstract = {We study \emph{things}.}, keywords = {deep learning; NLP, transformers},
  note = {Some {\em raw} text}, Address = {Boston},
}""")
    assert paper.citekey == "Smith2020"
    assert paper.entry_type == "article"
    assert paper.authors == [Author(family="Dörner", given="Dietrich"),
                             Author(family="Shazeer", given="Noam"),
                             Author(literal="World Health Organization")]
    assert paper.title == "BERT and RoBERTa: Pre-training & More"
    assert (paper.venue, paper.year, paper.month) == ("Journal of AI", 2020, 8)
    assert (paper.volume, paper.number, paper.pages, paper.publisher) == ("3", "4", "12--15", "ACM")
    assert paper.doi == "10.1000/ABC_1"
    assert paper.url == "http://x.org/a_b"
    assert paper.abstract == "We study things."
    assert paper.keywords == ["deep learning", "NLP", "transformers"]
    assert paper.extra_fields == {"note": "Some {\\em raw} text", "address": "Boston"}


def test_string_macros_and_concatenation_expand() -> None:
    paper = one("""
@String{acl = "Association for Computational Linguistics"}
@STRING(proc = "Proceedings of the " # acl)
@inproceedings{k, title = "T", booktitle = proc # { Annual Meeting}, publisher = ACL,
  address = "Online" # ", " # here, month = jul # "~1"}
""")
    assert paper.venue == "Proceedings of the Association for Computational Linguistics Annual Meeting"
    assert paper.publisher == "Association for Computational Linguistics"
    assert paper.extra_fields["address"] == "Online, here"
    assert paper.extra_fields["month"] == "July~1"


def test_crossref_child_inherits_from_parent() -> None:
    report = bibtex.parse("""
@inproceedings{child, author = {Smith, A}, title = {Child}, crossref = {parent}, pages = {1--2}}
@proceedings{parent, title = {Proc. of Things}, year = 2019, publisher = {Pub}, editor = {Ed, E},
  booktitle = {Proceedings of Things}}
""")
    child = report.papers[0]
    assert (child.venue, child.year, child.publisher) == ("Proceedings of Things", 2019, "Pub")
    assert child.extra_fields == {"editor": "Ed, E"}
    assert report.problems == []


def test_crossref_maps_parent_title_to_booktitle_and_cascades() -> None:
    report = bibtex.parse("""
@inproceedings{c, title = {C}, crossref = {b}}
@proceedings{b, title = {The Book}, crossref = {a}}
@proceedings{a, title = {A}, year = 2001}
@inproceedings{loop1, title = {L1}, crossref = {loop2}}
@inproceedings{loop2, title = {L2}, crossref = {loop1}}
""")
    child = report.papers[0]
    assert (child.venue, child.year) == ("The Book", 2001)
    assert any("refers back" in p.reason for p in report.problems)


def test_comments_preamble_and_free_text_are_ignored() -> None:
    report = bibtex.parse("""Free text before.
% a comment
@comment{ignored, title = {Nope}}
@preamble{"\\newcommand{\\x}{y}"}
@misc{k, title = {Kept}}
trailing text
""")
    assert [p.title for p in report.papers] == ["Kept"]
    assert report.problems == []


@pytest.mark.parametrize(("value", "month"), [
    ("aug", 8), ("{aug}", 8), ('"August"', 8), ("{8}", 8), ("8", 8), ("{Sept.}", 9), ("jan", 1),
    ("{08}", 8), ("dec", 12),
])
def test_month_forms(value: str, month: int) -> None:
    assert one(f"@misc{{k, title = {{T}}, month = {value}}}").month == month


@pytest.mark.parametrize(("value", "year", "kept"), [
    ("{2017}", 2017, None), ("2017", 2017, None), ("{2017a}", 2017, None),
    ('"in press"', None, "in press"), ("{forthcoming}", None, "forthcoming"),
])
def test_year_forms(value: str, year: int | None, kept: str | None) -> None:
    paper = one(f"@misc{{k, title = {{T}}, year = {value}}}")
    assert paper.year == year
    assert paper.extra_fields.get("year") == kept


def test_biblatex_fields() -> None:
    paper = one("""@article{k, title = {T}, journaltitle = {J}, date = {2020-05}, issue = {7},
      eprint = {2310.01234v2}, eprinttype = {arxiv}, eprintclass = {cs.LG}}""")
    assert (paper.venue, paper.year, paper.month, paper.number) == ("J", 2020, 5, "7")
    assert (paper.arxiv_id, paper.arxiv_class) == ("2310.01234", "cs.LG")
    assert paper.extra_fields == {}


def test_full_biblatex_date_is_kept_verbatim() -> None:
    paper = one("@online{k, title = {T}, date = {2020-05-17}}")
    assert (paper.year, paper.month) == (2020, 5)
    assert paper.extra_fields == {"date": "2020-05-17"}


def test_arxiv_eprint_bibtex_style() -> None:
    paper = one("""@misc{vaswani2017attention, title={Attention Is All You Need},
      author={Ashish Vaswani and Noam Shazeer}, year={2017}, eprint={1706.03762},
      archivePrefix={arXiv}, primaryClass={cs.CL}, url={https://arxiv.org/abs/1706.03762}}""")
    assert (paper.arxiv_id, paper.arxiv_class) == ("1706.03762", "cs.CL")
    assert paper.extra_fields == {}


def test_non_arxiv_eprint_stays_an_extra_field() -> None:
    paper = one("@article{k, title = {T}, eprint = {12345}, eprinttype = {pubmed}}")
    assert paper.arxiv_id == ""
    assert paper.extra_fields == {"eprint": "12345", "eprinttype": "pubmed"}


@pytest.mark.parametrize(("value", "pages"), [
    ("{12-15}", "12--15"), ("{12--15}", "12--15"), ("{12\u201315}", "12--15"),
    ("{12 -- 15}", "12--15"), ("{e1234}", "e1234"), ("{1-2, 5-6}", "1--2, 5--6"),
])
def test_pages_are_normalised(value: str, pages: str) -> None:
    assert one(f"@misc{{k, title = {{T}}, pages = {value}}}").pages == pages


def test_bom_crlf_and_latin1_text() -> None:
    text = "\ufeff@article{k,\r\n  author = {M\u00fcller, J\u00fcrgen},\r\n  title = {Stra\u00dfe}\r\n}\r\n"
    paper = one(text)
    assert paper.authors == [Author(family="Müller", given="Jürgen")]
    assert paper.title == "Straße"
    latin1 = "@article{k, title = {Caf\xe9 cr\xe8me}}".encode("latin-1")
    assert one(decode_bytes(latin1)[0]).title == "Café crème"


# ---------------------------------------------------------------- parse: problems


def test_problems_carry_one_based_lines_and_the_rest_imports() -> None:
    text = (
        "@article{good1, title = {One}}\n"          # 1
        "\n"                                         # 2
        "@article{broken, title = {Two}\n"           # 3: never closed
        "@article{dupfield, title = {A}, title = {B}}\n"  # 4
        "@article{good1, title = {Same key}}\n"      # 5
        "@article{empty, year = 2020}\n"             # 6
        "@article{bad, title = {T}, month = 13}\n"    # 7: month kept as an extra field
        "@article{tail, title = {unterminated\n"     # 8
    )
    report = bibtex.parse(text, source="x.bib")
    assert [p.citekey for p in report.papers] == ["good1", "dupfield", "good1", "bad"]
    assert report.papers[1].title == "A"
    assert report.papers[3].extra_fields == {"month": "13"}
    lines = {p.line: p.reason for p in report.problems}
    assert set(lines) == {3, 4, 5, 6, 8}
    assert all(p.source == "x.bib" for p in report.problems)
    assert lines[4] == "entry 'dupfield' has duplicate field 'title'; kept the first"
    assert "'broken'" in lines[3] and "not closed" in lines[3]
    assert "used more than once" in lines[5] and "line 1" in lines[5]
    assert "has no title, author, editor, shorthand, DOI or URL" in lines[6]
    assert "end of the file" in lines[8]


def test_missing_crossref_parent_is_a_problem() -> None:
    report = bibtex.parse("@inproceedings{c, title = {C}, crossref = {nowhere}}")
    assert report.papers[0].title == "C"
    assert report.problems[0].line == 1
    assert "nowhere" in report.problems[0].reason


@pytest.mark.parametrize("text", [
    "".join(chr(c) for c in range(256)) * 50,
    "@article{deep, title = " + "{" * 1000 + "x" + "}" * 999 + "}\n@misc{ok, title={ok}}",
    "@article{deep, title = " + "{" * 1000 + "x",
    "@article{k, title = {" + "\\" * 1001 + "}}",
    "@", "@article", "@article{", "@article{k", "@article{k,", "@article{k, title", "@string{x = }",
    "@article{k, title = {a} # }", '@article{k, title = "unclosed}', "@article(k, title = {x}",
    "@article{k, title = x # y # {z}, author = {, and , and}}",
    "\x00\x01@article{\x00, title={\x00}}",
])
def test_parse_never_raises(text: str) -> None:
    report = bibtex.parse(text)
    assert isinstance(report.papers, list)


def test_problems_are_capped_for_junk() -> None:
    report = bibtex.parse("@a{\n" * (bibtex.MAX_PROBLEMS + 50))
    assert len(report.problems) == bibtex.MAX_PROBLEMS
    assert report.problem_count == bibtex.MAX_PROBLEMS + 50  # the true number, not 1001
    assert report.skipped == bibtex.MAX_PROBLEMS + 50


def test_ten_thousand_authors() -> None:
    names = " and ".join(f"Author{i}, Given{i}" for i in range(10_000))
    paper = one(f"@article{{k, title = {{Big}}, author = {{{names}}}}}")
    assert len(paper.authors) == 10_000
    assert paper.authors[-1] == Author(family="Author9999", given="Given9999")


# ---------------------------------------------------------------- parse: the corpus


def test_every_corpus_file_parses(corpus: Path) -> None:
    files = sorted((corpus / "bibtex").rglob("*.bib"))
    assert len(files) > 200
    total = sum(len(bibtex.parse(corpus_text(f), source=f.name).papers) for f in files)
    assert total > 1000


def test_xampl(corpus: Path) -> None:
    report = bibtex.parse((corpus / "bibtex/pybtex/tests/data/xampl.bib").read_text())
    # 40 @-lines: 36 entries, 3 @string, 1 @preamble; 3 entries have neither title nor author
    assert len(report.papers) == 33
    assert {p.line for p in report.problems} == {43, 226, 358}
    by_key = {p.citekey: p for p in report.papers}
    child = by_key["inproceedings-crossref"]
    assert child.venue == "Proc. Fifteenth Annual ACM Symposium on the Theory of Computing"
    assert child.year == 1983
    assert child.extra_fields["address"] == "Boston"
    assert by_key["proceedings-full"].extra_fields["organization"] == (
        "The OX Association for Computing Machinery")
    assert by_key["proceedings-full"].month == 3
    assert by_key["phdthesis-full"].extra_fields["month"] == "June-August"


def test_cyrillic(corpus: Path) -> None:
    report = bibtex.parse((corpus / "bibtex/pybtex/tests/data/cyrillic.bib").read_text())
    book = next(p for p in report.papers if p.citekey == "viktorov-metodoj")
    assert book.authors == [Author(family="Викторов", given="Михаил Маркович")]
    assert book.title.startswith("Методы вычисления")


def test_bom_file(corpus: Path) -> None:
    text, _ = decode_bytes((corpus / "bibtex/bibtexparser/book_bom.bib").read_bytes())
    report = bibtex.parse("\ufeff" + text)
    assert [p.citekey for p in report.papers] == ["Bird1987"]
    assert report.papers[0].title == "Dynamics of Polymeric Liquid"


def test_string_file(corpus: Path) -> None:
    report = bibtex.parse((corpus / "bibtex/bibtexparser/article_with_strings.bib").read_text())
    paper = report.papers[0]
    assert paper.venue == "Nice Journal"
    assert paper.authors == [Author(family="César", given="Jean")]
    assert (paper.month, paper.pages) == (1, "12--23")


# ---------------------------------------------------------------- render


def test_render_entry_layout_and_rules() -> None:
    out = bibtex.render(tricky_papers()[:2])
    assert out == """@inproceedings{devlin2019bert,
  author = {Devlin, Jacob and Chang, Ming-Wei},
  title = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},
  booktitle = {Proceedings of NAACL-HLT 2019},
  year = {2019},
  month = jun,
  pages = {4171--4186},
  doi = {10.18653/v1/N19-1423},
  url = {https://aclanthology.org/N19-1423}
}

@misc{openai2023gpt4,
  author = {{OpenAI}},
  title = {{GPT}-4 Technical Report},
  year = {2023},
  month = mar,
  eprint = {2303.08774},
  archivePrefix = {arXiv},
  primaryClass = {cs.CL},
  abstract = {We report the development of GPT-4, a large-scale, multimodal model...},
  originaltype = {article}
}
"""


def test_render_escapes_text_but_not_urls() -> None:
    out = bibtex.render([tricky_papers()[3]])
    assert r"title = {Scaling laws for neural language models in {Europe} \& {Asia}: 50\% of \$ spent" in out
    assert r"{C}\#\_\{x\}\textasciitilde{}\textasciicircum{}\textbackslash{}}" in out
    assert "doi = {10.1000/xyz_(123)<456>#7}" in out
    assert "url = {https://example.org/a_b%20c?x=1&y=~z#frag}" in out
    assert r"author = {D{\"o}rner, Dietrich and van der Berg, Hans and {\L}ukasiewicz, Jan" in out
    assert r"M{\"u}ller-L{\"u}denscheidt, Zo{\"e} and Smith{,} Jr, John and Anderson {and} Sons" in out
    assert r"王, 小明 and Иванов, Иван and {World Health Organization} and {R \& D \{Team\}}}" in out
    assert r"abstract = {Text with -{}- ligatures `{}`quoted'{}' and 100\% special \textbraceleft{}unbalanced chars}" in out
    assert r"annote = {a \textbraceright{} lone brace \textbackslash{}}" in out
    assert r"howpublished = {\url{https://x.org}}" in out


def test_render_biblatex_keeps_utf8() -> None:
    out = bibtex.render([tricky_papers()[3], tricky_papers()[2]], dialect="biblatex")
    assert "author = {Dörner, Dietrich and van der Berg, Hans and Łukasiewicz, Jan" in out
    assert "journaltitle = {Journal of Ünusual Results}" in out
    assert "eprinttype = {arxiv}" in out and "eprintclass = {cs.CL}" in out
    assert "archivePrefix" not in out
    assert "month = dec" in out


@pytest.mark.parametrize(("title", "expected"), [
    ("BERT: Pre-training of Deep Bidirectional Transformers",
     "{BERT}: Pre-training of Deep Bidirectional Transformers"),
    ("RoBERTa and GPT-4 beat LLaMA", "{RoBERTa} and {GPT}-4 beat {LLaMA}"),
    ("Learning 3D shapes from ImageNet-1K in Europe",
     "Learning {3D} shapes from {ImageNet}-{1K} in {Europe}"),
    ("Attention Is All You Need", "Attention Is All You Need"),
    ("A survey: Deep learning for Alzheimer's disease in Germany",
     "A survey: Deep learning for {Alzheimer}'s disease in {Germany}"),
    ("Über Dörner's work", "{\\\"U}ber {D{\\\"o}rner}'s work"),
])
def test_title_capitals_are_protected_per_word(title: str, expected: str) -> None:
    out = bibtex.render([Paper(title=title, citekey="k")])
    assert f"title = {{{expected}}}" in out


def test_render_keys_are_stable_unique_and_generated() -> None:
    papers = tricky_papers()
    out = bibtex.render(papers)
    keys = re.findall(r"^@\w+\{([^,]+),$", out, re.M)
    assert keys[0] == "devlin2019bert" and keys[5] == "vaswani2017attention"
    assert keys[6] == "vaswani2017attentiona"
    assert len(set(keys)) == len(keys) == len(papers)
    assert out == bibtex.render(papers)
    assert out.endswith("}\n") and "}\n\n@" in out


def test_arxiv_only_article_becomes_misc_but_venues_keep_their_type() -> None:
    out = bibtex.render([tricky_papers()[4], tricky_papers()[0]])
    assert out.startswith("@misc{touvron2023llama,")
    assert "@inproceedings{devlin2019bert," in out


def test_unknown_entry_type_is_written_as_misc() -> None:
    assert bibtex.render([Paper(title="T", entry_type="conversation")]).startswith("@misc{")


def test_render_rejects_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="dialect"):
        bibtex.render([], dialect="ris")


def test_render_handles_hostile_extra_values() -> None:
    paper = Paper(title="T", extra_fields={"note": "line\n@article{x,\n  a", "Bad Name!": "v",
                                           "odd": "\\{ open"})
    out = bibtex.render([paper])
    report = bibtex.parse(out)
    assert len(report.papers) == 1 and report.problems == []
    assert report.papers[0].extra_fields["note"] == "line\n{@}article\\textbraceleft{}x,\n  a"
    assert report.papers[0].extra_fields["bad-name"] == "v"


def test_tricky_round_trip_for_both_dialects() -> None:
    papers = tricky_papers()
    for dialect in bibtex_dialects():
        back = bibtex.parse(bibtex.render(papers, dialect=dialect)).papers
        assert [p.title for p in back] == [p.title for p in papers]
        assert [p.authors for p in back] == [p.authors for p in papers]
        assert back[3].abstract == papers[3].abstract
        assert back[3].extra_fields["note"] == papers[3].extra_fields["note"]


def bibtex_dialects() -> tuple[str, ...]:
    return ("bibtex", "biblatex")


# ---------------------------------------------------------------- round-trip property

_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "àáâäçèéêëìíîïñòóôöùúûüýÿßæøåœÀÁÄÇÉÖÜÑØÅÆŒąćęłńśźżčďěňřšťůžğışőűĄŁŚŻČŠŽ"
    "αβγδεθλμπσωΩΔΣДЖЗИЙКЛМНПабвгдж中文日本語한국어"
)
_MARKS = "&%$#_{}~^\\-:'\".,!?()/[]@*+=<>|`–—“”‘’…€°±×"  # noqa: RUF001
_word = st.text(st.sampled_from(_LETTERS + _MARKS), min_size=1, max_size=10).filter(
    lambda w: unicodedata.normalize("NFKC", w) == w)
_letters_word = st.text(st.sampled_from(_LETTERS + "-'"), min_size=1, max_size=10).filter(
    lambda w: any(c.isalpha() for c in w))
_text = st.lists(_word, min_size=1, max_size=8).map(" ".join)
_name_words = st.lists(_letters_word | st.sampled_from(["van", "der", "de", "and", "AND", "Jr."]),
                       min_size=1, max_size=3).map(" ".join)
_person = st.builds(Author, family=_name_words, given=st.one_of(st.just(""), _name_words))
_organisation = st.builds(Author, literal=_text)
_raw_latex = st.lists(st.sampled_from([
    "plain", " ", "\\&", "{\\em x}", "\\emph{y}", "{B}", "$x^2$", "\\\"o", "a\nb", "100\\%",
    "ü", "--", '"q"', "\\\\", "#1", "%", "~", "@ mid", "\t"]), max_size=8).map("".join)
_extra_names = st.sampled_from(["note", "address", "series", "isbn", "annote", "howpublished",
                                "organization", "school", "institution", "editor", "language"])
_standard_types = st.sampled_from(["article", "inproceedings", "incollection", "book", "misc",
                                   "techreport", "phdthesis", "unpublished", "online", "report"])


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    arxiv_id = draw(st.just("") | st.from_regex(r"[0-9]{4}\.[0-9]{5}|hep-th/[0-9]{7}", fullmatch=True))
    return Paper(
        citekey=draw(st.from_regex(r"[a-z][a-z0-9]{2,12}", fullmatch=True)),
        entry_type=draw(_standard_types),
        title=draw(_text),
        authors=draw(st.lists(st.one_of(_person, _person, _organisation), max_size=5)),
        year=draw(st.none() | st.integers(1, 9999)),
        month=draw(st.none() | st.integers(1, 12)),
        venue=draw(st.just("") | _text),
        volume=draw(st.just("") | st.from_regex(r"[0-9]{1,3}|[IVX]{1,4}", fullmatch=True)),
        number=draw(st.just("") | st.from_regex(r"[0-9]{1,3}(-S)?", fullmatch=True)),
        pages=draw(st.just("") | st.from_regex(r"e?[0-9]{1,5}(--[0-9]{1,5})?", fullmatch=True)),
        publisher=draw(st.just("") | _text),
        doi=draw(st.just("") | st.from_regex(r"10\.[0-9]{4,5}/[A-Za-z0-9._;()/:<>#-]{1,20}",
                                            fullmatch=True)),
        arxiv_id=arxiv_id,
        arxiv_class=draw(st.just("") | st.sampled_from(["cs.CL", "cs.LG", "stat.ML", "hep-th"]))
        if arxiv_id else "",
        url=draw(st.just("") | st.from_regex(r"https://example\.org/[A-Za-z0-9_~%#&?=./-]{0,30}",
                                            fullmatch=True)),
        abstract=draw(st.just("") | _text),
        keywords=draw(st.lists(_text.filter(lambda k: not set(k) & set(",;")), max_size=4,
                               unique=True)),
        extra_fields=draw(st.dictionaries(_extra_names, _raw_latex, max_size=4)),
    )


def spaced_line_break(value: str) -> str:
    """A ``\\\\`` before a brace or at the end gains a space: bibtexparser reads ``\\\\}`` as ``\\}``."""
    value = re.sub(r"(?<!\\)((?:\\\\)+)(?=[{}])", r"\1 ", value)
    return value + " " if value.endswith("\\") else value


ROUND_TRIP_FIELDS = ("title", "authors", "year", "month", "venue", "volume", "number", "pages",
                     "publisher", "doi", "arxiv_id", "arxiv_class", "url", "abstract", "keywords",
                     "extra_fields", "citekey")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paper=papers(), dialect=st.sampled_from(["bibtex", "biblatex"]))
def test_round_trip_property(paper: Paper, dialect: str) -> None:
    out = bibtex.render([paper], dialect=dialect)
    report = bibtex.parse(out)
    assert report.problems == []
    assert len(report.papers) == 1
    back = report.papers[0]
    for name in ROUND_TRIP_FIELDS:
        expected = getattr(paper, name)
        if name == "extra_fields":
            expected = {key: spaced_line_break(value) for key, value in expected.items()}
            actual = {key: value for key, value in back.extra_fields.items() if not key.startswith("_")}
        else:
            actual = getattr(back, name)
        if name == "authors" and not paper.authors:
            # an entry without author names its people through editor (or shortauthor)
            people = next((paper.extra_fields[k] for k in ("editor", "shortauthor") if k in paper.extra_fields
                           and paper.extra_fields[k].strip()), "")
            expected = parse_bibtex_names(spaced_line_break(people))
        assert actual == expected, (name, out)
    assert back.entry_type == paper.entry_type  # a type the dialect lacks comes back via originaltype


# ---------------------------------------------------------------- real clients


@pytest.mark.clients
def test_real_clients_load_the_export(corpus: Path, tmp_path: Path) -> None:
    check_bib = corpus.parent / "tools" / "check_bib"
    if not check_bib.is_file():
        pytest.fail(f"check_bib is missing at {check_bib}")
    clients = "bibtex,biber,pandoc,bibtool"
    target = tmp_path / "export.bib"
    target.write_text(bibtex.render(tricky_papers() + corpus_papers(corpus)[:300]), encoding="utf-8")
    result = subprocess.run([str(check_bib), "--only", clients, str(target)],
                            capture_output=True, text=True, timeout=1200, check=False,
                            env={**os.environ, "CHECK_BIB_UNICODE_OK": "1"})
    output = result.stdout + result.stderr
    skipped = [line for line in output.splitlines() if "skipped" in line]
    if skipped:
        pytest.fail("BibTeX clients are not installed (run ../shared/tools/install-bib-clients "
                    "--minimal):\n" + "\n".join(skipped))
    assert result.returncode == 0, output
