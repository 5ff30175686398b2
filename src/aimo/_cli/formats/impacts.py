"""What ``aimo impact`` and ``aimo diff`` render, and the words every format of them shares:
the count line, the dates, what each decision and each finding is called.

The words are plain text; each format escapes document text its own way (the table with
:func:`~aimo._documents.printable.printable`, Markdown with its own escaping).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aimo._engine.verdict import Decision, Finding
from aimo._review.impact import Change, Impact

__all__ = [
    "ImpactRun",
    "count_line",
    "dates_line",
    "decision_word",
    "kind",
    "level",
    "subject",
]


@dataclass(frozen=True)
class ImpactRun:
    """An impact as a command renders it: the impact, what was compared (plain text: every
    format escapes it), and notes for the reader (policies added by an upgrade, say)."""

    impact: Impact
    title: str
    notes: tuple[str, ...] = ()


def decision_word(decision: Decision | None) -> str:
    """A decision as the outputs name it; ``absent`` for a side the workflow is not on."""
    return decision.value if decision is not None else "absent"


def subject(change: Change) -> str:
    """What a change is about, as the outputs name it: a workflow's id, or the operating
    model's name with what it stands for."""
    if change.scope == "model":
        return f"{change.workflow_id} (the operating model as a whole)"
    return change.workflow_id


def kind(change: Change) -> str:
    """Which of the count line's kinds a change is."""
    if change.newly_denies:
        return "newly denied"
    if change.newly_allowed:
        return "newly allowed"
    if change.after is None:
        return "removed"
    if change.before is None:
        return "added"
    return "between allow and warn"


_KINDS = ("newly denied", "newly allowed", "between allow and warn", "added", "removed")


def count_line(impact: Impact) -> str:
    """``3 of 120 workflows change decision: 2 newly denied, 1 newly allowed.``, then a
    sentence for the operating model as a whole when its own decision changes."""
    judged = impact.judged
    workflows = [c for c in impact.changes if c.scope == "workflow"]
    models = [c for c in impact.changes if c.scope == "model"]
    head = f"{len(workflows):,} of {judged:,} workflow{'s' if judged != 1 else ''}"
    if not workflows:
        line = f"{head} change decision."
    else:
        counts = Counter(kind(c) for c in workflows)
        parts = ", ".join(f"{counts[k]:,} {k}" for k in _KINDS if counts[k])
        line = f"{head} change decision: {parts}."
    if len(models) == 1:
        model = models[0]
        line += (
            f" The operating model as a whole: {decision_word(model.before)} -> "
            f"{decision_word(model.after)}."
        )
    elif models:
        denied = sum(1 for c in models if c.newly_denies)
        line += f" {len(models):,} operating models change decision as a whole"
        line += f" ({denied:,} newly denied)." if denied else "."
    return line


def dates_line(impact: Impact) -> str:
    """When each side was judged; a warning when the dates differ."""
    if impact.before_today == impact.today:
        return f"Evaluated on {impact.today.isoformat()}."
    return (
        f"Before: evaluated on {impact.before_today.isoformat()}; after: on "
        f"{impact.today.isoformat()}. A date alone can change decisions (reviews fall due, "
        "waivers expire)."
    )


def level(finding: Finding) -> str:
    """A finding's enforcement, and whether it blocks: ``mandatory: blocks``; a waived
    finding blocks nothing, so only its enforcement."""
    if not finding.failed:
        return finding.enforcement.value
    blocks = "blocks" if finding.enforcement.blocking else "does not block"
    return f"{finding.enforcement.value}: {blocks}"
