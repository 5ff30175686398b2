"""The fast schema check answers exactly as jsonschema does, or declines to answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from aimo import strategies
from aimo._documents.models import Workflow
from aimo._policies.fastschema import Fallback, compile_schema, json_equal
from aimo._policies.patterns import rule_validator

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.0, 1.0, 2.5])
    | st.sampled_from(["", "a", "public", "heavy", "x@legal.example.com"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "audience", "types"]), children, max_size=3)
    ),
    max_leaves=8,
)

leaf_schemas = st.one_of(
    st.booleans(),
    st.builds(
        lambda t: {"type": t},
        st.sampled_from(["object", "array", "string", "boolean", "null", "number", "integer"]),
    ),
    st.builds(lambda v: {"const": v}, json_values),
    st.builds(lambda v: {"enum": v}, st.lists(json_values, min_size=1, max_size=3)),
    st.builds(
        lambda k, n: {k: n},
        st.sampled_from(
            ["minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties"]
        ),
        st.integers(0, 2),
    ),
    st.builds(
        lambda k, n: {k: n},
        st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
        st.integers(-2, 2) | st.just(1.5),
    ),
    st.builds(
        lambda p: {"pattern": p},
        st.sampled_from(["^a", "legal[.]example", "^$", "c", r"^\p{Ll}", "a$"]),
    ),
    st.builds(
        lambda r: {"required": r},
        st.lists(st.sampled_from(["a", "b", "audience"]), max_size=2, unique=True),
    ),
)


def _combine(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(
            lambda p: {"properties": p},
            st.dictionaries(st.sampled_from(["a", "b", "audience"]), children, max_size=2),
        ),
        st.builds(lambda s: {"items": s}, children),
        st.builds(lambda s: {"contains": s}, children),
        st.builds(lambda s: {"not": s}, children),
        st.builds(
            lambda k, s: {k: s},
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, children, children, children),
        st.builds(
            lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else a,
            children,
            children,
        ),
    )


schemas = st.recursive(leaf_schemas, _combine, max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(schemas, json_values)
def test_the_fast_check_agrees_with_jsonschema(schema: Any, instance: Any) -> None:
    check = compile_schema(schema)
    assert check is not None, schema
    assert check(instance) == rule_validator(schema).is_valid(instance)


MARKETING = yaml.safe_load(
    (Path(__file__).parent.parent / "policies" / "marketing.yaml").read_text()
)
PACK_SCHEMAS = [
    rule[key] for rule in MARKETING["policies"] for key in ("when", "require") if key in rule
]


def test_every_marketing_schema_compiles() -> None:
    assert all(compile_schema(schema) is not None for schema in PACK_SCHEMAS)


@settings(max_examples=150, deadline=None)
@given(strategies.workflows())
def test_marketing_schemas_agree_on_any_workflow(workflow: Any) -> None:
    document = workflow.model_dump(mode="json", exclude_none=True)
    for schema in PACK_SCHEMAS:
        check = compile_schema(schema)
        assert check is not None
        assert check(document) == rule_validator(schema).is_valid(document)


def test_unsupported_keywords_are_left_to_jsonschema() -> None:
    for schema in (
        {"$ref": "#/$defs/x"},
        {"format": "email"},
        {"prefixItems": []},
        {"additionalProperties": False},
        {"type": "mystery"},
        {"pattern": "("},
    ):
        assert compile_schema(schema) is None


def test_json_equality() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal({"a": [1, None]}, {"a": [1.0, None]})
    assert not json_equal([1], [1, 2])


def _on_model(check: Any, workflow: Any) -> bool:
    try:
        return bool(check(workflow))
    except Fallback:
        return bool(check(workflow.model_dump(mode="json", exclude_none=True)))


FIELDS = [
    "audience",
    "consequence",
    "content",
    "types",
    "makes_claims",
    "owner",
    "email",
    "inputs",
    "classification",
    "output_standard",
    "checks",
    "disclosure",
    "reviewer",
    "name",
    "production",
    "went_live",
    "x-team",
    "review",
    "history",
    "value",
    "stage",
]

workflow_leaves = st.one_of(
    leaf_schemas,
    st.builds(
        lambda r: {"required": r}, st.lists(st.sampled_from(FIELDS), max_size=2, unique=True)
    ),
    st.builds(
        lambda v: {"const": v},
        st.sampled_from(["public", "high", "text", True, False, "2026-09-01", 2, None]),
    ),
    st.builds(
        lambda v: {"enum": v},
        st.lists(
            st.sampled_from(["public", "internal", "personal", "heavy", "idea", "2026-10-01"]),
            min_size=1,
            max_size=3,
        ),
    ),
    st.builds(lambda p: {"pattern": p}, st.sampled_from(["^2026", "@", "^p", "-0"])),
)


def _workflow_combine(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        _combine(children),
        st.builds(
            lambda p: {"properties": p},
            st.dictionaries(st.sampled_from(FIELDS), children, max_size=2),
        ),
    )


workflow_schemas = st.recursive(workflow_leaves, _workflow_combine, max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(workflow_schemas, strategies.workflows())
def test_checking_a_model_agrees_with_jsonschema_on_its_dump(schema: Any, workflow: Any) -> None:
    check = compile_schema(schema)
    assert check is not None
    document = workflow.model_dump(mode="json", exclude_none=True)
    assert _on_model(check, workflow) == rule_validator(schema).is_valid(document)


def _with_tuples(value: Any) -> Any:
    """The same document with every list a tuple, as immutable documents hold them."""
    if isinstance(value, list):
        return tuple(_with_tuples(item) for item in value)
    if isinstance(value, BaseModel):
        # model_copy does not validate: the tuples stay tuples whatever the field type.
        return value.model_copy(
            update={name: _with_tuples(getattr(value, name)) for name in type(value).model_fields}
        )
    return value


def _on_tuples(check: Any, workflow: Workflow) -> bool:
    try:
        return bool(check(_with_tuples(workflow)))
    except Fallback:
        return bool(check(workflow.model_dump(mode="json", exclude_none=True)))


@settings(max_examples=300, deadline=None)
@given(workflow_schemas, strategies.workflows())
def test_a_tuple_in_a_model_is_checked_as_the_array_it_dumps_to(
    schema: Any, workflow: Workflow
) -> None:
    check = compile_schema(schema)
    assert check is not None
    document = workflow.model_dump(mode="json", exclude_none=True)
    assert _on_tuples(check, workflow) == rule_validator(schema).is_valid(document)


TEXT_AND_CHAT = {"id": "w", "content": {"types": ["text", "chat"]}, "inputs": [{"name": "crm"}]}


@pytest.mark.parametrize(
    ("schema", "valid"),
    [
        ({"type": "array"}, True),
        ({"type": "object"}, False),
        ({"minItems": 2}, True),
        ({"minItems": 3}, False),
        ({"maxItems": 1}, False),
        ({"items": {"enum": ["text", "chat"]}}, True),
        ({"items": {"const": "text"}}, False),
        ({"contains": {"const": "chat"}}, True),
        ({"contains": {"const": "video"}}, False),
        ({"const": ["text", "chat"]}, True),
        ({"const": ["chat", "text"]}, False),
        ({"enum": [["text"], ["text", "chat"]]}, True),
        ({"enum": [["text"]]}, False),
    ],
)
def test_array_keywords_read_a_tuple_field_as_an_array(schema: Any, valid: bool) -> None:
    workflow = Workflow.model_validate(TEXT_AND_CHAT)
    whole = {"properties": {"content": {"properties": {"types": schema}}}}
    check = compile_schema(whole)
    assert check is not None
    document = workflow.model_dump(mode="json", exclude_none=True)
    assert rule_validator(whole).is_valid(document) is valid
    assert _on_tuples(check, workflow) is valid
