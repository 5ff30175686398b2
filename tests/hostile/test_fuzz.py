"""Arbitrary data thrown at every entry point (spec 5.1): only aimo's own errors come out,
nothing hangs, every input of a batch gets its verdict, and the command never prints a
traceback, forges its output or exits 0 when it should not.

The documents start from the compliant workflow and break it where real fields are, so
that validation and the policies see the damage, not only the parser. Each test is bounded
in examples and time; together they stay within about a minute on a small CI machine.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xmlschema
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import aimo
from aimo.testing import compliant_document
from conftest import ROOT, TODAY

# A generous budget per example: it catches a hang or a blow-up in cost, not a slow machine.
BUDGET = dt.timedelta(seconds=10)
CLI_TIMEOUT = 60

COMPLIANT = compliant_document(TODAY)

#: Characters that forge output when printed raw (spec 5.1: outputs cannot be forged).
FORGING = frozenset(
    [
        *map(chr, range(0x20)),
        "\x7f",
        *map(chr, range(0x80, 0xA0)),
        "\u061c",
        "\u200e",
        "\u200f",
        "\u2028",
        "\u2029",
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2066, 0x206A)),
    ]
) - {"\n"}

#: Raise to search longer than CI does, e.g. AIMO_FUZZ_SCALE=50 before a release.
SCALE = float(os.environ.get("AIMO_FUZZ_SCALE", "1"))


def fuzz(max_examples: int) -> settings:
    return settings(
        max_examples=max(1, round(max_examples * SCALE)),
        deadline=BUDGET,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )


# -- values --------------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    "\x00",
    "\x1b[2K\rALL CLEAR",
    "\u202edeny",
    "\u2066x\u2069",
    "\ud800",
    "\udfff",
    "line\nbreak",
    "\u2028",
    "\ufeff",
    "~1/~0",
    "{0}{name}%s",
    "2026-11-27",
    "2026-11-27T10:00:00",
    "0",
    "20240101",
    "2019",
    "yes",
    "NaN",
    "-Infinity",
    "1e400",
    "x-",
    "<<",
    "pilot",
    "production",
    "retired",
    "public",
    "personal",
    "hard_mandatory",
    "owner-named",
]

texts = st.one_of(
    # Any code point, lone surrogates included.
    st.text(st.characters(exclude_categories=()), max_size=12),
    st.lists(st.sampled_from([*SPECIAL_TEXT, "a", "é", "\u0430"]), max_size=4).map("".join),
    st.sampled_from(SPECIAL_TEXT),
)
long_texts = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["a", "\u202e", "x- ", "é"]),
    st.integers(1_000, 120_000),
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(),  # NaN and infinities included
    st.sampled_from([0, -1, 1, 1e308, 5e-324, -0.0, 2**63]),
    # More digits than Python reads or writes as text (built here: they have no repr).
    st.integers(300, 5_000).map(lambda digits: -(10**digits)),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
#: What a JSON parser can produce, non-finite floats and lone surrogates included.
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)
#: Python values outside JSON's data model, as a careless pipeline might pass them.
python_oddities = st.one_of(
    st.sets(st.sampled_from(["public", "internal", "personal"]), max_size=3),
    st.frozensets(st.integers(0, 3), max_size=2),
    st.binary(max_size=8),
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.sampled_from([object(), aimo.Stage.PRODUCTION, aimo.Decision.ALLOW, Ellipsis, int, b""]),
    st.integers(4_300, 5_000).map(lambda digits: 10**digits),
)
python_values = st.one_of(json_like, python_oddities, long_texts)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a document: each key of each mapping, each item of each list."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


PLACES = list(_paths(COMPLIANT))[1:]


@st.composite
def mutated_documents(draw: st.DrawFn, values: st.SearchStrategy[Any] = python_values) -> Any:
    """The compliant workflow with a few of its places replaced, removed or added to."""
    document: Any = copy.deepcopy(COMPLIANT)
    for _ in range(draw(st.integers(1, 4))):
        *parents, last = draw(st.sampled_from(PLACES))
        target = document
        try:
            for key in parents:
                target = target[key]
            action = draw(st.sampled_from(["replace", "remove", "add"]))
            if action == "replace":
                target[last] = draw(values)
            elif action == "remove":
                del target[last]
            elif isinstance(target, dict):
                target[draw(st.one_of(texts, st.sampled_from(["x-a", "x-b", "id"])))] = draw(values)
            else:
                target.append(draw(values))
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier change removed or replaced this place
    return document


def _at(document: Any, place: tuple[Any, ...]) -> Any:
    for key in place:
        document = document[key]
    return document


#: Where the compliant workflow holds free text: hostile text there is still a valid
#: document, which the policies judge and every output shows.
TEXT_PLACES = [
    place
    for place in PLACES
    if isinstance(_at(COMPLIANT, place), str)
    and place[-1]
    not in {"stage", "consequence", "audience", "review_tier", "choice", "email", "recurrence"}
    and place[0] not in {"id", "production", "review", "content"}
]


def _surrogates(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


#: Text that may be valid, yet moves a cursor, reorders what is printed or breaks lines.
forging_texts = st.lists(
    st.one_of(
        st.sampled_from([t for t in SPECIAL_TEXT if t and not _surrogates(t)]),
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6),
    ),
    min_size=1,
    max_size=4,
).map("".join)


@st.composite
def hostile_text_documents(draw: st.DrawFn) -> dict[str, Any]:
    """The compliant workflow, its stage and audience varied, with hostile free text."""
    document: dict[str, Any] = copy.deepcopy(COMPLIANT)
    document["stage"] = draw(st.sampled_from(["pilot", "production", "idea", "retired"]))
    document["audience"] = draw(st.sampled_from(["internal", "partner", "public"]))
    for place in draw(st.lists(st.sampled_from(TEXT_PLACES), min_size=1, max_size=5)):
        *parents, last = place
        target: Any = document
        for key in parents:
            target = target[key]
        target[last] = draw(forging_texts)
    return document


documents = st.one_of(
    mutated_documents(), mutated_documents(json_like), json_like, hostile_text_documents()
)

# -- files ---------------------------------------------------------------------------------

YAML_VALUES = [
    "!!set {a, b}",
    "!!omap [{a: 1}, {b: 2}]",
    "!!pairs [{a: 1}]",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [echo hostile]",
    "!!python/name:os.system",
    "!!python/str hi",
    "!foo bar",
    "!foo {a: 1}",
    "!<tag:example.com,2026:x> y",
    "!!timestamp 2026-11-27T10:00:00Z",
    "!!timestamp 2026-11-27",
    "2026-11-27 10:00:00",
    "2026-11-27t10:00:00.5+02:00",
    "2026-02-30",
    "2026-11-27",
    "'2026-11-27'",
    "20261127",
    "2019",
    "0",
    "-1",
    "1:30",
    "190:20:30.15",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "=",
    ".nan",
    ".inf",
    "-.Inf",
    "1.0e+400",
    "9" * 5_000,
    "~",
    "yes",
    "off",
    "!!str 12",
    "!!int abc",
    "!!float abc",
    "!!bool maybe",
    "!!null x",
    "!!map [a]",
    "!!seq {a: 1}",
    "!!merge x",
    "{<<: {name: x}, name: y}",
    "{<<: [{a: 1}, {b: 2}]}",
    "&a {name: x}",
    "&b [1, 2]",
    "*a",
    "*b",
    "[*a, *a]",
    "{x-a: *a, x-b: *b}",
    "*undefined",
    "{a: 1, a: 2}",
    "{? [a, b] : c}",
    "{? {a: 1} : c}",
    '"\\x1b[31mdeny\\x1b[0m"',
    '"\\u202e"',
    '"\\0"',
    '"\\ud800"',
    '"\\U0001F600"',
    "|\n  two\n  lines",
    ">-\n  folded",
    '"unterminated',
    "[unterminated",
    "{a: [}",
    "\t",
    "%YAML 1.1",
    "--- second",
    "...",
    "@reserved",
]

yaml_values = st.one_of(
    st.sampled_from(YAML_VALUES),
    # Double-quoted escapes of any code point: controls, bidi, surrogates, beyond U+10FFFF.
    st.integers(0, 0x11_0000).map(lambda code: f'"\\U{code:08x}"'),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12).map(json.dumps),
)


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """The compliant workflow as YAML, with values, lines or tags around real fields broken."""
    lines = yaml.safe_dump(COMPLIANT, sort_keys=False, allow_unicode=True).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip(" -"))]
        key = line.strip(" -").split(":", 1)[0]
        action = draw(st.sampled_from(["value", "value", "insert", "duplicate", "tag"]))
        if action == "value":
            lines[index] = f"{indent}{key}: {draw(yaml_values)}"
        elif action == "insert":
            new_key = draw(st.sampled_from(["x-a", "x-b", "<<", "'<<'", "? x-c\n", key]))
            lines.insert(index + 1, f"{indent}{new_key}: {draw(yaml_values)}")
        elif action == "duplicate":
            lines.insert(index + 1, line)
        elif ": " in line:
            name, value = line.split(": ", 1)
            tag = draw(st.sampled_from(["!!str", "!!int", "!!float", "!!binary", "!x", "&a"]))
            lines[index] = f"{name}: {tag} {value}"
    return "\n".join(lines) + "\n"


@st.composite
def json_texts(draw: st.DrawFn) -> bytes:
    """A broken workflow as JSON: NaN and Infinity literals, escapes of lone surrogates,
    duplicate keys, invalid UTF-8, numbers too large for a float or too long to read."""
    document = draw(documents)
    try:
        text = json.dumps(document, allow_nan=True, ensure_ascii=draw(st.booleans()))
    except (TypeError, ValueError):
        # Python values that JSON cannot write (a set, an integer of 5,000 digits).
        text = json.dumps(COMPLIANT)
    edit = draw(st.sampled_from(["none", "duplicate", "number", "garbage", "truncate"]))
    if edit == "duplicate" and text.startswith("{") and len(text) > 2:
        text = '{"stage": "retired", ' + text[1:]
    elif edit == "number":
        number = draw(st.sampled_from(["1e400", "-1E999", "NaN", "Infinity", "9" * 5_000]))
        text = text.replace("2000", number, 1)
    elif edit == "garbage":
        position = draw(st.integers(0, len(text)))
        text = (
            text[:position]
            + draw(st.sampled_from(["\t", "\\", '"', "}", "\x00"]))
            + text[position:]
        )
    elif edit == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8", "surrogatepass")


# A file is YAML or JSON by its name; each text is also tried under the other name.
files = st.one_of(
    st.tuples(yaml_texts().map(str.encode), st.sampled_from([".yaml", ".yml", ".json"])),
    st.tuples(
        st.builds(
            lambda document, unicode: yaml.safe_dump(document, allow_unicode=unicode).encode(),
            hostile_text_documents(),
            st.booleans(),
        ),
        st.just(".yaml"),
    ),
    st.tuples(hostile_text_documents().map(lambda d: json.dumps(d).encode()), st.just(".json")),
    st.tuples(json_texts(), st.sampled_from([".json", ".yaml"])),
    st.tuples(st.binary(max_size=64), st.sampled_from([".yaml", ".json"])),
)

CLASS_NAMES = ["public", "internal", "confidential", "personal", "sensitive_personal", "secret"]
#: workflow_files entries that must never read a file the fuzz did not mean to be read.
PATTERNS = ["none-*.yaml", "../*.yaml", "/etc/passwd", "**/*.none", "[", "\x00", "a" * 5_000, ""]


@st.composite
def model_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Operating models: classes in any order, odd tiers, packs, waivers and patterns, with
    hostile workflows inline, and sometimes a value broken anywhere."""
    workflows = draw(st.lists(hostile_text_documents(), max_size=3))
    for index, workflow in enumerate(workflows):
        workflow["id"] = draw(st.sampled_from([f"w-{index}"] * 4 + ["w-0"]))  # duplicates too
    classes = draw(st.lists(st.sampled_from(CLASS_NAMES), min_size=1, max_size=6, unique=True))
    optional = {
        "organization": forging_texts,
        "data_classes": st.just(classes),
        "public_tools_max_class": st.sampled_from(classes),
        "selection": st.fixed_dictionaries({"min_score": st.integers(0, 9)}),
        "tiers": st.dictionaries(
            st.sampled_from(["low", "medium", "high", "critical", "x-a"]),
            st.fixed_dictionaries(
                {"review_tier": st.sampled_from(["light", "standard", "heavy"])},
                optional={
                    "approvals": st.integers(0, 3),
                    "approver_roles": st.lists(forging_texts, max_size=2),
                },
            ),
            max_size=4,
        ),
        "policies": st.fixed_dictionaries(
            {},
            optional={
                "disable": st.lists(
                    st.sampled_from(["quality-drift", "marketing", "waiver-expiring"]),
                    max_size=2,
                    unique=True,
                ),
                "enforcement": st.dictionaries(
                    st.sampled_from(["quality-drift", "owner-named", "governance-proportional"]),
                    st.sampled_from(["mandatory", "hard_mandatory"]),
                    max_size=2,
                ),
            },
        ),
    }
    model = draw(st.fixed_dictionaries({"aimo": st.just(1)}, optional=optional))
    model["workflows"] = workflows
    if draw(st.integers(0, 4)) == 0:
        # Patterns that may not be followed, or match nothing: errors of the model.
        model["workflow_files"] = draw(st.lists(st.sampled_from(PATTERNS), min_size=1))
    if draw(st.booleans()):
        place = draw(st.sampled_from(list(_paths(model))[1:]))
        *parents, last = place
        target: Any = model
        for key in parents:
            target = target[key]
        target[last] = draw(python_values)
    return model


