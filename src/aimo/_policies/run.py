"""The four run policies of spec section 4.3: the in-workflow gates.

They judge one run of a workflow (``ctx.run``, an :class:`aimo.Run`): may this workflow
run at its stage, did the run read only approved inputs, does the output have the sign-offs
its consequence requires, and does it meet the output standard. Without a run they do not
apply. They apply at every stage, so that an idea or a retired workflow is stopped at the
gate rather than waved through as "not applicable".

Each check's docstring is its entry in the policy reference: the first paragraph says what
it checks, the rest why. Findings point into the run (``/run/inputs/1``, ``/run/output``,
``/run/approvals``) or, where the workflow itself is the reason, into the workflow.
"""

from __future__ import annotations

from collections.abc import Iterator

from aimo._documents.models import TIER_RANK, Audience, Input, ReviewTier, Stage, Workflow
from aimo._documents.run import Approval, distinct_approvers
from aimo._engine.policy import Context, NotApplicable, Policy, Violation, policy
from aimo._hooks import hookimpl
from aimo._policies.core import CALIBRATE, NIST, PRODUCTION, ROLES
from aimo._policies.phrases import FoldedText

Findings = Iterator[Violation | NotApplicable]

ISO = "ISO/IEC 42001"
NO_RUN = "Checked only while the workflow runs, at a gate; no run was given."


@policy(
    id="run-stage-allows-use",
    title="The workflow's stage allows this run",
    severity="critical",
    enforcement="hard_mandatory",
    applies_from="idea",
    retired=True,
    seed_section=PRODUCTION,
    references=(f"{NIST} MANAGE 1.1", f"{NIST} MANAGE 2.4", f"{NIST} GOVERN 1.7"),
    remediation="Run only pilot and production workflows, and publish to the public only "
    "from production: move the workflow on once it passes its policies.",
)
def run_stage_allows_use(workflow: Workflow, ctx: Context) -> Findings:
    """Fails when a workflow at stage ``idea`` or ``retired`` runs at all, and when a pilot
    has output for a public audience (publishing). A pilot may still run and draft for
    review. Not applicable without a run.

    An idea has no owner, boundary or review yet; a retired workflow was stopped on
    purpose. A pilot is where a workflow proves itself before its output reaches the
    public: the line between a demo and production is only real if the gate holds it.
    """
    run = ctx.run
    if run is None:
        yield NotApplicable(NO_RUN)
        return
    stage = workflow.stage
    if stage is Stage.IDEA:
        yield Violation(
            "This workflow is still an idea: it may not run until it has been set up and "
            "approved as a pilot.",
            path="/stage",
            observed=stage.value,
            expected="pilot or production",
        )
    elif stage is Stage.RETIRED:
        yield Violation(
            "This workflow has been retired: it may no longer run.",
            path="/stage",
            observed=stage.value,
            expected="pilot or production",
        )
    elif stage is Stage.PILOT and workflow.audience is Audience.PUBLIC and run.output is not None:
        yield Violation(
            "This workflow is still a pilot, so its output may not be published to the public.",
            path="/audience",
            observed=Audience.PUBLIC.value,
            expected="an internal or partner audience, or the workflow in production",
            remediation="Keep pilot output internal, or complete the production checklist "
            "and move the workflow to production.",
        )


