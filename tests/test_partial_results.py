"""A messy inventory is judged workflow by workflow, not refused whole (spec 5.2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import DECISIONS, TODAY, aimo_cli, make


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


GOOD = make({"id": "good"})
BAD_DATE = make({"id": "bad-date", "production.went_live": "27/11/2026"})
BAD_CHOICE = {"id": "bad-choice", "stage": "in production", "consequence": "Medium-High"}


def test_each_workflow_is_judged_on_its_own(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, BAD_DATE, BAD_CHOICE])
    verdicts = aimo.evaluate_model(path, today=TODAY)
    assert [(v.workflow_id, v.decision.value) for v in verdicts] == [
        ("good", "allow"),
        ("bad-date", "deny"),
        ("bad-choice", "deny"),
    ]
    [finding] = verdicts[1].findings
    assert finding.policy_id == "document-valid"
    assert finding.outcome == "error"
    # The path points into the workflow; the location and problems into the file.
    assert finding.path == "/production/went_live"
    assert finding.location is not None
    assert finding.location.file == str(path)
    assert finding.location.line is not None
    [problem] = finding.observed
    assert problem["path"] == "/workflows/1/production/went_live"
    assert "2026-11-27 (year-month-day)" in problem["message"]
    assert len(verdicts[2].failures[0].observed) == 2


def test_workflow_files_are_judged_each_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "workflows" / "b.yaml").write_text("id: b\nstage: pilot\ncolour: blue\n")
    (tmp_path / "workflows" / "c.yaml").write_text("id: c\nstage: [unclosed\n")
    path = _model(tmp_path, [], workflow_files=["workflows/*"])
    verdicts = aimo.evaluate_model(path, today=TODAY)
    assert [(v.workflow_id, v.decision.value) for v in verdicts] == [
        ("good", "allow"),
        ("b", "deny"),
        ("#2", "deny"),
    ]
    assert "unknown field 'colour'" in verdicts[1].findings[0].message
    assert verdicts[1].findings[0].location.file.endswith("b.yaml")  # type: ignore[union-attr]
    assert "not valid YAML" in verdicts[2].findings[0].message


def test_a_duplicate_id_refuses_the_second_workflow_only(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, make({"id": "good", "name": "Again"})])
    first, second = aimo.evaluate_model(path, today=TODAY)
    assert first.decision == "allow"
    assert second.decision == "deny"
    assert "is used twice" in second.findings[0].message


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"data_classes": "public"}, "/data_classes"),
        ({"workflows": "none"}, "/workflows"),
        ({"colour": "blue"}, "unknown field 'colour'"),
        ({"workflow_files": ["missing/*.yaml"]}, "matches no file"),
        ({"workflow_files": ["../outside/*.yaml"]}, "outside the model's folder"),
    ],
)
def test_a_models_own_problems_still_raise(
    tmp_path: Path, fields: dict[str, Any], words: str
) -> None:
    path = _model(tmp_path / "repo", [GOOD], **fields)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate_model(path, today=TODAY)
    assert any(words in str(p) for p in caught.value.problems), caught.value.problems
    result = aimo_cli("check", path, "--today", "2026-11-27")
    assert result.returncode == 2


def test_a_model_given_as_data_is_judged_each_workflow_on_its_own() -> None:
    verdicts = aimo.evaluate_model({"aimo": 1, "workflows": [GOOD, BAD_CHOICE]}, today=TODAY)
    assert [v.decision.value for v in verdicts] == ["allow", "deny"]
    assert verdicts[1].findings[0].location is None


def test_load_stays_strict(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, BAD_DATE])
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path)
    assert caught.value.problems[0].path == "/workflows/1/production/went_live"


def test_refusals_reach_the_decision_log(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, BAD_CHOICE])
    log = aimo.DecisionLog(tmp_path / "decisions.jsonl")
    engine = aimo.Engine(plugins=[log], entry_points=False)
    engine.evaluate_model(path, today=TODAY)
    records = [json.loads(line) for line in log.path.read_text().splitlines()]
    # The model as a whole first (model verdicts flow through the hook too), then each
    # workflow, the refused one included.
    assert [(r["workflow_id"], r["decision"]) for r in records] == [
        ("Acme", "allow"),
        ("good", "allow"),
        ("bad-choice", "deny"),
    ]
    assert log.verify().ok


def test_the_command_judges_the_valid_and_denies_the_invalid(tmp_path: Path) -> None:
    path = _model(tmp_path, [GOOD, BAD_DATE])
    result = aimo_cli("check", path, "--today", "2026-11-27")
    assert result.returncode == 1, result.stderr
    assert "good" in result.stdout
    assert "document-valid" in result.stdout
    assert result.stderr == ""


def test_an_invalid_workflow_file_given_on_its_own_is_still_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD_DATE))
    assert aimo_cli("check", bad, "--today", "2026-11-27").returncode == 2
