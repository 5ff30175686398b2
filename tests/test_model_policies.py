"""Judging the operating model as a whole (spec 5.3): model-level policies, ``aimo.assess``,
the model's own verdict first in every output, and ``decisions-recorded``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._cli.main import main
from conftest import DECISIONS, TODAY, make

ENGINE = aimo.Engine(entry_points=False)


def _model(**fields: Any) -> dict[str, Any]:
    return {"aimo": 1, "organization": "Acme", "workflows": [make()], **fields}


# -- decisions-recorded --------------------------------------------------------------------


def test_a_model_with_its_four_decisions_passes() -> None:
    assessment = ENGINE.assess(_model(decisions=DECISIONS), today=TODAY)
    verdict = assessment.model_verdict
    assert verdict.decision is aimo.Decision.ALLOW
    [finding] = [f for f in verdict.findings if f.policy_id == "decisions-recorded"]
    assert finding.outcome is aimo.Outcome.PASS


@pytest.mark.parametrize(
    ("decisions", "missing"),
    [
        (None, list(DECISIONS)),
        ({}, list(DECISIONS)),
        ({**DECISIONS, "who_owns_results": "   "}, ["who_owns_results"]),
        ({k: v for k, v in DECISIONS.items() if k != "how_output_ships"}, ["how_output_ships"]),
    ],
)
def test_each_decision_not_written_down_is_one_finding(
    decisions: dict[str, str] | None, missing: list[str]
) -> None:
    fields = {} if decisions is None else {"decisions": decisions}
    verdict = ENGINE.assess(_model(**fields), today=TODAY).model_verdict
    failures = [f for f in verdict.failures if f.policy_id == "decisions-recorded"]
    assert [f.path for f in failures] == [f"/decisions/{name}" for name in missing]
    assert all(f.enforcement is aimo.Enforcement.MANDATORY for f in failures)
    assert all(f.seed_section == "Practical Next Steps" for f in failures)
    assert verdict.decision is aimo.Decision.DENY
    assert verdict.workflow_id == "Acme"


# -- assess, evaluate_model and the hooks --------------------------------------------------


def test_assess_gives_the_model_verdict_and_every_workflow_verdict(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"aimo": 1, "workflows": [make(), {"id": "Bad Id"}]}))
    assessment = aimo.assess(model, today=TODAY)
    assert assessment.model_verdict.workflow_id == str(model)  # no organisation: the file
    assert [v.decision.value for v in assessment.verdicts] == ["allow", "deny"]
    assert not assessment.allowed
    # evaluate_model keeps its shape: the workflows' verdicts only, in the model's order.
    assert [v.workflow_id for v in aimo.evaluate_model(model, today=TODAY)] == [
        "weekly-channel-summary",
        "Bad Id",  # refused: the id the row gives, invalid as it is
    ]
    assert json.loads(json.dumps(assessment.to_dict()))["model_verdict"]["decision"] == "deny"


def test_the_model_verdict_reaches_the_decision_log(tmp_path: Path) -> None:
    log = aimo.DecisionLog(tmp_path / "decisions.jsonl")
    engine = aimo.Engine([log], entry_points=False)
    engine.evaluate_model(_model(), today=TODAY)
    first, second = (json.loads(line) for line in log.path.read_text().splitlines())
    assert (first["workflow_id"], first["decision"]) == ("Acme", "deny")
    assert {f["policy_id"] for f in first["failures"]} == {"decisions-recorded"}
    assert "stage" not in first
    assert second["workflow_id"] == "weekly-channel-summary"
    assert log.verify().ok


def test_the_model_digest_is_of_the_model_without_its_workflows() -> None:
    one = ENGINE.assess(_model(decisions=DECISIONS), today=TODAY).model_verdict
    other = ENGINE.assess(
        {**_model(decisions=DECISIONS), "workflows": [make({"id": "another"})]}, today=TODAY
    ).model_verdict
    assert one.digest == other.digest
    changed = ENGINE.assess(
        _model(decisions={**DECISIONS, "how_output_ships": "By hand."}), today=TODAY
    ).model_verdict
    assert changed.digest != one.digest


# -- model-level policies from plugins and packs --------------------------------------------


@aimo.policy(
    id="acme-register-owner",
    title="The register names its owner",
    scope="model",
    enforcement="advisory",
)
def register_owner(model: aimo.OperatingModel, ctx: aimo.Context) -> Any:
    assert model.workflows == ()  # the model's own fields; workflows have their own verdicts
    if not (model.model_extra or {}).get("x-register-owner"):
        yield aimo.Violation("Nobody owns the register.", path="/x-register-owner")


class _Plugin:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [register_owner]


def test_a_plugin_can_judge_the_model_as_a_whole(tmp_path: Path) -> None:
    engine = aimo.Engine([_Plugin()], entry_points=False)
    model = tmp_path / "model.yaml"
    model.write_text(
        "aimo: 1\norganization: Acme\ndecisions:\n"
        + "".join(f"  {k}: {v}\n" for k, v in DECISIONS.items())
        + "workflows: []\n"
    )
    verdict = engine.assess(model, today=TODAY).model_verdict
    [finding] = verdict.failures
    assert (finding.policy_id, verdict.decision.value) == ("acme-register-owner", "warn")
    assert finding.location is not None
    assert finding.location.file == str(model)
    # A workflow evaluated on its own has no model verdict: model-level policies do not run.
    assert "acme-register-owner" not in {
        f.policy_id for f in engine.evaluate(make(), today=TODAY).findings
    }


def test_a_scope_that_does_not_exist_is_refused() -> None:
    with pytest.raises(aimo.PolicyError, match="scope is 'workflow' or 'model'"):
        aimo.policy(id="x-y", title="X", scope="team")(register_owner.check)  # type: ignore[typeddict-item]


def _pack(tmp_path: Path, rule: str) -> aimo.Pack:
    path = tmp_path / "governance.yaml"
    path.write_text(f"pack: governance\nversion: '1'\npolicies:\n{rule}")
    return aimo.load_pack(path)


def test_a_pack_rule_can_judge_the_model(tmp_path: Path) -> None:
    pack = _pack(
        tmp_path,
        "  - id: gov-literacy\n    title: Training recorded\n    scope: model\n"
        "    when: {required: [organization]}\n"
        "    require: {required: [x-ai-literacy]}\n    message: No training recorded\n",
    )
    engine = aimo.Engine([pack], entry_points=False)
    verdict = engine.assess(_model(decisions=DECISIONS), today=TODAY).model_verdict
    [finding] = [f for f in verdict.findings if f.policy_id == "gov-literacy"]
    assert (finding.outcome.value, finding.path) == ("fail", "/x-ai-literacy")
    anonymous = {k: v for k, v in _model(decisions=DECISIONS).items() if k != "organization"}
    verdict = engine.assess(anonymous, today=TODAY).model_verdict
    [finding] = [f for f in verdict.findings if f.policy_id == "gov-literacy"]
    assert finding.outcome is aimo.Outcome.NOT_APPLICABLE
    assert "operating model" in finding.message


def test_a_model_rule_is_checked_against_the_models_fields(tmp_path: Path) -> None:
    with pytest.raises(aimo.PolicyError, match="did you mean 'organization'"):
        _pack(
            tmp_path,
            "  - id: gov-named\n    title: Named\n    scope: model\n"
            "    require: {required: [organisation]}\n    message: Not named\n",
        )


# -- the model verdict in every output ------------------------------------------------------


def test_every_output_shows_the_model_verdict_first(tmp_path: Path, capsys: Any) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps(_model()))
    args = [str(model), "--today", "2026-11-27"]
    assert main(["check", *args]) == 1  # the model is denied, though its workflow is not
    table = capsys.readouterr().out
    assert table.index("The operating model as a whole: deny") < table.index("WORKFLOW")
    assert "1 operating model: 0 allow, 0 warn, 1 deny" in table
    main(["check", *args, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["results"][0]["model_verdict"]["decision"] == "deny"
    assert document["model_summary"] == {"allow": 0, "warn": 0, "deny": 1}
    main(["check", *args, "--format", "jsonl"])
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (first["scope"], first["workflow_id"]) == ("model", "Acme")
    main(["check", *args, "--format", "sarif"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["decisions-recorded"] * 4
    main(["report", *args, "--format", "json"])
    [section] = json.loads(capsys.readouterr().out)["sections"]
    assert section["model_verdict"]["decision"] == "deny"
    assert len(section["model_verdict"]["blocking"]) == 4


def test_workflow_files_checked_on_their_own_have_no_model_verdict(
    tmp_path: Path, capsys: Any
) -> None:
    workflow = tmp_path / "w.json"
    workflow.write_text(json.dumps(make()))
    assert main(["check", str(workflow), "--today", "2026-11-27", "--format", "json"]) == 0
    [result] = json.loads(capsys.readouterr().out)["results"]
    assert "model_verdict" not in result
