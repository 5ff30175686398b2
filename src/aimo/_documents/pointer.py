"""JSON Pointers (RFC 6901): writing one for a path, and reading the value one points at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

__all__ = ["escape", "pointer", "resolve", "unescape"]


def escape(token: str) -> str:
    """Escape one JSON Pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(parts: tuple[int | str, ...] | list[int | str]) -> str:
    """The JSON Pointer for a sequence of keys and indexes."""
    return "".join("/" + escape(str(part)) for part in parts)


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
