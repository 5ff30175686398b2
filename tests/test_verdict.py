"""Verdicts: serialisation, the digest, and the properties pipelines read."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

import pytest
from pydantic import ValidationError

import aimo
from conftest import DELETE, TODAY, make


def test_verdict_fields(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"owner": DELETE}))
    assert verdict.workflow_id == "weekly-channel-summary"
    assert verdict.decision == "deny"
    assert verdict.required_tier is aimo.ReviewTier.LIGHT
    assert verdict.evaluated_at.tzinfo is not None
    assert verdict.evaluated_at.utcoffset() == dt.timedelta(0)
    assert [r.id for r in verdict.policy_set][:2] == ["use-case-qualifies", "owner-named"]
    assert [f.policy_id for f in verdict.failures] == ["owner-named"]
    [failure] = verdict.failures
    assert failure.observed is None
    assert failure.expected == "an owner with a name and an email"
    assert failure.references == ("NIST AI RMF GOVERN 2.1", "ISO/IEC 42001 A.3.2")


def test_to_dict_is_plain_json(evaluate: Callable[..., aimo.Verdict]) -> None:
    data = evaluate(make()).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["decision"] == "allow"
    assert len(data["digest"]) == 64
    assert set(data) == {
        "workflow_id",
        "stage",
        "decision",
        "required_tier",
        "findings",
        "evaluated_at",
        "policy_set",
        "digest",
    }


def test_the_digest_is_sha256_of_canonical_json(evaluate: Callable[..., aimo.Verdict]) -> None:
    workflow = aimo.Workflow.model_validate({"id": "a", "name": "Ä"})
    data = workflow.model_dump(mode="json", exclude_none=True)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert evaluate(workflow).digest == hashlib.sha256(canonical.encode()).hexdigest()


def test_the_digest_ignores_spelled_out_defaults_and_nulls(
    evaluate: Callable[..., aimo.Verdict],
) -> None:
    bare = evaluate({"id": "a"})
    explicit = evaluate({"stage": "idea", "inputs": [], "consequence": None, "id": "a"})
    assert bare.digest == explicit.digest
    assert evaluate({"id": "a", "name": "changed"}).digest != bare.digest


def test_the_digest_is_computed_only_when_read(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make())
    assert verdict._digest is None
    digest = verdict.digest
    assert verdict._digest == digest


def test_a_verdict_without_a_digest_is_invalid(evaluate: Callable[..., aimo.Verdict]) -> None:
    data = evaluate(make()).to_dict()
    del data["digest"]
    with pytest.raises(ValidationError, match="digest"):
        aimo.Verdict.model_validate(data)


def test_round_trip_keeps_everything(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"owner": DELETE, "review_tier": "heavy"}))
    again = aimo.Verdict.model_validate_json(verdict.to_json(indent=2))
    assert again == verdict
    assert again.failures == verdict.failures
    assert again.findings[0].outcome is aimo.Outcome.PASS


def test_verdicts_are_frozen(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make())
    with pytest.raises(ValidationError):
        verdict.decision = aimo.Decision.DENY  # type: ignore[misc]


def test_a_verdict_of_plain_data_digests_what_was_judged_not_what_it_became() -> None:
    document = make()
    judged = aimo.Engine(entry_points=False).evaluate(document, today=TODAY)
    expected = aimo.evaluate(aimo.Workflow.model_validate(make()), today=TODAY).digest
    # A pipeline that reuses its dict for the next row must not change this verdict's proof.
    document["name"] = "Something else entirely"
    document["inputs"].append({"name": "crm", "classification": "personal"})
    assert judged.digest == expected


def test_a_kept_verdict_of_plain_data_keeps_no_workflow_alive() -> None:
    import gc
    import weakref

    engine = aimo.Engine(entry_points=False)
    seen: list[weakref.ref[aimo.Workflow]] = []

    class Spy:
        @aimo.hookimpl
        def aimo_verdict(self, workflow: aimo.Workflow) -> None:
            seen.append(weakref.ref(workflow))

    spied = aimo.Engine(plugins=[Spy()], entry_points=False)
    verdicts = [spied.evaluate(make(), today=TODAY) for _ in range(3)]
    gc.collect()
    # Collecting verdicts must not keep fifty objects each alive for the garbage collector.
    assert all(ref() is None for ref in seen)
    assert len({v.digest for v in verdicts}) == 1
    assert verdicts[0].digest == engine.evaluate(make(), today=TODAY).digest
