"""`aimo report --format html`: one self-contained page for the governance meeting (spec 5.5)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from aimo._cli.formats.html import render_html
from aimo._cli.formats.html_view import (
    DETAILED_WORKFLOWS,
    REGISTER_PART,
    SHOWN_ROWS,
    SMALL_SECTION,
)
from aimo._documents.models import Stage
from aimo._engine.verdict import Decision, Enforcement
from aimo._review.report import (
    ModelReport,
    ModelVerdictRow,
    Report,
    ReviewRow,
    ReviewStatus,
    WaiverRow,
    WaiverStatus,
    WorkflowRow,
)
from aimo._review.rollup import RollupRow
from conftest import DECISIONS, DELETE, NORTHWIND, ROOT, TODAY, aimo_cli, make
from htmlpage import ELEMENTS, Page

EXAMPLE = ROOT / "examples" / "northwind" / "review.html"


def northwind_page(tmp_path: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    out = tmp_path / "review.html"
    result = aimo_cli(
        "report", NORTHWIND, "--today", "2026-11-27", "--format", "html", "--output", out
    )
    return out.read_text(encoding="utf-8"), result


def page_of(report: Report) -> str:
    return "".join(render_html(report))


def test_the_northwind_page_shows_what_the_meeting_reads(tmp_path: Path) -> None:
    html, result = northwind_page(tmp_path)
    # As for the Markdown: two workflows are denied, so a scheduled report is noticed.
    assert result.returncode == 1, result.stderr
    assert result.stdout == result.stderr == ""
    page = Page.of(html)
    text = page.text
    assert text.startswith("Northwind Marketing: AI operating model review, 2026-11-27")
    for question in (
        "Where is AI useful?",
        "Who owns the results?",
        "What data is allowed?",
        "How does output ship?",
    ):
        assert question in text
    assert "Not written down" not in text
    for count in ("7 workflows", "2 denied", "2 warned", "3 allowed", "1 waiver expiring"):
        assert count in text
    assert page.table("Decisions by stage").rows == [
        ["idea", "1", "0", "0", "1"],
        ["pilot", "1", "0", "0", "1"],
        ["production", "4", "2", "2", "0"],
        ["retired", "1", "1", "0", "0"],
    ]
    assert page.table("Failing policies").rows == [
        ["consequence-matches-exposure", "mandatory", "blocks", "1", "14%"],
        ["use-case-qualifies", "mandatory", "blocks", "1", "14%"],
        ["quality-drift", "advisory", "does not block", "1", "14%"],
        ["waiver-expiring", "advisory", "does not block", "1", "14%"],
    ]
    tiers = page.table("Review tier against")
    assert tiers.header == ["Consequence", "Requires", "Light", "Standard", "Heavy", "No tier set"]
    assert tiers.rows[:2] == [
        ["low", "light", "2", "0", "0", "0"],
        ["medium", "standard", "0", "4", "0", "0"],
    ]
    assert page.table("Reviews overdue or due").rows == [
        [
            "competitor-pricing-digest",
            "production",
            "30 days",
            "2026-11-03",
            "2026-12-03",
            "due soon",
        ]
    ]
    assert page.table("Waivers").rows == [
        [
            "partner-newsletter",
            "escalation-path-present",
            "2026-12-08",
            "11 days",
            "Grace Whitfield (VP Marketing)",
            "expires soon",
        ]
    ]
    [candidate] = page.table("Workflows their latest review").rows
    assert candidate[:3] == ["competitor-pricing-digest", "tune it", "2026-11-03"]
    # Northwind's quality-drift becomes mandatory on 2027-01-01: one warned workflow denied.
    assert page.table("Upcoming enforcement").rows == [
        ["2027-01-01", "quality-drift", "mandatory", "0", "1"]
    ]
    # The model's own verdict, after its decisions: Northwind's pack wants training recorded.
    assert (
        "The operating model as a whole: warn Warnings The operating model does not record "
        "how people who use AI are trained"
    ) in text
    scores = {row[0]: row[1:] for row in page.table("Use-case scores").rows}
    assert scores["0 of 9"] == ["1", "no, below the minimum"]
    assert scores["9 of 9"] == ["2", "yes"]
    # Every workflow by id and name, with its decision; what blocks it, in the policy's words.
    register = page.table("Every workflow").rows
    assert [row[0] for row in register] == [
        "competitor-pricing-digest",
        "launch-benchmark-claims",
        "open-assistant-for-all",
        "partner-newsletter",
        "personalised-renewal-emails",
        "print-catalogue-descriptions",
        "weekly-channel-summary",
    ]
    assert register[2] == [
        "open-assistant-for-all",
        "General AI assistant for every marketer",
        "idea",
        "Marcus Hale",
        "-",
        "none",
        "0 of 9, needs 6",
        "deny",
    ]
    assert "they need at least high" in text


def test_the_sections_come_in_the_order_a_meeting_takes_them(tmp_path: Path) -> None:
    html, _ = northwind_page(tmp_path)
    order = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h3[^>]*>(.*?)</h3>", html)]
    assert order == [
        "The four decisions",
        "The operating model as a whole: warn",
        "At a glance",
        "Decisions by stage",
        "Failing policies",
        "Review tiers against consequence",
        "Review calendar",
        "To tune, strengthen or retire",
        "Waivers",
        "Upcoming enforcement",
        "Use-case scores",
        "Workflows",
    ]


def test_every_chart_has_a_title_a_text_alternative_and_its_numbers_in_a_table(
    tmp_path: Path,
) -> None:
    html, _ = northwind_page(tmp_path)
    page = Page.of(html)
    charts = [attrs for tag, attrs, _ in page.elements if tag == "svg"]
    assert len(charts) == 5  # stages, failing policies, tiers, upcoming enforcement, scores
    for attrs in charts:
        assert attrs["role"] == "img"
        # Named by its title, described by its text alternative.
        assert (attrs["aria-labelledby"] or "").endswith("-title")
        assert (attrs["aria-describedby"] or "").endswith("-desc")
    # Each description states every bar's number in words, next to the title.
    titles, descriptions = page.alternatives[0::2], page.alternatives[1::2]
    assert titles[0] == "Decisions by stage"
    assert descriptions[0] == (
        "Decisions by stage. idea: 1 workflow (1 deny). pilot: 1 workflow (1 deny). "
        "production: 4 workflows (2 allow; 2 warn). retired: 1 workflow (1 allow)."
    )
    captions = [t.caption for t in page.tables]
    for chart_title in titles:
        assert any(c.startswith(chart_title) for c in captions), chart_title
    # Never colour alone: every segment style has its own pattern and its words in a legend.
    patterns = {
        attrs["id"].split("-", 2)[-1]
        for tag, attrs, _ in page.elements
        if tag == "pattern" and attrs.get("id")
    }
    assert {"good", "caution", "bad"} <= patterns
    assert "allow warn deny" in page.text


def test_the_page_loads_nothing_and_runs_nothing(tmp_path: Path) -> None:
    html, _ = northwind_page(tmp_path)
    page = Page.of(html)
    assert page.tags() <= ELEMENTS
    for tag, attrs, _ in page.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs
        assert "srcset" not in attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
        fill = attrs.get("fill") or ""
        assert "url(" not in fill or fill.startswith("url(#"), fill
    [style] = page.styles
    assert "url(" not in style
    assert "@import" not in style
    # The page's policy allows its own style, by its hash, and nothing else at all.
    [policy] = [
        a["content"]
        for t, a, _ in page.elements
        if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert policy.startswith(f"default-src 'none'; style-src 'sha256-{digest}';")


def test_the_four_decisions_missing_are_named(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        yaml.safe_dump(
            {"aimo": 1, "decisions": {"who_owns_results": "Each team lead."}, "workflows": [make()]}
        )
    )
    result = aimo_cli("report", model, "--today", "2026-11-27", "--format", "html")
    # Not writing them down denies the model as a whole (decisions-recorded, mandatory).
    assert result.returncode == 1, result.stderr
    text = Page.of(result.stdout).text
    assert text.startswith("AI operating model review, 2026-11-27")
    assert text.count("Not written down.") == 3
    assert "Who owns the results? Each team lead." in text
    assert "The operating model as a whole: deny What blocks it" in text
    assert text.count("The operating model does not write down") == 3


def test_workflow_files_outside_a_model_have_no_decisions_to_show(tmp_path: Path) -> None:
    workflow = tmp_path / "w.yaml"
    workflow.write_text(yaml.safe_dump(make()))
    result = aimo_cli("report", workflow, "--today", "2026-11-27", "--format", "html")
    assert result.returncode == 0, result.stderr
    text = Page.of(result.stdout).text
    assert text.startswith("Workflows outside an operating model: review of 2026-11-27")
    assert "The four decisions" not in text
    assert "weekly-channel-summary" in text


def test_several_models_get_an_overview_and_a_section_each(tmp_path: Path) -> None:
    for name, organization in (("a.yaml", "Acme"), ("b.yaml", "Bolt")):
        (tmp_path / name).write_text(
            yaml.safe_dump(
                {
                    "aimo": 1,
                    "organization": organization,
                    "decisions": DECISIONS,
                    "workflows": [make()],
                }
            )
        )
    result = aimo_cli("report", tmp_path, "--today", "2026-11-27", "--format", "html")
    assert result.returncode == 0, result.stderr
    page = Page.of(result.stdout)
    overview = page.table("Each operating model reviewed")
    assert [row[0] for row in overview.rows] == ["Acme", "Bolt", "All"]
    assert [row[2] for row in overview.rows] == ["allow", "allow", ""]
    assert overview.rows[-1][3:7] == ["2", "2", "0", "0"]
    links = [a["href"] for t, a, _ in page.elements if t == "a"]
    ids = {a["id"] for _, a, _ in page.elements if a.get("id")}
    assert links
    assert all(link[1:] in ids for link in links)


def test_an_empty_run_still_writes_a_page_that_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: w\nstage: nonsense\n")
    result = aimo_cli("report", bad, "--format", "html")
    assert result.returncode == 2
    assert "Nothing was reviewed" in Page.of(result.stdout).text


def test_upcoming_enforcement_is_charted_and_tabled(tmp_path: Path) -> None:
    model = tmp_path / "model.yaml"
    no_escalation = make(
        {
            "id": "no-escalation",
            "consequence": "medium",
            "review_tier": "standard",
            "escalation": DELETE,
        }
    )
    rollout = [
        {"level": "shadow"},
        {"level": "advisory", "from": "2027-01-01"},
        {"level": "mandatory", "from": "2027-03-01"},
    ]
    model.write_text(
        yaml.safe_dump(
            {
                "aimo": 1,
                "decisions": DECISIONS,
                "workflows": [no_escalation, make()],
                "policies": {"enforcement": {"escalation-path-present": rollout}},
            }
        )
    )
    result = aimo_cli("report", model, "--today", "2026-11-27", "--format", "html")
    assert result.returncode == 0, result.stderr
    page = Page.of(result.stdout)
    assert page.table("Upcoming enforcement").rows == [
        ["2027-01-01", "escalation-path-present", "advisory", "1", "0"],
        ["2027-03-01", "escalation-path-present", "mandatory", "0", "1"],
    ]
    assert any(a.startswith("Upcoming enforcement") for a in page.alternatives)
    # The shadow finding is shown for what it is: on trial, changing nothing yet.
    assert "In shadow" in page.text


# -- at scale ---------------------------------------------------------------------------------


def _row(index: int, decision: Decision) -> WorkflowRow:
    return WorkflowRow(
        id=f"workflow-{index:05}",
        name=f"Workflow number {index}",
        stage=Stage.PILOT,
        owner="Dana Lee",
        consequence="low",
        review_tier="light",
        required_tier="light",
        decision=decision,
        use_case_score=8,
        use_case_min_score=6,
        blocking=("It is blocked.",) if decision is Decision.DENY else (),
        warnings=("It is warned.",) if decision is Decision.WARN else (),
    )


def _large(n: int, **changes: Any) -> Report:
    rows = tuple(_row(i, Decision.DENY if i % 2 else Decision.ALLOW) for i in range(n))
    section = ModelReport(
        file="big.json",
        is_model=True,
        organization="Big",
        decisions={},
        stage_counts={s: (n if s is Stage.PILOT else 0) for s in Stage},
        decision_counts={
            Decision.ALLOW: n - n // 2,
            Decision.WARN: 0,
            Decision.DENY: n // 2,
        },
        workflows=rows,
        reviews=tuple(
            ReviewRow(
                workflow_id=r.id,
                stage=Stage.PILOT,
                cadence_days=30,
                last_reviewed=TODAY - dt.timedelta(days=40),
                due=TODAY - dt.timedelta(days=10),
                status=ReviewStatus.OVERDUE,
            )
            for r in rows
        ),
        waivers=tuple(
            WaiverRow(
                workflow_id=r.id,
                policy="escalation-path-present",
                expires=TODAY + dt.timedelta(days=5),
                approved_by="Priya",
                status=WaiverStatus.EXPIRING,
                problems=(),
            )
            for r in rows
        ),
        candidates=(),
        rollup=(
            RollupRow(
                policy_id="owner-named",
                enforcement=Enforcement.MANDATORY,
                blocking=True,
                workflows=n // 2,
            ),
        ),
        **changes,
    )
    return Report(today=TODAY, horizon_days=30, sections=(section,))


def test_a_large_inventory_puts_aggregates_first_and_folds_the_long_lists() -> None:
    n = 2 * DETAILED_WORKFLOWS + 50
    html = page_of(_large(n))
    page = Page.of(html)
    # Every workflow is in the register, by id and name, which is folded away at this size.
    register = page.table("Every workflow").rows
    assert [row[0] for row in register] == [f"workflow-{i:05}" for i in range(n)]
    assert [row[1] for row in register] == [f"Workflow number {i}" for i in range(n)]
    [register_details] = [
        a for t, a, _ in page.elements if t == "details" and "register" in (a.get("class") or "")
    ]
    assert "open" not in register_details
    # Per-workflow details stop at DETAILED_WORKFLOWS, denied first, and say so.
    details = [a for t, a, _ in page.elements if t == "details" and a.get("class") == "workflow"]
    assert len(details) == DETAILED_WORKFLOWS
    assert all("open" not in d for d in details)
    assert (
        f"the first {DETAILED_WORKFLOWS:,} of {n // 2:,} workflows with something to report"
        in page.text
    )
    # A long table shows its first rows, and keeps every other one under "the other N".
    assert f"The other {n - SHOWN_ROWS:,} reviews" in page.text
    assert len(page.table("Reviews overdue or due").rows) == n
    assert len(page.table("Waivers").rows) == n
    # The headline counts come before any list.
    assert page.text.index(f"{n // 2:,} denied") < page.text.index("workflow-00000")


def test_a_long_register_comes_in_parts_that_open_on_their_own() -> None:
    n = 2 * REGISTER_PART + 1
    page = Page.of(page_of(_large(n)))
    parts = [a for t, a, _ in page.elements if t == "details" and a.get("class") == "register-part"]
    assert len(parts) == 3
    assert all("open" not in part for part in parts)
    assert (
        f"Workflows {REGISTER_PART + 1:,} to {2 * REGISTER_PART:,}: "
        f"workflow-{REGISTER_PART:05} to workflow-{2 * REGISTER_PART - 1:05}"
    ) in page.text
    # Every workflow is still there, once, in the order of its file.
    register = page.table("Every workflow").rows
    assert [row[0] for row in register] == [f"workflow-{i:05}" for i in range(n)]
    # Up to a part's size, the register is one table.
    page = Page.of(page_of(_large(REGISTER_PART)))
    assert not [a for t, a, _ in page.elements if a.get("class") == "register-part"]
    assert len(page.table("Every workflow").rows) == REGISTER_PART


def test_a_small_section_prints_whole() -> None:
    html = page_of(_large(SMALL_SECTION))
    page = Page.of(html)
    details = [a for t, a, _ in page.elements if t == "details"]
    assert details
    assert all("open" in d for d in details)


def test_the_model_verdict_follows_its_decisions_with_each_finding() -> None:
    assert "The operating model as a whole" not in page_of(_large(2))
    verdict = ModelVerdictRow(
        decision=Decision.DENY,
        blocking=("Nobody has written down who owns the results.",),
        warnings=("Training is not recorded.",),
        shadow=("No register owner is named.",),
    )
    section = _large(2).sections[0].model_copy(update={"model_verdict": verdict})
    text = Page.of(page_of(Report(today=TODAY, horizon_days=30, sections=(section,)))).text
    assert (
        "The operating model as a whole: deny "
        "What blocks it Nobody has written down who owns the results. "
        "Warnings Training is not recorded. "
        "In shadow: what policies on trial find, changing nothing yet No register owner is named."
    ) in text
    decisions, verdict_at = text.index("The four decisions"), text.index("as a whole")
    assert decisions < verdict_at < text.index("At a glance")
    allowed = section.model_copy(
        update={"model_verdict": ModelVerdictRow(decision=Decision.ALLOW, blocking=(), warnings=())}
    )
    text = Page.of(page_of(Report(today=TODAY, horizon_days=30, sections=(allowed,)))).text
    assert (
        "The operating model as a whole: allow "
        "Every policy that judges the model as a whole passes."
    ) in text


# -- the committed example --------------------------------------------------------------------


def test_the_northwind_example_page_is_current() -> None:
    result = aimo_cli(
        "report",
        "examples/northwind/operating-model.yaml",
        "--today",
        "2026-11-27",
        "--format",
        "html",
    )
    assert result.returncode == 1, result.stderr
    assert EXAMPLE.read_text(encoding="utf-8") == result.stdout, (
        "regenerate it: aimo report examples/northwind/operating-model.yaml --today "
        "2026-11-27 --format html --output examples/northwind/review.html"
    )


# -- packaging ---------------------------------------------------------------------------------


def test_an_installed_wheel_finds_its_templates(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, ROOT],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = wheels.glob("aimo-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", target, wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The installed copy first on the path, the source tree nowhere on it.
    script = (
        "import sys, aimo; assert aimo.__file__.startswith(sys.argv[1]), aimo.__file__; "
        "from aimo._cli.main import main; "
        "sys.exit(main(['report', sys.argv[2], '--today', '2026-11-27', '--format', 'html']))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(target)!r}); {script}",
            str(target),
            str(NORTHWIND),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "Northwind Marketing: AI operating model review" in result.stdout
