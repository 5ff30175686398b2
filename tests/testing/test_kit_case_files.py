"""``*.aimo-test.yaml`` case files: collected, run, reported."""

from __future__ import annotations

from collections.abc import Callable

import pytest

RunKit = Callable[..., pytest.RunResult]

PASSING = """\
today: 2026-11-27
cases:
  - name: the compliant workflow is allowed
    expect:
      decision: allow
      pass: [owner-named, production-ready]
      not_applicable: [escalation-path-present, quality-drift]

  - name: public claims need high consequence
    overrides:
      audience: public
      content: {makes_claims: true, substantiation: [https://example.com/study]}
      consequence: medium
      review_tier: standard
      output_standard: {checks: {disclosure: Created with AI assistance.}}
    expect:
      decision: deny
      fail:
        - consequence-matches-exposure
        - {policy: consequence-matches-exposure, path: /consequence}
      pass: [claims-substantiated, ai-text-disclosed-or-edited]

  - name: null removes a field
    overrides: {owner: {email: null}}
    expect:
      decision: deny
      fail: [{policy: owner-named, path: /owner/email}]

  - name: an overdue review fails
    overrides: {review: {last_reviewed: 2026-06-01}}
    expect:
      decision: deny
      fail: [review-current]

  - name: a waiver turns a failure into waived
    overrides:
      consequence: medium
      review_tier: standard
      escalation: {steps: null}
      waivers:
        - policy: escalation-path-present
          reason: Agency on-call rota being set up
          approved_by: Priya Natarajan
          expires: 2027-02-01
    expect:
      decision: allow
      waived: [{policy: escalation-path-present, path: /escalation/steps}]

  - name: a complete workflow
    workflow: {id: new-idea, stage: idea}
    expect:
      decision: deny
      fail: [use-case-qualifies]
      not_applicable: [owner-named]

  - name: a workflow file
    workflow_file: flows/pilot.yaml
    expect:
      fail: [{policy: owner-named, path: /owner}]
"""


def test_cases_are_collected_and_pass(run_kit: RunKit, pytester: pytest.Pytester) -> None:
    pytester.makefile(".aimo-test.yaml", policies=PASSING)
    (pytester.path / "flows").mkdir()
    (pytester.path / "flows" / "pilot.yaml").write_text("id: pilot-flow\nstage: pilot\n")
    result = run_kit("-v")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        [
            "policies.aimo-test.yaml::the compliant workflow is allowed PASSED*",
            "policies.aimo-test.yaml::public claims need high consequence PASSED*",
            "policies.aimo-test.yaml::a workflow file PASSED*",
        ]
    )


def test_other_yaml_files_are_not_collected(run_kit: RunKit, pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", policies=PASSING)
    result = run_kit()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


FAILING = """\
today: 2026-11-27
cases:
  - name: passes
    expect: {decision: allow}
  - name: expects the wrong things
    overrides:
      owner: {email: null}
    expect:
      decision: allow
      fail: [{policy: owner-named, path: /owner/name}]
      pass: [owner-named]
      not_applicable: [no-such-policy]
"""


def test_a_failing_case_reports_each_unmet_expectation_and_the_verdict(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makefile(".aimo-test.yaml", rules=FAILING)
    result = run_kit()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ case: expects the wrong things _*",
            "Case 'expects the wrong things', judged on 2026-11-27:",
            "  Expected the workflow to be allowed (allow), but it was denied (deny).",
            "  Expected 'owner-named' to fail at /owner/name, but it failed at /owner/email.",
            "  Expected 'owner-named' to pass, but it failed at /owner/email.",
            "  Expected 'no-such-policy' not to apply, but no policy with that id judged the "
            "workflow*",
            "",
            "Workflow 'weekly-channel-summary' at stage production was denied (decision deny).",
            "Findings of 'owner-named':",
            "  fail at /owner/email [hard_mandatory, blocks]",
            "      The owner has no email address, so they cannot be reached.",
            "      observed: null",
            '      expected: "the owner\'s email"',
            "No finding of 'no-such-policy'*",
            "All failures (1):",
            "  fail owner-named at /owner/email [hard_mandatory, blocks]",
            "*FAILED rules.aimo-test.yaml::expects the wrong things - Case*",
        ]
    )
    # The report is the case's own, not a traceback through the kit.
    result.stdout.no_fnmatch_line("*testing.py*")


