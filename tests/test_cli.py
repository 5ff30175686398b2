"""The command line, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NORTHWIND, ROOT, aimo_cli


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def test_check_the_example_prints_a_table_and_exits_1_on_deny() -> None:
    result = aimo_cli("check", NORTHWIND, "--today", "2026-11-27")
    _no_traceback(result)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Northwind Marketing" in out
    assert "WORKFLOW" in out
    assert "DECISION" in out
    for word in ("allow", "warn", "deny"):
        assert word in out
    assert "consequence-matches-exposure" in out
    assert "fix:" in out


def test_check_json_holds_every_verdict() -> None:
    result = aimo_cli("check", NORTHWIND, "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    [entry] = document["results"]
    decisions = {v["workflow_id"]: v["decision"] for v in entry["verdicts"]}
    assert len(decisions) >= 6
    assert set(decisions.values()) == {"allow", "warn", "deny"}
    assert document["summary"]["deny"] == sum(d == "deny" for d in decisions.values())
    assert document["problems"] == []


def _workflow(tmp_path: Path, text: str, name: str = "w.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_exit_0_on_allow_and_on_warn_unless_fail_on_warn(tmp_path: Path) -> None:
    idea = (
        "id: weekly-idea\nuse_case: {recurrence: weekly, decision: budget, "
        "success_measure: {metric: hours}}\n"
    )
    path = _workflow(tmp_path, idea)
    assert aimo_cli("check", path).returncode == 0
    warn = (
        idea + "waivers: [{policy: use-case-qualifies, reason: r, approved_by: a, "
        "expires: 2026-12-01}]\n"
    )
    path = _workflow(tmp_path, warn)
    result = aimo_cli("check", path, "--today", "2026-11-27")
    assert result.returncode == 0, result.stdout
    assert "warn" in result.stdout
    assert aimo_cli("check", path, "--today", "2026-11-27", "--fail-on", "warn").returncode == 1


def test_bad_input_exits_2_with_file_line_and_path(tmp_path: Path) -> None:
    path = _workflow(tmp_path, "id: w\nstage: live\nreview_tier: heavy\nreview_tier: light\n")
    result = aimo_cli("check", path)
    _no_traceback(result)
    assert result.returncode == 2
    assert f"{path}:4:1: /review_tier:" in result.stderr
    assert "twice" in result.stderr
    path = _workflow(tmp_path, "id: w\nstage: live\n")
    result = aimo_cli("check", path)
    assert result.returncode == 2
    assert f"{path}:2:8: /stage:" in result.stderr


def test_one_bad_file_does_not_hide_the_others(tmp_path: Path) -> None:
    _workflow(tmp_path, "id: good\n", "a.yaml")
    _workflow(tmp_path, "id: bad\nstage: live\n", "b.yaml")
    result = aimo_cli("check", tmp_path, "--format", "json")
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert [v["workflow_id"] for r in document["results"] for v in r["verdicts"]] == ["good"]
    assert document["problems"][0]["path"] == "/stage"


def test_a_folder_checks_models_and_loose_workflows_once(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    _workflow(tmp_path, "aimo: 1\nworkflow_files: [flows/*.yaml]\n", "model.yaml")
    _workflow(tmp_path / "flows", "id: in-model\n", "a.yaml")
    _workflow(tmp_path, '{"id": "loose"}', "loose.json")
    result = aimo_cli("check", tmp_path, "--format", "json")
    assert result.returncode == 1, result.stderr  # both are bare ideas: denied, not bad input
    document = json.loads(result.stdout)
    ids = sorted(v["workflow_id"] for r in document["results"] for v in r["verdicts"])
    assert ids == ["in-model", "loose"]


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "missing.yaml"),
        ("check", "examples", "--today", "yesterday"),
        ("check", "examples", "--format", "xml"),
        ("frobnicate",),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(args: tuple[str, ...]) -> None:
    result = aimo_cli(*args)
    _no_traceback(result)
    assert result.returncode == 2
    assert result.stderr.strip()


def test_schema_prints_the_json_schema() -> None:
    result = aimo_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Workflow"
    assert schema["additionalProperties"] is False
    model = json.loads(aimo_cli("schema", "model").stdout)
    assert model["title"] == "OperatingModel"


def test_version() -> None:
    result = aimo_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("aimo ")


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "aimo"
    if not script.exists():
        pytest.fail("the 'aimo' console script is not installed next to this Python")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from aimo._cli import main, results

    def explode() -> None:
        raise OSError("the decision log disk is full")

    monkeypatch.setattr(results, "default_engine", explode)
    path = _workflow(tmp_path, "id: w\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == "aimo: error: OSError: the decision log disk is full\n"


def test_a_closed_pipe_does_not_turn_deny_into_success() -> None:
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    reader.wait()
    result = subprocess.run(
        [sys.executable, "-m", "aimo", "check", str(NORTHWIND), "--today", "2026-11-27"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_policies_lists_every_policy_with_its_source() -> None:
    result = aimo_cli("policies")
    assert result.returncode == 0
    assert "owner-named" in result.stdout
    assert "marketing 1.0" in result.stdout
    rows = json.loads(aimo_cli("policies", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["claims-substantiated"]["source"] == "marketing"
    assert by_id["owner-named"]["enforcement"] == "hard_mandatory"
    assert set(by_id["quality-drift"]) == {
        "id",
        "source",
        "version",
        "enforcement",
        "schedule",
        "severity",
        "applies_from",
        "title",
        "controls",
    }


def test_policies_shows_enforcement_after_a_models_configuration(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        "aimo: 1\npolicies:\n  enforcement: {quality-drift: mandatory}\n  disable: [marketing]\n"
    )
    rows = json.loads(aimo_cli("policies", "--format", "json", "--model", model).stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["quality-drift"]["enforcement"] == "mandatory"
    assert "claims-substantiated" not in by_id


def test_check_honours_a_models_configuration(tmp_path: Path) -> None:
    (tmp_path / "model.yaml").write_text(
        "aimo: 1\nworkflows: [{id: bare-idea}]\n"
        "policies: {disable: [use-case-qualifies, decisions-recorded]}\n"
    )
    assert aimo_cli("check", tmp_path / "model.yaml").returncode == 0
    (tmp_path / "model.yaml").write_text(
        "aimo: 1\nworkflows: [{id: bare-idea}]\npolicies: {disable: [use-case-qualifie]}\n"
    )
    result = aimo_cli("check", tmp_path / "model.yaml")
    assert result.returncode == 2
    assert "use-case-qualifie" in result.stderr
    _no_traceback(result)


_CONFIG_ERRORS = [
    ("{paths: [nope.yaml]}", "/policies/paths/0"),
    ("{disable: [no-such-policy]}", "/policies/disable"),
    ("{enforcement: {owner-named: advisory}}", "/policies/enforcement/owner-named"),
]


@pytest.mark.parametrize(
    ("command", "policies", "pointer"),
    [
        *((command, *case) for command in ("check", "report") for case in _CONFIG_ERRORS),
        # aimo score reads the model as aimo.load does: which policies exist is an
        # engine's to say, so only the file's own errors stop it.
        *(("score", *case) for case in _CONFIG_ERRORS if "no-such" not in case[0]),
    ],
)
def test_a_models_configuration_error_names_its_file_and_place_once(
    tmp_path: Path, command: str, policies: str, pointer: str
) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(f"aimo: 1\norganization: Acme\npolicies: {policies}\n")
    result = aimo_cli(command, model)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"aimo: {model}: {pointer}: ")
    assert line.count(str(model)) == 1
    assert line.count("/policies") == 1
    _no_traceback(result)


def test_schema_pack_prints_the_pack_schema() -> None:
    result = aimo_cli("schema", "--pack")
    assert result.returncode == 0
    assert json.loads(result.stdout)["title"] == "aimo policy pack"


def test_a_folder_with_packs_and_a_bad_model_still_reports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "brand.yaml").write_text(
        "pack: brand\nversion: '1'\npolicies:\n  - {id: brand-x, title: X, message: m, "
        "require: {}}\n"
    )
    (tmp_path / "good.yaml").write_text(
        "aimo: 1\npolicies: {paths: [packs]}\nworkflows: [{id: fine-idea, use_case: "
        "{recurrence: weekly, decision: budget, success_measure: {metric: hours}}}]\n"
    )
    (tmp_path / "bad.yaml").write_text(
        "aimo: 1\npolicies: {disable: [no-such-policy]}\nworkflows: [{id: other}]\n"
    )
    result = aimo_cli("check", tmp_path, "--format", "json")
    _no_traceback(result)
    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert [v["workflow_id"] for r in document["results"] for v in r["verdicts"]] == ["fine-idea"]
    assert "no-such-policy" in result.stderr
    assert "bad.yaml" in result.stderr
    named = aimo_cli("check", tmp_path / "packs" / "brand.yaml")
    assert named.returncode == 2
    assert "policy pack" in named.stderr


def test_audit_verify_checks_a_decision_log(tmp_path: Path) -> None:
    log = tmp_path / "decisions.jsonl"
    script = (
        "import aimo, sys; e = aimo.Engine(plugins=[aimo.DecisionLog(sys.argv[1])]);"
        f"[e.evaluate({str(NORTHWIND.parent / 'workflows' / 'partner-newsletter.yaml')!r})"
        " for _ in range(3)]"
    )
    subprocess.run([sys.executable, "-c", script, str(log)], check=True, timeout=60)
    result = aimo_cli("audit", "verify", log)
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "intact: 3 records" in result.stdout

    lines = log.read_text().splitlines()
    log.write_text("\n".join([lines[0], lines[2], lines[1]]) + "\n")
    result = aimo_cli("audit", "verify", log)
    _no_traceback(result)
    assert result.returncode == 1
    assert f"{log}: line 2: expected record 2 but found record 3" in result.stderr

    result = aimo_cli("audit", "verify", tmp_path / "missing.jsonl")
    _no_traceback(result)
    assert result.returncode == 2


def test_sarif_output_validates_against_the_sarif_schema() -> None:
    import jsonschema

    result = aimo_cli("check", NORTHWIND, "--today", "2026-11-27", "--format", "sarif")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    [run] = log["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert {r["ruleId"] for r in results} <= set(rules)
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    blocking = [r for r in results if r["ruleId"] == "consequence-matches-exposure"]
    assert blocking[0]["level"] == "error"
    region = blocking[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 0
    waived = [r for r in results if r["properties"]["outcome"] == "waived"]
    assert waived
    assert waived[0]["suppressions"][0]["kind"] == "external"
    assert {r["level"] for r in results if r["ruleId"] == "quality-drift"} == {"warning"}
