"""Importers and exporters: one module per format, each a pair of pure functions.

Every format module offers some of::

    def sniff(text: str) -> bool                 # does this text look like my format?
    def parse(text: str, *, source: str = "") -> ImportReport
    def stream(text: str, *, source: str = "") -> (ImportReport, int, Iterator[Paper])  # optional
    def render(papers: Sequence[Paper], **options) -> str

No I/O and no database here: callers pass text in and get text or models out.
This module is the registry, content-based format detection and the two
entry points ``parse`` and ``render``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from types import ModuleType

from desktop_app.domain.models import ImportReport, Paper, Problem
from desktop_app.formats.cleaning import (
    cap_problems,
    remove_control_characters,
    without_control_characters,
)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    module: str
    extensions: tuple[str, ...] = ()
    can_import: bool = True
    can_export: bool = False
    render_options: tuple[tuple[str, object], ...] = ()

    def load(self) -> ModuleType:
        return importlib.import_module(f"desktop_app.formats.{self.module}")


# Order matters for detection: the most specific sniffers first.
FORMATS: tuple[Format, ...] = (
    Format("hf-json", "Hugging Face daily_papers JSON", "hf_json", (".json",)),
    Format("csljson", "CSL-JSON", "csljson", (".json", ".csl.json"), can_export=True),
    Format("records-json", "JSON paper records (Paper Copilot lists)", "paper_records", (".json",)),
    Format("arxiv-atom", "arXiv API Atom", "arxiv_atom", (".atom", ".xml")),
    Format("bibtex", "BibTeX", "bibtex", (".bib", ".bibtex"), can_export=True,
           render_options=(("dialect", "bibtex"),)),
    Format("biblatex", "biblatex", "bibtex", (".bib",), can_export=True,
           render_options=(("dialect", "biblatex"),)),
    Format("ris", "RIS", "ris", (".ris",), can_export=True),
    Format("hf-page", "Daily Papers listing (text)", "hf_page", (".txt",)),
    Format("arxiv-ids", "arXiv ids, one per line", "arxiv_ids", (".txt",)),
)

BY_NAME = {f.name: f for f in FORMATS}
IMPORT_FORMATS = tuple(f for f in FORMATS if f.can_import and f.name != "biblatex")
EXPORT_FORMATS = tuple(f for f in FORMATS if f.can_export)


class UnknownFormatError(ValueError):
    """Raised when no importer recognises a text, or a format name is unknown."""


def get_format(name: str) -> Format:
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise UnknownFormatError(f"unknown format {name!r} (known: {known})") from None


def detect_format(text: str, filename: str = "") -> Format | None:
    """The format of ``text``, judged by content first and the file extension second."""
    for fmt in IMPORT_FORMATS:
        if fmt.load().sniff(text):
            return fmt
    suffix = PurePath(filename).suffix.lower() if filename else ""
    for fmt in IMPORT_FORMATS:
        if suffix and suffix in fmt.extensions and suffix != ".json" and suffix != ".txt":
            return fmt
    return None


def parse(text: str, *, fmt: str | None = None, source: str = "") -> ImportReport:
    """Parse ``text`` in the named format, or the detected one; never raises for bad content."""
    report, _expected, papers = stream(text, fmt=fmt, source=source)
    report.papers = list(papers)
    return report


def stream(text: str, *, fmt: str | None = None, source: str = "") -> tuple[ImportReport, int, Iterator[Paper]]:
    """``parse``, the papers one at a time: the report (complete once the papers are exhausted),
    the number of entries expected, and the papers. BibTeX streams; other formats are small
    enough to read whole first."""
    text, removed = remove_control_characters(text, source)
    chosen = get_format(fmt) if fmt else detect_format(text, source)
    if chosen is None:
        return ImportReport(
            problems=[Problem(source=source, line=1, reason="not a format Lectern can read "
                              "(BibTeX, RIS, CSL-JSON, arXiv Atom, Hugging Face JSON or page text)")]
        ), 0, iter(())
    module = chosen.load()
    papers: Iterator[Paper]
    if hasattr(module, "stream"):
        report, expected, papers = module.stream(text, source=source)
    else:
        report = module.parse(text, source=source)
        expected, papers = len(report.papers), iter(report.papers)
        report.papers = []
    report.format = chosen.name
    return report, expected, _cleaned(papers, report, removed, source)


def _cleaned(papers: Iterator[Paper], report: ImportReport, removed: list[Problem], source: str) -> Iterator[Paper]:
    found: list[Problem] = []
    for paper in papers:
        paper, problem = without_control_characters(paper, source)
        if problem is not None:
            found.append(problem)
        yield paper
    report.problems[:0] = removed
    report.problems.extend(found)
    cap_problems(report)


def render(papers: Sequence[Paper], fmt: str, **options: object) -> str:
    """Render papers in an export format (``bibtex``, ``biblatex``, ``ris``, ``csljson``)."""
    chosen = get_format(fmt)
    if not chosen.can_export:
        raise UnknownFormatError(f"{chosen.label} is an import-only format")
    merged = dict(chosen.render_options)
    merged.update(options)
    return chosen.load().render(papers, **merged)
