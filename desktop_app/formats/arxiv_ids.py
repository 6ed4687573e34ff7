"""Plain lists of arXiv ids or arXiv URLs, and the arXiv id helpers other importers share.

Accepted tokens, any number per line, separated by spaces, commas or
semicolons: ``2310.01234``, ``2310.01234v2``, ``arXiv:2310.01234``,
``https://arxiv.org/abs/2310.01234``, ``https://arxiv.org/pdf/2310.01234v1.pdf``,
``https://huggingface.co/papers/2310.01234`` and old-style ``hep-th/9901001``.
Each id becomes a paper with only ``arxiv_id`` and ``url`` set (the library
fetches the rest later); versions are dropped and an id listed twice is taken
once. Lines starting with ``#`` are comments. A line with anything else on it
is a problem; its ids are still taken.
"""

from __future__ import annotations

import re

from desktop_app.domain.models import ImportReport, Paper, Problem

_NEW_ID = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
_OLD_ID = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
ID_PATTERN = rf"(?:{_NEW_ID}|{_OLD_ID})(?:v\d+)?"

_TOKEN = re.compile(
    rf"""^(?:
        (?:arxiv:\s*)?(?P<bare>{ID_PATTERN})
      | (?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<arxiv_url>{ID_PATTERN})(?:\.pdf)?/?
      | (?:https?://)?(?:www\.)?huggingface\.co/papers/(?P<hf_url>{ID_PATTERN})/?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATORS = re.compile(r"[\s,;]+")
_VERSION = re.compile(r"v\d+$", re.IGNORECASE)
_IN_TEXT = re.compile(
    rf"(?:arxiv\.org/(?:abs|pdf)/|huggingface\.co/papers/|\barxiv:\s*)(?P<id>{ID_PATTERN})",
    re.IGNORECASE,
)


def canonical_id(token: str) -> str | None:
    """The versionless arXiv id a single token names, or ``None`` if it names none."""
    match = _TOKEN.match(token.strip())
    if match is None:
        return None
    found = match.group("bare") or match.group("arxiv_url") or match.group("hf_url")
    return _VERSION.sub("", found)


def find_arxiv_id(text: str) -> str | None:
    """The first arXiv id written with an unmistakable marker (``arXiv:``, an arXiv or HF URL)."""
    match = _IN_TEXT.search(text)
    return _VERSION.sub("", match.group("id")) if match else None


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def _tokens(line: str) -> list[str]:
    return [t for t in _SEPARATORS.split(line.strip()) if t]


def _content_lines(text: str) -> list[tuple[int, str]]:
    lines = text.lstrip("\ufeff").split("\n")
    return [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def sniff(text: str) -> bool:
    lines = _content_lines(text)
    if not lines:
        return False
    return all(canonical_id(token) for _, line in lines for token in _tokens(line))


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    seen: set[str] = set()
    for number, line in _content_lines(text):
        junk: list[str] = []
        for token in _tokens(line):
            arxiv_id = canonical_id(token)
            if arxiv_id is None:
                junk.append(token)
            elif arxiv_id not in seen:
                seen.add(arxiv_id)
                report.papers.append(_paper(arxiv_id))
        if junk:
            report.problems.append(Problem(source=source, line=number, reason=_junk_reason(junk)))
    if not report.papers and not report.problems:
        report.problems.append(Problem(source=source, line=1, reason="no arXiv ids in the text"))
    return report


def _paper(arxiv_id: str) -> Paper:
    return Paper(entry_type="misc", arxiv_id=arxiv_id, url=abs_url(arxiv_id))


def _junk_reason(junk: list[str]) -> str:
    shown = " ".join(junk)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"not an arXiv id: {shown!r}"
