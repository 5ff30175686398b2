"""The outputs CI servers read: JUnit XML for their test views, GitHub workflow commands for
annotations on a pull request's diff (spec 5.4)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import junitparser
import pytest
import xmlschema

import aimo
from conftest import DECISIONS, DELETE, NORTHWIND, ROOT, make, run_cli

JUNIT_XSD = ROOT / "tests" / "data" / "junit.xsd"

#: One workflow for each way a policy can end, in a model that runs one policy in shadow.
WAIVER = {
    "policy": "escalation-path-present",
    "reason": "Agency rota being set up",
    "approved_by": "Priya Natarajan",
    "expires": "2026-12-31",
}
NO_ESCALATION = {"consequence": "medium", "review_tier": "standard", "escalation": DELETE}
WORKFLOWS = {
    "passes": make({"id": "passes"}),
    "fails-mandatory": make({"id": "fails-mandatory", **NO_ESCALATION}),
    "fails-advisory": make({"id": "fails-advisory", "infrastructure.choice": "owned"}),
    "fails-in-shadow": make({"id": "fails-in-shadow", "review_tier": "heavy"}),
    "waived": make({"id": "waived", **NO_ESCALATION, "waivers": [WAIVER]}),
    "refused": {"id": "refused", "stage": "nonsense"},
}


def _model(tmp_path: Path, **changes: Any) -> Path:
    model = tmp_path / "model.json"
    document = {
        "aimo": 1,
        "organization": "Acme",
        "decisions": DECISIONS,
        "workflows": list(WORKFLOWS.values()),
        "policies": {"enforcement": {"governance-proportional": "shadow"}},
        **changes,
    }
    model.write_text(json.dumps(document, indent=2))
    return model


# -- JUnit --------------------------------------------------------------------------------------


def _junit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code, out, _ = run_cli(capsys, "check", *args, "--today", "2026-11-27", "--format", "junit")
    xmlschema.XMLSchema(JUNIT_XSD).validate(out)
    return code, out


def _cases(report: str, tmp_path: Path) -> dict[tuple[str, str], junitparser.TestCase]:
    path = tmp_path / "report.xml"
    path.write_text(report, encoding="utf-8")
    return {
        (case.classname, case.name): case
        for suite in junitparser.JUnitXml.fromfile(str(path))
        for case in suite
    }


def test_junit_is_valid_against_the_schema_ci_servers_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _junit(capsys, NORTHWIND, ROOT / "examples" / "email-pipeline")
    assert code == 1
    assert report.count("<testsuite ") == 2


def test_junit_a_test_case_per_workflow_and_policy_failing_erring_skipped_or_passing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _junit(capsys, _model(tmp_path))
    assert code == 1
    cases = _cases(report, tmp_path)

    def result(workflow: str, policy: str) -> Any:
        [outcome] = cases[workflow, policy].result or [None]
        return outcome

    assert result("passes", "owner-named") is None
    assert result("passes", "reviewer-named") is None
    failure = result("fails-mandatory", "escalation-path-present")
    assert isinstance(failure, junitparser.Failure)
    assert failure.type == "mandatory"
    assert failure.message.startswith("Nobody is named to call")
    # The body says where, what was found and how to fix it.
    assert "at /escalation" in failure.text
    assert f"({tmp_path / 'model.json'}:" in failure.text
    assert "fix: " in failure.text
    advisory = result("fails-advisory", "infrastructure-proportional")
    assert isinstance(advisory, junitparser.Failure)
    assert advisory.type == "advisory"
    shadow = result("fails-in-shadow", "governance-proportional")
    assert isinstance(shadow, junitparser.Skipped)
    assert shadow.message.startswith("shadow")
    waived = result("waived", "escalation-path-present")
    assert isinstance(waived, junitparser.Skipped)
    assert waived.message.startswith("waived")
    not_applicable = result("passes", "run-stage-allows-use")
    assert isinstance(not_applicable, junitparser.Skipped)
    assert "not applicable" in not_applicable.message
    # A refused workflow is an error at its place in the file, with every problem listed.
    refused = result("refused", "document-valid")
    assert isinstance(refused, junitparser.Error)
    assert "/stage" in refused.text
    assert f"{tmp_path / 'model.json'}:" in refused.text
    # Every workflow has a test case for every policy it was judged on; a refused one, one.
    per_workflow: dict[str, int] = {}
    for workflow, _ in cases:
        per_workflow[workflow] = per_workflow.get(workflow, 0) + 1
    assert per_workflow.pop("refused") == 1
    assert per_workflow.pop("Acme") >= 1  # the model as a whole: its own policies
    assert len(set(per_workflow.values())) == 1


def test_junit_counts_each_suite_and_names_it_after_its_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report = _junit(capsys, _model(tmp_path))
    path = tmp_path / "report.xml"
    path.write_text(report)
    [suite] = junitparser.JUnitXml.fromfile(str(path))
    cases = list(suite)
    assert suite.name == f"Acme ({tmp_path / 'model.json'})"
    assert suite.tests == len(cases)
    results = [r for case in cases for r in case.result]
    assert suite.failures == sum(isinstance(r, junitparser.Failure) for r in results)
    assert suite.errors == 1
    assert suite.skipped == sum(isinstance(r, junitparser.Skipped) for r in results)
    properties = {p.name: p.value for p in suite.properties()}
    assert properties.pop("aimo") == aimo.__version__
    assert properties == {
        "evaluated_on": "2026-11-27",
        "file": str(tmp_path / "model.json"),
        "organization": "Acme",
    }
    assert (
        "<system-out>The operating model as a whole: allow\n"
        "6 workflows: 3 allow, 1 warn, 2 deny</system-out>"
    ) in report


#: A model that writes down only one of its four standing decisions.
ONE_DECISION = {"where_ai_is_useful": DECISIONS["where_ai_is_useful"]}


def test_junit_the_models_own_verdict_comes_first_as_test_cases_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _junit(capsys, _model(tmp_path, decisions=ONE_DECISION))
    assert code == 1
    path = tmp_path / "report.xml"
    path.write_text(report)
    [suite] = junitparser.JUnitXml.fromfile(str(path))
    first = next(iter(suite))
    assert (first.classname, first.name) == ("Acme", "decisions-recorded")
    [failure] = first.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.type == "mandatory"
    assert failure.message.endswith("(and 2 more)")
    assert failure.text.startswith("Acme, the operating model as a whole: deny\n")
    assert failure.text.count("fix: Write down the decision") == 3
    assert "at /decisions/how_output_ships" in failure.text
    assert "<system-out>The operating model as a whole: deny\n" in report


def test_junit_a_model_policy_in_shadow_is_skipped_and_says_what_it_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shadow = {"enforcement": {"decisions-recorded": "shadow"}}
    code, report = _junit(capsys, _model(tmp_path, decisions=ONE_DECISION, policies=shadow))
    assert code == 1  # the refused and failing workflows, not the model
    cases = _cases(report, tmp_path)
    [skipped] = cases["Acme", "decisions-recorded"].result
    assert isinstance(skipped, junitparser.Skipped)
    assert skipped.message.startswith("shadow")
    assert skipped.text.count("enforcement: shadow") == 3
    assert "<system-out>The operating model as a whole: allow\n" in report


def test_junit_a_workflow_file_has_no_model_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make()))
    code, report = _junit(capsys, good)
    assert code == 0
    assert "decisions-recorded" not in report
    assert "operating model" not in report


def test_junit_problems_with_the_input_are_errors_never_a_silent_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: w\nstage: nonsense\n")
    missing = tmp_path / "missing.yaml"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make()))
    code, report = _junit(capsys, bad, good, missing)
    assert code == 2
    suites = re.findall(r'<testsuite id="(\d+)" package="aimo" name="([^"]*)"', report)
    # In the order the paths were given, numbered from 0.
    assert suites == [("0", str(bad)), ("1", str(good)), ("2", str(missing))]
    cases = _cases(report, tmp_path)
    [stage] = cases[str(bad), "document-valid /stage"].result
    assert isinstance(stage, junitparser.Error)
    assert f"{bad}:2:8: /stage:" in stage.text
    [gone] = cases[str(missing), "document-valid /"].result
    assert isinstance(gone, junitparser.Error)
    assert "no such file" in gone.message


def test_junit_holds_a_large_suite_out_of_memory_and_stays_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.json"
    workflows = [make({"id": f"w-{i}", "x-note": "n" * 2_000}) for i in range(60)]
    model.write_text(json.dumps({"aimo": 1, "decisions": DECISIONS, "workflows": workflows}))
    code, report = _junit(capsys, model)
    assert code == 0
    assert report.count("<testcase ") >= 60 * 20


def test_summary_goes_with_table_and_json_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("junit", "github"):
        code, out, err = run_cli(capsys, "check", NORTHWIND, "--summary", "--format", fmt)
        assert code == 2
        assert out == ""
        assert "--summary goes with --format table or json" in err


# -- GitHub workflow commands -------------------------------------------------------------------


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read back as GitHub's runner reads it (``ActionCommand``)."""
    assert line.startswith("::"), line
    end = line.index("::", 2)
    name, _, properties = line[2:end].partition(" ")

    def unescape(text: str, *, property: bool) -> str:
        text = text.replace("%0D", "\r").replace("%0A", "\n")
        if property:
            text = text.replace("%3A", ":").replace("%2C", ",")
        return text.replace("%25", "%")

    values = {}
    for pair in filter(None, properties.split(",")):
        key, _, value = pair.partition("=")
        values[key] = unescape(value, property=True)
    return name, values, unescape(line[end + 2 :], property=False)


