"""Arguments several commands share: dates, day counts, limits and reading outside."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from collections.abc import Collection

from aimo._documents.limits import Limits

__all__ = ["date", "days", "limit_arguments", "limits", "output", "paths", "reading", "today"]


def date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None


def days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 3660:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 0 to 3660")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def paths(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help=f"files or folders to {verb}")


def today(parser: argparse.ArgumentParser, what: str = "evaluation") -> None:
    parser.add_argument(
        "--today", type=date, metavar="YYYY-MM-DD", help=f"the {what} date (default: today, UTC)"
    )


def output(parser: argparse.ArgumentParser) -> None:
    """Where the result goes, and whether a long run shows its progress."""
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the result to FILE (replaced whole once complete) instead of standard output",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on standard error (default: on a terminal, for runs over "
        "a second, never in CI)",
    )


def limit_arguments(group: argparse._ActionsContainer, *, skip: Collection[str] = ()) -> None:
    """One option per field of :class:`Limits` (``--max-bytes N``...), but those in ``skip``."""
    for field in dataclasses.fields(Limits):
        if field.name in skip:
            continue
        group.add_argument(
            "--" + field.name.replace("_", "-"),
            type=_count,
            default=field.default,
            metavar="N",
            help=f"(default: {field.default:,})",
        )


def reading(parser: argparse.ArgumentParser) -> None:
    """The options of every command that reads documents: limits, files outside."""
    group = parser.add_argument_group(
        "reading documents", "what one document may cost, and which files it may name"
    )
    limit_arguments(group)
    group.add_argument(
        "--allow-outside",
        action="store_true",
        help="let operating models name workflow files and packs outside their own folder, "
        "and folders given here link outside themselves",
    )


def limits(args: argparse.Namespace) -> Limits:
    """The limits the reading options asked for."""
    return Limits(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Limits)})
