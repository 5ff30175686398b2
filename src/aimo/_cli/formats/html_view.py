"""What the HTML review shows, worked out from a :class:`~aimo._review.report.Report`.

A section follows the order a governance meeting takes it: the four decisions, the
model's own verdict, the headline counts, decisions by stage, the failing policies, review
tiers against consequence, the review calendar, the workflows to change, waivers,
upcoming enforcement, use-case scores, then every workflow. Each chart comes with a table
of the same numbers.

At tens of thousands of workflows the aggregates stay on top and the long lists fold
away: a long table shows its first rows and keeps the rest under a closed "the other N"
(so nothing is left out), the register of every workflow sits behind one closed
disclosure, in parts of :data:`REGISTER_PART` that each open on their own, and the
per-workflow details stop after :data:`DETAILED_WORKFLOWS` with a note saying so.

Nothing here is HTML. The template draws it and escapes every piece of text.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from aimo._cli.formats.charts import Chart, Row, Segment, bar_chart
from aimo._documents.models import Consequence, ReviewOutcome, ReviewTier, Stage
from aimo._engine.verdict import Decision, Enforcement
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

__all__ = [
    "DETAILED_WORKFLOWS",
    "REGISTER_PART",
    "SHOWN_ROWS",
    "SMALL_SECTION",
    "Cell",
    "Page",
    "SectionView",
    "Table",
    "page_of",
]

#: Rows of a long table shown before the rest fold under "the other N".
SHOWN_ROWS = 100
#: Workflows listed with their details (what blocks, warns or would, in shadow) before
#: the list stops with a note; the register still lists every workflow.
DETAILED_WORKFLOWS = 200
#: Workflows in each part of a longer register: a browser lays out a part in a moment,
#: where a table of 36,000 rows takes seconds to open.
REGISTER_PART = 1_000
#: Up to this many workflows, a section prints whole: its register and each workflow's
#: details start open.
SMALL_SECTION = 25

NUM, DATE = "num", "date"
_TIER_RANK = {tier.value: rank for rank, tier in enumerate(ReviewTier)}
_DECISION_ORDER = (Decision.DENY, Decision.WARN, Decision.ALLOW)
_DECISION_STYLE = {Decision.ALLOW: "good", Decision.WARN: "caution", Decision.DENY: "bad"}
_EFFECT_STYLE = {
    Enforcement.SHADOW: "trial",
    Enforcement.ADVISORY: "caution",
    Enforcement.MANDATORY: "bad",
    Enforcement.HARD_MANDATORY: "bad",
}
_REVIEW_WORDS = {
    ReviewStatus.OVERDUE: "overdue",
    ReviewStatus.DUE_SOON: "due soon",
    ReviewStatus.NO_CADENCE: "no cadence set",
    ReviewStatus.NO_ANCHOR: "never reviewed, no go-live date",
    ReviewStatus.SCHEDULED: "scheduled",
}
_REVIEW_MARK = {ReviewStatus.OVERDUE: "bad", ReviewStatus.DUE_SOON: "caution"}
_VERBS = {
    ReviewOutcome.RETIRE: "retire it",
    ReviewOutcome.STRENGTHEN_REVIEW: "strengthen its review",
    ReviewOutcome.TUNE: "tune it",
}


class Cell(NamedTuple):
    """One table cell: its text and, for a decision or a status, a mark the stylesheet
    draws beside the words (never instead of them)."""

    text: str
    #: A chart style name (``good``, ``caution``, ``bad``, ...), or "".
    mark: str = ""
    #: ``num`` for a number (right-aligned), ``date`` for a date (kept on one line), or "".
    kind: str = ""
    #: A link within the page ("#..."), or "".
    href: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]]
    #: How many rows show; the rest fold under "the other N".
    shown: int = SHOWN_ROWS
    #: What the table says when it has no rows.
    empty: str = "None."
    #: What the folded rows are, in the plural: "the other 3,500 {what}".
    what: str = "rows"
    #: Which columns hold numbers (right-aligned).
    numeric: tuple[int, ...] = ()

    @property
    def head(self) -> Sequence[tuple[Cell, ...]]:
        return self.rows[: self.shown]

    @property
    def rest(self) -> Sequence[tuple[Cell, ...]]:
        return self.rows[self.shown :]


@dataclass(frozen=True)
class Tile:
    """A headline count."""

    value: str
    label: str
    note: str = ""
    mark: str = ""


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str | None


@dataclass(frozen=True)
class ModelVerdictView:
    """The verdict on the operating model as a whole: what its model-level policies find."""

    decision: str
    mark: str
    blocking: tuple[str, ...]
    warnings: tuple[str, ...]
    shadow: tuple[str, ...]


@dataclass(frozen=True)
class WorkflowDetails:
    anchor: str
    id: str
    name: str | None
    decision: str
    mark: str
    #: The workflow's facts as (term, value) pairs.
    facts: tuple[tuple[str, str], ...]
    blocking: tuple[str, ...]
    warnings: tuple[str, ...]
    shadow: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """A chart and the table of its numbers."""

    chart: Chart | None
    table: Table
    note: str = ""


@dataclass(frozen=True)
class Part:
    """Part of a long register: the workflows it holds, in words, and their table."""

    label: str
    table: Table


@dataclass(frozen=True)
class SectionView:
    anchor: str
    #: The organisation, or what the section holds when it is not a model.
    name: str
    #: The section's heading: its name, and its file on a page of several.
    heading: str
    title: str
    file: str
    is_model: bool
    size: int
    model_verdict: ModelVerdictView | None
    decisions: tuple[Answer, ...]
    tiles: tuple[Tile, ...]
    stages: Figure
    rollup: Figure
    tiers: Figure
    reviews: Table
    review_counts: Table
    candidates: Table
    waivers: Table
    upcoming: Figure
    scores: Figure
    attention: tuple[WorkflowDetails, ...]
    attention_total: int
    register: Table
    #: A long register in parts, each with its own closed disclosure; () when it is one table.
    register_parts: tuple[Part, ...]
    #: A small section prints whole: its register and details start open.
    small: bool


@dataclass(frozen=True)
class Page:
    title: str
    today: dt.date
    horizon_days: int
    sections: tuple[SectionView, ...]
    #: On a page of several sections, a table of them with their counts.
    overview: Table | None
    workflows: int


def _n(value: int) -> str:
    return f"{value:,}"


def _word(count: int, word: str, words: str | None = None) -> str:
    """``word`` as it goes with ``count``: one workflow, two workflows."""
    return word if count == 1 else words or word + "s"


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {_word(count, word, words)}"


def page_of(report: Report) -> Page:
    """The page for ``report``: each section's view, and an overview when there are several."""
    day = report.today.isoformat()
    several = len(report.sections) > 1
    sections = tuple(
        _section(index, section, report, several) for index, section in enumerate(report.sections)
    )
    title = sections[0].title if len(sections) == 1 else f"AI operating model review, {day}"
    return Page(
        title=title,
        today=report.today,
        horizon_days=report.horizon_days,
        sections=sections,
        overview=_overview(report.sections, sections) if several else None,
        workflows=sum(len(s.workflows) for s in report.sections),
    )


