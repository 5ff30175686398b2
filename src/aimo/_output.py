"""Rendering verdicts for people (a table) and for programs (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aimo._advice import UseCaseScore
from aimo._engine import Engine
from aimo._errors import Problem
from aimo._models import OperatingModel, Workflow
from aimo._printable import printable
from aimo._verdict import Decision, Finding, Outcome, Verdict
from aimo._version import __version__


@dataclass
class Result:
    """What one checked file produced."""

    file: str
    model: OperatingModel | None
    verdicts: list[Verdict] = field(default_factory=list)
    #: The workflows judged, in the order of their verdicts.
    workflows: list[Workflow] = field(default_factory=list)


def _short(value: Any) -> str:
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 70 else text[:67] + "..."


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
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


def render_table(results: Sequence[Result], today: dt.date) -> str:
    """A readable report: one table of workflows and decisions, then what needs attention."""
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
        out.extend(_columns(rows))
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


class _FileReport(BaseModel):
    file: str
    organization: str | None
    verdicts: list[Verdict]


class _Report(BaseModel):
    evaluated_on: dt.date
    results: list[_FileReport]
    problems: list[dict[str, Any]]
    summary: dict[str, int]


def render_json(results: Sequence[Result], problems: Sequence[Problem], today: dt.date) -> str:
    """Every verdict, the problems with the input, and a summary, as one JSON document."""
    totals = Counter(v.decision.value for r in results for v in r.verdicts)
    # Serialised by pydantic-core in one pass: a thousand verdicts of thirty findings each
    # take a fraction of what the json module needs for the same text.
    report = _Report.model_construct(
        evaluated_on=today,
        results=[
            _FileReport.model_construct(
                file=r.file,
                organization=r.model.organization if r.model else None,
                verdicts=r.verdicts,
            )
            for r in results
        ],
        problems=[p.to_dict() for p in problems],
        summary={d.value: totals.get(d.value, 0) for d in Decision},
    )
    return report.model_dump_json(indent=2)


def render_policies(engine: Engine, fmt: str) -> str:
    """Every policy the engine evaluates, after configuration, as a table or JSON."""
    rows = [
        {
            "id": policy.id,
            "source": ref.source,
            "version": ref.version,
            "enforcement": engine.enforcement(policy.id).value,
            "severity": policy.severity.value,
            "applies_from": policy.applies_from.value,
            "title": policy.title,
        }
        for policy, ref in zip(engine.policies, engine.policy_set, strict=True)
    ]
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    header = ("ID", "SOURCE", "ENFORCEMENT", "SEVERITY", "FROM", "TITLE")
    table: list[tuple[str, ...]] = [header]
    for r in rows:
        source = f"{r['source']} {r['version']}" if r["version"] else str(r["source"])
        table.append(
            (
                str(r["id"]),
                source,
                str(r["enforcement"]),
                str(r["severity"]),
                str(r["applies_from"]),
                str(r["title"]),
            )
        )
    return "\n".join(_columns(table)) + f"\n\n{len(rows)} policies\n"


_SARIF_LEVEL = {True: "error", False: "warning"}


def render_sarif(
    results: Sequence[Result], engine: Engine, problems: Sequence[Problem] = ()
) -> str:
    """The failing and waived findings as a SARIF 2.1.0 log, for code-scanning tools.

    Every policy is a rule; each failing finding is a result, ``error`` when it blocks and
    ``warning`` when it is advisory; a waived finding is a result with an external
    suppression carrying the waiver's justification. Passing findings are left out, as
    linters leave out the checks that passed. Problems with the input (a file that could
    not be read or validated) make the run unsuccessful and are listed as error
    notifications at their place, so that an upload never looks clean when it was not.
    """
    policies = {p.id: p for p in engine.policies}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule_index(finding: Finding) -> int:
        if finding.policy_id not in index:
            index[finding.policy_id] = len(rules)
            policy = policies.get(finding.policy_id)
            rule: dict[str, Any] = {
                "id": finding.policy_id,
                "shortDescription": {"text": policy.title if policy else finding.policy_id},
                "defaultConfiguration": {"level": _SARIF_LEVEL[finding.enforcement.blocking]},
                "properties": {
                    "enforcement": finding.enforcement.value,
                    "severity": finding.severity.value,
                    "references": list(finding.references),
                },
            }
            if policy is not None and policy.description:
                rule["fullDescription"] = {"text": " ".join(policy.description.split())}
            if finding.remediation:
                rule["help"] = {"text": finding.remediation}
            if finding.seed_section:
                rule["properties"]["seed_section"] = finding.seed_section
            rules.append(rule)
        return index[finding.policy_id]

    sarif_results: list[dict[str, Any]] = []
    for result in results:
        for verdict in result.verdicts:
            for finding in verdict.findings:
                if finding.outcome not in (Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED):
                    continue
                sarif_results.append(_sarif_result(result, verdict, finding, rule_index))
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aimo",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not problems,
                        "toolExecutionNotifications": [_sarif_problem(p) for p in problems],
                    }
                ],
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False)


def _sarif_problem(problem: Problem) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "level": "error",
        "message": {"text": f"{problem.path or '/'}: {problem.message}"},
        "descriptor": {"id": "document-valid"},
    }
    if problem.file is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": Path(problem.file).as_posix()}}
        if problem.line is not None:
            physical["region"] = {"startLine": problem.line}
            if problem.column is not None:
                physical["region"]["startColumn"] = problem.column
        notification["locations"] = [{"physicalLocation": physical}]
    return notification


def _sarif_result(
    result: Result, verdict: Verdict, finding: Finding, rule_index: Any
) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": Path(location.file if location else result.file).as_posix()}
    }
    if location is not None and location.line is not None:
        physical["region"] = {"startLine": location.line}
        if location.column is not None:
            physical["region"]["startColumn"] = location.column
    entry: dict[str, Any] = {
        "ruleId": finding.policy_id,
        "ruleIndex": rule_index(finding),
        "level": _SARIF_LEVEL[finding.enforcement.blocking],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {"fullyQualifiedName": f"{verdict.workflow_id}{finding.path}", "kind": "member"}
                ],
            }
        ],
        "properties": {
            "workflow_id": verdict.workflow_id,
            "decision": verdict.decision.value,
            "outcome": finding.outcome.value,
            "path": finding.path,
            "observed": finding.observed,
            "expected": finding.expected,
        },
    }
    if finding.outcome is Outcome.WAIVED:
        entry["suppressions"] = [{"kind": "external", "justification": finding.message}]
    return entry


def render_scores(rows: Sequence[tuple[str, str, UseCaseScore]]) -> str:
    """Use-case scores as a table, each followed by the reasons behind it."""
    if not rows:
        return ""
    table = [("WORKFLOW", "RECURRENCE", "MEASURABLE", "DECISION", "TOTAL", "QUALIFIES")]
    table += [
        (
            workflow_id,
            str(s.recurrence),
            str(s.measurability),
            str(s.decision_impact),
            f"{s.total}/9",
            "yes" if s.qualifies else f"no (needs {s.min_score})",
        )
        for _, workflow_id, s in rows
    ]
    lines = _columns(table)
    for _, workflow_id, s in rows:
        lines += ["", f"  {printable(workflow_id)}:"]
        lines += [f"    - {printable(reason)}" for reason in s.reasons]
    return "\n".join(lines) + "\n"
