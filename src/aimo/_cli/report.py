"""``aimo report``: an operating model's review, as a governance meeting reads it."""

from __future__ import annotations

import argparse
from typing import TextIO

from aimo._cli import options
from aimo._cli.command import EXIT_DENY, EXIT_OK, EXIT_USAGE, Command
from aimo._cli.formats import Format, choices, format_option, html, markdown, report_json
from aimo._cli.output import destination
from aimo._cli.results import CheckRun, ReportRun, review, write_out
from aimo._documents.dates import evaluation_date
from aimo._engine.verdict import Decision

#: The formats of ``aimo report``; a new one is added here.
FORMATS: dict[str, Format[ReportRun]] = choices([markdown.FORMAT, report_json.FORMAT, html.FORMAT])


def _arguments(parser: argparse.ArgumentParser) -> None:
    options.paths(parser, "review")
    format_option(parser, FORMATS, "markdown")
    options.today(parser, "review")
    parser.add_argument(
        "--horizon",
        type=options.days,
        default=30,
        metavar="DAYS",
        help="how far ahead a review or a waiver's expiry counts as soon (default: 30)",
    )
    options.output(parser)
    options.reading(parser)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    today = evaluation_date(args.today)
    with destination(args.output, out) as stream:
        run = CheckRun(args, today, err)
        subject = ReportRun(run, review(run, args.horizon))
        write_out(stream, lambda: FORMATS[args.format].write(subject, stream))
    # The CLI's exit codes hold here too, so a scheduled report that finds a denied
    # workflow is noticed like a failed check.
    if run.problems:
        return EXIT_USAGE
    return EXIT_DENY if run.decided(Decision.DENY) else EXIT_OK


COMMAND = Command(
    name="report",
    help="review operating models: the four decisions, owners, what is blocked and why, what "
    "falls due",
    description="Review operating models the way a governance meeting reads them: the four "
    "standing decisions, every workflow with its owner, review tier and decision, what is "
    "blocked and why, the reviews and waivers falling due, and the workflows their reviews "
    "say to tune, strengthen or retire. Exit 0 when no workflow is denied, 1 when one is, 2 "
    "on bad input.",
    arguments=_arguments,
    run=_run,
)
