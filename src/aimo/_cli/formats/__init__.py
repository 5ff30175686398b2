"""Output formats: each one file, each behind one interface, :class:`Format`.

A format renders one kind of subject (a :class:`~aimo._cli.results.CheckRun` for
``check``, a :class:`~aimo._cli.report.ReportRun` for ``report``) to a text stream.
Adding a format is one module with a ``FORMAT`` and one line in its command's table.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TextIO, TypeVar

S = TypeVar("S")

__all__ = ["Format", "choices", "format_option"]


@dataclass(frozen=True)
class Format(Generic[S]):
    """One output format: its name on the command line, its help, and how it writes."""

    name: str
    help: str
    write: Callable[[S, TextIO], None]


def choices(formats: Sequence[Format[S]]) -> dict[str, Format[S]]:
    """A command's formats by name, in the order they are listed."""
    return {f.name: f for f in formats}


def format_option(
    parser: argparse.ArgumentParser, formats: Mapping[str, Format[Any]], default: str
) -> None:
    """A command's ``--format`` option: its formats' names, each with its help."""
    parser.add_argument(
        "--format",
        choices=tuple(formats),
        default=default,
        help="; ".join(f"{f.name}: {f.help}" for f in formats.values()),
    )
