"""Regular expressions in packs, matched by RE2 in time linear in the text.

Python's ``re`` backtracks: ``^(a+)+$`` against a name of 33 letters runs for minutes, and
jsonschema matches ``pattern`` and ``patternProperties`` with it. A pack is data that a
platform team accepts from other teams, so nothing in it may be able to hang an
evaluation. RE2 guarantees time linear in the text for every pattern it accepts; the price
is that it has no lookaround and no backreferences, so a pack cannot use them.

Every pattern of a rule goes through here: the fast check compiles it with
:func:`compile_pattern`, and the jsonschema validator of :func:`rule_validator` matches
``pattern``, ``patternProperties`` (and the keywords that consult it) with RE2 too. The
``re2`` module is imported when a pack's first pattern is compiled, not by ``import aimo``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "REASON",
    "PatternError",
    "compile_pattern",
    "metaschema_validator",
    "rule_validator",
]

#: Why a pattern RE2 cannot compile is refused, in one line.
REASON = "RE2 runs in linear time and does not support lookaround or backreferences"

Matcher = Callable[[str], bool]

# RE2's time is linear in the text with a factor that grows with the pattern. Its fast
# engine (a lazily built DFA) caches states within this memory budget; when a large
# pattern outgrows the default 8 MiB, RE2 falls back to its slower engine, and
# (a|b|ab|ba){1000}c took 2 s on 100 KB instead of 20 ms. The memory is only taken by
# patterns that need it, while they are matched.
_MAX_MEM = 64 << 20

# How many answers of one pattern are remembered, for texts of at most _SHORT characters.
_REMEMBERED = 512
_SHORT = 256


class PatternError(ValueError):
    """RE2 cannot compile a pattern; the message says why, in RE2's words."""


@functools.lru_cache(maxsize=2048)
def compile_pattern(pattern: str) -> Matcher:
    """Whether a text contains a match of ``pattern`` (a search, as JSON Schema has it).

    :raises PatternError: when RE2 cannot compile the pattern.
    """
    import re2  # type: ignore[import-untyped]

    if not isinstance(pattern, str):
        raise PatternError("a pattern is text")
    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not RE2's to print
    options.never_capture = True  # only "is there a match?" is asked: no groups to track
    options.max_mem = _MAX_MEM
    try:
        regex = re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise PatternError(str(detail) or "RE2 cannot compile it") from None
    search = regex.search

    def found(text: str) -> bool:
        try:
            return search(text) is not None
        except UnicodeEncodeError:
            # A lone surrogate (JSON allows "\ud800") has no UTF-8 form; RE2 reads the bytes.
            return search(text.encode("utf-8", "surrogatepass")) is not None

    # The binding costs microseconds a call, and the same short texts come back in every
    # workflow (field names, classes, emails): remember those answers, not long texts.
    remembered = functools.lru_cache(maxsize=_REMEMBERED)(found)

    def matches(text: str) -> bool:
        return remembered(text) if len(text) <= _SHORT else found(text)

    return matches


def _search(pattern: str, text: str) -> bool:
    # A pattern that RE2 cannot compile raises here, inside the rule: its finding is an
    # error. Loading a pack refuses such patterns first, so this is a second line only.
    return compile_pattern(pattern)(text)


# -- jsonschema, with RE2 for every keyword that matches a pattern ----------------------
#
# jsonschema 4 calls ``re.search`` in four keywords: pattern, patternProperties, and the
# two that skip the properties patternProperties covers (additionalProperties,
# unevaluatedProperties). Each is reimplemented below with the same errors, messages and
# paths as jsonschema's own, only the matching differs.


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional(instance: Mapping[str, Any], schema: Any) -> Iterator[str]:
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    for key in instance:
        if key not in properties and not any(_search(p, key) for p in patterns):
            yield key


def _extras(extras: list[Any]) -> tuple[str, str]:
    verb = "was" if len(extras) == 1 else "were"
    return ", ".join(repr(extra) for extra in extras), verb


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = set(_additional(instance, schema))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            names, verb = _extras(sorted(extras, key=str))
            yield ValidationError(
                f"Additional properties are not allowed ({names} {verb} unexpected)"
            )


def _is_valid(errors: Iterator[Any]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: Any, instance: Any, schema: Any) -> list[str]:
    """The keys of ``instance`` that ``schema`` evaluates, for unevaluatedProperties."""
    if validator.is_type(schema, "boolean"):
        return []
    keys: list[str] = []
    for keyword in ("$ref", "$dynamicRef"):
        reference = schema.get(keyword)
        if reference is not None:
            # jsonschema's own resolver: the same lookup its unevaluatedProperties makes.
            resolved = validator._resolver.lookup(reference)
            keys.extend(
                _evaluated_keys(
                    validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                    instance,
                    resolved.contents,
                )
            )
    properties = schema.get("properties")
    if validator.is_type(properties, "object"):
        keys += properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            keys += (
                key
                for key, value in instance.items()
                if _is_valid(validator.descend(value, subschema))
            )
    if "patternProperties" in schema:
        for key in instance:
            for pattern in schema["patternProperties"]:
                if _search(pattern, key):
                    keys.append(key)
    if "dependentSchemas" in schema:
        for key, subschema in schema["dependentSchemas"].items():
            if key in instance:
                keys += _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _is_valid(validator.descend(instance, subschema)):
                keys += _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"])
    return keys


def _unevaluated_properties(
    validator: Any, unevaluated: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    # Once per error, not per key, as jsonschema's own message lists them.
    invalid = [
        key
        for key in instance
        if key not in evaluated
        for _ in validator.descend(instance[key], unevaluated, path=key, schema_path=key)
    ]
    if invalid:
        if unevaluated is False:
            names, verb = _extras(sorted(invalid, key=str))
            yield ValidationError(
                f"Unevaluated properties are not allowed ({names} {verb} unexpected)"
            )
        else:
            names, verb = _extras(invalid)
            yield ValidationError(
                "Unevaluated properties are not valid under the given schema "
                f"({names} {verb} unevaluated and invalid)"
            )


@functools.cache
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
            "unevaluatedProperties": _unevaluated_properties,
        },
    )


def rule_validator(schema: Any) -> Any:
    """A JSON Schema 2020-12 validator for one rule's schema, matching patterns with RE2."""
    return _validator_class()(schema)


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


@functools.cache
def metaschema_validator() -> Any:
    """The validator that checks a rule's schema is valid 2020-12 whose patterns RE2 takes.

    It checks every format jsonschema's own schema check does; only ``regex`` is RE2's.
    Its errors for a pattern RE2 cannot compile are ``format`` errors whose ``cause`` is
    the :class:`PatternError`.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = {
        **Draft202012Validator.FORMAT_CHECKER.checkers,
        "regex": (_is_regex, PatternError),
    }
    return Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=checker)
