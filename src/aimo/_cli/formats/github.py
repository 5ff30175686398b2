"""``aimo check --format github``: GitHub Actions workflow commands, shown as annotations.

A step that prints ``::error file=F,line=L,col=C,title=T::message`` makes GitHub show the
message on line L of F in the pull request's diff and in the run's summary. Each failing
finding is one command: ``::error`` when it blocks, ``::warning`` when it is advisory,
``::notice`` in shadow. An operating model's own findings (its model-level policies) come
before its workflows', as in every output. Problems with the input are ``::error``
commands at their place, and a last plain line gives the counts.

Everything inside a command is escaped as GitHub's own toolkit escapes it (``%``, carriage
return and line feed in the message; ``:`` and ``,`` too in the properties), after document
text is shown as every text output shows it (:func:`~aimo._documents.printable.printable`):
no document can end a command early, start one of its own on a new line, or move the
terminal's cursor in the log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun, Section
from aimo._documents.printable import printable
from aimo._engine.verdict import Decision, Enforcement, Finding, Verdict
from aimo._errors import Problem

__all__ = ["FORMAT", "verdict_commands"]

#: A blocking failure is an error, an advisory one a warning, a shadow one a notice.
_COMMAND = {
    Enforcement.HARD_MANDATORY: "error",
    Enforcement.MANDATORY: "error",
    Enforcement.ADVISORY: "warning",
    Enforcement.SHADOW: "notice",
}


def escape_data(text: str) -> str:
    """A command's message, escaped as GitHub's toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value, escaped as GitHub's toolkit does (``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path(file: str) -> str:
    """A file as GitHub places annotations: relative to the workspace, the current folder,
    when it is inside it."""
    path = os.path.normpath(file)
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            return Path(path).as_posix()
        if not relative.startswith(os.pardir):
            path = relative
    return Path(path).as_posix()


def command(
    kind: str,
    message: str,
    *,
    file: str | None,
    line: int | None = None,
    column: int | None = None,
    title: str,
) -> str:
    """One workflow command, its text already shown through ``printable`` where it comes
    from a document; line breaks in ``message`` are the output's own."""
    properties = []
    if file is not None:
        properties.append(f"file={escape_property(printable(_path(file)))}")
        if line is not None:
            properties.append(f"line={line}")
            if column is not None:
                properties.append(f"col={column}")
    properties.append(f"title={escape_property(title)}")
    return f"::{kind} {','.join(properties)}::{escape_data(message)}\n"


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = printable(text)
    return text if len(text) <= 200 else text[:197] + "..."


def _message(subject: str, finding: Finding) -> str:
    lines = [
        f"{subject}: {printable(finding.message)}",
        f"at {printable(finding.path or '/')}; found: {_shown(finding.observed)}; "
        f"expected: {_shown(finding.expected)}",
    ]
    if finding.remediation:
        lines.append(f"fix: {printable(finding.remediation)}")
    return "\n".join(lines)


def verdict_commands(file: str, verdict: Verdict, *, whole_model: bool = False) -> Iterator[str]:
    """The commands of one verdict (a workflow's, or with ``whole_model`` a model's as a
    whole) read from ``file``: one per failing finding, at the finding's own place when it
    has one."""
    subject = printable(verdict.workflow_id)
    if whole_model:
        subject += ", the operating model as a whole"
    for finding in verdict.findings:
        if not finding.failed:
            continue
        location = finding.location
        level = finding.enforcement.value
        yield command(
            _COMMAND[finding.enforcement],
            _message(subject, finding),
            file=location.file if location is not None else file,
            line=location.line if location is not None else None,
            column=location.column if location is not None else None,
            title=f"aimo {printable(finding.policy_id)} ({level})",
        )


def _problem(problem: Problem) -> str:
    return command(
        "error",
        f"{printable(problem.path or '/')}: {printable(problem.message)}",
        file=problem.file or None,
        line=problem.line,
        column=problem.column,
        title="aimo: bad input, not judged",
    )


def _verdicts(section: Section) -> Iterator[Verdict]:
    """The verdicts of a section in the order they are reported."""
    for _, verdict in section.judged:
        yield verdict


def _write(run: CheckRun, out: TextIO) -> None:
    reported = 0
    for section in run.sections():
        # Problems are found as the run reaches their file: reported in the same order.
        for problem in run.problems[reported:]:
            out.write(_problem(problem))
        reported = len(run.problems)
        # The model as a whole first, as every output shows it.
        if section.model_verdict is not None:
            for line in verdict_commands(section.file, section.model_verdict, whole_model=True):
                out.write(line)
        for verdict in _verdicts(section):
            for line in verdict_commands(section.file, verdict):
                out.write(line)
    for problem in run.problems[reported:]:
        out.write(_problem(problem))
    tally = run.tally
    count = tally.workflows
    decisions = ", ".join(f"{n} {d}" for d, n in tally.summary().items())
    summary = f"aimo: {count} workflow{'s' if count != 1 else ''}: {decisions}"
    models = tally.models.total()
    if models:
        judged = ", ".join(f"{tally.models[d]} {d.value}" for d in Decision)
        summary = f"aimo: {models} operating model{'s' if models != 1 else ''}: {judged}; "
        summary += f"{count} workflow{'s' if count != 1 else ''}: {decisions}"
    if run.problems:
        problems = len(run.problems)
        summary += f"; {problems} problem{'s' if problems != 1 else ''} with the input"
    out.write(summary + "\n")


FORMAT = Format(
    "github",
    "GitHub Actions annotations: a workflow command per failing finding, at its file and "
    "line, then the counts",
    _write,
)
