"""Hypothesis strategies for aimo documents, for property tests of your own policies.

Import this module explicitly (``from aimo import strategies``); it needs ``hypothesis``,
which the ``test`` extra installs::

    from hypothesis import given
    from aimo import strategies

    @given(strategies.workflows())
    def test_my_policy_never_raises(workflow):
        verdict = engine.evaluate(workflow)
        assert all(f.outcome != "error" for f in verdict.findings)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from aimo._models import (
    DEFAULT_DATA_CLASSES,
    Audience,
    Consequence,
    ContentType,
    InfrastructureChoice,
    OperatingModel,
    Recurrence,
    ReviewOutcome,
    ReviewTier,
    Stage,
    Workflow,
)

__all__ = ["operating_models", "workflow_documents", "workflows"]

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30)
dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31))
emails = st.builds(lambda user, host: f"{user}@{host}.example", slugs, slugs)
classes = st.sampled_from([*DEFAULT_DATA_CLASSES, "secret"])


def _enum(kind: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in kind])


def _optional(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


people = _optional({"name": texts, "email": emails, "role": texts})


def workflow_documents() -> st.SearchStrategy[dict[str, Any]]:
    """Valid workflow documents as plain data, as a pipeline would hold them.

    Every field is optional except ``id``, so the documents range from bare ideas to full
    production workflows, compliant or not; all of them validate as a :class:`Workflow`.
    """
    use_case = _optional(
        {
            "description": texts,
            "recurrence": _enum(Recurrence),
            "decision": texts,
            "success_measure": _optional(
                {
                    "description": texts,
                    "metric": texts,
                    "target": st.floats(-1e6, 1e6, allow_nan=False),
                    "higher_is_better": st.booleans(),
                }
            ),
        }
    )
    content = _optional(
        {
            "types": st.lists(_enum(ContentType), max_size=3, unique=True),
            "makes_claims": st.booleans(),
            "substantiation": st.lists(texts, max_size=2),
            "depicts_real_people": st.booleans(),
            "targets_minors": st.booleans(),
        }
    )
    inputs = st.lists(
        st.fixed_dictionaries(
            {"name": texts}, optional={"classification": classes, "source": texts}
        ),
        max_size=4,
    )
    checks = _optional(
        {
            "max_length": st.integers(1, 10_000),
            "required_phrases": st.lists(texts, max_size=2),
            "banned_phrases": st.lists(texts, max_size=2),
            "disclosure": texts,
        }
    )
    infrastructure = _optional(
        {
            "choice": _enum(InfrastructureChoice),
            "tool": texts,
            "rationale": texts,
            "sensitive_data": st.booleans(),
            "needs_model_control": st.booleans(),
            "custom_deployment": st.booleans(),
            "reused_across_engagements": st.booleans(),
        }
    )
    production = _optional(
        {
            "went_live": dates,
            "logging": st.booleans(),
            "monitoring": st.booleans(),
            "review_enforced": st.booleans(),
        }
    )
    history = st.lists(
        st.fixed_dictionaries(
            {"date": dates},
            optional={
                "value": st.floats(-1e6, 1e6, allow_nan=False),
                "outcome": _enum(ReviewOutcome),
                "notes": texts,
            },
        ),
        max_size=4,
    )
    waivers = st.lists(
        st.fixed_dictionaries(
            {
                "policy": st.sampled_from(
                    ["escalation-path-present", "owner-named", "review-current", "unknown-policy"]
                )
            },
            optional={
                "path": st.sampled_from(["/escalation", "/escalation/steps", "/review"]),
                "reason": texts,
                "approved_by": texts,
                "ticket": texts,
                "expires": dates,
            },
        ),
        max_size=2,
    )
    return st.fixed_dictionaries(
        {"id": slugs},
        optional={
            "name": texts,
            "stage": _enum(Stage),
            "use_case": use_case,
            "consequence": _enum(Consequence),
            "audience": _enum(Audience),
            "content": content,
            "owner": people,
            "reviewer": people,
            "data_boundary": _optional({"allowed": st.lists(classes, max_size=4, unique=True)}),
            "inputs": inputs,
            "output_standard": _optional(
                {"description": texts, "document": texts, "checks": checks}
            ),
            "escalation": _optional(
                {
                    "contacts": st.lists(people, max_size=2),
                    "steps": st.lists(texts, max_size=3),
                    "response_hours": st.floats(0.5, 500),
                }
            ),
            "review_tier": _enum(ReviewTier),
            "infrastructure": infrastructure,
            "production": production,
            "review": _optional(
                {"cadence_days": st.integers(1, 400), "last_reviewed": dates, "history": history}
            ),
            "waivers": waivers,
            "x-team": texts,
        },
    )


def workflows() -> st.SearchStrategy[Workflow]:
    """Valid :class:`Workflow` objects; see :func:`workflow_documents`."""
    return workflow_documents().map(Workflow.model_validate)


def operating_models() -> st.SearchStrategy[OperatingModel]:
    """Operating models with default tiers and classes and a few distinct workflows."""
    return st.lists(workflow_documents(), max_size=4, unique_by=lambda d: d["id"]).map(
        lambda documents: OperatingModel.model_validate({"workflows": documents})
    )
