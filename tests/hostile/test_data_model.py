"""Only JSON's data model gets into a document, from YAML, JSON and Python alike (spec 5.1)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import NORTHWIND, ROOT, TODAY, make
from hostile.support import write


def problems_of(path: Path) -> list[aimo.Problem]:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path)
    return caught.value.problems


# -- YAML types outside JSON ---------------------------------------------------------------

REFUSED_YAML = {
    "set": ("x-a: !!set {a, b}\n", "/x-a", "a set (!!set)"),
    "omap": ("x-a: !!omap [{a: 1}, {b: 2}]\n", "/x-a", "an ordered map (!!omap)"),
    "pairs": ("x-a: !!pairs [{a: 1}, {a: 2}]\n", "/x-a", "a list of pairs (!!pairs)"),
    "binary in text": ("name: !!binary aGVsbG8=\n", "/name", "binary data (!!binary)"),
    "python tag": ("name: !!python/str hi\n", "/name", "!!python/str"),
    "python code": ("name: !!python/object/apply:os.system [ls]\n", "/name", "!!python/object"),
    "custom scalar tag": ("name: !secret hi\n", "/name", "custom tag '!secret'"),
    "custom mapping tag": ("owner: !person {name: a}\n", "/owner", "custom tag '!person'"),
    "custom list tag": ("inputs: !list []\n", "/inputs", "custom tag '!list'"),
    "timestamp with time": ("name: 2026-11-27 10:00:00\n", "/name", "a date and time"),
    "explicit timestamp tag": ("name: !!timestamp 2026-11-27T10:00:00Z\n", "/name", "date and"),
    "merge key": (
        "base: &b {name: x}\nowner:\n  <<: *b\n  name: y\n",
        "/owner",
        "merge keys (<<) are not allowed",
    ),
    "nan": (
        "use_case: {success_measure: {target: .nan}}\n",
        "/use_case/success_measure/target",
        "finite",
    ),
    "inf": (
        "use_case: {success_measure: {target: .inf}}\n",
        "/use_case/success_measure/target",
        "finite",
    ),
    "-inf": ("x-a: [-.Inf]\n", "/x-a/0", "finite"),
    "float overflow": ("x-a: 1.0e+400\n", "/x-a", "finite"),
    "huge integer": ("x-a: " + "9" * 10_000 + "\n", "/x-a", "10,000 digits"),
}


@pytest.mark.parametrize(("text", "path", "words"), REFUSED_YAML.values(), ids=REFUSED_YAML)
def test_yaml_outside_jsons_data_model_is_refused_at_its_path(
    tmp_path: Path, text: str, path: str, words: str
) -> None:
    file = write(tmp_path / "w.yaml", "id: w\n" + text)
    problems = problems_of(file)
    assert any(p.path == path and words in p.message for p in problems), problems
    assert all(p.line is not None for p in problems if p.path == path)
    # What the problem quotes stays short, whatever the document held.
    assert all(len(p.message) < 600 for p in problems)


def test_a_set_cannot_make_verdicts_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # The order of data_classes is the sensitivity ranking; a set had none to keep.
    model = write(
        tmp_path / "model.yaml",
        "aimo: 1\ndata_classes: !!set {public, internal, personal}\n"
        "public_tools_max_class: internal\nworkflows: [{id: w}]\n",
    )
    codes = set()
    for seed in ("0", "1", "2", "3"):
        result = subprocess.run(
            [sys.executable, "-m", "aimo", "check", str(model), "--today", "2026-11-27"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
        )
        codes.add(result.returncode)
        assert "a set (!!set)" in result.stderr
    assert codes == {2}


@pytest.mark.parametrize("key", ["<<", "'<<'"])
def test_a_quoted_or_merge_key_never_overrides_silently(tmp_path: Path, key: str) -> None:
    file = write(tmp_path / "w.yaml", f"id: w\nname: a\n{key}: {{name: b}}\n")
    problems = problems_of(file)
    assert problems  # a merge key, or an unknown field '<<': never a silent override


# -- JSON and Python --------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_json_non_finite_numbers_are_refused(tmp_path: Path, literal: str) -> None:
    file = write(
        tmp_path / "w.json",
        '{"id": "w", "use_case": {"success_measure": {"target": ' + literal + "}}}",
    )
    [problem] = problems_of(file)
    assert "NaN" in problem.message or "too large" in problem.message


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "change",
    [
        lambda v: {"use_case.success_measure.target": v},
        lambda v: {"review.history": [{"date": "2026-10-01", "value": v}]},
        lambda v: {"escalation.response_hours": v},
        lambda v: {"x-score": v},
        lambda v: {"owner.x-nested": {"deep": [v]}},
    ],
    ids=["target", "history value", "response hours", "x- field", "nested x- field"],
)
def test_python_non_finite_floats_are_refused_everywhere(value: float, change: Any) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make(change(value)), today=TODAY)
    assert any("finite" in p.message for p in caught.value.problems), caught.value.problems


def test_nan_cannot_turn_a_drift_warning_into_an_allow() -> None:
    drifting = make(
        {
            "use_case.success_measure.target": 2,
            "use_case.success_measure.higher_is_better": False,
            "review.history": [
                {"date": "2026-10-01", "value": 5},
                {"date": "2026-11-01", "value": 6},
            ],
        }
    )
    assert aimo.evaluate(drifting, today=TODAY).decision == "warn"
    drifting["use_case"]["success_measure"]["target"] = math.nan
    with pytest.raises(aimo.DocumentError):
        aimo.evaluate(drifting, today=TODAY)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"a", "b"}, "set has no order"),
        (frozenset({"a"}), "set has no order"),
        (b"bytes", "binary data"),
        (bytearray(b"x"), "binary data"),
        (dt.date(2026, 1, 1), "only date fields hold dates"),
        (object(), "plain data"),
    ],
)
def test_python_values_outside_json_are_refused_in_x_fields(value: Any, words: str) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate({"id": "w", "x-a": {"b": value}}, today=TODAY)
    assert any(words in p.message for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("value", [{"public", "internal"}, frozenset({"public"}), "public"])
def test_a_list_field_takes_only_a_list(value: Any) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make({"data_boundary.allowed": value}), today=TODAY)
    [problem] = caught.value.problems
    assert problem.path.startswith("/data_boundary/allowed")


@pytest.mark.parametrize("field", ["name", "owner.name", "inputs"])
def test_bytes_are_not_text(field: str) -> None:
    value: Any = b"Dana" if field != "inputs" else [{"name": b"crm"}]
    with pytest.raises(aimo.DocumentError):
        aimo.evaluate(make({field: value}), today=TODAY)


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, "false"])
def test_a_checklist_tick_is_true_or_false_not_text(value: Any) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make({"production.logging": value}), today=TODAY)
    assert caught.value.problems[0].path == "/production/logging"


# -- dates -------------------------------------------------------------------------------------

DATE_FIELDS = [
    "production.went_live",
    "review.last_reviewed",
    "waivers",  # each waiver's expires
    "review.history",  # each entry's date
]
BAD_DATES: list[Any] = [
    "0",
    "86400",
    "2019",
    "20240101",
    "2026-1-5",
    "2026-11-27T10:00:00",
    "27/11/2026",
    "2026-W48-5",
    0,
    86400,
    2019,
    20240101,
    1.5,
    True,
    dt.datetime(2026, 11, 27, 10, 0),
]


def _with_date(field: str, value: Any) -> dict[str, Any]:
    if field == "waivers":
        return make(
            {
                "waivers": [
                    {
                        "policy": "escalation-path-present",
                        "reason": "r",
                        "approved_by": "a",
                        "expires": value,
                    }
                ]
            }
        )
    if field == "review.history":
        return make({"review.history": [{"date": value, "value": 1}]})
    return make({field: value})


@pytest.mark.parametrize("value", BAD_DATES, ids=repr)
@pytest.mark.parametrize("field", DATE_FIELDS)
def test_a_date_field_takes_an_iso_calendar_date_and_nothing_else(field: str, value: Any) -> None:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(_with_date(field, value), today=TODAY)
    [problem] = caught.value.problems
    assert "2026-11-27 (year-month-day)" in problem.message


@pytest.mark.parametrize("field", DATE_FIELDS)
@pytest.mark.parametrize("value", ["2026-11-01", dt.date(2026, 11, 1)])
def test_iso_dates_as_text_or_dates_are_accepted(field: str, value: Any) -> None:
    aimo.evaluate(_with_date(field, value), today=TODAY)


@pytest.mark.parametrize("text", ["0", "'0'", "86400", "2019", "'2019'", "2026-11-27T10:00:00"])
def test_yaml_dates_are_strict_too(tmp_path: Path, text: str) -> None:
    file = write(tmp_path / "w.yaml", f"id: w\nproduction: {{went_live: {text}}}\n")
    [problem] = problems_of(file)
    assert problem.path == "/production/went_live"
    assert "2026-11-27" in problem.message


def test_the_example_still_loads_and_judges_the_same() -> None:
    verdicts = aimo.evaluate_model(NORTHWIND, today=TODAY)
    assert [v.decision.value for v in verdicts].count("deny") == 2


def test_strict_json_everywhere_a_program_reads(tmp_path: Path) -> None:
    # Every JSON output parses with a strict parser: no NaN, no Infinity.
    def strict(text: str) -> Any:
        def refuse(name: str) -> Any:
            raise AssertionError(f"{name} in strict JSON output")

        return json.loads(text, parse_constant=refuse)

    for fmt in ("json", "sarif"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "aimo",
                "check",
                str(NORTHWIND),
                "--format",
                fmt,
                "--today",
                "2026-11-27",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        strict(result.stdout)