def test_a_case_reports_the_case_file_as_its_location(
    inline_kit: Callable[..., pytest.HookRecorder], pytester: pytest.Pytester
) -> None:
    pytester.makefile(".aimo-test.yaml", rules=FAILING)
    recorder = inline_kit()
    reports = [r for r in recorder.getreports("pytest_runtest_logreport") if r.when == "call"]
    assert [r.location for r in reports] == [
        ("rules.aimo-test.yaml", 2, "case: passes"),
        ("rules.aimo-test.yaml", 4, "case: expects the wrong things"),
    ]


MALFORMED = """\
today: 27 November
modle: ../model.yaml
cases:
  - name: one
    overides: {audience: public}
    expect: {fails: [owner-named], decision: maybe}
  - name: one
    workflow: {id: x}
    workflow_file: missing.yaml
    expect: {pass: owner-named}
  - expect: {fail: [42]}
  - just a string
"""


def test_a_malformed_case_file_names_the_file_the_case_and_each_problem(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makefile(".aimo-test.yaml", bad=MALFORMED)
    result = run_kit()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting bad.aimo-test.yaml*",
            "bad.aimo-test.yaml is not a valid aimo case file:",
            "  line 1: 'today' must be a date written YYYY-MM-DD, not '27 November'",
            "  line 2: the file has an unknown field 'modle'; did you mean 'model'?*",
            "  line 5, case 1 ('one'): the case has an unknown field 'overides'; did you "
            "mean 'overrides'?*",
            "  line 6, case 1 ('one'): 'expect' has an unknown field 'fails'; did you mean "
            "'fail'?*",
            "  line 6, case 1 ('one'): the decision must be allow, warn or deny, not 'maybe'",
            "  line 7, case 2 ('one'): the name is already used by case 1; give each case its own",
            "  line 7, case 2 ('one'): give one of 'overrides', 'workflow' or 'workflow_file', "
            "not workflow and workflow_file",
            "  line 9, case 2 ('one'): the workflow file 'missing.yaml' does not exist*",
            "  line 10, case 2 ('one'): 'pass' must be a list of policy ids, such as [owner-named]",
            "  line 11, case 3: the case needs a 'name'",
            "  line 11, case 3: each entry of 'fail' must be a policy id or {policy: ID, "
            "path: /pointer}, not 42",
            "  line 12, case 4: a case is a mapping with a 'name' and an 'expect'",
        ]
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("cases: [", "  line 2: this is not valid YAML: did not find expected node content"),
        (
            "- a list\n",
            "  line 1: a case file is a mapping with a 'cases' list, but this one is a list",
        ),
        ("today: 2026-11-27\n", "  line 1: the file needs a non-empty list 'cases'"),
        ("cases: []\n", "*line 1: the file needs a non-empty list 'cases'"),
        ("cases:\n  - name: a\n", "*line 2, case 1 ('a'): the case needs an 'expect' mapping*"),
        (
            "cases:\n  - name: a\n    expect: {}\n",
            "*line 3, case 1 ('a'): the case needs an 'expect'*",
        ),
        ("a: 1\na: 2\ncases: []\n", "*the key 'a' is given twice*"),
        (
            "model: nowhere.yaml\ncases: [{name: a, expect: {decision: allow}}]\n",
            "*line 1: the model file 'nowhere.yaml' does not exist*",
        ),
    ],
)
def test_each_kind_of_bad_file_is_explained(
    run_kit: RunKit, pytester: pytest.Pytester, text: str, problem: str
) -> None:
    pytester.makefile(".aimo-test.yaml", bad=text)
    result = run_kit()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*bad.aimo-test.yaml*", problem])


