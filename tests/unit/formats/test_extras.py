"""Extra fields from non-BibTeX formats reach BibTeX escaped and come back as the same text."""

from __future__ import annotations

from desktop_app.formats import bibtex, ris
from desktop_app.formats.extras import from_plain, to_plain

RIS = """TY  - JOUR
AU  - Doe, Jane
TI  - Speed & accuracy
PY  - 2021
N1  - 50% faster & better_than #1 {really}
UR  - https://example.org/a_b?x=1&y=%20
L1  - https://example.org/paper_1.pdf
ER  -
"""


def test_plain_text_round_trips_through_raw() -> None:
    for text in ("50% faster & better_than #1", "{unbalanced", "back\\slash ~ ^", "Dörner ü"):
        assert to_plain("note", from_plain("note", text)) == text


def test_urls_stay_verbatim() -> None:
    url = "https://example.org/a_b?x=1&y=%20"
    assert from_plain("ris_UR", url) == url
    assert from_plain("howpublished", url) == url


def test_ris_note_is_safe_latex_in_bibtex_and_itself_again_in_ris() -> None:
    paper = ris.parse(RIS, source="t.ris").papers[0]
    exported = bibtex.render([paper])
    assert r"50\% faster \& better\_than \#1" in exported
    again = bibtex.parse(exported).papers[0]
    assert ris.render([again]).count("N1  - 50% faster & better_than #1 {really}") == 1
    assert "L1  - https://example.org/paper_1.pdf" in ris.render([again])
