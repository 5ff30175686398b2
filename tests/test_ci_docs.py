"""The CI how-to's configurations do what the page says: the GitHub workflow uses the
action as action.yml defines it, the GitLab and Jenkins jobs' commands write the report
they publish, and the pre-commit configuration names the hook the manifest has (spec 5.4).

The page's own examples of aimo's output are run by the docs tests; these configurations
are for other tools, so they are checked here, against the files they depend on.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import xmlschema
import yaml

from conftest import ROOT

PAGE = ROOT / "docs" / "how-to" / "use-aimo-in-ci.md"
_BLOCK = re.compile(r"^```(?:yaml|text)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def _block(first_line: str) -> str:
    """The page's code block that starts with ``first_line`` (the file it is)."""
    [body] = [
        m.group("body")
        for m in _BLOCK.finditer(PAGE.read_text(encoding="utf-8"))
        if m.group("body").startswith(first_line + "\n")
    ]
    return body


def _yaml(name: str) -> Any:
    return yaml.safe_load(_block(f"# {name}"))


def _run(command: str, tmp_path: Path) -> Path:
    """Run one of the page's ``aimo`` commands as CI would, in a checkout of the examples;
    the folder it ran in."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples", checkout / "examples")
    words = shlex.split(command)
    assert Path(words[0]).name == "aimo", command
    result = subprocess.run(
        [sys.executable, "-m", "aimo", *words[1:]],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    # Northwind denies two workflows: the job fails, and its report says why.
    assert result.returncode == 1, result.stderr
    return checkout


def _valid_junit(path: Path) -> None:
    xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd").validate(str(path))


def test_the_github_workflow_uses_the_action_as_it_is_defined() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    workflow = _yaml(".github/workflows/aimo.yml")
    # PyYAML reads the key `on` as True, as YAML 1.1 says.
    assert set(workflow[True]) == {"pull_request", "push"}
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["aimo"]["steps"]
    [check] = [s for s in steps if s.get("id") == "aimo"]
    assert re.fullmatch(r"[\w-]+/aimo@v[\d.]+", check["uses"])
    assert set(check["with"]) <= set(action["inputs"])
    [upload] = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    output = re.fullmatch(
        r"\$\{\{ steps\.aimo\.outputs\.([\w-]+) \}\}", upload["with"]["sarif_file"]
    )
    assert output is not None
    assert output.group(1) in action["outputs"]
    # The check fails the job on a deny: the upload must run all the same.
    assert "!cancelled()" in upload["if"]


def test_the_pages_table_of_inputs_is_the_actions() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    text = PAGE.read_text(encoding="utf-8")
    table = text[text.index("| input | default | meaning |") :].split("\n\n")[0]
    rows = [line.split("|")[1:3] for line in table.splitlines()[2:]]
    shown = {name.strip().strip("`"): default.strip() for name, default in rows}
    assert set(shown) == set(action["inputs"])
    for name, spec in action["inputs"].items():
        assert shown[name] == (f"`{spec['default']}`" if spec["default"] else "empty")


def test_the_gitlab_job_writes_the_report_it_publishes_even_when_it_fails(
    tmp_path: Path,
) -> None:
    job = _yaml(".gitlab-ci.yml")["aimo"]
    [command] = [line for line in job["script"] if line.startswith("aimo ")]
    checkout = _run(command, tmp_path)
    assert job["artifacts"]["when"] == "always"
    _valid_junit(checkout / job["artifacts"]["reports"]["junit"])


def test_the_jenkins_pipeline_writes_the_report_it_records(tmp_path: Path) -> None:
    pipeline = _block("// Jenkinsfile")
    commands = re.findall(r"sh '([^']*aimo check [^']*)'", pipeline)
    [command] = commands
    [report] = re.findall(r"junit '([^']+)'", pipeline)
    # Recorded whatever the build's result.
    assert pipeline.index("always {") < pipeline.index("junit '")
    checkout = _run(command.replace(".aimo/bin/aimo", "aimo"), tmp_path)
    _valid_junit(checkout / report)


def test_the_pre_commit_configuration_names_the_hook_and_the_page_its_command() -> None:
    manifest = {
        hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    [repository] = _yaml(".pre-commit-config.yaml")["repos"]
    assert {hook["id"] for hook in repository["hooks"]} <= set(manifest)
    # The page says which command the hook runs, and runs it.
    assert f"$ {manifest['aimo-check']['entry']} " in PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [".github/workflows/aimo.yml", ".gitlab-ci.yml"])
def test_the_pinned_version_is_the_one_the_snippets_install(name: str) -> None:
    versions = set(re.findall(r"aimo(?:==|@v)([\d.]+)", _block(f"# {name}")))
    versions |= set(re.findall(r"aimo(?:==|@v)([\d.]+)", _block("// Jenkinsfile")))
    versions.add(_yaml(".pre-commit-config.yaml")["repos"][0]["rev"].lstrip("v"))
    assert len(versions) == 1, versions
