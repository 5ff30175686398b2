"""Gates: checks before a run and before publishing, and the governed() decorator."""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._audit.log import DecisionLog
from aimo._documents.run import Approval, Run
from aimo._runtime.gate import Gate, governed
from conftest import TODAY, make

GA4 = "ga4_weekly_export"
SAM = Approval("Sam Ortiz", "sam.ortiz@example.com", "marketing")


@pytest.fixture
def gate(engine: aimo.Engine) -> Gate:
    return Gate(make(), engine=engine, today=TODAY)


def test_an_allowed_run_returns_its_verdict(gate: Gate) -> None:
    before = gate.before_run(inputs=[GA4])
    after = gate.before_publish("All channels steady.", inputs=[GA4])
    assert before.decision is after.decision is aimo.Decision.ALLOW
    assert before.workflow_id == "weekly-channel-summary"


def test_a_denied_run_raises_naming_the_input(gate: Gate) -> None:
    with pytest.raises(aimo.PolicyViolation) as caught:
        gate.before_run(inputs=[GA4, "crm_contacts"])
    verdict = caught.value.verdict
    assert verdict.decision is aimo.Decision.DENY
    [finding] = verdict.failures
    assert (finding.policy_id, finding.path) == ("run-inputs-approved", "/run/inputs/1")
    assert "'crm_contacts'" in finding.message
    assert "crm_contacts" in str(caught.value)


def test_a_denied_output_raises_naming_the_phrase(gate: Gate) -> None:
    with pytest.raises(aimo.PolicyViolation) as caught:
        gate.before_publish({"subject": "Guaranteed growth", "body": "Steady"})
    [finding] = caught.value.verdict.failures
    assert finding.message == "The output's 'subject' field uses the banned phrase 'guaranteed'."
    assert finding.path == "/run/output/subject"


def test_missing_approvals_deny_publishing(engine: aimo.Engine) -> None:
    gate = Gate(make({"consequence": "medium", "review_tier": "standard"}), engine=engine)
    at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(aimo.PolicyViolation, match="needs approval from 1 person"):
        gate.before_publish("Summary", at=at)
    verdict = gate.before_publish("Summary", approvals=[SAM], at=at)
    assert verdict.decision is aimo.Decision.ALLOW


def test_a_warning_is_logged_and_never_raises(
    engine: aimo.Engine, caplog: pytest.LogCaptureFixture
) -> None:
    # Heavy review of low-consequence work fails only an advisory policy: a warn.
    gate = Gate(make({"review_tier": "heavy"}), engine=engine, today=TODAY)
    with caplog.at_level(logging.WARNING, logger="aimo.gate"):
        verdict = gate.before_publish("All channels steady.")
    assert verdict.decision is aimo.Decision.WARN
    [record] = caplog.records
    assert record.name == "aimo.gate"
    assert "governance-proportional" in record.getMessage()
    assert "'weekly-channel-summary'" in record.getMessage()


def test_an_allowed_run_logs_nothing(gate: Gate, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="aimo.gate"):
        gate.before_run(inputs=[GA4])
    assert caplog.records == []


def test_the_evaluation_date_is_the_run_date(engine: aimo.Engine) -> None:
    gate = Gate(make(), engine=engine)
    gate.before_run(inputs=[GA4], at=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
    # Half a year on, the 90-day review is overdue.
    with pytest.raises(aimo.PolicyViolation) as caught:
        gate.before_run(inputs=[GA4], at=dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
    assert [f.policy_id for f in caught.value.verdict.failures] == ["review-current"]


def test_a_gate_reads_its_workflow_and_model_once(tmp_path: Path, engine: aimo.Engine) -> None:
    workflow = tmp_path / "summary.json"
    workflow.write_text(json.dumps(make()))
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"aimo": 1, "public_tools_max_class": "public"}))
    gate = Gate(workflow, model=model, engine=engine, today=TODAY)
    workflow.unlink()
    with pytest.raises(aimo.PolicyViolation) as caught:
        gate.before_run(inputs=[GA4])
    assert [f.policy_id for f in caught.value.verdict.failures] == ["sensitive-data-owned"]
    assert repr(gate) == "Gate('weekly-channel-summary')"


def test_a_gate_needs_a_workflow(tmp_path: Path) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"aimo": 1, "workflows": [make()]}))
    with pytest.raises(aimo.DocumentError, match="operating model"):
        Gate(model)
    with pytest.raises(aimo.DocumentError):
        Gate({"id": "Not A Slug"})


def test_inputs_are_a_list(gate: Gate) -> None:
    with pytest.raises(TypeError, match="list of input names"):
        gate.before_run(inputs=GA4)


def test_check_takes_a_whole_run(gate: Gate) -> None:
    run = Run(inputs=[GA4], output="Fine", at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC))
    assert gate.check(run).allowed


class Calls:
    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def calls() -> Calls:
    return Calls()


def test_governed_checks_before_and_after_the_call(engine: aimo.Engine, calls: Calls) -> None:
    @governed(make(), inputs=[GA4], engine=engine, today=TODAY)
    def summarise(text: str) -> str:
        """Summarise the week."""
        calls.count += 1
        return text

    assert summarise("All steady.") == "All steady."
    with pytest.raises(aimo.PolicyViolation, match="banned phrase 'guaranteed'"):
        summarise("Growth is guaranteed.")
    assert calls.count == 2
    assert summarise.__name__ == "summarise"
    assert summarise.__doc__ == "Summarise the week."
    assert isinstance(summarise.gate, Gate)  # type: ignore[attr-defined]


