"""The hot loop: one workflow judged against an engine's policies, into one verdict.

Kept apart from registration and configuration (as pluggy keeps its call loop apart from
its plugin manager): this is the code every evaluation runs, and most policies pass or do
not apply, so those cost one call and one prebuilt finding. Anything else goes through
:func:`_findings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import islice
from typing import Any

from aimo._documents.models import OperatingModel, Stage, Waiver, Workflow
from aimo._documents.pointer import resolve
from aimo._documents.source import Location, source_of
from aimo._engine.observed import jsonable
from aimo._engine.policy import MISSING, Context, NotApplicable, Policy, Violation
from aimo._engine.verdict import (
    Decision,
    Enforcement,
    Finding,
    NextEnforcement,
    Outcome,
    PolicyRef,
    Verdict,
    built,
)
from aimo._engine.waivers import valid_waiver_indexes
from aimo._errors import PolicyError, cut

__all__ = ["MAX_VIOLATIONS", "Entry", "describe", "judge", "judge_model"]

#: The most violations one policy may report for one workflow; more is a bug in the policy.
MAX_VIOLATIONS = 10_000

MANDATORY, ADVISORY, SHADOW = Enforcement.MANDATORY, Enforcement.ADVISORY, Enforcement.SHADOW
ALLOW, WARN, DENY = Decision.ALLOW, Decision.WARN, Decision.DENY


class Entry:
    """A policy as an engine runs it: where it came from, its level after configuration, and
    the findings that are the same for every workflow, built once."""

    __slots__ = (
        "applies",
        "builtin",
        "check",
        "enforcement",
        "next_enforcement",
        "not_applicable",
        "not_applicable_reasons",
        "passed",
        "policy",
        "ref",
    )

    def __init__(
        self,
        policy: Policy,
        source: str,
        version: str | None,
        *,
        builtin: bool = False,
        enforcement: Enforcement | None = None,
        next_enforcement: NextEnforcement | None = None,
    ) -> None:
        self.policy = policy
        self.check = policy.check
        self.applies = frozenset(stage for stage in Stage if policy.applies_to(stage))
        self.builtin = builtin
        self.enforcement = enforcement if enforcement is not None else policy.enforcement
        self.next_enforcement = next_enforcement
        if policy.pack is not None:
            source, version = policy.pack, policy.pack_version
        self.ref = built(PolicyRef, {"id": policy.id, "source": source, "version": version})
        # Findings without a location are the same for every workflow: build them once.
        self.passed = self.finding(Outcome.PASS, f"{policy.title}.")
        self.not_applicable_reasons: dict[str, Finding] = {}
        self.not_applicable = {
            stage: self.finding(
                Outcome.NOT_APPLICABLE,
                f"Does not apply to a workflow at stage {stage.value}"
                + (
                    f" (it applies from {policy.applies_from.value})."
                    if stage is not Stage.RETIRED
                    else "; retired workflows are judged only on their waivers."
                ),
            )
            for stage in Stage
            if not policy.applies_to(stage)
        }

    def at(
        self, enforcement: Enforcement, next_enforcement: NextEnforcement | None = None
    ) -> Entry:
        """This entry at another enforcement level (after configuration, or on a date of its
        schedule, with the step that follows)."""
        if enforcement is self.enforcement and next_enforcement == self.next_enforcement:
            return self
        return Entry(
            self.policy,
            self.ref.source,
            self.ref.version,
            builtin=self.builtin,
            enforcement=enforcement,
            next_enforcement=next_enforcement,
        )

    def not_applicable_because(self, reason: str) -> Finding:
        """The not_applicable finding for ``reason``, built once per reason.

        Findings are frozen and carry no location, so one object serves every workflow;
        the cache is bounded in case a policy words its reasons differently each time.
        """
        cached = self.not_applicable_reasons.get(reason)
        if cached is None:
            cached = self.finding(Outcome.NOT_APPLICABLE, reason)
            if len(self.not_applicable_reasons) < 64:
                self.not_applicable_reasons[reason] = cached
        return cached

    def finding(
        self,
        outcome: Outcome,
        message: str,
        *,
        path: str = "",
        observed: Any = None,
        expected: Any = None,
        remediation: str | None = None,
        location: Location | None = None,
    ) -> Finding:
        policy = self.policy
        return built(
            Finding,
            {
                "policy_id": policy.id,
                "outcome": outcome,
                "severity": policy.severity,
                "enforcement": self.enforcement,
                "message": message,
                "path": path,
                "observed": observed,
                "expected": expected,
                "remediation": remediation if remediation is not None else policy.remediation,
                "seed_section": policy.seed_section,
                "references": policy.references,
                "location": location,
                "next_enforcement": self.next_enforcement,
            },
        )


def judge(
    entries: Sequence[Entry],
    policy_set: tuple[PolicyRef, ...],
    workflow: Workflow,
    ctx: Context,
) -> Verdict:
    """The verdict of ``workflow``: every entry's findings, waivers applied, the decision."""
    stage = workflow.stage
    waivers = (
        [workflow.waivers[i] for i in valid_waiver_indexes(workflow, ctx)]
        if workflow.waivers
        else None
    )
    findings: list[Finding] = []
    append = findings.append
    blocked = failed = False
    for entry in entries:
        if stage not in entry.applies:
            append(entry.not_applicable[stage])
            continue
        try:
            produced = entry.check(workflow, ctx)
            if produced is None:
                append(entry.passed)
                continue
            # A check that never stops yielding is cut off, and counts as an error.
            items = (
                produced if type(produced) is list else list(islice(produced, MAX_VIOLATIONS + 1))
            )
            if not items:
                append(entry.passed)
                continue
            if len(items) == 1 and type(items[0]) is NotApplicable:
                append(entry.not_applicable_because(items[0].reason))
                continue
            produced_findings = _findings(entry, items, workflow)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            # Anything a policy raises, SystemExit and GeneratorExit included, is that
            # policy's error: it counts as failed (fail closed) and ends nothing else.
            produced_findings = [_error(entry, exc)]
        for item in produced_findings:
            outcome = item.outcome
            if outcome is not Outcome.FAIL and outcome is not Outcome.ERROR:
                append(item)
                continue
            enforcement = entry.enforcement
            if enforcement is SHADOW:
                # Reported and logged; it never changes the decision, not even to warn.
                append(item)
                continue
            if waivers and outcome is Outcome.FAIL and enforcement is MANDATORY:
                item = _waive(item, waivers)
                if item.outcome is Outcome.WAIVED:
                    append(item)
                    continue
            failed = True
            blocked = blocked or enforcement is not ADVISORY
            append(item)
    return built(
        Verdict,
        {
            "workflow_id": workflow.id,
            "stage": stage,
            "decision": DENY if blocked else WARN if failed else ALLOW,
            "required_tier": ctx.model.required_tier(workflow.consequence),
            "findings": findings,
            "evaluated_at": dt.datetime.now(dt.UTC),
            "policy_set": policy_set,
        },
        {"_digest": None, "_document": workflow},
    )


