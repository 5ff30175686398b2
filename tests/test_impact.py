"""Impact analysis: what a candidate policy configuration, or a pack added, would change in
a model's decisions, known before the change is merged (spec 5.3)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import aimo
from aimo._cli.formats.schemas import OUTPUT_SCHEMAS
from conftest import DECISIONS, DELETE, TODAY, make, run_cli

STEADY = make({"id": "steady"})
#: Its last two reviews both miss the target: quality-drift (advisory) fails, so it warns.
DRIFTING = make(
    {
        "id": "drifting",
        "review.history": [
            {"date": "2026-10-01", "value": 3},
            {"date": "2026-10-28", "value": 4},
        ],
    }
)
#: No reviewer: reviewer-named (mandatory) fails, so it is denied.
UNREVIEWED = make({"id": "unreviewed", "reviewer": DELETE})
#: Not a valid workflow: refused, and denied whatever the policies.
BROKEN = make({"id": "broken", "production.went_live": "27/11/2026"})

#: A pack that wants a heavy review of every workflow from pilot on.
HEAVY_PACK = """\
pack: heavy-review
version: "1.0"
policies:
  - id: heavy-review-everywhere
    title: Every workflow gets a heavy review
    severity: high
    enforcement: mandatory
    applies_from: pilot
    require: {properties: {review_tier: {const: heavy}}, required: [review_tier]}
    message: Every workflow needs a heavy review
    remediation: Set review_tier to heavy
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _model(folder: Path, *workflows: dict[str, Any], **fields: Any) -> Path:
    document = {"aimo": 1, "organization": "Acme", "workflows": list(workflows), **fields}
    return _write(folder / "model.json", json.dumps(document, indent=1))


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return _model(tmp_path, STEADY, DRIFTING, UNREVIEWED, BROKEN)


def _changes(impact: aimo.Impact) -> dict[str, tuple[str | None, str | None]]:
    return {
        c.workflow_id: (
            c.before.value if c.before is not None else None,
            c.after.value if c.after is not None else None,
        )
        for c in impact.changes
    }


def _ids(findings: tuple[aimo.Finding, ...]) -> list[tuple[str, str, str]]:
    return [(f.policy_id, f.outcome.value, f.enforcement.value) for f in findings]


# -- aimo.impact ----------------------------------------------------------------------------


def test_a_stricter_level_newly_denies_and_shows_the_finding_moving(model: Path) -> None:
    impact = aimo.impact(model, {"enforcement": {"quality-drift": "mandatory"}}, today=TODAY)
    assert isinstance(impact, aimo.Impact)
    assert impact.today == impact.before_today == TODAY
    # Every workflow is compared, the refused one too: it is denied on both sides.
    assert impact.judged == 4
    assert _changes(impact) == {"drifting": ("warn", "deny")}
    [change] = impact.changes
    assert isinstance(change, aimo.Change)
    assert change.file == str(model)
    # One policy, one path: the advisory finding is gone and the mandatory one has come.
    assert _ids(change.appeared) == [("quality-drift", "fail", "mandatory")]
    assert _ids(change.disappeared) == [("quality-drift", "fail", "advisory")]
    assert change.appeared[0].path == change.disappeared[0].path == "/review/history/1/value"
    assert impact.newly_denied == (change,)
    assert impact.newly_allowed == ()


def test_a_looser_candidate_newly_allows(model: Path) -> None:
    impact = aimo.impact(model, {"disable": ["reviewer-named"]}, today=TODAY)
    assert _changes(impact) == {"unreviewed": ("deny", "allow")}
    [change] = impact.changes
    assert change.newly_allowed
    assert not change.newly_denies
    assert _ids(change.disappeared) == [("reviewer-named", "fail", "mandatory")]
    assert change.appeared == ()
    assert impact.newly_denied == ()
    assert impact.summary() == {"changed": 1, "newly_denied": 0, "newly_allowed": 1}


