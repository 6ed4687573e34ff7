"""``lectern attach / files / detach / open / fulltext``: a paper's PDFs from the terminal.

(``lectern import some.pdf`` or a folder makes papers of PDFs: that goes through
the ordinary ``import`` command and ``core/pdf_import.py``.)
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import CliError, print_json
from desktop_app.core.attachments import FILE_KINDS, FileRow
from desktop_app.core.library import Library
from desktop_app.core.viewer import launch, viewer_command


def _row_json(library: Library, row: FileRow) -> dict[str, Any]:
    return {
        "id": row.id, "paper": row.paper_id, "name": row.name, "kind": row.kind,
        "path": str(library.files.attachments.path_of(row)), "linked": row.linked, "size": row.size,
        "sha256": row.sha256, "pages": row.pages, "text": row.text_status, "added": row.added,
    }


def _human_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size = size / 1024  # type: ignore[assignment]
    return f"{size:.1f} GB"


def cmd_attach(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    outcome = library.attach(args.paper, args.files, link=args.link, kind=args.kind)
    print(outcome.summary(), file=out)
    for row in outcome.attached:
        print(f"[{row.id}] {row.kind}: {library.files.attachments.path_of(row)}", file=out)
    for problem in outcome.problems:
        print(str(problem), file=out)
    if not args.no_index:
        library.files.catch_up()
        for row in outcome.attached:
            status = library.files.attachments.file(row.id).text_status
            if status != "ok":
                print(f"{row.name}: {status}", file=out)
    return 1 if outcome.problems and not outcome.attached else 0


def cmd_files(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    rows = library.attached_files(args.paper)
    if args.json:
        print_json([_row_json(library, r) for r in rows], out)
        return 0
    if not rows:
        print("no files attached", file=out)
    for row in rows:
        pages = f", {row.pages} pages" if row.pages else ""
        how = "linked" if row.linked else "stored"
        print(f"[{row.id}] {row.kind}: {row.name} ({_human_size(row.size)}{pages}, {how}, text: {row.text_status})",
              file=out)
        print(f"    {library.files.attachments.path_of(row)}", file=out)
    return 0


def cmd_detach(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    ids = list(args.file_ids)
    if args.paper is not None:
        ids += [r.id for r in library.attached_files(args.paper)]
    if not ids:
        raise CliError("name file ids (see `lectern files ID`) or --paper ID")
    library.detach(ids)
    library.files.catch_up()
    print(f"detached {len(ids)} file{'s' if len(ids) != 1 else ''}", file=out)
    return 0


def cmd_open(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = library.files.open_target(library.resolve(args.paper), args.file, args.page)
    command = viewer_command(target.path, target.page)
    if args.print:
        print(f"{target.path}" + (f" (page {target.page})" if target.page else ""), file=out)
        return 0
    if command is None:
        command = ["xdg-open", str(target.path)]
        if target.page:
            print(f"lectern: note: the default viewer is not known to open a given page; opening page 1 "
                  f"(set ${'LECTERN_PDF_VIEWER'} to evince, okular, zathura, mupdf...)", file=err)
    if not launch(command):
        raise CliError(f"cannot start {command[0]}")
    return 0


def cmd_fulltext(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    search = library.files.search
    if args.action in ("on", "off"):
        search.set_plain(args.action == "on")
    elif args.action == "rebuild":
        library.files.rebuild()
        library.files.catch_up()
    elif args.action == "index":
        for note in library.files.recheck():
            print(note, file=out)
        library.files.catch_up()
    pages = library.files.index.page_count() if library.files.index.is_open() else 0
    info = {"plain_queries_search_full_text": search.plain_enabled(), "pages_indexed": pages,
            "files_pending": library.files.pending(), "index_bytes": library.files.index_bytes()}
    if getattr(args, "json", False):
        print_json(info, out)
    else:
        print(f"plain queries search PDF text: {'on' if info['plain_queries_search_full_text'] else 'off'}; "
              f"{pages} pages indexed, {info['files_pending']} files pending, "
              f"index {_human_size(int(info['index_bytes']))}", file=out)
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("attach", help="attach files (PDFs, supplements, slides) to a paper")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--link", action="store_true", help="link the file where it is instead of copying it in")
    p.add_argument("--kind", choices=FILE_KINDS, default="paper")
    p.add_argument("--no-index", action="store_true", help="do not read the text now")
    p.set_defaults(func=cmd_attach)

    p = sub.add_parser("files", help="list a paper's attached files")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_files)

    p = sub.add_parser("detach", help="remove attached files (a stored copy no paper uses is deleted)")
    p.add_argument("file_ids", nargs="*", type=int, metavar="FILE_ID")
    p.add_argument("--paper", metavar="ID|CITEKEY", help="every file of this paper")
    p.set_defaults(func=cmd_detach)

    p = sub.add_parser("open", help="open a paper's PDF in the desktop's viewer")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("--page", type=int, help="at this page (when the viewer supports it)")
    p.add_argument("--file", type=int, metavar="FILE_ID", help="this file rather than the first PDF")
    p.add_argument("--print", action="store_true", help="print the file and page instead of opening it")
    p.set_defaults(func=cmd_open)

    p = sub.add_parser("fulltext", help="the full-text index of attached PDFs: status, on/off, index "
                       "(re-read changed files), rebuild")
    p.add_argument("action", nargs="?", choices=("status", "on", "off", "index", "rebuild"), default="status",
                   help="on/off: whether plain queries also search PDF text")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fulltext)
