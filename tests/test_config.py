"""Configuration: extra packs, disabled policies and packs, enforcement, and the floor."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import aimo
from conftest import DELETE, TODAY, findings_of, make

PACK = """\
pack: brand
version: "2.1"
policies:
  - id: brand-named-workflow
    title: Workflows have a name
    applies_from: idea
    require: {required: [name]}
    message: The workflow has no name
"""


def _ids(verdict: aimo.Verdict) -> set[str]:
    return {f.policy_id for f in verdict.findings}


def test_disable_a_policy_or_a_pack() -> None:
    engine = aimo.Engine(
        config={"disable": ["governance-proportional", "marketing"]}, entry_points=False
    )
    verdict = engine.evaluate(make({"review_tier": "heavy"}), today=TODAY)
    assert "governance-proportional" not in _ids(verdict)
    assert "claims-substantiated" not in _ids(verdict)
    assert verdict.decision is aimo.Decision.ALLOW
    assert "governance-proportional" not in [r.id for r in verdict.policy_set]


def test_raise_and_lower_enforcement() -> None:
    engine = aimo.Engine(
        config={
            "enforcement": {
                "governance-proportional": "mandatory",
                "escalation-path-present": "advisory",
            }
        },
        entry_points=False,
    )
    assert engine.enforcement("governance-proportional") is aimo.Enforcement.MANDATORY
    verdict = engine.evaluate(make({"review_tier": "heavy"}), today=TODAY)
    [finding] = findings_of(verdict, "governance-proportional")
    assert finding.enforcement is aimo.Enforcement.MANDATORY
    assert verdict.decision is aimo.Decision.DENY
    gap = make({"consequence": "medium", "review_tier": "standard", "escalation": DELETE})
    assert engine.evaluate(gap, today=TODAY).decision is aimo.Decision.WARN


@pytest.mark.parametrize("policy_id", ["owner-named", "data-boundary-allowed"])
@pytest.mark.parametrize("level", ["advisory"])
def test_the_floor_cannot_be_lowered(policy_id: str, level: str) -> None:
    with pytest.raises(aimo.ConfigError, match=f"{policy_id} cannot be lowered"):
        aimo.Engine(config={"enforcement": {policy_id: level}}, entry_points=False)
    # Lowering from hard_mandatory to mandatory is allowed: the floor is mandatory.
    engine = aimo.Engine(config={"enforcement": {policy_id: "mandatory"}}, entry_points=False)
    assert engine.enforcement(policy_id) is aimo.Enforcement.MANDATORY


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"disable": ["no-such-thing"]}, "neither a known policy nor a known pack"),
        ({"enforcement": {"no-such-policy": "advisory"}}, "not a known policy"),
        ({"enforcement": {"owner-named": "sometimes"}}, "invalid policy configuration"),
        ({"paths": ["missing-folder"]}, "does not exist"),
        ({"disabel": ["x"]}, "unknown field 'disabel'"),
    ],
)
def test_bad_configuration_raises_config_error(config: dict[str, object], message: str) -> None:
    with pytest.raises(aimo.ConfigError, match=message):
        aimo.Engine(config=config, entry_points=False)


def test_a_config_error_says_where_in_fields_as_well_as_words(tmp_path: Path) -> None:
    with pytest.raises(aimo.ConfigError) as raised:
        aimo.Engine(config={"disable": ["owner-named"]}, entry_points=False)
    error = raised.value
    assert (error.path, error.file) == ("/policies/disable/0", None)
    assert str(error) == f"/policies/disable/0: {error.message}"
    model = tmp_path / "model.yaml"
    model.write_text("aimo: 1\npolicies: {paths: [nope.yaml]}\n")
    with pytest.raises(aimo.ConfigError) as raised:
        aimo.load(model)
    error = raised.value
    assert (error.path, error.file) == ("/policies/paths/0", str(model))
    assert error.message.startswith("'nope.yaml' does not exist")
    assert str(error) == f"{model}: /policies/paths/0: {error.message}"
    # The fields survive a worker process's pickling, as the message does.
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.message, again.path, again.file, str(again)) == (
        aimo.ConfigError,
        error.message,
        error.path,
        error.file,
        str(error),
    )


def test_a_waiver_of_a_disabled_policy_is_still_valid() -> None:
    engine = aimo.Engine(config={"disable": ["escalation-path-present"]}, entry_points=False)
    waiver = {
        "policy": "escalation-path-present",
        "reason": "r",
        "approved_by": "a",
        "expires": "2026-12-31",
    }
    verdict = engine.evaluate(make({"waivers": [waiver]}), today=TODAY)
    assert findings_of(verdict, "waiver-valid")[0].outcome is aimo.Outcome.PASS


def _model(tmp_path: Path, policies: str) -> Path:
    (tmp_path / "packs").mkdir(exist_ok=True)
    (tmp_path / "packs" / "brand.yaml").write_text(PACK)
    (tmp_path / "flows").mkdir(exist_ok=True)
    (tmp_path / "flows" / "a.yaml").write_text("id: nameless\n")
    path = tmp_path / "model.yaml"
    path.write_text(f"aimo: 1\nworkflow_files: [flows/*.yaml]\npolicies:\n{policies}")
    return path


def test_a_model_configuration_applies_with_paths_relative_to_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _model(tmp_path, "  paths: [packs]\n  disable: [use-case-qualifies]\n")
    monkeypatch.chdir(Path(__file__).parent)
    [verdict] = aimo.evaluate_model(path, today=TODAY)
    assert "use-case-qualifies" not in _ids(verdict)
    [finding] = findings_of(verdict, "brand-named-workflow")
    assert finding.outcome is aimo.Outcome.FAIL
    ref = next(r for r in verdict.policy_set if r.id == "brand-named-workflow")
    assert (ref.source, ref.version) == ("brand", "2.1")
    model = aimo.load(path)
    assert isinstance(model, aimo.OperatingModel)
    via_evaluate = aimo.evaluate(model.workflows[0], model=model, today=TODAY)
    assert _ids(via_evaluate) == _ids(verdict)
    # The default engine itself is unchanged.
    assert "use-case-qualifies" in _ids(aimo.evaluate({"id": "x"}, today=TODAY))


def test_a_model_configuration_is_checked_at_load(tmp_path: Path) -> None:
    with pytest.raises(aimo.ConfigError, match="owner-named cannot be lowered"):
        aimo.load(_model(tmp_path, "  enforcement: {owner-named: advisory}\n"))
    with pytest.raises(aimo.ConfigError, match="'nope' does not exist"):
        aimo.load(_model(tmp_path, "  paths: [nope]\n"))
    path = _model(tmp_path, "  disable: [not-a-policy]\n")
    aimo.load(path)  # which ids exist is the engine's to say
    with pytest.raises(aimo.ConfigError, match="not-a-policy"):
        aimo.evaluate_model(path, today=TODAY)


def test_configured_engines_are_built_once_per_configuration() -> None:
    engine = aimo.Engine(entry_points=False)
    config = aimo.PolicyConfig(disable=["quality-drift"])
    assert engine.configured(config) is engine.configured(config)
    assert engine.configured(None) is engine


@pytest.mark.parametrize("policy_id", ["owner-named", "data-boundary-allowed"])
def test_a_floor_policy_cannot_be_disabled(policy_id: str) -> None:
    with pytest.raises(aimo.ConfigError, match=f"{policy_id} cannot be disabled"):
        aimo.Engine(config={"disable": [policy_id]}, entry_points=False)


def test_configured_takes_what_the_constructor_takes(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(PACK)
    engine = aimo.Engine(entry_points=False)
    configured = engine.configured({"paths": ["brand.yaml"]}, str(tmp_path))
    assert "brand-named-workflow" in [p.id for p in configured.policies]
