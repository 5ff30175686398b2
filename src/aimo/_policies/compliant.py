"""The compliant workflow: a complete production workflow that every built-in policy
passes, or finds not applicable, on a given date.

One definition, shared by the test kit (``make_workflow``, case files) and the hypothesis
strategies (which vary it): if a built-in policy changes what it asks, this is the one
place that answers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

from aimo._documents.dates import shift
from aimo._documents.models import Workflow
from aimo._documents.validate import validate

__all__ = ["compliant_document", "compliant_workflow"]


def _base_document(today: dt.date) -> dict[str, Any]:
    # Dates follow `today` so that the workflow is current on whatever date it is judged.
    went_live = shift(today, -60).isoformat()
    reviewed = shift(today, -30).isoformat()
    return {
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
        # Not the owner, so that raising the consequence needs no new reviewer.
        "reviewer": {"name": "Sam Ortiz", "email": "sam.ortiz@example.com"},
        "data_boundary": {"allowed": ["public", "internal"]},
        "inputs": [
            {"name": "ga4_weekly_export", "classification": "internal", "source": "GA4 export"}
        ],
        "output_standard": {
            "description": "Three bullets and one table; every figure matches the dashboard",
            "document": "https://wiki.example.com/standards/channel-summary",
            "checks": {"max_length": 2000, "banned_phrases": ["guaranteed", "risk-free"]},
        },
        # Present although a low-consequence workflow needs none, for the same reason.
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
            "went_live": went_live,
            "logging": True,
            "monitoring": True,
            "review_enforced": True,
        },
        "review": {
            "cadence_days": 90,
            "last_reviewed": reviewed,
            "history": [{"date": reviewed, "value": 1, "outcome": "keep"}],
        },
    }


def _plain(value: Any) -> Any:
    """Plain data for a value given in Python: document parts and enums included."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _override(document: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split("__")
    if not all(parts):
        raise TypeError(
            f"The override {key!r} has an empty part; write nested fields like owner__email."
        )
    target: Any = document
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(target, dict):
            if last:
                if value is None:
                    target.pop(part, None)
                else:
                    target[part] = _plain(value)
                return
            child = target.get(part)
            if child is None:
                if value is None:
                    return  # removing something that is not there
                child = target[part] = {}
        elif isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                raise TypeError(
                    f"The override {key!r} needs item {part!r} of a list of {len(target)}; "
                    "use an index such as 0."
                )
            if last:
                if value is None:
                    del target[int(part)]
                else:
                    target[int(part)] = _plain(value)
                return
            child = target[int(part)]
        else:
            raise TypeError(
                f"The override {key!r} reaches into {'__'.join(parts[:depth])!r}, which "
                f"holds {target!r}, not a set of fields."
            )
        target = child


def compliant_document(today: dt.date, /, **overrides: Any) -> dict[str, Any]:
    """The compliant workflow of :func:`compliant_workflow` as plain data, with overrides."""
    document = _base_document(today)
    for key, value in overrides.items():
        _override(document, key, value)
    return document


def compliant_workflow(today: dt.date, /, **overrides: Any) -> Workflow:
    """A complete production workflow that every built-in policy passes on ``today``.

    Built-in policies either pass or do not apply; the dates (went live, last reviewed) are
    relative to ``today``. Keyword arguments change it: ``consequence="high"`` replaces a
    field, ``owner__email="x@example.com"`` (double underscore) reaches into one,
    ``inputs__0__classification="personal"`` into a list item, and ``None`` removes the
    field. Values may be plain data or aimo document parts such as :class:`aimo.Person`.

    :raises aimo.DocumentError: when the changes make the workflow invalid.
    :raises TypeError: when an override cannot be applied to the workflow's shape.
    """
    return validate(Workflow, compliant_document(today, **overrides))
