"""Regular expressions in packs run in linear time: RE2's syntax, no pattern can hang."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import aimo
from aimo._policies.packs import load_pack
from aimo._policies.patterns import REASON, rule_validator
from conftest import TODAY, findings_of, make


def _pack(tmp_path: Path, rules: list[dict[str, Any]], name: str = "p.yaml") -> Path:
    """A pack file with these rules (title and message filled in), written as JSON-in-YAML."""
    full = [{"title": "T", "message": "M", **rule} for rule in rules]
    path = tmp_path / name
    path.write_text(json.dumps({"pack": "acme", "version": "1", "policies": full}))
    return path


# Each shape, against 100 KB that almost matches it, takes a backtracking engine
# exponential (or high polynomial) time. The evaluation runs in a child interpreter: a
# regression hangs the child, not the suite.
CATASTROPHIC = [
    ("(a+)+$", "a" * 100_000 + "!"),
    ("(a|a)*b", "a" * 100_000),
    ("(a*)*b", "a" * 100_000),
    ("(.*a){20}", "a" * 19 + "b" * 100_000),
]

CHILD = """
import json, sys
import aimo

pack, workflow = sys.argv[1], json.loads(sys.stdin.read())
engine = aimo.Engine(plugins=[aimo.load_pack(pack)], builtins=False, entry_points=False)
verdict = engine.evaluate(workflow, today=__import__("datetime").date(2026, 11, 27))
print(json.dumps({f.policy_id + " " + f.path: f.outcome.value for f in verdict.findings}))
"""


@pytest.mark.parametrize(("pattern", "text"), CATASTROPHIC)
def test_a_catastrophic_pattern_against_100_kb_completes(
    tmp_path: Path, pattern: str, text: str
) -> None:
    rules = [
        # The fast check, then jsonschema's errors when it fails.
        {"id": "acme-pattern", "require": {"properties": {"name": {"pattern": pattern}}}},
        {"id": "acme-when", "when": {"properties": {"name": {"pattern": pattern}}}, "require": {}},
        # Keywords only jsonschema evaluates, on property names.
        {
            "id": "acme-pattern-properties",
            "require": {"patternProperties": {pattern: {"type": "string"}}},
        },
        {
            "id": "acme-additional",
            "require": {"patternProperties": {pattern: {}}, "additionalProperties": False},
        },
        {
            "id": "acme-unevaluated",
            "require": {"patternProperties": {pattern: {}}, "unevaluatedProperties": False},
        },
        {
            "id": "acme-property-names",
            "require": {"propertyNames": {"pattern": pattern}},
        },
    ]
    workflow = make({"name": text, f"x-{text}": 1})
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(_pack(tmp_path, rules))],
        input=json.dumps(workflow),
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    outcomes = json.loads(child.stdout)
    assert set(outcomes.values()) <= {"pass", "fail", "not_applicable"}, outcomes
    assert {key.split()[0] for key in outcomes} == {rule["id"] for rule in rules}


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        ("^(?=.*@).*$", "lookahead"),
        ("^(?!test).*", "negative lookahead"),
        ("(?<=@)legal", "lookbehind"),
        ("(?<!x)y", "negative lookbehind"),
        (r"(a)\1", "backreference"),
        ("(?P<x>a)(?P=x)", "named backreference"),
    ],
)
@pytest.mark.parametrize(
    "place",
    [
        "require/properties/name/pattern",
        "when/properties/name/pattern",
        "require/patternProperties/{pattern}",
        "require/$defs/person/properties/email/pattern",
        "require/properties/inputs/items/properties/name/pattern",
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_when_the_pack_loads(
    tmp_path: Path, pattern: str, what: str, place: str
) -> None:
    keys = place.format(pattern=pattern).split("/")
    schema: Any = {} if keys[-1] == pattern else pattern
    for key in reversed(keys[1:]):
        schema = {key: schema}
    rule = {"id": "acme-x", "require": {}, keys[0]: schema}
    path = _pack(tmp_path, [rule])
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: rule 'acme-x': {place.format(pattern=pattern)}: ")
    assert f"the pattern {pattern!r} cannot be used" in message
    assert REASON in message


def test_every_refused_pattern_of_a_pack_is_named_at_once(tmp_path: Path) -> None:
    path = _pack(
        tmp_path,
        [
            {"id": "acme-x", "require": {"properties": {"name": {"pattern": "(?=a)"}}}},
            {
                "id": "acme-y",
                "when": {"properties": {"name": {"pattern": r"(b)\1"}}},
                "require": {},
            },
        ],
    )
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    assert "rule 'acme-x'" in str(raised.value)
    assert "rule 'acme-y'" in str(raised.value)


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        (r"^\p{Lu}", "Weekly summary", "weekly summary"),  # Unicode classes
        ("^[[:upper:]]", "Weekly summary", "weekly summary"),  # POSIX classes
        (r"summary\z", "Weekly summary", "Weekly summary\n"),  # end of text
        ("summary$", "Weekly summary", "Weekly summary\n"),  # $ is the end, as in JSON Schema
        (r"^\d+$", "2026", "٢٠٢٦"),  # \d is ASCII, as in JSON Schema
    ],
)
def test_patterns_have_re2_syntax_and_meaning(
    tmp_path: Path, pattern: str, matching: str, not_matching: str
) -> None:
    path = _pack(
        tmp_path, [{"id": "acme-x", "require": {"properties": {"name": {"pattern": pattern}}}}]
    )
    engine = aimo.Engine(plugins=[load_pack(path)], builtins=False, entry_points=False)
    [passing] = findings_of(engine.evaluate(make({"name": matching}), today=TODAY), "acme-x")
    assert passing.outcome is aimo.Outcome.PASS
    [failing] = findings_of(engine.evaluate(make({"name": not_matching}), today=TODAY), "acme-x")
    assert failing.outcome is aimo.Outcome.FAIL
    assert (failing.path, failing.observed) == ("/name", not_matching)


def test_re2_is_imported_only_for_a_pack(tmp_path: Path) -> None:
    path = _pack(
        tmp_path, [{"id": "acme-x", "require": {"properties": {"name": {"pattern": "a"}}}}]
    )
    code = (
        "import sys, aimo\n"
        "assert 're2' not in sys.modules\n"
        f"aimo.load_pack({str(path)!r})\n"
        "assert 're2' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- jsonschema's answers, with RE2 doing the matching ------------------------------------

# Patterns that RE2 and Python's re read alike, so jsonschema's own answer is the reference.
PATTERNS = ["^a", "b$", "^x-", "c", "^$", "a|b"]
keys = st.sampled_from(["a", "b", "ab", "x-a", "c", "", "ba"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", "a", "ab", "cb", "x-c"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3),
    max_leaves=8,
)
leaves = st.one_of(
    st.booleans(),
    st.builds(lambda p: {"pattern": p}, st.sampled_from(PATTERNS)),
    st.builds(lambda t: {"type": t}, st.sampled_from(["string", "object", "integer"])),
    st.builds(lambda r: {"required": r}, st.lists(keys, max_size=2, unique=True)),
)


def _combine(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    patterns = st.dictionaries(st.sampled_from(PATTERNS), children, min_size=1, max_size=2)
    return st.one_of(
        st.builds(lambda p: {"patternProperties": p}, patterns),
        st.builds(
            lambda p, a, pr: {"patternProperties": p, "additionalProperties": a, "properties": pr},
            patterns,
            children,
            st.dictionaries(keys, children, max_size=2),
        ),
        st.builds(
            lambda p, u, s: {"patternProperties": p, "unevaluatedProperties": u, "allOf": [s]},
            patterns,
            children,
            children,
        ),
        st.builds(lambda s: {"propertyNames": s}, children),
        st.builds(lambda s: {"items": s}, children),
        st.builds(lambda s: {"anyOf": s}, st.lists(children, min_size=1, max_size=2)),
    )


# A reference resolves from the top of the schema, so definitions sit there.
schemas = st.recursive(leaves, _combine, max_leaves=6)
schemas = schemas | st.builds(
    lambda d, s, u: {"$defs": {"d": d}, "properties": {"a": {"$ref": "#/$defs/d"}}, **s, **u},
    schemas,
    schemas.filter(lambda s: isinstance(s, dict) and "$defs" not in s),
    st.sampled_from([{}, {"unevaluatedProperties": False}]),
)


def _errors(validator: Any, instance: Any) -> list[tuple[str, list[Any], list[Any]]]:
    return sorted(
        (e.message, list(e.absolute_path), list(e.absolute_schema_path))
        for e in validator.iter_errors(instance)
    )


@settings(max_examples=400, deadline=None)
@given(schemas, json_values)
def test_rule_errors_are_jsonschemas_own(schema: Any, instance: Any) -> None:
    ours = rule_validator(schema)
    theirs = jsonschema.Draft202012Validator(schema)
    assert _errors(ours, instance) == _errors(theirs, instance)
    assert ours.is_valid(instance) == theirs.is_valid(instance)


def test_a_long_pattern_is_quoted_short(tmp_path: Path) -> None:
    pattern = "(?=" + "a" * 5000 + ")"
    path = _pack(
        tmp_path, [{"id": "acme-x", "require": {"properties": {"name": {"pattern": pattern}}}}]
    )
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    assert "a" * 200 not in str(raised.value)
    assert len(str(raised.value)) < 1000


def test_a_pack_may_still_say_what_it_means_with_re2(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        pack: acme
        version: "1"
        policies:
          - id: acme-legal
            title: Legal reviews public work
            message: M
            require:
              properties: {reviewer: {properties: {email: {pattern: "@legal[.]example[.]com$"}}}}
        """
    )
    path = tmp_path / "acme.yaml"
    path.write_text(text)
    engine = aimo.Engine(plugins=[load_pack(path)], builtins=False, entry_points=False)
    legal = make({"reviewer.email": "ann@legal.example.com"})
    [finding] = findings_of(engine.evaluate(legal, today=TODAY), "acme-legal")
    assert finding.outcome is aimo.Outcome.PASS