def _github(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str]]:
    code, out, _ = run_cli(capsys, "check", *args, "--today", "2026-11-27", "--format", "github")
    assert out.endswith("\n")
    return code, out.splitlines()


def test_github_one_command_per_failing_finding_by_enforcement_then_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _model(tmp_path)
    code, lines = _github(capsys, model)
    assert code == 1
    *commands, summary = lines
    assert (
        summary
        == "aimo: 1 operating model: 1 allow, 0 warn, 0 deny; 6 workflows: 3 allow, 1 warn, 2 deny"
    )
    parsed = [parse_command(line) for line in commands]
    kinds = {(message.split(":")[0], props["title"]): kind for kind, props, message in parsed}
    assert kinds == {
        ("fails-mandatory", "aimo escalation-path-present (mandatory)"): "error",
        ("fails-advisory", "aimo infrastructure-proportional (advisory)"): "warning",
        ("fails-in-shadow", "aimo governance-proportional (shadow)"): "notice",
        ("refused", "aimo document-valid (hard_mandatory)"): "error",
    }
    text = model.read_text().splitlines()
    for _, properties, message in parsed:
        assert properties["file"] == str(model)
        line, col = int(properties["line"]), int(properties["col"])
        assert 1 <= line <= len(text)
        assert 1 <= col <= len(text[line - 1]) + 1
        assert "\nat /" in message
    [(_, refused, why)] = [p for p in parsed if p[2].startswith("refused")]
    assert "/stage" in why
    assert text[int(refused["line"]) - 1].strip().startswith('"stage": "nonsense"')


