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
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from aimo._advice import score_use_case
from aimo._core_policies import next_review_due
from aimo._dates import shift
from aimo._models import Decisions, OperatingModel, ReviewOutcome, Stage, Workflow
from aimo._policy import Context
from aimo._printable import printable
from aimo._verdict import Decision, Verdict
from aimo._waivers import waiver_problems

if TYPE_CHECKING:
    from aimo._engine import Engine

__all__ = ["ModelReport", "Report", "build_report", "render_markdown"]

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
    use_case_min_score: int
    #: The messages of the failing findings that block (mandatory or hard-mandatory).
    blocking: tuple[str, ...]
    #: The messages of the failing advisory findings.
    warnings: tuple[str, ...]


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


class ModelReport(_Frozen):
    """The review of one operating model, or of workflow files outside any model."""

    file: str
    is_model: bool
    organization: str | None
    #: Each of the four decisions as written; None where it is not written down.
    decisions: dict[str, str | None]
    #: How many workflows are at each stage, and how many of them each decision got.
    stage_counts: dict[Stage, int]
    decision_counts: dict[Decision, int]
    workflows: tuple[WorkflowRow, ...]
    reviews: tuple[ReviewRow, ...]
    waivers: tuple[WaiverRow, ...]
    candidates: tuple[Candidate, ...]


class Report(_Frozen):
    """Every section of the review on one date, looking ``horizon_days`` ahead."""

    today: dt.date
    horizon_days: int
    sections: tuple[ModelReport, ...]


Entry = tuple[str, OperatingModel | None, Sequence[tuple[Workflow, Verdict]]]


def build_report(
    entries: Sequence[Entry], *, engine: Engine, today: dt.date, horizon_days: int = 30
) -> Report:
    """The review of each ``(file, model or None, [(workflow, verdict), ...])`` entry.

    :param engine: the engine that judged the workflows: it says, under each model's
        configuration, which policies exist and how strictly, for the waivers' validity.
    """
    return Report(
        today=today,
        horizon_days=horizon_days,
        sections=tuple(
            _section(file, model, pairs, engine, today, horizon_days)
            for file, model, pairs in entries
        ),
    )


def _section(
    file: str,
    model: OperatingModel | None,
    pairs: Sequence[tuple[Workflow, Verdict]],
    engine: Engine,
    today: dt.date,
    horizon: int,
) -> ModelReport:
    from aimo._engine import default_model

    operating_model = model if model is not None else default_model()
    ctx = Context(
        today=today,
        model=operating_model,
        enforcement=engine._for_model(operating_model)._enforcement,
    )
    return ModelReport(
        file=file,
        is_model=model is not None,
        organization=model.organization if model else None,
        decisions=_decisions(model.decisions if model else None),
        stage_counts={s: sum(1 for w, _ in pairs if w.stage is s) for s in Stage},
        decision_counts={d: sum(1 for _, v in pairs if v.decision is d) for d in Decision},
        workflows=tuple(_workflow_row(w, v, operating_model) for w, v in pairs),
        reviews=tuple(_review_row(w, today, horizon) for w, _ in pairs if w.stage in LIVE_STAGES),
        waivers=tuple(row for w, _ in pairs for row in _waiver_rows(w, ctx, horizon)),
        candidates=tuple(c for w, v in pairs if (c := _candidate(w, v)) is not None),
    )


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
        warnings=_unique(f.message for f in failures if not f.enforcement.blocking),
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


# -- Markdown ---------------------------------------------------------------------------