def _overview(reports: Sequence[ModelReport], views: Sequence[SectionView]) -> Table:
    rows = []
    totals = [0] * 6
    for report, view in zip(reports, views, strict=True):
        counts = [
            len(report.workflows),
            report.decision_counts.get(Decision.ALLOW, 0),
            report.decision_counts.get(Decision.WARN, 0),
            report.decision_counts.get(Decision.DENY, 0),
            sum(r.status is ReviewStatus.OVERDUE for r in report.reviews),
            sum(w.status is WaiverStatus.EXPIRING for w in report.waivers),
        ]
        totals = [t + c for t, c in zip(totals, counts, strict=True)]
        verdict = report.model_verdict
        rows.append(
            (
                Cell(view.name, href=f"#{view.anchor}"),
                Cell(report.file),
                Cell(verdict.decision.value, mark=_DECISION_STYLE[verdict.decision])
                if verdict
                else Cell("-"),
                *(Cell(_n(c), kind=NUM) for c in counts),
            )
        )
    rows.append((Cell("All"), Cell(""), Cell(""), *(Cell(_n(t), kind=NUM) for t in totals)))
    return Table(
        caption="Each operating model reviewed, with its counts",
        header=(
            "Model",
            "File",
            "As a whole",
            "Workflows",
            "Allow",
            "Warn",
            "Deny",
            "Reviews overdue",
            "Waivers expiring",
        ),
        rows=rows,
        shown=len(rows),
        numeric=(3, 4, 5, 6, 7, 8),
    )