def test_governed_stops_a_run_before_the_call(engine: aimo.Engine, calls: Calls) -> None:
    @governed(make(), inputs=["crm_contacts"], engine=engine, today=TODAY)
    def summarise() -> str:
        calls.count += 1
        return "never"

    with pytest.raises(aimo.PolicyViolation) as caught:
        summarise()
    assert calls.count == 0
    assert "'crm_contacts'" in caught.value.verdict.failures[0].message


def test_governed_gates_async_functions(engine: aimo.Engine, calls: Calls) -> None:
    @governed(make(), inputs=[GA4], engine=engine, today=TODAY)
    async def draft(text: str) -> dict[str, str]:
        calls.count += 1
        await asyncio.sleep(0)
        return {"subject": "Weekly summary", "body": text}

    assert inspect.iscoroutinefunction(draft)
    assert asyncio.run(draft("All steady.")) == {"subject": "Weekly summary", "body": "All steady."}
    with pytest.raises(aimo.PolicyViolation) as caught:
        asyncio.run(draft("Returns are guaranteed."))
    [finding] = caught.value.verdict.failures
    assert finding.path == "/run/output/body"
    assert calls.count == 2


def test_governed_stops_an_async_run_before_the_call(engine: aimo.Engine, calls: Calls) -> None:
    @governed(make({"stage": "retired"}), inputs=[GA4], engine=engine, today=TODAY)
    async def draft() -> str:
        calls.count += 1
        return "never"

    with pytest.raises(aimo.PolicyViolation, match="retired"):
        asyncio.run(draft())
    assert calls.count == 0


def test_governed_passes_its_approvals(engine: aimo.Engine) -> None:
    medium = make({"consequence": "medium", "review_tier": "standard"})

    @governed(medium, engine=engine, today=TODAY)
    def unapproved() -> str:
        return "Summary"

    @governed(medium, approvals=[SAM], engine=engine, today=TODAY)
    def approved() -> str:
        return "Summary"

    with pytest.raises(aimo.PolicyViolation, match="run-approvals-meet-tier"):
        unapproved()
    assert approved() == "Summary"


def test_governed_needs_text_output(engine: aimo.Engine) -> None:
    @governed(make(), engine=engine, today=TODAY)
    def count() -> Any:
        return 42

    @governed(make(), engine=engine, today=TODAY)
    def lazy() -> Any:
        return asyncio.sleep(0)

    with pytest.raises(TypeError, match="returned int"):
        count()
    with pytest.raises(TypeError, match="async def"):
        lazy()


def test_governed_rejects_generators_and_bad_arguments(engine: aimo.Engine) -> None:
    def lines() -> Iterator[str]:
        yield "a"

    with pytest.raises(TypeError, match="generator"):
        governed(make(), engine=engine)(lines)
    with pytest.raises(ValueError, match="inputs"):
        governed(make(), inputs=[""], engine=engine)


def test_every_gate_check_reaches_the_decision_log(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path / "decisions.jsonl", caller="test-gate")
    engine = aimo.Engine(plugins=[log], entry_points=False)
    gate = Gate(make(), engine=engine, today=TODAY)
    at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)
    gate.before_run(inputs=[GA4], at=at)
    with pytest.raises(aimo.PolicyViolation):
        gate.before_publish("Guaranteed returns", inputs=[GA4], at=at)
    records = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [r["decision"] for r in records] == ["allow", "deny"]
    assert records[1]["run"] == Run(inputs=[GA4], output="Guaranteed returns", at=at).digest
    assert records[1]["failures"] == [
        {"policy_id": "run-output-meets-standard", "outcome": "fail", "path": "/run/output"}
    ]
    assert "Guaranteed" not in log.path.read_text()
    assert log.verify().ok


# What a gate says when it stops, warns or only reports a run: every failing policy with its
# message, in sentences a person reads, whichever way it is said.
_SEVERAL_FAILURES = {"consequence": "medium", "review_tier": "standard"}
_OUTPUT = "Guaranteed savings for everyone!"


def _said_when_denied(engine: aimo.Engine) -> str:
    gate = Gate(make(_SEVERAL_FAILURES), engine=engine, today=TODAY)
    with pytest.raises(aimo.PolicyViolation) as caught:
        gate.before_publish(_OUTPUT, inputs=["crm_contacts"])
    return str(caught.value)


def _logged(engine: aimo.Engine, caplog: pytest.LogCaptureFixture, **how: Any) -> str:
    gate = Gate(make(_SEVERAL_FAILURES), engine=engine, today=TODAY, **how)
    with caplog.at_level(logging.WARNING, logger="aimo.gate"):
        gate.before_publish(_OUTPUT, inputs=["crm_contacts"])
    [record] = caplog.records
    return record.getMessage()


@pytest.mark.parametrize("said", ["denied", "in shadow", "warned"])
def test_what_a_gate_says_lists_each_failure_as_a_sentence(
    engine: aimo.Engine, caplog: pytest.LogCaptureFixture, said: str
) -> None:
    if said == "denied":
        text = _said_when_denied(engine)
    elif said == "in shadow":
        text = _logged(engine, caplog, mode="shadow")
    else:
        # Heavy review of low-consequence work fails only an advisory policy: a warn.
        gate = Gate(make({"review_tier": "heavy"}), engine=engine, today=TODAY)
        with caplog.at_level(logging.WARNING, logger="aimo.gate"):
            gate.before_publish("All channels steady.")
        [record] = caplog.records
        text = record.getMessage()
    assert ".;" not in text, text
    assert ".." not in text, text
    assert text.endswith("."), text
