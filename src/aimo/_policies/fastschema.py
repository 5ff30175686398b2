"""A fast yes/no check for the JSON Schemas of declarative rules.

Most workflows pass most rules, so the common question is "is this valid?", not "what is
every error?". This module turns a schema into a tree of small Python closures that
answer the first question without re-walking the schema each time; when the answer is
no, the rule asks jsonschema for the detailed errors. Only keywords whose JSON Schema
2020-12 semantics are implemented here exactly are compiled: a schema using anything
else is not compiled, and jsonschema answers instead. Nothing from the schema is ever
executed: the closures are ours, the schema is only data they compare against.

The closures read plain JSON data, and also aimo's document models directly, as if they
were their JSON dump with nulls left out (``model_dump(mode="json", exclude_none=True)``):
dumping a workflow costs more than checking every rule of the marketing pack. A model's
lists may be tuples (documents are immutable in depth); a tuple is a JSON array here, as
in the dump. Where that equivalence is not obvious (``x-`` fields, comparing whole
objects), a closure raises :class:`Fallback` and the caller checks the dump instead.

Patterns are matched by RE2, in linear time, as everywhere in packs (see ``_patterns``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel

from aimo._policies.patterns import compile_pattern

Test = Callable[[Any], bool]

# Keywords that never affect validity.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not implement."""


class Fallback(Exception):
    """This value cannot be checked in its model form; check its JSON dump instead."""


_ABSENT = object()


def _field(model: BaseModel, name: str) -> Any:
    """A model's field as its JSON dump without nulls would hold it, or _ABSENT."""
    value = model.__dict__.get(name, _ABSENT)
    if value is _ABSENT:
        extra = model.__pydantic_extra__
        if extra and name in extra:
            raise Fallback  # x- fields hold plain data whose dump we do not imitate
        return _ABSENT
    return _ABSENT if value is None else value


