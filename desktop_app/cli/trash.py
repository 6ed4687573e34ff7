"""``lectern delete`` (to the Trash) and ``lectern trash list|restore|empty``."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import CliError, print_json
from desktop_app.core.library import Library


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("delete", help="move papers to the Trash (lectern trash restore brings them back)")
    p.add_argument("papers", nargs="+", metavar="ID|CITEKEY")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("trash", help="the Trash: list, restore or empty it")
    trash_sub = p.add_subparsers(dest="trash_command", metavar="list|restore|empty")
    t = trash_sub.add_parser("list", help="what the Trash holds (the default)")
    t.add_argument("--json", action="store_true")
    t = trash_sub.add_parser("restore", help="put papers (by id) or reading lists (--list NAME) back")
    t.add_argument("papers", nargs="*", metavar="ID", type=int)
    t.add_argument("--list", dest="lists", action="append", default=[], metavar="NAME",
                   help="a trashed reading list (repeatable)")
    t.add_argument("--all", action="store_true", help="everything in the Trash")
    t = trash_sub.add_parser("empty", help="delete what the Trash holds for good")
    t.add_argument("papers", nargs="*", metavar="ID", type=int, help="only these papers (default: everything)")
    t.add_argument("--yes", action="store_true", help="required: emptying cannot be undone")
    p.set_defaults(func=cmd_trash)


def cmd_delete(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    changes = library.delete_papers(args.papers)
    count = len(changes.removed)
    ids = " ".join(str(i) for i in sorted(changes.removed))
    print(f"moved {count} paper{'s' if count != 1 else ''} to the Trash (lectern trash restore {ids})", file=out)
    return 0


def cmd_trash(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    command = args.trash_command or "list"
    if command == "list":
        return _list(library, getattr(args, "json", False), out)
    if command == "restore":
        return _restore(library, args, out)
    if not args.yes:
        raise CliError("emptying the Trash cannot be undone; add --yes to do it")
    removed = library.empty_trash(papers=args.papers or None)
    print(f"deleted {removed} item{'s' if removed != 1 else ''} for good", file=out)
    return 0


def _list(library: Library, as_json: bool, out: TextIO) -> int:
    trash = library.trash()
    if as_json:
        print_json({"papers": [{"id": p.paper_id, "citekey": p.citekey, "title": p.title, "deleted": p.deleted}
                               for p in trash.papers],
                    "lists": [{"name": t.name, "papers": t.paper_count, "deleted": t.deleted}
                              for t in trash.lists]}, out)
        return 0
    if not len(trash):
        print("the Trash is empty", file=out)
    for paper in trash.papers:
        print(f"[{paper.paper_id}] {paper.citekey}: {paper.title}  (deleted {paper.deleted[:16]})", file=out)
    for trashed in trash.lists:
        print(f"list {trashed.name!r} ({trashed.paper_count} papers; deleted {trashed.deleted[:16]})", file=out)
    return 0


def _restore(library: Library, args: argparse.Namespace, out: TextIO) -> int:
    trash = library.trash()
    if args.all:
        papers = [p.paper_id for p in trash.papers]
        lists = [t.trash_id for t in trash.lists]
    else:
        papers = list(args.papers)
        lists = []
        for name in args.lists:
            match = [t.trash_id for t in trash.lists if t.name.casefold() == name.casefold()]
            if not match:
                raise CliError(f"no reading list named {name!r} in the Trash")
            lists.append(match[0])  # the most recently deleted of that name
        missing = set(papers) - {p.paper_id for p in trash.papers}
        if missing:
            raise CliError("not in the Trash: " + " ".join(str(i) for i in sorted(missing)))
    if not papers and not lists:
        raise CliError("name papers by id, --list NAME, or --all (lectern trash list shows what is there)")
    changes = library.restore_from_trash(papers=papers, lists=lists)
    print(f"restored {len(changes.added)} paper(s) and {len(lists)} reading list(s)", file=out)
    return 0
