"""``aimo report``: an operating model's review, as a leadership meeting reads it.

``aimo check`` answers "may this ship?" for each workflow. The report answers the seed's
standing questions for the whole model at once: are the four decisions written down, what
is in each stage and who owns it, what is blocked and why, which reviews and waivers fall
due soon, and which workflows their owners want to tune or retire. It decides nothing
itself: decisions and failures are the verdicts', scores are ``score_use_case``'s, and the
review calendar is the arithmetic ``review-current`` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from aimo._advice import score_use_case
from aimo._dates import shift
from aimo._models import Decisions, OperatingModel, ReviewOutcome, Stage, Workflow
from aimo._verdict import Decision, Finding, Verdict

__all__ = ["ModelReport", "Report", "build_report", "render_markdown"]

#: What the report calls each of the four decisions (seed: "What an Operating Model Has to
#: Decide"), in the seed's order.
DECISION_QUESTIONS: dict[str, str] = {
    "where_ai_is_useful": "Where is AI useful?",
    "who_owns_results": "Who owns the results?",
    "what_data_is_allowed": "What data is allowed?",
    "how_output_ships": "How does output ship?",
}

ReviewStatus = Literal["overdue", "due_soon", "scheduled", "never_reviewed", "no_cadence"]
WaiverStatus = Literal["invalid", "expiring", "valid"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkflowRow(_Row):
    """One workflow in the register."""

    id: str
    name: str | None
    stage: Stage
    owner: str | None
    consequence: str | None
    review_tier: str | None
    required_tier: str | None
    decision: Decision
    use_case_score: int
    use_case_qualifies: bool
    #: The messages of the failures that block (deny), then of those that only warn.
    blocking: list[str]
    warnings: list[str]


class ReviewRow(_Row):
    """When a pilot or production workflow's next review falls due (seed: "Monitor,
    Review, and Retire")."""

    workflow_id: str
    cadence_days: int | None
    last_reviewed: dt.date | None
    due: dt.date | None
    status: ReviewStatus


class WaiverRow(_Row):
    """One exception and how long it has left."""

    workflow_id: str
    policy: str
    expires: dt.date | None
    approved_by: str | None
    status: WaiverStatus
    #: Why the waiver is invalid, when it is.
    problems: list[str]


class Candidate(_Row):
    """A workflow its latest review or a failing drift check says to change."""

    workflow_id: str
    recommendation: ReviewOutcome
    reason: str


class ModelReport(_Row):
    """The review of one operating model (or of loose workflows, with no model)."""

    file: str
    organization: str | None
    #: Each of the four decisions as written, or None where it is not written down.
    decisions: dict[str, str | None] | None
    stages: dict[str, int]
    verdicts: dict[str, int]
    workflows: list[WorkflowRow]
    reviews: list[ReviewRow]
    waivers: list[WaiverRow]
    candidates: list[Candidate]


class Report(_Row):
    """Every model's review on one date, looking ``horizon_days`` ahead."""

    today: dt.date
    horizon_days: int
    models: list[ModelReport]


def build_report(
    entries: Sequence[tuple[str, OperatingModel | None, Sequence[tuple[Workflow, Verdict]]]],
    *,
    today: dt.date,
    horizon_days: int = 30,
) -> Report:
    """The review of each ``(file, model, [(workflow, verdict), ...])`` entry."""
    return Report(
        today=today,
        horizon_days=horizon_days,
        models=[
            _model_report(file, model, pairs, today, horizon_days) for file, model, pairs in entries
        ],
    )


def _model_report(
    file: str,
    model: OperatingModel | None,
    pairs: Sequence[tuple[Workflow, Verdict]],
    today: dt.date,
    horizon: int,
) -> ModelReport:
    return ModelReport(
        file=file,
        organization=model.organization if model else None,
        decisions=_decisions(model.decisions) if model else None,
        stages={s.value: sum(1 for w, _ in pairs if w.stage is s) for s in Stage},
        verdicts={d.value: sum(1 for _, v in pairs if v.decision is d) for d in Decision},
        workflows=[_workflow_row(w, v, model) for w, v in pairs],
        reviews=[_review_row(w, today, horizon) for w, _ in pairs if w.stage in _LIVE],
        waivers=[row for w, v in pairs for row in _waiver_rows(w, v)],
        candidates=[c for w, v in pairs for c in _candidates(w, v)],
    )


