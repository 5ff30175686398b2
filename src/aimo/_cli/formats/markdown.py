"""``aimo report --format markdown``: the review as Markdown, for a wiki or a ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TextIO

from aimo._cli.formats import Format
from aimo._cli.results import ReportRun
from aimo._documents.models import ReviewOutcome
from aimo._documents.printable import printable
from aimo._engine.verdict import Decision
from aimo._review.report import (
    DECISION_QUESTIONS,
    Candidate,
    ModelReport,
    ModelVerdictRow,
    Report,
    ReviewRow,
    ReviewStatus,
    WaiverRow,
    WaiverStatus,
    WorkflowRow,
)
from aimo._review.rollup import EFFECT

__all__ = ["FORMAT", "render_markdown"]

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
    if section.model_verdict is not None:
        out += _model_verdict(section.model_verdict)

    out += ["## Workflows", ""]
    count = len(section.workflows)
    if not count:
        return [*out, "No workflows yet.", ""]
    stages = ", ".join(f"{n} {s.value}" for s, n in section.stage_counts.items() if n)
    decisions = ", ".join(f"{n} {d.value}" for d, n in section.decision_counts.items() if n)
    out += [f"{count} workflow{'s' if count != 1 else ''}: {stages}. Decisions: {decisions}.", ""]
    if section.rollup:
        out += ["### Failing policies", ""]
        out += _table(
            ("Policy", "Enforcement", "Workflows it fails"),
            (
                (
                    row.policy_id,
                    f"{row.enforcement.value} ({EFFECT[row.enforcement]})",
                    f"{row.workflows:,}",
                )
                for row in section.rollup
            ),
        )
    out += ["### Register", ""]
    out += _table(
        ("Workflow", "Stage", "Owner", "Consequence", "Review", "Use case", "Decision"),
        (_workflow_cells(w) for w in section.workflows),
    )
    blocked = [w for w in section.workflows if w.blocking]
    if blocked:
        out += ["## Blocked", ""]
        for w in blocked:
            # A refused row's id is whatever the row says, not a slug: it is document text.
            out.append(
                f"- **{_text(w.id)}**"
                + (f" (owner: {_text(w.owner)})" if w.owner else "")
                + (f" (file: {_text(w.file)})" if w.file else "")
            )
            out += [f"  - {_text(message)}" for message in w.blocking]
        out.append("")
    warned = [w for w in section.workflows if w.warnings]
    if warned:
        out += ["## Warnings", ""]
        for w in warned:
            out.append(f"- **{_text(w.id)}**")
            out += [f"  - {_text(message)}" for message in w.warnings]
        out.append("")
    shadowed = [w for w in section.workflows if w.shadow]
    if shadowed:
        out += [
            "## In shadow",
            "",
            "Policies on trial: what they find is reported, and changes no decision yet.",
            "",
        ]
        for w in shadowed:
            out.append(f"- **{w.id}**")
            out += [f"  - {_text(message)}" for message in w.shadow]
        out.append("")
    if section.upcoming:
        out += [
            "## Upcoming enforcement",
            "",
            "Policies rolled out on dates: what each step still to come would change if it "
            "were in force today.",
            "",
        ]
        out += _table(
            ("Policy", "From", "Becomes", "Would newly warn", "Would newly deny"),
            (
                (
                    step.policy_id,
                    step.from_.isoformat(),
                    step.level.value,
                    f"{step.newly_warn:,}",
                    f"{step.newly_deny:,}",
                )
                for step in section.upcoming
            ),
        )
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


def _model_verdict(row: ModelVerdictRow) -> list[str]:
    decision = row.decision.value
    out = [
        "## The operating model as a whole",
        "",
        f"Decision: {decision.upper() if row.decision is Decision.DENY else decision}.",
        "",
    ]
    for title, messages in (
        ("Blocks", row.blocking),
        ("Warns", row.warnings),
        ("In shadow", row.shadow),
    ):
        out += [f"- {title}: {_text(message)}" for message in messages]
    if row.blocking or row.warnings or row.shadow:
        out.append("")
    return out


def _workflow_cells(row: WorkflowRow) -> tuple[str | None, ...]:
    if row.use_case_score is None:
        # Refused: not a valid workflow, so neither its review nor its use case was read.
        review, score = "-", "-"
    else:
        review = row.review_tier or "none"
        if row.required_tier and row.required_tier != row.review_tier:
            review += f", needs {row.required_tier}"
        score = f"{row.use_case_score} of 9"
        if row.use_case_min_score is not None and row.use_case_score < row.use_case_min_score:
            score += f", needs {row.use_case_min_score}"
    decision = row.decision.value
    return (
        _text(row.id),
        row.stage.value if row.stage else None,
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


def _write(run: ReportRun, out: TextIO) -> None:
    if run.report.sections:
        out.write(render_markdown(run.report))


FORMAT = Format("markdown", "Markdown for people (default)", _write)