_REVIEW_WORDS = {
    ReviewStatus.OVERDUE: "**overdue**",
    ReviewStatus.DUE_SOON: "due soon",
    ReviewStatus.NO_CADENCE: "no cadence set",
    ReviewStatus.NO_ANCHOR: "never reviewed, no go-live date",
    ReviewStatus.SCHEDULED: "scheduled",
}
_REVIEW_ORDER = {status: rank for rank, status in enumerate(ReviewStatus)}
_VERBS = {
    ReviewOutcome.RETIRE: "retire it",
    ReviewOutcome.STRENGTHEN_REVIEW: "strengthen its review",
    ReviewOutcome.TUNE: "tune it",
}
#: Characters that would start code, emphasis, a link or HTML in text taken from documents.
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*<["})


def _text(value: str | None) -> str:
    """Document text as one line of literal Markdown: line breaks, markup and control
    characters cannot change the page around it."""
    text = printable(" ".join(value.split()).translate(_MARKDOWN)) if value else ""
    # At the start of a list item, these would open a heading, a quote or a nested list.
    return "\\" + text if text[:1] in ("#", ">", "-", "+") else text


def _table(header: Sequence[str], rows: Iterable[Sequence[str | None]]) -> list[str]:
    """A Markdown table of cells already in Markdown (document text through ``_text``)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += [
        "| " + " | ".join(c.replace("|", "\\|") if c else "-" for c in row) + " |" for row in rows
    ]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """The report as Markdown: readable in a terminal, pasteable into a wiki or a ticket."""
    out: list[str] = []
    for section in report.sections:
        out.extend(_markdown_section(section, report))
    return "\n".join(out).rstrip() + "\n"


def _markdown_section(section: ModelReport, report: Report) -> list[str]:
    day = report.today.isoformat()
    if not section.is_model:
        title = f"Workflows outside an operating model: review of {day}"
    elif section.organization:
        title = f"{_text(section.organization)}: AI operating model review, {day}"
    else:
        title = f"AI operating model review, {day}"
    out = [f"# {title}", "", f"From {_text(section.file)}.", ""]
    if section.is_model:
        out += ["## The four decisions", ""]
        for name, question in DECISION_QUESTIONS.items():
            answer = section.decisions.get(name)
            out.append(f"- **{question}** {_text(answer) if answer else '*Not written down.*'}")
        out.append("")

    out += ["## Workflows", ""]
    count = len(section.workflows)
    if not count:
        return [*out, "No workflows yet.", ""]
    stages = ", ".join(f"{n} {s.value}" for s, n in section.stage_counts.items() if n)
    decisions = ", ".join(f"{n} {d.value}" for d, n in section.decision_counts.items() if n)
    out += [f"{count} workflow{'s' if count != 1 else ''}: {stages}. Decisions: {decisions}.", ""]
    out += _table(
        ("Workflow", "Stage", "Owner", "Consequence", "Review", "Use case", "Decision"),
        (_workflow_cells(w) for w in section.workflows),
    )
    blocked = [w for w in section.workflows if w.blocking]
    if blocked:
        out += ["## Blocked", ""]
        for w in blocked:
            out.append(f"- **{w.id}**" + (f" (owner: {_text(w.owner)})" if w.owner else ""))
            out += [f"  - {_text(message)}" for message in w.blocking]
        out.append("")
    warned = [w for w in section.workflows if w.warnings]
    if warned:
        out += ["## Warnings", ""]
        for w in warned:
            out.append(f"- **{w.id}**")
            out += [f"  - {_text(message)}" for message in w.warnings]
        out.append("")
    if section.reviews:
        out += [
            "## Review calendar",
            "",
            f"Due soon means within {report.horizon_days} days.",
            "",
        ]
        out += _table(
            ("Workflow", "Every", "Last review", "Next due", "Status"),
            (
                (
                    r.workflow_id,
                    f"{r.cadence_days} days" if r.cadence_days else None,
                    r.last_reviewed.isoformat() if r.last_reviewed else None,
                    r.due.isoformat() if r.due else None,
                    _REVIEW_WORDS[r.status],
                )
                for r in sorted(section.reviews, key=_review_order)
            ),
        )
    if section.waivers:
        out += ["## Waivers", ""]
        out += _table(
            ("Workflow", "Waives", "Expires", "Approved by", "Status"),
            (
                (
                    w.workflow_id,
                    w.policy,
                    w.expires.isoformat() if w.expires else None,
                    _text(w.approved_by),
                    _waiver_words(w, report.today),
                )
                for w in section.waivers
            ),
        )
    if section.candidates:
        out += ["## To tune, strengthen or retire", ""]
        out += [_candidate_line(c) for c in section.candidates]
        out.append("")
    return out


def _workflow_cells(row: WorkflowRow) -> tuple[str | None, ...]:
    review = row.review_tier or "none"
    if row.required_tier and row.required_tier != row.review_tier:
        review += f", needs {row.required_tier}"
    score = f"{row.use_case_score} of 9"
    if row.use_case_score < row.use_case_min_score:
        score += f", needs {row.use_case_min_score}"
    decision = row.decision.value
    return (
        row.id,
        row.stage.value,
        _text(row.owner),
        row.consequence,
        review,
        score,
        decision.upper() if row.decision is Decision.DENY else decision,
    )


def _review_order(row: ReviewRow) -> tuple[int, dt.date, str]:
    return (_REVIEW_ORDER[row.status], row.due or dt.date.max, row.workflow_id)


def _waiver_words(row: WaiverRow, today: dt.date) -> str:
    if row.status is WaiverStatus.INVALID:
        return "**invalid**: " + " ".join(_text(problem) for problem in row.problems)
    assert row.expires is not None  # a valid waiver has an expiry date
    days = (row.expires - today).days
    left = f"{days} day{'s' if days != 1 else ''} left"
    return f"**expires soon**, {left}" if row.status is WaiverStatus.EXPIRING else left


def _candidate_line(candidate: Candidate) -> str:
    parts = []
    if candidate.recommendation is not None and candidate.review_date is not None:
        said = (
            f"The review of {candidate.review_date.isoformat()} decided to "
            f"{_VERBS[candidate.recommendation]}"
        )
        notes = _text(candidate.notes)
        parts.append(f"{said}: {notes}" if notes else f"{said}.")
    if candidate.drift is not None:
        parts.append(_text(candidate.drift))
    line = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)
    return f"- **{candidate.workflow_id}**: {line}"
