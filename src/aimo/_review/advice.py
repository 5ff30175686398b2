"""Advice before a workflow exists: scoring a use case (spec 4.1), choosing infrastructure
(spec 4.2). Both follow the seed's "Practical Next Steps": score candidates on recurrence,
measurability and decision impact; decide public tools versus owned infrastructure by
privacy, model control, deployment needs and reuse, with a recorded rationale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aimo._documents.models import InfrastructureChoice, OperatingModel, Workflow
from aimo._documents.validate import validate
from aimo._policies.scoring import UseCaseScore, score_use_case

__all__ = [
    "InfrastructureAdvice",
    "InfrastructureFactor",
    "UseCaseScore",
    "recommend_infrastructure",
    "score_use_case",
]

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
