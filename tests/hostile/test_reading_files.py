"""What reading a hostile file may cost, what its errors may quote, and what a file may
pretend to be (spec 5.1)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import aimo
from conftest import ROOT, TODAY
from hostile.support import run_cli, write

# -- cost ------------------------------------------------------------------------------------


def _long_keys(key_length: int, values: int, levels: int = 1) -> str:
    """Keys of ``key_length`` characters, ``levels`` deep, over a list of ``values`` numbers.

    Each value's path repeats every key above it: without a bound, the cost of the paths
    is the product of the two, not the size of the file.
    """
    text = "id: w\n"
    for level in range(levels):
        indent = "  " * level
        text += f"{indent}? x-{'k' * key_length}\n{indent}:\n"
    indent = "  " * levels
    return text + indent + "[" + ",".join(["0"] * values) + "]\n"


def _in_bounded_memory(path: Path, megabytes: int = 1_500) -> subprocess.CompletedProcess[str]:
    """Load ``path`` in a child process that may use at most ``megabytes`` of memory."""
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({megabytes} << 20, {megabytes} << 20))\n"
        "import aimo\n"
        "try:\n"
        "    aimo.load(sys.argv[1])\n"
        "except aimo.DocumentError as exc:\n"
        "    print(exc)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS"), reason="needs an address-space limit")
@pytest.mark.parametrize(
    ("key_length", "values", "levels"),
    [(1_000_000, 20_000, 1), (1_000, 20_000, 60), (200_000, 2_000, 5)],
    ids=["one long key", "a deep chain of keys", "several long keys"],
)
def test_long_keys_over_many_values_cost_what_their_file_does(
    tmp_path: Path, key_length: int, values: int, levels: int
) -> None:
    # A 1 MB file took a minute and 20 GB of memory to read: each of its 20,000 values was
    # given a path repeating the million-character key above it.
    path = write(tmp_path / "w.yaml", _long_keys(key_length, values, levels))
    assert path.stat().st_size < 2_000_000
    result = _in_bounded_memory(path)
    assert result.returncode == 0, result.stderr[-2_000:]
    assert "max_document_bytes" in result.stdout


def test_many_values_under_ordinary_keys_still_load(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", _long_keys(100, 150_000, 3))
    assert isinstance(aimo.load(path), aimo.Workflow)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("levels", [300, 600, 990])
def test_nesting_deeper_than_python_recurses_is_a_document_error(
    tmp_path: Path, levels: int, suffix: str
) -> None:
    # With max_depth raised, a YAML file of 600 nested mappings raised RecursionError.
    if suffix == ".json":
        text = '{"id": "w", "x-a": ' + '{"a": ' * levels + "1" + "}" * levels + "}"
    else:
        text = "id: w\nx-a: " + "{a: " * levels + "1" + "}" * levels + "\n"
    path = write(tmp_path / f"w{suffix}", text)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path, limits=aimo.Limits(max_depth=100_000))
    [problem] = caught.value.problems
    assert "deep" in problem.message
    # The document is not deeper than the limit: the message must not say it is.
    assert "100" not in problem.message


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
@pytest.mark.parametrize("levels", [65, 300, 990])
def test_nesting_past_the_limit_says_which_limit_whatever_the_parser_makes_of_it(
    tmp_path: Path, levels: int, suffix: str
) -> None:
    # JSON's parser gives up near a thousand levels, before the walk that holds a document
    # to max_depth: its error named the limit without saying how to raise it.
    if suffix == ".json":
        text = '{"id": "w", "x-a": ' + '{"a": ' * levels + '"}{"' + "}" * levels + "}"
    else:
        text = "id: w\nx-a: " + "{a: " * levels + "'}{'" + "}" * levels + "\n"
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(write(tmp_path / f"w{suffix}", text))
    [problem] = caught.value.problems
    assert "deeper than 64 levels" in problem.message
    assert "--max-depth" in problem.message


def _within_limits(path: Path, limits: aimo.Limits) -> bool:
    from aimo._documents.reader import read

    try:
        read(path, limits)
    except aimo.DocumentError as exc:
        problems = exc.problems
    else:
        return True
    assert any("raise it with" in p.message for p in problems), problems
    return False


_KEYS = st.text(st.sampled_from("ab~/é"), max_size=3)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _KEYS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=40,
)


@given(
    st.dictionaries(_KEYS, _JSON, max_size=5),
    st.integers(1, 120),
    st.integers(1, 6),
    st.integers(1, 4_000),
)
def test_a_json_document_is_held_to_the_limits_of_the_same_document_in_yaml(
    tmp_path_factory: pytest.TempPathFactory,
    document: dict[str, object],
    max_values: int,
    max_depth: int,
    max_bytes: int,
) -> None:
    # JSON is read without YAML's composer and held to its limits by a walk of its own,
    # which left a mapping's keys out: a JSON file could hold twice the values YAML may.
    folder = tmp_path_factory.mktemp("limits")
    text = json.dumps(document)
    limits = aimo.Limits(
        max_values=max_values, max_depth=max_depth, max_document_bytes=max(max_bytes, len(text))
    )
    as_json = _within_limits(write(folder / "d.json", text), limits)
    assert as_json == _within_limits(write(folder / "d.yaml", text), limits)


@pytest.mark.parametrize(
    ("document", "limits"),
    [
        ({"a": 1, "b": 2, "c": 3}, aimo.Limits(max_values=6)),
        ({"x": {f"k{n}": 0 for n in range(50)}}, aimo.Limits(max_values=101)),
        # Each key is counted at its mapping's path, as YAML counts it.
        ({"k" * 100: {f"{n:03}": 0 for n in range(100)}}, aimo.Limits(max_document_bytes=2_500)),
        # A key's path is written escaped: ~ as ~0, / as ~1.
        ({"~/" * 25: {f"{n:03}": 0 for n in range(100)}}, aimo.Limits(max_document_bytes=2_500)),
    ],
)
def test_a_json_document_over_a_limit_yaml_holds_it_to_is_refused(
    tmp_path: Path, document: dict[str, object], limits: aimo.Limits
) -> None:
    text = json.dumps(document)
    assert not _within_limits(write(tmp_path / "d.yaml", text), limits)
    assert not _within_limits(write(tmp_path / "d.json", text), limits)


def _aliases(levels: int) -> str:
    """A list that expands to 10 ** ``levels`` values through YAML aliases, in a few lines."""
    text = "  - &a0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n"
    for level in range(1, levels):
        text += f"  - &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]\n"
    return "\n" + text


#: What a value may hold that reading must stop, and what the error says about it.
_UNREADABLE = {
    "aliases past max_values": (_aliases(6), "more than 200,000 values"),
    "nesting past max_depth": ("[" * 100 + "]" * 100, "deeper than 64 levels"),
    "a set": ("!!set {a, b}", "a set (!!set) is not allowed"),
    "binary data": ("!!binary aGVsbG8=", "binary data (!!binary) is not allowed"),
    "no number": (".nan", "not a finite number"),
    "a date and time": ("2026-11-27T10:00:00", "is a date and time"),
    "a custom tag": ("!secret x", "custom tag"),
}


@pytest.mark.parametrize("which", ["first", "second", "third"])
@pytest.mark.parametrize(("value", "expected"), _UNREADABLE.values(), ids=_UNREADABLE)
def test_every_value_of_a_key_given_twice_is_read_under_the_same_checks(
    tmp_path: Path, value: str, expected: str, which: str
) -> None:
    # Only the first value of a key given twice was walked, and YAML keeps the last: an
    # alias bomb, deep nesting or a Python set under the same key again was built and
    # handed on as if the walk had checked it.
    values = ["1", "1", "1"]
    values[["first", "second", "third"].index(which)] = value
    text = "id: w\n" + "".join(f"x-a: {v}\n" for v in values)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(write(tmp_path / "w.yaml", text))
    messages = [p.message for p in caught.value.problems]
    assert any(expected in m for m in messages), messages


# -- what errors quote -----------------------------------------------------------------------

#: What a file a model should never have named holds; no error may repeat it.
CONTENT = "hunter2-do-not-repeat"

NOT_MAPPINGS = {
    "keys given twice in a list": f"- {{{CONTENT}: a, {CONTENT}: b}}\n",
    "a custom tag": f"!{CONTENT} x\n",
    "a custom tag in a list": f"- !{CONTENT} x\n",
    "an integer tag": f"!!int {CONTENT}\n",
    "a float tag": f"!!float {CONTENT}\n",
    "a bool tag": f"!!bool {CONTENT}\n",
    "a date and time": f"- !!timestamp {CONTENT}\n",
    "a merge key in a list": f"- {{<<: {{a: 1}}, {CONTENT}: 1}}\n",
    "an undefined alias": f"- *{CONTENT}\n",
    "a long number": f"- {'1' * 5_000}\n- {CONTENT}\n",
    "text": f"{CONTENT}\n",
    "a list of text": f"- {CONTENT}\n- token: 1\n",
}
JSON_NOT_MAPPINGS = {
    "json keys given twice": f'[{{"{CONTENT}": 1, "{CONTENT}": 2}}]',
    "json text": f'"{CONTENT}"',
    "json list": f'["{CONTENT}", 1e999]',
    "json number": "1e999",
}


@pytest.mark.parametrize(
    ("text", "suffix"),
    [
        *((t, ".yaml") for t in NOT_MAPPINGS.values()),
        *((t, ".json") for t in JSON_NOT_MAPPINGS.values()),
    ],
    ids=[*NOT_MAPPINGS, *JSON_NOT_MAPPINGS],
)
def test_an_error_never_quotes_a_file_that_is_not_a_mapping(
    tmp_path: Path, text: str, suffix: str
) -> None:
    # A model that names a secret file (a key, a token list) must not echo it into CI logs.
    secret = write(tmp_path / f"secret{suffix}", text)
    model = write(tmp_path / "model.yaml", f"aimo: 1\nworkflow_files: [secret{suffix}]\n")
    for path in (secret, model):
        with pytest.raises(aimo.DocumentError) as caught:
            aimo.load(path)
        for problem in caught.value.problems:
            assert CONTENT not in str(problem), problem
            assert "1e999" not in str(problem), problem
    result = run_cli("check", secret, model, "--today", TODAY.isoformat())
    assert result.returncode == 2
    assert CONTENT not in result.stderr + result.stdout


# -- what a file may pretend to be -----------------------------------------------------------

DENIED = "id: w\nstage: pilot\n"


@pytest.mark.parametrize(
    "disguise",
    [
        "pack: x\npolicies: []\n",
        "pack: x\nversion: '1'\npolicies: []\n",
        "pack: x\npolicies: [{id: a, title: b, require: {}, message: c}]\n",
    ],
)
def test_a_workflow_dressed_as_a_pack_is_still_judged(tmp_path: Path, disguise: str) -> None:
    # The command skips the packs it finds in a folder; a denied workflow that gained the
    # fields `pack` and `policies` was skipped with them, and the check passed.
    folder = tmp_path / "workflows"
    write(folder / "w.yaml", DENIED + disguise)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(folder / "w.yaml")
    messages = [p.message for p in caught.value.problems]
    assert any("unknown field 'pack'" in m for m in messages), messages
    result = run_cli("check", folder, "--today", TODAY.isoformat())
    assert result.returncode == 2, result.stdout + result.stderr


def test_a_model_dressed_as_a_pack_is_still_judged(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    write(folder / "m.yaml", "aimo: 1\nworkflows: [{id: w, stage: pilot}]\npack: x\npolicies: []\n")
    result = run_cli("check", folder, "--today", TODAY.isoformat())
    assert result.returncode == 2, result.stdout + result.stderr


def test_a_real_pack_in_a_folder_is_still_passed_over(tmp_path: Path) -> None:
    folder = tmp_path / "checked"
    write(
        folder / "pack.yaml",
        "pack: brand\nversion: '1'\ndescription: d\nx-owner: me\npolicies:\n"
        "  - {id: brand-x, title: X, message: m, require: {required: [name]}}\n",
    )
    write(folder / "w.yaml", DENIED)
    result = run_cli("check", folder, "--today", TODAY.isoformat())
    assert result.returncode == 1, result.stderr
    with pytest.raises(aimo.DocumentError, match="policy pack"):
        aimo.load(folder / "pack.yaml")


# -- where a problem is --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "words"),
    [
        ("NaN", "NaN"),
        ("-Infinity", "Infinity"),
        ("1e400", "too large"),
        ("-1.5E999", "too large"),
        ("9" * 5_000, "5,000 digits"),
    ],
    ids=["NaN", "-Infinity", "1e400", "-1.5E999", "5,000 digits"],
)
def test_a_json_number_json_cannot_hold_is_refused_at_its_path(
    tmp_path: Path, literal: str, words: str
) -> None:
    # The problem named the file only, so a long inventory had to be searched by hand.
    text = (
        '{\n  "id": "w",\n  "review": {\n    "history": [\n      {"date": "2026-10-01"},\n'
        f'      {{"date": "2026-11-01", "value": {literal}}}\n    ]\n  }},\n'
        f'  "x-scores": [1, {literal}]\n}}\n'
    )
    path = write(tmp_path / "w.json", text)
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path)
    found = {(p.path, p.line) for p in caught.value.problems}
    assert found == {("/review/history/1/value", 6), ("/x-scores/1", 9)}
    assert all(words in p.message for p in caught.value.problems)
    assert all(len(p.message) < 300 for p in caught.value.problems)
