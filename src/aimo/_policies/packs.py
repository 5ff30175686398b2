"""Declarative policy packs: YAML files whose rules are JSON Schemas (spec section 4.5).

A rule says what a workflow must satisfy (``require``), optionally only ``when`` another
schema matches. Nothing in a pack ever runs: a pack is data, validated against
:data:`PACK_SCHEMA` when it is loaded, and its schemas may only refer within themselves.

Loading also refuses what would make a rule wrong without a word: values JSON does not
have (a YAML date compared as a date), patterns that could take exponential time (every
pattern is RE2's, see ``_patterns``), and field names the workflow does not have (see
``_rulefields``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.pointer import pointer
from aimo._documents.reader import read
from aimo._engine.pack import Pack
from aimo._engine.policy import (
    METADATA,
    Context,
    NotApplicable,
    Policy,
    PolicyMetadata,
    Violation,
)
from aimo._errors import DocumentError, PolicyError
from aimo._policies.fastschema import Fallback, compile_schema
from aimo._policies.patterns import REASON, PatternError, metaschema_validator, rule_validator
from aimo._policies.rulefields import unknown_fields

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError as SchemaValidationError

__all__ = ["PACK_SCHEMA", "builtin_pack_paths", "load_pack"]

_SLUG = "^[a-z0-9][a-z0-9-]{0,62}$"
_TEXT = {"type": "string", "minLength": 1}
_SCHEMA = {"type": ["object", "boolean"]}

#: The JSON Schema every pack file must satisfy; ``aimo schema --pack`` prints it.
PACK_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:aimo:schema:pack:1",
    "title": "aimo policy pack",
    "description": "A declarative policy pack: rules that are JSON Schemas a workflow must "
    "satisfy. No code in a pack ever runs.",
    "type": "object",
    "required": ["pack", "version", "policies"],
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "properties": {
        "pack": {"type": "string", "pattern": _SLUG, "description": "The pack's name."},
        "version": {**_TEXT, "description": "The pack's version, reported in verdicts."},
        "description": _TEXT,
        "policies": {
            "type": "array",
            "items": {"$ref": "#/$defs/rule"},
            "description": "The pack's rules, each a policy.",
        },
    },
    "$defs": {
        "rule": {
            "type": "object",
            "required": ["id", "title", "require", "message"],
            "additionalProperties": False,
            "patternProperties": {"^x-": {}},
            "properties": {
                "id": {"type": "string", "pattern": _SLUG},
                "title": _TEXT,
                "description": {
                    **_TEXT,
                    "description": "What the rule checks and why; the first paragraph is "
                    "what, the rest why.",
                },
                "severity": {"enum": ["info", "low", "medium", "high", "critical"]},
                "enforcement": {"enum": ["shadow", "advisory", "mandatory", "hard_mandatory"]},
                "applies_from": {"enum": ["idea", "pilot", "production"]},
                "scope": {
                    "enum": ["workflow", "model"],
                    "description": "What the rule's schemas judge: each workflow "
                    "(default), or the operating model as a whole (its own fields, not its "
                    "workflows), once each time a model is judged.",
                },
                "retired": {"type": "boolean"},
                "seed_section": _TEXT,
                "references": {"type": "array", "items": _TEXT},
                "controls": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/control"},
                    "description": "The framework controls the rule helps with; by "
                    "default, those its references cite (a reference starting 'NIST AI "
                    "RMF', 'ISO/IEC 42001' or 'EU AI Act').",
                },
                "when": {
                    **_SCHEMA,
                    "description": "Apply the rule only to workflows that "
                    "match this schema; otherwise it is not_applicable.",
                },
                "require": {**_SCHEMA, "description": "The schema the workflow must satisfy."},
                "message": {**_TEXT, "description": "What is wrong, for a marketing manager."},
                "remediation": _TEXT,
            },
        },
        "control": {
            "type": "object",
            "required": ["framework", "id"],
            "additionalProperties": False,
            "properties": {
                "framework": {**_TEXT, "description": "Such as 'NIST AI RMF'."},
                "id": {
                    **_TEXT,
                    "description": "The control in that framework, such as 'GOVERN 1.3'.",
                },
            },
        },
    },
}


@functools.cache
def _pack_validator() -> Any:
    # jsonschema is imported when the first pack is loaded, not by `import aimo`.
    import jsonschema

    return jsonschema.Draft202012Validator(PACK_SCHEMA)


_REQUIRED = re.compile(r"^'(.*)' is a required property$")


def _local_refs_only(schema: Any, where: str) -> Iterator[str]:
    """Yield a problem for each reference that points outside the schema itself."""
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if key in ("$ref", "$dynamicRef") and not (
                isinstance(value, str) and value.startswith("#")
            ):
                yield (
                    f"{where}/{key} refers to {_quote(value)}; a pack may only refer within itself"
                )
            elif key in ("$schema", "$id", "$anchor", "$dynamicAnchor") and where:
                yield f"{where}/{key} is not allowed in a rule; rules use JSON Schema 2020-12"
            else:
                yield from _local_refs_only(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _local_refs_only(item, f"{where}/{index}")


def _expected(error: SchemaValidationError) -> Any:
    if error.validator == "required":
        return "this field present"
    return {str(error.validator): error.validator_value}


class _Rule:
    """The check of one declarative rule: two compiled schemas, no code from the pack."""

    __slots__ = ("message", "not_matching", "require", "require_fast", "when")

    def __init__(self, require: Any, when: Any, message: str, scope: str | None = None) -> None:
        self.require = rule_validator(require)
        # Most workflows pass: answer "valid?" fast, and ask jsonschema only for the errors.
        self.require_fast = compile_schema(require) or _on_dump(self.require)
        self.when = None
        if when is not None:
            self.when = compile_schema(when) or _on_dump(rule_validator(when))
        self.message = message
        self.not_matching = _NOT_MATCHING_MODEL if scope == "model" else _NOT_MATCHING

    def __call__(self, workflow: Workflow, ctx: Context) -> list[Violation | NotApplicable]:
        # A model-level rule gets the operating model here, as its own fields.
        if self.when is not None and not _holds(self.when, workflow, ctx):
            return self.not_matching
        if _holds(self.require_fast, workflow, ctx):
            return []
        return list(self._violations(ctx.plain(workflow)))

    def _violations(self, document: Any) -> Iterator[Violation]:
        for error in self.require.iter_errors(document):
            path = list(error.absolute_path)
            observed = error.instance
            if error.validator == "required":
                # Point at the missing field itself, not at the object that lacks it.
                missing = _REQUIRED.match(error.message)
                if missing:
                    path.append(missing.group(1))
                observed = None
            yield Violation(
                self.message, path=pointer(path), observed=observed, expected=_expected(error)
            )


def _on_dump(validator: Any) -> Callable[[Any], bool]:
    """jsonschema's own check, for schemas the fast compiler declines: dump data only."""

    def check(document: Any) -> bool:
        if isinstance(document, BaseModel):
            raise Fallback
        return bool(validator.is_valid(document))

    return check


