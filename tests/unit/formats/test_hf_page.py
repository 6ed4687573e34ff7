"""The Hugging Face Daily Papers page saved as text, and pasted listings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.formats import detect_format, hf_page

ABSTRACT = (
    "We study how sparse routers behave when a mixture-of-experts model is trained further on a "
    "new domain, and find that most experts keep their specialisation while a few shared experts "
    "absorb the new data. Code: https://github.com/example-lab/sparse-routers."
)
SECOND_ABSTRACT = (
    "Tokenizer training data is usually an afterthought; we vary it over six orders of magnitude "
    "and measure downstream perplexity on twelve languages, finding early saturation."
)


def test_the_saved_page_gives_exactly_its_108_papers(daily_page_text):
    report = hf_page.parse(daily_page_text, source="page.txt")
    assert report.problems == []
    assert len(report.papers) == 108
    first, last = report.papers[0], report.papers[-1]
    assert first.title.startswith("SentinelLMs: Encrypted Input Adaptation and Fine-tuning")
    assert first.abstract.startswith("This paper addresses the privacy and security concerns")
    assert last.title == (
        "Multi-fidelity climate model parameterization for better generalization and extrapolation"
    )
    assert last.abstract.endswith("extrapolate to unseen regimes such as climate change.")
    assert all(p.title and p.abstract and p.entry_type == "misc" for p in report.papers)
    assert not any(p.title in {"new", "Subscribe", "Daily Papers", "Oct 2"} for p in report.papers)


def test_code_links_from_the_page(daily_page_text):
    papers = hf_page.parse(daily_page_text).papers
    by_title = {p.title: p for p in papers}
    code_urls = {p.code_url for p in papers if p.code_url}
    assert "https://github.com/usail-hkust/LLM-MM-Agent" in code_urls
    assert "https://github.com/xiaojieli0903/Mamba-FSCIL" in code_urls  # trailing period trimmed
    assert "https://github.com/blutjens/climate-emulator" in code_urls  # written without https://
    assert "https://github.com/apple/corenet" in code_urls  # GitHub wins over a later HF link
    assert sum(1 for p in papers if p.code_url) == 24
    agent = next(p for p in papers if p.code_url.endswith("LLM-MM-Agent"))
    assert agent.abstract.endswith("https://github.com/usail-hkust/LLM-MM-Agent")
    assert by_title["2 OLMo 2 Furious"].abstract


def test_sniff_and_detect_the_page(daily_page_text):
    assert hf_page.sniff(daily_page_text)
    fmt = detect_format(daily_page_text, "page.txt")
    assert fmt is not None and fmt.name == "hf-page"


def test_pasted_listing_without_header_and_with_live_page_clutter():
    text = "\n".join([
        "Submitted by",
        "akhaliq",
        "Sparse Routers Remember",
        "Mei-Ling Chen, Jörg Müller, Oluwaseun Adeyemi",
        "·",
        "3 authors",
        ABSTRACT,
        "42",
        "Upvote",
        "arXiv:2509.24210",
        "",
        "",
        "",
        "How Much Data Does a Tokenizer Need?",
        "Submitted by jmueller",
        SECOND_ABSTRACT,
        "Oct 2, 2025",
        "5",
    ])
    assert hf_page.sniff(text)
    report = hf_page.parse(text, source="paste")
    assert report.problems == []
    routers, tokenizer = report.papers
    assert routers.title == "Sparse Routers Remember"
    assert [a.family for a in routers.authors] == ["Chen", "Müller", "Adeyemi"]
    assert routers.arxiv_id == "2509.24210"
    assert routers.url == "https://arxiv.org/abs/2509.24210"
    assert routers.code_url == "https://github.com/example-lab/sparse-routers"
    assert tokenizer.title == "How Much Data Does a Tokenizer Need?"
    assert tokenizer.abstract == SECOND_ABSTRACT
    assert tokenizer.authors == [] and tokenizer.arxiv_id == ""


def test_id_line_before_its_title_goes_to_that_paper():
    text = f"2509.24210\nSparse Routers Remember\n\n{ABSTRACT}\n\n2510.00417\nScene Graphs\n\n{SECOND_ABSTRACT}\n"
    papers = hf_page.parse(text).papers
    assert [p.arxiv_id for p in papers] == ["2509.24210", "2510.00417"]


def test_lines_that_cannot_be_placed_are_problems_with_line_numbers():
    too_long = "word " * 80
    text = f"Daily Papers\n\n{too_long}\n\nA Title\n\n{ABSTRACT}\n\nLonely Title\n\nAnother Title\n\n{SECOND_ABSTRACT}\n"
    report = hf_page.parse(text, source="x.txt")
    assert [p.title for p in report.papers] == ["A Title", "Lonely Title", "Another Title"]
    assert report.papers[1].abstract == ""
    assert report.papers[2].abstract == SECOND_ABSTRACT
    assert [(p.line, p.source) for p in report.problems] == [(3, "x.txt"), (9, "x.txt")]


def test_abstract_paragraphs_are_joined():
    text = f"A Title\n\n{ABSTRACT}\n\n{SECOND_ABSTRACT} {SECOND_ABSTRACT}\n"
    (paper,) = hf_page.parse(text).papers
    assert paper.abstract.startswith("We study") and paper.abstract.endswith("early saturation.")


def test_sniff_refuses_other_formats():
    long = "x " * 200
    assert not hf_page.sniff('[{"title": "A"}]')
    assert not hf_page.sniff('<?xml version="1.0"?><feed/>')
    assert not hf_page.sniff(f"@article{{key,\n title = {{A}}\n}}\nTitle\n\n{long}\nT2\n\n{long}")
    assert not hf_page.sniff(f"TY  - JOUR\nTI  - A\nER  - \nTitle\n\n{long}\nT2\n\n{long}")
    assert not hf_page.sniff("2310.01234\n2310.01235\n")
    assert not hf_page.sniff("")


def test_hostile_input_gives_problems_not_exceptions():
    junk = bytes(range(256)).decode("latin-1") * 20
    for text in ("", "\n\n\n", junk, "\ufeff", "Daily Papers\nOct 2\n"):
        report = hf_page.parse(text, source="junk")
        assert report.papers == [] or all(p.title for p in report.papers)
        assert report.papers or report.problems


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["TY  - JOUR", "ER  - ", "  cont", "[", "{", '"title": ', "<entry>",
                                 "2310.01234", "Daily Papers", "@misc{k,"]) | st.text(max_size=40),
                max_size=12).map("\n".join))
def test_never_raises(text):
    report = hf_page.parse(text, source="fuzz")
    assert all(problem.source == "fuzz" for problem in report.problems)
    hf_page.sniff(text)
