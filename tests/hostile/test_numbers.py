"""A number field takes a number: never true/false, never text (spec 5.1, and the published
JSON Schema, which types these fields as numbers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import TODAY, make
from hostile.support import write

WORKFLOW_NUMBERS = {
    "target": ("use_case.success_measure.target", "/use_case/success_measure/target"),
    "response_hours": ("escalation.response_hours", "/escalation/response_hours"),
    "cadence_days": ("review.cadence_days", "/review/cadence_days"),
    "max_length": ("output_standard.checks.max_length", "/output_standard/checks/max_length"),
}
NOT_NUMBERS: list[Any] = [True, False, "90", "2", "1e3", ""]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize(("field", "path"), WORKFLOW_NUMBERS.values(), ids=WORKFLOW_NUMBERS)
def test_a_workflows_number_is_not_a_boolean_or_text(field: str, path: str, value: Any) -> None:
    # `max_length: true` was read as 1 and `cadence_days: true` as a one-day cadence.
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make({field: value}), today=TODAY)
    [problem] = caught.value.problems
    assert problem.path == path


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_a_history_value_is_not_a_boolean_or_text(value: Any) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(
            make({"review.history": [{"date": "2026-11-01", "value": value}]}), today=TODAY
        )
    assert caught.value.problems[0].path == "/review/history/0/value"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("selection: {min_score: yes}\n", "/selection/min_score"),
        ("selection: {min_score: '6'}\n", "/selection/min_score"),
        ("tiers: {high: {review_tier: heavy, approvals: yes}}\n", "/tiers/high/approvals"),
        ("tiers: {high: {review_tier: heavy, approvals: '2'}}\n", "/tiers/high/approvals"),
    ],
)
def test_a_models_number_is_not_a_boolean_or_text(tmp_path: Path, text: str, path: str) -> None:
    # `approvals: yes` reads as "approvals required", and meant one approval where the
    # default for high is two; `min_score: yes` let use cases scoring 1 of 9 qualify.
    model = write(tmp_path / "model.yaml", "aimo: 1\n" + text)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(model)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == (path, 2)


@pytest.mark.parametrize(("field", "path"), WORKFLOW_NUMBERS.values(), ids=WORKFLOW_NUMBERS)
@pytest.mark.parametrize("value", [2, 2.0, 90, 24.5])
def test_whole_and_decimal_numbers_are_still_numbers(field: str, path: str, value: Any) -> None:
    if isinstance(value, float) and not value.is_integer() and field.endswith(("days", "length")):
        return  # a fraction of a day or a character is an error, as before
    aimo.evaluate(make({field: value}), today=TODAY)