_NOT_MATCHING: list[Violation | NotApplicable] = [
    NotApplicable("The rule's condition does not match this workflow.")
]
_NOT_MATCHING_MODEL: list[Violation | NotApplicable] = [
    NotApplicable("The rule's condition does not match this operating model.")
]


def _holds(check: Callable[[Any], bool], workflow: Workflow, ctx: Context) -> bool:
    """Whether the workflow satisfies a compiled schema: on the model, else on its dump."""
    try:
        return check(workflow)
    except Fallback:
        return check(ctx.plain(workflow))


#: The longest a value quoted in a pack error may be, in characters.
QUOTE_LIMIT = 200


def _cut(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 3] + "..."


def _quote(value: Any) -> str:
    """A value as a pack error quotes it: its repr, cut to :data:`QUOTE_LIMIT` characters."""
    return _cut(repr(value))


def _shortened(message: str, instance: Any) -> str:
    """A jsonschema message with the instance it quotes (or that one's keys) cut short."""
    quoted = [instance, *instance] if isinstance(instance, dict) else [instance]
    for value in quoted:
        text = repr(value)
        if len(text) > QUOTE_LIMIT and text in message:
            message = message.replace(text, _quote(value))
    return message


def _rule_name(data: Any, index: int) -> str:
    rules = data.get("policies") if isinstance(data, Mapping) else None
    if isinstance(rules, list) and index < len(rules) and isinstance(rules[index], Mapping):
        rule_id = rules[index].get("id")
        if isinstance(rule_id, str):
            return f"rule {_quote(rule_id)}"
    return f"rule {index + 1}"


def _rule_prefix(data: Any, where: list[Any]) -> str:
    """``rule 'id': `` for a place inside a rule, else nothing."""
    if where[:1] == ["policies"] and len(where) > 1 and isinstance(where[1], int):
        return f"{_rule_name(data, where[1])}: "
    return ""


def _kind(value: Any) -> str:
    """What a value is, in words, without quoting it."""
    if value is None:
        return "an empty file"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return "a value of another kind"


