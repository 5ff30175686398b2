"""``aimo diff``: what changed between two saved ``aimo check --format json`` results, for a
policy change, an upgrade or a model edit (spec 5.3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import aimo
from aimo._cli.formats.schemas import OUTPUT_SCHEMAS
from conftest import DECISIONS, DELETE, NORTHWIND, TODAY, make, run_cli

STEADY = make({"id": "steady"})
DRIFTING = make(
    {
        "id": "drifting",
        "review.history": [
            {"date": "2026-10-01", "value": 3},
            {"date": "2026-10-28", "value": 4},
        ],
    }
)
UNREVIEWED = make({"id": "unreviewed", "reviewer": DELETE})


def _model(folder: Path, *workflows: dict[str, Any], **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    document = {"aimo": 1, "organization": "Acme", "workflows": list(workflows), **fields}
    path = folder / "model.json"
    path.write_text(json.dumps(document, indent=1))
    return path


def _save(
    capsys: pytest.CaptureFixture[str],
    target: Path,
    *paths: Path,
    today: str = "2026-11-27",
    extra: tuple[str, ...] = (),
) -> Path:
    code, _, err = run_cli(
        capsys, "check", *paths, "--format", "json", "--today", today, "--output", target, *extra
    )
    assert code in (0, 1), err
    return target


def _diff(
    capsys: pytest.CaptureFixture[str], old: Path, new: Path, *args: str
) -> tuple[int, str, str]:
    return run_cli(capsys, "diff", old, new, *args)


def _validate(document: Any) -> None:
    schema = OUTPUT_SCHEMAS["impact-json"]()
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]


def _moves(data: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(c["workflow_id"], c["before"], c["after"]) for c in data["changes"]]


def test_a_model_edit_shows_what_it_changes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    path = _model(folder, STEADY, DRIFTING, UNREVIEWED)
    old = _save(capsys, tmp_path / "old.json", path)
    # The edit: a reviewer named, steady's owner dropped, drifting removed, a new one added.
    fixed = make({"id": "unreviewed"})
    ownerless = make({"id": "steady", "owner": DELETE})
    added = make({"id": "added", "stage": "pilot"})
    _model(folder, ownerless, fixed, added)
    new = _save(capsys, tmp_path / "new.json", path)

    code, out, err = _diff(capsys, old, new, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    _validate(data)
    # In the new result's order, then what is only in the old one.
    assert _moves(data) == [
        ("steady", "allow", "deny"),
        ("unreviewed", "deny", "allow"),
        ("added", None, "allow"),
        ("drifting", "warn", None),
    ]
    assert data["judged"] == 4
    steady, unreviewed, added, drifting = data["changes"]
    assert steady["file"] == str(path)
    assert [f["policy_id"] for f in steady["appeared"]] == ["owner-named"]
    assert [f["policy_id"] for f in unreviewed["disappeared"]] == ["reviewer-named"]
    # A workflow on one side only: what it fails appears, or disappears.
    assert (added["appeared"], added["disappeared"]) == ([], [])
    assert drifting["appeared"] == []
    assert [f["policy_id"] for f in drifting["disappeared"]] == ["quality-drift"]
    assert data["summary"] == {"changed": 4, "newly_denied": 1, "newly_allowed": 1}

    code, out, _ = _diff(capsys, old, new)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"Changes from {old} to {new}"
    assert "  drifting    warn    absent" in lines
    assert lines[-1] == (
        "4 of 4 workflows change decision: 1 newly denied, 1 newly allowed, 1 added, 1 removed."
    )
    assert _diff(capsys, old, new, "--fail-on", "deny")[0] == 1


def test_a_workflow_added_denied_is_newly_denied(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _model(tmp_path / "repo", STEADY)
    old = _save(capsys, tmp_path / "old.json", path)
    _model(tmp_path / "repo", STEADY, UNREVIEWED)
    new = _save(capsys, tmp_path / "new.json", path)
    code, out, _ = _diff(capsys, old, new, "--format", "json", "--fail-on", "deny")
    assert code == 1
    data = json.loads(out)
    assert _moves(data) == [("unreviewed", None, "deny")]
    assert [f["policy_id"] for f in data["changes"][0]["appeared"]] == ["reviewer-named"]
    assert data["summary"]["newly_denied"] == 1
    # Removing it is no new denial.
    code, out, _ = _diff(capsys, new, old, "--fail-on", "deny")
    assert code == 0
    assert out.splitlines()[-1] == "1 of 2 workflows change decision: 1 removed."
    # One added allowed or warned is counted as added.
    _model(tmp_path / "repo", STEADY, DRIFTING)
    warned = _save(capsys, tmp_path / "warned.json", path)
    code, out, _ = _diff(capsys, old, warned, "--fail-on", "deny")
    assert code == 0
    assert out.splitlines()[-1] == "1 of 2 workflows change decision: 1 added."


def test_a_policy_change_agrees_with_aimo_impact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The same change, seen by judging the candidate and by comparing two saved runs.
    path = _model(tmp_path / "repo", STEADY, DRIFTING, UNREVIEWED)
    old = _save(capsys, tmp_path / "old.json", path)
    candidate = {"disable": ["reviewer-named"], "enforcement": {"quality-drift": "mandatory"}}
    _model(tmp_path / "repo", STEADY, DRIFTING, UNREVIEWED, policies=candidate)
    new = _save(capsys, tmp_path / "new.json", path)
    code, out, _ = _diff(capsys, old, new, "--format", "json")
    assert code == 0
    _model(tmp_path / "repo", STEADY, DRIFTING, UNREVIEWED)
    assert json.loads(out) == aimo.impact(path, candidate, today=TODAY).to_dict()


def test_all_findings_results_compare_as_compact_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _model(tmp_path / "repo", STEADY, DRIFTING)
    old = _save(capsys, tmp_path / "old.json", path, extra=("--all-findings",))
    _model(tmp_path / "repo", STEADY, DRIFTING, policies={"disable": ["quality-drift"]})
    new = _save(capsys, tmp_path / "new.json", path)
    code, out, _ = _diff(capsys, old, new, "--format", "json")
    assert code == 0
    [change] = json.loads(out)["changes"]
    # Passing and not-applicable findings are listed in the old result, and compared as
    # nothing: only what failed, erred or was waived appears or disappears.
    assert [f["policy_id"] for f in change["disappeared"]] == ["quality-drift"]
    assert change["appeared"] == []


def test_an_upgrade_and_another_date_are_noted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _model(tmp_path / "repo", STEADY, DRIFTING)
    old = _save(capsys, tmp_path / "old.json", path)
    new = _save(capsys, tmp_path / "new.json", path, today="2027-03-01")
    # As if the old result had been saved by an earlier aimo, without one policy, and by
    # a run that could not read one file.
    data = json.loads(old.read_text())
    data["aimo"] = "0.1.0"
    data["policy_set"] = [p for p in data["policy_set"] if p["id"] != "quality-drift"]
    data["problems"] = [
        {"path": "", "message": "no such file", "file": "gone.yaml", "line": None, "column": None}
    ]
    old.write_text(json.dumps(data))
    code, out, _ = _diff(capsys, old, new)
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == (
        "Before: evaluated on 2026-11-27; after: on 2027-03-01. A date alone can change "
        "decisions (reviews fall due, waivers expire)."
    )
    assert f"Saved by aimo 0.1.0 ({old}) and {aimo.__version__} ({new})." in lines
    assert f"Policies evaluated only in {new}: quality-drift." in lines
    assert (
        f"The run that saved {old} had 1 problem with its input: workflows it could not read "
        "show as added or removed." in lines
    )
    code, out, _ = _diff(capsys, old, new, "--format", "markdown")
    escaped = str(new).replace("_", "\\_")
    assert f"- Policies evaluated only in {escaped}: quality-drift." in out.splitlines()
    code, out, _ = _diff(capsys, old, new, "--format", "json")
    data = json.loads(out)
    assert (data["before_today"], data["today"]) == ("2026-11-27", "2027-03-01")


def test_many_new_policies_are_counted_not_all_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _model(tmp_path / "repo", STEADY)
    old = _save(capsys, tmp_path / "old.json", path)
    data = json.loads(old.read_text())
    data["policy_set"] = data["policy_set"][:3]
    old.write_text(json.dumps(data))
    new = _save(capsys, tmp_path / "new.json", path)
    _, out, _ = _diff(capsys, old, new)
    [note] = [line for line in out.splitlines() if line.startswith("Policies evaluated only")]
    assert note.endswith(f" and {len(json.loads(new.read_text())['policy_set']) - 13} more.")


def test_workflows_are_matched_by_file_and_id_and_repeats_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = _model(tmp_path / "a", STEADY, STEADY)  # the second "steady" is refused
    second = _model(tmp_path / "b", UNREVIEWED)
    old = _save(capsys, tmp_path / "old.json", first, second)
    new = _save(capsys, tmp_path / "new.json", first, second)
    code, out, _ = _diff(capsys, old, new, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["judged"], data["changes"]) == (3, [])
    # The same workflow in another file is another workflow.
    _model(tmp_path / "b", make({"id": "unreviewed"}))
    fixed = _save(capsys, tmp_path / "fixed.json", first, second)
    code, out, _ = _diff(capsys, old, fixed, "--format", "table")
    assert "  unreviewed  deny    allow" in out.splitlines()


def test_several_files_get_a_file_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a = _model(tmp_path / "a", STEADY)
    b = _model(tmp_path / "b", STEADY)
    old = _save(capsys, tmp_path / "old.json", a, b)
    _model(tmp_path / "a", make({"id": "steady", "reviewer": DELETE}))
    _model(tmp_path / "b", make({"id": "steady", "reviewer": DELETE}))
    new = _save(capsys, tmp_path / "new.json", a, b)
    _, out, _ = _diff(capsys, old, new)
    assert any(line.split() == ["WORKFLOW", "FILE", "BEFORE", "AFTER"] for line in out.splitlines())
    assert any(line.split() == ["steady", str(b), "allow", "deny"] for line in out.splitlines())
    _, out, _ = _diff(capsys, old, new, "--format", "markdown")
    assert "| Workflow | File | Before | After |" in out.splitlines()


def test_the_example_model_diffed_with_itself_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = _save(capsys, tmp_path / "northwind.json", NORTHWIND)
    code, out, err = _diff(capsys, saved, saved)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "0 of 7 workflows change decision."


# -- what is not a saved result ------------------------------------------------------------


def _saved(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    return _save(capsys, tmp_path / "good.json", _model(tmp_path / "repo", STEADY, DRIFTING))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "this is not valid JSON"),
        ("[1, 2]", "/: this is not a saved result of aimo check --format json: it is not a JSON"),
        ('{"aimo": 1}', "/: this is not a saved result of aimo check --format json: "),
        ('{"a": NaN}', "JSON has no NaN"),
        ('{"a": 1, "a": 2}', "the key 'a' is given twice"),
    ],
)
def test_what_is_not_json_or_not_a_result_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    good = _saved(capsys, tmp_path)
    for old, new in ((bad, good), (good, bad)):
        code, out, err = _diff(capsys, old, new)
        assert (code, out) == (2, "")
        assert err.startswith(f"aimo: {bad}")
        assert message in err
        assert len(err.splitlines()) == 1


def test_a_result_that_breaks_its_schema_names_the_file_the_place_and_the_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _saved(capsys, tmp_path)
    data = json.loads(good.read_text())
    data["results"][0]["verdicts"][1]["decision"] = "maybe" * 100
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, indent=1))
    code, out, err = _diff(capsys, good, bad)
    assert (code, out) == (2, "")
    assert err.startswith(f"aimo: {bad}:")
    assert ": /results/0/verdicts/1/decision: this is not a saved result" in err
    assert "is not one of ['allow', 'warn', 'deny']" in err
    # The value it quotes is cut.
    assert "more characters" in err
    assert len(err) < 600


@pytest.mark.parametrize("decision", ["deny", "allow", None])
@pytest.mark.parametrize("kind", ["model", "workflow file"])
def test_a_result_that_lists_one_file_twice_is_refused_on_either_side(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, decision: str | None
) -> None:
    # aimo check judges a file once: a result listing one twice was edited, and one of its
    # listings would silently hide the other's decisions (a copy denying every workflow,
    # followed by one allowing them, compared as no change at all).
    if kind == "model":
        good = _saved(capsys, tmp_path)
    else:
        workflow = tmp_path / "repo" / "steady.json"
        workflow.parent.mkdir(parents=True, exist_ok=True)
        workflow.write_text(json.dumps(STEADY))
        good = _save(capsys, tmp_path / "good.json", workflow)
    data = json.loads(good.read_text())
    copy = json.loads(json.dumps(data["results"][0]))
    for verdict in copy["verdicts"]:
        verdict["decision"] = decision or verdict["decision"]
    data["results"] = [copy, data["results"][0]]
    bad = tmp_path / "twice.json"
    bad.write_text(json.dumps(data, indent=1))
    for old, new in ((bad, good), (good, bad)):
        code, out, err = _diff(capsys, old, new, "--fail-on", "deny")
        assert (code, out) == (2, "")
        assert err.startswith(f"aimo: {bad}:")
        assert "/results/1/file: this is not a saved result" in err
        assert "it lists the file" in err
        assert "twice" in err


def test_a_summary_only_result_cannot_be_compared(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _saved(capsys, tmp_path)
    summary = _save(capsys, tmp_path / "summary.json", tmp_path / "repo" / "model.json",
                    extra=("--summary",))  # fmt: skip
    code, _, err = _diff(capsys, summary, good)
    assert code == 2
    assert "it was saved with --summary, so it lists no verdicts; save it without" in err


def test_the_reading_limits_hold_and_can_be_raised(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _saved(capsys, tmp_path)
    code, _, err = _diff(capsys, good, good, "--max-document-bytes", "1000")
    assert code == 2
    assert "--max-document-bytes" in err
    code, _, err = _diff(capsys, good, good, "--max-depth", "3")
    assert code == 2
    assert "--max-depth" in err
    code, _, err = _diff(capsys, good, good, "--max-document-bytes", "100000000")
    assert (code, err) == (0, "")
    code, _, err = _diff(capsys, good, tmp_path / "missing.json")
    assert code == 2
    assert "missing.json" in err
    code, _, err = _diff(capsys, good, tmp_path)
    assert code == 2
    assert "a folder" in err


def test_a_result_saved_by_a_yaml_name_is_read_all_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _saved(capsys, tmp_path)
    other = tmp_path / "result.out"
    other.write_text(good.read_text())
    code, out, _ = _diff(capsys, good, other)
    assert code == 0
    assert out.splitlines()[-1] == "0 of 2 workflows change decision."


def test_output_writes_the_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = _saved(capsys, tmp_path)
    target = tmp_path / "diff.md"
    code, out, err = _diff(capsys, good, good, "--format", "markdown", "--output", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text().startswith("### aimo: 0 of 2 workflows change decision.")


def test_the_models_own_verdict_is_compared_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "repo"
    path = _model(folder, STEADY)
    old = _save(capsys, tmp_path / "old.json", path)  # no decisions: the model is denied
    _model(folder, STEADY, decisions=DECISIONS)
    new = _save(capsys, tmp_path / "new.json", path)
    code, out, err = _diff(capsys, old, new, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    _validate(data)
    [change] = data["changes"]
    assert (change["scope"], change["workflow_id"]) == ("model", "Acme")
    assert (change["before"], change["after"]) == ("deny", "allow")
    assert {f["policy_id"] for f in change["disappeared"]} == {"decisions-recorded"}
    assert data["judged"] == 1
    # Back again: the model is newly denied, and --fail-on deny says so.
    assert _diff(capsys, new, old, "--fail-on", "deny")[0] == 1
    code, out, _ = _diff(capsys, new, old)
    assert "Acme (the operating model as a whole): allow -> deny" in out
