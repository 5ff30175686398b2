"""Scoring a use case (spec 4.1, the seed's "Practical Next Steps"): recurrence,
measurability and decision impact, each 0 to 3, against the model's ``selection.min_score``.

Here, below the policies, because ``use-case-qualifies`` enforces the same score that
``aimo.score_use_case`` and ``aimo score`` report: one computation, so they never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from aimo._documents.models import OperatingModel, Recurrence, UseCase, Workflow
from aimo._documents.validate import validate

__all__ = ["UseCaseScore", "gaps", "score_use_case"]

_RECURRENCE = {
    Recurrence.DAILY: (3, "It recurs daily, so standardising it repays quickly."),
    Recurrence.WEEKLY: (3, "It recurs weekly, so standardising it repays quickly."),
    Recurrence.MONTHLY: (2, "It recurs monthly: worth standardising, more slowly repaid."),
    Recurrence.QUARTERLY: (1, "It recurs only quarterly: little repetition to repay the set-up."),
    Recurrence.AD_HOC: (0, "It does not recur: each run is a one-off."),
}
# A "decision" that only names efficiency is the vague productivity goal the seed warns of.
_GENERIC = re.compile(
    r"\b(efficien\w*|productiv\w*|sav(e|es|ing) time|faster|speed( up)?|automat\w*)\b",
    re.IGNORECASE,
)


class UseCaseScore(BaseModel):
    """A use case scored 0..3 on recurrence, measurability and decision impact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recurrence: int
    measurability: int
    decision_impact: int
    total: int
    min_score: int
    #: The total reaches ``min_score`` and nothing is missing: the work recurs, success is
    #: measured, and the output informs a decision.
    qualifies: bool
    reasons: list[str]


def _use_case(value: UseCase | Workflow | Mapping[str, Any] | None) -> UseCase | None:
    if value is None or isinstance(value, UseCase):
        return value
    if isinstance(value, Workflow):
        return value.use_case
    return validate(UseCase, value)


def score_use_case(
    use_case: UseCase | Workflow | Mapping[str, Any] | None,
    *,
    model: OperatingModel | None = None,
) -> UseCaseScore:
    """Score a use case (or a workflow's) against the model's ``selection.min_score``.

    :param use_case: a :class:`UseCase`, a workflow whose use case to score, or plain data.
    :param model: the operating model whose threshold applies (default: 6 of 9).
    """
    case = _use_case(use_case)
    reasons: list[str] = []
    recurrence = case.recurrence if case else None
    if recurrence is None:
        recurrence_score = 0
        reasons.append("Nobody has said how often the work recurs.")
    else:
        recurrence_score, reason = _RECURRENCE[recurrence]
        reasons.append(reason)

    measure = case.success_measure if case else None
    if measure is None or not (measure.description or measure.metric):
        measurability = 0
        reasons.append("There is no success measure, so impact cannot be proven.")
    elif measure.metric and measure.target is not None:
        measurability = 3
        reasons.append(f"Success is measured ({measure.metric}) against a target.")
    elif measure.metric:
        measurability = 2
        reasons.append(f"Success has a metric ({measure.metric}) but no target yet.")
    else:
        measurability = 1
        reasons.append("Success is described in words only, with no metric.")

    decision = case.decision if case else None
    if not decision:
        impact = 0
        reasons.append("The output is not linked to any decision.")
    elif _GENERIC.search(decision):
        impact = 1
        reasons.append("The linked 'decision' is general efficiency, not a real decision.")
    else:
        impact = 3
        reasons.append(f"Better output would change a real decision: {decision.rstrip('.')}.")

    total = recurrence_score + measurability + impact
    min_score = (model or OperatingModel()).selection.min_score
    return UseCaseScore(
        recurrence=recurrence_score,
        measurability=measurability,
        decision_impact=impact,
        total=total,
        min_score=min_score,
        qualifies=total >= min_score and not gaps(case),
        reasons=reasons,
    )


def gaps(case: UseCase | None) -> list[str]:
    """What a use case leaves out, by field: a recurrence (or an ``ad_hoc`` one), a success
    measure, a decision. Any one of them disqualifies it, whatever its total."""
    missing = []
    if case is None or case.recurrence is None or case.recurrence is Recurrence.AD_HOC:
        missing.append("recurrence")
    measure = case.success_measure if case else None
    if measure is None or not (measure.description or measure.metric):
        missing.append("success_measure")
    if case is None or not case.decision:
        missing.append("decision")
    return missing
