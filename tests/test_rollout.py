"""Rolling a policy out (spec 5.3): the shadow level, dated schedules, and shadow gates."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import aimo
from aimo._cli.main import main
from conftest import DECISIONS, DELETE, TODAY, findings_of, make

#: A workflow that fails one advisory policy (governance-proportional) and nothing else.
HEAVY = make({"review_tier": "heavy"})
#: A workflow that fails one mandatory policy (escalation-path-present).
NO_ESCALATION = make({"consequence": "medium", "review_tier": "standard", "escalation": DELETE})
ROLLOUT = [
    {"level": "shadow"},
    {"level": "advisory", "from": "2027-01-01"},
    {"level": "mandatory", "from": "2027-03-01"},
]


def _engine(enforcement: dict[str, Any], **kwargs: Any) -> aimo.Engine:
    return aimo.Engine(config={"enforcement": enforcement}, entry_points=False, **kwargs)


# -- shadow --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workflow", "policy_id"),
    [(HEAVY, "governance-proportional"), (NO_ESCALATION, "escalation-path-present")],
)
def test_a_policy_in_shadow_is_reported_and_never_changes_the_decision(
    workflow: dict[str, Any], policy_id: str
) -> None:
    verdict = _engine({policy_id: "shadow"}).evaluate(workflow, today=TODAY)
    found = findings_of(verdict, policy_id)
    assert {(f.outcome, f.enforcement) for f in found} == {
        (aimo.Outcome.FAIL, aimo.Enforcement.SHADOW)
    }
    assert verdict.failures == found
    assert verdict.decision is aimo.Decision.ALLOW  # not even warn


def test_shadow_is_a_level_packs_and_plugins_can_declare(tmp_path: Path) -> None:
    pack = tmp_path / "trial.yaml"
    pack.write_text(
        "pack: trial\nversion: '1'\npolicies:\n"
        "  - id: trial-named\n    title: Named\n    applies_from: idea\n"
        "    enforcement: shadow\n    require: {required: [x-nickname]}\n"
        "    message: The workflow has no nickname\n"
    )

    @aimo.policy(id="trial-plugin", title="Trial", enforcement="shadow", applies_from="idea")
    def trial(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
        yield aimo.Violation("/name", "Always fails, in shadow.")

    class Trial:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [trial]

    engine = aimo.Engine([aimo.load_pack(pack), Trial()], entry_points=False)
    verdict = engine.evaluate(make(), today=TODAY)
    assert {f.policy_id: f.enforcement.value for f in verdict.failures} == {
        "trial-named": "shadow",
        "trial-plugin": "shadow",
    }
    assert verdict.decision is aimo.Decision.ALLOW


@pytest.mark.parametrize("policy_id", ["owner-named", "data-boundary-allowed"])
def test_a_floor_keeps_shadow_away_now_and_at_every_step(policy_id: str) -> None:
    with pytest.raises(aimo.ConfigError, match="cannot be lowered below mandatory"):
        _engine({policy_id: "shadow"})
    with pytest.raises(aimo.ConfigError, match=rf"{policy_id}/0/level: .*found shadow"):
        _engine({policy_id: ROLLOUT})


def test_shadow_findings_are_marked_in_every_output(tmp_path: Path, capsys: Any) -> None:
    model = tmp_path / "model.json"
    model.write_text(
        json.dumps(
            {
                "aimo": 1,
                "workflows": [HEAVY],
                "decisions": DECISIONS,
                "policies": {"enforcement": {"governance-proportional": "shadow"}},
            }
        )
    )
    assert main(["check", str(model), "--today", "2026-11-27"]) == 0
    table = capsys.readouterr().out
    assert "[shadow: reported only]" in table
    assert "governance-proportional (shadow)" in table
    main(["check", str(model), "--today", "2026-11-27", "--format", "sarif"])
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["level"] == "note"
    main(["check", str(model), "--today", "2026-11-27", "--format", "json"])
    [verdict] = json.loads(capsys.readouterr().out)["results"][0]["verdicts"]
    assert verdict["findings"][0]["enforcement"] == "shadow"
    main(["report", str(model), "--today", "2026-11-27"])
    report = capsys.readouterr().out
    assert "## In shadow" in report
    assert "## Warnings" not in report


def test_the_decision_log_says_which_failures_were_in_shadow(tmp_path: Path) -> None:
    log = aimo.DecisionLog(tmp_path / "decisions.jsonl")
    engine = aimo.Engine(
        [log], config={"enforcement": {"governance-proportional": "shadow"}}, entry_points=False
    )
    engine.evaluate(HEAVY, today=TODAY)
    engine.evaluate(NO_ESCALATION, today=TODAY)
    first, second = (json.loads(line) for line in log.path.read_text().splitlines())
    assert first["decision"] == "allow"
    assert first["failures"] == [
        {
            "policy_id": "governance-proportional",
            "outcome": "fail",
            "path": "/review_tier",
            "shadow": True,
        }
    ]
    assert "shadow" not in second["failures"][0]
    assert log.verify().ok


# -- a gate in shadow ------------------------------------------------------------------------


def test_a_gate_in_shadow_checks_and_logs_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = aimo.DecisionLog(tmp_path / "decisions.jsonl")
    engine = aimo.Engine([log], entry_points=False)
    denied = make({"owner": DELETE})
    enforcing = aimo.Gate(denied, engine=engine, today=TODAY)
    with pytest.raises(aimo.PolicyViolation):
        enforcing.before_run()
    shadow = aimo.Gate(denied, engine=engine, today=TODAY, mode="shadow")
    with caplog.at_level(logging.WARNING, logger="aimo.gate"):
        verdict = shadow.before_publish("Weekly summary.")
    assert verdict.decision is aimo.Decision.ALLOW
    assert {f.enforcement for f in verdict.failures} == {aimo.Enforcement.SHADOW}
    assert "owner-named" in caplog.text
    records = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [r["decision"] for r in records] == ["deny", "allow"]
    assert all(f.get("shadow") for f in records[1]["failures"])


def test_a_governed_function_in_shadow_returns_what_it_made() -> None:
    @aimo.governed(make({"owner": DELETE}), today=TODAY, mode="shadow")
    def write() -> str:
        return "Weekly summary."

    assert write() == "Weekly summary."


def test_a_mode_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="mode is 'enforce' or 'shadow'"):
        aimo.Gate(make(), mode="audit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="mode is 'enforce' or 'shadow'"):
        aimo.evaluate(make(), mode="audit")  # type: ignore[arg-type]


# -- dated schedules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "level", "decision", "after"),
    [
        (dt.date(2026, 12, 31), "shadow", "allow", ("advisory", "2027-01-01")),
        (dt.date(2027, 1, 1), "advisory", "warn", ("mandatory", "2027-03-01")),
        (dt.date(2027, 1, 20), "advisory", "warn", ("mandatory", "2027-03-01")),
        (dt.date(2027, 3, 1), "mandatory", "deny", None),
    ],
)
def test_the_step_in_force_on_the_date_applies_and_names_the_next(
    today: dt.date, level: str, decision: str, after: tuple[str, str] | None
) -> None:
    engine = _engine({"escalation-path-present": ROLLOUT})
    verdict = engine.evaluate(NO_ESCALATION, today=today)
    assert verdict.decision.value == decision
    assert engine.enforcement("escalation-path-present", today=today).value == level
    dumped = [
        f for f in verdict.to_dict()["findings"] if f["policy_id"] == "escalation-path-present"
    ]
    assert dumped
    for finding in dumped:
        assert finding["enforcement"] == level
        expected = None if after is None else {"level": after[0], "from": after[1]}
        assert finding["next_enforcement"] == expected


def test_before_a_first_dated_step_the_policy_keeps_its_own_level() -> None:
    engine = _engine({"escalation-path-present": [{"level": "shadow", "from": "2027-01-01"}]})
    before = engine.evaluate(NO_ESCALATION, today=TODAY)
    assert before.decision is aimo.Decision.DENY  # mandatory, as without the schedule
    assert findings_of(before, "escalation-path-present")[0].next_enforcement == (
        aimo.NextEnforcement(level="shadow", from_=dt.date(2027, 1, 1))
    )
    assert engine.evaluate(NO_ESCALATION, today=dt.date(2027, 1, 1)).decision.value == "allow"


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (
            [
                {"level": "advisory", "from": "2027-03-01"},
                {"level": "mandatory", "from": "2027-01-01"},
            ],
            "step 2 starts on 2027-01-01, not after step 1's 2027-03-01",
        ),
        ([{"level": "shadow"}, {"level": "advisory"}], "step 2 has no 'from' date"),
        ([{"level": "strict"}], "'shadow', 'advisory', 'mandatory' or 'hard_mandatory'"),
        ([], "at least 1 item"),
        ([{"level": "advisory", "from": "1/3/2027"}], "2026-11-27 (year-month-day)"),
        ([{"level": "advisory", "since": "2027-01-01"}], "unknown field 'since'"),
    ],
)
def test_a_schedule_that_does_not_hold_together_is_refused_when_the_model_loads(
    tmp_path: Path, schedule: list[dict[str, Any]], words: str
) -> None:
    model = tmp_path / "model.json"
    model.write_text(
        json.dumps({"aimo": 1, "policies": {"enforcement": {"quality-drift": schedule}}})
    )
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(model)
    [problem] = caught.value.problems
    assert problem.path.startswith("/policies/enforcement/quality-drift")
    assert words in problem.message
    with pytest.raises(aimo.ConfigError, match="invalid policy configuration"):
        _engine({"quality-drift": schedule})


def test_a_schedule_below_a_floor_is_refused_when_the_model_loads(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        "aimo: 1\npolicies:\n  enforcement:\n    owner-named:\n"
        "      - {level: mandatory}\n      - {level: advisory, from: 2027-01-01}\n"
    )
    with pytest.raises(aimo.ConfigError, match="owner-named/1/level: owner-named cannot be"):
        aimo.load(model)


def test_policies_lists_the_schedule_and_the_level_on_the_date(tmp_path: Path, capsys: Any) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        "aimo: 1\npolicies:\n  enforcement:\n    quality-drift:\n"
        "      - {level: shadow}\n      - {level: mandatory, from: 2027-03-01}\n"
    )
    main(["policies", "--model", str(model), "--today", "2027-03-01", "--format", "json"])
    [row] = [r for r in json.loads(capsys.readouterr().out) if r["id"] == "quality-drift"]
    assert row["enforcement"] == "mandatory"
    assert row["schedule"] == [
        {"level": "shadow", "from": None},
        {"level": "mandatory", "from": "2027-03-01"},
    ]
    main(["policies", "--model", str(model), "--today", "2026-11-27"])
    out = capsys.readouterr().out
    assert "quality-drift  shadow, then mandatory from 2027-03-01" in out


def test_the_report_counts_what_each_step_to_come_would_change(tmp_path: Path, capsys: Any) -> None:
    model = tmp_path / "model.json"
    workflows = [HEAVY, {**NO_ESCALATION, "id": "no-escalation"}, {**make(), "id": "fine"}]
    model.write_text(
        json.dumps(
            {
                "aimo": 1,
                "workflows": workflows,
                "policies": {"enforcement": {"escalation-path-present": ROLLOUT}},
            }
        )
    )
    main(["report", str(model), "--today", "2026-11-27", "--format", "json"])
    [section] = json.loads(capsys.readouterr().out)["sections"]
    assert section["upcoming"] == [
        {
            "policy_id": "escalation-path-present",
            "level": "advisory",
            "from": "2027-01-01",
            "newly_warn": 1,
            "newly_deny": 0,
        },
        {
            "policy_id": "escalation-path-present",
            "level": "mandatory",
            "from": "2027-03-01",
            "newly_warn": 0,
            "newly_deny": 1,
        },
    ]
    main(["report", str(model), "--today", "2027-03-01"])
    assert "## Upcoming enforcement" not in capsys.readouterr().out


# -- properties ------------------------------------------------------------------------------

LEVELS = list(aimo.Enforcement)
days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2028, 12, 31))


@st.composite
def schedules(draw: st.DrawFn) -> list[dict[str, Any]]:
    dates = sorted(draw(st.sets(days, min_size=1, max_size=4)))
    undated_first = draw(st.booleans())
    steps = [{"level": draw(st.sampled_from(LEVELS)).value, "from": d.isoformat()} for d in dates]
    if undated_first:
        steps.insert(0, {"level": draw(st.sampled_from(LEVELS)).value})
    return steps


@given(schedules(), days)
def test_on_either_side_of_every_step_its_level_applies(
    schedule: list[dict[str, Any]], today: dt.date
) -> None:
    engine = _engine({"quality-drift": schedule})
    expected = aimo.Enforcement.ADVISORY  # quality-drift's own level, before any dated step
    for step in schedule:
        if "from" not in step or dt.date.fromisoformat(step["from"]) <= today:
            expected = aimo.Enforcement(step["level"])
    assert engine.enforcement("quality-drift", today=today) is expected
    for step in schedule:
        if "from" in step:
            start = dt.date.fromisoformat(step["from"])
            assert engine.enforcement("quality-drift", today=start).value == step["level"]


@given(schedules(), days, st.sampled_from(["owner-named", "data-boundary-allowed"]))
def test_no_schedule_ever_crosses_a_floor(
    schedule: list[dict[str, Any]], today: dt.date, policy_id: str
) -> None:
    try:
        engine = _engine({policy_id: schedule})
    except aimo.ConfigError:
        assert any(aimo.Enforcement(s["level"]).rank < 2 for s in schedule)
        return
    assert engine.enforcement(policy_id, today=today).rank >= aimo.Enforcement.MANDATORY.rank


@pytest.mark.parametrize("floor", [e.value for e in aimo.Enforcement])
@pytest.mark.parametrize("level", [e.value for e in aimo.Enforcement])
def test_a_policy_never_runs_below_its_own_floor(level: str, floor: str) -> None:
    # The floor holds before any configuration: a plugin whose policy's own level is below
    # its floor would run there with no configuration at all, on every date.
    def define() -> aimo.Policy:
        return aimo.policy(id="acme-floored", title="Floored", enforcement=level, floor=floor)(  # type: ignore[arg-type]
            lambda workflow, ctx: [aimo.Violation("Always fails.", path="/id")]
        )

    if aimo.Enforcement(level).rank < aimo.Enforcement(floor).rank:
        with pytest.raises(aimo.PolicyError, match="below its floor"):
            define()
        return
    floored = define()

    class Plugin:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [floored]

    engine = aimo.Engine([Plugin()], entry_points=False)
    for day in (dt.date(1, 1, 1), TODAY, dt.date(9999, 12, 31)):
        assert engine.enforcement("acme-floored", today=day).rank >= aimo.Enforcement(floor).rank
        [finding] = findings_of(engine.evaluate(make(), today=day), "acme-floored")
        assert finding.enforcement.rank >= aimo.Enforcement(floor).rank