def _section(index: int, section: ModelReport, report: Report, several: bool) -> SectionView:
    day = report.today.isoformat()
    if not section.is_model:
        title = f"Workflows outside an operating model: review of {day}"
        name = "Workflows outside an operating model"
    elif section.organization:
        title = f"{section.organization}: AI operating model review, {day}"
        name = section.organization
    else:
        title = f"AI operating model review, {day}"
        name = "AI operating model"
    anchor = f"s{index}"
    rows = section.workflows
    small = len(rows) <= SMALL_SECTION
    attention = [w for w in _by_urgency(rows) if w.blocking or w.warnings or w.shadow]
    return SectionView(
        anchor=anchor,
        name=name,
        heading=f"{name} ({section.file})" if several else name,
        title=title,
        file=section.file,
        is_model=section.is_model,
        size=len(rows),
        model_verdict=_model_verdict(section.model_verdict),
        decisions=tuple(
            Answer(question, section.decisions.get(name))
            for name, question in DECISION_QUESTIONS.items()
        )
        if section.is_model
        else (),
        tiles=_tiles(section, report),
        stages=_stages(anchor, rows),
        rollup=_rollup(anchor, section),
        tiers=_tiers(anchor, rows),
        reviews=_reviews(section.reviews, report.horizon_days),
        review_counts=_review_counts(section.reviews),
        candidates=_candidates(section.candidates),
        waivers=_waivers(section.waivers, report.today),
        upcoming=_upcoming(anchor, section),
        scores=_scores(anchor, rows),
        attention=tuple(
            _details(anchor, position, row)
            for position, row in enumerate(attention[:DETAILED_WORKFLOWS])
        ),
        attention_total=len(attention),
        register=(register := _register(anchor, rows, attention[:DETAILED_WORKFLOWS])),
        register_parts=_parts(register),
        small=small,
    )


def _model_verdict(row: ModelVerdictRow | None) -> ModelVerdictView | None:
    if row is None:
        return None
    return ModelVerdictView(
        decision=row.decision.value,
        mark=_DECISION_STYLE[row.decision],
        blocking=row.blocking,
        warnings=row.warnings,
        shadow=row.shadow,
    )


def _refused(row: WorkflowRow) -> bool:
    """Whether the workflow was refused as not valid: nothing of it but its verdict was
    read, so it has no use-case score."""
    return row.use_case_score is None


def _tiles(section: ModelReport, report: Report) -> tuple[Tile, ...]:
    decided = section.decision_counts
    stages = " · ".join(f"{s.value} {_n(n)}" for s, n in section.stage_counts.items() if n)
    overdue = sum(r.status is ReviewStatus.OVERDUE for r in section.reviews)
    soon = sum(r.status is ReviewStatus.DUE_SOON for r in section.reviews)
    expiring = sum(w.status is WaiverStatus.EXPIRING for w in section.waivers)
    invalid = sum(w.status is WaiverStatus.INVALID for w in section.waivers)
    blocking = sum(r.blocking for r in section.rollup)
    denied, warned = decided.get(Decision.DENY, 0), decided.get(Decision.WARN, 0)
    tiles = [
        Tile(_n(len(section.workflows)), _word(len(section.workflows), "workflow"), stages),
        Tile(_n(denied), "denied", "may not run or ship as they are", "bad" if denied else ""),
        Tile(_n(warned), "warned", "run, with something to fix", "caution" if warned else ""),
        Tile(_n(decided.get(Decision.ALLOW, 0)), "allowed", "", "good"),
        Tile(
            _n(overdue),
            _word(overdue, "review", "reviews") + " overdue",
            f"{_n(soon)} more due within {report.horizon_days} days",
            "bad" if overdue else "",
        ),
        Tile(
            _n(expiring),
            _word(expiring, "waiver") + " expiring",
            f"within {report.horizon_days} days"
            + (f"; {_plural(invalid, 'invalid waiver')}" if invalid else ""),
            "caution" if expiring or invalid else "",
        ),
        Tile(_n(len(section.candidates)), "to tune, strengthen or retire", "", ""),
        Tile(
            _n(len(section.rollup)),
            "failing " + _word(len(section.rollup), "policy", "policies"),
            f"{_n(blocking)} of them block",
            "bad" if blocking else "",
        ),
    ]
    refused = sum(_refused(r) for r in section.workflows)
    if refused:
        tiles.append(
            Tile(_n(refused), _word(refused, "invalid document"), "refused, and so denied", "bad")
        )
    if section.upcoming:
        newly = sum(step.newly_deny for step in section.upcoming)
        tiles.append(
            Tile(
                _n(len(section.upcoming)),
                _word(len(section.upcoming), "enforcement step") + " to come",
                f"would newly deny {_plural(newly, 'workflow')} today",
                "caution" if newly else "",
            )
        )
    return tuple(tiles)


