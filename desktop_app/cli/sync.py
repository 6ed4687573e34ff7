"""``lectern share|join|sync|conflicts|unshare``: the team library on PostgreSQL from the command line."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import print_json
from desktop_app.core.library import Library


def _ops() -> Any:
    """The sync operations, imported when a sync command runs (psycopg loads only then)."""
    from desktop_app.core import sync_ops

    return sync_ops


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("share", help="publish this library to an empty PostgreSQL database")
    p.add_argument("conninfo", metavar="postgresql://USER@HOST/DB",
                   help="no password here: use ~/.pgpass, a service file or PGPASSWORD")
    p.set_defaults(func=cmd_share)
    p = sub.add_parser("join", help="make this (new, empty) library a replica of a shared one")
    p.add_argument("conninfo", metavar="postgresql://USER@HOST/DB")
    p.set_defaults(func=cmd_join)
    p = sub.add_parser("sync", help="push local changes and pull the team's, once")
    p.add_argument("--status", action="store_true", help="only say whether anything waits")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync)
    p = sub.add_parser("conflicts", help="list edits that collided, or resolve one")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="also the resolved ones")
    csub = p.add_subparsers(dest="conflict_command", metavar="resolve")
    r = csub.add_parser("resolve", help="keep the shared value (kept) or make the other one win (other)")
    r.add_argument("id", type=int)
    r.add_argument("--take", choices=("kept", "other"), required=True)
    p.set_defaults(func=cmd_conflicts)
    p = sub.add_parser("unshare", help="detach this replica; it stays a plain local library")
    p.set_defaults(func=cmd_unshare)


def _warner(err: TextIO) -> Any:
    return lambda message: print(f"lectern: warning: {message}", file=err)


def cmd_share(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    count = _ops().share(library, args.conninfo, warn=_warner(err))
    print(f"shared {count} papers at {_ops().describe(args.conninfo)}", file=out)
    return 0


def cmd_join(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    report = _ops().join(library, args.conninfo, warn=_warner(err))
    library.catch_up_index()
    print(f"joined {_ops().describe(args.conninfo)}: {library.count()} papers, revision {report.revision}", file=out)
    return 0


def cmd_sync(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.status:
        state = _ops().status(library)
        if args.json:
            print_json({"state": state.state, **state.__dict__}, out)
        else:
            print(f"{state.state}: {state.waiting} changes waiting, {state.conflicts} conflicts"
                  + (f" ({state.last_error})" if state.last_error else ""), file=out)
        return 0
    try:
        report = _ops().sync_once(library)
    except _ops().OfflineError as exc:
        waiting = _ops().status(library).waiting
        print(f"lectern: error: {exc} ({waiting} changes wait here and go with the next sync)", file=err)
        return 1
    if report.touched:
        library.catch_up_index()
    if args.json:
        print_json(report.as_dict(), out)
    else:
        print(f"pushed {report.pushed}, pulled {report.pulled}, now at revision {report.revision}; "
              f"{report.new_conflicts} new conflicts, {report.open_conflicts} open", file=out)
    return 0


def cmd_conflicts(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.conflict_command == "resolve":
        _ops().resolve(library, args.id, args.take)
        print(f"conflict {args.id}: took the {args.take} value (sent with the next sync)", file=out)
        return 0
    items = _ops().conflicts(library, include_resolved=args.all)
    if args.json:
        print_json(items, out)
        return 0
    if not items:
        print("no conflicts", file=out)
    for item in items:
        state = f" [{item['resolution']}]" if item["resolution"] else ""
        print(f"#{item['id']} {item['kind']} {item['entity']} {item['field']}{state}\n"
              f"    kept:  {_short(item['kept'])}\n    other: {_short(item['other'])} (by {item['by']})", file=out)
    return 0


def _short(value: Any) -> str:
    text = "(deleted)" if value is None else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def cmd_unshare(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    dropped = _ops().unshare(library)
    print("detached: this is a plain local library now"
          + (f" ({dropped} unsent changes stay only here)" if dropped else ""), file=out)
    return 0
