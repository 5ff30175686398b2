"""`aimo report`: the operating-model review a governance meeting reads."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given

import aimo
from aimo import strategies
from aimo._report import Report, build_report, render_markdown
from conftest import DELETE, TODAY, make

ROOT = Path(__file__).resolve().parent.parent
NORTHWIND = ROOT / "examples" / "northwind" / "operating-model.yaml"
ENGINE = aimo.Engine(entry_points=False)


def aimo_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aimo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )


def report_of(
    *documents: dict[str, Any], model: dict[str, Any] | None = None, horizon: int = 30
) -> Report:
    operating_model = aimo.OperatingModel.model_validate(
        {"organization": "Acme", **(model or {}), "workflows": list(documents)}
    )
    verdicts = ENGINE.evaluate_model(operating_model, today=TODAY)
    pairs = list(zip(operating_model.workflows, verdicts, strict=True))
    return build_report([("model.yaml", operating_model, pairs)], today=TODAY, horizon_days=horizon)


def test_the_example_report_reads_like_a_review_and_exits_0() -> None:
    result = aimo_cli("report", NORTHWIND, "--today", "2026-11-27")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("# Northwind Marketing: AI operating model review, 2026-11-27\n")
    for question in ("Where is AI useful?", "Who owns the results?", "What data is allowed?"):
        assert question in out
    assert "7 workflows: 1 idea, 1 pilot, 4 production, 1 retired." in out
    assert "Decisions: 3 allow, 2 warn, 2 deny." in out
    # What blocks, in the policies' own words, under the workflow and its owner.
    assert "- **launch-benchmark-claims** (owner: Hannah Berg)" in out
    assert "they need at least high" in out
    assert "| competitor-pricing-digest | 30 days | 2026-11-03 | 2026-12-03 | due soon |" in out
    assert "| partner-newsletter | escalation-path-present | 2026-12-08 |" in out
    assert "- **competitor-pricing-digest**: tune. The review of 2026-11-03 decided" in out


def test_the_quickstart_excerpt_is_what_the_report_prints() -> None:
    quickstart = (ROOT / "docs" / "tutorial" / "quickstart.md").read_text()
    excerpt = quickstart.split("An excerpt of `review.md`:")[1].split("```markdown\n")[1]
    excerpt = excerpt.split("```")[0]
    out = aimo_cli("report", NORTHWIND, "--today", "2026-11-27").stdout
    assert excerpt in out


def test_the_json_report_round_trips_and_agrees_with_check() -> None:
    result = aimo_cli("report", NORTHWIND, "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = Report.model_validate_json(result.stdout)
    [section] = report.models
    checked = json.loads(
        aimo_cli("check", NORTHWIND, "--today", "2026-11-27", "--format", "json").stdout
    )
    decisions = {v["workflow_id"]: v["decision"] for v in checked["results"][0]["verdicts"]}
    assert {w.id: w.decision.value for w in section.workflows} == decisions
    assert section.verdicts == checked["summary"]
    assert Report.model_validate_json(report.model_dump_json()) == report


def test_decisions_not_written_down_are_named() -> None:
    report = report_of(make(), model={"decisions": {"who_owns_results": "Each team lead."}})
    [section] = report.models
    assert section.decisions == {
        "where_ai_is_useful": None,
        "who_owns_results": "Each team lead.",
        "what_data_is_allowed": None,
        "how_output_ships": None,
    }
    text = render_markdown(report)
    assert "- **Who owns the results?** Each team lead." in text
    assert text.count("*Not written down.*") == 3


def _review(last: str | None, cadence: int | None, **changes: Any) -> dict[str, Any]:
    review: dict[str, Any] = {}
    if cadence is not None:
        review["cadence_days"] = cadence
    if last is not None:
        review["last_reviewed"] = last
    return make({"review": review or DELETE, **changes})


def test_the_review_calendar_says_what_falls_due() -> None:
    documents = [
        {**_review("2026-08-01", 90), "id": "overdue"},  # due 2026-10-30
        {**_review("2026-10-01", 60), "id": "soon"},  # due 2026-11-30
        {**_review("2026-08-29", 90), "id": "today"},  # due today: not overdue yet
        {**_review("2026-11-20", 90), "id": "later"},  # due 2027-02-18
        {**_review(None, 30, production=DELETE, stage="pilot"), "id": "never"},
        {**_review(None, None), "id": "no-cadence"},
        {**_review(None, None), "id": "an-idea", "stage": "idea"},
    ]
    [section] = report_of(*documents).models
    calendar = {r.workflow_id: (r.status, r.due) for r in section.reviews}
    assert calendar == {
        "overdue": ("overdue", dt.date(2026, 10, 30)),
        "soon": ("due_soon", dt.date(2026, 11, 30)),
        "today": ("due_soon", TODAY),
        "later": ("scheduled", dt.date(2027, 2, 18)),
        "never": ("never_reviewed", None),
        "no-cadence": ("no_cadence", None),
    }
    # Most urgent first.
    text = render_markdown(report_of(*documents))
    rows = [line.split(" | ")[0][2:] for line in text.splitlines() if line.startswith("| ")]
    calendar_rows = [r for r in rows if r in calendar]
    assert calendar_rows[-6:] == ["overdue", "today", "soon", "no-cadence", "never", "later"]


def test_a_horizon_of_zero_leaves_nothing_due_soon() -> None:
    [section] = report_of({**_review("2026-10-01", 60), "id": "soon"}, horizon=0).models
    assert [r.status for r in section.reviews] == ["scheduled"]


@given(strategies.workflows())
def test_the_calendar_agrees_with_review_current(workflow: aimo.Workflow) -> None:
    # The calendar and the policy read one anchor and one cadence: "overdue" in the report
    # is exactly a failing review-current in production.
    verdict = ENGINE.evaluate(workflow, today=TODAY)
    report = build_report([("m", None, [(workflow, verdict)])], today=TODAY)
    [section] = report.models
    failing = any(
        f.policy_id == "review-current" and f.outcome is aimo.Outcome.FAIL for f in verdict.findings
    )
    overdue = [r for r in section.reviews if r.status == "overdue"]
    if workflow.stage is aimo.Stage.PRODUCTION:
        assert bool(overdue) == failing
    elif workflow.stage is not aimo.Stage.PILOT:
        assert section.reviews == []


def _waiver(policy: str, expires: str, **extra: Any) -> dict[str, Any]:
    return {
        "policy": policy,
        "reason": "Agency rota being set up",
        "approved_by": "Priya Natarajan",
        "expires": expires,
        **extra,
    }


def test_waivers_are_listed_with_how_long_they_have_left() -> None:
    document = make(
        {
            "waivers": [
                _waiver("reviewer-named", "2026-12-05"),
                _waiver("output-standard-defined", "2027-03-01"),
                _waiver("data-boundary-allowed", "2026-12-20"),
                _waiver("escalation-path-present", "2026-11-01"),
            ]
        }
    )
    [section] = report_of(document).models
    statuses = {w.policy: w.status for w in section.waivers}
    assert statuses == {
        "reviewer-named": "expiring",
        "output-standard-defined": "valid",
        "data-boundary-allowed": "invalid",
        "escalation-path-present": "invalid",
    }
    problems = {w.policy: w.problems for w in section.waivers}
    assert problems["escalation-path-present"] == ["The waiver expired on 2026-11-01."]
    assert "hard-mandatory" in problems["data-boundary-allowed"][0]


def test_reviews_that_decided_to_change_a_workflow_are_listed() -> None:
    def history(outcome: str, notes: str | None = None) -> dict[str, Any]:
        latest = {"date": "2026-11-01", "outcome": outcome}
        if notes:
            latest["notes"] = notes
        return {"review.history": [{"date": "2026-08-01", "outcome": "keep"}, latest]}

    documents = [
        {**make(history("retire", "Superseded by the CRM's own summaries")), "id": "old"},
        {**make(history("strengthen_review")), "id": "risky"},
        {**make(history("keep")), "id": "fine"},
        {**make(history("retire")), "id": "gone", "stage": "retired"},
    ]
    [section] = report_of(*documents).models
    assert [(c.workflow_id, c.recommendation.value, c.reason) for c in section.candidates] == [
        (
            "old",
            "retire",
            "The review of 2026-11-01 decided to retire it: Superseded by the CRM's own summaries.",
        ),
        (
            "risky",
            "strengthen_review",
            "The review of 2026-11-01 decided to strengthen its review.",
        ),
    ]


def test_loose_workflow_files_share_one_section(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**make(), "id": f"flow-{name}"}))
    result = aimo_cli("report", tmp_path, "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 0, result.stderr
    [section] = Report.model_validate_json(result.stdout).models
    assert section.decisions is None
    assert [w.id for w in section.workflows] == ["flow-a", "flow-b"]
    assert section.file.count(".yaml") == 2
    markdown = aimo_cli("report", tmp_path, "--today", "2026-11-27").stdout
    assert markdown.startswith("# Workflows outside an operating model: AI operating model")


def test_a_model_without_workflows_says_so(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text("aimo: 1\norganization: Empty | Co\n")
    result = aimo_cli("report", model, "--today", "2026-11-27")
    assert result.returncode == 0, result.stderr
    # A pipe in a name must not break the Markdown around it.
    assert result.stdout.startswith("# Empty \\| Co: AI operating model review")
    assert "No workflows yet." in result.stdout


def test_bad_input_is_reported_and_the_rest_still_reviewed(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nreview_tier: heavy\nreview_tier: light\n")
    result = aimo_cli("report", NORTHWIND, broken, "--today", "2026-11-27")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "broken.yaml" in result.stderr
    assert "review_tier" in result.stderr
    assert "# Northwind Marketing" in result.stdout

    for bad in (["--horizon", "-1"], ["--horizon", "soon"], ["--today", "tomorrow"]):
        result = aimo_cli("report", NORTHWIND, *bad)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "aimo report: error:" in result.stderr
