"""The run policies of spec section 4.3 (being written)."""

from __future__ import annotations

from aimo._hooks import hookimpl
from aimo._policy import Policy

POLICIES: tuple[Policy, ...] = ()


@hookimpl
def aimo_policies() -> list[Policy]:
    """aimo's run-time policies, registered through the same hook as any plugin."""
    return list(POLICIES)
