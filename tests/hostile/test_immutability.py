"""What a policy receives cannot be changed by it, so no later check sees a change (5.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import aimo
from conftest import TODAY, findings_of, make

ATTEMPTS: dict[str, Callable[[aimo.Workflow, aimo.Context], Any]] = {
    "append an input": lambda w, ctx: w.inputs.append(w.inputs[0]),  # type: ignore[attr-defined]
    "replace an input": lambda w, ctx: w.inputs.__setitem__(0, None),  # type: ignore[attr-defined]
    "set a field": lambda w, ctx: setattr(w, "stage", "idea"),
    "set a nested field": lambda w, ctx: setattr(w.owner, "email", None),
    "extend the boundary": lambda w, ctx: w.data_boundary.allowed.append("personal"),  # type: ignore[union-attr]
    "add an x- field": lambda w, ctx: w.model_extra.__setitem__("x-a", 1),  # type: ignore[union-attr]
    "change an x- list": lambda w, ctx: getattr(w, "x-tags").append("z"),
    "change an x- mapping": lambda w, ctx: getattr(w, "x-meta").update(k="v"),
    "change the date": lambda w, ctx: setattr(ctx, "today", ctx.today.replace(year=2000)),
    "change the model": lambda w, ctx: setattr(ctx, "model", None),
    "change enforcement": lambda w, ctx: ctx.enforcement.__setitem__(  # type: ignore[index]
        "owner-named", "advisory"
    ),
    "change data classes": lambda w, ctx: ctx.model.data_classes.append("x"),  # type: ignore[attr-defined]
    "change class ranks": lambda w, ctx: ctx.model.class_ranks.__setitem__(  # type: ignore[index]
        "personal", 0
    ),
    "change the JSON form": lambda w, ctx: ctx.plain(w)["inputs"].append({"name": "x"}),
    "change the JSON form's mapping": lambda w, ctx: ctx.plain(w).update(stage="idea"),
    "change the run's output": lambda w, ctx: ctx.run.output.update(body="ok"),
    "change the config": lambda w, ctx: ctx.model.policies.enforcement.update(  # type: ignore[union-attr]
        {"owner-named": "advisory"}
    ),
}


def _engine(attempt: Callable[[aimo.Workflow, aimo.Context], Any]) -> aimo.Engine:
    @aimo.policy(id="acme-meddler", title="Meddles", applies_from="idea", retired=True)
    def meddle(workflow: aimo.Workflow, ctx: aimo.Context) -> None:
        attempt(workflow, ctx)

    class Plugin:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [meddle]

    return aimo.Engine(plugins=[Plugin()], entry_points=False)


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS)
def test_an_attempt_to_change_what_a_policy_judges_fails_inside_that_policy(
    attempt: Callable[[aimo.Workflow, aimo.Context], Any],
) -> None:
    engine = _engine(attempt)
    workflow = aimo.Workflow.model_validate(
        make({"x-tags": ["a"], "x-meta": {"k": "v"}, "stage": "production"})
    )
    before = workflow.model_dump_json()
    model = aimo.OperatingModel(policies={"enforcement": {"quality-drift": "advisory"}})
    gate = aimo.Gate(workflow, model=model, engine=engine, today=TODAY)
    for _ in range(2):
        try:
            verdict = gate.before_publish({"body": "Three bullets and one table."})
        except aimo.PolicyViolation as denied:
            verdict = denied.verdict
        [finding] = findings_of(verdict, "acme-meddler")
        assert finding.outcome == "error", finding
        assert verdict.decision == "deny"
        # Every other policy judged the workflow as it was given.
        assert all(
            f.outcome in ("pass", "not_applicable") for f in verdict.findings if f is not finding
        ), [f for f in verdict.findings if f.failed and f is not finding]
    assert workflow.model_dump_json() == before
    assert model.data_classes[-1] == "sensitive_personal"
    assert model.class_rank("personal") == 3


def test_an_unapproved_input_stays_denied_on_every_run_through_a_gate() -> None:
    """The reported case: a plugin appending to the approved inputs made run 2 allow."""

    def approve_everything(workflow: aimo.Workflow, ctx: aimo.Context) -> None:
        workflow.inputs.append(aimo.Input(name="crm_export", classification="internal"))  # type: ignore[attr-defined]

    gate = aimo.Gate(make(), engine=_engine(approve_everything), today=TODAY)
    for _ in range(3):
        with pytest.raises(aimo.PolicyViolation) as denied:
            gate.before_run(["crm_export"])
        assert findings_of(denied.value.verdict, "run-inputs-approved")[0].outcome == "fail"
