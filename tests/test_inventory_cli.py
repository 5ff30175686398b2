"""``aimo check`` and ``aimo report`` on an inventory: every format judges the valid
workflows and refuses the invalid ones, output is compact and streamed, and what the JSON
outputs write is what their schemas say (spec 5.2)."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aimo._cli.formats import jsonl
from aimo._cli.formats.schemas import OUTPUT_SCHEMAS
from aimo._cli.progress import wanted
from aimo._cli.results import CheckRun
from aimo._documents.limits import Limits
from conftest import DECISIONS, TODAY, make, run_cli

GOOD = make({"id": "good"})
NO_OWNER = make({"id": "no-owner", "owner": None})
BAD_DATE = make({"id": "bad-date", "production.went_live": "27/11/2026"})


def _model(folder: Path, items: list[Any], **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "aimo": 1,
        "organization": "Acme",
        "decisions": DECISIONS,
        "workflows": items,
        **fields,
    }
    path = folder / "model.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def test_aimo_schema_prints_each_output_schema(capsys: pytest.CaptureFixture[str]) -> None:
    for kind in OUTPUT_SCHEMAS:
        code, out, _ = run_cli(capsys, "schema", kind)
        assert code == 0
        schema = json.loads(out)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:aimo:output:{kind}"


def _validate(kind: str, document: Any) -> None:
    schema = OUTPUT_SCHEMAS[kind]()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    return _model(tmp_path, [GOOD, NO_OWNER, BAD_DATE])


# -- partial results, in every format ---------------------------------------------------


def test_json_refuses_the_invalid_workflow_and_judges_the_others(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    code, out, err = run_cli(
        capsys, "check", inventory, "--today", "2026-11-27", "--format", "json"
    )
    assert (code, err) == (1, "")
    document = json.loads(out)
    _validate("check-json", document)
    [result] = document["results"]
    assert result["organization"] == "Acme"
    assert [(v["workflow_id"], v["decision"]) for v in result["verdicts"]] == [
        ("good", "allow"),
        ("no-owner", "deny"),
        ("bad-date", "deny"),
    ]
    [refusal] = result["verdicts"][2]["findings"]
    assert refusal["policy_id"] == "document-valid"
    assert refusal["location"]["file"] == str(inventory)
    assert refusal["location"]["line"] > 1
    assert document["summary"] == {"allow": 1, "warn": 0, "deny": 2}
    assert document["problems"] == []


def test_json_writes_the_policy_set_once_and_counts_what_it_does_not_list(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    _, out, _ = run_cli(capsys, "check", inventory, "--today", "2026-11-27", "--format", "json")
    document = json.loads(out)
    assert len(document["policy_set"]) > 20
    assert "policy_set" not in out.split('"results"')[1]
    good, no_owner, _ = document["results"][0]["verdicts"]
    assert good["findings"] == []
    assert good["counts"]["pass"] > 10
    assert good["counts"]["fail"] == 0
    assert {f["outcome"] for f in no_owner["findings"]} <= {"fail", "error", "waived"}
    assert no_owner["counts"]["fail"] == len(no_owner["findings"])
    assert len(good["digest"]) == 64


def test_all_findings_lists_passing_and_not_applicable_ones_too(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    args = ("check", inventory, "--today", "2026-11-27", "--format", "json", "--all-findings")
    _, out, _ = run_cli(capsys, *args)
    document = json.loads(out)
    _validate("check-json", document)
    good = document["results"][0]["verdicts"][0]
    assert len(good["findings"]) == sum(good["counts"].values())
    assert {f["outcome"] for f in good["findings"]} >= {"pass", "not_applicable"}


def test_a_model_with_its_own_packs_carries_its_own_policy_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    model = _model(tmp_path / "m", [GOOD], policies={"disable": ["marketing"]})
    plain = _model(tmp_path / "p", [GOOD])
    _, out, _ = run_cli(capsys, "check", model, plain, "--today", "2026-11-27", "--format", "json")
    document = json.loads(out)
    _validate("check-json", document)
    configured, default = document["results"]
    assert len(configured["policy_set"]) < len(document["policy_set"])
    assert "policy_set" not in default


def test_jsonl_writes_one_verdict_a_line(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    code, out, _ = run_cli(capsys, "check", inventory, "--today", "2026-11-27", "--format", "jsonl")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    for line in lines:
        _validate("check-jsonl", line)
    # The model's own verdict first, marked as the model's, then each workflow's.
    assert [(v["scope"], v["workflow_id"], v["decision"]) for v in lines[:1]] == [
        ("model", "Acme", "allow")
    ]
    lines = lines[1:]
    assert [(v["scope"], v["file"], v["workflow_id"]) for v in lines] == [
        ("workflow", str(inventory), "good"),
        ("workflow", str(inventory), "no-owner"),
        ("workflow", str(inventory), "bad-date"),
    ]
    assert lines[2]["findings"][0]["policy_id"] == "document-valid"


def test_sarif_places_the_refusal_and_each_of_its_problems_in_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = make({"id": "bad", "production.went_live": "27/11/2026", "consequence": "huge"})
    path = _model(tmp_path, [GOOD, bad])
    _, out, _ = run_cli(capsys, "check", path, "--today", "2026-11-27", "--format", "sarif")
    [run] = json.loads(out)["runs"]
    [refused] = [r for r in run["results"] if r["ruleId"] == "document-valid"]
    region = refused["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 1
    related = refused["relatedLocations"]
    assert len(related) == 2
    assert {r["physicalLocation"]["artifactLocation"]["uri"] for r in related} == {path.as_posix()}
    assert run["invocations"][0]["executionSuccessful"] is True


def test_the_report_lists_the_refused_workflow_as_blocked(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    code, out, _ = run_cli(capsys, "report", inventory, "--today", "2026-11-27")
    assert code == 1
    assert "| bad-date | production | - | - | - | - | DENY |" in out
    assert "- **bad-date**\n  - This document is not a valid workflow" in out
    assert "### Failing policies" in out
    assert "| document-valid | hard_mandatory (blocks) | 1 |" in out
    code, out, _ = run_cli(capsys, "report", inventory, "--today", "2026-11-27", "--format", "json")
    document = json.loads(out)
    _validate("report-json", document)
    rows = document["sections"][0]["workflows"]
    assert rows[2]["id"] == "bad-date"
    assert rows[2]["use_case_score"] is None


def test_a_models_own_problem_still_exits_2_and_the_other_files_count(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = _model(tmp_path / "broken", [GOOD], data_classes="public")
    fine = _model(tmp_path / "fine", [GOOD])
    code, out, err = run_cli(
        capsys, "check", broken, fine, "--today", "2026-11-27", "--format", "json"
    )
    assert code == 2
    document = json.loads(out)
    assert [r["file"] for r in document["results"]] == [str(fine)]
    assert document["problems"][0]["path"] == "/data_classes"
    assert err.startswith(f"aimo: {broken}:")


# -- the roll-up and --summary --------------------------------------------------------------


def test_the_rollup_counts_workflows_not_findings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    idea = {"id": "idea", "stage": "idea"}  # three use-case findings fail in each
    path = _model(tmp_path, [{**idea, "id": f"idea-{n}"} for n in range(3)] + [GOOD])
    _, out, _ = run_cli(capsys, "check", path, "--today", "2026-11-27", "--format", "json")
    rollup = json.loads(out)["rollup"]
    assert rollup[0] == {
        "policy_id": "use-case-qualifies",
        "enforcement": "mandatory",
        "blocking": True,
        "workflows": 3,
    }


def test_summary_prints_only_the_counts_and_the_failing_policies(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    code, out, _ = run_cli(capsys, "check", inventory, "--today", "2026-11-27", "--summary")
    assert code == 1
    assert out.startswith(
        "1 operating model: 1 allow, 0 warn, 0 deny\n3 workflows: 1 allow, 0 warn, 2 deny\n"
    )
    assert "  owner-named" in out
    assert "good" not in out
    _, out, _ = run_cli(
        capsys, "check", inventory, "--today", "2026-11-27", "--summary", "--format", "json"
    )
    document = json.loads(out)
    _validate("check-json", document)
    assert "results" not in document
    assert document["summary"]["deny"] == 2


def test_summary_is_refused_where_it_has_no_form(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    code, out, err = run_cli(capsys, "check", inventory, "--summary", "--format", "sarif")
    assert (code, out) == (2, "")
    assert "--summary goes with --format table or json" in err


# -- --output ---------------------------------------------------------------------------


def test_output_writes_the_file_whole_with_the_usual_permissions(
    capsys: pytest.CaptureFixture[str], inventory: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "verdicts.json"
    target.parent.mkdir()
    args = ("check", inventory, "--today", "2026-11-27", "--format", "json")
    code, out, _ = run_cli(capsys, *args, "--output", target)
    assert (code, out) == (1, "")
    assert json.loads(target.read_text())["summary"]["deny"] == 2
    assert os.listdir(target.parent) == ["verdicts.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_output_is_untouched_when_the_run_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _model(tmp_path / "m", [GOOD, GOOD | {"id": "second"}])
    target = tmp_path / "verdicts.jsonl"
    target.write_text("yesterday's verdicts\n")

    def broken(*args: Any, **kwargs: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(jsonl, "compact", broken)
    code, _, err = run_cli(capsys, "check", path, "--format", "jsonl", "-o", target)
    assert code == 130
    assert "interrupted" in err
    assert target.read_text() == "yesterday's verdicts\n"
    assert os.listdir(tmp_path) == ["m", "verdicts.jsonl"]


@pytest.mark.parametrize("where", ["missing/out.json", "."])
def test_output_that_cannot_be_written_is_bad_input(
    capsys: pytest.CaptureFixture[str], inventory: Path, tmp_path: Path, where: str
) -> None:
    code, out, err = run_cli(capsys, "check", inventory, "--output", tmp_path / where)
    assert (code, out) == (2, "")
    assert "cannot be written" in err
    assert "Traceback" not in err


# -- streaming and progress -----------------------------------------------------------------


class _Watching(io.StringIO):
    """A stream that records how many workflows the run had judged at each write."""

    def __init__(self) -> None:
        super().__init__()
        self.judged_at_write: list[int] = []
        self.run: CheckRun | None = None

    def write(self, text: str) -> int:
        assert self.run is not None
        self.judged_at_write.append(self.run.tally.workflows)
        return super().write(text)


def _args(*paths: Path, **options: Any) -> argparse.Namespace:
    limits = {name: getattr(Limits(), name) for name in Limits.__dataclass_fields__}
    return argparse.Namespace(
        paths=[str(p) for p in paths], allow_outside=False, **limits, **options
    )


def test_jsonl_writes_each_verdict_before_the_next_is_judged(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD | {"id": f"w{n}"} for n in range(5)])
    out = _Watching()
    run = CheckRun(_args(path, progress=False), TODAY, io.StringIO())
    out.run = run
    jsonl.FORMAT.write(run, out)
    # The model's own line, then one line per workflow, each written as soon as it is made.
    assert out.judged_at_write == [0, 1, 2, 3, 4, 5]


def test_a_run_read_by_nobody_is_still_judged_whole(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, NO_OWNER, BAD_DATE])
    run = CheckRun(_args(path), TODAY, io.StringIO())
    next(run.sections())  # an output that stopped reading (a closed pipe)
    run.finish()
    assert run.tally.summary() == {"allow": 1, "warn": 0, "deny": 2}


def test_progress_is_drawn_when_asked_and_never_in_a_pipe_unless_asked(
    capsys: pytest.CaptureFixture[str], inventory: Path
) -> None:
    _, _, err = run_cli(capsys, "check", inventory, "--progress", "--format", "jsonl")
    assert "0/3 [" in err
    assert " workflows/s" in err
    _, _, err = run_cli(capsys, "check", inventory, "--format", "jsonl")
    assert err == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_on_at_a_terminal_but_not_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert wanted(None, _Terminal())
    assert not wanted(None, io.StringIO())
    assert not wanted(False, _Terminal())
    monkeypatch.setenv("CI", "true")
    assert not wanted(None, _Terminal())
    assert wanted(True, io.StringIO())


# -- files in folders -----------------------------------------------------------------------


def test_a_folder_judges_each_workflow_file_once_with_its_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "workflows" / "b.json").write_text(json.dumps(BAD_DATE))
    (tmp_path / "loose.json").write_text(json.dumps(GOOD | {"id": "loose"}))
    (tmp_path / "model.yaml").write_text("aimo: 1\nworkflow_files: [workflows/*.json]\n")
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl"
    )
    assert (code, err) == (1, "")
    lines = [v for v in map(json.loads, out.splitlines()) if v["scope"] == "workflow"]
    judged = [(Path(v["file"]).name, v["workflow_id"]) for v in lines]
    assert judged == [("loose.json", "loose"), ("model.yaml", "good"), ("model.yaml", "bad-date")]


def test_several_models_are_each_judged_whole_and_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Only the first is kept from the first pass; the others are read again when reached.
    paths = [_model(tmp_path / f"m{n}", [GOOD | {"id": f"w{n}"}, BAD_DATE]) for n in range(3)]
    empty = _model(tmp_path / "empty", [])
    code, out, _ = run_cli(
        capsys, "check", empty, *paths, "--today", "2026-11-27", "--format", "json"
    )
    results = json.loads(out)["results"]
    assert [len(r["verdicts"]) for r in results] == [0, 2, 2, 2]
    assert [r["verdicts"][0]["workflow_id"] for r in results[1:]] == ["w0", "w1", "w2"]
    assert code == 1


def test_a_model_that_spells_its_key_with_an_escape_is_still_a_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "w.json").write_text(json.dumps(GOOD))
    decisions = json.dumps(DECISIONS)
    (tmp_path / "m.json").write_text(
        f'{{"\\u0061imo": 1, "decisions": {decisions}, "workflow_files": ["w.json"]}}'
    )
    code, out, _ = run_cli(capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl")
    assert code == 0
    judged = [(Path(v["file"]).name, v["scope"]) for v in map(json.loads, out.splitlines())]
    assert judged == [("m.json", "model"), ("m.json", "workflow")]


def test_a_pack_beside_its_model_is_passed_over_even_when_it_says_aimo(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A pack has a `policies` block as a model does; the word aimo in a comment made the
    # quick test read it, and it must still be taken for the pack it is.
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "brand.yaml").write_text(
        "# Rules beside aimo's own.\npack: brand\nversion: '1'\npolicies:\n"
        "  - {id: brand-named, title: Named, require: {required: [name]}, message: No name}\n"
    )
    _model(tmp_path, [GOOD], policies={"paths": ["packs"]})
    code, out, err = run_cli(capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "json")
    assert (code, err) == (0, "")
    [result] = json.loads(out)["results"]
    assert result["file"].endswith("model.json")