def test_the_candidate_replaces_the_models_own_block(tmp_path: Path) -> None:
    path = _model(tmp_path, STEADY, DRIFTING, policies={"disable": ["quality-drift"]})
    for candidate in ({}, None, aimo.PolicyConfig()):
        impact = aimo.impact(path, candidate, today=TODAY)
        # quality-drift is no longer disabled: the candidate does not say so.
        assert _changes(impact) == {"drifting": ("allow", "warn")}, candidate
        assert _ids(impact.changes[0].appeared) == [("quality-drift", "fail", "advisory")]
    # The model's own block as the candidate changes nothing.
    same = aimo.impact(path, {"disable": ["quality-drift"]}, today=TODAY)
    assert same.changes == ()
    assert same.judged == 2


def test_both_sides_are_judged_on_the_date_given(model: Path) -> None:
    # steady was last reviewed on 2026-10-28 with a 90-day cadence: overdue in March.
    candidate = {"enforcement": {"review-current": "advisory"}}
    assert aimo.impact(model, candidate, today=TODAY).changes == ()
    later = aimo.impact(model, candidate, today=dt.date(2027, 3, 1))
    assert later.today == dt.date(2027, 3, 1)
    assert _changes(later)["steady"] == ("deny", "warn")
    [moved] = [c for c in later.changes if c.workflow_id == "steady"]
    assert _ids(moved.appeared) == [("review-current", "fail", "advisory")]
    assert _ids(moved.disappeared) == [("review-current", "fail", "mandatory")]


def test_pack_paths_resolve_as_if_the_block_were_in_the_model_file(tmp_path: Path) -> None:
    _write(tmp_path / "packs" / "heavy.yaml", HEAVY_PACK)
    path = _model(tmp_path, STEADY, DRIFTING, UNREVIEWED)
    impact = aimo.impact(path, {"paths": ["packs/heavy.yaml"]}, today=TODAY)
    # unreviewed was denied already: its decision does not change.
    assert _changes(impact) == {"steady": ("allow", "deny"), "drifting": ("warn", "deny")}
    for change in impact.changes:
        assert _ids(change.appeared) == [("heavy-review-everywhere", "fail", "mandatory")]


def test_a_candidate_may_not_name_packs_outside_the_models_folder(tmp_path: Path) -> None:
    _write(tmp_path / "elsewhere" / "heavy.yaml", HEAVY_PACK)
    path = _model(tmp_path / "model", STEADY)
    candidate = {"paths": ["../elsewhere/heavy.yaml"]}
    with pytest.raises(aimo.ConfigError, match=r"/policies/paths/0: '\.\./elsewhere/heavy\.yaml'"):
        aimo.impact(path, candidate, today=TODAY)
    absolute = {"paths": [str(tmp_path / "elsewhere" / "heavy.yaml")]}
    with pytest.raises(aimo.ConfigError, match="is outside the folder"):
        aimo.impact(path, absolute, today=TODAY)
    # The caller may allow it, as aimo.load(allow_outside=True) does.
    allowed = aimo.impact(path, candidate, today=TODAY, allow_outside=True)
    assert _changes(allowed) == {"steady": ("allow", "deny")}


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        ({"paths": ["missing.yaml"]}, "does not exist"),
        ({"disable": ["no-such-policy"]}, "neither a known policy nor a known pack"),
        ({"enforcement": {"no-such-policy": "advisory"}}, "is not a known policy"),
        ({"enforcement": {"quality-drift": "sometimes"}}, "invalid policy configuration"),
        ({"disable": "quality-drift"}, "invalid policy configuration"),
        ({"colour": "blue"}, "invalid policy configuration"),
        ({"disable": ["owner-named"]}, "cannot be disabled"),
        ({"enforcement": {"data-boundary-allowed": "advisory"}}, "cannot be lowered"),
    ],
)
def test_an_invalid_candidate_raises_config_error(
    model: Path, candidate: dict[str, Any], message: str
) -> None:
    with pytest.raises(aimo.ConfigError, match=message):
        aimo.impact(model, candidate, today=TODAY)


