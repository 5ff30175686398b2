"""Impact analysis: what a candidate policy configuration, or a pack added, would change in
a model's decisions, known before the change is merged (spec 5.3)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import DELETE, TODAY, make

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
    assert change.newly_allowed and not change.newly_denies
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
    with pytest.raises(aimo.PolicyError, match="broken.yaml"):
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
    assert change["before"] == "warn" and change["after"] == "deny"
    assert change["appeared"][0]["location"]["file"] == str(model)
