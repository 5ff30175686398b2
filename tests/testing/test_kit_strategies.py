"""aimo.strategies.compliant_workflows: every example is allowed with no failure."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import aimo
from aimo import strategies

ENGINE = aimo.Engine(entry_points=False)
DAY = dt.date(2026, 11, 27)


@settings(max_examples=30)
@given(strategies.compliant_workflows(DAY))
def test_every_compliant_workflow_is_allowed_with_no_failure(workflow: aimo.Workflow) -> None:
    verdict = ENGINE.evaluate(workflow, today=DAY)
    assert verdict.failures == [], [(f.policy_id, f.path, f.message) for f in verdict.failures]
    assert verdict.decision is aimo.Decision.ALLOW
    assert not any(f.outcome is aimo.Outcome.WAIVED for f in verdict.findings)


@settings(max_examples=15)
@given(st.data(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_compliant_workflows_follow_the_date_they_are_made_for(
    data: st.DataObject, today: dt.date
) -> None:
    workflow = data.draw(strategies.compliant_workflows(today))
    assert ENGINE.evaluate(workflow, today=today).failures == []


def test_the_default_date_is_today() -> None:
    today = dt.datetime.now(dt.UTC).date()

    @settings(max_examples=5)
    @given(strategies.compliant_workflows())
    def check(workflow: aimo.Workflow) -> None:
        assert ENGINE.evaluate(workflow, today=today).decision is aimo.Decision.ALLOW

    check()


def test_the_strategies_are_exported() -> None:
    assert strategies.__all__ == [
        "compliant_workflows",
        "operating_models",
        "workflow_documents",
        "workflows",
    ]