def test_a_pack_that_cannot_be_loaded_raises_policy_error(tmp_path: Path) -> None:
    _write(tmp_path / "broken.yaml", "pack: broken\npolicies: [{id: x}]\n")
    path = _model(tmp_path, STEADY)
    with pytest.raises(aimo.PolicyError, match=r"broken\.yaml"):
        aimo.impact(path, {"paths": ["broken.yaml"]}, today=TODAY)


def test_an_invalid_model_raises_document_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "model.json", json.dumps({"aimo": 1, "tiers": 3}))
    with pytest.raises(aimo.DocumentError):
        aimo.impact(path, {}, today=TODAY)
    with pytest.raises(aimo.DocumentError):
        aimo.impact({"aimo": 1, "tiers": 3}, {}, today=TODAY)
    # The model's own block is checked as evaluate_model checks it.
    own = _model(tmp_path / "own", STEADY, policies={"disable": ["no-such-policy"]})
    with pytest.raises(aimo.ConfigError, match="no-such-policy"):
        aimo.impact(own, {}, today=TODAY)


def test_the_model_may_be_given_as_data_or_a_model_object(model: Path) -> None:
    data = json.loads(model.read_text())
    candidate = {"enforcement": {"quality-drift": "mandatory"}}
    from_data = aimo.impact(data, candidate, today=TODAY)
    assert _changes(from_data) == {"drifting": ("warn", "deny")}
    # Not read from a file: the changes name none.
    assert from_data.changes[0].file is None
    loaded = aimo.load(_model(model.parent / "valid", STEADY, DRIFTING))
    from_object = aimo.impact(loaded, candidate, today=TODAY)
    assert _changes(from_object) == {"drifting": ("warn", "deny")}
    assert from_object.changes[0].file == str(model.parent / "valid" / "model.json")


class _Tone:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [_tone]


@aimo.policy(
    id="acme-tone", title="Tone", severity="low", enforcement="advisory", applies_from="pilot"
)
def _tone(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    yield aimo.Violation("The tone guide is not linked", path="/output_standard")


def test_the_engine_given_judges_both_sides(model: Path) -> None:
    engine = aimo.Engine(plugins=[_Tone()], entry_points=False)
    impact = aimo.impact(
        model, {"enforcement": {"acme-tone": "mandatory"}}, today=TODAY, engine=engine
    )
    assert _changes(impact) == {"steady": ("warn", "deny"), "drifting": ("warn", "deny")}
    # The default engine does not know the plugin's policy.
    with pytest.raises(aimo.ConfigError, match="acme-tone"):
        aimo.impact(model, {"enforcement": {"acme-tone": "mandatory"}}, today=TODAY)


def test_to_dict_is_plain_json_with_a_summary(model: Path) -> None:
    impact = aimo.impact(model, {"enforcement": {"quality-drift": "mandatory"}}, today=TODAY)
    data = impact.to_dict()
    assert list(data) == ["today", "before_today", "judged", "summary", "changes"]
    assert data["summary"] == {"changed": 1, "newly_denied": 1, "newly_allowed": 0}
    assert json.loads(json.dumps(data)) == data
    change = data["changes"][0]
    assert (change["before"], change["after"]) == ("warn", "deny")
    assert change["appeared"][0]["location"]["file"] == str(model)
    _validate(data)


def _validate(document: Any) -> None:
    schema = OUTPUT_SCHEMAS["impact-json"]()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]


# -- aimo impact ----------------------------------------------------------------------------


def _candidate(folder: Path, text: str, name: str = "candidate.yaml") -> Path:
    return _write(folder / name, text)