_DECISION_LEGEND = {"good": "allow", "caution": "warn", "bad": "deny"}


def _stages(anchor: str, rows: Sequence[WorkflowRow]) -> Figure:
    counts: Counter[tuple[Stage | None, Decision]] = Counter((r.stage, r.decision) for r in rows)
    stages: list[Stage | None] = list(Stage)
    if any(stage is None for stage, _ in counts):
        stages.append(None)
    chart_rows, table_rows = [], []
    for stage in stages:
        name = stage.value if stage else "stage not readable"
        by = [counts[(stage, d)] for d in (Decision.ALLOW, Decision.WARN, Decision.DENY)]
        chart_rows.append(
            Row(name, tuple(Segment(s, n) for s, n in zip(_DECISION_LEGEND, by, strict=True)))
        )
        table_rows.append((Cell(name), *(Cell(_n(n), kind=NUM) for n in (sum(by), *by))))
    title = "Decisions by stage"
    return Figure(
        chart=bar_chart(f"{anchor}-stages", title, chart_rows, _DECISION_LEGEND) if rows else None,
        table=Table(
            caption=f"{title}: workflows at each stage and what each was decided",
            header=("Stage", "Workflows", "Allow", "Warn", "Deny"),
            rows=table_rows if rows else [],
            shown=len(table_rows),
            empty="No workflows yet.",
            numeric=(1, 2, 3, 4),
        ),
    )


_ROLLUP_LEGEND = {
    "bad": "blocks (mandatory, hard-mandatory)",
    "caution": "does not block (advisory)",
    "trial": "reported only (shadow)",
}
#: Failing policies drawn in the chart; the table lists them all.
CHARTED_POLICIES = 15


def _rollup(anchor: str, section: ModelReport) -> Figure:
    total = len(section.workflows)
    rows = section.rollup
    title = "Failing policies, by how many workflows each fails"
    charted = rows[:CHARTED_POLICIES]
    chart = bar_chart(
        f"{anchor}-rollup",
        title,
        [
            Row(
                f"{r.policy_id} ({r.enforcement.value})",
                (Segment(_EFFECT_STYLE[r.enforcement], r.workflows),),
            )
            for r in charted
        ],
        {
            style: words
            for style, words in _ROLLUP_LEGEND.items()
            if any(_EFFECT_STYLE[r.enforcement] == style for r in charted)
        },
    )
    note = ""
    if len(rows) > CHARTED_POLICIES:
        note = (
            f"The chart shows the {CHARTED_POLICIES} most widespread; the table lists all "
            f"{len(rows)}."
        )
    return Figure(
        chart=chart if rows else None,
        table=Table(
            caption=title,
            header=("Policy", "Enforcement", "Effect", "Workflows it fails", "Share"),
            rows=[
                (
                    Cell(r.policy_id),
                    Cell(r.enforcement.value, mark=_EFFECT_STYLE[r.enforcement]),
                    Cell(EFFECT[r.enforcement]),
                    Cell(_n(r.workflows), kind=NUM),
                    Cell(f"{r.workflows / total:.0%}" if total else "-", kind=NUM),
                )
                for r in rows
            ],
            shown=len(rows),
            empty="No policy fails any workflow.",
            numeric=(3, 4),
        ),
        note=note,
    )


_TIER_LEGEND = {
    "bad": "below what the consequence requires",
    "good": "as required",
    "more": "more than required",
    "unset": "no review tier set",
}