@policy(
    id="run-inputs-approved",
    title="The run reads only approved inputs inside the data boundary",
    severity="critical",
    enforcement="hard_mandatory",
    applies_from="idea",
    retired=True,
    seed_section=ROLES,
    references=(f"{NIST} MAP 4.1", f"{NIST} MEASURE 2.10", f"{ISO} A.7.5"),
    remediation="Use only the workflow's approved inputs, or add the input to the approved "
    "list with a data class inside the data boundary, with the data owner's approval.",
)
def run_inputs_approved(workflow: Workflow, ctx: Context) -> Findings:
    """Fails for each input the run read that is not one of the workflow's approved inputs
    (matched by name), or whose data class is unknown or outside ``data_boundary.allowed``.
    An input given as an ``aimo.Input`` with a class is judged by the more sensitive of
    that class and the approved one, so a run that knows it read more sensitive data than
    approved is stopped, and none can claim less. One finding per input,
    at ``/run/inputs/<index>``. Not applicable without a run.

    A data boundary written in a document protects nothing unless the run is held to it:
    this is where the approved inputs stop being a list and become a control.
    """
    run = ctx.run
    if run is None:
        yield NotApplicable(NO_RUN)
        return
    approved: dict[str, Input] = {}
    for item in workflow.inputs:
        approved.setdefault(item.name, item)
    allowed = workflow.data_boundary.allowed if workflow.data_boundary else []
    for index, used in enumerate(run.inputs):
        name = used if isinstance(used, str) else used.name
        path = f"/run/inputs/{index}"
        listed = approved.get(name)
        if listed is None:
            yield Violation(
                f"The run read {name!r}, which is not one of this workflow's approved inputs.",
                path=path,
                observed=used,
                expected=sorted(approved) or "one of the workflow's approved inputs",
            )
            continue
        declared = used.classification if isinstance(used, Input) else None
        # The more sensitive of what was approved and what the run says it read counts:
        # a run cannot talk an input down to a class the boundary allows.
        classes = [c for c in (declared, listed.classification) if c]
        classification = max(classes, key=ctx.model.class_rank) if classes else None
        if classification is None:
            yield Violation(
                f"The run read {name!r}, whose data class is not recorded, so nobody can "
                "tell whether it may be used.",
                path=path,
                observed=used,
                expected="an input with a data class inside the data boundary",
            )
        elif classification not in allowed:
            yield Violation(
                f"The run read {name!r}, which is {classification} data; this workflow's "
                "data boundary does not allow it.",
                path=path,
                observed=used,
                expected=sorted(allowed) or "a class inside the data boundary",
            )


@policy(
    id="run-approvals-meet-tier",
    title="The output has the approvals its consequence requires",
    severity="high",
    applies_from="idea",
    retired=True,
    seed_section=CALIBRATE,
    references=(f"{NIST} GOVERN 3.2", f"{NIST} MAP 3.5", f"{ISO} A.9.2"),
    remediation="Collect the sign-offs the consequence requires, from people other than "
    "the owner where the review tier is standard or heavy, before publishing.",
)
def run_approvals_meet_tier(workflow: Workflow, ctx: Context) -> Findings:
    """With output to publish, fails when it has fewer distinct approvers than the
    operating model's ``tiers`` require for the workflow's consequence, and once for each
    required approver role that no approval holds (roles match ignoring case). Approvals
    by one person count once; at standard or heavy review the owner's own approval does
    not count. Not applicable without a run, before there is output, or without a
    consequence (``tier-matches-consequence`` reports that).

    Each workflow inherits its review from its consequence, and the gate is where that
    review is proven to have happened, not merely promised. An owner signing off their own
    work is not a review.
    """
    run = ctx.run
    if run is None:
        yield NotApplicable(NO_RUN)
        return
    if run.output is None:
        yield NotApplicable("Approvals are checked once there is output to publish.")
        return
    consequence = workflow.consequence
    if consequence is None:
        yield NotApplicable(
            "Without a consequence rating the approvals needed are unknown; "
            "tier-matches-consequence reports that."
        )
        return
    rule = ctx.model.tiers.for_consequence(consequence)
    independent = TIER_RANK[rule.review_tier] >= TIER_RANK[ReviewTier.STANDARD]
    owner = workflow.owner
    valid: list[Approval] = []
    owner_discounted = False
    for approval in run.approvals:
        if independent and owner is not None and approval.same_person(owner.name, owner.email):
            owner_discounted = True
        else:
            valid.append(approval)
    approvers = distinct_approvers(valid)
    label = f"This {consequence.value}-consequence output"
    if len(approvers) < rule.approvals:
        people = "1 person" if rule.approvals == 1 else f"{rule.approvals} different people"
        note = (
            f" The owner's own approval does not count at {rule.review_tier.value} review."
            if owner_discounted
            else ""
        )
        yield Violation(
            f"{label} needs approval from {people} but has {len(approvers) or 'none'}.{note}",
            path="/run/approvals",
            observed=len(approvers),
            expected=rule.approvals,
        )
    roles = {a.role.casefold(): a.role for a in valid if a.role}
    for role in rule.approver_roles:
        if role.casefold() not in roles:
            yield Violation(
                f"{label} needs a sign-off from {role}, and nobody in that role has approved it.",
                path="/run/approvals",
                observed=sorted(roles.values()),
                expected=role,
            )


