"""Assertion helpers: each raises ``AssertionError`` with the verdict printed readably."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from aimo._engine.verdict import Decision, Finding, Outcome, Verdict

__all__ = [
    "assert_allows",
    "assert_denies",
    "assert_fails",
    "assert_not_applicable",
    "assert_passes",
    "assert_waived",
    "assert_warns",
    "decision_problem",
    "describe_verdict",
    "outcome_problem",
]


_DECISION_WORDS = {
    Decision.ALLOW: "allowed",
    Decision.WARN: "allowed with a warning",
    Decision.DENY: "denied",
}


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def _finding_lines(finding: Finding, *, with_id: bool) -> list[str]:
    name = f" {finding.policy_id}" if with_id else ""
    blocks = ""
    if finding.failed:
        blocks = {
            "shadow": ", reported only",
            "advisory": ", does not block",
        }.get(finding.enforcement.value, ", blocks")
    where = finding.path or "/"
    if finding.location is not None and finding.location.line is not None:
        where += f" ({finding.location.file}:{finding.location.line})"
    lines = [
        f"  {finding.outcome.value}{name} at {where} [{finding.enforcement.value}{blocks}]",
        f"      {finding.message}",
    ]
    if finding.outcome in (Outcome.FAIL, Outcome.WAIVED):
        lines.append(f"      observed: {_value(finding.observed)}")
        lines.append(f"      expected: {_value(finding.expected)}")
    return lines


def describe_verdict(verdict: Verdict, policy_ids: Iterable[str] = ()) -> str:
    """The verdict as text for a person: the decision, the findings of ``policy_ids``, and
    every failure (outcome fail or error)."""
    stage = f" at stage {verdict.stage.value}" if verdict.stage else ""
    lines = [
        f"Workflow {verdict.workflow_id!r}{stage} was {_DECISION_WORDS[verdict.decision]} "
        f"(decision {verdict.decision.value})."
    ]
    for policy_id in dict.fromkeys(policy_ids):
        findings = [f for f in verdict.findings if f.policy_id == policy_id]
        if not findings:
            lines.append(
                f"No finding of {policy_id!r}: the engine that judged it has no such policy."
            )
            continue
        lines.append(f"Findings of {policy_id!r}:")
        for finding in findings:
            lines.extend(_finding_lines(finding, with_id=False))
    failures = verdict.failures
    if failures:
        lines.append(f"All failures ({len(failures)}):")
        for finding in failures:
            lines.extend(_finding_lines(finding, with_id=True))
    else:
        lines.append("No policy failed.")
    return "\n".join(lines)


def _what_happened(findings: Sequence[Finding]) -> str:
    """What a policy's findings amount to, as the end of a sentence."""
    parts: list[str] = []
    by_outcome: dict[Outcome, list[str]] = {}
    for finding in findings:
        by_outcome.setdefault(finding.outcome, []).append(finding.path or "/")
    words = {
        Outcome.PASS: "it passed",
        Outcome.NOT_APPLICABLE: "it did not apply",
        Outcome.FAIL: "it failed at {}",
        Outcome.WAIVED: "it was waived at {}",
        Outcome.ERROR: "it could not be checked (the policy raised an error)",
    }
    for outcome, paths in by_outcome.items():
        parts.append(words[outcome].format(", ".join(paths)))
    return "; ".join(parts)


def _findings(verdict: Verdict, policy_id: str) -> list[Finding]:
    return [f for f in verdict.findings if f.policy_id == policy_id]


def decision_problem(verdict: Verdict, expected: Decision) -> str | None:
    if verdict.decision is expected:
        return None
    return (
        f"Expected the workflow to be {_DECISION_WORDS[expected]} ({expected.value}), "
        f"but it was {_DECISION_WORDS[verdict.decision]} ({verdict.decision.value})."
    )


_EXPECTED_WORDS = {
    Outcome.FAIL: "to fail",
    Outcome.WAIVED: "to be waived",
    Outcome.PASS: "to pass",
    Outcome.NOT_APPLICABLE: "not to apply",
}


def outcome_problem(
    verdict: Verdict, policy_id: str, outcome: Outcome, path: str | None = None
) -> str | None:
    """Why the policy's findings do not show ``outcome`` (at ``path``), or None when they do.

    fail and waived need one such finding; pass and not_applicable need every finding.
    """
    findings = _findings(verdict, policy_id)
    at = f" at {path or '/'}" if path is not None else ""
    expectation = f"Expected {policy_id!r} {_EXPECTED_WORDS[outcome]}{at}"
    if not findings:
        return (
            f"{expectation}, but no policy with that id judged the workflow "
            "(is the id spelled right, and does the engine load the policy?)."
        )
    if outcome in (Outcome.FAIL, Outcome.WAIVED):
        met = any(f.outcome is outcome and (path is None or f.path == path) for f in findings)
    else:
        met = all(f.outcome is outcome for f in findings)
    if met:
        return None
    return f"{expectation}, but {_what_happened(findings)}."


def _raise(problem: str | None, verdict: Verdict, policy_ids: Iterable[str] = ()) -> None:
    __tracebackhide__ = True
    if problem is not None:
        raise AssertionError(f"{problem}\n\n{describe_verdict(verdict, policy_ids)}")


def assert_allows(verdict: Verdict) -> None:
    """Assert that the decision is ``allow``: nothing failed, not even an advisory policy."""
    __tracebackhide__ = True
    _raise(decision_problem(verdict, Decision.ALLOW), verdict)


def assert_warns(verdict: Verdict) -> None:
    """Assert that the decision is ``warn``: something failed, but nothing that blocks."""
    __tracebackhide__ = True
    _raise(decision_problem(verdict, Decision.WARN), verdict)


def assert_denies(verdict: Verdict) -> None:
    """Assert that the decision is ``deny``: a blocking policy failed."""
    __tracebackhide__ = True
    _raise(decision_problem(verdict, Decision.DENY), verdict)


def assert_fails(verdict: Verdict, policy_id: str, path: str | None = None) -> None:
    """Assert that the policy has a ``fail`` finding (at the JSON Pointer ``path``, if given).

    A waived or ``error`` finding does not count: use :func:`assert_waived` for the first,
    and fix the policy for the second.
    """
    __tracebackhide__ = True
    _raise(outcome_problem(verdict, policy_id, Outcome.FAIL, path), verdict, [policy_id])


def assert_passes(verdict: Verdict, policy_id: str) -> None:
    """Assert that every finding of the policy is ``pass``."""
    __tracebackhide__ = True
    _raise(outcome_problem(verdict, policy_id, Outcome.PASS), verdict, [policy_id])


def assert_not_applicable(verdict: Verdict, policy_id: str) -> None:
    """Assert that every finding of the policy is ``not_applicable``."""
    __tracebackhide__ = True
    _raise(outcome_problem(verdict, policy_id, Outcome.NOT_APPLICABLE), verdict, [policy_id])


def assert_waived(verdict: Verdict, policy_id: str, path: str | None = None) -> None:
    """Assert that the policy has a ``waived`` finding (at ``path``, if given)."""
    __tracebackhide__ = True
    _raise(outcome_problem(verdict, policy_id, Outcome.WAIVED, path), verdict, [policy_id])
