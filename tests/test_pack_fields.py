"""A pack names only fields the workflow has: a typo is an error, never a silent rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import pytest

import aimo
from aimo._policies.packs import load_pack
from aimo._policies.rulefields import unknown_fields
from conftest import ROOT, TODAY, findings_of, make


def _pack(tmp_path: Path, **rule: Any) -> Path:
    full = {"id": "acme-x", "title": "T", "message": "M", "require": {}, **rule}
    path = tmp_path / "acme.yaml"
    path.write_text(json.dumps({"pack": "acme", "version": "1", "policies": [full]}))
    return path


def _refused(path: Path) -> str:
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    return str(raised.value)


def test_a_misspelt_field_in_when_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = _pack(
        tmp_path,
        when={"properties": {"audiance": {"const": "public"}}},
        require={"required": ["reviewer"]},
    )
    assert _refused(path) == (
        f"{path}: rule 'acme-x': when/properties/audiance: a workflow has no field "
        "'audiance' (did you mean 'audience'?)"
    )


@pytest.mark.parametrize(
    ("key", "schema", "place", "hint"),
    [
        ("require", {"properties": {"stgae": {}}}, "properties/stgae", "stage"),
        ("when", {"required": ["audience", "consequense"]}, "required/1", "consequence"),
        # Into a field's own model, however deep.
        (
            "require",
            {"properties": {"reviewer": {"required": ["emial"]}}},
            "properties/reviewer/required/0",
            "email",
        ),
        (
            "require",
            {
                "properties": {
                    "output_standard": {"properties": {"checks": {"required": ["disclosur"]}}}
                }
            },
            "properties/output_standard/properties/checks/required/0",
            "disclosure",
        ),
        # Into a list's items.
        (
            "require",
            {"properties": {"inputs": {"items": {"required": ["sorce"]}}}},
            "properties/inputs/items/required/0",
            "source",
        ),
        (
            "require",
            {"properties": {"inputs": {"contains": {"required": ["nme"]}}}},
            "properties/inputs/contains/required/0",
            "name",
        ),
        (
            "require",
            {"properties": {"inputs": {"prefixItems": [{"required": ["nme"]}]}}},
            "properties/inputs/prefixItems/0/required/0",
            "name",
        ),
        (
            "require",
            {
                "properties": {
                    "review": {"properties": {"history": {"items": {"required": ["outcom"]}}}}
                }
            },
            "properties/review/properties/history/items/required/0",
            "outcome",
        ),
        # Combinators and conditions stay at their level.
        ("require", {"allOf": [{"required": ["ownr"]}]}, "allOf/0/required/0", "owner"),
        ("require", {"anyOf": [{"required": ["ownr"]}]}, "anyOf/0/required/0", "owner"),
        ("require", {"oneOf": [{"required": ["ownr"]}]}, "oneOf/0/required/0", "owner"),
        ("require", {"not": {"required": ["ownr"]}}, "not/required/0", "owner"),
        ("require", {"if": {"required": ["ownr"]}}, "if/required/0", "owner"),
        ("require", {"if": {}, "then": {"required": ["ownr"]}}, "then/required/0", "owner"),
        ("require", {"if": {}, "else": {"required": ["ownr"]}}, "else/required/0", "owner"),
        ("require", {"dependentRequired": {"ownr": []}}, "dependentRequired/ownr", "owner"),
        (
            "require",
            {"dependentRequired": {"owner": ["reviewr"]}},
            "dependentRequired/owner/0",
            "reviewer",
        ),
        ("require", {"dependentSchemas": {"ownr": {}}}, "dependentSchemas/ownr", "owner"),
        (
            "require",
            {"dependentSchemas": {"owner": {"required": ["reviewr"]}}},
            "dependentSchemas/owner/required/0",
            "reviewer",
        ),
        # References into the rule's own definitions, at the level they are used.
        (
            "require",
            {
                "$defs": {"person": {"required": ["emial"]}},
                "properties": {"owner": {"$ref": "#/$defs/person"}},
            },
            "$defs/person/required/0",
            "email",
        ),
    ],
)
def test_every_place_a_rule_names_a_field_is_checked(
    tmp_path: Path, key: str, schema: Any, place: str, hint: str
) -> None:
    message = _refused(_pack(tmp_path, **{key: schema}))
    assert message.startswith(f"{tmp_path / 'acme.yaml'}: rule 'acme-x': {key}/{place}: ")
    assert f"(did you mean {hint!r}?)" in message


def test_the_message_says_which_part_of_the_workflow_lacks_the_field(tmp_path: Path) -> None:
    nested = _pack(tmp_path, require={"properties": {"reviewer": {"required": ["emial"]}}})
    assert "'reviewer' has no field 'emial'" in _refused(nested)
    items = _pack(tmp_path, require={"properties": {"inputs": {"items": {"required": ["sorce"]}}}})
    assert "an item of 'inputs' has no field 'sorce'" in _refused(items)


def test_an_object_keyword_on_a_list_points_at_items(tmp_path: Path) -> None:
    path = _pack(tmp_path, require={"properties": {"inputs": {"required": ["source"]}}})
    assert _refused(path) == (
        f"{path}: rule 'acme-x': require/properties/inputs/required/0: 'inputs' is a list, so "
        "it has no field 'source': to check each item, put the schema under 'items'"
    )


def test_every_unknown_field_of_a_pack_is_named_at_once(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    rules = [
        {"id": "acme-x", "title": "T", "message": "M", "require": {"required": ["ownr"]}},
        {"id": "acme-y", "title": "T", "message": "M", "require": {"required": ["reviewr"]}},
    ]
    path.write_text(json.dumps({"pack": "acme", "version": "1", "policies": rules}))
    message = _refused(path)
    assert "rule 'acme-x': require/required/0" in message
    assert "rule 'acme-y': require/required/0" in message


@pytest.mark.parametrize(
    "schema",
    [
        # Users' own fields, and anything below them.
        {"properties": {"x-team": {"properties": {"anything": {}}, "required": ["else"]}}},
        {"required": ["x-team"]},
        {"properties": {"owner": {"required": ["x-desk"]}}},
        # Below a scalar field, a rule names nothing aimo knows.
        {"properties": {"audience": {"properties": {"whatever": {}}}}},
        {"properties": {"production": {"properties": {"went_live": {"required": ["day"]}}}}},
        {"properties": {"content": {"properties": {"types": {"items": {"required": ["kind"]}}}}}},
        # Names matched by pattern are not field names.
        {"patternProperties": {"^(owner|reviewr)$": {"required": ["email"]}}},
        {"propertyNames": {"enum": ["id", "nme"]}},
        # A reference that refers to itself ends.
        {
            "$defs": {"a": {"anyOf": [{"$ref": "#/$defs/a"}, {"required": ["owner"]}]}},
            "$ref": "#/$defs/a",
        },
        {
            "properties": {"owner": {"$ref": "#/$defs/person"}},
            "$defs": {"person": {"properties": {"name": {}}}},
        },
        True,
        False,
    ],
)
def test_what_a_rule_may_name_loads(tmp_path: Path, schema: Any) -> None:
    load_pack(_pack(tmp_path, require=schema))


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "policies" / "marketing.yaml",
        ROOT / "examples" / "acme-aimo-policies" / "src" / "acme_aimo" / "acme-brand.yaml",
    ],
)
def test_the_shipped_and_example_packs_load(path: Path) -> None:
    assert load_pack(path).policies


def test_a_correct_rule_still_judges(tmp_path: Path) -> None:
    path = _pack(
        tmp_path,
        when={"properties": {"audience": {"const": "public"}}, "required": ["audience"]},
        require={"properties": {"reviewer": {"required": ["role"]}}},
    )
    engine = aimo.Engine(plugins=[load_pack(path)], builtins=False, entry_points=False)
    [finding] = findings_of(engine.evaluate(make({"audience": "public"}), today=TODAY), "acme-x")
    assert (finding.outcome, finding.path) == (aimo.Outcome.FAIL, "/reviewer/role")


def test_the_walk_takes_the_operating_model_as_its_root() -> None:
    schema = {
        "properties": {
            "organisation": {},
            "workflows": {"items": {"properties": {"audiance": {}}}},
            "tiers": {"properties": {"high": {"required": ["aprovals"]}}},
        }
    }
    found = {
        (unknown.at, unknown.message)
        for unknown in unknown_fields(schema, model=aimo.OperatingModel)
    }
    assert found == {
        (
            ("properties", "organisation"),
            "an operating model has no field 'organisation' (did you mean 'organization'?)",
        ),
        (
            ("properties", "workflows", "items", "properties", "audiance"),
            "an item of 'workflows' has no field 'audiance' (did you mean 'audience'?)",
        ),
        (
            ("properties", "tiers", "properties", "high", "required", 0),
            "'tiers.high' has no field 'aprovals' (did you mean 'approvals'?)",
        ),
    }


def test_a_tuple_field_is_walked_as_a_list() -> None:
    # Document lists are becoming tuples; the walk must not stop at them.
    class Immutable(pydantic.BaseModel):
        inputs: tuple[aimo.Input, ...] = ()
        tags: tuple[str, ...] | None = None

    schema = {
        "properties": {
            "inputs": {"items": {"required": ["sorce"]}},
            "tags": {"items": {"required": ["anything"]}},
        }
    }
    [found] = unknown_fields(schema, model=Immutable)
    assert found.at == ("properties", "inputs", "items", "required", 0)
    assert found.message == "an item of 'inputs' has no field 'sorce' (did you mean 'source'?)"
