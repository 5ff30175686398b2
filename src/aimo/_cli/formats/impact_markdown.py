"""``aimo impact`` and ``aimo diff``, ``--format markdown``: a comment for the pull request
that makes the change.

A heading with the count, what was compared, a table of the workflows whose decision
changes, then per workflow the findings that appear and disappear. Everything taken from
documents and results (ids, paths, messages, file names) is escaped, so that it cannot
change the comment around it: no markup, no HTML, no table cell or line of its own, no
control characters, and no ``@name`` that would notify someone. A comment has to fit the
size a code host accepts (GitHub's is 65,536 characters): text is cut, a workflow lists
its findings up to :data:`BLOCK` characters, and past :data:`BUDGET` the rest of the
workflows are counted, not listed.
"""

from __future__ import annotations

import re
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
from aimo._documents.printable import printable
from aimo._engine.verdict import Decision, Finding
from aimo._errors import cut
from aimo._review.impact import Change

__all__ = ["BUDGET", "FORMAT", "render"]

#: The characters a comment's changes may take before the rest are only counted.
BUDGET = 36_000
#: The characters one workflow's findings may take before the rest are only counted.
BLOCK = 8_000
#: The longest text shown, before escaping: ids and paths, and messages and notes. The
#: table and JSON formats show it whole.
TEXT_LIMIT, MESSAGE_LIMIT = 200, 500

#: Characters that would start code, emphasis, strikethrough, a link, an entity or HTML,
#: or end a table cell.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_~<>[]&|!#"})
# An @ before a name would notify that person or team; an empty HTML comment after it
# keeps the text as it reads, and keeps it from being a mention.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def _text(value: str | None, limit: int = TEXT_LIMIT) -> str:
    """Text from a document or a result as literal Markdown on one line, cut to ``limit``
    characters (before escaping, which must not be cut in half)."""
    if not value:
        return ""
    text = cut(" ".join(value.split()), limit)
    return _MENTION.sub("@<!-- -->", printable(text.translate(_MARKDOWN)))


#: Text that is safe inside a code span as it is: ids, JSON Pointers, file paths.
_PLAIN = re.compile(r"[A-Za-z0-9._/:~+=-]+")
_VERBS = {"fail": "fails", "error": "errs", "waived": "is waived"}


def _code(value: str) -> str:
    """An id or a path: as code when it is plain, else as escaped text."""
    plain = len(value) <= TEXT_LIMIT and _PLAIN.fullmatch(value)
    return f"`{value}`" if plain else _text(value)


def _decision(decision: Decision | None) -> str:
    word = decision_word(decision)
    return f"**{word}**" if decision is Decision.DENY else word


def _finding(label: str, finding: Finding) -> str:
    where = _code(finding.path or "/")
    if finding.location is not None and finding.location.line is not None:
        where += f" ({_code(f'{finding.location.file}:{finding.location.line}')})"
    verb = _VERBS.get(finding.outcome.value, finding.outcome.value)
    return (
        f"- {label}: {_code(finding.policy_id)} {verb} ({level(finding)}) at {where}: "
        f"{_text(finding.message, MESSAGE_LIMIT)}"
    )


def _details(change: Change) -> list[str]:
    lines = [
        f"**{_text(subject(change)) or '(no id)'}**: {_decision(change.before)} → "
        f"{_decision(change.after)}",
        "",
    ]
    findings = [("appears", f) for f in change.appeared]
    findings += [("disappears", f) for f in change.disappeared]
    if not findings:
        lines.append("- no failing, erring or waived finding appears or disappears")
    spent = 0
    for shown, (label, finding) in enumerate(findings):
        line = _finding(label, finding)
        spent += len(line)
        if shown and spent > BLOCK:
            left = len(findings) - shown
            lines.append(f"- and {left:,} more finding{'s' if left != 1 else ''}")
            break
        lines.append(line)
    return [*lines, ""]


def render(run: ImpactRun) -> str:
    """The impact as a Markdown comment."""
    impact = run.impact
    out = [
        f"### aimo: {_text(count_line(impact))}",
        "",
        f"{_text(run.title, MESSAGE_LIMIT)}. {_text(dates_line(impact), MESSAGE_LIMIT)}",
        "",
    ]
    out += [f"- {_text(note, MESSAGE_LIMIT)}" for note in run.notes]
    if run.notes:
        out.append("")
    if not impact.changes:
        return "\n".join(out).rstrip() + "\n"
    files = {c.file for c in impact.changes}
    several = len(files) > 1
    rows: list[str] = []
    details: list[str] = []
    spent = 0
    for change in impact.changes:
        cells = [_text(subject(change)) or "(no id)"]
        if several:
            cells.append(_text(change.file) or "-")
        cells += [_decision(change.before), _decision(change.after)]
        row = "| " + " | ".join(cells) + " |"
        block = _details(change)
        size = len(row) + sum(len(line) + 1 for line in block)
        if rows and spent + size > BUDGET:
            break
        spent += size
        rows.append(row)
        details += block
    header = ["Workflow", *(["File"] if several else []), "Before", "After"]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows, ""]
    left = len(impact.changes) - len(rows)
    if left:
        out += [
            f"{left:,} more workflow{'s' if left != 1 else ''} change decision and "
            f"{'are' if left != 1 else 'is'} not listed here, to keep this comment short; "
            "the table and JSON formats list them all.",
            "",
        ]
    out += ["#### What changes", "", *details]
    return "\n".join(out).rstrip() + "\n"


def _write(run: ImpactRun, out: TextIO) -> None:
    out.write(render(run))


FORMAT = Format(
    "markdown",
    "Markdown for a pull-request comment: the count, a table of the changes, and the "
    "findings that appear and disappear",
    _write,
)
