"""JSON positions are found from the text, and agree with YAML's composer to the column."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from aimo._documents import yamlsource
from aimo._documents.jsonsource import JsonPositions, scan
from aimo._documents.limits import Limits

keys = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | keys
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(keys, values, max_size=5), st.sampled_from([None, 1, 2]))
def test_positions_agree_with_the_yaml_composer(document: dict[str, Any], indent: Any) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    try:
        expected, _ = yamlsource.positions(text, "f.json", Limits())
    except yamlsource.YAMLError:
        return  # text YAML 1.1 cannot read for its lines; json reads it all the same
    positions = JsonPositions(text)
    assert {path: positions.get(path) for path in expected.positions} == expected.positions


def test_every_key_given_twice_is_found_with_its_place() -> None:
    text = '{"a": 1,\n "b": {"c": 2, "c": 3},\n "a": [true]}'
    positions = JsonPositions(text)
    assert positions.duplicates() == [("/b/c", 2, 16), ("/a", 3, 2)]
    offsets, _ = scan(text)
    assert text[offsets["/b/c"]] == "2"


def test_positions_are_found_only_when_asked_for() -> None:
    positions = JsonPositions('{"a": 1}')
    assert positions._offsets is None
    assert positions.get("/a") == (1, 7)


def test_a_key_given_twice_keeps_the_places_of_its_first_value() -> None:
    text = '{"a": {"b": 1},\n "a": {"b": 2, "c": 3}, "z": [1, {"y": null}]}'
    offsets, duplicates = scan(text)
    assert text[offsets["/a/b"]] == "1"
    assert "/b" not in offsets
    assert duplicates == [("/a", text.index('"a"', 2))]
    assert text[offsets["/z/1/y"]] == "n"


def test_a_root_that_is_not_an_object_has_its_places_too() -> None:
    assert scan(' [1, "two", [true]]')[0] == {"": 1, "/0": 2, "/1": 5, "/2": 12, "/2/0": 13}
    assert scan('"text"')[0] == {"": 0}
