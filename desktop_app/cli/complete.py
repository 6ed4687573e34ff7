"""``lectern complete``, ``lectern proposal`` and ``lectern citekey``: online metadata and keys.

``complete`` prints one line per paper (completed from where, proposed, not found,
error) and a summary with the requests made per service; Ctrl+C cancels between
requests (and wakes any wait) and keeps what finished.  Exit 130 when cancelled, 1 when
any paper ended in an error (offline included), 0 otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import CliError, ctrl_c_cancels, print_json
from desktop_app.core.facade.completion import PaperOutcome
from desktop_app.core.library import Library
from desktop_app.core.vocabulary import CONTACT_SETTING, valid_contact


def _selected(library: Library, args: argparse.Namespace, err: TextIO) -> list[int]:
    ids: list[int] = library.resolve_many(args.papers)
    if args.query is not None:
        if library.pending_index() and not library.readonly:
            library.catch_up_index()
        ids += library.search(args.query).ids
    if args.incomplete:
        ids += library.incomplete_ids()
    return list(dict.fromkeys(ids))


def cmd_complete(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.contact is not None:
        if args.contact and not valid_contact(args.contact):
            raise CliError(f"{args.contact!r} is not an e-mail address")
        library.set_metadata_setting(CONTACT_SETTING, args.contact)
        print(f"contact for the metadata services: {args.contact or '(none)'}", file=err)
    if not (args.papers or args.query is not None or args.incomplete):
        if args.contact is not None:
            return 0
        raise CliError("say which papers to complete: IDs or citation keys, --query Q or --incomplete")
    ids = _selected(library, args, err)
    if not ids:
        print("nothing to complete", file=out)
        return 0

    def progress(stage: str, done: int, total: int) -> None:
        if total and done in (0, total) and not args.json:
            print(f"{stage}: {done} of {total}", file=err)

    def line(outcome: PaperOutcome) -> None:
        if not args.json:
            print(outcome.line(), file=out)

    with ctrl_c_cancels() as token:
        report = library.complete_metadata(ids, dry_run=args.dry_run, cancel=token, progress=progress,
                                           on_outcome=line)
    if args.json:
        data: dict[str, Any] = {"outcomes": [o.as_dict() for o in report.outcomes], "summary": report.summary(),
                                "requests": report.requests, "elapsed_seconds": round(report.elapsed, 2),
                                "cancelled": report.cancelled, "dry_run": report.dry_run}
        print_json(data, out)
    else:
        requests = report.requests.get("requests")
        counts = sorted(requests.items()) if isinstance(requests, dict) else []
        made = ", ".join(f"{service} {count}" for service, count in counts) or "none"
        print(f"{report.summary()}; requests: {made}; {report.elapsed:.1f} s", file=err)
    if report.cancelled:
        print("lectern: cancelled; the papers not reached stay waiting for metadata", file=err)
        return 130
    return 1 if report.count("error") else 0


def cmd_proposal(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.proposal_command == "list":
        for pid in library.proposal_ids():
            data = library.proposal(pid) or {}
            print(f"[{pid}] {library.paper(pid).citekey}: from {data.get('source')} ({data.get('verdict')})", file=out)
        return 0
    proposal = library.proposal(args.paper)
    if proposal is None:
        raise CliError(f"{args.paper} has no proposal")
    data = proposal
    if args.proposal_command == "show":
        if args.json:
            print_json(data, out)
            return 0
        print(f"from {data['source']} ({data['verdict']})", file=out)
        for name, (current, proposed) in data["fields"].items():
            print(f"  {name}: {current or '(empty)'} -> {proposed}", file=out)
        return 0
    if args.proposal_command == "accept":
        fields = [f.strip() for f in args.fields.split(",")] if args.fields else None
        library.accept_proposal(args.paper, fields)
        print(f"accepted the proposal for {args.paper}", file=out)
        return 0
    library.reject_proposal(args.paper)
    print(f"rejected the proposal for {args.paper}", file=out)
    return 0


def cmd_citekey(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.citekey_command == "formula":
        if args.formula:
            library.set_citekey_formula(args.formula)
        print(library.citekey_formula, file=out)
        return 0
    for pid in library.resolve_many(args.papers):
        old = library.paper(pid).citekey
        _changes, warning = library.regenerate_citekey(pid)
        print(f"{old} -> {library.paper(pid).citekey}", file=out)
        if warning:
            print(f"lectern: warning: {warning}", file=err)
    return 0


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("complete", help="complete metadata online (HF, arXiv, Semantic Scholar, Crossref)")
    p.add_argument("papers", nargs="*", metavar="ID|CITEKEY")
    p.add_argument("--query", metavar="Q", help="complete the papers this search finds")
    p.add_argument("--incomplete", action="store_true", help="every paper lacking title, author or year")
    p.add_argument("--dry-run", action="store_true", help="ask the services, store nothing")
    p.add_argument("--json", action="store_true")
    p.add_argument("--contact", metavar="EMAIL", help="e-mail sent in the User-Agent (stored; '' removes it)")
    p.set_defaults(func=cmd_complete)

    p = sub.add_parser("proposal", help="review metadata proposals completion did not apply")
    ps = p.add_subparsers(dest="proposal_command", required=True, metavar="list|show|accept|reject")
    ps.add_parser("list")
    show = ps.add_parser("show")
    show.add_argument("paper", metavar="ID|CITEKEY")
    show.add_argument("--json", action="store_true")
    accept = ps.add_parser("accept")
    accept.add_argument("paper", metavar="ID|CITEKEY")
    accept.add_argument("--fields", metavar="A,B", help="only these fields (default: all)")
    reject = ps.add_parser("reject")
    reject.add_argument("paper", metavar="ID|CITEKEY")
    p.set_defaults(func=cmd_proposal)

    p = sub.add_parser("citekey", help="regenerate citation keys, show or set the key formula")
    cs = p.add_subparsers(dest="citekey_command", required=True, metavar="regenerate|formula")
    regenerate = cs.add_parser("regenerate", help="a new key from the formula (warns if the old one was exported)")
    regenerate.add_argument("papers", nargs="+", metavar="ID|CITEKEY")
    formula = cs.add_parser("formula", help="show, or set, e.g. '[auth:lower][year][veryshorttitle:lower]'")
    formula.add_argument("formula", nargs="?")
    p.set_defaults(func=cmd_citekey)
