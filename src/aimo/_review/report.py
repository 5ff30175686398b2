"""``aimo report``: an operating model's review, as a governance meeting reads it.

``aimo check`` answers "may this ship?" for each workflow. The report answers the seed's
standing questions for the whole model at once: are the four decisions written down, what
is in each stage and who owns it, what is blocked and why, which reviews and waivers fall
due, and which workflows their latest review said to change. Verdicts, scores and waiver
validity come from the code that decides them elsewhere (the engine, ``score_use_case``,
``waiver_problems``, ``next_review_due``); the report adds only a horizon to look ahead
by.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from aimo._documents.dates import shift
from aimo._documents.inventory import Rejected
from aimo._documents.models import Decisions, OperatingModel, ReviewOutcome, Stage, Workflow
from aimo._engine.coerce import default_model
from aimo._engine.engine import BaseEngine
from aimo._engine.policy import Context
from aimo._engine.verdict import Decision, Enforcement, Verdict
from aimo._engine.waivers import waiver_problems
from aimo._policies.core import next_review_due
from aimo._review.advice import score_use_case
from aimo._review.rollup import RollupRow, Tally

__all__ = [
    "DECISION_QUESTIONS",
    "ModelReport",
    "ModelVerdictRow",
    "Report",
    "UpcomingStep",
    "build_report",
    "build_section",
]

#: The four decisions (seed: "What an Operating Model Has to Decide"), in the seed's
#: order, each as the question the report asks.
DECISION_QUESTIONS: dict[str, str] = {
    "where_ai_is_useful": "Where is AI useful?",
    "who_owns_results": "Who owns the results?",
    "what_data_is_allowed": "What data is allowed?",
    "how_output_ships": "How does output ship?",
}

#: The stages whose workflows run, and so are reviewed on a cadence.
LIVE_STAGES = (Stage.PILOT, Stage.PRODUCTION)


class ReviewStatus(StrEnum):
    """Where a workflow stands in the review calendar, most urgent first."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NO_CADENCE = "no_cadence"
    NO_ANCHOR = "no_anchor"
    SCHEDULED = "scheduled"


class WaiverStatus(StrEnum):
    INVALID = "invalid"
    EXPIRING = "expiring"
    VALID = "valid"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkflowRow(_Frozen):
    """One workflow in the register. A workflow that is not valid, and so was refused, has
    only what its verdict says: its id, its stage when that is one, and why it was refused."""

    id: str
    name: str | None
    stage: Stage | None
    owner: str | None
    consequence: str | None
    review_tier: str | None
    required_tier: str | None
    decision: Decision
    use_case_score: int | None
    use_case_min_score: int | None
    #: The messages of the failing findings that block (mandatory or hard-mandatory).
    blocking: tuple[str, ...]
    #: The messages of the failing advisory findings.
    warnings: tuple[str, ...]
    #: The messages of the failing findings of policies in shadow: what they would say.
    shadow: tuple[str, ...] = ()
    #: The file a refused workflow was read from, when it is not the model's own: its id
    #: is then only its place in the model's list.
    file: str | None = None


class ReviewRow(_Frozen):
    """When a live workflow's next review falls due (seed: "Monitor, Review, and Retire")."""

    workflow_id: str
    stage: Stage
    cadence_days: int | None
    last_reviewed: dt.date | None
    due: dt.date | None
    status: ReviewStatus


class WaiverRow(_Frozen):
    """One exception and how long it has left."""

    workflow_id: str
    policy: str
    expires: dt.date | None
    approved_by: str | None
    status: WaiverStatus
    #: Why the waiver waives nothing, when it is invalid.
    problems: tuple[str, ...]


class Candidate(_Frozen):
    """A workflow that its latest review, or its quality-drift check, says to change."""

    workflow_id: str
    #: What the latest review decided; None when only the drift check speaks.
    recommendation: ReviewOutcome | None
    review_date: dt.date | None
    notes: str | None
    #: The failing quality-drift finding's message, when there is one.
    drift: str | None


class ModelVerdictRow(_Frozen):
    """The operating model's own verdict: what its model-level policies found."""

    decision: Decision
    #: The messages of the failing findings that block.
    blocking: tuple[str, ...]
    #: The messages of the failing advisory findings.
    warnings: tuple[str, ...]
    #: The messages of the failing findings of policies in shadow.
    shadow: tuple[str, ...] = ()


