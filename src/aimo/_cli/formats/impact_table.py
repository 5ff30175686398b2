"""``aimo impact`` and ``aimo diff``, ``--format table``: the workflows whose decision
changes, then what appears and disappears in each, then the count line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from aimo._cli.formats import Format
from aimo._cli.formats.impacts import (
    ImpactRun,
    count_line,
    dates_line,
    decision_word,
    level,
    subject,
)
from aimo._cli.formats.table import columns
from aimo._documents.printable import printable
from aimo._engine.verdict import Finding
from aimo._review.impact import Change

__all__ = ["FORMAT"]


def _finding_lines(label: str, finding: Finding) -> list[str]:
    where = printable(finding.path or "/")
    if finding.location is not None and finding.location.line is not None:
        where += f"  ({printable(finding.location.file)}:{finding.location.line})"
    return [
        f"    {label:<11}{finding.outcome.value.upper()} {printable(finding.policy_id)} "
        f"[{level(finding)}] at {where}",
        f"               {printable(finding.message)}",
    ]


def _change_lines(change: Change) -> Iterator[str]:
    yield (
        f"  {printable(subject(change))}: {decision_word(change.before)} -> "
        f"{decision_word(change.after)}"
    )
    for finding in change.appeared:
        yield from _finding_lines("appears", finding)
    for finding in change.disappeared:
        yield from _finding_lines("disappears", finding)
    yield ""


def lines(run: ImpactRun) -> Iterator[str]:
    impact = run.impact
    yield printable(run.title)
    yield dates_line(impact)
    yield from (printable(note) for note in run.notes)
    yield ""
    if impact.changes:
        # A file column only when the changes are in more than one file.
        files = {c.file for c in impact.changes}
        header = ("WORKFLOW", *(("FILE",) if len(files) > 1 else ()), "BEFORE", "AFTER")
        rows = [header]
        for change in impact.changes:
            file = (change.file or "-",) if len(files) > 1 else ()
            rows.append(
                (
                    subject(change),
                    *file,
                    decision_word(change.before),
                    decision_word(change.after),
                )
            )
        yield from columns(rows)
        yield ""
        for change in impact.changes:
            yield from _change_lines(change)
    yield count_line(impact)


def _write(run: ImpactRun, out: TextIO) -> None:
    for line in lines(run):
        out.write(line + "\n")


FORMAT = Format(
    "table",
    "a readable table of the workflows whose decision changes, the findings that appear "
    "and disappear in each, and the count (default)",
    _write,
)
