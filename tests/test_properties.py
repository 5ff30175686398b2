"""Engine invariants, for any valid document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import aimo
from aimo import strategies

ENGINE = aimo.Engine(entry_points=False)
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31))


@given(strategies.workflows(), days)
def test_evaluate_never_raises_and_always_decides(workflow: aimo.Workflow, today: dt.date) -> None:
    verdict = ENGINE.evaluate(workflow, today=today)
    assert verdict.decision in set(aimo.Decision)
    assert not any(f.outcome is aimo.Outcome.ERROR for f in verdict.findings)
    # Every workflow-level policy reports on every workflow (model-level ones judge models).
    workflow_level = {p.id for p in ENGINE.policies if p.scope == "workflow"}
    assert {f.policy_id for f in verdict.findings} == workflow_level
    blocking = any(f.failed and f.enforcement.blocking for f in verdict.findings)
    assert (verdict.decision is aimo.Decision.DENY) == blocking


@given(strategies.workflows(), days)
def test_evaluation_is_deterministic(workflow: aimo.Workflow, today: dt.date) -> None:
    first = ENGINE.evaluate(workflow, today=today).to_dict()
    second = ENGINE.evaluate(workflow, today=today).to_dict()
    first.pop("evaluated_at")
    second.pop("evaluated_at")
    assert first == second


@given(strategies.workflows(), days)
def test_verdicts_round_trip_through_json(workflow: aimo.Workflow, today: dt.date) -> None:
    verdict = ENGINE.evaluate(workflow, today=today)
    again = aimo.Verdict.model_validate(json.loads(verdict.to_json()))
    assert again == verdict
    assert again.digest == verdict.digest
    assert aimo.Verdict.model_validate_json(verdict.to_json()).to_dict() == verdict.to_dict()


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


@given(strategies.workflow_documents())
def test_the_digest_ignores_key_order(document: dict[str, Any]) -> None:
    forward = ENGINE.evaluate(document, today=dt.date(2026, 11, 27))
    backward = ENGINE.evaluate(_reversed_keys(document), today=dt.date(2026, 11, 27))
    assert forward.digest == backward.digest


@given(strategies.operating_models())
def test_evaluate_model_gives_one_verdict_per_workflow(model: aimo.OperatingModel) -> None:
    verdicts = ENGINE.evaluate_model(model, today=dt.date(2026, 11, 27))
    assert [v.workflow_id for v in verdicts] == [w.id for w in model.workflows]
