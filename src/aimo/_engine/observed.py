"""The value a finding observed, as JSON: whatever a policy found, in strict JSON's terms."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

__all__ = ["jsonable"]


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """A JSON-compatible form of a value read from a document, for ``observed``.

    Strict JSON: a NaN or infinity a policy passes (documents cannot hold one) becomes its
    name as text, since RFC 8259 has no such numbers.
    """
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    # Exact types first: isinstance against an ABC such as Mapping costs far more.
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, str | int):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)
