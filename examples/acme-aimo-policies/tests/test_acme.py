"""Acme's policies, tested the way any plugin author can: with aimo's test kit."""

from __future__ import annotations

from hypothesis import given, settings

import aimo
from aimo import strategies
from aimo.testing import (
    assert_allows,
    assert_denies,
    assert_fails,
    assert_not_applicable,
    assert_passes,
    assert_warns,
)

PUBLIC = {
    "audience": "public",
    "consequence": "medium",
    "review_tier": "standard",
    "output_standard__checks__disclosure": "Created with AI assistance.",
    "output_standard__document": "https://wiki.acme.example/brand-voice",
    "reviewer__email": "lee@legal.example.com",
}


def test_the_plugin_is_installed(aimo_engine: aimo.Engine) -> None:
    sources = {ref.id: (ref.source, ref.version) for ref in aimo_engine.policy_set}
    assert sources["acme-brand-voice"] == ("acme-aimo-policies", "1.0.0")
    assert sources["acme-public-needs-legal"] == ("acme", "1.0")


def test_a_compliant_public_workflow_is_allowed(aimo_engine, make_workflow, aimo_today) -> None:
    verdict = aimo_engine.evaluate(make_workflow(**PUBLIC), today=aimo_today)
    assert_allows(verdict)
    assert_passes(verdict, "acme-brand-voice")
    assert_passes(verdict, "acme-public-needs-legal")


def test_brand_voice_fails_without_the_guide(aimo_engine, make_workflow, aimo_today) -> None:
    workflow = make_workflow(**{**PUBLIC, "output_standard__document": None})
    verdict = aimo_engine.evaluate(workflow, today=aimo_today)
    assert_fails(verdict, "acme-brand-voice", path="/output_standard/document")
    assert_denies(verdict)


def test_brand_voice_does_not_apply_to_internal_work(aimo_engine, make_workflow, aimo_today):
    verdict = aimo_engine.evaluate(make_workflow(audience="internal"), today=aimo_today)
    assert_not_applicable(verdict, "acme-brand-voice")
    assert_not_applicable(verdict, "acme-public-needs-legal")


def test_public_work_needs_a_legal_reviewer(aimo_engine, make_workflow, aimo_today) -> None:
    workflow = make_workflow(**{**PUBLIC, "reviewer__email": "sam@acme.example"})
    verdict = aimo_engine.evaluate(workflow, today=aimo_today)
    assert_fails(verdict, "acme-public-needs-legal", path="/reviewer/email")


def test_an_unsourced_input_only_warns(aimo_engine, make_workflow, aimo_today) -> None:
    workflow = make_workflow(inputs__0__source=None)
    verdict = aimo_engine.evaluate(workflow, today=aimo_today)
    assert_fails(verdict, "acme-inputs-sourced", path="/inputs/0/source")
    assert_warns(verdict)


@settings(max_examples=40, deadline=None)
@given(strategies.workflows())
def test_acme_policies_never_error(workflow: aimo.Workflow) -> None:
    verdict = aimo.Engine().evaluate(workflow)
    acme = [f for f in verdict.findings if f.policy_id.startswith("acme-")]
    assert acme
    assert all(f.outcome is not aimo.Outcome.ERROR for f in acme)