def _not_json(value: Any, where: list[Any]) -> Iterator[tuple[list[Any], str]]:
    """Yield a problem for each value JSON does not have, anywhere in ``value``.

    A rule compares the workflow's JSON form: a YAML date there is never equal to the
    date string a workflow holds, and NaN is equal to nothing, so either would silently
    change what a rule decides.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _not_json(item, [*where, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_json(item, [*where, index])
    elif isinstance(value, dt.date):
        # A datetime is a date too: both are YAML timestamps.
        yield (
            where,
            f"{value.isoformat()} is read as a date, and a pack holds JSON data only: "
            f"put it in quotes ('{value.isoformat()}') to compare it with a date field",
        )
    elif isinstance(value, float) and not math.isfinite(value):
        yield where, f"{value} is not a finite number, and a pack holds finite numbers only"
    elif not (value is None or isinstance(value, str | bool | int | float)):
        kind = type(value).__name__
        yield where, f"this value ({kind}) is not JSON data, and a pack holds JSON data only"


def _pattern_problem(error: Any) -> tuple[list[Any], str] | None:
    """The place and message for a pattern RE2 refuses, from a metaschema error."""
    if error.validator != "format" or not isinstance(error.cause, PatternError):
        return None
    at = list(error.absolute_path)
    if at[-1:] == ["patternProperties"]:
        at.append(error.instance)  # the pattern is the key
    message = (
        f"the pattern {_quote(error.instance)} cannot be used: {REASON} ({_cut(str(error.cause))})"
    )
    return at, message


def _rule_problems(
    file: str, name: str, key: str, schema: Any, model: type[BaseModel] = Workflow
) -> list[str]:
    """Every problem with one schema of a rule; a malformed schema raises at once."""
    bad = list(_local_refs_only(schema, ""))
    if bad:
        raise PolicyError(f"{file}: {name}: {_cut(key + bad[0])}")
    problems: list[str] = []
    for error in metaschema_validator().iter_errors(schema):
        found = _pattern_problem(error)
        if found is None:
            where = _cut(pointer(list(error.absolute_path)))
            raise PolicyError(
                f"{file}: {name}: '{key}' is not a valid JSON Schema at {where or '/'}: "
                f"{_shortened(error.message, error.instance)}"
            )
        at, message = found
        problems.append(f"{name}: {_cut(key + pointer(at))}: {message}")
    for unknown in unknown_fields(schema, model):
        problems.append(f"{name}: {_cut(key + pointer(unknown.at))}: {unknown.message}")
    return problems


def load_pack(path: str | os.PathLike[str]) -> Pack:
    """Load and validate one pack file.

    :raises PolicyError: naming the file, the rule and the problem, for any invalid pack.
    """
    file = os.fspath(path)
    try:
        parsed = read(file)
    except DocumentError as exc:
        first = exc.problems[0]
        line = f"line {first.line}, " if first.line is not None else ""
        raise PolicyError(
            f"{file}: the pack cannot be read: {line}{first.path or '/'}: {first.message}"
        ) from None
    data = parsed.data
    if not isinstance(data, dict):
        # Never quote it: a path that names the wrong file must not print that file.
        raise PolicyError(
            f"{file}: invalid pack: the pack must be a mapping with pack, version and "
            f"policies, not {_kind(data)}"
        )
    problems = [f"{p.path or '/'}: {p.message}" for p in parsed.problems]
    not_json = [
        f"{_rule_prefix(data, where)}{_cut(pointer(where))}: {message}"
        for where, message in _not_json(data, [])
    ]
    if not_json:
        raise PolicyError(f"{file}: invalid pack: " + "; ".join([*problems, *not_json]))
    for error in sorted(_pack_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = list(error.absolute_path)
        problems.append(
            f"{_rule_prefix(data, where)}{_cut(pointer(where)) or '/'}: "
            f"{_shortened(error.message, error.instance)}"
        )
    if problems:
        raise PolicyError(f"{file}: invalid pack: " + "; ".join(problems))

    policies: list[Policy] = []
    seen: set[str] = set()
    for index, rule in enumerate(data["policies"]):
        name = _rule_name(data, index)
        judged = OperatingModel if rule.get("scope") == "model" else Workflow
        for key in ("when", "require"):
            if key in rule:
                problems.extend(_rule_problems(file, name, key, rule[key], judged))
        if rule["id"] in seen:
            raise PolicyError(f"{file}: {name}: the id is used twice in this pack")
        seen.add(rule["id"])
        if problems:
            continue  # reported below, with the other rules' problems
        # A rule's metadata is a policy's: the fields the pack schema lets a rule set.
        metadata = cast(PolicyMetadata, {k: v for k, v in rule.items() if k in METADATA})
        if "controls" in rule:
            metadata["controls"] = [(c["framework"], c["id"]) for c in rule["controls"]]
        check = _Rule(rule["require"], rule.get("when"), rule["message"], rule.get("scope"))
        try:
            policy = Policy(
                check,
                doc=rule.get("description") or rule["title"],
                **metadata,
            )
        except PolicyError as exc:
            # What the schema cannot say: a control whose framework or id is only spaces.
            raise PolicyError(f"{file}: {exc}") from None
        policies.append(policy)
    if problems:
        raise PolicyError(f"{file}: " + "; ".join(problems))
    return Pack(data["pack"], str(data["version"]), file, policies, data.get("description", ""))


def builtin_pack_paths() -> list[Path]:
    """The pack files shipped with aimo, in name order.

    In a wheel they live in ``aimo/policies``; in a source checkout, in the top-level
    ``policies`` folder.
    """
    package = Path(str(resources.files("aimo")))
    for folder in (package / "policies", package.parents[1] / "policies"):
        if folder.is_dir():
            return sorted(folder.glob("*.yaml"))
    # Never silently: a marketing pack that is on by default must not vanish unnoticed.
    raise PolicyError(
        f"aimo's shipped policy packs are missing (looked in {package / 'policies'}); "
        "reinstall aimo"
    )
