"""``aimo audit verify``: check a decision log's hash chain and head file."""

from __future__ import annotations

import argparse
from typing import TextIO

from aimo._audit.verify import verify
from aimo._cli.command import EXIT_DENY, EXIT_OK, EXIT_USAGE, Command
from aimo._documents.printable import printable


def verify_log(path: str, out: TextIO, err: TextIO) -> int:
    """Exit 0 when the chain is intact, 1 naming the first broken line (``line N: ...``) on
    ``err``, 2 when the log cannot be read."""
    shown = printable(path)
    try:
        result = verify(path)
    except OSError as exc:
        err.write(f"aimo: cannot read the decision log {shown}: {exc.strerror or exc}\n")
        return EXIT_USAGE
    if result.ok:
        out.write(
            f"{shown}: intact: {result.records} record{'s' if result.records != 1 else ''}, "
            f"last hash {result.last_hash}\n"
        )
        for note in result.notes:
            out.write(f"{shown}: note: {note}\n")
        return EXIT_OK
    first = result.problems[0]
    err.write(f"{shown}: {first}\n")
    before = first.line - 1
    more = len(result.problems) - 1
    err.write(
        f"{shown}: the {before} line{'s' if before != 1 else ''} before it verify"
        + (f"; {more} more problem(s) after it" if more else "")
        + "\n"
    )
    for problem in result.problems[1:]:
        err.write(f"{shown}: {problem}\n")
    return EXIT_DENY


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    check = actions.add_parser(
        "verify",
        help="check that a decision log's hash chain is intact",
        description="Check a decision log written by aimo.DecisionLog. Exit 0 when the chain "
        "is intact, 1 naming the first broken line, 2 when the log cannot be read.",
    )
    check.add_argument("path", metavar="PATH", help="the decision log (JSON Lines)")


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return verify_log(args.path, out, err)


COMMAND = Command(
    name="audit",
    help="check a decision log",
    description="Check a decision log written by aimo.DecisionLog.",
    arguments=_arguments,
    run=_run,
)
