"""JSON positions are found from the text, and agree with YAML's composer to the column."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import aimo
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


@given(
    st.dictionaries(keys, values, min_size=1, max_size=5),
    st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1),
)
def test_a_line_ends_where_yaml_ends_it_whatever_ends_it(
    document: dict[str, Any], endings: list[str]
) -> None:
    # A file of carriage returns alone (an old Mac export) had every finding on line 1,
    # hundreds of columns in: only a line feed ended a line.
    lines = json.dumps(document, indent=1, ensure_ascii=False).split("\n")
    text = "".join(line + endings[n % len(endings)] for n, line in enumerate(lines))
    try:
        expected, _ = yamlsource.positions(text, "f.json", Limits())
    except yamlsource.YAMLError:
        return
    positions = JsonPositions(text)
    assert {path: positions.get(path) for path in expected.positions} == expected.positions


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_json_that_does_not_parse_is_pointed_at_on_its_line(tmp_path: Any, ending: str) -> None:
    path = tmp_path / "w.json"
    path.write_bytes(ending.join(["{", '  "id": "w",', '  "name": "x",,', "}"]).encode())
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (3, 15)


@given(
    st.dictionaries(keys, values, max_size=5),
    st.sampled_from([None, 1, "\t"]),
    st.randoms(use_true_random=False),
)
def test_walking_to_a_value_finds_what_a_whole_scan_finds(
    document: dict[str, Any], indent: Any, random: Any
) -> None:
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    expected, _ = scan(text)
    paths = [*expected, "/absent", "/0", *(p + "/x" for p in expected)]
    random.shuffle(paths)
    positions = JsonPositions(text)
    assert {p: positions.offset(p) for p in paths} == {p: expected.get(p) for p in paths}
    lines = text.split("\n")
    for path in expected:
        line, column = positions.get(path)  # type: ignore[misc]
        assert sum(len(x) + 1 for x in lines[: line - 1]) + column - 1 == expected[path]


def test_an_inventory_is_walked_element_by_element_with_a_bounded_cache(
    monkeypatch: Any,
) -> None:
    from aimo._documents import jsonsource

    monkeypatch.setattr(jsonsource, "_CACHE", 50)
    workflows = [{"id": f"w{n}", "owner": {"name": "A", "email": "a@x.org"}} for n in range(300)]
    text = json.dumps({"aimo": 1, "workflows": workflows, "zz": True}, indent=1)
    expected, _ = scan(text)
    positions = JsonPositions(text)
    for n in range(300):
        for path in (f"/workflows/{n}/owner/email", f"/workflows/{n}/id", f"/workflows/{n}/x"):
            assert positions.offset(path) == expected.get(path)
    assert len(positions._found) <= 60
    assert positions.offset("/zz") == expected["/zz"]
    assert positions.offset("/workflows/300") is None


def test_a_number_too_long_to_read_is_still_found() -> None:
    text = '{"a": [' + "9" * 5000 + ', {"b": 1}]}'
    assert JsonPositions(text).offset("/a/1/b") == text.index("1}")


def test_every_key_given_twice_is_found_with_its_place() -> None:
    text = '{"a": 1,\n "b": {"c": 2, "c": 3},\n "a": [true]}'
    positions = JsonPositions(text)
    assert positions.duplicates() == [("/b/c", 2, 16), ("/a", 3, 2)]
    offsets, _ = scan(text)
    assert text[offsets["/b/c"]] == "2"


def test_positions_are_found_only_when_asked_for() -> None:
    positions = JsonPositions('{"a": 1, "b": {"c": [2]}}')
    assert positions.get("/a") == (1, 7)
    # Only the way to /a was walked: nothing of /b is known yet.
    assert set(positions._found) == {"", "/a"}


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


class _Counting(str):
    """A text that counts how many characters the searches for line breaks look at."""

    looked_at = 0

    def _span(self, start: int | None, end: int | None) -> None:
        start = 0 if start is None else start
        end = len(self) if end is None else end
        _Counting.looked_at += max(0, end - start)

    def rfind(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        self._span(start, end)
        return str(self).rfind(sub, start, end)

    def count(self, sub: str, start: Any = None, end: Any = None) -> int:  # type: ignore[override]
        self._span(start, end)
        return str(self).count(sub, start, end)


def test_lines_of_a_minified_export_cost_its_length_not_its_length_per_finding() -> None:
    # A JSON export is often one line. Each position looked back to the start of its line:
    # 5,000 workflows with findings on a 12 MB line took 20 seconds instead of 4.
    workflows = [{"id": f"w{n}", "owner": {"name": "A", "email": "a@x.org"}} for n in range(500)]
    text = _Counting(json.dumps({"aimo": 1, "workflows": workflows}))
    positions = JsonPositions(text)
    _Counting.looked_at = 0
    for n in range(500):
        for path in (f"/workflows/{n}/owner/email", f"/workflows/{n}/id"):
            assert positions.get(path) == (1, positions.offset(path) + 1)  # type: ignore[operator]
    assert _Counting.looked_at < 3 * len(text)


@given(
    st.lists(st.sampled_from(["a", "é", "\U0001f600", "\n", "\r\n", "  "]), max_size=60),
    st.lists(st.integers(0, 10_000), max_size=30),
)
def test_lines_and_columns_are_right_whatever_order_they_are_asked_in(
    parts: list[str], wanted: list[int]
) -> None:
    text = "".join(parts) + "x"
    positions = JsonPositions(text)
    for offset in (w % len(text) for w in wanted):
        before = text[:offset]
        expected = (before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1)
        assert positions.line_column(offset) == expected