def _model_text(model: dict[str, Any], suffix: str) -> bytes:
    try:
        if suffix == ".json":
            return json.dumps(model, allow_nan=True).encode("utf-8", "surrogatepass")
        return yaml.safe_dump(model, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError, yaml.YAMLError):
        # Python values neither writes (a set in JSON, a long number): a model all the same.
        return b'{"aimo": 1, "workflows": [{"id": "unwritable"}]}'


model_files = st.builds(
    lambda model, suffix: (_model_text(model, suffix), suffix),
    model_documents(),
    st.sampled_from([".yaml", ".json"]),
)


# -- what may come out ---------------------------------------------------------------------


def _strict_json(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in output that must be strict JSON")

    return json.loads(text, parse_constant=refuse)


def check_verdict(verdict: aimo.Verdict) -> None:
    """What every verdict promises, whatever document it judged."""
    assert verdict.decision in ("allow", "warn", "deny")
    assert verdict.allowed == (verdict.decision != "deny")
    assert all(
        f.outcome in ("pass", "fail", "error", "waived", "not_applicable") for f in verdict.findings
    )
    assert len(verdict.digest) == 64
    data = _strict_json(verdict.to_json())
    assert judged(aimo.Verdict.model_validate(data)) == judged(verdict)


def judged(verdict: aimo.Verdict) -> dict[str, Any]:
    """What a verdict says, without when it was said."""
    return {k: v for k, v in verdict.to_dict().items() if k != "evaluated_at"}


def check_problems(error: aimo.AimoError) -> None:
    """An error says what is wrong in a bounded amount of text."""
    if isinstance(error, aimo.DocumentError):
        assert error.problems
        for problem in error.problems:
            assert len(problem.message) <= 2_100
            assert len(problem.path) <= 2_100


def outcome(call: Any, *args: Any, **kwargs: Any) -> Any:
    """What ``call`` returned, or the aimo error it raised; anything else fails the test."""
    try:
        result = call(*args, **kwargs)
    except aimo.AimoError as exc:
        check_problems(exc)
        event(f"{call.__name__}: {type(exc).__name__}")
        return exc
    event(f"{call.__name__}: {type(result).__name__}")
    return result


def _printable(value: Any) -> bool:
    try:
        repr(value)
    except (ValueError, RecursionError):
        return False
    return True


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


# -- the API -------------------------------------------------------------------------------


@fuzz(150)
@given(documents)
def test_evaluate_judges_any_data_or_raises_a_document_error(document: Any) -> None:
    try:
        result = outcome(aimo.evaluate, document, today=TODAY)
    except TypeError:
        # Only a value that is not a document at all: a workflow, a mapping or a path.
        assert not isinstance(document, dict | str)
        return
    if isinstance(result, aimo.Verdict):
        check_verdict(result)
    else:
        assert isinstance(result, aimo.DocumentError)


@fuzz(60)
@given(st.data())
def test_load_and_evaluate_read_any_file_or_raise_a_document_error(
    folder: Path, data: st.DataObject
) -> None:
    content, suffix = data.draw(st.one_of(files, model_files))
    path = _write(folder, "document" + suffix, content)
    loaded = outcome(aimo.load, path)
    judgement = outcome(aimo.evaluate, path, today=TODAY)
    if isinstance(loaded, aimo.Workflow):
        check_verdict(judgement)
        assert judged(judgement) == judged(aimo.evaluate(loaded, today=TODAY))
    elif isinstance(loaded, aimo.OperatingModel):
        assert isinstance(judgement, aimo.DocumentError)  # a model is not a workflow
        for verdict in outcome(aimo.evaluate_model, path, today=TODAY):
            check_verdict(verdict)
    else:
        assert isinstance(loaded, aimo.DocumentError)
        assert isinstance(judgement, aimo.DocumentError)
        assert all(p.file == str(path) for p in loaded.problems)


@fuzz(40)
@given(st.data())
def test_a_batch_gives_every_input_its_verdict_and_never_stops(
    folder: Path, data: st.DataObject
) -> None:
    kinds = st.one_of(
        documents,
        st.builds(lambda d: aimo.Workflow.model_validate(d), st.just(COMPLIANT)),
        st.sampled_from([None, 3, [COMPLIANT], b"id: w", "", "no/such/file.yaml", "\x00"]),
        st.sampled_from(["file"]),
    )
    items: list[Any] = data.draw(st.lists(kinds, min_size=1, max_size=8))
    for index, item in enumerate(items):
        if item == "file":
            content, suffix = data.draw(files)
            items[index] = _write(folder, f"batch-{index}{suffix}", content)
    # Items that Python cannot even write down end the batch: a known hole, pinned by
    # test_python_values.py::test_a_batch_survives_items_that_cannot_even_be_written_down.
    assume(all(_printable(item) for item in items))
    expected = []
    for item in items:
        try:
            expected.append(outcome(aimo.evaluate, item, today=TODAY))
        except TypeError as exc:
            expected.append(exc)
    verdicts = list(aimo.evaluate_many(items, today=TODAY))
    assert len(verdicts) == len(items)
    for verdict, alone in zip(verdicts, expected, strict=True):
        check_verdict(verdict)
        if isinstance(alone, aimo.Verdict):
            assert judged(verdict) == judged(alone)
        else:
            assert verdict.decision == "deny"
            assert [f.policy_id for f in verdict.findings] == ["document-valid"]


# -- the command ---------------------------------------------------------------------------


def judgement_of(path: Path) -> list[aimo.Verdict] | aimo.AimoError:
    """What the API says of a file: a workflow's verdict, a model's own and its workflows'
    (each invalid workflow refused, spec 5.2; the model judged as a whole, spec 5.3), or
    the error that makes the file bad input."""
    verdict = outcome(aimo.evaluate, path, today=TODAY)
    if isinstance(verdict, aimo.Verdict):
        return [verdict]
    assessment = outcome(aimo.assess, path, today=TODAY)
    if isinstance(assessment, aimo.Assessment):
        return [assessment.model_verdict, *assessment.verdicts]
    return verdict  # not a model either: the file's own problem


def expected_exit(paths: list[Path]) -> int:
    """The exit code the command owes for these files, from what the API says of them."""
    judged = [judgement_of(path) for path in paths]
    if any(isinstance(j, aimo.AimoError) for j in judged):
        return 2
    denied = any(v.decision == "deny" for j in judged if isinstance(j, list) for v in j)
    return 1 if denied else 0


_FOLDERS = itertools.count()
JUNIT = xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd")
COMMANDS = [
    ["check"],
    ["check", "--format", "json"],
    ["check", "--format", "sarif"],
    ["check", "--format", "junit"],
    ["check", "--format", "github"],
    ["report"],
    ["report", "--format", "json"],
]


@fuzz(25)
@given(st.data())
def test_the_command_exits_as_the_verdicts_say_and_never_forges_output(
    folder: Path, data: st.DataObject
) -> None:
    drawn = data.draw(st.lists(st.one_of(files, model_files), min_size=1, max_size=3))
    # Named one by one, or found in a folder of their own.
    in_folder = data.draw(st.booleans())
    where = folder / f"cli-{next(_FOLDERS)}" if in_folder else folder
    where.mkdir(exist_ok=True)
    paths = [
        _write(where, f"cli-{index}{suffix}", content)
        for index, (content, suffix) in enumerate(drawn)
    ]
    command = data.draw(st.sampled_from(COMMANDS))
    named = [where] if in_folder else paths
    result = subprocess.run(
        [sys.executable, "-m", "aimo", *command, *map(str, named), "--today", TODAY.isoformat()],
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=CLI_TIMEOUT,
    )
    stdout = result.stdout.decode("utf-8")
    stderr = result.stderr.decode("utf-8")
    assert "Traceback" not in stderr, stderr
    assert all(line.startswith("aimo: ") for line in stderr.splitlines()), stderr
    assert result.returncode == expected_exit(paths), stderr
    assert not FORGING.intersection(stderr), stderr
    if "junit" in command:
        # Well-formed and valid whatever the documents hold, nothing raw that moves text.
        JUNIT.validate(stdout)
        assert not FORGING.intersection(stdout), stdout
    elif "github" in command:
        # Each line one command aimo wrote, or the summary: no document starts a line.
        *commands, summary = stdout.splitlines()
        assert summary.startswith("aimo: "), stdout
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in commands)
        assert not FORGING.intersection(stdout), stdout
    elif "--format" in command:
        report = _strict_json(stdout)
        if "sarif" in command:
            clean = report["runs"][0]["invocations"][0]["executionSuccessful"]
            assert clean == (result.returncode != 2)
    else:
        # Tables and Markdown lay text out in lines and columns; tabs included, nothing in
        # a document may move what is printed around it.
        assert not FORGING.intersection(stdout), stdout


