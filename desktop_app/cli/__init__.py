"""The ``lectern`` command line: the library facade, headless and scriptable (``--json``).

Errors a user can cause print one line (``lectern: error: ...``) and exit 1;
the details go to the log file.  Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from desktop_app import __version__
from desktop_app.cli.common import CliError, print_json
from desktop_app.cli.features import FEATURE_MODULES
from desktop_app.core import vocabulary
from desktop_app.core.import_folder import SUPPORTED_SUFFIXES, expand_import_paths
from desktop_app.core.importing import MAX_LISTED_PROBLEMS
from desktop_app.core.indexing import IndexProgress
from desktop_app.core.library import Library, SearchResult
from desktop_app.core.paths import resolve_library_dir
from desktop_app.domain.completeness import display_title, export_warnings
from desktop_app.domain.errors import LecternError, LibraryLockedError
from desktop_app.domain.models import Paper, ReadStatus

log = logging.getLogger(__name__)

EXPORT_FORMATS = [f.name for f in vocabulary.EXPORT_FORMATS]
IMPORT_FORMATS = [f.name for f in vocabulary.IMPORT_FORMATS]
READ_ONLY_COMMANDS = {"search", "show", "related", "export", "stats"}


# -- output helpers -------------------------------------------------------------------------


def _progress_writer(err: TextIO, label: str) -> Callable[[IndexProgress], None]:
    interactive = err.isatty()
    last = [-1]

    def report(progress: IndexProgress) -> None:
        percent = int(100 * progress.done / max(progress.total, 1))
        if interactive:
            bar = "#" * (percent // 4)
            err.write(f"\r{label} [{bar:<25}] {progress.done}/{progress.total}")
            if progress.pending == 0:
                err.write("\n")
            err.flush()
        elif percent // 10 != last[0] // 10 or progress.pending == 0:
            err.write(f"{label}: {progress.done} of {progress.total}\n")
            err.flush()
        last[0] = percent

    return report


def _paper_summary(library: Library, pid: int, result: SearchResult | None = None,
                   score: float | None = None) -> dict[str, Any]:
    paper = library.paper(pid)
    item: dict[str, Any] = {
        "id": pid,
        "citekey": paper.citekey,
        "title": paper.title,
        "authors": [a.display_name for a in paper.authors],
        "year": paper.year,
    }
    if score is not None:
        item["score"] = round(score, 4)
    if result is not None:
        item["snippet"] = library.snippets(result, [pid])[pid].html()
    return item


def _human_paper_line(item: dict[str, Any]) -> str:
    authors = item["authors"]
    who = ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    year = f" ({item['year']})" if item.get("year") else ""
    return f"[{item['id']}] {item['citekey']}: {item['title']}{year}" + (f" — {who}" if who else "")


# -- commands ---------------------------------------------------------------------------------


def cmd_import(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files = expand_import_paths(args.files)
    if not files:
        raise CliError("no importable files (" + ", ".join(sorted(SUPPORTED_SUFFIXES)) + ") in "
                       + " ".join(args.files))
    outcome = library.import_files(files, fmt=args.format, tags=args.tag or (), list_name=args.list)
    print(outcome.summary(), file=out)
    for account in outcome.files:
        print(f"{account.source}: {account.summary()}", file=out)
    for problem in outcome.problems[:MAX_LISTED_PROBLEMS]:
        print(str(problem), file=out)
    for guess in outcome.guesses:
        print(f"guess: {guess}", file=out)
    unlisted = outcome.problem_count - min(len(outcome.problems), MAX_LISTED_PROBLEMS)
    if unlisted:
        print(f"... and {unlisted} more problems not listed", file=out)
    if not args.no_index and _index_work(library):
        library.catch_up_index(progress=_progress_writer(err, "indexing"))
    if not args.no_index and library.files.pending():
        library.files.catch_up(progress=_progress_writer(err, "reading PDFs"))
    return 1 if outcome.unreadable else 0


def _index_work(library: Library) -> int:
    """Papers and notes the index has not caught up with (a killed process can leave either)."""
    return library.pending_index() + library.pending_notes()


def _catch_up_for_search(library: Library, err: TextIO) -> None:
    if library.readonly:
        pending = library.pending_index()
        if pending:
            print(f"lectern: note: {pending} papers are not searchable yet (the index is catching up)", file=err)
        return
    if _index_work(library):
        library.catch_up_index(progress=_progress_writer(err, "indexing"))
    if library.files.pending():
        library.files.catch_up(progress=_progress_writer(err, "reading PDFs"))


def cmd_search(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _catch_up_for_search(library, err)
    result = library.search(args.query, limit=args.limit)
    if result.notice:  # a repaired query or the ranking mode, as the window shows it
        print(f"lectern: note: {result.notice}", file=err)
    items = [_paper_summary(library, pid, result, result.scores[pid]) for pid in result.ids]
    pages = library.files.search.page_snippets(result.compiled, result.ids)
    for item in items:
        if item["id"] in pages:
            item["page"], item["page_snippet"] = pages[item["id"]].page, pages[item["id"]].html()
    if args.json:
        print_json(items, out)
        return 0
    if not items:
        print("no papers match", file=out)
    for item in items:
        print(_human_paper_line(item), file=out)
        snippet = library.snippets(result, [item["id"]])[item["id"]].marked("\033[1m", "\033[0m") if out.isatty() \
            else library.snippets(result, [item["id"]])[item["id"]].marked("[", "]")
        if snippet:
            print(f"    {snippet}", file=out)
        if item["id"] in pages:
            marks = ("\033[1m", "\033[0m") if out.isatty() else ("[", "]")
            print("    " + pages[item["id"]].text(*marks), file=out)
    shown = len(items)
    if result.total > shown:
        print(f"({shown} of {result.total} shown; --limit N for more)", file=out)
    return 0


def _paper_json(library: Library, paper: Paper) -> dict[str, Any]:
    data = paper.model_dump(mode="json")
    data["lists"] = library.lists_of(paper.id or 0)
    data["note"] = library.note(paper.id or 0)
    return data


def cmd_show(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    paper = library.paper(args.paper)
    if args.json:
        print_json(_paper_json(library, paper), out)
        return 0
    lines = [display_title(paper.title, paper.arxiv_id, paper.doi), f"  key:      {paper.citekey}   id: {paper.id}   type: {paper.entry_type}"]
    if paper.authors:
        lines.append("  authors:  " + "; ".join(a.display_name for a in paper.authors))
    for label, value in (("year", paper.year), ("venue", paper.venue), ("volume", paper.volume),
                         ("pages", paper.pages), ("doi", paper.doi), ("arXiv", paper.arxiv_id),
                         ("url", paper.url), ("code", paper.code_url)):
        if value:
            lines.append(f"  {label + ':':<9} {value}")
    lines.append(f"  status:   {paper.status.value}   priority: {paper.priority}")
    if paper.tags:
        lines.append("  tags:     " + ", ".join(paper.tags))
    lists = library.lists_of(paper.id or 0)
    if lists:
        lines.append("  lists:    " + ", ".join(lists))
    lines.extend(f"  source:   {source}" for source in library.provenance(paper.id or 0))
    if paper.abstract:
        lines.append("")
        lines.append(paper.abstract)
    note = library.note(paper.id or 0)
    if note:
        lines.extend(["", "Note:", note])
    print("\n".join(lines), file=out)
    return 0


def cmd_tag(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.tag_command == "list":
        tags = library.tags()
        if args.json:
            print_json([t.model_dump() for t in tags], out)
        else:
            for tag in tags:
                print(f"{tag.name}\t{tag.count}", file=out)
        return 0
    if args.tag_command == "rename":
        library.rename_tag(args.old, args.new)
        print(f"renamed tag {args.old!r} to {args.new!r}", file=out)
        return 0
    if args.tag_command == "add":
        library.add_tags(args.papers, [args.tag])
        print(f"tagged {len(args.papers)} paper(s) {args.tag!r}", file=out)
    else:
        library.remove_tags(args.papers, [args.tag])
        print(f"removed tag {args.tag!r} from {len(args.papers)} paper(s)", file=out)
    return 0


def cmd_list(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    sub = args.list_command
    if sub == "create":
        library.create_list(args.name)
        print(f"created reading list {args.name!r}", file=out)
    elif sub == "add":
        library.add_to_list(args.name, args.papers)
        print(f"added {len(args.papers)} paper(s) to {args.name!r}", file=out)
    elif sub == "remove":
        library.remove_from_list(args.name, args.papers)
        print(f"removed {len(args.papers)} paper(s) from {args.name!r}", file=out)
    elif sub == "move":
        if args.position < 1:
            raise CliError("positions start at 1")
        library.move_in_list(args.name, args.paper, args.position - 1)
        print(f"moved {args.paper} to position {args.position} in {args.name!r}", file=out)
    elif sub == "delete":
        library.delete_list(args.name)
        print(f"deleted reading list {args.name!r}", file=out)
    elif sub == "rename":
        library.rename_list(args.old, args.new)
        print(f"renamed reading list {args.old!r} to {args.new!r}", file=out)
    elif sub == "show":
        info = library.reading_list(args.name)
        papers = library.papers(library.list_ids(args.name))
        if args.json:
            print_json({"name": info.name, "count": info.paper_count, "read": info.read_count,
                         "papers": [{"id": p.id, "citekey": p.citekey, "title": p.title,
                                     "status": p.status.value} for p in papers]}, out)
        else:
            print(f"{info.name} ({info.progress_text})", file=out)
            for position, paper in enumerate(papers, 1):
                mark = {"read": "x", "reading": "~"}.get(paper.status.value, " ")
                print(f"{position:>3}. [{mark}] [{paper.id}] {paper.citekey}: {paper.title}", file=out)
    elif sub == "all":
        lists = library.reading_lists()
        if args.json:
            print_json([{"name": rl.name, "count": rl.paper_count, "read": rl.read_count} for rl in lists], out)
        else:
            for rl in lists:
                print(f"{rl.name}\t{rl.progress_text}", file=out)
    return 0


def cmd_status(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    library.set_status([args.paper], ReadStatus(args.status))
    print(f"{args.paper}: {args.status}", file=out)
    return 0


def cmd_note(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.note_command == "show":
        note = library.note(args.paper)
        print(note if note else "(no note)", file=out)
        return 0
    if args.file:
        try:
            body = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.file}: {exc}") from exc
    else:
        body = sys.stdin.read()
    library.set_note(args.paper, body)
    print(f"note saved for {args.paper}" if body.strip() else f"note removed from {args.paper}", file=out)
    return 0


def cmd_related(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _catch_up_for_search(library, err)
    hits = library.related(args.paper, limit=args.limit)
    items = [_paper_summary(library, h.pid, score=h.score) for h in hits]
    if args.json:
        print_json(items, out)
    elif not items:
        print("no related papers found", file=out)
    else:
        for item in items:
            print(_human_paper_line(item), file=out)
    return 0


def cmd_export(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.query is not None:
        _catch_up_for_search(library, err)
    ids = library.ids_for_export(query=args.query, tag=args.tag, list_name=args.list)
    warnings = export_warnings(library.papers(ids))
    for warning in warnings:
        print(f"lectern: warning: {warning}", file=err)
    if warnings and args.strict:
        print(f"lectern: error: {len(warnings)} entries lack what their type needs; nothing written "
              "(try `lectern complete --incomplete`)", file=err)
        return 1
    text = library.export(ids, args.format, tags_as_keywords=args.tags_as_keywords,
                          notes_as_annote=args.notes_as_annote)
    library.pin_citekeys(ids, exported=True)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"exported {len(ids)} paper(s) to {args.output}", file=err)
    else:
        out.write(text)
    return 0


def cmd_reindex(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    count = library.rebuild_index(progress=_progress_writer(err, "indexing"))
    print(f"reindexed {count} papers and notes", file=out)
    return 0


def cmd_check(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = library.check(repair=not library.readonly)
    if report.consistent:
        print(f"library is consistent: {report.papers} papers, {report.indexed} indexed, "
              f"{report.pending + report.pending_notes} waiting for the index", file=out)
    for problem in report.problems:
        print(f"problem: {problem}", file=out)
    for repair in report.repaired:
        print(f"repaired: {repair}", file=out)
    if report.repaired and not library.readonly:
        library.catch_up_index(progress=_progress_writer(err, "indexing"))
        library.files.catch_up()  # the full-text queue the repair may have filled
        print("library is consistent after repair", file=out)
        return 0
    return 0 if report.consistent else 1


def cmd_stats(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    stats = library.stats().as_dict()
    if args.json:
        print_json(stats, out)
    else:
        for key, value in stats.items():
            print(f"{key.replace('_', ' ')}: {value}", file=out)
    return 0


def cmd_backup(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.list_backups:
        for path in library.backups():
            print(path, file=out)
        return 0
    path = library.backup()
    print(f"backed up to {path}", file=out)
    return 0


def cmd_restore(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    library.restore(Path(args.file))
    library.catch_up_index(progress=_progress_writer(err, "indexing"))
    print(f"restored {args.file}; {library.count()} papers", file=out)
    return 0


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lectern",
        description="Lectern: import, search, organise and export research papers.",
        epilog="Without a command, Lectern opens its window.",
    )
    parser.add_argument("--version", action="version", version=f"lectern {__version__}")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: $LECTERN_LIBRARY or the user data dir)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr too")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import papers from files or folders (format detected from content)")
    p.add_argument("files", nargs="+", metavar="FILE|DIR", help="a folder imports its supported files, recursively")
    p.add_argument("--format", choices=IMPORT_FORMATS, help="skip detection and read this format")
    p.add_argument("--tag", action="append", metavar="TAG", help="tag every imported paper (repeatable)")
    p.add_argument("--list", metavar="NAME", help="add imported papers to this reading list (created if needed)")
    p.add_argument("--no-index", action="store_true", help="store only; index later (lectern reindex/search)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("search", help="search the library (query language: see README)")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", help="show one paper")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("tag", help="add, remove, list and rename tags")
    tag_sub = p.add_subparsers(dest="tag_command", required=True, metavar="add|remove|list|rename")
    for name in ("add", "remove"):
        t = tag_sub.add_parser(name)
        t.add_argument("tag")
        t.add_argument("papers", nargs="+", metavar="ID|CITEKEY")
    t = tag_sub.add_parser("list")
    t.add_argument("--json", action="store_true")
    t = tag_sub.add_parser("rename")
    t.add_argument("old")
    t.add_argument("new")
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser("list", help="reading lists")
    list_sub = p.add_subparsers(dest="list_command", required=True,
                                metavar="create|add|remove|move|show|delete|rename|all")
    lc = list_sub.add_parser("create")
    lc.add_argument("name")
    for name in ("add", "remove"):
        la = list_sub.add_parser(name)
        la.add_argument("name")
        la.add_argument("papers", nargs="+", metavar="ID|CITEKEY")
    lm = list_sub.add_parser("move", help="move a paper to POSITION (1 = first)")
    lm.add_argument("name")
    lm.add_argument("paper", metavar="ID|CITEKEY")
    lm.add_argument("position", type=int)
    ls = list_sub.add_parser("show")
    ls.add_argument("name")
    ls.add_argument("--json", action="store_true")
    ld = list_sub.add_parser("delete")
    ld.add_argument("name")
    lr = list_sub.add_parser("rename")
    lr.add_argument("old")
    lr.add_argument("new")
    la = list_sub.add_parser("all")
    la.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("status", help="set the read status of a paper")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("status", choices=[s.value for s in ReadStatus])
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("note", help="set or show a paper's markdown note")
    note_sub = p.add_subparsers(dest="note_command", required=True, metavar="set|show")
    ns = note_sub.add_parser("set", help="text from --file, else from stdin (empty removes the note)")
    ns.add_argument("paper", metavar="ID|CITEKEY")
    ns.add_argument("--file", metavar="F")
    nw = note_sub.add_parser("show")
    nw.add_argument("paper", metavar="ID|CITEKEY")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("related", help="papers most like this one")
    p.add_argument("paper", metavar="ID|CITEKEY")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_related)

    p = sub.add_parser("export", help="export papers")
    scope = p.add_mutually_exclusive_group(required=True)
    scope.add_argument("--all", action="store_true")
    scope.add_argument("--query", metavar="Q")
    scope.add_argument("--tag", metavar="TAG")
    scope.add_argument("--list", metavar="NAME")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--tags-as-keywords", action="store_true", help="add each paper's tags to its keywords")
    p.add_argument("--notes-as-annote", action="store_true",
                   help="each paper's note as an annote field (bibtex and biblatex)")
    p.add_argument("--strict", action="store_true", help="write nothing (exit 1) if an entry lacks author, year or venue")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reindex", help="rebuild the search index from the database")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("check", help="check the library and repair the index if needed")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("stats", help="library statistics")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("backup", help="back up the library database now")
    p.add_argument("--list", dest="list_backups", action="store_true", help="list existing backups")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="replace the library with a backup (the current state is backed up first)")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)
    for module in FEATURE_MODULES:
        module.add_parsers(sub)
    sub.add_parser("gui", help="open the window (the default without a command)")
    return parser


def open_library(directory: Path, command: str) -> Library:
    try:
        return Library.open(directory)
    except LibraryLockedError:
        if command in READ_ONLY_COMMANDS and (directory / "library.sqlite").exists():
            return Library.open(directory, readonly=True)
        raise


def _call(args: argparse.Namespace, library: Library | None, out: TextIO, err: TextIO) -> int:
    """Run the parsed command; a user's error is one line on stderr and an exit status."""
    try:
        return int(args.func(library, args, out, err))
    except LecternError as exc:
        print(f"lectern: error: {exc}", file=err)
        return 1
    except KeyboardInterrupt:
        print("lectern: interrupted", file=err)
        return 130
    except BrokenPipeError:
        return 0


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one CLI command; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui"):
        raise CliError("the window is started by desktop_app.app, not the CLI")
    if getattr(args, "without_library", False):  # a command that reads only its own input files
        return _call(args, None, out, err)
    directory = resolve_library_dir(args.library)
    try:
        library = open_library(directory, args.command)
    except LecternError as exc:
        print(f"lectern: error: {exc}", file=err)
        return 1
    try:
        return _call(args, library, out, err)
    finally:
        library.close()
