"""``--format table``: a readable report for people, and the column layout every table uses."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun, Section
from aimo._documents.printable import printable
from aimo._engine.verdict import Decision, Enforcement, Finding, Outcome, Verdict
from aimo._review.rollup import EFFECT

__all__ = ["FORMAT", "columns", "summary_lines"]


def _short(value: Any) -> str:
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 70 else text[:67] + "..."


def columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned columns; every cell is shown through :func:`printable`."""
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


_MARK = {Outcome.FAIL: "FAIL", Outcome.ERROR: "ERROR"}


def _finding_lines(finding: Finding) -> list[str]:
    where = printable(finding.path or "/")
    location = finding.location
    if location is not None:
        # A file with no line (not UTF-8, empty, not a mapping) is still named: a refused
        # workflow file's id is only its place in the model's list.
        line = f":{location.line}" if location.line is not None else ""
        where += f"  ({printable(location.file)}{line})"
    effect = EFFECT[finding.enforcement]
    lines = [
        f"    {_MARK.get(finding.outcome, finding.outcome.value)} {printable(finding.policy_id)} "
        f"[{finding.enforcement.value}: {effect}] at {where}",
        f"      {printable(finding.message)}",
    ]
    if finding.outcome is Outcome.FAIL:
        lines.append(
            f"      found: {_short(finding.observed)}; expected: {_short(finding.expected)}"
        )
    if finding.remediation:
        lines.append(f"      fix: {printable(finding.remediation)}")
    return lines


def _failing_id(finding: Finding) -> str:
    if finding.enforcement is Enforcement.SHADOW:
        return f"{finding.policy_id} (shadow)"
    return finding.policy_id


def _section_lines(section: Section, today: dt.date) -> Iterator[str]:
    """One file's table of workflows and decisions, then what needs attention in it.

    The table's columns are aligned over the file's rows, so a file's rows are held until
    its last workflow is judged; the findings are written as text meanwhile, never kept as
    verdicts.
    """
    title = printable(section.file)
    if section.model is not None and section.model.organization:
        title = f"{printable(section.model.organization)} ({title})"
    yield f"{title}, evaluated on {today.isoformat()}"
    yield ""
    if section.model_verdict is not None:
        yield from _model_lines(section.model_verdict)
    rows = [("WORKFLOW", "STAGE", "TIER NEEDED", "DECISION", "FAILING")]
    details: list[str] = []
    for _, verdict in section.judged:
        failing = verdict.failures
        rows.append(
            (
                verdict.workflow_id,
                verdict.stage.value if verdict.stage else "-",
                verdict.required_tier.value if verdict.required_tier else "-",
                verdict.decision.value,
                ", ".join(dict.fromkeys(map(_failing_id, failing))) or "-",
            )
        )
        waived = [f for f in verdict.findings if f.outcome is Outcome.WAIVED]
        if not failing and not waived:
            continue
        details.append(f"  {printable(verdict.workflow_id)}: {verdict.decision.value}")
        for finding in failing:
            details.extend(_finding_lines(finding))
        for finding in waived:
            details.append(
                f"    WAIVED {printable(finding.policy_id)} at {printable(finding.path or '/')}"
            )
            details.append(f"      {printable(finding.message)}")
        details.append("")
    if len(rows) == 1:
        yield "  (no workflows)"
        yield ""
        return
    yield from columns(rows)
    yield ""
    yield from details


def _model_lines(verdict: Verdict) -> Iterator[str]:
    """The operating model's own verdict, first: what its model-level policies found."""
    yield f"  The operating model as a whole: {verdict.decision.value}"
    for finding in verdict.failures:
        yield from _finding_lines(finding)
    yield ""


def summary_lines(run: CheckRun) -> list[str]:
    """The counts of each decision, then, per failing policy, how many workflows it fails."""
    tally = run.tally
    count = tally.workflows
    decisions = ", ".join(f"{n} {d}" for d, n in tally.summary().items())
    lines = []
    models = sum(tally.models.values())
    if models:
        judged = ", ".join(f"{tally.models[d]} {d.value}" for d in Decision)
        lines.append(f"{models} operating model{'s' if models != 1 else ''}: {judged}")
    lines.append(f"{count} workflow{'s' if count != 1 else ''}: {decisions}")
    rollup = tally.rollup()
    if rollup:
        lines += ["", "Failing policies, by how many workflows each fails:"]
        lines += columns(
            [("POLICY", "ENFORCEMENT", "WORKFLOWS")]
            + [
                (
                    row.policy_id,
                    f"{row.enforcement.value}: {EFFECT[row.enforcement]}",
                    f"{row.workflows:,}",
                )
                for row in rollup
            ]
        )
    return lines


def _write(run: CheckRun, out: TextIO) -> None:
    if run.options.summary:
        run.finish()
        out.write("\n".join(summary_lines(run)) + "\n")
        return
    judged_any = False
    for section in run.sections():
        judged_any = True
        # A file's lines are written once it is judged whole: an interrupted run never
        # shows half a file, nor a model's verdict without its workflows'.
        out.write("\n".join(_section_lines(section, run.today)) + "\n")
    if judged_any:
        out.write("\n".join(summary_lines(run)) + "\n")


FORMAT = Format(
    "table",
    "a readable table of workflows and decisions, each failing finding with its fix, then "
    "the counts and the failing policies (default)",
    _write,
)
