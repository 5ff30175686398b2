"""Scoring use cases (spec 4.1) and recommending infrastructure (spec 4.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import DELETE, make


@pytest.mark.parametrize(
    ("use_case", "scores", "qualifies"),
    [
        (
            {
                "recurrence": "weekly",
                "decision": "Monday budget split",
                "success_measure": {"metric": "corrections", "target": 2},
            },
            (3, 3, 3),
            True,
        ),
        (
            {
                "recurrence": "monthly",
                "decision": "Which offers run",
                "success_measure": {"metric": "ctr"},
            },
            (2, 2, 3),
            True,
        ),
        (
            {
                "recurrence": "quarterly",
                "decision": "Save time on decks",
                "success_measure": {"description": "Fewer late nights"},
            },
            (1, 1, 1),
            False,
        ),
        ({"recurrence": "ad_hoc"}, (0, 0, 0), False),
        ({}, (0, 0, 0), False),
    ],
)
def test_use_cases_score_on_three_axes(
    use_case: dict[str, Any], scores: tuple[int, int, int], qualifies: bool
) -> None:
    result = aimo.score_use_case(use_case)
    assert (result.recurrence, result.measurability, result.decision_impact) == scores
    assert result.total == sum(scores)
    assert result.qualifies is qualifies
    assert len(result.reasons) == 3


def test_the_threshold_comes_from_the_model() -> None:
    strict = aimo.OperatingModel(selection={"min_score": 9})
    workflow = aimo.Workflow.model_validate(make())
    assert aimo.score_use_case(workflow).qualifies
    assert aimo.score_use_case(workflow.use_case).total == 9
    lenient_case = {"recurrence": "monthly", "decision": "Which offers run"}
    assert not aimo.score_use_case(lenient_case, model=strict).qualifies
    assert aimo.score_use_case(None).total == 0


def test_a_bad_use_case_is_a_document_error() -> None:
    with pytest.raises(aimo.DocumentError):
        aimo.score_use_case({"recurence": "weekly"})


def test_public_tools_for_routine_low_sensitivity_work() -> None:
    advice = aimo.recommend_infrastructure(make())
    assert advice.choice is aimo.InfrastructureChoice.PUBLIC
    assert not any(f.present for f in advice.factors)
    assert (advice.recorded, advice.agrees) == (aimo.InfrastructureChoice.PUBLIC, True)


@pytest.mark.parametrize(
    ("changes", "factor"),
    [
        (
            {
                "data_boundary.allowed": ["internal", "personal"],
                "inputs": [{"name": "crm", "classification": "personal"}],
            },
            "privacy",
        ),
        ({"infrastructure.sensitive_data": True}, "privacy"),
        ({"infrastructure.needs_model_control": True}, "model_control"),
        ({"infrastructure.custom_deployment": True}, "deployment"),
        ({"infrastructure.reused_across_engagements": True}, "reuse"),
    ],
)
def test_owned_infrastructure_when_a_factor_calls_for_it(
    changes: dict[str, Any], factor: str
) -> None:
    advice = aimo.recommend_infrastructure(make(changes))
    assert advice.choice is aimo.InfrastructureChoice.OWNED
    assert [f.factor for f in advice.factors if f.present] == [factor]
    assert advice.agrees is False


def test_the_privacy_factor_names_the_sensitive_inputs() -> None:
    changes = {
        "data_boundary.allowed": ["internal", "personal"],
        "inputs": [{"name": "crm", "classification": "personal"}],
    }
    factors = aimo.recommend_infrastructure(make(changes)).factors
    [privacy] = [f for f in factors if f.factor == "privacy"]
    assert privacy.reason == "Inputs above internal: crm."


def test_no_recorded_choice_means_no_agreement_either_way() -> None:
    advice = aimo.recommend_infrastructure(make({"infrastructure": DELETE}))
    assert (advice.recorded, advice.agrees) == (None, None)


def test_aimo_score_exits_1_when_a_use_case_does_not_qualify() -> None:
    root = Path(__file__).resolve().parent.parent
    command = [
        sys.executable,
        "-m",
        "aimo",
        "score",
        str(root / "examples" / "northwind" / "operating-model.yaml"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "open-assistant-for-all" in result.stdout
    assert "no (needs 6)" in result.stdout
    rows = json.loads(
        subprocess.run(
            [*command, "--format", "json"], capture_output=True, text=True, check=False
        ).stdout
    )
    by_id = {row["workflow_id"]: row for row in rows}
    assert by_id["weekly-channel-summary"]["total"] == 9
    assert by_id["open-assistant-for-all"]["qualifies"] is False


# -- the threshold, enforced: aimo check and aimo score never disagree (spec 5.3) -----------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import TODAY, findings_of  # noqa: E402

_recurrences = st.sampled_from([None, "daily", "weekly", "monthly", "quarterly", "ad_hoc"])
_measures = st.sampled_from(
    [
        None,
        {"description": "Fewer complaints"},
        {"metric": "complaints_per_week"},
        {"metric": "complaints_per_week", "target": 3},
    ]
)
_decisions = st.sampled_from([None, "Monday budget reallocation", "Save time"])


@given(
    _recurrences,
    _measures,
    _decisions,
    st.integers(min_value=0, max_value=9),
    st.sampled_from(["idea", "pilot", "production"]),
)
def test_check_fails_the_use_case_exactly_when_score_says_it_does_not_qualify(
    recurrence: str | None,
    measure: dict[str, object] | None,
    decision: str | None,
    min_score: int,
    stage: str,
) -> None:
    use_case: dict[str, object] = {"description": "Summarise the week's channel results"}
    for key, value in (
        ("recurrence", recurrence),
        ("success_measure", measure),
        ("decision", decision),
    ):
        if value is not None:
            use_case[key] = value
    workflow = make({"stage": stage, "use_case": use_case})
    model = aimo.OperatingModel.model_validate({"selection": {"min_score": min_score}})
    score = aimo.score_use_case(use_case, model=model)
    verdict = aimo.evaluate(workflow, model=model, today=TODAY)
    failed = any(f.failed for f in findings_of(verdict, "use-case-qualifies"))
    assert failed is not score.qualifies
    if score.total < min_score:
        [below] = [f for f in findings_of(verdict, "use-case-qualifies") if f.path == "/use_case"]
        assert f"scores {score.total} of 9, below the {min_score}" in below.message
        assert score.reasons[0] in below.message