def test_the_table_lists_each_change_its_findings_and_the_count(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(
        model.parent,
        "policies:\n  disable: [reviewer-named]\n  enforcement: {quality-drift: mandatory}\n",
    )
    code, out, err = run_cli(
        capsys, "impact", model, "--config", candidate, "--today", "2026-11-27"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Impact of {candidate} on {model}, in place of its own policies"
    assert lines[1] == "Evaluated on 2026-11-27."
    assert "  WORKFLOW    BEFORE  AFTER" in lines
    assert "  drifting    warn    deny" in lines
    assert "  unreviewed  deny    allow" in lines
    assert "  drifting: warn -> deny" in lines
    assert any(
        line.startswith("    appears    FAIL quality-drift [mandatory: blocks] at /review/")
        for line in lines
    )
    assert any(
        line.startswith("    disappears FAIL reviewer-named [mandatory: blocks] at /reviewer")
        for line in lines
    )
    assert lines[-1] == "2 of 4 workflows change decision: 1 newly denied, 1 newly allowed."


def test_fail_on_deny_exits_1_only_when_a_workflow_is_newly_denied(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    stricter = _candidate(model.parent, "policies: {enforcement: {quality-drift: mandatory}}\n")
    looser = _candidate(model.parent, "policies: {disable: [reviewer-named]}\n", "looser.yaml")
    common = ("--today", "2026-11-27", "--format", "json")
    assert run_cli(capsys, "impact", model, "--config", stricter, *common)[0] == 0
    assert (
        run_cli(capsys, "impact", model, "--config", stricter, *common, "--fail-on", "deny")[0] == 1
    )
    assert (
        run_cli(capsys, "impact", model, "--config", looser, *common, "--fail-on", "deny")[0] == 0
    )


def test_json_is_the_impact_as_the_api_gives_it(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(model.parent, "policies: {enforcement: {quality-drift: mandatory}}\n")
    code, out, _ = run_cli(
        capsys, "impact", model, "--config", candidate, "--today", "2026-11-27", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    _validate(data)
    expected = aimo.impact(model, {"enforcement": {"quality-drift": "mandatory"}}, today=TODAY)
    assert data == expected.to_dict()


def test_markdown_is_a_pull_request_comment(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(model.parent, "policies: {enforcement: {quality-drift: mandatory}}\n")
    code, out, _ = run_cli(
        capsys, "impact", model, "--config", candidate, "--today", "2026-11-27",
        "--format", "markdown",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "### aimo: 1 of 4 workflows change decision: 1 newly denied."
    assert "| Workflow | Before | After |" in lines
    assert "| drifting | warn | **deny** |" in lines
    assert "**drifting**: warn → **deny**" in lines
    assert any(
        line.startswith("- appears: `quality-drift` fails (mandatory: blocks) at `/review/")
        for line in lines
    )
    assert any(line.startswith("- disappears: `quality-drift` fails (advisory:") for line in lines)


def test_no_change_says_so_in_every_format(capsys: pytest.CaptureFixture[str], model: Path) -> None:
    candidate = _candidate(model.parent, "policies: null\n")
    for format, expected in (
        ("table", "0 of 4 workflows change decision."),
        ("markdown", "### aimo: 0 of 4 workflows change decision."),
    ):
        code, out, _ = run_cli(
            capsys, "impact", model, "--config", candidate, "--today", "2026-11-27",
            "--format", format,
        )  # fmt: skip
        assert code == 0
        assert expected in out.splitlines()
        assert "WORKFLOW" not in out
        assert "| Workflow" not in out
    code, out, _ = run_cli(capsys, "impact", model, "--config", candidate, "--format", "json")
    assert json.loads(out)["changes"] == []


def test_a_pack_is_added_to_the_models_own_policies(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pack = _write(tmp_path / "proposed" / "heavy.yaml", HEAVY_PACK)
    # The model's own block still holds: quality-drift stays disabled.
    path = _model(tmp_path / "model", STEADY, DRIFTING, policies={"disable": ["quality-drift"]})
    code, out, err = run_cli(
        capsys, "impact", path, "--pack", pack, "--today", "2026-11-27", "--format", "json",
        "--fail-on", "deny",
    )  # fmt: skip
    assert (code, err) == (1, "")
    changes = json.loads(out)["changes"]
    assert [(c["workflow_id"], c["before"], c["after"]) for c in changes] == [
        ("steady", "allow", "deny"),
        ("drifting", "allow", "deny"),
    ]
    assert [f["policy_id"] for c in changes for f in c["appeared"]] == [
        "heavy-review-everywhere",
        "heavy-review-everywhere",
    ]
    code, out, _ = run_cli(capsys, "impact", path, "--pack", pack, "--today", "2026-11-27")
    assert out.startswith(f"Impact of adding the pack {pack} to {path}\n")


def test_a_pack_beside_the_models_own_packs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _write(tmp_path / "packs" / "heavy.yaml", HEAVY_PACK)
    path = _model(tmp_path, STEADY, policies={"paths": ["packs/heavy.yaml"]})
    other = _write(tmp_path / "more.yaml", HEAVY_PACK.replace("heavy-review", "second-review"))
    code, out, err = run_cli(capsys, "impact", path, "--pack", other, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["changes"] == []  # denied by the model's own pack already
    # The model's own pack named again is still one pack.
    code, out, err = run_cli(capsys, "impact", path, "--pack", tmp_path / "packs" / "heavy.yaml")
    assert (code, err) == (0, "")
    # Another pack of the same name is refused, naming both files.
    twin = _write(tmp_path / "twin.yaml", HEAVY_PACK)
    code, _, err = run_cli(capsys, "impact", path, "--pack", twin)
    assert code == 2
    assert err.startswith(f"aimo: --pack {twin}: two packs are named 'heavy-review': ")
    code, _, err = run_cli(capsys, "impact", path, "--pack", tmp_path / "nothing.yaml")
    assert code == 2
    assert err == f"aimo: --pack {tmp_path / 'nothing.yaml'}: no such file\n"


def test_candidate_pack_paths_are_relative_to_the_candidate_and_stay_inside_a_folder_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _model(tmp_path / "model", STEADY)
    _write(tmp_path / "proposal" / "packs" / "heavy.yaml", HEAVY_PACK)
    _write(tmp_path / "elsewhere" / "heavy.yaml", HEAVY_PACK)
    inside = _candidate(tmp_path / "proposal", "policies: {paths: [packs/heavy.yaml]}\n")
    code, out, err = run_cli(capsys, "impact", path, "--config", inside, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["newly_denied"] == 1

    outside = _candidate(
        tmp_path / "proposal", "policies: {paths: [../elsewhere/heavy.yaml]}\n", "outside.yaml"
    )
    code, out, err = run_cli(capsys, "impact", path, "--config", outside)
    assert (code, out) == (2, "")
    assert err.startswith(f"aimo: {outside}: /policies/paths/0: '../elsewhere/heavy.yaml' is ")
    assert "outside the folder" in err
    assert "--allow-outside" in err
    code, out, err = run_cli(
        capsys, "impact", path, "--config", outside, "--allow-outside", "--format", "json"
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["newly_denied"] == 1

    # A proposal kept beside the model may name the model's own packs.
    _write(tmp_path / "model" / "packs" / "heavy.yaml", HEAVY_PACK)
    beside = _candidate(
        tmp_path / "model" / "proposals", "policies: {paths: [../packs/heavy.yaml]}\n"
    )
    code, out, err = run_cli(capsys, "impact", path, "--config", beside, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["summary"]["newly_denied"] == 1

    missing = _candidate(tmp_path / "proposal", "policies: {paths: [nope.yaml]}\n", "m.yaml")
    code, _, err = run_cli(capsys, "impact", path, "--config", missing)
    assert code == 2
    assert err.startswith(f"aimo: {missing}: /policies/paths/0: 'nope.yaml' does not exist")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "aimo: 1\norganization: Acme\npolicies: {}\n",
            "holds more than a policies block ('aimo', 'organization')",
        ),
        ("disable: [quality-drift]\n", "holds no policies block"),
        ("- policies\n", "holds no policies block"),
        (
            "policies:\n  disable: quality-drift\n",
            "aimo: {file}:2:12: /policies/disable: expected a list",
        ),
        ("policies: {enforcement: {nope: advisory}}\n", "{file}: /policies/enforcement: 'nope'"),
        ("policies: {disable: [owner-named]}\n", "{file}: /policies/disable/0: owner-named"),
        ("policies: {}\npolicies: {}\n", "the key 'policies' is given twice"),
        ("policies: [unclosed\n", "{file}"),
    ],
)
def test_a_bad_candidate_file_is_bad_input(
    capsys: pytest.CaptureFixture[str], model: Path, text: str, message: str
) -> None:
    candidate = _candidate(model.parent, text)
    code, out, err = run_cli(capsys, "impact", model, "--config", candidate)
    assert (code, out) == (2, "")
    assert message.format(file=candidate) in err
    assert len(err.splitlines()) == 1


def test_a_candidate_may_carry_x_fields_of_its_own(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(model.parent, "x-ticket: GOV-1\npolicies: {}\n")
    code, _, err = run_cli(capsys, "impact", model, "--config", candidate)
    assert (code, err) == (0, "")


def test_a_bad_model_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    candidate = _candidate(tmp_path, "policies: {}\n")
    bad = _write(tmp_path / "model.yaml", "aimo: 1\ntiers: 3\n")
    code, out, err = run_cli(capsys, "impact", bad, "--config", candidate)
    assert (code, out) == (2, "")
    assert err.startswith(f"aimo: {bad}:2:")
    workflow = _write(tmp_path / "workflow.json", json.dumps(STEADY))
    code, _, err = run_cli(capsys, "impact", workflow, "--config", candidate)
    assert code == 2
    assert "this file is a workflow, not an operating model" in err
    code, _, err = run_cli(capsys, "impact", tmp_path / "missing.yaml", "--config", candidate)
    assert code == 2
    assert "missing.yaml" in err


def test_today_is_respected_on_the_command_line(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(model.parent, "policies: {enforcement: {review-current: advisory}}\n")
    code, out, _ = run_cli(capsys, "impact", model, "--config", candidate, "--today", "2026-11-27")
    assert (code, out.splitlines()[-1]) == (0, "0 of 4 workflows change decision.")
    code, out, _ = run_cli(capsys, "impact", model, "--config", candidate, "--today", "2027-03-01")
    assert code == 0
    assert "Evaluated on 2027-03-01." in out.splitlines()
    assert "  steady    deny    warn" in out.splitlines()
    assert out.splitlines()[-1] == "2 of 4 workflows change decision: 2 newly allowed."


def test_output_writes_the_file_and_nothing_to_standard_output(
    capsys: pytest.CaptureFixture[str], model: Path
) -> None:
    candidate = _candidate(model.parent, "policies: {enforcement: {quality-drift: mandatory}}\n")
    target = model.parent / "impact.md"
    code, out, err = run_cli(
        capsys, "impact", model, "--config", candidate, "--format", "markdown",
        "--output", target, "--today", "2026-11-27", "--fail-on", "deny",
    )  # fmt: skip
    assert (code, out, err) == (1, "", "")
    assert target.read_text().startswith("### aimo: 1 of 4 workflows change decision")


# -- the operating model as a whole ---------------------------------------------------------

#: A pack with a model-level rule: the model must record its AI-literacy training.
LITERACY_PACK = """\
pack: governance
version: "1"
policies:
  - id: gov-literacy
    title: Training recorded
    severity: medium
    enforcement: mandatory
    scope: model
    require: {required: [x-ai-literacy]}
    message: The operating model does not record its AI-literacy training
"""


def test_a_model_level_rule_shows_as_the_models_own_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pack = _write(tmp_path / "proposed" / "governance.yaml", LITERACY_PACK)
    path = _model(tmp_path / "model", STEADY, decisions=DECISIONS)
    code, out, err = run_cli(
        capsys, "impact", path, "--pack", pack, "--today", "2026-11-27", "--format", "json",
        "--fail-on", "deny",
    )  # fmt: skip
    # The workflows do not move; the model as a whole is newly denied, and that fails.
    assert (code, err) == (1, "")
    document = json.loads(out)
    assert document["judged"] == 1
    [change] = document["changes"]
    assert (change["scope"], change["workflow_id"]) == ("model", "Acme")
    assert (change["before"], change["after"]) == ("allow", "deny")
    assert [f["policy_id"] for f in change["appeared"]] == ["gov-literacy"]
    code, out, _ = run_cli(capsys, "impact", path, "--pack", pack, "--today", "2026-11-27")
    assert "Acme (the operating model as a whole): allow -> deny" in out
    assert out.rstrip().endswith(
        "0 of 1 workflow change decision. The operating model as a whole: allow -> deny."
    )


def test_impact_decides_nothing_so_no_verdict_reaches_the_hooks(model: Path) -> None:
    received: list[str] = []

    class Log:
        @aimo.hookimpl
        def aimo_verdict(self, verdict: aimo.Verdict) -> None:
            received.append(verdict.workflow_id)

    engine = aimo.Engine(plugins=[Log()], entry_points=False)
    impact = aimo.impact(
        model, {"enforcement": {"quality-drift": "mandatory"}}, today=TODAY, engine=engine
    )
    assert impact.changes  # it judged, and the decision log would have had nothing to record
    assert received == []


# -- each side is what aimo check says ------------------------------------------------------


@aimo.policy(id="acme-model-configured", title="The model configures its policies", scope="model")
def _model_configured(model: aimo.OperatingModel, ctx: aimo.Context) -> Any:
    if model.policies is None or "quality-drift" not in model.policies.enforcement:
        yield aimo.Violation("The model does not set how strict quality-drift is.", path="")


@aimo.policy(id="acme-workflow-sees-config", title="The workflow's model sets a level")
def _workflow_sees_config(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
    if ctx.model.policies is None or not ctx.model.policies.enforcement:
        yield aimo.Violation("The operating model sets no enforcement level.", path="/id")


class _ReadsTheBlock:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [_model_configured, _workflow_sees_config]


@pytest.mark.parametrize(
    "candidate",
    [
        None,
        {},
        {"enforcement": {"quality-drift": "mandatory"}},
        {"enforcement": {"reviewer-named": "mandatory"}},
        {"enforcement": {"quality-drift": "advisory"}},  # the model's own block
    ],
)
def test_each_side_is_what_check_says_of_the_model_with_that_block(
    tmp_path: Path, candidate: dict[str, Any] | None
) -> None:
    # Policies that read the model's own policies block (a plugin's, model- or
    # workflow-level) see the model's block before and the candidate after: the impact is
    # exactly the difference between two real assessments.
    engine = aimo.Engine([_ReadsTheBlock()], entry_points=False)
    own = {"enforcement": {"quality-drift": "advisory"}}
    workflows = (STEADY, DRIFTING, UNREVIEWED)
    path = _model(tmp_path / "model", *workflows, decisions=DECISIONS, policies=own)
    proposed = _model(tmp_path / "proposed", *workflows, decisions=DECISIONS, policies=candidate)
    before = engine.assess(path, today=TODAY)
    after = engine.assess(proposed, today=TODAY)
    expected = {
        was.workflow_id: (was.decision.value, now.decision.value)
        for was, now in zip(
            [before.model_verdict, *before.verdicts],
            [after.model_verdict, *after.verdicts],
            strict=True,
        )
        if was.decision != now.decision
    }
    impact = aimo.impact(path, candidate, today=TODAY, engine=engine)
    assert _changes(impact) == expected