def test_an_invalid_workflow_fails_its_case_clearly(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makefile(
        ".aimo-test.yaml",
        rules="""\
cases:
  - name: a typo in the overrides
    overrides: {consequense: high}
    expect: {decision: allow}
""",
    )
    result = run_kit()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "The case's workflow is not a valid workflow:",
            "  <document>: /consequense: unknown field 'consequense'; did you mean 'consequence'?*",
        ]
    )


def test_cases_use_the_fixtures_a_conftest_overrides(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    # A policy author's plugin, given to the engine the cases run with.
    pytester.makeconftest(
        """
        import datetime as dt

        import aimo
        import pytest


        @aimo.policy(id="acme-brand-voice", title="The brand voice guide is linked")
        def brand_voice(workflow, ctx):
            if not workflow.output_standard or not workflow.output_standard.document:
                yield aimo.Violation("The brand voice guide is not linked.",
                                     path="/output_standard/document")


        class AcmePolicies:
            @aimo.hookimpl
            def aimo_policies(self):
                return [brand_voice]


        @pytest.fixture(scope="session")
        def aimo_engine():
            return aimo.Engine(plugins=[AcmePolicies()], entry_points=False)


        @pytest.fixture(scope="session")
        def aimo_today():
            return dt.date(2026, 11, 27)
        """
    )
    pytester.makefile(
        ".aimo-test.yaml",
        brand="""\
cases:
  - name: linked
    expect: {pass: [acme-brand-voice]}
  - name: not linked
    overrides: {output_standard: {document: null}}
    expect: {decision: deny, fail: [{policy: acme-brand-voice, path: /output_standard/document}]}
""",
    )
    run_kit("-v").assert_outcomes(passed=2)


def test_a_model_file_brings_its_tiers_and_packs(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    (pytester.path / "packs").mkdir()
    (pytester.path / "packs" / "acme.yaml").write_text(
        """\
pack: acme
version: "1.0"
policies:
  - id: acme-partner-legal
    title: Partner workflows name a reviewer from legal
    when: {properties: {audience: {const: partner}}, required: [audience]}
    require:
      properties: {reviewer: {properties: {email: {pattern: "@legal[.]example[.]com$"}}}}
    message: Partner workflows need a reviewer from legal.
"""
    )
    (pytester.path / "model.yaml").write_text(
        """\
aimo: 1
tiers:
  low: {review_tier: standard, approvals: 1}
policies:
  paths: [packs/acme.yaml]
"""
    )
    (pytester.path / "cases").mkdir()
    (pytester.path / "cases" / "acme.aimo-test.yaml").write_text(
        """\
today: 2026-11-27
model: ../model.yaml
cases:
  - name: the model's tiers apply
    expect: {decision: deny, fail: [tier-matches-consequence]}
  - name: the pack does not apply to internal work
    overrides: {review_tier: standard}
    expect: {decision: allow, not_applicable: [acme-partner-legal]}
  - name: the pack fails a partner workflow without legal review
    overrides: {review_tier: standard, audience: partner}
    expect:
      decision: deny
      fail: [{policy: acme-partner-legal, path: /reviewer/email}]
"""
    )
    run_kit("-v").assert_outcomes(passed=3)


def test_a_case_that_expects_nothing_is_an_error(
    run_kit: RunKit, pytester: pytest.Pytester
) -> None:
    pytester.makefile(
        ".aimo-test.yaml",
        empty="cases:\n  - name: checks nothing\n    expect: {fail: []}\n",
    )
    result = run_kit()
    result.stdout.fnmatch_lines(["*checks nothing*expects nothing*"])
    assert result.ret != 0
