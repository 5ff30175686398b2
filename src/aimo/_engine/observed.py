"""Reading the value a finding observed: a JSON Pointer into the document, as JSON."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

from aimo._documents.source import unescape

__all__ = ["jsonable", "resolve"]


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


def resolve(document: Any, path: str) -> Any:
    """The value at JSON Pointer ``path`` in a model or plain data, or None when absent."""
    current = document
    if not path:
        return current
    for token in path[1:].split("/"):
        if current is None:
            return None
        key = unescape(token) if "~" in token else token
        kind = type(current)
        if kind is list or kind is tuple:
            if not key.isdigit() or int(key) >= len(current):
                return None
            current = current[int(key)]
        elif kind is dict:
            current = current.get(key)
        elif isinstance(current, BaseModel):
            # Fields live in __dict__, x- fields in the extras: no per-class lookups needed.
            found = current.__dict__.get(key, _ABSENT)
            if found is _ABSENT:
                found = (current.__pydantic_extra__ or {}).get(key)
            current = found
        elif isinstance(current, Mapping):
            current = current.get(key)
        else:
            return None
    return current


_ABSENT = object()
