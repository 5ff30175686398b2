from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import aimo

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")

# The suite judges aimo's own policies: plugins installed next to it must not change the
# verdicts it expects (the entry-point tests build their own environment).
os.environ["AIMO_DISABLE_PLUGIN_AUTOLOAD"] = "1"

TODAY = dt.date(2026, 11, 27)
DELETE = object()

#: A production workflow that every core policy passes (or finds not applicable) on TODAY.
COMPLIANT: dict[str, Any] = {
    "id": "weekly-channel-summary",
    "name": "Weekly channel performance summary",
    "stage": "production",
    "use_case": {
        "description": "Summarise paid-channel performance for the Monday budget meeting",
        "recurrence": "weekly",
        "decision": "Monday budget reallocation across paid channels",
        "success_measure": {
            "description": "Summary ready by 09:00 Monday with at most 2 corrections",
            "metric": "corrections_per_week",
            "target": 2,
            "higher_is_better": False,
        },
    },
    "consequence": "low",
    "audience": "internal",
    "content": {"types": ["text"], "makes_claims": False},
    "owner": {"name": "Dana Lee", "email": "dana.lee@example.com"},
    "reviewer": {"name": "Sam Ortiz", "email": "sam.ortiz@example.com"},
    "data_boundary": {"allowed": ["public", "internal"]},
    "inputs": [{"name": "ga4_weekly_export", "classification": "internal", "source": "GA4 export"}],
    "output_standard": {
        "description": "Three bullets and one table; every figure matches the dashboard",
        "document": "https://wiki.example.com/standards/channel-summary",
        "checks": {"max_length": 2000, "banned_phrases": ["guaranteed"]},
    },
    "escalation": {
        "contacts": [{"name": "Dana Lee", "email": "dana.lee@example.com"}],
        "steps": ["Pause the workflow", "Notify the owner"],
        "response_hours": 24,
    },
    "review_tier": "light",
    "infrastructure": {
        "choice": "public",
        "tool": "ChatGPT Enterprise",
        "rationale": "Internal, low-sensitivity data; no model control needed",
    },
    "production": {
        "went_live": "2026-09-01",
        "logging": True,
        "monitoring": True,
        "review_enforced": True,
    },
    "review": {
        "cadence_days": 90,
        "last_reviewed": "2026-10-01",
        "history": [{"date": "2026-10-01", "value": 1, "outcome": "keep"}],
    },
}


def make(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The compliant workflow with changes; keys are dotted paths, DELETE removes."""
    document = copy.deepcopy(COMPLIANT)
    for dotted, value in (changes or {}).items():
        *parents, last = dotted.split(".")
        target: Any = document
        for key in parents:
            target = target.setdefault(key, {})
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return document


@pytest.fixture(scope="session")
def engine() -> aimo.Engine:
    """The built-in policies only, whatever else is installed."""
    return aimo.Engine(entry_points=False)


@pytest.fixture
def evaluate(engine: aimo.Engine) -> Callable[..., aimo.Verdict]:
    def run(document: Any, **kwargs: Any) -> aimo.Verdict:
        kwargs.setdefault("today", TODAY)
        return engine.evaluate(document, **kwargs)

    return run


def findings_of(verdict: aimo.Verdict, policy_id: str) -> list[aimo.Finding]:
    return [f for f in verdict.findings if f.policy_id == policy_id]