def _tiers(anchor: str, rows: Sequence[WorkflowRow]) -> Figure:
    """Review tier against the tier each consequence requires: how many are reviewed less
    than their consequence needs."""
    read = [r for r in rows if not _refused(r)]
    consequences: list[str | None] = [c.value for c in Consequence]
    actual: Counter[tuple[str | None, str | None]] = Counter(
        (r.consequence, r.review_tier) for r in read
    )
    required: dict[str | None, str] = {}
    for r in read:
        if r.consequence is not None and r.required_tier is not None:
            required.setdefault(r.consequence, r.required_tier)
    unrated = sum(1 for r in read if r.consequence is None)
    tiers: list[str | None] = [t.value for t in ReviewTier]
    chart_rows, table_rows = [], []
    for consequence in consequences:
        need = required.get(consequence)
        split: Counter[str] = Counter()
        cells = []
        for tier in [*tiers, None]:
            count = actual[(consequence, tier)]
            place = _placement(tier, need)
            split[place] += count
            below = place == "bad" and count
            cells.append(
                Cell(f"{_n(count)} below" if below else _n(count), "bad" if below else "", NUM)
            )
        chart_rows.append(
            Row(
                f"{consequence} (needs {need})" if need else f"{consequence}",
                tuple(Segment(style, split[style]) for style in _TIER_LEGEND),
            )
        )
        table_rows.append((Cell(consequence or ""), Cell(need or "-"), *cells))
    title = "Review tier against the tier each consequence requires"
    note = ""
    if unrated:
        note = (
            f"{_plural(unrated, 'workflow has', 'workflows have')} no consequence rating, so "
            f"no tier is required of {'it' if unrated == 1 else 'them'} yet: left out here."
        )
    any_rated = any(r.consequence is not None for r in read)
    return Figure(
        chart=bar_chart(f"{anchor}-tiers", title, chart_rows, _TIER_LEGEND) if any_rated else None,
        table=Table(
            caption=f"{title}: workflows by consequence and the review tier they have",
            header=("Consequence", "Requires", "Light", "Standard", "Heavy", "No tier set"),
            rows=table_rows if any_rated else [],
            shown=len(table_rows),
            empty="No workflow has a consequence rating yet.",
            numeric=(2, 3, 4, 5),
        ),
        note=note,
    )


def _placement(tier: str | None, need: str | None) -> str:
    """The chart style of a review tier against the tier required."""
    if tier is None:
        return "unset"
    if need is None:
        return "good"
    difference = _TIER_RANK[tier] - _TIER_RANK[need]
    return "bad" if difference < 0 else "more" if difference > 0 else "good"


def _reviews(reviews: Sequence[ReviewRow], horizon: int) -> Table:
    due = sorted(
        (r for r in reviews if r.status in (ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON)),
        key=lambda r: (r.status is not ReviewStatus.OVERDUE, r.due or dt.date.max, r.workflow_id),
    )
    return Table(
        caption=f"Reviews overdue or due within {horizon} days, the most urgent first",
        header=("Workflow", "Stage", "Every", "Last review", "Next due", "Status"),
        rows=[
            (
                Cell(r.workflow_id),
                Cell(r.stage.value),
                Cell(f"{r.cadence_days} days" if r.cadence_days else "-"),
                Cell(r.last_reviewed.isoformat() if r.last_reviewed else "-", kind=DATE),
                Cell(r.due.isoformat() if r.due else "-", kind=DATE),
                Cell(_REVIEW_WORDS[r.status], mark=_REVIEW_MARK.get(r.status, "")),
            )
            for r in due
        ],
        empty=f"No review is overdue or due within {horizon} days.",
        what="reviews",
    )


def _review_counts(reviews: Sequence[ReviewRow]) -> Table:
    counts = Counter(r.status for r in reviews)
    return Table(
        caption="Pilot and production workflows by where they stand in the review calendar",
        header=("Status", "Workflows"),
        rows=[
            (Cell(_REVIEW_WORDS[s], mark=_REVIEW_MARK.get(s, "")), Cell(_n(counts[s]), kind=NUM))
            for s in ReviewStatus
        ]
        if reviews
        else [],
        shown=len(ReviewStatus),
        empty="No workflow in pilot or production.",
        numeric=(1,),
    )


