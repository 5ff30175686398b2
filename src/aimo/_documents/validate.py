"""Validating plain data as a document model: every problem at once, in words a person can
act on, at its JSON Pointer (and line, when the data came from a file)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aimo._documents.models import (
    LEVEL,
    MAX_DIGITS,
    SCHEDULE,
    X_FIELD,
    unknown_field_message,
    writable,
)
from aimo._documents.pointer import pointer, resolve
from aimo._documents.source import SourceMap
from aimo._errors import DocumentError, Problem, quote

__all__ = ["validate"]


M = TypeVar("M", bound=BaseModel)

PLAIN_DATA = (
    "an 'x-' field holds plain data: text, numbers, true/false, null, lists and mappings "
    "with text keys"
)

TOO_DEEP = (
    "this value nests too deeply, or holds itself, to be checked: an 'x-' field holds "
    "plain data a few levels deep"
)
#: pydantic's errors for a value that nests deeper than it validates, or holds itself.
_TOO_DEEP = frozenset({"recursion_loop", "recursion_depth_exceeded"})


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, set | frozenset):
        return "a set"
    return quote(value, 60)


def _date_message(found: dt.date) -> str:
    # YAML reads an unquoted 2026-11-27 as a date, wherever it stands.
    return (
        f"YAML reads {found.isoformat()} as a date, and only date fields hold dates; "
        f"quote it ('{found.isoformat()}') to keep it as text"
    )


def _message(cls: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == X_FIELD:
        # pydantic-core checks the names of extra fields against ^x-: this one is a typo.
        return unknown_field_message(cls, error["loc"])
    found = error.get("input")
    if type(found) is dt.date and kind != "date_form":
        return _date_message(found)
    message = str(error["msg"])
    if kind in {"unknown_class", "schedule_order"} or "input" not in error:
        return message
    return f"{message[0].lower()}{message[1:]} (found {_describe(found)})"


def _x_field(loc: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The location of the x- field that ``loc`` lies in, if any."""
    for index, part in enumerate(loc):
        if isinstance(part, str) and part.startswith("x-"):
            return loc[: index + 1]
    return None


_BRANCHES = frozenset({LEVEL, SCHEDULE})


def validate(cls: type[M], data: Any, source: SourceMap | None = None, prefix: str = "") -> M:
    """Validate ``data`` as ``cls``, turning every validation error into one DocumentError."""
    try:
        # The validator itself, not model_validate: one Python layer less per document.
        result: M = cls.__pydantic_validator__.validate_python(data)
        return result
    except ValidationError as exc:
        problems: dict[str, Problem] = {}

        def add(loc: tuple[int | str, ...], message: str) -> None:
            path = prefix + pointer(loc)
            line, column = source.position(path) if source else (None, None)
            file = source.file if source else None
            problems.setdefault(path + "\0" + message, Problem(path, message, file, line, column))

        x_fields: set[tuple[int | str, ...]] = set()
        too_deep: set[tuple[int | str, ...]] = set()
        for error in exc.errors(include_url=False):
            # The names of a union's branches are not places in the document.
            loc = tuple(part for part in error["loc"] if part not in _BRANCHES)
            x_field = _x_field(loc)
            pattern = (error.get("ctx") or {}).get("pattern")
            if x_field is not None and pattern != X_FIELD:
                # One problem per x- field, not one per alternative of the plain-data union.
                x_fields.add(x_field)
                if error["type"] in _TOO_DEEP:
                    too_deep.add(x_field)
            else:
                add(loc, _message(cls, error))
        for x_field in sorted(x_fields, key=str):
            if x_field in too_deep:
                # Walking such a value to explain it would recurse as deep as it does.
                add(x_field, TOO_DEEP)
                continue
            found = list(_not_plain(resolve(data, pointer(x_field)), x_field))
            for loc, message in found or [(x_field, PLAIN_DATA)]:
                add(loc, message)
        raise DocumentError(problems.values()) from None


def _not_plain(
    value: Any, loc: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """Where an x- field's value leaves JSON's data model, and how, for its problem."""
    if type(value) is dt.date:
        yield loc, _date_message(value)
    elif isinstance(value, float) and not math.isfinite(value):
        yield loc, f"{value} is not a finite number; JSON has no NaN or infinity"
    elif type(value) is int and not writable(value):
        yield loc, f"this number has more than {MAX_DIGITS:,} digits; the most is {MAX_DIGITS:,}"
    elif isinstance(value, set | frozenset):
        yield loc, "a set has no order, so it is not allowed here: use a list"
    elif isinstance(value, bytes | bytearray):
        yield loc, "binary data is not allowed here: use text"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _not_plain(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_plain(item, (*loc, index))
