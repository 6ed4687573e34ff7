"""``lectern review delete`` and ``review rename-reason``: the review commands that change or drop what was decided.

Added to ``lectern review``'s subcommands by ``cli/review.py`` (``add_parsers(rs)``).
Deleting asks for ``--yes`` and says what is lost: reviews have no Trash.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from desktop_app.cli.common import CliError
from desktop_app.core.library import Library
from desktop_app.core.sync_state import is_shared


def add_parsers(rs: Any) -> None:
    """Add the subcommands to ``lectern review``'s sub-parser action ``rs``."""
    d = rs.add_parser("delete", help="delete a review and its decisions for good (its papers stay)")
    d.add_argument("name")
    d.add_argument("--yes", action="store_true", help="required: a deleted review cannot be restored")
    d.set_defaults(func=cmd_delete)

    r = rs.add_parser("rename-reason", help="rename an exclusion reason, in the decisions made too")
    r.add_argument("name")
    r.add_argument("old", metavar="OLD")
    r.add_argument("new", metavar="NEW")
    r.set_defaults(func=cmd_rename_reason)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def cmd_delete(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    reviews = library.reviews
    name = reviews.get(args.name).name
    decisions, reviewers = reviews.decision_count(name)
    records = len(reviews.record_ids(name))
    if not args.yes:
        lost = f"its {_plural(decisions, 'screening decision')} by {_plural(reviewers, 'reviewer')}" \
            if decisions else "its criteria and reasons (no decisions yet)"
        raise CliError(f"deleting review {name!r} loses {lost} for good (reviews have no Trash); "
                       "add --yes to do it")
    reviews.delete(name)
    print(f"deleted review {name!r} and its {_plural(decisions, 'decision')}; "
          f"its {_plural(records, 'record')} stay in the library", file=out)
    return 0


def cmd_rename_reason(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    reviews = library.reviews
    name = reviews.get(args.name).name
    renamed = reviews.rename_reason(name, args.old, args.new)
    print(f"renamed {args.old!r} to {args.new!r} in review {name!r} and in {_plural(renamed, 'decision')}",
          file=out)
    if is_shared(library):
        print("lectern: note: the team gets the new list at the next sync; decisions other members hold "
              "keep the old name", file=err)
    return 0
