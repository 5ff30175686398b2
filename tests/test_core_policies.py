"""Every core policy made to pass, to fail, and to be not applicable where the spec says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

import aimo
from aimo._documents.pointer import resolve
from aimo._engine.observed import jsonable
from aimo._policies import core as _core_policies
from aimo._policies import run as _run_policies
from conftest import DELETE, findings_of, make

PERSONAL_BOUNDARY = {"allowed": ["public", "internal", "personal"]}
WAIVER = {
    "policy": "escalation-path-present",
    "reason": "Agency on-call rota being set up",
    "approved_by": "Priya Natarajan",
    "ticket": "GOV-142",
    "expires": "2026-12-31",
}

# review-current observes the last review date, read from the history when
# /review/last_reviewed is absent; every other failure observes what is at its path.
OBSERVED_ISNT_THE_VALUE = frozenset({"review-current"})

# (policy id, expected outcome, changes to the compliant workflow, expected failing paths)
CASES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("use-case-qualifies", "pass", {}, []),
    ("use-case-qualifies", "pass", {"stage": "idea"}, []),
    ("use-case-qualifies", "fail", {"use_case.recurrence": "ad_hoc"}, ["/use_case/recurrence"]),
    ("use-case-qualifies", "fail", {"use_case.recurrence": DELETE}, ["/use_case/recurrence"]),
    (
        "use-case-qualifies",
        "fail",
        {"use_case.success_measure": DELETE},
        ["/use_case/success_measure"],
    ),
    ("use-case-qualifies", "fail", {"use_case.decision": DELETE}, ["/use_case/decision"]),
    (
        "use-case-qualifies",
        "fail",
        {"stage": "idea", "use_case": DELETE},
        # Every gap, then the score (0 of 9) below the threshold.
        ["/use_case/recurrence", "/use_case/success_measure", "/use_case/decision", "/use_case"],
    ),
    # A use case with no gap that scores below the model's threshold (quarterly work
    # measured in words only: 1 + 1 + 3 = 5 of 9, below the default 6).
    (
        "use-case-qualifies",
        "fail",
        {
            "use_case.recurrence": "quarterly",
            "use_case.success_measure": {"description": "Fewer complaints"},
        },
        ["/use_case"],
    ),
    ("use-case-qualifies", "not_applicable", {"stage": "retired"}, []),
    ("owner-named", "pass", {}, []),
    ("owner-named", "fail", {"owner": DELETE}, ["/owner"]),
    ("owner-named", "fail", {"owner.email": DELETE}, ["/owner/email"]),
    ("owner-named", "fail", {"owner.name": DELETE}, ["/owner/name"]),
    ("owner-named", "not_applicable", {"stage": "idea", "owner": DELETE}, []),
    ("owner-named", "not_applicable", {"stage": "retired", "owner": DELETE}, []),
    ("reviewer-named", "pass", {}, []),
    ("reviewer-named", "fail", {"reviewer": DELETE}, ["/reviewer"]),
    # At light review the owner may review their own work.
    (
        "reviewer-named",
        "pass",
        {"reviewer": {"name": "Dana Lee", "email": "dana.lee@example.com"}},
        [],
    ),
    (
        "reviewer-named",
        "fail",
        {
            "consequence": "medium",
            "review_tier": "standard",
            "reviewer": {"name": "D. Lee", "email": "Dana.Lee@Example.com"},
        },
        ["/reviewer"],
    ),
    (
        "reviewer-named",
        "fail",
        {
            "consequence": "high",
            "review_tier": "heavy",
            "owner": {"name": "Dana Lee"},
            "reviewer": {"name": "Dana Lee"},
        },
        ["/reviewer"],
    ),
    (
        "reviewer-named",
        "pass",
        {"consequence": "high", "review_tier": "heavy", "reviewer.name": "Dana Lee"},
        [],
    ),
    ("reviewer-named", "not_applicable", {"stage": "idea", "reviewer": DELETE}, []),
    ("data-boundary-defined", "pass", {}, []),
    ("data-boundary-defined", "fail", {"data_boundary": DELETE}, ["/data_boundary"]),
    ("data-boundary-defined", "fail", {"data_boundary.allowed": []}, ["/data_boundary/allowed"]),
    ("data-boundary-defined", "not_applicable", {"stage": "idea", "data_boundary": DELETE}, []),
    ("approved-inputs-listed", "pass", {}, []),
    ("approved-inputs-listed", "fail", {"inputs": []}, ["/inputs"]),
    (
        "approved-inputs-listed",
        "fail",
        {"inputs": [{"name": "a", "classification": "public"}, {"name": "b"}]},
        ["/inputs/1/classification"],
    ),
    ("approved-inputs-listed", "not_applicable", {"stage": "idea", "inputs": []}, []),
    ("data-boundary-allowed", "pass", {}, []),
    (
        "data-boundary-allowed",
        "fail",
        {
            "inputs": [
                {"name": "crm", "classification": "personal"},
                {"name": "ga4", "classification": "internal"},
                {"name": "deals", "classification": "confidential"},
            ]
        },
        ["/inputs/0/classification", "/inputs/2/classification"],
    ),
    ("data-boundary-allowed", "fail", {"data_boundary": DELETE}, ["/inputs/0/classification"]),
    (
        "data-boundary-allowed",
        "not_applicable",
        {"stage": "idea", "inputs": [{"name": "crm", "classification": "personal"}]},
        [],
    ),
    ("output-standard-defined", "pass", {}, []),
    (
        "output-standard-defined",
        "fail",
        {"output_standard.description": DELETE},
        ["/output_standard/description"],
    ),
    (
        "output-standard-defined",
        "fail",
        {"output_standard": DELETE},
        ["/output_standard/description"],
    ),
    ("output-standard-defined", "not_applicable", {"stage": "idea", "output_standard": DELETE}, []),
    ("escalation-path-present", "pass", {"consequence": "medium", "review_tier": "standard"}, []),
    (
        "escalation-path-present",
        "fail",
        {"consequence": "medium", "review_tier": "standard", "escalation.contacts": []},
        ["/escalation/contacts"],
    ),
    (
        "escalation-path-present",
        "fail",
        {"consequence": "critical", "review_tier": "heavy", "escalation": DELETE},
        ["/escalation/contacts", "/escalation/steps"],
    ),
    ("escalation-path-present", "not_applicable", {"escalation": DELETE}, []),
    ("escalation-path-present", "not_applicable", {"consequence": DELETE}, []),
    (
        "escalation-path-present",
        "not_applicable",
        {"stage": "idea", "consequence": "high", "escalation": DELETE},
        [],
    ),
    ("tier-matches-consequence", "pass", {}, []),
    ("tier-matches-consequence", "pass", {"review_tier": "heavy"}, []),
    ("tier-matches-consequence", "fail", {"consequence": DELETE}, ["/consequence"]),
    ("tier-matches-consequence", "fail", {"review_tier": DELETE}, ["/review_tier"]),
    (
        "tier-matches-consequence",
        "fail",
        {"consequence": "high", "review_tier": "standard"},
        ["/review_tier"],
    ),
    ("tier-matches-consequence", "not_applicable", {"stage": "idea", "consequence": DELETE}, []),
    ("consequence-matches-exposure", "pass", {}, []),
    (
        "consequence-matches-exposure",
        "pass",
        {"audience": "public", "consequence": "medium", "review_tier": "standard"},
        [],
    ),
    ("consequence-matches-exposure", "fail", {"audience": "public"}, ["/consequence"]),
    (
        "consequence-matches-exposure",
        "fail",
        {
            "audience": "public",
            "consequence": "medium",
            "review_tier": "standard",
            "content.makes_claims": True,
        },
        ["/consequence"],
    ),
    (
        "consequence-matches-exposure",
        "pass",
        {
            "audience": "public",
            "consequence": "high",
            "review_tier": "heavy",
            "content.makes_claims": True,
        },
        [],
    ),
    # Claims made only internally need no more than their rating.
    ("consequence-matches-exposure", "pass", {"content.makes_claims": True}, []),
    ("consequence-matches-exposure", "not_applicable", {"stage": "idea", "audience": "public"}, []),
    ("governance-proportional", "pass", {}, []),
    ("governance-proportional", "pass", {"review_tier": "standard"}, []),
    ("governance-proportional", "fail", {"review_tier": "heavy"}, ["/review_tier"]),
    ("governance-proportional", "not_applicable", {"stage": "idea", "review_tier": "heavy"}, []),
    ("infrastructure-rationale-recorded", "pass", {}, []),
    (
        "infrastructure-rationale-recorded",
        "fail",
        {"infrastructure.rationale": DELETE},
        ["/infrastructure/rationale"],
    ),
    (
        "infrastructure-rationale-recorded",
        "fail",
        {"infrastructure": DELETE},
        ["/infrastructure/choice", "/infrastructure/rationale"],
    ),
    (
        "infrastructure-rationale-recorded",
        "not_applicable",
        {"stage": "idea", "infrastructure": DELETE},
        [],
    ),
    ("sensitive-data-owned", "pass", {}, []),
    (
        "sensitive-data-owned",
        "fail",
        {
            "data_boundary": PERSONAL_BOUNDARY,
            "inputs": [
                {"name": "ga4", "classification": "internal"},
                {"name": "crm", "classification": "personal"},
            ],
        },
        ["/inputs/1/classification"],
    ),
    # A class the model does not list counts as the most sensitive.
    (
        "sensitive-data-owned",
        "fail",
        {
            "data_boundary.allowed": ["internal", "secret"],
            "inputs": [{"name": "plans", "classification": "secret"}],
        },
        ["/inputs/0/classification"],
    ),
    (
        "sensitive-data-owned",
        "pass",
        {
            "data_boundary": PERSONAL_BOUNDARY,
            "infrastructure.choice": "owned",
            "inputs": [{"name": "crm", "classification": "personal"}],
        },
        [],
    ),
    (
        "sensitive-data-owned",
        "not_applicable",
        {"stage": "idea", "inputs": [{"name": "crm", "classification": "personal"}]},
        [],
    ),
    ("infrastructure-proportional", "pass", {}, []),
    (
        "infrastructure-proportional",
        "fail",
        {"infrastructure.choice": "owned"},
        ["/infrastructure/choice"],
    ),
    (
        "infrastructure-proportional",
        "pass",
        {"infrastructure.choice": "owned", "infrastructure.reused_across_engagements": True},
        [],
    ),
    (
        "infrastructure-proportional",
        "pass",
        {
            "infrastructure.choice": "owned",
            "data_boundary": PERSONAL_BOUNDARY,
            "inputs": [{"name": "crm", "classification": "personal"}],
        },
        [],
    ),
    (
        "infrastructure-proportional",
        "not_applicable",
        {"stage": "idea", "infrastructure.choice": "owned"},
        [],
    ),
    ("production-ready", "pass", {}, []),
    ("production-ready", "fail", {"production.logging": False}, ["/production/logging"]),
    (
        "production-ready",
        "fail",
        {"production": DELETE},
        [
            "/production/review_enforced",
            "/production/logging",
            "/production/monitoring",
            "/production/went_live",
        ],
    ),
    (
        "production-ready",
        "fail",
        {"output_standard": {"checks": {"max_length": 100}}},
        ["/output_standard"],
    ),
    ("production-ready", "pass", {"output_standard.description": DELETE}, []),
    ("production-ready", "not_applicable", {"stage": "pilot", "production": DELETE}, []),
    ("review-cadence-set", "pass", {}, []),
    ("review-cadence-set", "fail", {"review.cadence_days": DELETE}, ["/review/cadence_days"]),
    ("review-cadence-set", "fail", {"review": DELETE}, ["/review/cadence_days"]),
    ("review-cadence-set", "not_applicable", {"stage": "pilot", "review": DELETE}, []),
    ("review-current", "pass", {}, []),
    # Due on 2026-11-27 exactly: not yet overdue.
    ("review-current", "pass", {"review.last_reviewed": "2026-08-29", "review.history": []}, []),
    (
        "review-current",
        "fail",
        {"review.last_reviewed": "2026-08-28", "review.history": []},
        ["/review/last_reviewed"],
    ),
    # Without last_reviewed, the latest history date counts.
    (
        "review-current",
        "pass",
        {
            "review.last_reviewed": DELETE,
            "review.history": [{"date": "2026-03-01"}, {"date": "2026-10-15"}],
        },
        [],
    ),
    (
        "review-current",
        "fail",
        {"review.last_reviewed": DELETE, "review.history": [{"date": "2026-03-01"}]},
        ["/review/last_reviewed"],
    ),
    (
        "review-current",
        "fail",
        {
            "review.last_reviewed": DELETE,
            "review.history": [],
            "production.went_live": "2026-06-01",
        },
        ["/review/last_reviewed"],
    ),
    (
        "review-current",
        "pass",
        {
            "review.last_reviewed": DELETE,
            "review.history": [],
            "production.went_live": "2026-10-01",
        },
        [],
    ),
    ("review-current", "not_applicable", {"review.cadence_days": DELETE}, []),
    ("review-current", "not_applicable", {"stage": "pilot"}, []),
    (
        "quality-drift",
        "pass",
        {
            "review.history": [
                {"date": "2026-09-01", "value": 3},
                {"date": "2026-10-01", "value": 2},
            ]
        },
        [],
    ),
    (
        "quality-drift",
        "fail",
        {
            "review.history": [
                {"date": "2026-10-01", "value": 4},
                {"date": "2026-09-01", "value": 3},
            ]
        },
        ["/review/history/0/value"],
    ),
    (
        "quality-drift",
        "fail",
        {
            "use_case.success_measure.higher_is_better": True,
            "use_case.success_measure.target": 0.8,
            "review.history": [
                {"date": "2026-09-01", "value": 0.7},
                {"date": "2026-10-01"},
                {"date": "2026-10-15", "value": 0.75},
            ],
        },
        ["/review/history/2/value"],
    ),
    # Only the last two values count: an earlier miss is history.
    (
        "quality-drift",
        "pass",
        {
            "review.history": [
                {"date": "2026-08-01", "value": 5},
                {"date": "2026-09-01", "value": 3},
                {"date": "2026-10-01", "value": 1},
            ]
        },
        [],
    ),
    ("quality-drift", "not_applicable", {}, []),
    (
        "quality-drift",
        "not_applicable",
        {
            "use_case.success_measure.target": DELETE,
            "review.history": [
                {"date": "2026-09-01", "value": 3},
                {"date": "2026-10-01", "value": 4},
            ],
        },
        [],
    ),
    ("quality-drift", "not_applicable", {"stage": "pilot"}, []),
    ("waiver-valid", "pass", {}, []),
    ("waiver-valid", "pass", {"waivers": [WAIVER]}, []),
    ("waiver-valid", "pass", {"stage": "retired", "waivers": [WAIVER]}, []),
    (
        "waiver-valid",
        "fail",
        {"waivers": [{"policy": "escalation-path-present", "expires": "2026-12-31"}]},
        ["/waivers/0/reason", "/waivers/0/approved_by"],
    ),
    ("waiver-valid", "fail", {"waivers": [{**WAIVER, "expires": DELETE}]}, []),
    (
        "waiver-valid",
        "fail",
        {"waivers": [WAIVER, {**WAIVER, "expires": "2026-11-26"}]},
        ["/waivers/1/expires"],
    ),
    # Valid through its expiry day; at most 180 days ahead.
    ("waiver-valid", "pass", {"waivers": [{**WAIVER, "expires": "2026-11-27"}]}, []),
    ("waiver-valid", "pass", {"waivers": [{**WAIVER, "expires": "2027-05-26"}]}, []),
    (
        "waiver-valid",
        "fail",
        {"waivers": [{**WAIVER, "expires": "2027-05-27"}]},
        ["/waivers/0/expires"],
    ),
    (
        "waiver-valid",
        "fail",
        {"waivers": [{**WAIVER, "policy": "no-such-policy"}]},
        ["/waivers/0/policy"],
    ),
    (
        "waiver-valid",
        "fail",
        {"waivers": [{**WAIVER, "policy": "owner-named"}]},
        ["/waivers/0/policy"],
    ),
    # The check on waivers cannot itself be waived.
    (
        "waiver-valid",
        "fail",
        {"waivers": [{**WAIVER, "policy": "waiver-valid"}]},
        ["/waivers/0/policy"],
    ),
    (
        "waiver-valid",
        "fail",
        {"stage": "retired", "waivers": [{**WAIVER, "reason": DELETE}]},
        ["/waivers/0/reason"],
    ),
    ("waiver-expiring", "pass", {"waivers": [WAIVER]}, []),
    ("waiver-expiring", "pass", {"waivers": [{**WAIVER, "expires": "2026-12-12"}]}, []),
    (
        "waiver-expiring",
        "fail",
        {"waivers": [{**WAIVER, "expires": "2026-12-11"}]},
        ["/waivers/0/expires"],
    ),
    (
        "waiver-expiring",
        "fail",
        {"waivers": [{**WAIVER, "expires": "2026-11-27"}]},
        ["/waivers/0/expires"],
    ),
    (
        "waiver-expiring",
        "fail",
        {"stage": "retired", "waivers": [{**WAIVER, "expires": "2026-12-01"}]},
        ["/waivers/0/expires"],
    ),
    # An invalid waiver is reported by waiver-valid, not as expiring.
    ("waiver-expiring", "pass", {"waivers": [{**WAIVER, "expires": "2026-11-20"}]}, []),
]


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    """Drop DELETE markers nested inside waiver dicts (``{**WAIVER, "x": DELETE}``)."""
    waivers = changes.get("waivers")
    if isinstance(waivers, list):
        changes = dict(changes)
        changes["waivers"] = [{k: v for k, v in w.items() if v is not DELETE} for w in waivers]
    return changes


@pytest.mark.parametrize(
    ("policy_id", "outcome", "changes", "paths"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_policy_outcome(
    evaluate: Callable[..., aimo.Verdict],
    policy_id: str,
    outcome: str,
    changes: dict[str, Any],
    paths: list[str],
) -> None:
    workflow = make(_clean(changes))
    verdict = evaluate(workflow)
    found = findings_of(verdict, policy_id)
    assert found, f"{policy_id} reported nothing"
    assert {f.outcome.value for f in found} == {outcome}, [f.message for f in found]
    if outcome == "fail" and paths:
        assert [f.path for f in found] == paths
    for finding in found:
        assert finding.message
        if outcome == "fail":
            assert finding.path.startswith("/")
            assert finding.remediation
            assert finding.expected is not None
            # Sentences follow one another after a full stop: several started after a
            # colon, inside another, read as a garbled list to a marketing manager.
            assert not re.search(r": [A-Z][^.]*\. [A-Z]", finding.message), finding.message
            # What a finding shows as observed is what sits at the path it points to.
            if policy_id not in OBSERVED_ISNT_THE_VALUE:
                model = aimo.Workflow.model_validate(workflow)
                assert finding.observed == jsonable(resolve(model, finding.path))


def test_every_core_policy_is_made_to_pass_fail_and_not_apply(engine: aimo.Engine) -> None:
    covered: dict[str, set[str]] = {}
    for policy_id, outcome, _, _ in CASES:
        covered.setdefault(policy_id, set()).add(outcome)
    always_apply = {"waiver-valid", "waiver-expiring"}
    # Model-level policies judge the model, not a workflow: see test_model_policies.py.
    for policy in (p for p in _core_policies.POLICIES if p.scope == "workflow"):
        wanted = {"pass", "fail"} | (set() if policy.id in always_apply else {"not_applicable"})
        assert wanted <= covered.get(policy.id, set()), policy.id


def test_compliant_workflow_is_allowed(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make())
    assert verdict.decision is aimo.Decision.ALLOW
    assert verdict.failures == []


def test_core_policy_table_matches_the_spec(engine: aimo.Engine) -> None:
    table = {
        "use-case-qualifies": ("idea", "mandatory"),
        "owner-named": ("pilot", "hard_mandatory"),
        "reviewer-named": ("pilot", "mandatory"),
        "data-boundary-defined": ("pilot", "mandatory"),
        "approved-inputs-listed": ("pilot", "mandatory"),
        "data-boundary-allowed": ("pilot", "hard_mandatory"),
        "output-standard-defined": ("pilot", "mandatory"),
        "escalation-path-present": ("pilot", "mandatory"),
        "tier-matches-consequence": ("pilot", "hard_mandatory"),
        "consequence-matches-exposure": ("pilot", "mandatory"),
        "governance-proportional": ("pilot", "advisory"),
        "infrastructure-rationale-recorded": ("pilot", "mandatory"),
        "sensitive-data-owned": ("pilot", "hard_mandatory"),
        "infrastructure-proportional": ("pilot", "advisory"),
        "production-ready": ("production", "hard_mandatory"),
        "review-cadence-set": ("production", "mandatory"),
        "review-current": ("production", "mandatory"),
        "quality-drift": ("production", "advisory"),
        "waiver-valid": ("idea", "mandatory"),
        "waiver-expiring": ("idea", "advisory"),
        # spec 5.3: a model-level policy; it judges the model, so its stage is not used.
        "decisions-recorded": ("pilot", "mandatory"),
    }
    # The run policies of spec 4.3 are checked in test_run_policies.py.
    core = [p for p in engine.policies if p.pack is None and p not in _run_policies.POLICIES]
    assert [p.id for p in core] == list(table)
    for policy in core:
        assert (policy.applies_from.value, policy.enforcement.value) == table[policy.id]
        assert policy.title
        assert policy.seed_section
        assert policy.references
        assert policy.remediation
        assert policy.description


def test_tiers_come_from_the_operating_model(evaluate: Callable[..., aimo.Verdict]) -> None:
    strict = aimo.OperatingModel(tiers={"low": {"review_tier": "standard"}})
    verdict = evaluate(make(), model=strict)
    assert verdict.required_tier is aimo.ReviewTier.STANDARD
    [finding] = findings_of(verdict, "tier-matches-consequence")
    assert finding.outcome is aimo.Outcome.FAIL
    assert (finding.observed, finding.expected) == ("light", "standard")
    assert verdict.decision is aimo.Decision.DENY


def test_public_tool_ceiling_comes_from_the_operating_model(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    strict = aimo.OperatingModel(public_tools_max_class="public")
    [finding] = findings_of(evaluate(make(), model=strict), "sensitive-data-owned")
    assert finding.outcome is aimo.Outcome.FAIL
    assert finding.observed == "internal"


def test_no_consequence_means_no_required_tier(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"consequence": DELETE}))
    assert verdict.required_tier is None
    assert verdict.decision is aimo.Decision.DENY