def _plain(value: Any) -> Any:
    """A scalar or list read from a model, in its JSON form."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, BaseModel):
        raise Fallback
    return value


def _is_type(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict | BaseModel)
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "string":
        return isinstance(value, str | dt.date)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if isinstance(value, bool):
        return False
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    raise Unsupported(f"type {kind!r}")


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema defines it: true is not 1, 1 is 1.0, a tuple is an array."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return bool(a == b)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a is None and b is None


def compile_schema(schema: Any) -> Test | None:
    """A fast validity check for ``schema``, or None when it uses unsupported keywords.

    A pattern RE2 cannot compile (a :class:`~aimo._policies.patterns.PatternError`, a ValueError)
    makes it None too; loading a pack refuses such patterns before this is asked.
    """
    try:
        return _compile(schema)
    except (Unsupported, TypeError, ValueError):
        return None


def _compile(schema: Any) -> Test:
    if schema is True:
        return lambda value: True
    if schema is False:
        return lambda value: False
    if not isinstance(schema, Mapping):
        raise Unsupported("a schema is an object or a boolean")
    checks: list[Test] = []
    conditional: dict[str, Any] = {}
    for keyword, argument in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        if keyword in ("if", "then", "else"):
            conditional[keyword] = argument
            continue
        builder = _KEYWORDS.get(keyword)
        if builder is None:
            raise Unsupported(keyword)
        checks.append(builder(argument))
    if "if" in conditional:
        checks.append(_if_then_else(conditional))
    return _all(checks)


def _all(checks: list[Test]) -> Test:
    # Spelled out for the common sizes: a generator inside all() costs more than the checks.
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)
    return lambda value: all(check(value) for check in checks)


def _if_then_else(parts: dict[str, Any]) -> Test:
    test = _compile(parts["if"])
    then = _compile(parts.get("then", True))
    otherwise = _compile(parts.get("else", True))
    return lambda value: then(value) if test(value) else otherwise(value)


def _type(argument: Any) -> Test:
    kinds = [argument] if isinstance(argument, str) else list(argument)
    for kind in kinds:
        _is_type(None, kind)  # raises Unsupported for an unknown type name
    return lambda value: any(_is_type(value, kind) for kind in kinds)


def _const(argument: Any) -> Test:
    return lambda value: json_equal(_plain(value), argument)


def _enum(argument: Any) -> Test:
    options = list(argument)

    def check(value: Any) -> bool:
        value = _plain(value)
        return any(json_equal(value, option) for option in options)

    return check


def _properties(argument: Any) -> Test:
    compiled = [(name, _compile(sub)) for name, sub in argument.items()]

    def check(value: Any) -> bool:
        if isinstance(value, BaseModel):
            for name, sub in compiled:
                found = _field(value, name)
                if found is not _ABSENT and not sub(found):
                    return False
        elif isinstance(value, dict):
            for name, sub in compiled:
                if name in value and not sub(value[name]):
                    return False
        return True

    return check


def _required(argument: Any) -> Test:
    names = list(argument)

    def check(value: Any) -> bool:
        if isinstance(value, BaseModel):
            for name in names:
                if _field(value, name) is _ABSENT:
                    return False
        elif isinstance(value, dict):
            for name in names:
                if name not in value:
                    return False
        return True

    return check


def _items(argument: Any) -> Test:
    sub = _compile(argument)
    return lambda value: not isinstance(value, list | tuple) or all(sub(item) for item in value)


def _contains(argument: Any) -> Test:
    sub = _compile(argument)
    return lambda value: not isinstance(value, list | tuple) or any(sub(item) for item in value)


def _bound(
    kind: type | tuple[type, ...],
    measure: Callable[[Any], float],
    compare: Callable[[float, Any], bool],
) -> Callable[[Any], Test]:
    def build(argument: Any) -> Test:
        if isinstance(argument, bool) or not isinstance(argument, int | float):
            raise Unsupported("a bound is a number")

        def check(value: Any) -> bool:
            if kind is str and isinstance(value, dt.date):
                value = value.isoformat()  # a date is a string in the JSON dump
            elif kind is dict and isinstance(value, BaseModel):
                raise Fallback  # counting a model's dumped keys is the dump's job
            return not isinstance(value, kind) or compare(measure(value), argument)

        return check

    return build


def _number_bound(compare: Callable[[Any, Any], bool]) -> Callable[[Any], Test]:
    def build(argument: Any) -> Test:
        if isinstance(argument, bool) or not isinstance(argument, int | float):
            raise Unsupported("a bound is a number")

        def check(value: Any) -> bool:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return True
            return compare(value, argument)

        return check

    return build


def _pattern(argument: Any) -> Test:
    matches = compile_pattern(argument)

    def check(value: Any) -> bool:
        if isinstance(value, dt.date):
            value = value.isoformat()
        return not isinstance(value, str) or matches(value)

    return check


def _not(argument: Any) -> Test:
    sub = _compile(argument)
    return lambda value: not sub(value)


def _all_of(argument: Any) -> Test:
    subs = [_compile(s) for s in argument]
    return lambda value: all(sub(value) for sub in subs)


def _any_of(argument: Any) -> Test:
    subs = [_compile(s) for s in argument]
    return lambda value: any(sub(value) for sub in subs)


def _one_of(argument: Any) -> Test:
    subs = [_compile(s) for s in argument]
    return lambda value: sum(1 for sub in subs if sub(value)) == 1


_KEYWORDS: dict[str, Callable[[Any], Test]] = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "properties": _properties,
    "required": _required,
    "items": _items,
    "contains": _contains,
    "minItems": _bound((list, tuple), len, lambda n, bound: n >= bound),
    "maxItems": _bound((list, tuple), len, lambda n, bound: n <= bound),
    "minLength": _bound(str, len, lambda n, bound: n >= bound),
    "maxLength": _bound(str, len, lambda n, bound: n <= bound),
    "minProperties": _bound(dict, len, lambda n, bound: n >= bound),
    "maxProperties": _bound(dict, len, lambda n, bound: n <= bound),
    "minimum": _number_bound(lambda v, bound: v >= bound),
    "maximum": _number_bound(lambda v, bound: v <= bound),
    "exclusiveMinimum": _number_bound(lambda v, bound: v > bound),
    "exclusiveMaximum": _number_bound(lambda v, bound: v < bound),
    "pattern": _pattern,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
}
