"""``aimo check --format sarif``: SARIF 2.1.0 for code-scanning tools."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun
from aimo._documents.printable import json_safe
from aimo._engine.refusal import DOCUMENT_VALID
from aimo._engine.verdict import Enforcement, Finding, Outcome, Verdict
from aimo._errors import Problem
from aimo._version import __version__

__all__ = ["FORMAT"]


#: A blocking failure is an error, an advisory one a warning, a shadow one a note.
_SARIF_LEVEL = {
    Enforcement.HARD_MANDATORY: "error",
    Enforcement.MANDATORY: "error",
    Enforcement.ADVISORY: "warning",
    Enforcement.SHADOW: "note",
}


def _write(run: CheckRun, out: TextIO) -> None:
    """The failing and waived findings as a SARIF 2.1.0 log, for code-scanning tools.

    Every policy is a rule; each failing finding is a result, ``error`` when it blocks,
    ``warning`` when it is advisory and ``note`` in shadow; a waived finding is a result
    with an external suppression carrying the waiver's justification. Passing findings are
    left out, as linters leave out the checks that passed. Problems with the input (a file
    that could not be read or validated) make the run unsuccessful and are listed as error
    notifications at their place, so that an upload never looks clean when it was not.
    """
    policies = {p.id: p for p in run.engine.policies}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule_index(finding: Finding) -> int:
        if finding.policy_id not in index:
            index[finding.policy_id] = len(rules)
            policy = policies.get(finding.policy_id)
            rule: dict[str, Any] = {
                "id": finding.policy_id,
                "shortDescription": {"text": policy.title if policy else finding.policy_id},
                "defaultConfiguration": {"level": _SARIF_LEVEL[finding.enforcement]},
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
            if policy is not None and policy.controls:
                # Code-scanning tools filter and group rules by tag: one per framework
                # control, so that findings can be read by control.
                rule["properties"]["tags"] = [f"{c.framework} {c.id}" for c in policy.controls]
            rules.append(rule)
        return index[finding.policy_id]

    sarif_results: list[dict[str, Any]] = []
    for section in run.sections():
        if section.engine is not run.engine:
            # Policies that a model's packs add are rules too.
            for policy in section.engine.policies:
                policies.setdefault(policy.id, policy)
        # The model's own verdict first, then each workflow's as it is judged.
        first = [section.model_verdict] if section.model_verdict is not None else []
        for verdict in itertools.chain(first, (v for _, v in section.judged)):
            for finding in verdict.findings:
                if finding.outcome not in (Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED):
                    continue
                sarif_results.append(_sarif_result(section.file, verdict, finding, rule_index))
    problems = run.problems
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
    out.write(json_safe(json.dumps(log, indent=2, ensure_ascii=False, allow_nan=False)) + "\n")


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


def _sarif_result(file: str, verdict: Verdict, finding: Finding, rule_index: Any) -> dict[str, Any]:
    location = finding.location
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": Path(location.file if location else file).as_posix()}
    }
    if location is not None and location.line is not None:
        physical["region"] = {"startLine": location.line}
        if location.column is not None:
            physical["region"]["startColumn"] = location.column
    entry: dict[str, Any] = {
        "ruleId": finding.policy_id,
        "ruleIndex": rule_index(finding),
        "level": _SARIF_LEVEL[finding.enforcement],
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
    if finding.policy_id == DOCUMENT_VALID and isinstance(finding.observed, list):
        # A refused workflow: each of its problems at its own place in the file.
        related = [_related(i, p) for i, p in enumerate(finding.observed) if p.get("file")]
        if related:
            entry["relatedLocations"] = related
    if finding.outcome is Outcome.WAIVED:
        entry["suppressions"] = [{"kind": "external", "justification": finding.message}]
    return entry


def _related(index: int, problem: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": Path(problem["file"]).as_posix()}}
    if problem.get("line") is not None:
        physical["region"] = {"startLine": problem["line"]}
        if problem.get("column") is not None:
            physical["region"]["startColumn"] = problem["column"]
    text = f"{problem.get('path') or '/'}: {problem.get('message', '')}"
    return {"id": index, "physicalLocation": physical, "message": {"text": text}}


FORMAT = Format("sarif", "SARIF 2.1.0, for code-scanning tools", _write)
