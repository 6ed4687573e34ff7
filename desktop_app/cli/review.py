"""``lectern review``: systematic reviews from the terminal, and the screening simulation.

The PRISMA diagram is drawn by the same Qt painter as the window (``gui.prisma``), loaded
only when ``review prisma`` writes an SVG or PNG; every other command stays Qt-free.  The
simulation's numpy and scikit-learn load only for ``review simulate``.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, TextIO

import desktop_app.cli.review_admin as review_admin
from desktop_app.cli.common import CliError, ctrl_c_cancels, print_json
from desktop_app.core.library import Library
from desktop_app.core.reviews import Gathered, RecordChoice
from desktop_app.core.vocabulary import DEFAULT_MODEL, EXPORT_FORMATS, MODELS
from desktop_app.domain.screening import Stage, Verdict

STAGE_NAMES = {"title-abstract": Stage.TITLE_ABSTRACT, "ta": Stage.TITLE_ABSTRACT, "title_abstract": Stage.TITLE_ABSTRACT,
               "full-text": Stage.FULL_TEXT, "ft": Stage.FULL_TEXT, "full_text": Stage.FULL_TEXT}


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("review", help="systematic reviews: screening decisions, PRISMA, simulation")
    rs = p.add_subparsers(dest="review_command", required=True, metavar="COMMAND")

    c = rs.add_parser("create", help="create a review from a reading list, a search or a search export")
    c.add_argument("name")
    source = c.add_mutually_exclusive_group()
    source.add_argument("--from-list", metavar="LIST")
    source.add_argument("--from-query", metavar="QUERY")
    source.add_argument("--from-file", "--from-import", dest="from_import", metavar="FILE", nargs="+",
                        help="a database's search export (RIS, BibTeX, CSL-JSON...), imported first")
    c.add_argument("--database", default="", metavar="NAME",
                   help="the database the export came from (PubMed, Scopus...): PRISMA names the source so")
    c.add_argument("--question", default="", help="the research question")
    c.add_argument("--include-keyword", action="append", default=[], metavar="WORD")
    c.add_argument("--exclude-keyword", action="append", default=[], metavar="WORD")
    c.set_defaults(func=cmd_create)

    a = rs.add_parser("add", help="add more records to a review")
    a.add_argument("name")
    source = a.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-list", metavar="LIST")
    source.add_argument("--from-query", metavar="QUERY")
    source.add_argument("--from-file", "--from-import", dest="from_import", metavar="FILE", nargs="+",
                        help="a database's search export, imported first")
    a.add_argument("--database", default="", metavar="NAME", help="the database the export came from")
    a.set_defaults(func=cmd_add)

    ed = rs.add_parser("edit", help="change a review's question, criteria, keywords, reasons or settings")
    ed.add_argument("name")
    ed.add_argument("--question")
    ed.add_argument("--inclusion-criteria", metavar="TEXT")
    ed.add_argument("--exclusion-criteria", metavar="TEXT")
    ed.add_argument("--include-keyword", action="append", metavar="WORD", help="replaces the list (repeatable)")
    ed.add_argument("--exclude-keyword", action="append", metavar="WORD", help="replaces the list (repeatable)")
    ed.add_argument("--reason", action="append", metavar="REASON", help="replaces the exclusion reasons (repeatable)")
    ed.add_argument("--stop-after", type=int, metavar="N", help="stopping rule: N irrelevant in a row (0: none)")
    ed.add_argument("--random-order", choices=["on", "off"])
    ed.set_defaults(func=cmd_edit)
    review_admin.add_parsers(rs)  # rename-reason, delete

    s = rs.add_parser("status", help="counts per stage and reviewer, and agreement (Cohen's kappa)")
    s.add_argument("name")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    d = rs.add_parser("decide", help="record a screening decision")
    d.add_argument("name")
    d.add_argument("paper", metavar="ID|CITEKEY")
    d.add_argument("verdict", choices=[v.value for v in Verdict])
    d.add_argument("--reason", default="", help="exclusion reason (one of the review's reasons)")
    d.add_argument("--note", default="")
    d.add_argument("--reviewer", help="decide under this name (default: the library's reviewer)")
    d.add_argument("--stage", choices=sorted(STAGE_NAMES), default="title-abstract")
    d.set_defaults(func=cmd_decide)

    u = rs.add_parser("undo", help="withdraw your latest decision in a review")
    u.add_argument("name")
    u.add_argument("--reviewer")
    u.set_defaults(func=cmd_undo)

    r = rs.add_parser("reviewer", help="show or set the name this library screens under")
    r.add_argument("reviewer_name", nargs="?", metavar="NAME")
    r.set_defaults(func=cmd_reviewer)

    b = rs.add_parser("blind", help="turn blind mode on or off")
    b.add_argument("name")
    b.add_argument("state", choices=["on", "off"])
    b.set_defaults(func=cmd_blind)

    k = rs.add_parser("conflicts", help="records the reviewers disagree on (review must be unblinded)")
    k.add_argument("name")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_conflicts)

    f = rs.add_parser("prisma", help="the PRISMA 2020 flow diagram (SVG or PNG) or its counts")
    f.add_argument("name")
    f.add_argument("-o", "--output", metavar="FILE.svg|FILE.png")
    f.add_argument("--json", action="store_true", help="print the counts as JSON")
    f.set_defaults(func=cmd_prisma)

    e = rs.add_parser("export", help="export the decisions (CSV) or the included studies")
    e.add_argument("name")
    what = e.add_mutually_exclusive_group(required=True)
    what.add_argument("--decisions", metavar="FILE.csv")
    what.add_argument("--included", action="store_true")
    e.add_argument("--format", choices=[fmt.name for fmt in EXPORT_FORMATS], default="bibtex")
    e.add_argument("-o", "--output", metavar="FILE")
    e.set_defaults(func=cmd_export)

    m = rs.add_parser("simulate", help="simulate screening a labelled CSV in the ranker's order")
    m.add_argument("file", metavar="FILE.csv")
    m.add_argument("--seeds", type=int, default=5, help="runs, each from a different random pair of priors")
    m.add_argument("--first-seed", type=int, default=0)
    m.add_argument("--model", choices=MODELS, default=DEFAULT_MODEL)
    m.add_argument("--order-out", metavar="ORDER.json", help="write a JSON list of record_id lists, one per run")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_simulate, without_library=True)


# -- handlers ---------------------------------------------------------------------------------------------


def _choice(args: argparse.Namespace) -> RecordChoice | None:
    if args.database and not args.from_import:
        raise CliError("--database names the database of a search export: use it with --from-file")
    if args.from_list:
        return RecordChoice("list", args.from_list)
    if args.from_query:
        return RecordChoice("query", args.from_query)
    if args.from_import:
        return RecordChoice("import", files=tuple(Path(f) for f in args.from_import), database=args.database)
    return None


def _gather(library: Library, choice: RecordChoice, out: TextIO) -> Gathered:
    """The records ``choice`` names; an import's summary and every problem are printed."""
    if choice.kind == "query":
        library.catch_up_index()
    with ctrl_c_cancels() as token:
        gathered = library.reviews.gather(choice, cancel=lambda: token.cancelled)
    if gathered.outcome is not None:
        print(gathered.outcome.summary(), file=out)
        for problem in gathered.outcome.problems:
            print(str(problem), file=out)
    return gathered


