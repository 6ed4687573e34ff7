"""``lectern download-pdf``: fetch arXiv PDFs of papers and attach them (as ``lectern attach`` would).

One line per paper (downloaded, skipped and why, error and why) and a summary; Ctrl+C
cancels between requests and keeps what was attached.  Exit 130 when cancelled, 1 when
any paper ended in an error (offline, 404, a web page instead of a PDF), 0 otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import CliError, ctrl_c_cancels, print_json
from desktop_app.core.library import Library
from desktop_app.core.pdf_download import DownloadOutcome


def cmd_download_pdf(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.papers and not args.missing:
        raise CliError("say which papers: IDs or citation keys, or --missing (every paper with an arXiv id "
                       "and no PDF)")
    refs: list[int | str] = [*args.papers, *(library.missing_pdf_ids() if args.missing else [])]
    if not refs:
        print("nothing to download: every paper with an arXiv id has a PDF", file=out)
        return 0

    def line(outcome: DownloadOutcome) -> None:
        if not args.json:
            print(outcome.line(), file=out)

    with ctrl_c_cancels() as token:
        report = library.download_pdfs(refs, cancel=token, on_outcome=line)
    if not args.no_index and report.count("downloaded"):
        library.files.catch_up()
    if args.json:
        print_json({"outcomes": [o.as_dict() for o in report.outcomes], "summary": report.summary(),
                    "cancelled": report.cancelled}, out)
    else:
        print(report.summary(), file=err)
    if report.cancelled:
        print("lectern: cancelled; the PDFs downloaded so far stay attached", file=err)
        return 130
    return 1 if report.count("error") else 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("download-pdf", help="download the arXiv PDF of papers with an arXiv id and attach it")
    p.add_argument("papers", nargs="*", metavar="ID|CITEKEY")
    p.add_argument("--missing", action="store_true", help="every paper with an arXiv id and no PDF yet")
    p.add_argument("--no-index", action="store_true", help="do not read the text now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_download_pdf)
