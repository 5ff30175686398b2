"""A deterministic workload: workflow documents as plain dicts, as a pipeline holds them.

About a third of the documents break at least one of the three canonical rules
(data-boundary-allowed, tier-matches-consequence, escalation-path-present); the rest are
complete pilot or production workflows that pass them.
"""

from __future__ import annotations

import random
from typing import Any

CLASSES = ["public", "internal", "confidential", "personal"]
CONSEQUENCES = ["low", "medium", "high", "critical"]
REQUIRED = {"low": "light", "medium": "standard", "high": "heavy", "critical": "heavy"}
TIERS = ["light", "standard", "heavy"]


def document(index: int, rng: random.Random) -> dict[str, Any]:
    consequence = rng.choice(CONSEQUENCES)
    allowed = ["public", "internal"] + (["personal"] if rng.random() < 0.3 else [])
    doc: dict[str, Any] = {
        "id": f"workflow-{index:07d}",
        "name": f"Campaign workflow {index}",
        "stage": rng.choice(["pilot", "production"]),
        "use_case": {
            "description": "Draft segment emails for the weekly promotion",
            "recurrence": "weekly",
            "decision": "Which segments get the promotion",
            "success_measure": {
                "metric": "edits_per_email",
                "target": 2,
                "higher_is_better": False,
            },
        },
        "consequence": consequence,
        "audience": rng.choice(["internal", "partner"]),
        "owner": {"name": "Dana Lee", "email": "dana.lee@example.com"},
        "reviewer": {"name": "Sam Ortiz", "email": "sam.ortiz@example.com"},
        "data_boundary": {"allowed": allowed},
        "inputs": [
            {"name": f"source_{k}", "classification": rng.choice(allowed), "source": "warehouse"}
            for k in range(rng.randint(1, 3))
        ],
        "output_standard": {
            "description": "On-brand, one offer per email",
            "document": "https://wiki.example.com/standards/email",
        },
        "escalation": {
            "contacts": [{"name": "Dana Lee", "email": "dana.lee@example.com"}],
            "steps": ["Pause the workflow", "Notify the owner"],
        },
        "review_tier": REQUIRED[consequence],
        "infrastructure": {
            "choice": "owned",
            "rationale": "Customer data stays in-house",
            "sensitive_data": True,
        },
        "production": {
            "went_live": "2026-09-01",
            "logging": True,
            "monitoring": True,
            "review_enforced": True,
        },
        "review": {"cadence_days": 90, "last_reviewed": "2026-10-15"},
    }
    if rng.random() < 1 / 3:
        _break(doc, rng)
    return doc


def _break(doc: dict[str, Any], rng: random.Random) -> None:
    """Break one or more of the three rules, as real documents break them."""
    broken = rng.sample(["boundary", "tier", "escalation"], k=rng.randint(1, 2))
    if "boundary" in broken:
        doc["inputs"].append({"name": "crm_export", "classification": "confidential"})
    if "tier" in broken:
        if rng.random() < 0.2:
            del doc["review_tier"]
        elif doc["consequence"] == "low":
            doc["consequence"] = "high"
        else:
            doc["review_tier"] = "light"
    if "escalation" in broken:
        if doc["consequence"] == "low":
            doc["consequence"], doc["review_tier"] = "medium", "standard"
        del doc["escalation"][rng.choice(["contacts", "steps"])]


def generate(n: int, seed: int = 20261127) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [document(i, rng) for i in range(n)]
