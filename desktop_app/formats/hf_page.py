"""A Hugging Face *Daily Papers* page saved as text, or a listing pasted from it.

The saved page is a header (``new``, ``Get trending papers in your email
inbox!``, ``Subscribe``, ``Daily Papers``, ``byAK and the research community``,
a date such as ``Oct 2``) and then, per paper, a title line, a blank line and
an abstract line. Every paper becomes a ``misc`` entry with its title and
abstract (kept as written); a code link in the abstract becomes ``code_url``.

Heuristics, chosen to be conservative (a line is only ever dropped when it
matches one of these exactly; everything else is either a title, an abstract,
an author line or a reported problem):

* Blank lines carry no meaning: pasted text may have none or several.
* Header lines and date lines (``Oct 2``, ``Oct 2, 2025``, ``2025-10-02``,
  ``Published on Oct 2``) are dropped wherever they appear, so several pasted
  pages in a row work.
* Live-page clutter is dropped: a bare number (upvotes), ``Upvote``,
  ``12 upvotes``, ``N authors``, ``N comments``, a lone ``·``, and
  ``Submitted by NAME`` (or ``Submitted by`` with the user name alone on the
  next line).
* A paper starts with a title: a line of at most 300 characters and 40 words.
  The first line after a title that is long (12 words or more) is its abstract;
  longer-than-title lines after an abstract are further abstract paragraphs.
* Between a title and its abstract, a line that reads as a list of person
  names (two or more comma/``and``/``·`` separated parts of two to five
  name-like words, ``et al.`` allowed) is the author line.
* A short line right after a title that is none of the above starts the next
  paper: the title before it is kept without an abstract, and that is reported.
* A line holding only an arXiv id or arXiv/Hugging Face paper URL gives the id
  to the current paper (or, if that has one already, to the next paper).
  Ids mentioned inside an abstract are not taken: they usually cite other work.
* The code link is the first GitHub, GitLab or Bitbucket URL in the abstract,
  else the first Hugging Face URL, else the first other non-arXiv, non-DOI
  URL (project pages); trailing punctuation is trimmed, nothing else.

``sniff`` says yes to two or more of the header lines, or to at least two
abstract-sized lines (150+ characters, 25+ words) that each follow a
title-sized line, in text that starts with no JSON or XML bracket and has no
BibTeX ``@type{`` or RIS ``XX  - `` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from desktop_app.domain.models import Author, ImportReport, Paper, Problem
from desktop_app.formats.arxiv_ids import abs_url, canonical_id
from desktop_app.formats.names import parse_display_name

MAX_TITLE_CHARS = 300
MAX_TITLE_WORDS = 40
MIN_ABSTRACT_WORDS = 12

_HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
    }
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^(?:published\s+on\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}})$",
    re.IGNORECASE,
)
_CLUTTER = re.compile(
    r"^(?:\d+|upvote|\d+\s+upvotes?|upvote\s+\d+|·?\s*\d+\s+authors?|\d+\s+comments?|[·•])$",
    re.IGNORECASE,
)
_SUBMITTED_BY = re.compile(r"^submitted\s+by\b\s*(?P<rest>.*)$", re.IGNORECASE)
_USER_NAME = re.compile(r"^\S{1,40}$")
_FOREIGN_LINE = re.compile(r"^\s*(?:@[A-Za-z]+\s*[{(]|[A-Z][A-Z0-9]  - )", re.MULTILINE)

_NAME_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['\u2019.\-])*$")
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|·|;|\band\b|&)\s*")
_ET_AL = re.compile(r",?\s*et\s+al\.?$", re.IGNORECASE)

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:github\.com|gitlab\.com|bitbucket\.org|huggingface\.co)/\S+",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?)]}>'\"\u201d\u2019"
_CODE_HOSTS = (("github.com", "gitlab.com", "bitbucket.org"), ("huggingface.co",))
_NOT_CODE_HOSTS = ("arxiv.org", "doi.org", "dx.doi.org")


@dataclass
class _Draft:
    line: int
    title: str
    authors: list[Author] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    arxiv_id: str = ""


@dataclass
class _State:
    source: str
    report: ImportReport = field(default_factory=ImportReport)
    draft: _Draft | None = None
    pending_id: tuple[int, str] | None = None
    skip_user_name: bool = False


def sniff(text: str) -> bool:
    head = text[:20000].lstrip("\ufeff")
    if not head.strip() or head.lstrip()[0] in "[{<" or _FOREIGN_LINE.search(head):
        return False
    lines = [line.strip() for line in head.split("\n") if line.strip()]
    markers = sum(1 for line in lines[:12] if line.lower() in _HEADER_LINES)
    return markers >= 2 or _has_listing_rhythm(lines[:60])


def _has_listing_rhythm(lines: list[str]) -> bool:
    """At least two abstract-sized lines that each follow a title-sized line."""
    content = [line for line in lines if not _is_noise(line)]
    pairs = 0
    for before, line in pairwise(content):
        if _is_long(line) and not _is_long(before):
            if not _fits_title(before):
                return False
            pairs += 1
    return pairs >= 2


def _is_long(line: str) -> bool:
    return len(line) >= 150 and len(line.split()) >= 25


def _fits_title(line: str) -> bool:
    return len(line) <= MAX_TITLE_CHARS and len(line.split()) <= MAX_TITLE_WORDS


def _is_noise(line: str) -> bool:
    return (
        line.lower() in _HEADER_LINES
        or _DATE_LINE.match(line) is not None
        or _CLUTTER.match(line) is not None
        or _SUBMITTED_BY.match(line) is not None
    )


def parse(text: str, *, source: str = "") -> ImportReport:
    state = _State(source)
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = " ".join(raw.split())
        if line:
            _take_line(state, number, line)
    _finish(state)
    if state.pending_id is not None:
        _problem(state, state.pending_id[0], "arXiv id with no paper after it")
    if not state.report.papers and not state.report.problems:
        _problem(state, 1, "no papers found (expected title and abstract lines)")
    return state.report


def _take_line(state: _State, number: int, line: str) -> None:
    if _skip(state, line):
        return
    arxiv_id = canonical_id(line)
    if arxiv_id:
        _take_id(state, number, arxiv_id)
        return
    draft = state.draft
    if draft is None:
        _start_or_reject(state, number, line)
    elif not draft.abstract:
        _after_title(state, number, line)
    elif _fits_title(line):
        _finish(state)
        _start(state, number, line)
    else:
        draft.abstract.append(line)


def _skip(state: _State, line: str) -> bool:
    if state.skip_user_name:
        state.skip_user_name = False
        if _USER_NAME.match(line):
            return True
    submitted = _SUBMITTED_BY.match(line)
    if submitted:
        state.skip_user_name = not submitted.group("rest")
        return True
    return line.lower() in _HEADER_LINES or bool(_DATE_LINE.match(line) or _CLUTTER.match(line))


def _take_id(state: _State, number: int, arxiv_id: str) -> None:
    if state.draft is not None and not state.draft.arxiv_id:
        state.draft.arxiv_id = arxiv_id
        return
    if state.pending_id is not None:
        _problem(state, state.pending_id[0], "arXiv id with no paper to belong to")
    state.pending_id = (number, arxiv_id)


def _start_or_reject(state: _State, number: int, line: str) -> None:
    if _fits_title(line):
        _start(state, number, line)
    else:
        _problem(state, number, "text where a paper title was expected (too long for a title)")


def _after_title(state: _State, number: int, line: str) -> None:
    draft = state.draft
    assert draft is not None
    authors = _author_line(line) if not draft.authors else None
    if authors:
        draft.authors = authors
    elif len(line.split()) >= MIN_ABSTRACT_WORDS or not _fits_title(line):
        draft.abstract.append(line)
    else:
        _problem(state, draft.line, "title without an abstract (kept without one)")
        _finish(state)
        _start(state, number, line)


def _start(state: _State, number: int, line: str) -> None:
    state.draft = _Draft(number, line)
    if state.pending_id is not None:
        state.draft.arxiv_id = state.pending_id[1]
        state.pending_id = None


def _finish(state: _State) -> None:
    draft = state.draft
    if draft is None:
        return
    state.draft = None
    abstract = "\n\n".join(draft.abstract)
    state.report.papers.append(
        Paper(
            entry_type="misc",
            title=draft.title,
            authors=draft.authors,
            abstract=abstract,
            code_url=find_code_url(abstract),
            arxiv_id=draft.arxiv_id,
            url=abs_url(draft.arxiv_id) if draft.arxiv_id else "",
        )
    )


def _problem(state: _State, line: int, reason: str) -> None:
    state.report.problems.append(Problem(source=state.source, line=line, reason=reason))


def _author_line(line: str) -> list[Author] | None:
    """Authors if ``line`` reads as a list of two or more person names, else ``None``."""
    text = _ET_AL.sub("", line).strip()
    parts = [p for p in _AUTHOR_SEPARATORS.split(text) if p]
    if len(parts) < 2 and text == line:
        return None
    if not parts or not all(_is_person_name(part) for part in parts):
        return None
    return [parse_display_name(part) for part in parts]


def _is_person_name(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 5:
        return False
    if not words[0][0].isupper() or not words[-1][0].isupper():
        return False
    return all(_NAME_WORD.match(word) for word in words)


def find_code_url(text: str) -> str:
    """The code or project link in an abstract (see the module notes for the order)."""
    urls = [_clean_url(match.group(0)) for match in _URL.finditer(text)]
    urls = [url for url in urls if url and not _host_in(url, _NOT_CODE_HOSTS)]
    for hosts in _CODE_HOSTS:
        for url in urls:
            if _host_in(url, hosts):
                return url
    return urls[0] if urls else ""


def _clean_url(raw: str) -> str:
    url = raw.rstrip(_URL_TRAILING)
    if not url.lower().startswith(("http://", "https://")):
        url = f"https://{url}"
    host = url.split("/", 3)[2] if url.count("/") >= 2 else ""
    return url if "." in host else ""


def _host_in(url: str, hosts: tuple[str, ...]) -> bool:
    host = url.split("/", 3)[2].lower()
    host = host.removeprefix("www.")
    return host in hosts
