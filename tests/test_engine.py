"""The engine: plugins, failure isolation, waivers, decisions and the default engine."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import DELETE, TODAY, findings_of, make


@aimo.policy(
    id="acme-brand-voice",
    title="Brand voice guide linked",
    severity="medium",
    enforcement="mandatory",
    applies_from="pilot",
    references=["Acme brand book"],
)
def brand_voice(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    """The output standard links the brand voice guide."""
    if not workflow.output_standard or not workflow.output_standard.document:
        yield aimo.Violation(
            "The brand voice guide is not linked",
            path="/output_standard/document",
            expected="a link to the guide",
        )


@aimo.policy(id="acme-broken", title="Always raises", enforcement="advisory")
def broken(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    raise RuntimeError("the brand service is down")
    yield  # pragma: no cover


@aimo.policy(id="acme-junk", title="Yields junk", enforcement="advisory")
def junk(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
    return ["not a violation"]


class AcmePolicies:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [brand_voice]


class Plugin:
    def __init__(self, *policies: aimo.Policy) -> None:
        self.policies = list(policies)

    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return self.policies


def test_third_party_policy_runs_with_the_builtins() -> None:
    engine = aimo.Engine(plugins=[AcmePolicies()], entry_points=False)
    assert "acme-brand-voice" in [p.id for p in engine.policies]
    assert len(engine.policies) == 31  # core (one of them model-level), run, marketing, this one
    verdict = engine.evaluate(make({"output_standard.document": DELETE}), today=TODAY)
    [finding] = findings_of(verdict, "acme-brand-voice")
    assert finding.outcome is aimo.Outcome.FAIL
    assert finding.path == "/output_standard/document"
    assert finding.references == ("Acme brand book",)
    assert verdict.decision is aimo.Decision.DENY
    ref = next(r for r in verdict.policy_set if r.id == "acme-brand-voice")
    assert ref.source.endswith("AcmePolicies")
    core = next(r for r in verdict.policy_set if r.id == "owner-named")
    assert (core.source, core.version) == ("aimo", aimo.__version__)


def test_builtins_can_be_left_out() -> None:
    engine = aimo.Engine(plugins=[AcmePolicies()], builtins=False, entry_points=False)
    assert [p.id for p in engine.policies] == ["acme-brand-voice"]


def test_duplicate_policy_ids_name_both_sources() -> None:
    clone = aimo.policy(id="owner-named", title="Another owner rule")(lambda w, c: None)
    with pytest.raises(aimo.PolicyError) as raised:
        aimo.Engine(plugins=[Plugin(clone)], entry_points=False)
    message = str(raised.value)
    assert "'owner-named'" in message
    assert "aimo" in message
    assert "Plugin" in message


def test_a_plugin_returning_a_non_policy_is_rejected() -> None:
    with pytest.raises(aimo.PolicyError, match="not a policy"):
        aimo.Engine(plugins=[Plugin("nope")], entry_points=False)  # type: ignore[arg-type]


def test_a_raising_policy_is_an_error_finding_and_fails_closed() -> None:
    mandatory_broken = aimo.policy(id="acme-broken-gate", title="Raises")(broken.check)
    engine = aimo.Engine(plugins=[Plugin(broken, junk, mandatory_broken)], entry_points=False)
    verdict = engine.evaluate(make(), today=TODAY)
    [error] = findings_of(verdict, "acme-broken")
    assert error.outcome is aimo.Outcome.ERROR
    assert "the brand service is down" in error.message
    [junk_error] = findings_of(verdict, "acme-junk")
    assert junk_error.outcome is aimo.Outcome.ERROR
    assert "'not a violation'" in junk_error.message
    assert verdict.decision is aimo.Decision.DENY
    assert {f.policy_id for f in verdict.failures} == {
        "acme-broken",
        "acme-junk",
        "acme-broken-gate",
    }


def test_an_advisory_error_only_warns() -> None:
    engine = aimo.Engine(plugins=[Plugin(broken)], entry_points=False)
    assert engine.evaluate(make(), today=TODAY).decision is aimo.Decision.WARN


def test_not_applicable_is_reported_never_pass() -> None:
    @aimo.policy(id="acme-chat-only", title="Chat workflows only", applies_from="idea")
    def chat_only(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[Any]:
        yield aimo.NotApplicable("Only chat workflows are checked.")

    engine = aimo.Engine(plugins=[Plugin(chat_only)], builtins=False, entry_points=False)
    [finding] = engine.evaluate(make(), today=TODAY).findings
    assert finding.outcome is aimo.Outcome.NOT_APPLICABLE
    assert finding.message == "Only chat workflows are checked."


def test_a_check_returning_none_passes() -> None:
    quiet = aimo.policy(id="acme-quiet", title="Quiet")(lambda w, c: None)
    engine = aimo.Engine(plugins=[Plugin(quiet)], builtins=False, entry_points=False)
    assert engine.evaluate(make(), today=TODAY).findings[0].outcome is aimo.Outcome.PASS


def test_bad_policy_definitions_raise_policy_error() -> None:
    with pytest.raises(aimo.PolicyError, match="slug"):
        aimo.policy(id="Bad Id", title="x")(lambda w, c: None)
    with pytest.raises(aimo.PolicyError, match=r"[Ee]nforcement"):
        aimo.policy(id="acme-x", title="x", enforcement="sometimes")(lambda w, c: None)


def test_context_carries_today_model_and_run() -> None:
    seen: list[aimo.Context] = []

    @aimo.policy(id="acme-spy", title="Spy", applies_from="idea")
    def spy(workflow: aimo.Workflow, ctx: aimo.Context) -> None:
        seen.append(ctx)

    model = aimo.OperatingModel(organization="Northwind")
    engine = aimo.Engine(plugins=[Plugin(spy)], entry_points=False)
    run = aimo.Run(output="Weekly summary")
    engine.evaluate(make(), today=TODAY, model=model, run=run)
    [ctx] = seen
    assert (ctx.today, ctx.model, ctx.run) == (TODAY, model, run)
    assert ctx.enforcement["owner-named"] is aimo.Enforcement.HARD_MANDATORY


def test_verdict_hook_sees_every_verdict() -> None:
    received: list[tuple[str, str]] = []

    class Log:
        @aimo.hookimpl
        def aimo_verdict(self, verdict: aimo.Verdict, workflow: aimo.Workflow) -> None:
            received.append((verdict.workflow_id, workflow.id))

    engine = aimo.Engine(plugins=[Log()], entry_points=False)
    engine.evaluate(make(), today=TODAY)
    assert received == [("weekly-channel-summary", "weekly-channel-summary")]


# -- decisions and waivers ------------------------------------------------------------------

ESCALATION_GAP = {"consequence": "medium", "review_tier": "standard", "escalation": DELETE}
WAIVER = {
    "policy": "escalation-path-present",
    "reason": "Agency on-call rota being set up",
    "approved_by": "Priya Natarajan",
    "expires": "2026-12-31",
}


def test_mandatory_failure_denies(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make(ESCALATION_GAP))
    assert verdict.decision is aimo.Decision.DENY
    assert not verdict.allowed


def test_advisory_failure_warns(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"review_tier": "heavy"}))
    assert verdict.decision is aimo.Decision.WARN
    assert verdict.allowed
    assert [f.policy_id for f in verdict.failures] == ["governance-proportional"]


def test_a_valid_waiver_waives_a_mandatory_failure(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({**ESCALATION_GAP, "waivers": [WAIVER]}))
    found = findings_of(verdict, "escalation-path-present")
    assert {f.outcome for f in found} == {aimo.Outcome.WAIVED}
    assert "Priya Natarajan" in found[0].message
    assert verdict.decision is aimo.Decision.ALLOW


def test_a_waiver_path_covers_that_path_and_below(evaluate: Callable[..., aimo.Verdict]) -> None:
    waiver = {**WAIVER, "path": "/escalation/contacts"}
    found = findings_of(
        evaluate(make({**ESCALATION_GAP, "waivers": [waiver]})), "escalation-path-present"
    )
    assert {f.path: f.outcome.value for f in found} == {
        "/escalation/contacts": "waived",
        "/escalation/steps": "fail",
    }
    waiver = {**WAIVER, "path": "/escalation"}
    found = findings_of(
        evaluate(make({**ESCALATION_GAP, "waivers": [waiver]})), "escalation-path-present"
    )
    assert {f.outcome.value for f in found} == {"waived"}
    # A sibling that merely shares a prefix is not covered.
    waiver = {**WAIVER, "path": "/escalation/contact"}
    found = findings_of(
        evaluate(make({**ESCALATION_GAP, "waivers": [waiver]})), "escalation-path-present"
    )
    assert {f.outcome.value for f in found} == {"fail"}


def test_an_invalid_waiver_waives_nothing(evaluate: Callable[..., aimo.Verdict]) -> None:
    expired = {**WAIVER, "expires": "2026-11-01"}
    verdict = evaluate(make({**ESCALATION_GAP, "waivers": [expired]}))
    assert {f.outcome.value for f in findings_of(verdict, "escalation-path-present")} == {"fail"}
    assert verdict.decision is aimo.Decision.DENY


def test_no_waiver_touches_a_hard_mandatory_policy(evaluate: Callable[..., aimo.Verdict]) -> None:
    waiver = {**WAIVER, "policy": "owner-named"}
    verdict = evaluate(make({"owner": DELETE, "waivers": [waiver]}))
    assert {f.outcome.value for f in findings_of(verdict, "owner-named")} == {"fail"}
    assert findings_of(verdict, "waiver-valid")[0].outcome is aimo.Outcome.FAIL
    assert verdict.decision is aimo.Decision.DENY


def test_an_expiring_waiver_warns(evaluate: Callable[..., aimo.Verdict]) -> None:
    soon = {**WAIVER, "expires": "2026-12-05"}
    verdict = evaluate(make({**ESCALATION_GAP, "waivers": [soon]}))
    assert verdict.decision is aimo.Decision.WARN
    assert [f.policy_id for f in verdict.failures] == ["waiver-expiring"]


def test_retired_workflows_are_judged_on_their_waivers_only(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    verdict = evaluate({"id": "old-newsletter", "stage": "retired"})
    applied = {
        f.policy_id for f in verdict.findings if f.outcome is not aimo.Outcome.NOT_APPLICABLE
    }
    assert applied == {"waiver-valid", "waiver-expiring"}
    assert verdict.decision is aimo.Decision.ALLOW


def test_findings_are_in_policy_order_and_stable(evaluate: Callable[..., aimo.Verdict]) -> None:
    first = evaluate(make(ESCALATION_GAP))
    second = evaluate(make(ESCALATION_GAP))
    order = [f.policy_id for f in first.findings]
    assert order == [f.policy_id for f in second.findings]
    assert order[0] == "use-case-qualifies"
    assert order[-1] == "minors-protected"  # core first, then the marketing pack


def test_observed_is_read_from_the_document(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"consequence": "high", "review_tier": "standard"}))
    [finding] = findings_of(verdict, "tier-matches-consequence")
    assert (finding.observed, finding.expected) == ("standard", "heavy")
    assert finding.seed_section == "Calibrate Governance to Consequence"


# -- inputs ---------------------------------------------------------------------------------


def test_evaluate_takes_a_workflow_a_mapping_or_a_path(
    tmp_path: Path, evaluate: Callable[..., aimo.Verdict]
) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("id: weekly-summary\nstage: pilot\nowner: {name: Dana}\n")
    from_path = evaluate(path)
    from_str = evaluate(str(path))
    from_model = evaluate(aimo.load(path))
    from_dict = evaluate({"id": "weekly-summary", "stage": "pilot", "owner": {"name": "Dana"}})
    assert from_path.digest == from_str.digest == from_model.digest == from_dict.digest
    [owner] = findings_of(from_path, "owner-named")
    assert owner.location == aimo.Location(file=str(path), line=3, column=8)
    assert findings_of(from_dict, "owner-named")[0].location is None


def test_an_invalid_mapping_raises_document_error(evaluate: Callable[..., aimo.Verdict]) -> None:
    with pytest.raises(aimo.DocumentError) as raised:
        evaluate(make({"review_tier": "extreme", "ownr": {}}))
    assert {p.path for p in raised.value.problems} == {"/review_tier", "/ownr"}


def test_evaluating_a_model_file_as_a_workflow_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("aimo: 1\nworkflows: []\n")
    with pytest.raises(aimo.DocumentError, match="evaluate_model"):
        aimo.evaluate(path)


def test_evaluate_model_judges_every_workflow(tmp_path: Path) -> None:
    model = aimo.OperatingModel.model_validate(
        {"organization": "Northwind", "workflows": [make(), make({"id": "other", "owner": DELETE})]}
    )
    verdicts = aimo.evaluate_model(model, today=TODAY)
    assert [(v.workflow_id, v.decision.value) for v in verdicts] == [
        ("weekly-channel-summary", "allow"),
        ("other", "deny"),
    ]


# -- the default engine ---------------------------------------------------------------------


def test_the_default_engine_is_built_lazily_once() -> None:
    code = textwrap.dedent(
        """
        import aimo, aimo._defaults as e
        assert e._DEFAULT is None, "built at import"
        aimo.evaluate({"id": "a"})
        first = e._DEFAULT
        aimo.evaluate({"id": "b"})
        assert first is not None and e._DEFAULT is first
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_entry_point_plugins_load_from_an_installed_distribution(tmp_path: Path) -> None:
    """Fake an installed distribution with an ``aimo`` entry point, as pip would leave it."""
    (tmp_path / "acme_aimo.py").write_text(
        textwrap.dedent(
            """
        import aimo

        __version__ = "1.2.0"

        @aimo.policy(id="acme-named", title="Has a name", applies_from="idea",
                     references=["Acme handbook"])
        def named(workflow, ctx):
            if not workflow.name:
                yield aimo.Violation("The workflow has no name.", path="/name",
                                     expected="a name")

        @aimo.hookimpl
        def aimo_policies():
            return [named]
        """
        )
    )
    info = tmp_path / "acme_aimo-1.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-aimo\nVersion: 1.2.0\n")
    (info / "entry_points.txt").write_text("[aimo]\nacme = acme_aimo\n")
    code = textwrap.dedent(
        """
        import aimo
        verdict = aimo.evaluate({"id": "nameless"})
        [finding] = [f for f in verdict.findings if f.policy_id == "acme-named"]
        ref = [r for r in verdict.policy_set if r.id == "acme-named"][0]
        print(finding.outcome.value, verdict.decision.value, ref.source, ref.version)
        """
    )
    env = {"PYTHONPATH": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.stdout.split() == ["fail", "deny", "acme-aimo", "1.2.0"], result.stderr
    code = "import aimo\nprint([p.id for p in aimo.Engine().policies if p.id.startswith('acme')])"
    env["AIMO_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_a_broken_entry_point_is_a_policy_error(tmp_path: Path) -> None:
    info = tmp_path / "broken_aimo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-aimo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[aimo]\nbroken = broken_aimo_missing\n")
    code = "import aimo\ntry:\n    aimo.Engine()\nexcept aimo.PolicyError as e:\n    print(e)\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert "broken-aimo" in result.stdout
    assert "could not be loaded" in result.stdout


def test_two_instances_of_one_plugin_class_are_two_plugins() -> None:
    one = aimo.policy(id="acme-one", title="One")(lambda w, c: None)
    two = aimo.policy(id="acme-two", title="Two")(lambda w, c: None)
    engine = aimo.Engine(plugins=[Plugin(one), Plugin(two)], builtins=False, entry_points=False)
    assert [p.id for p in engine.policies] == ["acme-one", "acme-two"]
    plugin = Plugin(one)
    with pytest.raises(aimo.PolicyError, match="registered twice"):
        aimo.Engine(plugins=[plugin, plugin], builtins=False, entry_points=False)


def test_far_off_dates_and_datetimes_do_not_break_policies(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    import datetime as dt

    document = make({**ESCALATION_GAP, "waivers": [WAIVER]})
    for today in (dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.datetime(2026, 11, 27, 23, 59)):
        verdict = evaluate(document, today=today)
        assert not [f for f in verdict.findings if f.outcome is aimo.Outcome.ERROR], today
    assert evaluate(document, today=dt.datetime(2026, 11, 27, 8)).decision is aimo.Decision.ALLOW


def test_the_digest_is_stable_for_any_text(evaluate: Callable[..., aimo.Verdict]) -> None:
    document = {"id": "a", "x-note": "lone \ud800 surrogate"}
    assert evaluate(document).digest == evaluate(dict(document)).digest


def test_run_findings_have_no_location_in_the_workflow_file(tmp_path: Path) -> None:
    import json

    path = tmp_path / "summary.json"
    path.write_text(json.dumps(make()))
    verdict = aimo.Engine(entry_points=False).evaluate(
        path, today=TODAY, run=aimo.Run(inputs=["crm"], output="guaranteed")
    )
    assert [(f.path, f.location) for f in verdict.failures] == [
        ("/run/inputs/0", None),
        ("/run/output", None),
    ]