#: The stages whose workflows run and so are reviewed on a cadence.
_LIVE = (Stage.PILOT, Stage.PRODUCTION)


def _decisions(decisions: Decisions | None) -> dict[str, str | None]:
    answers: dict[str, str | None] = {}
    for name in DECISION_QUESTIONS:
        text = getattr(decisions, name) if decisions else None
        # YAML's folded blocks keep their line breaks; blank answers answer nothing.
        answers[name] = (" ".join(text.split()) or None) if text else None
    return answers


def _workflow_row(
    workflow: Workflow, verdict: Verdict, model: OperatingModel | None
) -> WorkflowRow:
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
        use_case_qualifies=score.qualifies,
        blocking=_unique(f.message for f in failures if f.enforcement.blocking),
        warnings=_unique(f.message for f in failures if not f.enforcement.blocking),
    )


def _unique(messages: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(messages))


def _review_row(workflow: Workflow, today: dt.date, horizon: int) -> ReviewRow:
    review = workflow.review
    cadence = review.cadence_days if review else None
    last = review.last_review_date if review else None
    # The same anchor review-current uses: the last review, else the go-live date.
    anchor = last or (workflow.production.went_live if workflow.production else None)
    due = shift(anchor, cadence) if anchor is not None and cadence is not None else None
    status: ReviewStatus
    if cadence is None:
        status = "no_cadence"
    elif due is None:
        status = "never_reviewed"
    elif due < today:
        status = "overdue"
    elif due <= shift(today, horizon):
        status = "due_soon"
    else:
        status = "scheduled"
    return ReviewRow(
        workflow_id=workflow.id,
        cadence_days=cadence,
        last_reviewed=last,
        due=due,
        status=status,
    )


def _waiver_rows(workflow: Workflow, verdict: Verdict) -> list[WaiverRow]:
    rows = []
    for index, waiver in enumerate(workflow.waivers):
        prefix = f"/waivers/{index}/"
        mine = [f for f in verdict.findings if f.path.startswith(prefix)]
        problems = _unique(f.message for f in mine if f.policy_id == "waiver-valid" and f.failed)
        expiring = any(f.policy_id == "waiver-expiring" and f.failed for f in mine)
        status: WaiverStatus = "invalid" if problems else "expiring" if expiring else "valid"
        rows.append(
            WaiverRow(
                workflow_id=workflow.id,
                policy=waiver.policy,
                expires=waiver.expires,
                approved_by=waiver.approved_by,
                status=status,
                problems=problems,
            )
        )
    return rows


_CHANGES = (ReviewOutcome.RETIRE, ReviewOutcome.STRENGTHEN_REVIEW, ReviewOutcome.TUNE)


def _candidates(workflow: Workflow, verdict: Verdict) -> list[Candidate]:
    if workflow.stage is Stage.RETIRED:
        return []
    found = []
    history = workflow.review.history if workflow.review else []
    latest = max(history, key=lambda entry: entry.date, default=None)
    if latest is not None and latest.outcome in _CHANGES:
        reason = f"The review of {latest.date.isoformat()} decided to {_VERB[latest.outcome]}"
        if latest.notes:
            notes = latest.notes.strip()
            reason += f": {notes}" + ("" if notes.endswith((".", "!", "?")) else ".")
        else:
            reason += "."
        found.append(
            Candidate(workflow_id=workflow.id, recommendation=latest.outcome, reason=reason)
        )
    drift: list[Finding] = [
        f for f in verdict.findings if f.policy_id == "quality-drift" and f.failed
    ]
    if drift and not found:
        found.append(
            Candidate(
                workflow_id=workflow.id,
                recommendation=ReviewOutcome.TUNE,
                reason=drift[0].message,
            )
        )
    return found


_VERB = {
    ReviewOutcome.RETIRE: "retire it",
    ReviewOutcome.STRENGTHEN_REVIEW: "strengthen its review",
    ReviewOutcome.TUNE: "tune it",
}


# -- Markdown ---------------------------------------------------------------------------

