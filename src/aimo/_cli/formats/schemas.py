"""The JSON Schemas of what ``aimo check --format json|jsonl`` and ``aimo report --format
json`` write, for the programs that read them (``aimo schema check-json`` prints one).

They are derived from the models that produce the output, so a field added to a verdict
is in the schema the moment it is in the output; the tests validate real output against
them. Every field the output always writes is required.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from aimo._engine.verdict import Outcome, Verdict
from aimo._review.impact import Impact
from aimo._review.report import Report
from aimo._review.rollup import RollupRow

__all__ = ["OUTPUT_SCHEMAS"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _all_required(schema: dict[str, Any]) -> dict[str, Any]:
    """Every property of every object required: the output writes nulls, never omits."""
    for node in [schema, *schema.get("$defs", {}).values()]:
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
    return schema


def _model(model: type[BaseModel]) -> dict[str, Any]:
    return _all_required(model.model_json_schema(mode="serialization"))


def _header(name: str, title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": _DRAFT,
        "$id": f"urn:aimo:output:{name}",
        "title": title,
        "description": description,
    }


def _compact_verdict(defs: dict[str, Any]) -> dict[str, Any]:
    """A verdict as ``--format json`` and ``jsonl`` write it; its definitions go to ``defs``."""
    verdict = _model(Verdict)
    defs.update(verdict.pop("$defs"))
    del verdict["properties"]["policy_set"]
    counts = {o.value: {"type": "integer", "minimum": 0} for o in Outcome}
    verdict["properties"]["counts"] = {
        "description": "How many findings of each outcome the verdict has, listed or not.",
        "type": "object",
        "properties": counts,
        "required": list(counts),
        "additionalProperties": False,
    }
    verdict["required"] = list(verdict["properties"])
    verdict["description"] = (
        "A verdict without its policy set: its failing, erring and waived findings (every "
        "finding with --all-findings) and the counts of all of them."
    )
    verdict.pop("title", None)
    return verdict


_PROBLEM = {
    "description": "A problem with the input: a file, a model's own field, its configuration.",
    "type": "object",
    "properties": {
        "path": {"type": "string"},
        "message": {"type": "string"},
        "file": {"type": ["string", "null"]},
        "line": {"type": ["integer", "null"]},
        "column": {"type": ["integer", "null"]},
    },
    "required": ["path", "message", "file", "line", "column"],
    "additionalProperties": False,
}


def check_json() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    defs["CompactVerdict"] = _compact_verdict(defs)
    rollup = _model(RollupRow)
    defs.update(rollup.pop("$defs", {}))
    defs["RollupRow"] = rollup
    defs["Problem"] = _PROBLEM
    policy_set = {"type": "array", "items": {"$ref": "#/$defs/PolicyRef"}}
    return {
        **_header(
            "check-json",
            "aimo check --format json",
            "One run of aimo check: the policy set once, each file's verdicts, the counts, "
            "the failing policies and the problems with the input. With --summary, no "
            "results.",
        ),
        "type": "object",
        "properties": {
            "aimo": {"description": "The version of aimo that wrote it.", "type": "string"},
            "evaluated_on": {"type": "string", "format": "date"},
            "policy_set": policy_set,
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string"},
                        "organization": {"type": ["string", "null"]},
                        "policy_set": {
                            **policy_set,
                            "description": "Present when the model's own policies block "
                            "makes its policy set differ from the run's.",
                        },
                        "model_verdict": {
                            "$ref": "#/$defs/CompactVerdict",
                            "description": "The operating model's own verdict, from its "
                            "model-level policies (models only).",
                        },
                        "verdicts": {
                            "type": "array",
                            "items": {"$ref": "#/$defs/CompactVerdict"},
                        },
                    },
                    "required": ["file", "organization", "verdicts"],
                    "additionalProperties": False,
                },
            },
            "summary": {
                "description": "How many workflows got each decision.",
                "type": "object",
                "properties": {
                    d: {"type": "integer", "minimum": 0} for d in ("allow", "warn", "deny")
                },
                "required": ["allow", "warn", "deny"],
                "additionalProperties": False,
            },
            "model_summary": {
                "description": "How many operating models, judged as a whole, got each decision.",
                "type": "object",
                "properties": {
                    d: {"type": "integer", "minimum": 0} for d in ("allow", "warn", "deny")
                },
                "required": ["allow", "warn", "deny"],
                "additionalProperties": False,
            },
            "rollup": {"type": "array", "items": {"$ref": "#/$defs/RollupRow"}},
            "problems": {"type": "array", "items": {"$ref": "#/$defs/Problem"}},
        },
        "required": [
            "aimo",
            "evaluated_on",
            "policy_set",
            "summary",
            "model_summary",
            "rollup",
            "problems",
        ],
        "additionalProperties": False,
        "$defs": defs,
    }


def check_jsonl() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    line = _compact_verdict(defs)
    line["properties"] = {
        "scope": {
            "description": "What the verdict is about: an operating model as a whole (its "
            "line comes before its workflows'), or a workflow.",
            "enum": ["model", "workflow"],
        },
        "file": {"description": "The file that was checked.", "type": "string"},
        "organization": {"type": ["string", "null"]},
        **line["properties"],
    }
    line["required"] = list(line["properties"])
    return {
        **_header(
            "check-jsonl",
            "One line of aimo check --format jsonl",
            "One verdict, written as soon as it was made; the problems with the input go "
            "to standard error.",
        ),
        **line,
        "$defs": defs,
    }


def report_json() -> dict[str, Any]:
    schema = _model(Report)
    schema.pop("title", None)
    return {
        **_header(
            "report-json",
            "aimo report --format json",
            "The review of each operating model: its decisions, its workflows, reviews, "
            "waivers, what to tune, strengthen or retire, and its failing policies.",
        ),
        **schema,
    }


def impact_json() -> dict[str, Any]:
    schema = _model(Impact)
    schema.pop("title", None)
    schema.pop("description", None)
    counts = ("changed", "newly_denied", "newly_allowed")
    properties = dict(schema["properties"])
    changes = properties.pop("changes")
    properties["summary"] = {
        "description": "How many workflows change decision, how many of them are newly "
        "denied and how many newly allowed.",
        "type": "object",
        "properties": {name: {"type": "integer", "minimum": 0} for name in counts},
        "required": list(counts),
        "additionalProperties": False,
    }
    properties["changes"] = changes
    schema["properties"] = properties
    schema["required"] = list(properties)
    return {
        **_header(
            "impact-json",
            "aimo impact --format json, aimo diff --format json",
            "What a change does to the decisions: the workflows whose decision changes, "
            "with the findings that appear and disappear in each.",
        ),
        **schema,
    }


#: Each output's schema by the name ``aimo schema`` knows it by.
OUTPUT_SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "check-json": check_json,
    "check-jsonl": check_jsonl,
    "report-json": report_json,
    "impact-json": impact_json,
}