def _candidates(candidates: Sequence[Candidate]) -> Table:
    return Table(
        caption="Workflows their latest review, or their quality check, says to change",
        header=("Workflow", "Decided", "On", "Notes", "Quality drift"),
        rows=[
            (
                Cell(c.workflow_id),
                Cell(_VERBS[c.recommendation] if c.recommendation else "-"),
                Cell(c.review_date.isoformat() if c.review_date else "-", kind=DATE),
                Cell(c.notes or "-"),
                Cell(c.drift or "-"),
            )
            for c in candidates
        ],
        empty="No review asks to tune, strengthen or retire a workflow.",
        what="workflows",
    )


def _waivers(waivers: Iterable[WaiverRow], today: dt.date) -> Table:
    def order(w: WaiverRow) -> tuple[int, dt.date, str, str]:
        return (
            w.status is not WaiverStatus.INVALID,
            w.expires or dt.date.min,
            w.workflow_id,
            w.policy,
        )

    rows = []
    for w in sorted(waivers, key=order):
        days = (w.expires - today).days if w.expires else None
        if days is None:
            left = "-"
        elif days < 0:
            left = f"expired {_plural(-days, 'day')} ago"
        else:
            left = _plural(days, "day")
        if w.status is WaiverStatus.INVALID:
            status = Cell("invalid: " + " ".join(w.problems), mark="bad")
        elif w.status is WaiverStatus.EXPIRING:
            status = Cell("expires soon", mark="caution")
        else:
            status = Cell("valid", mark="good")
        rows.append(
            (
                Cell(w.workflow_id),
                Cell(w.policy),
                Cell(w.expires.isoformat() if w.expires else "-", kind=DATE),
                Cell(left, kind=NUM),
                Cell(w.approved_by or "-"),
                status,
            )
        )
    return Table(
        caption="Waivers, invalid ones first, then by how long they have left",
        header=("Workflow", "Waives", "Expires", "Days left", "Approved by", "Status"),
        rows=rows,
        empty="No waivers.",
        what="waivers",
        numeric=(3,),
    )


_UPCOMING_LEGEND = {"caution": "would newly warn", "bad": "would newly deny"}


def _upcoming(anchor: str, section: ModelReport) -> Figure:
    steps = section.upcoming
    title = "Upcoming enforcement: what each step would change if it were in force today"
    chart = bar_chart(
        f"{anchor}-upcoming",
        title,
        [
            Row(
                f"{s.from_.isoformat()} {s.policy_id} to {s.level.value}",
                (Segment("caution", s.newly_warn), Segment("bad", s.newly_deny)),
            )
            for s in steps
        ],
        _UPCOMING_LEGEND,
    )
    return Figure(
        chart=chart if steps else None,
        table=Table(
            caption=title,
            header=("From", "Policy", "Becomes", "Would newly warn", "Would newly deny"),
            rows=[
                (
                    Cell(s.from_.isoformat(), kind=DATE),
                    Cell(s.policy_id),
                    Cell(s.level.value, mark=_EFFECT_STYLE[s.level]),
                    Cell(_n(s.newly_warn), kind=NUM),
                    Cell(_n(s.newly_deny), kind=NUM),
                )
                for s in steps
            ],
            shown=len(steps),
            empty="No dated enforcement step is still to come.",
            numeric=(3, 4),
        ),
    )


def _scores(anchor: str, rows: Sequence[WorkflowRow]) -> Figure:
    read = [r for r in rows if not _refused(r)]
    minimum = next((r.use_case_min_score for r in read if r.use_case_min_score is not None), None)
    counts = Counter(r.use_case_score for r in read)
    meets = f"meets the minimum of {minimum}" if minimum is not None else "scored"
    legend = {"good": meets, "bad": "below the minimum"} if minimum is not None else {"good": meets}
    chart_rows, table_rows = [], []
    for score in range(9, -1, -1):
        short = minimum is not None and score < minimum
        chart_rows.append(
            Row(f"{score} of 9", (Segment("bad" if short else "good", counts[score]),))
        )
        table_rows.append(
            (
                Cell(f"{score} of 9"),
                Cell(_n(counts[score]), kind=NUM),
                Cell(
                    "no, below the minimum" if short else "yes",
                    mark="bad" if short and counts[score] else "",
                ),
            )
        )
    refused = len(rows) - len(read)
    note = (
        f"{_plural(refused, 'workflow is', 'workflows are')} not a valid document and has no score."
        if refused
        else ""
    )
    title = "Use-case scores: recurrence, measurability and decision impact, 0 to 9"
    return Figure(
        chart=bar_chart(f"{anchor}-scores", title, chart_rows, legend) if read else None,
        table=Table(
            caption=f"{title}: workflows at each score",
            header=("Score", "Workflows", "Qualifies"),
            rows=table_rows if read else [],
            shown=len(table_rows),
            empty="No workflow could be scored.",
            numeric=(1,),
        ),
        note=note,
    )


