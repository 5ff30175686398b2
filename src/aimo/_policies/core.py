"""The 20 core policies of spec section 2, registered like any third-party plugin.

Each check's docstring is its entry in the policy reference (``docs/reference/policies.md``
is generated from it): the first paragraph says what it checks, the rest why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from aimo._documents.dates import shift
from aimo._documents.models import (
    TIER_RANK,
    Audience,
    Consequence,
    InfrastructureChoice,
    OperatingModel,
    Recurrence,
    ReviewTier,
    Workflow,
)
from aimo._documents.textfold import same_person
from aimo._engine.policy import Context, NotApplicable, Policy, Violation, policy
from aimo._engine.waivers import EXPIRY_WARNING_DAYS, valid_waiver_indexes, waiver_problems
from aimo._hooks import hookimpl
from aimo._policies.scoring import score_use_case

Findings = Iterator[Violation | NotApplicable]

USE_CASES = "Select Use Cases With Discipline"
ROLES = "Define Roles and Review"
CALIBRATE = "Calibrate Governance to Consequence"
INFRASTRUCTURE = "Decide What Belongs on Owned Infrastructure"
PRODUCTION = "Move Work Into Production Deliberately"
MONITOR = "Monitor, Review, and Retire"
EXCEPTIONS = "Calibrate Governance to Consequence (governance of exceptions)"
NEXT_STEPS = "Practical Next Steps"

NIST = "NIST AI RMF"
ISO = "ISO/IEC 42001"
DATA_REFS = (f"{NIST} MAP 4.1", f"{ISO} A.7.2")
TIER_REFS = (f"{NIST} GOVERN 1.3", f"{NIST} MAP 1.5")
INFRA_REFS = (f"{NIST} GOVERN 6.1", f"{NIST} MANAGE 3.1")
REVIEW_REFS = (f"{NIST} GOVERN 1.5",)
WAIVER_REFS = (f"{NIST} GOVERN 1.4",)


@policy(
    id="use-case-qualifies",
    title="The use case recurs, is measurable and informs a decision",
    severity="medium",
    applies_from="idea",
    seed_section=USE_CASES,
    references=(f"{NIST} MAP 1.4", f"{NIST} MAP 3.1"),
    remediation="Describe how often the work recurs, how success is measured and which "
    "decision it informs, or drop the idea.",
)
def use_case_qualifies(workflow: Workflow, ctx: Context) -> Findings:
    """Fails for each gap: the recurrence is ``ad_hoc`` or missing, there is no success
    measure, or no decision is linked. One finding per gap. Fails too when the use case
    scores below the model's ``selection.min_score`` (6 of 9 unless it sets another), with
    the score and its reasons: the same score ``aimo score`` reports.

    Strong use cases are frequent enough to repay standardisation, measurable enough to
    prove impact, and connected to a real decision. A candidate that fails these tests is a
    poor investment however impressive its demo.
    """
    use_case = workflow.use_case
    recurrence = use_case.recurrence if use_case else None
    if recurrence is None or recurrence is Recurrence.AD_HOC:
        yield Violation(
            "The work does not recur on a schedule, so standardising it with AI may not "
            "repay the effort.",
            path="/use_case/recurrence",
            expected="daily, weekly, monthly or quarterly",
        )
    if (
        use_case is None
        or use_case.success_measure is None
        or not (use_case.success_measure.description or use_case.success_measure.metric)
    ):
        yield Violation(
            "Nobody has defined what good looks like, so impact cannot be proven.",
            path="/use_case/success_measure",
            expected="a success measure with a description or a metric",
        )
    if use_case is None or not use_case.decision:
        yield Violation(
            "The output is not tied to a real decision, only to general efficiency.",
            path="/use_case/decision",
            expected="the decision the output informs",
        )
    score = score_use_case(use_case, model=ctx.model)
    if score.total < score.min_score:
        yield Violation(
            f"The use case scores {score.total} of 9, below the {score.min_score} this "
            f"operating model requires. {' '.join(score.reasons)}",
            path="/use_case",
            expected=f"a score of at least {score.min_score} of 9",
        )


@policy(
    id="owner-named",
    title="An accountable owner is named",
    severity="critical",
    enforcement="hard_mandatory",
    # Accountability and the data boundary are not optional: configuration may lower
    # them to mandatory (waivable), never below, and may not disable them.
    floor="mandatory",
    seed_section=ROLES,
    references=(f"{NIST} GOVERN 2.1", f"{ISO} A.3.2"),
    remediation="Name one person accountable for the result, with their email.",
)
def owner_named(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when the workflow has no owner with both a name and an email.

    Every result needs one accountable person. Without an owner, nobody decides when the
    workflow must be fixed, paused or retired.
    """
    owner = workflow.owner
    if owner is None:
        yield Violation(
            "Nobody is accountable for this workflow's results.",
            path="/owner",
            expected="an owner with a name and an email",
        )
        return
    if not owner.name:
        yield Violation("The owner has no name.", path="/owner/name", expected="the owner's name")
    if not owner.email:
        yield Violation(
            "The owner has no email address, so they cannot be reached.",
            path="/owner/email",
            expected="the owner's email",
        )