def test_github_the_models_own_findings_come_first_blocking_or_in_shadow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for level, kind, decision in (("mandatory", "error", "deny"), ("shadow", "notice", "allow")):
        policies = {"enforcement": {"decisions-recorded": level}}
        model = _model(tmp_path, decisions=ONE_DECISION, policies=policies)
        _, lines = _github(capsys, model)
        parsed = [parse_command(line) for line in lines[:3]]
        for command_kind, properties, message in parsed:
            assert command_kind == kind
            assert properties["title"] == f"aimo decisions-recorded ({level})"
            assert properties["file"] == str(model)
            assert message.startswith("Acme, the operating model as a whole: ")
            assert "\nfix: Write down the decision" in message
        assert "decisions-recorded" not in parse_command(lines[3])[1]["title"]
        assert lines[-1].startswith(f"aimo: 1 operating model: {int(decision == 'allow')} allow")


def test_github_a_waived_or_passing_finding_makes_no_annotation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(make({"id": "waived", **NO_ESCALATION, "waivers": [WAIVER]})))
    code, lines = _github(capsys, good)
    assert code == 0
    assert lines == ["aimo: 1 workflow: 1 allow, 0 warn, 0 deny"]


def test_github_paths_are_relative_to_the_workspace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model(tmp_path)
    monkeypatch.chdir(tmp_path)
    _, lines = _github(capsys, model.resolve())
    files = {parse_command(line)[1]["file"] for line in lines[:-1]}
    assert files == {"model.json"}


def test_github_problems_with_the_input_are_errors_at_their_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: w\nstage: nonsense\n")
    missing = tmp_path / "missing.yaml"
    code, lines = _github(capsys, bad, missing)
    assert code == 2
    (kind, where, message), (kind2, where2, message2) = map(parse_command, lines[:2])
    assert (kind, where["file"], where["line"], where["col"]) == ("error", str(bad), "2", "8")
    assert message.startswith("/stage: ")
    assert (kind2, where2["file"]) == ("error", str(missing))
    assert "line" not in where2
    assert "no such file" in message2
    assert lines[2] == "aimo: 0 workflows: 0 allow, 0 warn, 0 deny; 2 problems with the input"
