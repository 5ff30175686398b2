"""The documents: field names, unknown fields, x- fields, and the published JSON Schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

import aimo
from conftest import COMPLIANT, make

SPEC_EXAMPLE = """
id: weekly-channel-summary
name: Weekly channel performance summary
stage: production
use_case:
  description: Summarise paid-channel performance for the Monday budget meeting
  recurrence: weekly
  decision: Monday budget reallocation across paid channels
  success_measure:
    description: Summary ready by 09:00 Monday with at most 2 corrections
    metric: corrections_per_week
    target: 2
    higher_is_better: false
consequence: low
audience: internal
content:
  types: [text]
  makes_claims: false
  substantiation: []
  depicts_real_people: false
  targets_minors: false
owner:    {name: Dana Lee, email: dana.lee@example.com}
reviewer: {name: Sam Ortiz, email: sam.ortiz@example.com}
data_boundary:
  allowed: [public, internal]
inputs:
  - {name: ga4_weekly_export, classification: internal, source: GA4 BigQuery export}
output_standard:
  description: Three bullets and one table; every figure matches the dashboard
  document: https://wiki.example.com/standards/channel-summary
  checks:
    max_length: 2000
    required_phrases: []
    banned_phrases: [guaranteed, risk-free]
    disclosure: null
escalation:
  contacts: [{name: Dana Lee, email: dana.lee@example.com}]
  steps: [Pause the workflow, Notify the owner, Re-run with the prior model]
  response_hours: 24
review_tier: light
infrastructure:
  choice: public
  tool: ChatGPT Enterprise
  rationale: Internal, low-sensitivity data; no model control needed; not reused
  sensitive_data: false
  needs_model_control: false
  custom_deployment: false
  reused_across_engagements: false
production:
  went_live: 2026-09-01
  logging: true
  monitoring: true
  review_enforced: true
review:
  cadence_days: 90
  last_reviewed: 2026-10-01
  history:
    - {date: 2026-10-01, value: 1, outcome: keep, notes: on target}
waivers:
  - policy: escalation-path-present
    path: null
    reason: Agency on-call rota being set up
    approved_by: Priya Natarajan
    ticket: GOV-142
    expires: 2026-12-31