plain_data = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        forging_texts,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(forging_texts, inner, max_size=3)
    ),
    max_leaves=6,
)


def _rewritten(value: Any, rng: Any, extra: Any) -> Any:
    """``value`` with the keys of every mapping in another order, and ``extra()`` x- fields
    added to each (none when ``extra`` is None)."""
    if isinstance(value, dict):
        items = [(k, _rewritten(v, rng, extra)) for k, v in value.items()]
        if extra is not None:
            items.append((f"x-{rng.randint(0, 999)}", extra()))
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [_rewritten(v, rng, extra) for v in value]
    return value


def _forms(folder: Path, document: dict[str, Any], rng: Any) -> Iterator[Any]:
    """One document as a mapping, a model object, and YAML and JSON files of it."""
    yield document
    yield aimo.Workflow.model_validate(document)
    # PyYAML writes U+0085 unescaped when allowed Unicode, and YAML reads it as a line
    # break: a fault of that writer, not of reading.
    unicode = rng.random() < 0.5 and "\x85" not in json.dumps(document, ensure_ascii=False)
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=unicode, width=10**6)
    yield _write(folder, "same.yaml", text.encode())
    yield _write(folder, "same.json", json.dumps(document, ensure_ascii=unicode).encode())


def _unlocated(verdict: aimo.Verdict) -> dict[str, Any]:
    said = judged(verdict)
    for finding in said["findings"]:
        finding["location"] = None  # lines differ between a YAML and a JSON file
    return said


@fuzz(40)
@given(hostile_text_documents(), st.randoms(use_true_random=False), st.data())
def test_how_a_document_is_written_never_changes_its_verdict(
    folder: Path, document: dict[str, Any], rng: Any, data: st.DataObject
) -> None:
    """YAML or JSON, a file, a mapping or a model object, keys in any order: one verdict and
    one digest. x- fields anywhere change the digest (they were judged too), nothing else."""
    expected = _unlocated(aimo.evaluate(document, today=TODAY))
    for form in _forms(folder, _rewritten(document, rng, None), rng):
        assert _unlocated(aimo.evaluate(form, today=TODAY)) == expected, form
    with_x = _rewritten(document, rng, lambda: data.draw(plain_data))
    expected["digest"] = None
    for form in _forms(folder, with_x, rng):
        verdict = _unlocated(aimo.evaluate(form, today=TODAY))
        assert verdict | {"digest": None} == expected, form