def judge_model(
    entries: Sequence[Entry],
    policy_set: tuple[PolicyRef, ...],
    model: OperatingModel,
    ctx: Context,
    name: str,
) -> Verdict:
    """The verdict of an operating model as a whole: its model-level policies' findings.

    Decided as a workflow's is, with no stage (every model-level policy applies) and no
    waivers (a model has none). ``name`` is what the verdict calls the model.
    """
    findings: list[Finding] = []
    append = findings.append
    blocked = failed = False
    # A check's result is read as judge reads it. judge keeps that reading inline, because
    # it runs for every policy of every workflow, where a function call per policy would be
    # paid millions of times; so the two are changed together.
    for entry in entries:
        try:
            # A model-level policy's check takes the model where others take a workflow.
            produced = entry.check(model, ctx)  # type: ignore[arg-type]
            if produced is None:
                append(entry.passed)
                continue
            items = (
                produced if type(produced) is list else list(islice(produced, MAX_VIOLATIONS + 1))
            )
            if not items:
                append(entry.passed)
                continue
            if len(items) == 1 and type(items[0]) is NotApplicable:
                append(entry.not_applicable_because(items[0].reason))
                continue
            produced_findings = _findings(entry, items, model)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            produced_findings = [_error(entry, exc)]
        for item in produced_findings:
            append(item)
            if item.failed and entry.enforcement is not SHADOW:
                failed = True
                blocked = blocked or entry.enforcement is not ADVISORY
    return built(
        Verdict,
        {
            "workflow_id": name,
            "stage": None,
            "decision": DENY if blocked else WARN if failed else ALLOW,
            "required_tier": None,
            "findings": findings,
            "evaluated_at": dt.datetime.now(dt.UTC),
            "policy_set": policy_set,
        },
        {"_digest": None, "_document": model},
    )


def _waive(finding: Finding, waivers: list[Waiver]) -> Finding:
    """The finding, waived by the first valid waiver that covers it, if any."""
    for waiver in waivers:
        if waiver.policy == finding.policy_id and waiver.covers(finding.path):
            until = waiver.expires.isoformat() if waiver.expires else "?"
            return finding.model_copy(
                update={
                    "outcome": Outcome.WAIVED,
                    "message": f"{finding.message} Waived until {until}, approved by "
                    f"{waiver.approved_by}: {waiver.reason}",
                }
            )
    return finding


def _findings(entry: Entry, items: list[Any], workflow: Workflow | OperatingModel) -> list[Finding]:
    """The fail findings of the violations one policy yielded, about a workflow or, for a
    model-level policy, the operating model."""
    if len(items) > MAX_VIOLATIONS:
        raise PolicyError(
            f"the check yielded more than {MAX_VIOLATIONS:,} violations for one workflow"
        )
    source = source_of(workflow)
    findings = []
    for item in items:
        if not isinstance(item, Violation):
            raise TypeError(
                f"the check yielded {item!r}; it may yield Violation objects, or a single "
                "NotApplicable"
            )
        observed = item.observed
        if observed is MISSING:
            observed = resolve(workflow, item.path)
        findings.append(
            entry.finding(
                Outcome.FAIL,
                item.message,
                path=item.path,
                observed=jsonable(observed),
                expected=jsonable(item.expected),
                remediation=item.remediation,
                # A run's paths (/run/...) are not in the workflow's file.
                location=(
                    source.locate(item.path)
                    if source is not None and not item.path.startswith("/run/")
                    else None
                ),
            )
        )
    return findings


def describe(exc: BaseException) -> str:
    """An exception as one line: its type and message, cut to a readable length."""
    text = str(exc)
    return f"{type(exc).__name__}: {cut(text)}" if text else type(exc).__name__


def _error(entry: Entry, exc: BaseException) -> Finding:
    """The finding of a policy that raised: it counts as failed (fail closed)."""
    return entry.finding(
        Outcome.ERROR,
        f"This policy could not be checked, so it counts as failed: {describe(exc)}",
        remediation=f"Report the error to the maintainers of {entry.ref.source}.",
    )