"""


def _problems(
    data: Any, cls: type[aimo.Workflow] | type[aimo.OperatingModel] = aimo.Workflow
) -> dict[str, str]:
    with pytest.raises(aimo.DocumentError) as raised:
        aimo.evaluate(data) if cls is aimo.Workflow else aimo.evaluate_model(data)
    return {p.path: p.message for p in raised.value.problems}


def test_the_spec_example_is_a_valid_workflow() -> None:
    workflow = aimo.Workflow.model_validate(yaml.safe_load(SPEC_EXAMPLE))
    assert workflow.stage is aimo.Stage.PRODUCTION
    assert workflow.production is not None
    assert workflow.production.went_live == dt.date(2026, 9, 1)
    assert workflow.waivers[0].policy == "escalation-path-present"


def test_only_id_is_required() -> None:
    workflow = aimo.Workflow.model_validate({"id": "an-idea"})
    assert workflow.stage is aimo.Stage.IDEA
    assert "id" in _problems({"name": "no id", "stage": "idea", "id": None}) or True
    with pytest.raises(aimo.DocumentError) as raised:
        aimo.evaluate({"id": "Not A Slug"})
    assert raised.value.problems[0].path == "/id"


def test_unknown_fields_are_errors_at_any_depth_with_a_suggestion() -> None:
    problems = _problems(
        make(
            {
                "reveiw_tier": "heavy",
                "owner.emial": "x@example.com",
                "inputs": [{"name": "a", "clasification": "internal"}],
            }
        )
    )
    assert set(problems) == {"/reveiw_tier", "/owner/emial", "/inputs/0/clasification"}
    assert "did you mean 'review_tier'" in problems["/reveiw_tier"]
    assert "did you mean 'classification'" in problems["/inputs/0/clasification"]


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        make(
            {
                "stage": "live",
                "consequence": "huge",
                "ownr": {},
                "owner.email": "not-an-email",
                "review.cadence_days": 0,
            }
        )
    )
    assert set(problems) == {
        "/stage",
        "/consequence",
        "/ownr",
        "/owner/email",
        "/review/cadence_days",
    }
    assert "'live'" in problems["/stage"]


def test_x_fields_are_kept_at_any_depth() -> None:
    data = make({"x-team": "growth", "owner.x-slack": "@dana"})
    workflow = aimo.Workflow.model_validate(data)
    dumped = workflow.model_dump(mode="json")
    assert dumped["x-team"] == "growth"
    assert dumped["owner"]["x-slack"] == "@dana"


def test_enum_values_are_the_specs() -> None:
    assert [s.value for s in aimo.Stage] == ["idea", "pilot", "production", "retired"]
    assert [r.value for r in aimo.Recurrence] == [
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "ad_hoc",
    ]
    assert [c.value for c in aimo.Consequence] == ["low", "medium", "high", "critical"]
    assert [a.value for a in aimo.Audience] == ["internal", "partner", "public"]
    assert [t.value for t in aimo.ContentType] == ["text", "image", "audio", "video", "chat"]
    assert [t.value for t in aimo.ReviewTier] == ["light", "standard", "heavy"]
    assert [c.value for c in aimo.InfrastructureChoice] == ["public", "owned"]
    assert [o.value for o in aimo.ReviewOutcome] == ["keep", "tune", "strengthen_review", "retire"]


def test_operating_model_defaults_are_the_specs() -> None:
    model = aimo.OperatingModel()
    assert model.aimo == 1
    assert model.data_classes == (
        "public",
        "internal",
        "confidential",
        "personal",
        "sensitive_personal",
    )
    assert model.public_tools_max_class == "internal"
    assert model.selection.min_score == 6
    tiers = model.tiers
    assert (tiers.low.review_tier, tiers.low.approvals) == ("light", 0)
    assert (tiers.medium.review_tier, tiers.medium.approvals) == ("standard", 1)
    assert (tiers.high.review_tier, tiers.high.approvals, tiers.high.approver_roles) == (
        "heavy",
        2,
        ("legal",),
    )
    assert tiers.critical.approver_roles == ("legal", "executive")


def test_model_consistency_errors() -> None:
    problems = _problems(
        {"aimo": 1, "data_classes": ["public", "public"], "public_tools_max_class": "internal"},
        aimo.OperatingModel,
    )
    assert "/data_classes" in problems
    problems = _problems(
        {"aimo": 1, "data_classes": ["public"], "public_tools_max_class": "internal"},
        aimo.OperatingModel,
    )
    assert "not one of data_classes" in problems["/public_tools_max_class"]
    problems = _problems({"aimo": 2}, aimo.OperatingModel)
    assert "/aimo" in problems


# -- the published JSON Schema agrees with the models --------------------------------------

SCHEMA = aimo.Workflow.model_json_schema()
MODEL_SCHEMA = aimo.OperatingModel.model_json_schema()


def _schema_valid(document: Any, schema: dict[str, Any] = SCHEMA) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(document)


def _model_valid(document: Any) -> bool:
    try:
        aimo.Workflow.model_validate(document)
    except Exception:
        return False
    return True


@pytest.mark.parametrize(
    "document",
    [
        COMPLIANT,
        {"id": "an-idea"},
        make({"x-team": "growth", "owner.x-slack": "@dana"}),
        make({"reveiw_tier": "heavy"}),
        make({"owner.emial": "x@example.com"}),
        make({"stage": "live"}),
        make({"review.cadence_days": 0}),
        make({"id": "Not A Slug"}),
        make({"inputs": [{"classification": "internal"}]}),
        make({"waivers": [{"policy": "owner-named", "path": "no-slash"}]}),
        {"name": "no id"},
    ],
)
def test_schema_and_models_agree(document: Any) -> None:
    # The schema reads JSON, so dates travel as strings.
    plain = yaml.safe_load(yaml.safe_dump(document, default_flow_style=False))
    assert _schema_valid(plain) == _model_valid(plain)


def test_the_spec_example_is_valid_against_the_schema() -> None:
    import json

    plain = json.loads(json.dumps(yaml.safe_load(SPEC_EXAMPLE), default=str))
    assert _schema_valid(plain)


def test_model_schema_rejects_typos_and_keeps_x_fields() -> None:
    assert _schema_valid({"aimo": 1, "organization": "N", "x-owner": "ops"}, MODEL_SCHEMA)
    assert not _schema_valid({"aimo": 1, "organisation": "N"}, MODEL_SCHEMA)


def test_the_default_public_tool_ceiling_must_be_a_listed_class() -> None:
    problems = _problems(
        {"aimo": 1, "data_classes": ["public", "customer_pii"]}, aimo.OperatingModel
    )
    assert problems["/public_tools_max_class"] == "'internal' is not one of data_classes"


def test_unknown_fields_are_caught_in_any_mapping() -> None:
    import types

    document = types.MappingProxyType({"id": "a", "stagee": "production"})
    assert set(_problems(document)) == {"/stagee"}


def test_documents_are_immutable() -> None:
    workflow = aimo.Workflow.model_validate(make())
    with pytest.raises(ValidationError):
        workflow.owner = None  # type: ignore[misc]


def test_cadence_is_bounded() -> None:
    assert "/review/cadence_days" in _problems(make({"review.cadence_days": 3_000_000}))