def _by_urgency(rows: Sequence[WorkflowRow]) -> list[WorkflowRow]:
    """Denied first, then warned, then allowed; in the section's order within each."""
    return sorted(rows, key=lambda r: _DECISION_ORDER.index(r.decision))


def _details_anchor(anchor: str, position: int) -> str:
    return f"{anchor}-w{position}"


def _details(anchor: str, position: int, row: WorkflowRow) -> WorkflowDetails:
    facts: list[tuple[str, str]] = [("Stage", row.stage.value if row.stage else "-")]
    if _refused(row):
        facts.append(("Document", "not a valid workflow, so it was refused"))
    else:
        facts += [
            ("Owner", row.owner or "not named"),
            ("Consequence", row.consequence or "not rated"),
            ("Review tier", _review_tier(row)),
            ("Use case", _score(row)),
        ]
    return WorkflowDetails(
        anchor=_details_anchor(anchor, position),
        id=row.id,
        name=row.name,
        decision=row.decision.value,
        mark=_DECISION_STYLE[row.decision],
        facts=tuple(facts),
        blocking=row.blocking,
        warnings=row.warnings,
        shadow=row.shadow,
    )


def _review_tier(row: WorkflowRow) -> str:
    text = row.review_tier or "none"
    if row.required_tier and row.required_tier != row.review_tier:
        text += f", needs {row.required_tier}"
    return text


def _score(row: WorkflowRow) -> str:
    text = f"{row.use_case_score} of 9"
    if (
        row.use_case_score is not None
        and row.use_case_min_score is not None
        and row.use_case_score < row.use_case_min_score
    ):
        text += f", needs {row.use_case_min_score}"
    return text


def _register(anchor: str, rows: Sequence[WorkflowRow], detailed: Sequence[WorkflowRow]) -> Table:
    links = {id(row): _details_anchor(anchor, i) for i, row in enumerate(detailed)}
    table_rows = []
    for row in rows:
        refused = _refused(row)
        link = links.get(id(row))
        table_rows.append(
            (
                Cell(row.id, href=f"#{link}" if link else ""),
                Cell("not a valid workflow" if refused else row.name or "-"),
                Cell(row.stage.value if row.stage else "-"),
                Cell("-" if refused else row.owner or "-"),
                Cell("-" if refused else row.consequence or "-"),
                Cell("-" if refused else _review_tier(row)),
                Cell("-" if refused else _score(row)),
                Cell(row.decision.value, mark=_DECISION_STYLE[row.decision]),
            )
        )
    return Table(
        caption="Every workflow, in the order of its file",
        header=(
            "Workflow",
            "Name",
            "Stage",
            "Owner",
            "Consequence",
            "Review tier",
            "Use case",
            "Decision",
        ),
        rows=table_rows,
        shown=len(table_rows),
        empty="No workflows yet.",
        what="workflows",
    )


def _parts(register: Table) -> tuple[Part, ...]:
    rows = register.rows
    if len(rows) <= REGISTER_PART:
        return ()
    parts = []
    for start in range(0, len(rows), REGISTER_PART):
        chunk = rows[start : start + REGISTER_PART]
        end = start + len(chunk)
        parts.append(
            Part(
                label=(
                    f"Workflows {start + 1:,} to {end:,}: {chunk[0][0].text} to {chunk[-1][0].text}"
                ),
                table=Table(
                    caption=f"{register.caption}: workflows {start + 1:,} to {end:,}",
                    header=register.header,
                    rows=chunk,
                    shown=len(chunk),
                    what=register.what,
                ),
            )
        )
    return tuple(parts)
