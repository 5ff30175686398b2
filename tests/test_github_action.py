"""The composite GitHub Action (spec 5.4): valid metadata, and its shell steps run here as
the runner runs them: each step's ``run`` under ``bash -eo pipefail``, its ``env`` with the
inputs' values, ``RUNNER_TEMP`` and ``GITHUB_OUTPUT`` set.

The install step really installs: the action's own copy of aimo, from this repository,
into a virtual environment (as on a runner, that needs the package index).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
import yaml

from aimo.testing import compliant_document
from conftest import ROOT

ACTION = ROOT / "action.yml"
DATA = ROOT / "tests" / "data"


def _action() -> dict[str, Any]:
    action = yaml.safe_load(ACTION.read_text())
    assert isinstance(action, dict)
    return action


def test_the_action_metadata_is_valid() -> None:
    schema = json.loads((DATA / "github-action.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(_action())
    action = _action()
    assert set(action["inputs"]) == {"paths", "format", "fail-on", "version"}
    assert set(action["outputs"]) == {"sarif-file"}
    assert action["runs"]["using"] == "composite"


def test_no_input_is_pasted_into_a_script() -> None:
    # An input in a script is code: `paths: "$(curl ...)"` would run. They go through env.
    for step in _action()["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]


_EXPRESSION = re.compile(r"\$\{\{\s*(inputs\.[\w-]+|github\.action_path)\s*\}\}")


class Runner:
    """Runs the action's steps as GitHub's runner would, on a workspace of its own."""

    def __init__(self, temp: Path, workspace: Path) -> None:
        self.temp = temp
        self.workspace = workspace

    def step(self, name: str, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict]:
        action = _action()
        values = {f"inputs.{k}": v["default"] for k, v in action["inputs"].items()}
        values |= {f"inputs.{k.replace('_', '-')}": v for k, v in inputs.items()}
        values["github.action_path"] = str(ROOT)
        [step] = [s for s in action["runs"]["steps"] if s["name"] == name]
        assert step["shell"] == "bash"
        output = self.temp / "github-output"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIMO_")}
        env |= {
            key: _EXPRESSION.sub(lambda m: values[m.group(1)], str(value))
            for key, value in step.get("env", {}).items()
        }
        env |= {"RUNNER_TEMP": str(self.temp), "GITHUB_OUTPUT": str(output)}
        script = self.temp / "step.sh"
        script.write_text(step["run"])
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        outputs = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        return result, outputs


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """A runner on which the install step has run, and a workspace: a passing workflow, a
    failing one, and one that warns (idea-stage ones, and one compliant as of today, since
    the action judges as of the day it runs)."""
    temp = tmp_path_factory.mktemp("runner-temp")
    workspace = tmp_path_factory.mktemp("workspace")
    (workspace / "passing.yaml").write_text(
        "id: weekly-summary\nuse_case:\n  recurrence: weekly\n  decision: Monday budget\n"
        "  success_measure: {metric: corrections}\n"
    )
    (workspace / "failing.yaml").write_text("id: open-assistant\nuse_case: {recurrence: ad_hoc}\n")
    warns = compliant_document(dt.datetime.now(dt.UTC).date())
    warns.update(id="heavy-review", review_tier="heavy")  # governance-proportional: advisory
    (workspace / "warns.json").write_text(json.dumps(warns))
    runner = Runner(temp, workspace)
    result, _ = runner.step("Install aimo")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("aimo ")
    return runner


def _sarif(path: str) -> dict[str, Any]:
    log = json.loads(Path(path).read_text())
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert isinstance(log, dict)
    return log


def test_the_action_annotates_and_fails_on_a_deny_and_always_writes_the_sarif_log(
    runner: Runner,
) -> None:
    result, outputs = runner.step("Check", paths="passing.yaml\nfailing.yaml")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("::error file=failing.yaml,line=") for line in lines)
    assert lines[-1] == "aimo: 2 workflows: 1 allow, 0 warn, 1 deny"
    log = _sarif(outputs["sarif-file"])
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"use-case-qualifies"}


def test_the_action_passes_when_everything_is_allowed(runner: Runner) -> None:
    result, outputs = runner.step("Check", paths="passing.yaml", format="junit")
    assert result.returncode == 0, result.stderr
    xmlschema.XMLSchema(DATA / "junit.xsd").validate(result.stdout)
    [invocation] = _sarif(outputs["sarif-file"])["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True


def test_fail_on_warn_fails_the_step_on_a_warning(runner: Runner) -> None:
    result, _ = runner.step("Check", paths="warns.json", format="table")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "heavy-review" in result.stdout
    result, _ = runner.step("Check", paths="warns.json", fail_on="warn")
    assert result.returncode == 1
    assert result.stdout.startswith("::warning file=warns.json")


def test_sarif_as_the_format_shows_the_log_itself(runner: Runner) -> None:
    result, outputs = runner.step("Check", paths="failing.yaml", format="sarif")
    assert result.returncode == 1
    assert json.loads(result.stdout) == _sarif(outputs["sarif-file"])


def test_bad_input_fails_the_step_once_and_the_log_says_it_was_bad(runner: Runner) -> None:
    result, outputs = runner.step("Check", paths="missing.yaml passing.yaml")
    assert result.returncode == 2
    assert result.stderr.count("missing.yaml") == 1
    assert "::error file=missing.yaml," in result.stdout
    [invocation] = _sarif(outputs["sarif-file"])["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False


def test_an_input_is_never_run_as_code(runner: Runner) -> None:
    pwned = runner.workspace / "pwned"
    result, _ = runner.step("Check", paths='$(touch pwned) `touch pwned` ";touch pwned" *.yaml')
    assert result.returncode == 2
    assert not pwned.exists()
    # A glob is not expanded either: aimo is told the name as it was given.
    assert "*.yaml: /: no such file or folder" in result.stderr
    result, _ = runner.step("Check", paths="passing.yaml", format="table; touch pwned")
    assert result.returncode == 2
    assert not pwned.exists()
