"""Python data a pipeline hands to the API: whatever it holds, the answer is a verdict or a
DocumentError at its path, for one document and in a batch (spec 5.1)."""

from __future__ import annotations

from typing import Any

import pytest

import aimo
from conftest import TODAY, make

#: Python reads and writes integers of at most this many digits as text; JSON and YAML
#: files are held to it, and so are Python values.
DIGITS = 4_300


def _huge(sign: int = 1) -> int:
    return sign * 10**DIGITS  # one digit too many


INTEGER_PLACES: dict[str, Any] = {
    "x- field": lambda v: {"x-score": v},
    "nested x- field": lambda v: {"owner.x-nested": {"deep": [v]}},
    "max_length": lambda v: {"output_standard.checks.max_length": v},
    "cadence_days": lambda v: {"review.cadence_days": v},
    "target": lambda v: {"use_case.success_measure.target": v},
    "history value": lambda v: {"review.history": [{"date": "2026-10-01", "value": v}]},
    "response_hours": lambda v: {"escalation.response_hours": v},
}


@pytest.mark.parametrize("sign", [1, -1], ids=["positive", "negative"])
@pytest.mark.parametrize("place", INTEGER_PLACES.values(), ids=INTEGER_PLACES)
def test_an_integer_too_long_to_write_is_refused_where_it_stands(place: Any, sign: int) -> None:
    # Accepted, it made verdict.digest (and every JSON output of the verdict) raise.
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make(place(_huge(sign))), today=TODAY)
    [problem] = caught.value.problems
    assert "digits" in problem.message
    assert len(problem.message) < 600


@pytest.mark.parametrize("place", INTEGER_PLACES.values(), ids=INTEGER_PLACES)
def test_the_longest_integer_a_document_may_hold_still_digests(place: Any) -> None:
    longest = 10**DIGITS - 1
    try:
        verdict = aimo.evaluate(make(place(longest)), today=TODAY)
    except aimo.DocumentError:
        return  # out of the field's own range (a cadence of that many days)
    assert len(verdict.digest) == 64
    verdict.to_json()


def test_a_model_refuses_an_integer_too_long_to_write() -> None:
    tiers = {"low": {"review_tier": "light", "approvals": _huge()}}
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(make(), model={"tiers": tiers}, today=TODAY)
    assert caught.value.problems[0].path == "/tiers/low/approvals"


def _mapping_holding_itself() -> dict[str, Any]:
    document = make()
    document["x-self"] = document
    return document


def _list_holding_itself() -> dict[str, Any]:
    loop: list[Any] = []
    loop.append(loop)
    return make({"x-list": [loop]})


def _deep(levels: int) -> dict[str, Any]:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return make({"owner.x-deep": {"a": value}})


SHAPES = {
    "a mapping holding itself": _mapping_holding_itself,
    "a list holding itself": _list_holding_itself,
    "a list 300 deep": lambda: _deep(300),
}


@pytest.mark.parametrize(
    "shape", [*SHAPES.values(), lambda: _deep(5_000)], ids=[*SHAPES, "a list 5,000 deep"]
)
def test_data_that_holds_itself_or_nests_too_deep_is_a_document_error(shape: Any) -> None:
    # It raised RecursionError out of evaluate() (and ended a batch); or it was reported
    # as "not plain data", which is no help to the person who has to fix it.
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate(shape(), today=TODAY)
    [problem] = caught.value.problems
    assert problem.path.startswith(("/x-", "/owner/x-deep"))
    assert "deep" in problem.message or "itself" in problem.message


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES)
def test_a_batch_judges_data_that_holds_itself_and_goes_on(shape: Any) -> None:
    verdicts = list(aimo.evaluate_many([make(), shape(), make()], today=TODAY))
    assert [v.decision for v in verdicts] == ["allow", "deny", "allow"]
    assert verdicts[1].findings[0].policy_id == "document-valid"


@pytest.mark.parametrize(
    "item",
    [_huge(), {"id": "w", "x-a": _huge()}, [_huge()], _deep(5_000)],
    ids=["a bare long integer", "in a mapping", "in a list", "nested 5,000 deep"],
)
def test_a_batch_survives_items_that_cannot_even_be_written_down(item: Any) -> None:
    verdicts = list(aimo.evaluate_many([make(), item, make()], today=TODAY))
    assert [v.decision for v in verdicts] == ["allow", "deny", "allow"]
