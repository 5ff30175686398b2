"""``--format table``: a readable report for people, and the column layout every table uses."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun, Result
from aimo._documents.printable import printable
from aimo._engine.verdict import Decision, Finding, Outcome

__all__ = ["FORMAT", "columns"]


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
    if finding.location is not None and finding.location.line is not None:
        where += f"  ({printable(finding.location.file)}:{finding.location.line})"
    blocking = "blocks" if finding.enforcement.blocking else "does not block"
    lines = [
        f"    {_MARK.get(finding.outcome, finding.outcome.value)} {printable(finding.policy_id)} "
        f"[{finding.enforcement.value}: {blocking}] at {where}",
        f"      {printable(finding.message)}",
    ]
    if finding.outcome is Outcome.FAIL:
        lines.append(
            f"      found: {_short(finding.observed)}; expected: {_short(finding.expected)}"
        )
    if finding.remediation:
        lines.append(f"      fix: {printable(finding.remediation)}")
    return lines


def render(results: Sequence[Result], today: dt.date) -> str:
    """One table of workflows and decisions per file, then what needs attention."""
    out: list[str] = []
    totals: Counter[Decision] = Counter()
    for result in results:
        title = printable(result.file)
        if result.model is not None and result.model.organization:
            title = f"{printable(result.model.organization)} ({title})"
        out.append(f"{title}, evaluated on {today.isoformat()}")
        out.append("")
        if not result.verdicts:
            out.append("  (no workflows)")
            out.append("")
            continue
        rows = [("WORKFLOW", "STAGE", "TIER NEEDED", "DECISION", "FAILING")]
        for verdict in result.verdicts:
            totals[verdict.decision] += 1
            failing = verdict.failures
            rows.append(
                (
                    verdict.workflow_id,
                    verdict.stage.value if verdict.stage else "-",
                    verdict.required_tier.value if verdict.required_tier else "-",
                    verdict.decision.value,
                    ", ".join(dict.fromkeys(f.policy_id for f in failing)) or "-",
                )
            )
        out.extend(columns(rows))
        out.append("")
        for verdict in result.verdicts:
            waived = [f for f in verdict.findings if f.outcome is Outcome.WAIVED]
            if not verdict.failures and not waived:
                continue
            out.append(f"  {printable(verdict.workflow_id)}: {verdict.decision.value}")
            for finding in verdict.failures:
                out.extend(_finding_lines(finding))
            for finding in waived:
                out.append(
                    f"    WAIVED {printable(finding.policy_id)} at {printable(finding.path or '/')}"
                )
                out.append(f"      {printable(finding.message)}")
            out.append("")
    count = sum(totals.values())
    if not results:
        return ""
    summary = ", ".join(f"{totals[d]} {d.value}" for d in Decision)
    out.append(f"{count} workflow{'s' if count != 1 else ''}: {summary}")
    return "\n".join(out) + "\n"


def _write(run: CheckRun, out: TextIO) -> None:
    out.write(render(run.results, run.today))


FORMAT = Format(
    "table",
    "a readable table of workflows and decisions, then each failing finding with its fix (default)",
    _write,
)
