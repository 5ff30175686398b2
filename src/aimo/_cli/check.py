"""``aimo check``: judge workflows and operating models, as CI and people need it."""

from __future__ import annotations

import argparse
from typing import TextIO

from aimo._cli import options
from aimo._cli.command import EXIT_DENY, EXIT_OK, EXIT_USAGE, Command
from aimo._cli.formats import (
    Format,
    check_json,
    choices,
    format_option,
    github,
    jsonl,
    junit,
    sarif,
    table,
)
from aimo._cli.output import destination
from aimo._cli.results import CheckRun, write_out
from aimo._documents.dates import evaluation_date
from aimo._engine.verdict import Decision

#: The formats of ``aimo check``; a new one is added here.
FORMATS: dict[str, Format[CheckRun]] = choices(
    [table.FORMAT, check_json.FORMAT, jsonl.FORMAT, sarif.FORMAT, junit.FORMAT, github.FORMAT]
)
#: The formats that have a ``--summary`` form.
SUMMARISED = ("table", "json")


def _arguments(parser: argparse.ArgumentParser) -> None:
    options.paths(parser, "check")
    format_option(parser, FORMATS, "table")
    options.today(parser)
    parser.add_argument(
        "--fail-on",
        choices=("deny", "warn"),
        default="deny",
        help="exit 1 on deny only (default), or on warn too",
    )
    parser.add_argument(
        "--all-findings",
        action="store_true",
        help="json and jsonl: list passing and not-applicable findings too, not only their counts",
    )
    parser.add_argument(
        "--summary",
        action="store_true",
        help="table and json: only the counts of each decision and the failing policies",
    )
    parser.add_argument(
        "--ignore-unknown",
        action="store_true",
        help="pass over files that are not aimo documents (neither a workflow, an operating "
        "model nor a policy pack) instead of reporting them as bad input: for pre-commit, "
        "which names every changed YAML and JSON file",
    )
    parser.add_argument(
        "--find-models",
        action="store_true",
        help="judge a workflow file with the operating model that lists it in "
        "workflow_files, looked for in its folder and each folder above it up to the current "
        "one, rather than on its own",
    )
    options.output(parser)
    options.reading(parser)


def exit_code(run: CheckRun, fail_on: str) -> int:
    """2 when any input could not be read (whatever was judged), else 1 on a deny (or a
    warn with ``--fail-on warn``), else 0."""
    if run.problems:
        return EXIT_USAGE
    failing = (Decision.DENY, Decision.WARN) if fail_on == "warn" else (Decision.DENY,)
    return EXIT_DENY if run.decided(*failing) else EXIT_OK


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.summary and args.format not in SUMMARISED:
        err.write(f"aimo: --summary goes with --format {' or '.join(SUMMARISED)}\n")
        return EXIT_USAGE
    today = evaluation_date(args.today)
    with destination(args.output, out) as stream:
        run = CheckRun(args, today, err)
        write_out(stream, lambda: FORMATS[args.format].write(run, stream))
        run.finish()
    return exit_code(run, args.fail_on)


COMMAND = Command(
    name="check",
    help="evaluate workflows and operating models",
    description="Evaluate workflow files, operating-model files and folders of them. Exit 0 "
    "when everything is allowed (or warns), 1 when anything is denied, 2 on bad input.",
    arguments=_arguments,
    run=_run,
)