def _added(gathered: Gathered, out: TextIO) -> None:
    print(f"added {len(gathered.new)} record(s) from {gathered.source.label}", file=out)


def cmd_create(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    reviews = library.reviews
    fields = {"question": args.question, "include_keywords": args.include_keyword,
              "exclude_keywords": args.exclude_keyword}
    choice = _choice(args)
    if choice is None:
        review = reviews.create(args.name, **fields)
        print(f"created review {review.name!r} (no records yet: lectern review add)", file=out)
        return 0
    reviews.check_name_free(args.name)  # before a search export is imported
    gathered = _gather(library, choice, out)
    review = reviews.create_from(args.name, gathered, **fields)  # no records: an error, no review
    print(f"created review {review.name!r}", file=out)
    _added(gathered, out)
    return 1 if gathered.outcome is not None and gathered.outcome.unreadable else 0


def cmd_add(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    name = library.reviews.get(args.name).name
    choice = _choice(args)
    assert choice is not None  # argparse requires one source
    gathered = _gather(library, choice, out)
    gathered.new = library.reviews.add_gathered(name, gathered)
    _added(gathered, out)
    return 1 if gathered.outcome is not None and gathered.outcome.unreadable else 0


def cmd_edit(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    given = {"question": args.question, "inclusion_criteria": args.inclusion_criteria,
             "exclusion_criteria": args.exclusion_criteria, "include_keywords": args.include_keyword,
             "exclude_keywords": args.exclude_keyword, "exclusion_reasons": args.reason,
             "stop_after_irrelevant": args.stop_after,
             "random_order": None if args.random_order is None else args.random_order == "on"}
    fields = {k: v for k, v in given.items() if v is not None}
    if not fields:
        raise CliError("nothing to change: give at least one option (see lectern review edit --help)")
    review = library.reviews.update(args.name, **fields)
    print(f"updated {review.name!r}: {', '.join(sorted(fields))}", file=out)
    return 0


def cmd_status(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    status = library.reviews.status(args.name)
    if args.json:
        print_json(status.as_dict(), out)
        return 0
    review = status.review
    print(f"{review.name}: {status.records} records" + (" (blind)" if review.blind else ""), file=out)
    if review.question:
        print(f"  question: {review.question}", file=out)
    for stage in status.stages:
        print(f"  {stage.stage.label}: {stage.decided} of {stage.records} decided; included {stage.included}, "
              f"excluded {stage.excluded}, maybe {stage.maybe}, conflicts {stage.conflicts}", file=out)
    for reviewer, stages in sorted(status.per_reviewer.items()):
        parts = [f"{Stage(s).label} " + ", ".join(f"{v} {n}" for v, n in sorted(c.items()))
                 for s, c in stages.items()]
        print(f"  reviewer {reviewer}: " + "; ".join(parts), file=out)
    for pair in status.agreement:
        kappa = "undefined" if pair.kappa is None else f"{pair.kappa:.3f}"
        print(f"  agreement {pair.first} / {pair.second}: kappa {kappa} over {pair.records} records "
              f"({pair.agreed} agreed)", file=out)
    return 0


def cmd_decide(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    decision = library.reviews.decide(args.name, args.paper, args.verdict, reason=args.reason, note=args.note,
                                      reviewer=args.reviewer, stage=STAGE_NAMES[args.stage])
    reason = f" ({decision.reason})" if decision.reason else ""
    print(f"{decision.reviewer}: {args.paper} {decision.verdict.value}{reason} at {decision.stage.label.lower()}",
          file=out)
    return 0


def cmd_undo(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    undone = library.reviews.undo(args.name, args.reviewer)
    if undone is None:
        print("nothing to undo", file=out)
    else:
        print(f"withdrew {undone.reviewer}'s {undone.verdict.value} on paper {undone.paper_id}", file=out)
    return 0


def cmd_reviewer(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.reviewer_name:
        library.reviews.set_reviewer(args.reviewer_name)
    print(library.reviews.reviewer() or "(no reviewer set: lectern review reviewer NAME)", file=out)
    return 0


def cmd_blind(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    review = library.reviews.set_blind(args.name, args.state == "on")
    print(f"{review.name}: blind mode {'on' if review.blind else 'off'}", file=out)
    return 0


def cmd_conflicts(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    found = library.reviews.conflicts(args.name)
    items = [{"paper": s.paper_id, "stage": s.stage.value,
              "verdicts": {who: {"verdict": d.verdict.value, "reason": d.reason} for who, d in s.verdicts.items()}}
             for s in found]
    if args.json:
        print_json(items, out)
        return 0
    if not items:
        print("no conflicts", file=out)
    for s in found:
        votes = ", ".join(f"{who}: {d.verdict.value}" + (f" ({d.reason})" if d.reason else "")
                          for who, d in sorted(s.verdicts.items()))
        print(f"[{s.paper_id}] {s.stage.label}: {votes}", file=out)
    return 0


def cmd_prisma(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    counts = library.reviews.prisma(args.name)
    if args.json or not args.output:
        print_json(counts.as_dict(), out)
    if args.output:
        target = Path(args.output)
        if target.suffix.lower() not in (".svg", ".png"):
            raise CliError("the diagram is written as .svg or .png")
        if "QT_QPA_PLATFORM" not in os.environ and not os.environ.get("DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from desktop_app.gui.prisma import export_diagram  # Qt only for drawing

        export_diagram(counts, target, title=library.reviews.get(args.name).name)
        print(f"wrote {target}", file=err)
    return 0


def cmd_export(library: Library, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.decisions:
        text = library.reviews.decisions_csv(args.name)
        Path(args.decisions).write_text(text, encoding="utf-8")
        print(f"exported {text.count(chr(10)) - 1} decision(s) to {args.decisions}", file=err)
        return 0
    ids = library.reviews.included_ids(args.name)
    text = library.export(ids, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"exported {len(ids)} included stud{'y' if len(ids) == 1 else 'ies'} to {args.output}", file=err)
    else:
        out.write(text)
    return 0


def cmd_simulate(library: Library | None, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from desktop_app.core.screening_simulation import (  # numpy, scikit-learn
        LabelledFileError,
        read_labelled_csv,
        simulate,
    )

    if args.seeds < 1:
        raise CliError("--seeds must be at least 1")
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from exc
    try:
        labelled = read_labelled_csv(text, args.file)
    except LabelledFileError as exc:
        raise CliError(str(exc)) from exc
    for problem in labelled.problems:
        print(str(problem), file=err)
    records = labelled.records
    relevant = sum(r.relevant for r in records)
    if not args.json:
        print(f"{args.file}: {len(records)} records, {relevant} relevant; model {args.model}, {args.seeds} run(s)",
              file=out)

    def report(seed: int, run: Any) -> None:
        if not args.json:
            print(f"  seed {seed}: WSS@95 {run.wss95:.1f}  WSS@100 {run.wss100:.1f}  recall@10% {run.recall10:.1f}  "
                  f"records to 95% {run.records95}", file=out)
            out.flush()

    result = simulate(records, args.seeds, args.model, args.first_seed, on_run=report)
    if args.order_out:
        Path(args.order_out).write_text(json.dumps(result.orders), encoding="utf-8")
    names = [("wss95", "WSS@95"), ("wss100", "WSS@100"), ("recall10", "recall@10%"), ("records95", "records to 95%")]
    if args.json:
        print_json({"file": args.file, "records": len(records), "relevant": relevant, "model": args.model,
                    "runs": [m.as_dict() for m in result.metrics],
                    "mean": {k: round(result.mean(k), 2) for k, _ in names},
                    "sd": {k: round(result.sd(k), 2) for k, _ in names}}, out)
    else:
        print("mean over runs: " + "  ".join(f"{label} {result.mean(key):.1f} ± {result.sd(key):.1f}"
                                             for key, label in names), file=out)
    return 0


