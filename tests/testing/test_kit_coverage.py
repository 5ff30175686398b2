"""--aimo-coverage and --aimo-coverage-fail-under."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import aimo
from aimo._engine.plugins import PROCESS_PLUGINS

RunKit = Callable[..., pytest.RunResult]

# Three policies made to fail, one waived (which counts as made to fail), and the default
# engine's policies known; the acme plugin's policy is known only through its own engine.
TESTS = """
import datetime as dt

import aimo
import pytest
from aimo.testing import assert_denies, assert_fails, assert_waived

DAY = dt.date(2026, 11, 27)


@aimo.policy(id="acme-never-fails", title="A policy nobody breaks")
def never(workflow, ctx):
    return None


class Acme:
    @aimo.hookimpl
    def aimo_policies(self):
        return [never]


def test_owner(aimo_engine, make_workflow):
    verdict = aimo_engine.evaluate(make_workflow(owner=None), today=DAY)
    assert_fails(verdict, "owner-named")


def test_boundary(aimo_engine, make_workflow):
    verdict = aimo_engine.evaluate(
        make_workflow(inputs__0__classification="confidential"), today=DAY
    )
    assert_fails(verdict, "data-boundary-allowed")
    assert_fails(verdict, "sensitive-data-owned")


def test_waived(aimo_engine, make_workflow):
    verdict = aimo_engine.evaluate(
        make_workflow(
            consequence="medium",
            review_tier="standard",
            escalation=None,
            waivers=[{"policy": "escalation-path-present", "reason": "rota",
                      "approved_by": "Priya", "expires": "2027-01-01"}],
        ),
        today=DAY,
    )
    assert_waived(verdict, "escalation-path-present")


def test_plugin(make_workflow):
    aimo.Engine(plugins=[Acme()], entry_points=False).evaluate(make_workflow(), today=DAY)
"""


def known_policies() -> int:
    return len(aimo.Engine().policies) + 1


def test_the_report_lists_every_policy_and_those_never_made_to_fail(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(TESTS)
    result = run_kit("--aimo-coverage")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.OK
    total = known_policies()
    result.stdout.fnmatch_lines(
        [
            "*= aimo policy outcome coverage =*",
            "POLICY * SOURCE * PASS * FAIL * NOT APPLICABLE",
            "use-case-qualifies * aimo * yes * no * no",
            "owner-named * aimo * yes * yes * no",
            "data-boundary-allowed * aimo * yes * yes * no",
            "escalation-path-present * aimo * no * yes * yes",
            "production-ready * aimo * yes * no * no",
            "acme-never-fails * test_the_report_lists_every_policy*.Acme * yes * no * no",
            "",
            f"The tests made 4 of {total} policies fail ({400 / total:.1f}%).",
            "Never made to fail (add a test or case that breaks each one):",
            "  use-case-qualifies",
            "  reviewer-named",
        ]
    )
    never = result.stdout.str().split("Never made to fail", 1)[1]
    assert "owner-named" not in never
    assert "escalation-path-present" not in never
    assert "  acme-never-fails" in never


def test_without_the_option_there_is_no_report_and_no_recorder(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    before = list(PROCESS_PLUGINS)
    pytester.makepyfile(TESTS)
    result = run_kit()
    result.assert_outcomes(passed=4)
    result.stdout.no_fnmatch_line("*aimo policy outcome coverage*")
    assert before == PROCESS_PLUGINS


def test_the_recorder_is_removed_after_the_session(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    before = list(PROCESS_PLUGINS)
    pytester.makepyfile(TESTS)
    run_kit("--aimo-coverage")
    assert before == PROCESS_PLUGINS


def test_case_files_count_too(run_kit: RunKit, pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".aimo-test.yaml",
        rules="""\
cases:
  - name: no reviewer
    overrides: {reviewer: null}
    expect: {fail: [reviewer-named]}
""",
    )
    result = run_kit("--aimo-coverage")
    result.stdout.fnmatch_lines(["reviewer-named * aimo * no * yes * no", "The tests made 1 of*"])


def test_fail_under_fails_the_session_below_the_threshold(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(TESTS)
    result = run_kit("--aimo-coverage-fail-under", "50")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*= aimo policy outcome coverage =*",
            f"FAIL: only {400 / known_policies():.1f}% of the policies were made to fail; "
            "--aimo-coverage-fail-under asks for at least 50%.",
        ]
    )


def test_fail_under_passes_at_or_above_the_threshold(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(TESTS)
    threshold = f"{400 / known_policies():.1f}".removesuffix(".0")
    result = run_kit(f"--aimo-coverage-fail-under={int(float(threshold))}")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["The required * of policies made to fail is reached."])


def test_fail_under_does_not_hide_failing_tests(run_kit: RunKit, pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_broken():\n    assert False\n")
    result = run_kit("--aimo-coverage-fail-under=0")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize("value", ["lots", "120", "-1"])
def test_fail_under_takes_a_percentage(
    run_kit: RunKit, pytester: pytest.Pytester, value: str
) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = run_kit("--aimo-coverage-fail-under", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*--aimo-coverage-fail-under: expected a percentage from 0 to 100, not '{value}'"]
    )


def test_a_policy_that_raised_is_named_as_a_bug(run_kit: RunKit, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import aimo


        @aimo.policy(id="acme-broken", title="A check with a bug")
        def broken(workflow, ctx):
            raise ValueError("no brand book")


        class Broken:
            @aimo.hookimpl
            def aimo_policies(self):
                return [broken]


        def test_it(make_workflow):
            aimo.Engine(plugins=[Broken()], entry_points=False).evaluate(make_workflow())
        """
    )
    result = run_kit("--aimo-coverage")
    result.stdout.fnmatch_lines(
        [
            "acme-broken * no * no * no",
            "  acme-broken",
            "Raised an error in at least one test (a bug in the policy): acme-broken",
        ]
    )


def test_coverage_sources_limit_the_gate_and_a_misspelt_one_is_named(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile(TESTS)
    result = run_kit("--aimo-coverage", "--aimo-coverage-source=marketing")
    result.stdout.fnmatch_lines(["*made 0 of 5 policies fail*"])
    result = run_kit("--aimo-coverage", "--aimo-coverage-source=marketting")
    result.stdout.fnmatch_lines(["*No policy comes from 'marketting'; the sources are*"])
