"""`aimo report`: the operating-model review a governance meeting reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given

import aimo
from aimo import strategies
from aimo._cli.formats.markdown import render_markdown
from aimo._review.report import ModelReport, Report, build_report
from conftest import DECISIONS, DELETE, NORTHWIND, ROOT, TODAY, aimo_cli, make

ENGINE = aimo.Engine(entry_points=False)


def report_of(
    *documents: dict[str, Any], model: dict[str, Any] | None = None, horizon: int = 30
) -> Report:
    operating_model = aimo.OperatingModel.model_validate(
        {"organization": "Acme", **(model or {}), "workflows": list(documents)}
    )
    verdicts = ENGINE.evaluate_model(operating_model, today=TODAY)
    pairs = list(zip(operating_model.workflows, verdicts, strict=True))
    return build_report(
        [("model.yaml", operating_model, pairs)], engine=ENGINE, today=TODAY, horizon_days=horizon
    )


def section_of(*documents: dict[str, Any], **options: Any) -> ModelReport:
    [section] = report_of(*documents, **options).sections
    return section


def test_the_example_report_reads_like_a_review_and_exits_as_check_does() -> None:
    result = aimo_cli("report", NORTHWIND, "--today", "2026-11-27")
    # Two workflows are denied: the CLI's exit codes (spec 4.7) hold for the report too.
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith("# Northwind Marketing: AI operating model review, 2026-11-27\n")
    for question in ("Where is AI useful?", "Who owns the results?", "What data is allowed?"):
        assert question in out
    assert "7 workflows: 1 idea, 1 pilot, 4 production, 1 retired." in out
    assert "Decisions: 3 allow, 2 warn, 2 deny." in out
    assert (
        "| open-assistant-for-all | idea | Marcus Hale | - | none | 0 of 9, needs 6 | DENY |" in out
    )
    # What blocks, in the policies' own words, under the workflow and its owner.
    assert "- **launch-benchmark-claims** (owner: Hannah Berg)" in out
    assert "they need at least high" in out
    assert "| competitor-pricing-digest | 30 days | 2026-11-03 | 2026-12-03 | due soon |" in out
    assert "| escalation-path-present | 2026-12-08 |" in out
    assert "**expires soon**, 11 days left |" in out
    assert "- **competitor-pricing-digest**: The review of 2026-11-03 decided to tune it:" in out


def test_the_quickstart_excerpt_is_what_the_report_prints() -> None:
    quickstart = (ROOT / "docs" / "tutorial" / "quickstart.md").read_text()
    excerpt = quickstart.split("An excerpt of `review.md`:")[1].split("```markdown\n")[1]
    excerpt = excerpt.split("```")[0]
    assert excerpt in aimo_cli("report", NORTHWIND, "--today", "2026-11-27").stdout


def test_the_json_report_round_trips_and_agrees_with_check() -> None:
    result = aimo_cli("report", NORTHWIND, "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 1, result.stderr
    report = Report.model_validate_json(result.stdout)
    [section] = report.sections
    checked = json.loads(
        aimo_cli("check", NORTHWIND, "--today", "2026-11-27", "--format", "json").stdout
    )
    decisions = {v["workflow_id"]: v["decision"] for v in checked["results"][0]["verdicts"]}
    assert {w.id: w.decision.value for w in section.workflows} == decisions
    assert {d.value: n for d, n in section.decision_counts.items()} == checked["summary"]
    assert Report.model_validate_json(report.model_dump_json()) == report


def test_an_allowed_model_exits_0(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump({"aimo": 1, "workflows": [make()], "decisions": DECISIONS}))
    result = aimo_cli("report", model, "--today", "2026-11-27")
    assert result.returncode == 0, result.stderr
    # A model without an organization is still a model, with its four decisions.
    assert result.stdout.startswith("# AI operating model review, 2026-11-27\n")
    assert "Decision: allow." in result.stdout


def test_a_model_that_writes_down_no_decision_is_denied_as_a_whole(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump({"aimo": 1, "workflows": [make()]}))
    result = aimo_cli("report", model, "--today", "2026-11-27")
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("*Not written down.*") == 4
    assert "## The operating model as a whole\n\nDecision: DENY." in result.stdout
    assert result.stdout.count("- Blocks: The operating model does not write down") == 4


def test_decisions_not_written_down_are_named() -> None:
    report = report_of(make(), model={"decisions": {"who_owns_results": "Each team lead."}})
    assert report.sections[0].decisions == {
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


CALENDAR = [
    {**_review("2026-08-01", 90), "id": "overdue"},  # due 2026-10-30
    {**_review("2026-10-01", 60), "id": "soon"},  # due 2026-11-30
    {**_review("2026-08-29", 90), "id": "today"},  # due today: not overdue yet
    {**_review("2026-11-20", 90), "id": "later"},  # due 2027-02-18
    {**_review(None, 30, production=DELETE, stage="pilot"), "id": "never"},
    {**_review(None, None), "id": "no-cadence"},
    {**_review(None, None), "id": "an-idea", "stage": "idea"},
]


def test_the_review_calendar_says_what_falls_due() -> None:
    section = section_of(*CALENDAR)
    calendar = {r.workflow_id: (r.status.value, r.due) for r in section.reviews}
    assert calendar == {
        "overdue": ("overdue", dt.date(2026, 10, 30)),
        "soon": ("due_soon", dt.date(2026, 11, 30)),
        "today": ("due_soon", TODAY),
        "later": ("scheduled", dt.date(2027, 2, 18)),
        "never": ("no_anchor", None),
        "no-cadence": ("no_cadence", None),
    }
    text = render_markdown(report_of(*CALENDAR))
    rows = [line.split(" | ")[0][2:] for line in text.split("## Review calendar")[1].splitlines()]
    # Most urgent first.
    assert [r for r in rows if r in calendar] == [
        "overdue",
        "today",
        "soon",
        "no-cadence",
        "never",
        "later",
    ]
    assert "| never | 30 days | - | - | never reviewed, no go-live date |" in text


def test_a_horizon_of_zero_counts_only_what_is_due_today() -> None:
    section = section_of(*CALENDAR, horizon=0)
    statuses = {r.workflow_id: r.status.value for r in section.reviews}
    assert (statuses["today"], statuses["soon"]) == ("due_soon", "scheduled")


@given(strategies.workflows())
def test_the_calendar_agrees_with_review_current(workflow: aimo.Workflow) -> None:
    # The calendar and the policy read one anchor and one cadence: "overdue" in the report
    # is exactly a failing review-current in production.
    verdict = ENGINE.evaluate(workflow, today=TODAY)
    report = build_report([("m", None, [(workflow, verdict)])], engine=ENGINE, today=TODAY)
    [section] = report.sections
    failing = any(
        f.policy_id == "review-current" and f.outcome is aimo.Outcome.FAIL for f in verdict.findings
    )
    overdue = [r for r in section.reviews if r.status == "overdue"]
    if workflow.stage is aimo.Stage.PRODUCTION:
        assert bool(overdue) == failing
    elif workflow.stage is not aimo.Stage.PILOT:
        assert section.reviews == ()


def _waiver(policy: str, expires: str, **extra: Any) -> dict[str, Any]:
    return {
        "policy": policy,
        "reason": "Agency rota being set up",
        "approved_by": "Priya Natarajan",
        "expires": expires,
        **extra,
    }


WAIVERS = make(
    {
        "waivers": [
            _waiver("reviewer-named", "2026-12-05"),
            _waiver("output-standard-defined", "2027-03-01"),
            _waiver("data-boundary-allowed", "2026-12-20"),
            _waiver("escalation-path-present", "2026-11-01"),
        ]
    }
)


def test_waivers_are_listed_with_how_long_they_have_left() -> None:
    section = section_of(WAIVERS)
    assert {w.policy: w.status.value for w in section.waivers} == {
        "reviewer-named": "expiring",
        "output-standard-defined": "valid",
        "data-boundary-allowed": "invalid",
        "escalation-path-present": "invalid",
    }
    problems = {w.policy: w.problems for w in section.waivers}
    assert problems["escalation-path-present"] == ("The waiver expired on 2026-11-01.",)
    assert "hard-mandatory" in problems["data-boundary-allowed"][0]
    text = render_markdown(report_of(WAIVERS))
    assert "| **expires soon**, 8 days left |" in text
    assert "| 94 days left |" in text
    assert "| **invalid**: The waiver expired on 2026-11-01. |" in text
    # The horizon is the report's own look-ahead, for waivers as for reviews.
    later = section_of(WAIVERS, horizon=3)
    assert later.waivers[0].status == "valid"


def test_waiver_validity_is_the_engines_even_where_waiver_valid_is_disabled() -> None:
    model = {"policies": {"disable": ["waiver-valid", "waiver-expiring"]}}
    section = section_of(WAIVERS, model=model)
    assert [w.status.value for w in section.waivers] == ["expiring", "valid", "invalid", "invalid"]


def _history(*entries: dict[str, Any]) -> dict[str, Any]:
    return make({"review.history": list(entries)})


def test_reviews_that_decided_to_change_a_workflow_are_listed() -> None:
    documents = [
        {
            **_history(
                {"date": "2026-08-01", "outcome": "keep"},
                {"date": "2026-11-01", "outcome": "retire", "notes": "Superseded\n- by the CRM"},
            ),
            "id": "old",
        },
        {**_history({"date": "2026-11-01", "outcome": "strengthen_review"}), "id": "risky"},
        # Of two reviews on one day, the one listed last is the latest.
        {
            **_history(
                {"date": "2026-11-01", "outcome": "keep"},
                {"date": "2026-11-01", "outcome": "tune"},
            ),
            "id": "tie",
        },
        # A review that only measured does not undo what the one before it decided.
        {
            **_history(
                {"date": "2026-10-01", "outcome": "retire"}, {"date": "2026-11-01", "value": 95}
            ),
            "id": "measured",
        },
        {**_history({"date": "2026-11-01", "outcome": "keep"}), "id": "fine"},
        {**_history({"date": "2026-11-01", "outcome": "retire"}), "id": "gone", "stage": "retired"},
    ]
    section = section_of(*documents)
    assert [
        (c.workflow_id, c.recommendation and c.recommendation.value, c.review_date)
        for c in section.candidates
    ] == [
        ("old", "retire", dt.date(2026, 11, 1)),
        ("risky", "strengthen_review", dt.date(2026, 11, 1)),
        ("tie", "tune", dt.date(2026, 11, 1)),
        ("measured", "retire", dt.date(2026, 10, 1)),
    ]
    text = render_markdown(report_of(*documents))
    assert (
        "- **old**: The review of 2026-11-01 decided to retire it: Superseded - by the CRM." in text
    )


def test_document_text_cannot_change_the_page_around_it() -> None:
    document = make(
        {
            "owner.name": "Dana | *Lee*\r\n# Heading",
            "review.history": [
                {"date": "2026-11-01", "outcome": "tune", "notes": "First\n```\n- [x](y) <b>"}
            ],
        }
    )
    text = render_markdown(
        report_of(document, model={"organization": "Acme `Corp`\n\n## Injected"})
    )
    assert "\n## Injected" not in text
    assert text.startswith("# Acme \\`Corp\\` ## Injected: AI operating model review")
    assert "| Dana \\| \\*Lee\\* # Heading |" in text
    assert "tune it: First \\`\\`\\` - \\[x](y) \\<b>." in text
    assert "\n```" not in text
    assert "\n# Heading" not in text


def test_a_message_cannot_open_a_heading_inside_its_list_item() -> None:
    @aimo.policy(id="test-hash", title="Hash", applies_from="idea")
    def hashy(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
        yield aimo.Violation("# not a heading", path="/name", expected="x")

    class Plugin:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [hashy]

    engine = aimo.Engine(plugins=[Plugin()], entry_points=False)
    workflow = aimo.Workflow.model_validate(make())
    verdict = engine.evaluate(workflow, today=TODAY)
    report = build_report([("w", None, [(workflow, verdict)])], engine=engine, today=TODAY)
    assert "\n  - \\# not a heading\n" in render_markdown(report)


def test_loose_workflow_files_share_one_section(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({**make(), "id": f"flow-{name}"}))
    result = aimo_cli("report", tmp_path, "--today", "2026-11-27", "--format", "json")
    assert result.returncode == 0, result.stderr
    [section] = Report.model_validate_json(result.stdout).sections
    assert not section.is_model
    assert [w.id for w in section.workflows] == ["flow-a", "flow-b"]
    assert section.file.count(".yaml") == 2
    markdown = aimo_cli("report", tmp_path, "--today", "2026-11-27").stdout
    assert markdown.startswith("# Workflows outside an operating model: review of 2026-11-27")
    assert "## The four decisions" not in markdown


def test_a_model_without_workflows_says_so(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        yaml.safe_dump({"aimo": 1, "organization": "Empty | Co", "decisions": DECISIONS})
    )
    result = aimo_cli("report", model, "--today", "2026-11-27")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Empty | Co: AI operating model review")
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