@policy(
    id="reviewer-named",
    title="A reviewer, independent where the tier requires it, is named",
    severity="high",
    seed_section=ROLES,
    references=(f"{NIST} GOVERN 3.2", f"{NIST} MEASURE 1.3"),
    remediation="Name a reviewer responsible for quality; at standard or heavy review, choose "
    "someone other than the owner.",
)
def reviewer_named(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when there is no reviewer, or when the reviewer is the owner while the required
    review tier is standard or heavy. The reviewer is the owner when their emails match
    or, lacking emails, their names do, with case, spacing, invisible characters and
    look-alike letters set aside.

    Quality needs someone responsible for it, and above light review a second pair of eyes:
    an owner reviewing their own work is not a review.
    """
    reviewer, owner = workflow.reviewer, workflow.owner
    if reviewer is None or not (reviewer.name or reviewer.email):
        yield Violation(
            "Nobody is responsible for reviewing the output's quality.",
            path="/reviewer",
            expected="a named reviewer",
        )
        return
    required = ctx.required_tier(workflow)
    if owner is None or required is None or TIER_RANK[required] < TIER_RANK[ReviewTier.STANDARD]:
        return
    if same_person(reviewer.name, reviewer.email, owner.name, owner.email):
        yield Violation(
            f"The owner reviews their own work, but a {required.value} review needs an "
            "independent reviewer.",
            path="/reviewer",
            expected="a reviewer other than the owner",
        )


@policy(
    id="data-boundary-defined",
    title="The data boundary is defined",
    severity="high",
    seed_section=ROLES,
    references=DATA_REFS,
    remediation="List the data classes this workflow may read under data_boundary.allowed.",
)
def data_boundary_defined(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when the workflow has no data boundary, or the boundary allows no data class.

    A boundary says in advance which data may go in; without one, every input is a judgement
    call made under deadline pressure.
    """
    if workflow.data_boundary is None:
        yield Violation(
            "The workflow does not say which data it may use.",
            path="/data_boundary",
            expected="a data boundary listing allowed classes",
        )
    elif not workflow.data_boundary.allowed:
        yield Violation(
            "The data boundary allows no data at all.",
            path="/data_boundary/allowed",
            expected="at least one data class",
        )


@policy(
    id="approved-inputs-listed",
    title="The approved inputs are listed and classified",
    severity="medium",
    seed_section=ROLES,
    references=DATA_REFS,
    remediation="List each input the workflow reads, with its data class.",
)
def approved_inputs_listed(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when no inputs are listed, and for each input without a classification.

    The approved inputs are what the reviewer and the data boundary are checked against; an
    input without a class cannot be checked at all.
    """
    if not workflow.inputs:
        yield Violation(
            "The workflow does not list the inputs it is approved to read.",
            path="/inputs",
            expected="at least one approved input",
        )
    for index, item in enumerate(workflow.inputs):
        if not item.classification:
            yield Violation(
                f"The input {item.name!r} has no data class, so nobody can tell whether it "
                "may be used.",
                path=f"/inputs/{index}/classification",
                expected="one of the model's data classes",
            )


@policy(
    id="data-boundary-allowed",
    title="Every input is inside the data boundary",
    severity="critical",
    enforcement="hard_mandatory",
    # Accountability and the data boundary are not optional: configuration may lower
    # them to mandatory (waivable), never below, and may not disable them.
    floor="mandatory",
    seed_section=ROLES,
    references=DATA_REFS,
    remediation="Remove the input, or widen the data boundary with the data owner's approval.",
)
def data_boundary_allowed(workflow: Workflow, ctx: Context) -> Findings:
    """Fails for each classified input whose class is not in ``data_boundary.allowed``; with
    no boundary, no class is allowed. Inputs without a class are left to
    ``approved-inputs-listed``.

    The boundary is only worth having if nothing crosses it.
    """
    # A boundary lists a handful of classes: a list answers `in` as fast as a set would.
    allowed = workflow.data_boundary.allowed if workflow.data_boundary else ()
    for index, item in enumerate(workflow.inputs):
        classification = item.classification
        if classification and classification not in allowed:
            yield Violation(
                f"The input {item.name!r} is {classification} data, which this "
                "workflow's data boundary does not allow.",
                path=f"/inputs/{index}/classification",
                observed=classification,
                expected=sorted(set(allowed)) or "a class inside the data boundary",
            )


@policy(
    id="output-standard-defined",
    title="The output standard is described",
    severity="medium",
    seed_section=ROLES,
    references=(f"{NIST} MAP 3.3", f"{NIST} MEASURE 2.3"),
    remediation="Describe what acceptable output looks like under output_standard.description.",
)
def output_standard_defined(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when there is no output standard description.

    A reviewer can only judge output against a standard someone wrote down.
    """
    if workflow.output_standard is None or not workflow.output_standard.description:
        yield Violation(
            "Nobody has written down what acceptable output looks like.",
            path="/output_standard/description",
            expected="a description of the output standard",
        )


@policy(
    id="escalation-path-present",
    title="An escalation path exists where consequence is medium or above",
    severity="high",
    seed_section=ROLES,
    references=(f"{NIST} GOVERN 4.3", f"{NIST} MANAGE 4.3"),
    remediation="Name who to contact and the steps to take when the workflow goes wrong.",
)
def escalation_path_present(workflow: Workflow, ctx: Context) -> Findings:
    """At consequence medium or above, fails when the escalation path has no contact or no
    steps. Not applicable at low consequence or when no consequence is set.

    The question is not whether a workflow will fail but whether someone knows what to do
    when it does.
    """
    consequence = workflow.consequence
    if consequence is None or consequence is Consequence.LOW:
        yield NotApplicable("An escalation path is required from medium consequence up.")
        return
    escalation = workflow.escalation
    if escalation is None or not escalation.contacts:
        yield Violation(
            "Nobody is named to call when this workflow goes wrong.",
            path="/escalation/contacts",
            observed=None if escalation is None else escalation.contacts,
            expected="at least one escalation contact",
        )
    if escalation is None or not escalation.steps:
        yield Violation(
            "There are no steps to follow when this workflow goes wrong.",
            path="/escalation/steps",
            observed=None if escalation is None else escalation.steps,
            expected="the steps to take, in order",
        )


@policy(
    id="tier-matches-consequence",
    title="The review tier is at least what the consequence requires",
    severity="critical",
    enforcement="hard_mandatory",
    seed_section=CALIBRATE,
    references=TIER_REFS,
    remediation="Set review_tier to the tier the consequence requires in the model's tiers.",
)
def tier_matches_consequence(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when no consequence is set (at ``/consequence``), when ``review_tier`` is
    missing, or when it ranks below the tier that the consequence requires in the operating
    model's ``tiers`` (light < standard < heavy).

    Each workflow inherits a review level from its consequence; lighter review than that is
    risk nobody decided to take.
    """
    consequence = workflow.consequence
    if consequence is None:
        yield Violation(
            "Nobody has rated what is at stake if the output is wrong, so the review it needs "
            "is unknown.",
            path="/consequence",
            observed=None,
            expected="low, medium, high or critical",
        )
        return
    required = ctx.required_tier(workflow)
    assert required is not None
    tier = workflow.review_tier
    if tier is None:
        yield Violation(
            "The workflow has no review tier.",
            path="/review_tier",
            observed=None,
            expected=required.value,
        )
    elif TIER_RANK[tier] < TIER_RANK[required]:
        yield Violation(
            f"A {consequence.value}-consequence workflow needs {required.value} "
            f"review, but it gets only {tier.value} review.",
            path="/review_tier",
            observed=tier.value,
            expected=required.value,
        )


@policy(
    id="consequence-matches-exposure",
    title="The consequence rating matches the audience and claims",
    severity="high",
    seed_section=CALIBRATE,
    references=TIER_REFS,
    remediation="Raise the consequence rating to reflect who sees the output and what it claims.",
)
def consequence_matches_exposure(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when a public workflow is rated low consequence, or when a public workflow that
    makes product or performance claims is rated below high.

    A public claim about product performance does not get the scrutiny of an internal
    summary; an understated rating quietly lowers every control that follows from it.
    """
    consequence = workflow.consequence
    if workflow.audience is not Audience.PUBLIC or consequence is None:
        return
    makes_claims = bool(workflow.content and workflow.content.makes_claims)
    if makes_claims and consequence in (Consequence.LOW, Consequence.MEDIUM):
        yield Violation(
            f"Public claims about products or performance are rated {consequence.value} "
            "consequence; they need at least high.",
            path="/consequence",
            expected="high or critical",
        )
    elif consequence is Consequence.LOW:
        yield Violation(
            "Output seen by the public is rated low consequence.",
            path="/consequence",
            expected="medium or above",
        )


@policy(
    id="governance-proportional",
    title="Review is not far heavier than the consequence requires",
    severity="low",
    enforcement="advisory",
    seed_section=CALIBRATE,
    references=TIER_REFS,
    remediation="Lower the review tier to what the consequence requires, or raise the "
    "consequence if the stakes are higher than rated.",
)
def governance_proportional(workflow: Workflow, ctx: Context) -> Findings:
    """Advises when the review tier ranks two or more above the tier the consequence
    requires (heavy review of a low-consequence workflow).

    Disproportionate governance pushes work into ungoverned channels.
    """
    required = ctx.required_tier(workflow)
    tier = workflow.review_tier
    if required is None or tier is None:
        return
    if TIER_RANK[tier] - TIER_RANK[required] >= 2:
        yield Violation(
            f"This workflow gets {tier.value} review though its consequence needs only "
            f"{required.value}; heavy controls on light work push people around the system.",
            path="/review_tier",
            expected=required.value,
        )


@policy(
    id="infrastructure-rationale-recorded",
    title="The infrastructure choice and its rationale are recorded",
    severity="medium",
    seed_section=INFRASTRUCTURE,
    references=INFRA_REFS,
    remediation="Record whether the workflow runs on a public tool or owned infrastructure, "
    "and why.",
)
def infrastructure_rationale_recorded(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when the infrastructure choice, or the rationale for it, is missing.

    The choice between public tools and owned infrastructure is a per-use-case judgement
    with a short recorded rationale, not a blanket rule.
    """
    infrastructure = workflow.infrastructure
    if infrastructure is None or infrastructure.choice is None:
        yield Violation(
            "Nobody has recorded whether this runs on a public tool or on owned infrastructure.",
            path="/infrastructure/choice",
            expected="public or owned",
        )
    if infrastructure is None or not infrastructure.rationale:
        yield Violation(
            "The reason for the infrastructure choice is not recorded.",
            path="/infrastructure/rationale",
            expected="a short rationale",
        )


def _sensitive_inputs(workflow: Workflow, ctx: Context) -> Iterator[tuple[int, str, str]]:
    """``(index, name, class)`` of each input above what public tools may receive."""
    ceiling = ctx.model.class_rank(ctx.model.public_tools_max_class)
    for index, item in enumerate(workflow.inputs):
        if item.classification and ctx.model.class_rank(item.classification) > ceiling:
            yield index, item.name, item.classification


@policy(
    id="sensitive-data-owned",
    title="Data above the public-tool ceiling stays on owned infrastructure",
    severity="critical",
    enforcement="hard_mandatory",
    seed_section=INFRASTRUCTURE,
    references=(*INFRA_REFS, f"{NIST} MAP 4.1"),
    remediation="Move the workflow to owned infrastructure, or stop using the sensitive input.",
)
def sensitive_data_owned(workflow: Workflow, ctx: Context) -> Findings:
    """Fails for each input whose class ranks above the model's ``public_tools_max_class``
    while the workflow runs on a public tool. A class the model does not list counts as the
    most sensitive.

    Sensitive data belongs on infrastructure the organisation controls.
    """
    infrastructure = workflow.infrastructure
    if infrastructure is None or infrastructure.choice is not InfrastructureChoice.PUBLIC:
        return
    ceiling = ctx.model.public_tools_max_class
    for index, name, classification in _sensitive_inputs(workflow, ctx):
        yield Violation(
            f"The input {name!r} is {classification} data, which may not be sent to a "
            f"public AI tool (the limit is {ceiling}).",
            path=f"/inputs/{index}/classification",
            expected=f"{ceiling} or less sensitive, or owned infrastructure",
        )


@policy(
    id="infrastructure-proportional",
    title="Owned infrastructure is used only where something calls for it",
    severity="low",
    enforcement="advisory",
    seed_section=INFRASTRUCTURE,
    references=INFRA_REFS,
    remediation="Use a public tool, or record which need (sensitive data, model control, "
    "custom deployment, reuse) calls for owned infrastructure.",
)
def infrastructure_proportional(workflow: Workflow, ctx: Context) -> Findings:
    """Advises when the choice is owned infrastructure but nothing calls for it: no
    sensitive data (flagged, or an input above the public-tool ceiling), no need for model
    control, no custom deployment and no reuse across engagements.

    For routine, low-sensitivity work, public tools are usually right and over-building is
    its own waste.
    """
    infrastructure = workflow.infrastructure
    if infrastructure is None or infrastructure.choice is not InfrastructureChoice.OWNED:
        return
    needs = (
        infrastructure.sensitive_data
        or infrastructure.needs_model_control
        or infrastructure.custom_deployment
        or infrastructure.reused_across_engagements
        or any(True for _ in _sensitive_inputs(workflow, ctx))
    )
    if not needs:
        yield Violation(
            "This workflow runs on owned infrastructure, but nothing recorded calls for it: "
            "no sensitive data, model control, custom deployment or reuse.",
            path="/infrastructure/choice",
            expected="public, or a recorded need for owned infrastructure",
        )


@policy(
    id="production-ready",
    title="The go-live checklist is complete",
    severity="critical",
    enforcement="hard_mandatory",
    applies_from="production",
    seed_section=PRODUCTION,
    references=(
        f"{NIST} MANAGE 1.1",
        f"{NIST} MEASURE 2.5",
        "EU AI Act Art. 12 (logging, high-risk systems)",
    ),
    remediation="Complete the production checklist before calling the workflow production.",
)
def production_ready(workflow: Workflow, ctx: Context) -> Findings:
    """Fails once per missing item of the go-live checklist: a documented output standard
    (description or document), ``production.review_enforced``, ``production.logging``,
    ``production.monitoring`` and ``production.went_live``. A checklist item that is not
    ``true`` is missing.

    Production means the output standard is documented, the review tier is enforced,
    logging is on and the owner is monitoring quality; go-live is a checklist event, not a
    gradual drift.
    """
    standard = workflow.output_standard
    if standard is None or not (standard.description or standard.document):
        yield Violation(
            "The output standard is not documented.",
            path="/output_standard",
            expected="a documented output standard",
        )
    production = workflow.production
    items = (
        ("review_enforced", "The review tier is not enforced."),
        ("logging", "Logging is not switched on."),
        ("monitoring", "Nobody is monitoring the output's quality."),
    )
    for field, message in items:
        if production is None or getattr(production, field) is not True:
            yield Violation(message, path=f"/production/{field}", expected=True)
    if production is None or production.went_live is None:
        yield Violation(
            "The go-live date is not recorded.",
            path="/production/went_live",
            expected="the date the workflow went live",
        )


@policy(
    id="review-cadence-set",
    title="A review cadence is set",
    severity="medium",
    applies_from="production",
    seed_section=MONITOR,
    references=REVIEW_REFS,
    remediation="Set review.cadence_days: how often the owner reviews the workflow.",
)
def review_cadence_set(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when ``review.cadence_days`` is missing.

    Model behaviour shifts, inputs change and use cases age; the owner reviews each workflow
    on a set cadence against its success measure.
    """
    if workflow.review is None or workflow.review.cadence_days is None:
        yield Violation(
            "No regular review of this workflow is scheduled.",
            path="/review/cadence_days",
            expected="a number of days, e.g. 90",
        )


@policy(
    id="review-current",
    title="The periodic review is up to date",
    severity="medium",
    applies_from="production",
    seed_section=MONITOR,
    references=REVIEW_REFS,
    remediation="Review the workflow against its success measure and record the date.",
)
def review_current(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when the workflow was never reviewed and has been live longer than one cadence,
    or when ``last_reviewed`` plus ``cadence_days`` is before the evaluation date.
    ``review.last_reviewed`` counts; without it, the latest history date. Not applicable
    without a cadence (``review-cadence-set`` reports that).

    A review that is overdue is a review that is not happening.
    """
    review = workflow.review
    if review is None or review.cadence_days is None:
        yield NotApplicable("Without a review cadence there is no due date to check.")
        return
    due = next_review_due(workflow)
    if due is None or due >= ctx.today:
        return
    cadence = review.cadence_days
    last = review.last_review_date
    expected = f"a review on or after {shift(ctx.today, -cadence).isoformat()}"
    if last is None:
        went_live = workflow.production.went_live if workflow.production else None
        assert went_live is not None  # without a review, the due date counts from go-live
        yield Violation(
            f"The workflow has been live since {went_live.isoformat()} and has never been "
            f"reviewed; reviews are due every {cadence} days.",
            path="/review/last_reviewed",
            expected=expected,
        )
    else:
        yield Violation(
            f"The last review was on {last.isoformat()}; the next was due by {due.isoformat()}.",
            path="/review/last_reviewed",
            observed=last,
            expected=expected,
        )


def next_review_due(workflow: Workflow) -> dt.date | None:
    """When the next periodic review is due: the last review, else the go-live date, plus
    ``review.cadence_days``; None without a cadence or without either date.

    ``review-current`` fails once this date has passed; ``aimo report`` lists it.
    """
    review = workflow.review
    if review is None or review.cadence_days is None:
        return None
    anchor = review.last_review_date
    if anchor is None and workflow.production is not None:
        anchor = workflow.production.went_live
    return shift(anchor, review.cadence_days) if anchor is not None else None


@policy(
    id="quality-drift",
    title="Quality is not drifting below the success target",
    severity="medium",
    enforcement="advisory",
    applies_from="production",
    seed_section=MONITOR,
    references=(f"{NIST} MEASURE 2.4", f"{NIST} MANAGE 4.1"),
    remediation="Tune the workflow, strengthen its review, or retire it.",
)
def quality_drift(workflow: Workflow, ctx: Context) -> Findings:
    """Advises when the two latest review values both miss the success target, respecting
    ``higher_is_better``. Not applicable without a target or with fewer than two values.

    Quality drifts as edge cases accumulate; two misses in a row is the signal to tune,
    strengthen review or retire.
    """
    measure = workflow.use_case.success_measure if workflow.use_case else None
    history = workflow.review.history if workflow.review else []
    valued = sorted(
        (
            (entry.date, index, entry.value)
            for index, entry in enumerate(history)
            if entry.value is not None
        ),
    )
    if measure is None or measure.target is None or len(valued) < 2:
        yield NotApplicable("Drift needs a success target and at least two measured reviews.")
        return
    target, higher = measure.target, measure.higher_is_better

    def misses(value: float) -> bool:
        return value < target if higher else value > target

    (_, _, before), (_, last_index, latest) = valued[-2], valued[-1]
    assert before is not None
    assert latest is not None
    if misses(before) and misses(latest):
        yield Violation(
            f"The last two reviews ({before:g}, then {latest:g}) both missed the target of "
            f"{target:g}.",
            path=f"/review/history/{last_index}/value",
            expected=f"{'at least' if higher else 'at most'} {target:g}",
        )


@policy(
    id="waiver-valid",
    title="Every waiver is explicit, owned, current and waivable",
    severity="high",
    applies_from="idea",
    retired=True,
    # Waiving the check on waivers would let any invalid waiver through.
    unwaivable="guards the waivers themselves",
    seed_section=EXCEPTIONS,
    references=WAIVER_REFS,
    remediation="Give the waiver a reason, an approver and an expiry at most 180 days ahead, "
    "naming a mandatory policy.",
)
def waiver_valid(workflow: Workflow, ctx: Context) -> Findings:
    """Fails for each problem of each waiver: no reason, approver or expiry; expired;
    expiring more than 180 days after the evaluation date; naming an unknown policy or a
    hard-mandatory one, which no waiver can touch. An invalid waiver waives nothing.

    Exceptions keep governance proportional only while they stay explicit, owned and
    temporary.
    """
    for index, field, message, expected in waiver_problems(workflow, ctx):
        yield Violation(message, path=f"/waivers/{index}/{field}", expected=expected)


@policy(
    id="waiver-expiring",
    title="No waiver is about to expire",
    severity="low",
    enforcement="advisory",
    applies_from="idea",
    retired=True,
    seed_section=EXCEPTIONS,
    references=WAIVER_REFS,
    remediation="Fix what the waiver covers before it expires, or renew it with approval.",
)
def waiver_expiring(workflow: Workflow, ctx: Context) -> Findings:
    """Advises for each valid waiver that expires within 14 days of the evaluation date
    (day 14 included). A waiver is valid through its expiry day.

    An exception that lapses unnoticed turns into a denied workflow on the day it matters.
    """
    for index in valid_waiver_indexes(workflow, ctx):
        expires = workflow.waivers[index].expires
        assert expires is not None
        days = (expires - ctx.today).days
        if days <= EXPIRY_WARNING_DAYS:
            yield Violation(
                f"The waiver of {workflow.waivers[index].policy!r} expires on "
                f"{expires.isoformat()}, in {days} day{'s' if days != 1 else ''}.",
                path=f"/waivers/{index}/expires",
                expected=f"more than {EXPIRY_WARNING_DAYS} days left, or the issue fixed",
            )


#: Each of the four decisions (seed: "What an Operating Model Has to Decide"), with what its
#: absence costs, in the seed's words.
_DECISIONS = {
    "where_ai_is_useful": (
        "where AI is useful enough to justify the overhead",
        "use cases are chosen case by case, not against standing criteria",
    ),
    "who_owns_results": (
        "who is accountable for each result",
        "accountability is settled after the fact, at the worst possible moment",
    ),
    "what_data_is_allowed": (
        "what data is permitted",
        "every team decides for itself which data may reach AI tools",
    ),
    "how_output_ships": (
        "how vetted output reaches production",
        "output reaches customers by whatever route each team chooses",
    ),
}


@policy(
    id="decisions-recorded",
    title="The operating model writes down its four standing decisions",
    severity="high",
    scope="model",
    seed_section=NEXT_STEPS,
    references=(f"{NIST} GOVERN 1.2", f"{ISO} 5.2"),
    remediation="Write down the decision under decisions in the operating model, in a "
    "sentence or two your teams can act on.",
)
def decisions_recorded(model: OperatingModel, ctx: Context) -> Findings:
    """Fails once for each of the four decisions the model does not write down: where AI
    is useful, who owns the results, what data is allowed, how output ships. Blank text
    counts as not written down.

    The seed's first practical next step: an operating model is a set of standing
    decisions, and explicit answers let teams move fast within clear boundaries; implicit
    ones create risk that surfaces at the worst possible moment.
    """
    decisions = model.decisions
    for name, (question, cost) in _DECISIONS.items():
        answer = getattr(decisions, name) if decisions is not None else None
        if answer is None or not answer.strip():
            yield Violation(
                f"The operating model does not write down {question}, so {cost}.",
                path=f"/decisions/{name}",
                expected="the decision, written down",
            )


POLICIES: tuple[Policy, ...] = (
    use_case_qualifies,
    owner_named,
    reviewer_named,
    data_boundary_defined,
    approved_inputs_listed,
    data_boundary_allowed,
    output_standard_defined,
    escalation_path_present,
    tier_matches_consequence,
    consequence_matches_exposure,
    governance_proportional,
    infrastructure_rationale_recorded,
    sensitive_data_owned,
    infrastructure_proportional,
    production_ready,
    review_cadence_set,
    review_current,
    quality_drift,
    waiver_valid,
    waiver_expiring,
    decisions_recorded,
)


@hookimpl
def aimo_policies() -> list[Policy]:
    """aimo's core policies, registered through the same hook as any plugin."""
    return list(POLICIES)
