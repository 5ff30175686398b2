"""Hypothesis strategies for aimo documents, for property tests of your own policies.

Import this module explicitly (``from aimo import strategies``); it needs ``hypothesis``,
which the ``test`` extra installs::

    from hypothesis import given
    from aimo import strategies

    @given(strategies.workflows())
    def test_my_policy_never_raises(workflow):
        verdict = engine.evaluate(workflow)
        assert all(f.outcome != "error" for f in verdict.findings)

    @given(strategies.compliant_workflows(datetime.date(2026, 11, 27)))
    def test_my_policy_accepts_good_workflows(workflow):
        verdict = engine.evaluate(workflow, today=datetime.date(2026, 11, 27))
        assert not verdict.failures
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from aimo._documents.dates import shift
from aimo._documents.models import (
    DEFAULT_DATA_CLASSES,
    TIER_RANK,
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
from aimo._policies.compliant import compliant_document

__all__ = ["compliant_workflows", "operating_models", "workflow_documents", "workflows"]

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


# compliant_workflows() follows the default operating model: its tiers and the classes that
# may reach a public tool.
_MODEL = OperatingModel()
_PUBLIC_TOOL_CLASSES = [
    c
    for c in _MODEL.data_classes
    if _MODEL.class_rank(c) <= _MODEL.class_rank(_MODEL.public_tools_max_class)
]
_TIERS = sorted(ReviewTier, key=TIER_RANK.__getitem__)
_NEEDS = ("sensitive_data", "needs_model_control", "custom_deployment", "reused_across_engagements")
# Mandatory (waivable) core policies that a compliant workflow passes anyway, so that a
# waiver of one is valid and waives nothing.
_WAIVABLE = ("escalation-path-present", "review-current", "output-standard-defined")


@st.composite
def _compliant_document(draw: st.DrawFn, today: dt.date) -> dict[str, Any]:
    def ago(max_days: int, min_days: int = 0) -> str:
        return shift(today, -draw(st.integers(min_days, max_days))).isoformat()

    stage = draw(st.sampled_from([Stage.PILOT.value, Stage.PRODUCTION.value]))
    consequence = draw(st.sampled_from(list(Consequence)))
    required = _MODEL.required_tier(consequence)
    assert required is not None
    # The required tier, or one above it: two above is disproportionate (an advisory failure).
    tier = draw(st.sampled_from(_TIERS[TIER_RANK[required] : TIER_RANK[required] + 2]))
    higher_is_better = draw(st.booleans())
    target = draw(st.floats(-1000, 1000, allow_nan=False))
    owner_slug, reviewer_slug = draw(slugs), draw(slugs)
    owner = {"name": draw(texts), "email": f"owner-{owner_slug}@example.com"}
    # Distinct emails: at standard review and above, the owner may not review their own work.
    reviewer = {"name": draw(texts), "email": f"reviewer-{reviewer_slug}@example.com"}

    choice = draw(_enum(InfrastructureChoice))
    infrastructure: dict[str, Any] = {
        "choice": choice,
        "tool": draw(texts),
        "rationale": draw(texts),
    }
    if choice == InfrastructureChoice.OWNED.value:
        # Owned infrastructure with nothing that calls for it is an advisory failure.
        needs = draw(st.lists(st.sampled_from(_NEEDS), min_size=1, max_size=4, unique=True))
        infrastructure.update(dict.fromkeys(needs, True))
        usable = list(_MODEL.data_classes)
    else:
        usable = _PUBLIC_TOOL_CLASSES
    allowed = draw(st.lists(st.sampled_from(usable), min_size=1, max_size=len(usable), unique=True))
    inputs = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": texts, "classification": st.sampled_from(allowed)},
                optional={"source": texts},
            ),
            min_size=1,
            max_size=3,
        )
    )
    targets_minors = consequence in (Consequence.HIGH, Consequence.CRITICAL) and draw(st.booleans())
    makes_claims = draw(st.booleans())
    content = {
        "types": draw(st.lists(_enum(ContentType), max_size=3, unique=True)),
        "makes_claims": makes_claims,
        "substantiation": draw(st.lists(texts, min_size=1, max_size=2)) if makes_claims else [],
        "depicts_real_people": draw(st.booleans()),
        "targets_minors": targets_minors,
    }
    # The test kit's compliant workflow, varied: one definition of "compliant" for both.
    document = compliant_document(today)
    if stage == Stage.PILOT.value:
        # A pilot has not gone live: no go-live checklist or review history yet.
        document.pop("production")
        document.pop("review")
    document.pop("escalation")
    document.update(
        {
            "id": draw(slugs),
            "name": draw(texts),
            "stage": stage,
            "use_case": {
                "description": draw(texts),
                "recurrence": draw(
                    st.sampled_from([r.value for r in Recurrence if r is not Recurrence.AD_HOC])
                ),
                "decision": draw(texts),
                "success_measure": {
                    "description": draw(texts),
                    "metric": draw(texts),
                    "target": target,
                    "higher_is_better": higher_is_better,
                },
            },
            "consequence": consequence.value,
            "audience": draw(st.sampled_from([Audience.INTERNAL.value, Audience.PARTNER.value])),
            "content": content,
            "owner": owner,
            "reviewer": reviewer,
            "data_boundary": {"allowed": allowed},
            "inputs": inputs,
            "output_standard": draw(
                st.fixed_dictionaries(
                    {"description": texts},
                    optional={
                        "document": texts,
                        "checks": _optional(
                            {
                                "max_length": st.integers(1, 10_000),
                                "banned_phrases": st.lists(texts, max_size=2),
                                "disclosure": texts,
                            }
                        ),
                    },
                )
            ),
            "review_tier": tier.value,
            "infrastructure": infrastructure,
        }
    )
    if consequence is not Consequence.LOW or draw(st.booleans()):
        document["escalation"] = {
            "contacts": draw(st.lists(people, min_size=1, max_size=2)),
            "steps": draw(st.lists(texts, min_size=1, max_size=3)),
            "response_hours": draw(st.floats(0.5, 500)),
        }
    if stage == Stage.PRODUCTION.value:
        cadence = draw(st.integers(7, 365))
        last_reviewed = shift(today, -draw(st.integers(0, cadence)))
        # Values that meet the target: two misses in a row is an advisory failure.
        offsets = st.floats(0, 100, allow_nan=False)
        history = [
            {
                "date": ago(cadence + 400, (today - last_reviewed).days),
                "value": target + offset if higher_is_better else target - offset,
                "outcome": draw(_enum(ReviewOutcome)),
            }
            for offset in draw(st.lists(offsets, max_size=3))
        ]
        document["production"] = {
            "went_live": ago(730),
            "logging": True,
            "monitoring": True,
            "review_enforced": True,
        }
        document["review"] = {
            "cadence_days": cadence,
            "last_reviewed": last_reviewed.isoformat(),
            "history": history,
        }
    if draw(st.booleans()):
        # A valid waiver, far enough from expiry not to warn.
        document["waivers"] = [
            {
                "policy": draw(st.sampled_from(_WAIVABLE)),
                "reason": draw(texts),
                "approved_by": draw(texts),
                "ticket": draw(texts),
                "expires": shift(today, draw(st.integers(15, 180))).isoformat(),
            }
        ]
    if draw(st.booleans()):
        document["x-team"] = draw(texts)
    return document


def compliant_workflows(today: dt.date | None = None) -> st.SearchStrategy[Workflow]:
    """Workflows that the default engine allows, with no failing finding at all, on ``today``.

    Pilot and production workflows with varied ids, names and texts; any recurring use case;
    any consequence with the review tier it requires (or one above) and an escalation path;
    an internal or partner audience; inputs inside the data boundary and, on a public tool,
    within the default public-tool ceiling; review dates relative to ``today``; sometimes a
    valid waiver. They follow the default operating model (``aimo.OperatingModel()``).
    Use them to check that a policy of yours does not fail good workflows.

    :param today: the evaluation date the workflows are compliant on (default: today, UTC,
        when the strategy is built).
    """
    day = today if today is not None else dt.datetime.now(dt.UTC).date()
    return _compliant_document(day).map(Workflow.model_validate)