_REVIEW_WORDS: dict[str, str] = {
    "overdue": "**overdue**",
    "due_soon": "due soon",
    "scheduled": "scheduled",
    "never_reviewed": "not reviewed yet, not live",
    "no_cadence": "no cadence set",
}


def render_markdown(report: Report) -> str:
    """The report as Markdown: readable in a terminal, pasteable into a wiki or a ticket."""
    out: list[str] = []
    for section in report.models:
        out.extend(_markdown_model(section, report))
    return "\n".join(out).rstrip() + "\n"


def _cell(text: str | None) -> str:
    # A pipe or a line break inside a cell would break the table around it.
    return (text or "-").replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str | None]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _markdown_model(section: ModelReport, report: Report) -> list[str]:
    who = section.organization or "Workflows outside an operating model"
    out = [
        f"# {_cell(who)}: AI operating model review, {report.today.isoformat()}",
        "",
        f"From `{section.file}`.",
        "",
    ]
    if section.decisions is not None:
        out += ["## The four decisions", ""]
        for name, question in DECISION_QUESTIONS.items():
            answer = section.decisions.get(name)
            out.append(f"- **{question}** {answer if answer else '*Not written down.*'}")
        out.append("")

    count = len(section.workflows)
    stages = ", ".join(f"{n} {stage}" for stage, n in section.stages.items() if n)
    verdicts = ", ".join(f"{n} {decision}" for decision, n in section.verdicts.items() if n)
    out += ["## Workflows", ""]
    if not count:
        return [*out, "No workflows yet.", ""]
    out += [f"{count} workflow{'s' if count != 1 else ''}: {stages}. Decisions: {verdicts}.", ""]
    out += _table(
        ("Workflow", "Stage", "Owner", "Consequence", "Review (needed)", "Use case", "Decision"),
        [
            (
                w.id,
                w.stage.value,
                w.owner,
                w.consequence,
                f"{w.review_tier or '-'} ({w.required_tier or '-'})",
                f"{w.use_case_score}/9" + ("" if w.use_case_qualifies else ", below the bar"),
                f"**{w.decision.value}**" if w.decision is Decision.DENY else w.decision.value,
            )
            for w in section.workflows
        ],
    )

    blocked = [w for w in section.workflows if w.blocking]
    if blocked:
        out += ["## Blocked", ""]
        for w in blocked:
            out.append(f"- **{w.id}**" + (f" (owner: {w.owner})" if w.owner else ""))
            out += [f"  - {message}" for message in w.blocking]
        out.append("")
    warned = [w for w in section.workflows if w.warnings]
    if warned:
        out += ["## Warnings", ""]
        for w in warned:
            out.append(f"- **{w.id}**")
            out += [f"  - {message}" for message in w.warnings]
        out.append("")

    if section.reviews:
        out += [f"## Review calendar (next {report.horizon_days} days)", ""]
        out += _table(
            ("Workflow", "Every", "Last review", "Next due", "Status"),
            [
                (
                    r.workflow_id,
                    f"{r.cadence_days} days" if r.cadence_days else None,
                    r.last_reviewed.isoformat() if r.last_reviewed else None,
                    r.due.isoformat() if r.due else None,
                    _REVIEW_WORDS[r.status],
                )
                for r in sorted(section.reviews, key=_review_order)
            ],
        )
    if section.waivers:
        out += ["## Waivers", ""]
        out += _table(
            ("Workflow", "Waives", "Expires", "Approved by", "Status"),
            [
                (
                    w.workflow_id,
                    w.policy,
                    w.expires.isoformat() if w.expires else None,
                    w.approved_by,
                    "; ".join(w.problems) if w.problems else w.status.replace("_", " "),
                )
                for w in section.waivers
            ],
        )
    if section.candidates:
        out += ["## To tune, strengthen or retire", ""]
        out += [
            f"- **{c.workflow_id}**: {c.recommendation.value.replace('_', ' ')}. {c.reason}"
            for c in section.candidates
        ]
        out.append("")
    return out


_STATUS_ORDER = {"overdue": 0, "due_soon": 1, "no_cadence": 2, "never_reviewed": 3, "scheduled": 4}


def _review_order(row: ReviewRow) -> tuple[int, dt.date, str]:
    return (_STATUS_ORDER[row.status], row.due or dt.date.max, row.workflow_id)
