"""The assertion helpers pass when they should and fail with the verdict printed readably."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

import aimo
from aimo.testing import (
    assert_allows,
    assert_denies,
    assert_fails,
    assert_not_applicable,
    assert_passes,
    assert_waived,
    assert_warns,
    compliant_workflow,
    describe_verdict,
)

ENGINE = aimo.Engine(entry_points=False)
DAY = dt.date(2026, 11, 27)


def judge(**overrides: Any) -> aimo.Verdict:
    return ENGINE.evaluate(compliant_workflow(DAY, **overrides), today=DAY)


ALLOWED = judge()
# Heavy review of low-consequence work: an advisory failure, so the decision is warn.
WARNED = judge(review_tier="heavy")
DENIED = judge(owner__email=None, inputs__0__classification="personal")
WAIVED = judge(
    consequence="medium",
    review_tier="standard",
    escalation__steps=None,
    waivers=[
        {
            "policy": "escalation-path-present",
            "path": "/escalation/steps",
            "reason": "The agency rota is being set up",
            "approved_by": "Priya Natarajan",
            "expires": "2027-02-01",
        }
    ],
)


def test_the_helpers_pass_when_the_verdict_agrees() -> None:
    assert_allows(ALLOWED)
    assert_warns(WARNED)
    assert_denies(DENIED)
    assert_fails(DENIED, "owner-named")
    assert_fails(DENIED, "owner-named", "/owner/email")
    assert_fails(DENIED, "data-boundary-allowed", path="/inputs/0/classification")
    assert_passes(ALLOWED, "owner-named")
    assert_not_applicable(ALLOWED, "escalation-path-present")
    assert_waived(WAIVED, "escalation-path-present")
    assert_waived(WAIVED, "escalation-path-present", "/escalation/steps")
    assert_allows(WAIVED)


def failure(check: Callable[..., None], *args: Any) -> str:
    with pytest.raises(AssertionError) as info:
        check(*args)
    return str(info.value)


def test_a_failed_decision_names_both_decisions_and_lists_the_failures() -> None:
    message = failure(assert_allows, DENIED)
    assert message.startswith(
        "Expected the workflow to be allowed (allow), but it was denied (deny)."
    )
    assert "Workflow 'weekly-channel-summary' at stage production was denied" in message
    assert "All failures (3):" in message
    assert "fail owner-named at /owner/email [hard_mandatory, blocks]" in message
    assert "The owner has no email address" in message
    assert "fail data-boundary-allowed at /inputs/0/classification" in message
    assert 'observed: "personal"' in message
    assert 'expected: ["internal", "public"]' in message


def test_each_decision_helper_fails_readably() -> None:
    assert "but it was allowed with a warning (warn)" in failure(assert_denies, WARNED)
    assert "to be allowed with a warning (warn), but it was allowed (allow)" in failure(
        assert_warns, ALLOWED
    )
    message = failure(assert_denies, ALLOWED)
    assert "to be denied (deny), but it was allowed (allow)" in message
    assert message.endswith("No policy failed.")


def test_assert_fails_shows_what_the_policy_did_instead() -> None:
    message = failure(assert_fails, ALLOWED, "owner-named")
    assert message.startswith("Expected 'owner-named' to fail, but it passed.")
    assert "Findings of 'owner-named':\n  pass at / [hard_mandatory]" in message
    message = failure(assert_fails, DENIED, "owner-named", "/owner/name")
    assert message.startswith(
        "Expected 'owner-named' to fail at /owner/name, but it failed at /owner/email."
    )
    assert '      observed: null\n      expected: "the owner\'s email"' in message
    message = failure(assert_fails, WAIVED, "escalation-path-present")
    assert "but it was waived at /escalation/steps" in message


def test_assert_passes_and_not_applicable_fail_readably() -> None:
    message = failure(assert_passes, ALLOWED, "escalation-path-present")
    assert message.startswith("Expected 'escalation-path-present' to pass, but it did not apply.")
    assert "not_applicable at /" in message
    message = failure(assert_not_applicable, DENIED, "owner-named")
    assert message.startswith("Expected 'owner-named' not to apply, but it failed at /owner/email.")


def test_assert_waived_fails_readably() -> None:
    message = failure(assert_waived, DENIED, "owner-named")
    assert message.startswith("Expected 'owner-named' to be waived, but it failed at /owner/email.")
    message = failure(assert_waived, WAIVED, "escalation-path-present", "/escalation/contacts")
    assert "to be waived at /escalation/contacts, but it was waived at /escalation/steps." in (
        message
    )


def test_an_unknown_policy_id_is_named() -> None:
    message = failure(assert_passes, ALLOWED, "owner-namd")
    assert message.startswith(
        "Expected 'owner-namd' to pass, but no policy with that id judged the workflow"
    )
    assert "No finding of 'owner-namd'" in message


def test_an_error_is_not_a_failure() -> None:
    @aimo.policy(id="acme-broken", title="A check with a bug")
    def broken(workflow: aimo.Workflow, ctx: aimo.Context) -> None:
        raise ValueError("no brand book")

    class Broken:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [broken]

    verdict = aimo.Engine(plugins=[Broken()], entry_points=False).evaluate(
        compliant_workflow(DAY), today=DAY
    )
    message = failure(assert_fails, verdict, "acme-broken")
    assert "but it could not be checked (the policy raised an error)" in message
    assert "error acme-broken at /" in message
    assert "ValueError: no brand book" in message


def test_describe_verdict_prints_the_policies_asked_for() -> None:
    text = describe_verdict(WAIVED, ["escalation-path-present", "escalation-path-present"])
    assert text.count("Findings of 'escalation-path-present':") == 1
    assert "waived at /escalation/steps [mandatory]" in text
    assert "Waived until 2027-02-01, approved by Priya Natarajan" in text


def test_pytest_shows_the_callers_line(
    run_kit: Callable[..., pytest.RunResult], pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(
        """
        from aimo.testing import assert_denies


        def test_it(aimo_engine, aimo_today, make_workflow):
            verdict = aimo_engine.evaluate(make_workflow(), today=aimo_today)
            assert_denies(verdict)  # the caller's line
        """
    )
    result = run_kit()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       assert_denies(verdict)  # the caller's line",
            "E       AssertionError: Expected the workflow to be denied (deny), but it was "
            "allowed (allow).",
        ]
    )
    result.stdout.no_fnmatch_line("*def assert_denies*")
