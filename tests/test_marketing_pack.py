"""The marketing pack: each rule made to pass, to fail, and not to apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import aimo
from conftest import DELETE, findings_of, make

PUBLIC_TEXT = {
    "audience": "public",
    "consequence": "medium",
    "review_tier": "standard",
    "content.types": ["text"],
    "output_standard.checks.disclosure": "Created with AI assistance.",
}
PUBLIC_VIDEO = {
    **PUBLIC_TEXT,
    "content.types": ["video"],
    "content.depicts_real_people": True,
}
PUBLIC_CHAT = {**PUBLIC_TEXT, "content.types": ["chat"]}
MINORS = {
    "content.targets_minors": True,
    "consequence": "high",
    "review_tier": "heavy",
}
PERSONAL = {
    "data_boundary.allowed": ["internal", "personal"],
    "inputs": [
        {"name": "ga4", "classification": "internal"},
        {"name": "parents", "classification": "personal"},
    ],
}

CASES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("claims-substantiated", "not_applicable", {}, []),
    (
        "claims-substantiated",
        "pass",
        {"content.makes_claims": True, "content.substantiation": ["https://lab.example/2026"]},
        [],
    ),
    ("claims-substantiated", "fail", {"content.makes_claims": True}, ["/content/substantiation"]),
    ("claims-substantiated", "not_applicable", {"stage": "idea", "content.makes_claims": True}, []),
    ("synthetic-media-disclosed", "not_applicable", {}, []),
    ("synthetic-media-disclosed", "pass", PUBLIC_VIDEO, []),
    (
        "synthetic-media-disclosed",
        "fail",
        {**PUBLIC_VIDEO, "output_standard.checks.disclosure": DELETE},
        ["/output_standard/checks/disclosure"],
    ),
    (
        "synthetic-media-disclosed",
        "fail",
        {**PUBLIC_VIDEO, "output_standard": DELETE},
        ["/output_standard"],
    ),
    # Synthetic people in an internal deck need no public label.
    ("synthetic-media-disclosed", "not_applicable", {**PUBLIC_VIDEO, "audience": "internal"}, []),
    (
        "synthetic-media-disclosed",
        "not_applicable",
        {**PUBLIC_VIDEO, "content.depicts_real_people": False},
        [],
    ),
    ("ai-text-disclosed-or-edited", "not_applicable", {}, []),
    ("ai-text-disclosed-or-edited", "pass", PUBLIC_TEXT, []),
    (
        "ai-text-disclosed-or-edited",
        "pass",
        {
            **PUBLIC_TEXT,
            "output_standard.checks.disclosure": DELETE,
            "consequence": "high",
            "review_tier": "heavy",
        },
        [],
    ),
    (
        "ai-text-disclosed-or-edited",
        "fail",
        {**PUBLIC_TEXT, "output_standard.checks.disclosure": DELETE},
        ["/output_standard/checks/disclosure"],
    ),
    (
        "ai-text-disclosed-or-edited",
        "fail",
        {
            **PUBLIC_TEXT,
            "output_standard.checks.disclosure": DELETE,
            "consequence": "high",
            "review_tier": "heavy",
            "reviewer": {"email": "sam@example.com"},
        },
        ["/output_standard/checks/disclosure"],
    ),
    ("ai-text-disclosed-or-edited", "not_applicable", {**PUBLIC_TEXT, "audience": "partner"}, []),
    ("chatbot-discloses-ai", "not_applicable", PUBLIC_TEXT, []),
    ("chatbot-discloses-ai", "pass", PUBLIC_CHAT, []),
    (
        "chatbot-discloses-ai",
        "fail",
        {**PUBLIC_CHAT, "output_standard.checks.disclosure": DELETE},
        ["/output_standard/checks/disclosure"],
    ),
    ("chatbot-discloses-ai", "not_applicable", {**PUBLIC_CHAT, "stage": "idea"}, []),
    ("minors-protected", "not_applicable", {}, []),
    ("minors-protected", "pass", MINORS, []),
    ("minors-protected", "pass", {**MINORS, **PERSONAL, "infrastructure.choice": "owned"}, []),
    (
        "minors-protected",
        "fail",
        {**MINORS, "consequence": "medium", "review_tier": "standard"},
        ["/consequence"],
    ),
    ("minors-protected", "fail", {**MINORS, "consequence": DELETE}, ["/consequence"]),
    ("minors-protected", "fail", {**MINORS, **PERSONAL}, ["/inputs/1/classification"]),
    ("minors-protected", "not_applicable", {**MINORS, "stage": "idea", "consequence": "low"}, []),
]


@pytest.mark.parametrize(
    ("policy_id", "outcome", "changes", "paths"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_marketing_rule(
    evaluate: Callable[..., aimo.Verdict],
    policy_id: str,
    outcome: str,
    changes: dict[str, Any],
    paths: list[str],
) -> None:
    found = findings_of(evaluate(make(changes)), policy_id)
    assert {f.outcome.value for f in found} == {outcome}, [f.message for f in found]
    if outcome == "fail":
        assert [f.path for f in found] == paths
        for finding in found:
            assert finding.remediation
            assert finding.references


def test_every_marketing_rule_is_made_to_pass_fail_and_not_apply(engine: aimo.Engine) -> None:
    covered: dict[str, set[str]] = {}
    for policy_id, outcome, _, _ in CASES:
        covered.setdefault(policy_id, set()).add(outcome)
    marketing = [p for p in engine.policies if p.pack == "marketing"]
    assert [p.id for p in marketing] == [
        "claims-substantiated",
        "synthetic-media-disclosed",
        "ai-text-disclosed-or-edited",
        "chatbot-discloses-ai",
        "minors-protected",
    ]
    for policy in marketing:
        assert covered[policy.id] == {"pass", "fail", "not_applicable"}, policy.id


def test_marketing_rules_match_the_spec(engine: aimo.Engine) -> None:
    spec = {
        "claims-substantiated": ("hard_mandatory", "FTC Advertising Substantiation"),
        "synthetic-media-disclosed": ("mandatory", "EU AI Act Art. 50(4)"),
        "ai-text-disclosed-or-edited": ("mandatory", "EU AI Act Art. 50(4), second"),
        "chatbot-discloses-ai": ("mandatory", "EU AI Act Art. 50(1)"),
        "minors-protected": ("hard_mandatory", "COPPA (16 CFR 312)"),
    }
    for policy in engine.policies:
        if policy.id in spec:
            enforcement, source = spec[policy.id]
            assert policy.enforcement.value == enforcement
            assert policy.applies_from is aimo.Stage.PILOT
            assert policy.references[0].startswith(source)
    minors = next(p for p in engine.policies if p.id == "minors-protected")
    assert "CCPA 1798.120(c)" in minors.references


def test_marketing_findings_carry_the_pack_version(evaluate: Callable[..., aimo.Verdict]) -> None:
    verdict = evaluate(make({"content.makes_claims": True}))
    ref = next(r for r in verdict.policy_set if r.id == "claims-substantiated")
    assert (ref.source, ref.version) == ("marketing", "1.0")
    assert verdict.decision is aimo.Decision.DENY