class UpcomingStep(_Frozen):
    """A step of a dated rollout still to come, and what it would change if in force today."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    policy_id: str
    level: Enforcement
    from_: dt.date = Field(alias="from")
    #: Workflows allowed today that the step would make warn.
    newly_warn: int
    #: Workflows allowed or warned today that the step would deny.
    newly_deny: int


class ModelReport(_Frozen):
    """The review of one operating model, or of workflow files outside any model."""

    file: str
    is_model: bool
    organization: str | None
    #: Each of the four decisions as written; None where it is not written down.
    decisions: dict[str, str | None]
    #: The model's own verdict (None for workflow files outside a model).
    model_verdict: ModelVerdictRow | None = None
    #: How many workflows are at each stage, and how many of them each decision got.
    stage_counts: dict[Stage, int]
    decision_counts: dict[Decision, int]
    workflows: tuple[WorkflowRow, ...]
    reviews: tuple[ReviewRow, ...]
    waivers: tuple[WaiverRow, ...]
    candidates: tuple[Candidate, ...]
    #: Per failing policy, how many of the section's workflows it fails.
    rollup: tuple[RollupRow, ...]
    #: The steps of dated rollouts still to come, in date order.
    upcoming: tuple[UpcomingStep, ...] = ()


class Report(_Frozen):
    """Every section of the review on one date, looking ``horizon_days`` ahead."""

    today: dt.date
    horizon_days: int
    sections: tuple[ModelReport, ...]


#: A section to review: its file, its model (None for loose workflow files), and each
#: workflow with its verdict, a refused one as the :class:`Rejected` entry it was.
Entry = tuple[str, OperatingModel | None, Iterable[tuple[Workflow | Rejected, Verdict]]]


def build_report(
    entries: Iterable[Entry], *, engine: BaseEngine, today: dt.date, horizon_days: int = 30
) -> Report:
    """The review of each ``(file, model or None, [(workflow, verdict), ...])`` entry.

    :param engine: the engine that judged the workflows: it says, under each model's
        configuration, which policies exist and how strictly, for the waivers' validity.
    """
    return Report(
        today=today,
        horizon_days=horizon_days,
        sections=tuple(
            build_section(file, model, pairs, engine=engine, today=today, horizon=horizon_days)
            for file, model, pairs in entries
        ),
    )


def build_section(
    file: str,
    model: OperatingModel | None,
    judged: Iterable[tuple[Workflow | Rejected, Verdict]],
    *,
    engine: BaseEngine,
    today: dt.date,
    horizon: int,
    model_verdict: Verdict | None = None,
) -> ModelReport:
    """The review of one model's workflows, read once, as they are judged: a section keeps
    its rows, never the workflows themselves."""
    operating_model = model if model is not None else default_model()
    configured = engine.for_model(operating_model)
    ctx = configured.context(operating_model, today)
    steps = _steps_to_come(configured, operating_model, today)
    newly: dict[int, list[int]] = {index: [0, 0] for index in range(len(steps))}
    stages: Counter[Stage] = Counter()
    tally = Tally()
    rows: list[WorkflowRow] = []
    reviews: list[ReviewRow] = []
    waivers: list[WaiverRow] = []
    candidates: list[Candidate] = []
    for entry, verdict in judged:
        tally.add(verdict)
        if verdict.stage is not None:
            stages[verdict.stage] += 1
        if isinstance(entry, Rejected):
            rows.append(_refused_row(verdict, entry.file if entry.file != file else None))
            continue
        rows.append(_workflow_row(entry, verdict, operating_model))
        for index, (_, step_engine, step_ctx) in enumerate(steps):
            then = step_engine.judge(entry, step_ctx, notify=False).decision
            if _RANK[then] > _RANK[verdict.decision]:
                newly[index][then is Decision.DENY] += 1
        if entry.stage in LIVE_STAGES:
            reviews.append(_review_row(entry, today, horizon))
        waivers.extend(_waiver_rows(entry, ctx, horizon))
        candidate = _candidate(entry, verdict)
        if candidate is not None:
            candidates.append(candidate)
    return ModelReport(
        file=file,
        is_model=model is not None,
        organization=model.organization if model else None,
        decisions=_decisions(model.decisions if model else None),
        model_verdict=_model_row(model_verdict) if model_verdict is not None else None,
        stage_counts={s: stages[s] for s in Stage},
        decision_counts={d: tally.decisions[d] for d in Decision},
        workflows=tuple(rows),
        reviews=tuple(reviews),
        waivers=tuple(waivers),
        candidates=tuple(candidates),
        rollup=tally.rollup(),
        upcoming=tuple(
            UpcomingStep(
                policy_id=step.policy_id,
                level=step.level,
                from_=step.from_,
                newly_warn=newly[index][0],
                newly_deny=newly[index][1],
            )
            for index, (step, _, _) in enumerate(steps)
        ),
    )


_RANK = {Decision.ALLOW: 0, Decision.WARN: 1, Decision.DENY: 2}


class _Step(NamedTuple):
    policy_id: str
    level: Enforcement
    from_: dt.date


def _steps_to_come(
    configured: BaseEngine, model: OperatingModel, today: dt.date
) -> list[tuple[_Step, BaseEngine, Context]]:
    """Each dated step after ``today``, with an engine and context that put it in force
    today: what the step would decide if it were already taken."""
    found = []
    for policy in configured.policies:
        for step in configured.schedule(policy.id) or ():
            if step.from_ is not None and step.from_ > today:
                level = Enforcement(step.level)
                step_engine = configured.configured({"enforcement": {policy.id: level.value}})
                found.append(
                    (
                        _Step(policy.id, level, step.from_),
                        step_engine,
                        step_engine.context(model, today),
                    )
                )
    found.sort(key=lambda item: (item[0].from_, item[0].policy_id))
    return found


def _decisions(decisions: Decisions | None) -> dict[str, str | None]:
    answers: dict[str, str | None] = {}
    for name in DECISION_QUESTIONS:
        text = getattr(decisions, name) if decisions else None
        # One line each, however the YAML wrapped it; a blank answer answers nothing.
        answers[name] = (" ".join(text.split()) or None) if text else None
    return answers


def _workflow_row(workflow: Workflow, verdict: Verdict, model: OperatingModel) -> WorkflowRow:
    failures = verdict.failures
    score = score_use_case(workflow, model=model)
    return WorkflowRow(
        id=workflow.id,
        name=workflow.name,
        stage=workflow.stage,
        owner=workflow.owner.name if workflow.owner else None,
        consequence=workflow.consequence.value if workflow.consequence else None,
        review_tier=workflow.review_tier.value if workflow.review_tier else None,
        required_tier=verdict.required_tier.value if verdict.required_tier else None,
        decision=verdict.decision,
        use_case_score=score.total,
        use_case_min_score=score.min_score,
        blocking=_unique(f.message for f in failures if f.enforcement.blocking),
        warnings=_unique(f.message for f in failures if f.enforcement is Enforcement.ADVISORY),
        shadow=_unique(f.message for f in failures if f.enforcement is Enforcement.SHADOW),
    )


def _model_row(verdict: Verdict) -> ModelVerdictRow:
    failures = verdict.failures
    return ModelVerdictRow(
        decision=verdict.decision,
        blocking=_unique(f.message for f in failures if f.enforcement.blocking),
        warnings=_unique(f.message for f in failures if f.enforcement is Enforcement.ADVISORY),
        shadow=_unique(f.message for f in failures if f.enforcement is Enforcement.SHADOW),
    )


def _refused_row(verdict: Verdict, file: str | None) -> WorkflowRow:
    return WorkflowRow(
        file=file,
        id=verdict.workflow_id,
        name=None,
        stage=verdict.stage,
        owner=None,
        consequence=None,
        review_tier=None,
        required_tier=None,
        decision=verdict.decision,
        use_case_score=None,
        use_case_min_score=None,
        blocking=_unique(f.message for f in verdict.failures),
        warnings=(),
    )


def _unique(messages: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(messages))


def _review_row(workflow: Workflow, today: dt.date, horizon: int) -> ReviewRow:
    review = workflow.review
    cadence = review.cadence_days if review else None
    last = review.last_review_date if review else None
    due = next_review_due(workflow)  # the date review-current judges by
    if cadence is None:
        status = ReviewStatus.NO_CADENCE
    elif due is None:
        status = ReviewStatus.NO_ANCHOR
    elif due < today:
        status = ReviewStatus.OVERDUE
    elif due <= shift(today, horizon):
        status = ReviewStatus.DUE_SOON
    else:
        status = ReviewStatus.SCHEDULED
    return ReviewRow(
        workflow_id=workflow.id,
        stage=workflow.stage,
        cadence_days=cadence,
        last_reviewed=last,
        due=due,
        status=status,
    )


def _waiver_rows(workflow: Workflow, ctx: Context, horizon: int) -> list[WaiverRow]:
    # The engine's own test of validity, so the report agrees with what the engine waives
    # even where a model disables waiver-valid.
    problems: dict[int, list[str]] = {}
    for index, _, message, _ in waiver_problems(workflow, ctx):
        problems.setdefault(index, []).append(message)
    rows = []
    for index, waiver in enumerate(workflow.waivers):
        mine = _unique(problems.get(index, ()))
        if mine:
            status = WaiverStatus.INVALID
        elif waiver.expires is not None and waiver.expires <= shift(ctx.today, horizon):
            status = WaiverStatus.EXPIRING
        else:
            status = WaiverStatus.VALID
        rows.append(
            WaiverRow(
                workflow_id=workflow.id,
                policy=waiver.policy,
                expires=waiver.expires,
                approved_by=waiver.approved_by,
                status=status,
                problems=mine,
            )
        )
    return rows


_CHANGES = (ReviewOutcome.RETIRE, ReviewOutcome.STRENGTHEN_REVIEW, ReviewOutcome.TUNE)


def _candidate(workflow: Workflow, verdict: Verdict) -> Candidate | None:
    if workflow.stage is Stage.RETIRED:
        return None
    history = workflow.review.history if workflow.review else []
    # The latest review that decided something; of two on one day, the one listed last.
    decided = [(e.date, i, e) for i, e in enumerate(history) if e.outcome is not None]
    latest = max(decided, key=lambda item: item[:2])[2] if decided else None
    drift = next(
        (f.message for f in verdict.findings if f.policy_id == "quality-drift" and f.failed),
        None,
    )
    changes = latest is not None and latest.outcome in _CHANGES
    if not changes and drift is None:
        return None
    return Candidate(
        workflow_id=workflow.id,
        recommendation=latest.outcome if changes and latest else None,
        review_date=latest.date if changes and latest else None,
        notes=latest.notes if changes and latest else None,
        drift=drift,
    )
