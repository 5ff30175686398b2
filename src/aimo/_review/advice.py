"""Advice before a workflow exists: scoring a use case (spec 4.1), choosing infrastructure
(spec 4.2). Both follow the seed's "Practical Next Steps": score candidates on recurrence,
measurability and decision impact; decide public tools versus owned infrastructure by
privacy, model control, deployment needs and reuse, with a recorded rationale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aimo._documents.models import (
    InfrastructureChoice,
    OperatingModel,
    Recurrence,
    UseCase,
    Workflow,
)
from aimo._documents.validate import validate

__all__ = [
    "InfrastructureAdvice",
    "InfrastructureFactor",
    "UseCaseScore",
    "recommend_infrastructure",
    "score_use_case",
]

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
        qualifies=total >= min_score,
        reasons=reasons,
    )


FactorName = Literal["privacy", "model_control", "deployment", "reuse"]


class InfrastructureFactor(BaseModel):
    """One consideration behind an infrastructure recommendation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    factor: FactorName
    present: bool
    reason: str


class InfrastructureAdvice(BaseModel):
    """Public tool or owned infrastructure, with the factors that drove it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    choice: InfrastructureChoice
    factors: list[InfrastructureFactor]
    recorded: InfrastructureChoice | None
    agrees: bool | None


# The factors read straight from the workflow's own infrastructure record.
_RECORDED_FACTORS: tuple[tuple[FactorName, str, str, str], ...] = (
    (
        "model_control",
        "needs_model_control",
        "Model behaviour must be governed or fixed.",
        "No need to govern or fix the model's behaviour.",
    ),
    (
        "deployment",
        "custom_deployment",
        "It needs a custom deployment.",
        "A standard tool deploys it.",
    ),
    (
        "reuse",
        "reused_across_engagements",
        "It is tooling reused across engagements.",
        "It is not reused across engagements.",
    ),
)


def recommend_infrastructure(
    workflow: Workflow | Mapping[str, Any], *, model: OperatingModel | None = None
) -> InfrastructureAdvice:
    """Recommend ``owned`` when privacy, model control, deployment or reuse calls for it.

    Privacy counts when ``infrastructure.sensitive_data`` is set or an input's class ranks
    above the model's ``public_tools_max_class``.
    """
    document = workflow if isinstance(workflow, Workflow) else validate(Workflow, workflow)
    operating_model = model or OperatingModel()
    infrastructure = document.infrastructure
    ceiling = operating_model.class_rank(operating_model.public_tools_max_class)
    sensitive = [
        item.name
        for item in document.inputs
        if item.classification and operating_model.class_rank(item.classification) > ceiling
    ]
    flagged = bool(infrastructure and infrastructure.sensitive_data)
    privacy = flagged or bool(sensitive)
    if sensitive:
        privacy_reason = (
            f"Inputs above {operating_model.public_tools_max_class}: {', '.join(sensitive)}."
        )
    elif flagged:
        privacy_reason = "The workflow is recorded as handling sensitive data."
    else:
        privacy_reason = "No input is more sensitive than public tools may receive."
    factors = [InfrastructureFactor(factor="privacy", present=privacy, reason=privacy_reason)]
    for factor, field, present_reason, absent_reason in _RECORDED_FACTORS:
        present = bool(infrastructure and getattr(infrastructure, field))
        factors.append(
            InfrastructureFactor(
                factor=factor, present=present, reason=present_reason if present else absent_reason
            )
        )
    choice = (
        InfrastructureChoice.OWNED
        if any(f.present for f in factors)
        else InfrastructureChoice.PUBLIC
    )
    recorded = infrastructure.choice if infrastructure else None
    return InfrastructureAdvice(
        choice=choice,
        factors=factors,
        recorded=recorded,
        agrees=None if recorded is None else recorded is choice,
    )
