"""The kit's fixtures and its compliant workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import aimo
from aimo.testing import compliant_document, compliant_workflow

ENGINE = aimo.Engine(entry_points=False)


@pytest.mark.parametrize(
    "today",
    [dt.date(2024, 2, 29), dt.date(2026, 1, 1), dt.date(2026, 11, 27), dt.date(2031, 12, 31)],
)
def test_the_compliant_workflow_is_allowed_with_no_failure(today: dt.date) -> None:
    verdict = ENGINE.evaluate(compliant_workflow(today), today=today)
    assert verdict.decision is aimo.Decision.ALLOW
    assert verdict.failures == []
    outcomes = {f.outcome for f in verdict.findings}
    assert outcomes <= {aimo.Outcome.PASS, aimo.Outcome.NOT_APPLICABLE}
    assert verdict.stage is aimo.Stage.PRODUCTION


def test_dates_follow_the_evaluation_date() -> None:
    workflow = compliant_workflow(dt.date(2030, 6, 30))
    assert workflow.production is not None
    assert workflow.review is not None
    assert workflow.production.went_live == dt.date(2030, 5, 1)
    assert workflow.review.last_reviewed == dt.date(2030, 5, 31)


def test_a_keyword_replaces_a_field() -> None:
    workflow = compliant_workflow(
        dt.date(2026, 11, 27),
        consequence="high",
        review_tier="heavy",
        owner={"name": "Priya Natarajan"},
    )
    assert workflow.consequence is aimo.Consequence.HIGH
    assert workflow.review_tier is aimo.ReviewTier.HEAVY
    assert workflow.owner == aimo.Person(name="Priya Natarajan")


def test_a_double_underscore_reaches_into_mappings_and_lists() -> None:
    workflow = compliant_workflow(
        dt.date(2026, 11, 27),
        owner__email="x@example.com",
        inputs__0__classification="personal",
        review__cadence_days=30,
    )
    assert workflow.owner == aimo.Person(name="Dana Lee", email="x@example.com")
    assert workflow.inputs[0].classification == "personal"
    assert workflow.review is not None
    assert workflow.review.cadence_days == 30


def test_none_removes_a_field_at_any_depth() -> None:
    workflow = compliant_workflow(
        dt.date(2026, 11, 27),
        escalation=None,
        output_standard__document=None,
        content__absent__deeper=None,
    )
    assert workflow.escalation is None
    assert workflow.output_standard is not None
    assert workflow.output_standard.document is None
    assert workflow.output_standard.description


def test_overrides_take_document_parts_and_enums() -> None:
    reviewer = aimo.Person(name="Lee Chan", email="lee.chan@example.com")
    workflow = compliant_workflow(
        dt.date(2026, 11, 27), reviewer=reviewer, stage=aimo.Stage.PILOT, production=None
    )
    assert workflow.reviewer == reviewer
    assert workflow.stage is aimo.Stage.PILOT


def test_an_override_creates_missing_parents() -> None:
    document = compliant_document(dt.date(2026, 11, 27), waivers=None, x_unused=None)
    document_with = compliant_document(dt.date(2026, 11, 27), infrastructure=None)
    assert "waivers" not in document
    workflow = compliant_workflow(
        dt.date(2026, 11, 27), infrastructure=None, infrastructure__choice="owned"
    )
    assert "infrastructure" not in document_with
    assert workflow.infrastructure == aimo.Infrastructure(choice=aimo.InfrastructureChoice.OWNED)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"owner____email": "x"}, "has an empty part"),
        ({"inputs__3__name": "x"}, "needs item '3' of a list of 1"),
        ({"name__first": "x"}, "reaches into 'name'"),
    ],
)
def test_an_override_that_does_not_fit_says_why(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        compliant_workflow(dt.date(2026, 11, 27), **overrides)


def test_an_invalid_override_raises_a_document_error() -> None:
    with pytest.raises(aimo.DocumentError, match="/consequence"):
        compliant_workflow(dt.date(2026, 11, 27), consequence="enormous")


def test_the_fixtures_work_in_a_users_tests(
    run_kit: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(
        """
        import datetime as dt

        import aimo
        from aimo.testing import assert_allows, assert_denies, assert_fails


        def test_engine(aimo_engine):
            assert isinstance(aimo_engine, aimo.Engine)
            assert "owner-named" in [p.id for p in aimo_engine.policies]


        def test_engine_is_shared(aimo_engine, request):
            assert request.getfixturevalue("aimo_engine") is aimo_engine


        def test_today_defaults_to_today(aimo_today):
            assert aimo_today == dt.datetime.now(dt.UTC).date()


        def test_make_workflow(aimo_engine, aimo_today, make_workflow):
            workflow = make_workflow()
            assert isinstance(workflow, aimo.Workflow)
            assert_allows(aimo_engine.evaluate(workflow, today=aimo_today))
            broken = make_workflow(owner__email=None)
            verdict = aimo_engine.evaluate(broken, today=aimo_today)
            assert_denies(verdict)
            assert_fails(verdict, "owner-named", "/owner/email")
        """
    )
    result = run_kit("-v")
    # aimo.testing is imported already: pytest must not warn that it cannot rewrite it.
    result.assert_outcomes(passed=4, warnings=0)


def test_the_ini_option_sets_the_date(
    run_kit: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makeini("[pytest]\naimo_today = 2027-03-01\n")
    pytester.makepyfile(
        """
        import datetime as dt


        def test_today(aimo_today, make_workflow):
            assert aimo_today == dt.date(2027, 3, 1)
            assert make_workflow().review.last_reviewed == dt.date(2027, 1, 30)
        """
    )
    run_kit().assert_outcomes(passed=1)


def test_a_bad_ini_date_is_a_usage_error(
    run_kit: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makeini("[pytest]\naimo_today = 1 March 2027\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = run_kit()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*aimo_today must be a date written YYYY-MM-DD, not '1 March 2027'*"]
    )


def test_users_can_override_the_fixtures(
    run_kit: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makeconftest(
        """
        import datetime as dt

        import aimo
        import pytest


        @pytest.fixture
        def aimo_today():
            return dt.date(2026, 11, 27)


        @pytest.fixture(scope="session")
        def aimo_engine():
            return aimo.Engine(entry_points=False, builtins=False)
        """
    )
    pytester.makepyfile(
        """
        import datetime as dt


        def test_overridden(aimo_engine, aimo_today, make_workflow):
            assert aimo_engine.policies == ()
            assert make_workflow().production.went_live == dt.date(2026, 9, 28)
        """
    )
    run_kit().assert_outcomes(passed=1)