@policy(
    id="run-output-meets-standard",
    title="The output meets the machine-checkable output standard",
    severity="high",
    applies_from="idea",
    retired=True,
    seed_section=ROLES,
    references=(f"{NIST} MEASURE 2.3", f"{NIST} MANAGE 2.2", "EU AI Act Art. 50(4)"),
    remediation="Edit or regenerate the output so it meets the output standard, then check "
    "it again.",
)
def run_output_meets_standard(workflow: Workflow, ctx: Context) -> Findings:
    """Fails once for each break of ``output_standard.checks``: the output (all its fields
    together) is longer than ``max_length`` characters; a required phrase or the
    ``disclosure`` appears nowhere in it; a banned phrase appears in it (once per field and
    phrase, at that field's path). Phrases match ignoring case, as whole words, with any
    spacing, and however they are disguised: look-alike letters from other alphabets
    (Unicode TS #39 confusables), full-width or mathematical letters, accents, invisible
    characters, a word hyphenated across a line break or letter-spaced all count as the
    plain phrase. A banned phrase's finding quotes the output as written. Not applicable
    without a run, before there is output, or without checks.

    A written output standard only protects the brand if the output is held to it before
    it ships; the checks catch what a tired reviewer misses, and the disclosure is what
    transparency rules for AI-generated text ask for. A check that a Cyrillic letter or a
    zero-width space can walk past is no check.
    """
    run = ctx.run
    if run is None:
        yield NotApplicable(NO_RUN)
        return
    if run.output is None:
        yield NotApplicable("The output is checked once there is output.")
        return
    checks = workflow.output_standard.checks if workflow.output_standard else None
    if checks is None:
        yield NotApplicable("The output standard has no machine-checkable rules to apply.")
        return
    fields = list(run.output_fields())
    if checks.max_length is not None:
        length = sum(len(text) for _, _, text in fields)
        if length > checks.max_length:
            yield Violation(
                f"The output is {length} characters long; the limit is {checks.max_length}.",
                path="/run/output",
                observed=length,
                expected=f"at most {checks.max_length} characters",
            )
    if not (checks.required_phrases or checks.banned_phrases or checks.disclosure):
        return
    texts = [FoldedText(text) for _, _, text in fields]
    for phrase in checks.required_phrases:
        if not any(text.find(phrase) for text in texts):
            yield Violation(
                f"The output is missing the required phrase {phrase!r}.",
                path="/run/output",
                observed=None,
                expected=phrase,
            )
    for (path, name, _), text in zip(fields, texts, strict=True):
        where = "The output" if name is None else f"The output's {name!r} field"
        for phrase in checks.banned_phrases:
            found = text.find(phrase)
            if found is not None:
                yield Violation(
                    f"{where} uses the banned phrase {phrase!r}.",
                    path=path,
                    observed=found,
                    expected=f"no {phrase!r}",
                )
    disclosure = checks.disclosure
    if disclosure and not any(text.find(disclosure) for text in texts):
        yield Violation(
            f"The disclosure {disclosure!r} is missing from the output.",
            path="/run/output",
            observed=None,
            expected=disclosure,
            remediation="Add the disclosure to the output, word for word.",
        )


POLICIES: tuple[Policy, ...] = (
    run_stage_allows_use,
    run_inputs_approved,
    run_approvals_meet_tier,
    run_output_meets_standard,
)


@hookimpl
def aimo_policies() -> list[Policy]:
    """aimo's run-time policies, registered through the same hook as any plugin."""
    return list(POLICIES)
