"""The test kit for policy authors: a pytest plugin (spec section 4.8).

Installed with aimo, the plugin is active in every pytest session (entry point ``pytest11``,
name ``aimo``). It provides:

Fixtures
    ``aimo_engine``
        An :class:`aimo.Engine` with the built-in policies and every installed plugin
        (session scoped). Override it in a ``conftest.py`` to test an engine of your own.
    ``aimo_today``
        The evaluation date: the ini option ``aimo_today = YYYY-MM-DD`` when set, else
        today (UTC). Override the fixture to choose it in code.
    ``make_workflow``
        ``make_workflow(**overrides) -> aimo.Workflow``: a complete production workflow
        that every built-in policy passes, or finds not applicable, as of ``aimo_today``.
        A keyword replaces a field (``consequence="high"``), a double underscore reaches
        into it (``owner__email="x@example.com"``, ``inputs__0__classification=...``) and
        ``None`` removes the field. :func:`compliant_workflow` is the same outside fixtures.

Assertion helpers
    :func:`assert_allows`, :func:`assert_warns`, :func:`assert_denies`,
    :func:`assert_fails`, :func:`assert_passes`, :func:`assert_not_applicable` and
    :func:`assert_waived` raise ``AssertionError`` with the verdict printed readably.

Case files
    pytest collects every ``*.aimo-test.yaml`` file as tests, one per case::

        today: 2026-11-27        # optional; default: the aimo_today fixture
        model: ../model.yaml     # optional operating model, relative to this file
        cases:
          - name: public claims need high consequence    # unique within the file
            overrides:           # deep-merged into the compliant workflow; null removes
              audience: public
              content: {makes_claims: true, substantiation: [https://example.com/study]}
              consequence: medium
            # or  workflow: {...}            a complete workflow instead of overrides
            # or  workflow_file: flows/a.yaml  relative to this file
            # (with none of the three, the case judges the compliant workflow as it is)
            today: 2027-03-01    # optional; this case's evaluation date (the compliant
                                 # workflow's dates follow it)
            expect:              # at least one expectation
              decision: deny                          # allow | warn | deny
              fail: [consequence-matches-exposure]    # policy ids...
              pass: [owner-named]
              not_applicable: [quality-drift]
              waived: []

    Under ``fail`` and ``waived`` an entry may also be ``{policy: ID, path: /json/pointer}``
    to expect the finding at that path. ``fail`` means at least one finding of the policy
    failed; ``waived``, at least one was waived; ``pass`` and ``not_applicable``, every
    finding of the policy had that outcome. The cases use the ``aimo_engine`` fixture, so
    an override of it in a ``conftest.py`` applies to them too. A case file that breaks
    these rules is reported as a collection error naming the file, the case and the problem.

Outcome coverage
    ``--aimo-coverage`` reports at the end of the session, for every policy known to an
    engine that evaluated a workflow during the session (and to the default
    ``aimo.Engine()``), whether the tests made it pass, fail and not apply, then lists the
    policies never made to fail. A ``fail`` or ``waived`` finding counts as made to fail; an
    ``error`` does not (it is reported separately, as a bug). ``--aimo-coverage-fail-under N``
    also fails the session when fewer than N percent of the policies were made to fail.
    Outcomes are recorded in the pytest process itself, so run coverage without
    pytest-xdist's ``-n``.

The helpers build their own messages, so pytest need not rewrite this module's asserts
(PYTEST_DONT_REWRITE): that also keeps an early ``import aimo.testing`` from warning.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import difflib
import json
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import pytest
from pydantic import BaseModel

from aimo._documents.dates import shift
from aimo._documents.loader import load, read, validate
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.source import SourceMap, escape
from aimo._engine.engine import _OBSERVERS, Engine
from aimo._engine.verdict import Decision, Finding, Outcome, Verdict
from aimo._errors import DocumentError, Problem

__all__ = [
    "WorkflowFactory",
    "assert_allows",
    "assert_denies",
    "assert_fails",
    "assert_not_applicable",
    "assert_passes",
    "assert_waived",
    "assert_warns",
    "compliant_document",
    "compliant_workflow",
    "describe_verdict",
]

CASE_FILE_SUFFIX = ".aimo-test.yaml"

# --------------------------------------------------------------------------------------
# The compliant workflow
# --------------------------------------------------------------------------------------


def _base_document(today: dt.date) -> dict[str, Any]:
    # Dates follow `today` so that the workflow is current on whatever date it is judged.
    went_live = shift(today, -60).isoformat()
    reviewed = shift(today, -30).isoformat()
    return {
        "id": "weekly-channel-summary",
        "name": "Weekly channel performance summary",
        "stage": "production",
        "use_case": {
            "description": "Summarise paid-channel performance for the Monday budget meeting",
            "recurrence": "weekly",
            "decision": "Monday budget reallocation across paid channels",
            "success_measure": {
                "description": "Summary ready by 09:00 Monday with at most 2 corrections",
                "metric": "corrections_per_week",
                "target": 2,
                "higher_is_better": False,
            },
        },
        "consequence": "low",
        "audience": "internal",
        "content": {"types": ["text"], "makes_claims": False},
        "owner": {"name": "Dana Lee", "email": "dana.lee@example.com"},
        # Not the owner, so that raising the consequence needs no new reviewer.
        "reviewer": {"name": "Sam Ortiz", "email": "sam.ortiz@example.com"},
        "data_boundary": {"allowed": ["public", "internal"]},
        "inputs": [
            {"name": "ga4_weekly_export", "classification": "internal", "source": "GA4 export"}
        ],
        "output_standard": {
            "description": "Three bullets and one table; every figure matches the dashboard",
            "document": "https://wiki.example.com/standards/channel-summary",
            "checks": {"max_length": 2000, "banned_phrases": ["guaranteed", "risk-free"]},
        },
        # Present although a low-consequence workflow needs none, for the same reason.
        "escalation": {
            "contacts": [{"name": "Dana Lee", "email": "dana.lee@example.com"}],
            "steps": ["Pause the workflow", "Notify the owner"],
            "response_hours": 24,
        },
        "review_tier": "light",
        "infrastructure": {
            "choice": "public",
            "tool": "ChatGPT Enterprise",
            "rationale": "Internal, low-sensitivity data; no model control needed",
        },
        "production": {
            "went_live": went_live,
            "logging": True,
            "monitoring": True,
            "review_enforced": True,
        },
        "review": {
            "cadence_days": 90,
            "last_reviewed": reviewed,
            "history": [{"date": reviewed, "value": 1, "outcome": "keep"}],
        },
    }


def _plain(value: Any) -> Any:
    """Plain data for a value given in Python: document parts and enums included."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _override(document: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split("__")
    if not all(parts):
        raise TypeError(
            f"The override {key!r} has an empty part; write nested fields like owner__email."
        )
    target: Any = document
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(target, dict):
            if last:
                if value is None:
                    target.pop(part, None)
                else:
                    target[part] = _plain(value)
                return
            child = target.get(part)
            if child is None:
                if value is None:
                    return  # removing something that is not there
                child = target[part] = {}
        elif isinstance(target, list):
            if not part.isdigit() or int(part) >= len(target):
                raise TypeError(
                    f"The override {key!r} needs item {part!r} of a list of {len(target)}; "
                    "use an index such as 0."
                )
            if last:
                if value is None:
                    del target[int(part)]
                else:
                    target[int(part)] = _plain(value)
                return
            child = target[int(part)]
        else:
            raise TypeError(
                f"The override {key!r} reaches into {'__'.join(parts[:depth])!r}, which "
                f"holds {target!r}, not a set of fields."
            )
        target = child


def compliant_document(today: dt.date, /, **overrides: Any) -> dict[str, Any]:
    """The compliant workflow of :func:`compliant_workflow` as plain data, with overrides."""
    document = _base_document(today)
    for key, value in overrides.items():
        _override(document, key, value)
    return document


def compliant_workflow(today: dt.date, /, **overrides: Any) -> Workflow:
    """A complete production workflow that every built-in policy passes on ``today``.

    Built-in policies either pass or do not apply; the dates (went live, last reviewed) are
    relative to ``today``. Keyword arguments change it: ``consequence="high"`` replaces a
    field, ``owner__email="x@example.com"`` (double underscore) reaches into one,
    ``inputs__0__classification="personal"`` into a list item, and ``None`` removes the
    field. Values may be plain data or aimo document parts such as :class:`aimo.Person`.

    :raises aimo.DocumentError: when the changes make the workflow invalid.
    :raises TypeError: when an override cannot be applied to the workflow's shape.
    """
    return validate(Workflow, compliant_document(today, **overrides))


class WorkflowFactory(Protocol):
    """The type of the ``make_workflow`` fixture."""

    def __call__(self, **overrides: Any) -> Workflow: ...


def _merge(base: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` deep-merged: mappings merge, ``None`` removes, rest replaces."""
    merged: dict[str, Any] = dict(base) if isinstance(base, Mapping) else {}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# --------------------------------------------------------------------------------------
# Describing verdicts and checking expectations
# --------------------------------------------------------------------------------------

_DECISION_WORDS = {
    Decision.ALLOW: "allowed",
    Decision.WARN: "allowed with a warning",
    Decision.DENY: "denied",
}


def _value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 100 else text[:97] + "..."


def _finding_lines(finding: Finding, *, with_id: bool) -> list[str]:
    name = f" {finding.policy_id}" if with_id else ""
    blocks = ""
    if finding.failed:
        blocks = ", blocks" if finding.enforcement.blocking else ", does not block"
    where = finding.path or "/"
    if finding.location is not None and finding.location.line is not None:
        where += f" ({finding.location.file}:{finding.location.line})"
    lines = [
        f"  {finding.outcome.value}{name} at {where} [{finding.enforcement.value}{blocks}]",
        f"      {finding.message}",
    ]
    if finding.outcome in (Outcome.FAIL, Outcome.WAIVED):
        lines.append(f"      observed: {_value(finding.observed)}")
        lines.append(f"      expected: {_value(finding.expected)}")
    return lines


def describe_verdict(verdict: Verdict, policy_ids: Iterable[str] = ()) -> str:
    """The verdict as text for a person: the decision, the findings of ``policy_ids``, and
    every failure (outcome fail or error)."""
    stage = f" at stage {verdict.stage.value}" if verdict.stage else ""
    lines = [
        f"Workflow {verdict.workflow_id!r}{stage} was {_DECISION_WORDS[verdict.decision]} "
        f"(decision {verdict.decision.value})."
    ]
    for policy_id in dict.fromkeys(policy_ids):
        findings = [f for f in verdict.findings if f.policy_id == policy_id]
        if not findings:
            lines.append(
                f"No finding of {policy_id!r}: the engine that judged it has no such policy."
            )
            continue
        lines.append(f"Findings of {policy_id!r}:")
        for finding in findings:
            lines.extend(_finding_lines(finding, with_id=False))
    failures = verdict.failures
    if failures:
        lines.append(f"All failures ({len(failures)}):")
        for finding in failures:
            lines.extend(_finding_lines(finding, with_id=True))
    else:
        lines.append("No policy failed.")
    return "\n".join(lines)


def _what_happened(findings: Sequence[Finding]) -> str:
    """What a policy's findings amount to, as the end of a sentence."""
    parts: list[str] = []
    by_outcome: dict[Outcome, list[str]] = {}
    for finding in findings:
        by_outcome.setdefault(finding.outcome, []).append(finding.path or "/")
    words = {
        Outcome.PASS: "it passed",
        Outcome.NOT_APPLICABLE: "it did not apply",
        Outcome.FAIL: "it failed at {}",
        Outcome.WAIVED: "it was waived at {}",
        Outcome.ERROR: "it could not be checked (the policy raised an error)",
    }
    for outcome, paths in by_outcome.items():
        parts.append(words[outcome].format(", ".join(paths)))
    return "; ".join(parts)


def _findings(verdict: Verdict, policy_id: str) -> list[Finding]:
    return [f for f in verdict.findings if f.policy_id == policy_id]


def _decision_problem(verdict: Verdict, expected: Decision) -> str | None:
    if verdict.decision is expected:
        return None
    return (
        f"Expected the workflow to be {_DECISION_WORDS[expected]} ({expected.value}), "
        f"but it was {_DECISION_WORDS[verdict.decision]} ({verdict.decision.value})."
    )


_EXPECTED_WORDS = {
    Outcome.FAIL: "to fail",
    Outcome.WAIVED: "to be waived",
    Outcome.PASS: "to pass",
    Outcome.NOT_APPLICABLE: "not to apply",
}


def _outcome_problem(
    verdict: Verdict, policy_id: str, outcome: Outcome, path: str | None = None
) -> str | None:
    """Why the policy's findings do not show ``outcome`` (at ``path``), or None when they do.

    fail and waived need one such finding; pass and not_applicable need every finding.
    """
    findings = _findings(verdict, policy_id)
    at = f" at {path or '/'}" if path is not None else ""
    expectation = f"Expected {policy_id!r} {_EXPECTED_WORDS[outcome]}{at}"
    if not findings:
        return (
            f"{expectation}, but no policy with that id judged the workflow "
            "(is the id spelled right, and does the engine load the policy?)."
        )
    if outcome in (Outcome.FAIL, Outcome.WAIVED):
        met = any(f.outcome is outcome and (path is None or f.path == path) for f in findings)
    else:
        met = all(f.outcome is outcome for f in findings)
    if met:
        return None
    return f"{expectation}, but {_what_happened(findings)}."


def _raise(problem: str | None, verdict: Verdict, policy_ids: Iterable[str] = ()) -> None:
    __tracebackhide__ = True
    if problem is not None:
        raise AssertionError(f"{problem}\n\n{describe_verdict(verdict, policy_ids)}")


def assert_allows(verdict: Verdict) -> None:
    """Assert that the decision is ``allow``: nothing failed, not even an advisory policy."""
    __tracebackhide__ = True
    _raise(_decision_problem(verdict, Decision.ALLOW), verdict)


def assert_warns(verdict: Verdict) -> None:
    """Assert that the decision is ``warn``: something failed, but nothing that blocks."""
    __tracebackhide__ = True
    _raise(_decision_problem(verdict, Decision.WARN), verdict)


def assert_denies(verdict: Verdict) -> None:
    """Assert that the decision is ``deny``: a blocking policy failed."""
    __tracebackhide__ = True
    _raise(_decision_problem(verdict, Decision.DENY), verdict)


def assert_fails(verdict: Verdict, policy_id: str, path: str | None = None) -> None:
    """Assert that the policy has a ``fail`` finding (at the JSON Pointer ``path``, if given).

    A waived or ``error`` finding does not count: use :func:`assert_waived` for the first,
    and fix the policy for the second.
    """
    __tracebackhide__ = True
    _raise(_outcome_problem(verdict, policy_id, Outcome.FAIL, path), verdict, [policy_id])


def assert_passes(verdict: Verdict, policy_id: str) -> None:
    """Assert that every finding of the policy is ``pass``."""
    __tracebackhide__ = True
    _raise(_outcome_problem(verdict, policy_id, Outcome.PASS), verdict, [policy_id])


def assert_not_applicable(verdict: Verdict, policy_id: str) -> None:
    """Assert that every finding of the policy is ``not_applicable``."""
    __tracebackhide__ = True
    _raise(_outcome_problem(verdict, policy_id, Outcome.NOT_APPLICABLE), verdict, [policy_id])


def assert_waived(verdict: Verdict, policy_id: str, path: str | None = None) -> None:
    """Assert that the policy has a ``waived`` finding (at ``path``, if given)."""
    __tracebackhide__ = True
    _raise(_outcome_problem(verdict, policy_id, Outcome.WAIVED, path), verdict, [policy_id])


# --------------------------------------------------------------------------------------
# Options and fixtures
# --------------------------------------------------------------------------------------


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, not {text!r}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aimo", "aimo policy tests")
    group.addoption(
        "--aimo-coverage",
        action="store_true",
        default=False,
        help="Report, per aimo policy, whether the tests made it pass, fail and not apply.",
    )
    group.addoption(
        "--aimo-coverage-fail-under",
        type=_percent,
        default=None,
        metavar="N",
        help="Fail the session when the tests made fewer than N percent of the aimo "
        "policies fail (implies --aimo-coverage).",
    )
    group.addoption(
        "--aimo-coverage-source",
        action="append",
        default=None,
        metavar="SOURCE",
        help="Count only the policies from this source (a plugin, a pack, or 'aimo' for the "
        "core policies) in the coverage; repeat for several. Default: the ini option "
        "aimo_coverage_sources, else every policy.",
    )
    parser.addini(
        "aimo_coverage_sources",
        "The policy sources counted by --aimo-coverage (default: every source).",
        type="linelist",
        default=[],
    )
    parser.addini(
        "aimo_today",
        "The evaluation date (YYYY-MM-DD) for aimo's test kit; default: today (UTC).",
        default="",
    )


_TODAY = pytest.StashKey[dt.date]()
_ENGINE = pytest.StashKey[Engine]()
_COVERAGE = pytest.StashKey["_Coverage"]()
_REPORT = pytest.StashKey["_CoverageReport"]()


def pytest_configure(config: pytest.Config) -> None:
    text = str(config.getini("aimo_today") or "").strip()
    if text:
        try:
            config.stash[_TODAY] = dt.date.fromisoformat(text)
        except ValueError:
            raise pytest.UsageError(
                f"The ini option aimo_today must be a date written YYYY-MM-DD, not {text!r}."
            ) from None
    if (
        config.getoption("aimo_coverage")
        or config.getoption("aimo_coverage_fail_under") is not None
    ):
        coverage = _Coverage()
        config.stash[_COVERAGE] = coverage
        _OBSERVERS.append(coverage)


def pytest_unconfigure(config: pytest.Config) -> None:
    coverage = config.stash.get(_COVERAGE, None)
    if coverage is not None and coverage in _OBSERVERS:
        _OBSERVERS.remove(coverage)


def _today(config: pytest.Config) -> dt.date:
    return config.stash.get(_TODAY, None) or dt.datetime.now(dt.UTC).date()


@pytest.fixture(scope="session")
def aimo_engine() -> Engine:
    """An engine with aimo's built-in policies and every installed plugin."""
    return Engine()


@pytest.fixture(scope="session")
def aimo_today(pytestconfig: pytest.Config) -> dt.date:
    """The evaluation date: the ini option ``aimo_today``, else today (UTC)."""
    return _today(pytestconfig)


@pytest.fixture
def make_workflow(aimo_today: dt.date) -> WorkflowFactory:
    """``make_workflow(**overrides)``: a compliant production workflow as of ``aimo_today``."""

    def make(**overrides: Any) -> Workflow:
        return compliant_workflow(aimo_today, **overrides)

    return make


# --------------------------------------------------------------------------------------
# Case files
# --------------------------------------------------------------------------------------

_FILE_KEYS = ("today", "model", "cases")
_CASE_KEYS = ("name", "today", "overrides", "workflow", "workflow_file", "expect")
_SOURCES = ("overrides", "workflow", "workflow_file")
_EXPECT_KEYS = ("decision", "fail", "pass", "not_applicable", "waived")
_OUTCOMES = {
    "fail": Outcome.FAIL,
    "pass": Outcome.PASS,
    "not_applicable": Outcome.NOT_APPLICABLE,
    "waived": Outcome.WAIVED,
}


@dataclass(frozen=True)
class _Expected:
    outcome: Outcome
    policy_id: str
    path: str | None = None


@dataclass
class _Case:
    name: str
    line: int | None
    today: dt.date | None = None
    overrides: dict[str, Any] | None = None
    workflow: dict[str, Any] | None = None
    workflow_file: Path | None = None
    decision: Decision | None = None
    outcomes: list[_Expected] = field(default_factory=list)


class _CaseFailed(Exception):
    """A case did not go as expected; ``report`` says how, for a person."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def _unknown(keys: Iterable[Any], known: Sequence[str], what: str) -> list[tuple[str, str]]:
    """``(key, message)`` for each key that is not one of ``known``."""
    problems = []
    for key in keys:
        if key in known:
            continue
        hint = difflib.get_close_matches(str(key), known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
        problems.append(
            (
                str(key),
                f"{what} has an unknown field {key!r}{suggestion} (allowed: {', '.join(known)})",
            )
        )
    return problems


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class _CaseFileParser:
    """Validates a parsed case file, collecting every problem with its line."""

    def __init__(self, path: Path, data: Any, source: SourceMap) -> None:
        self.path = path
        self.data = data
        self.source = source
        self._problems: list[tuple[int, str]] = []

    @property
    def problems(self) -> list[str]:
        """Every problem, in the order of the file's lines."""
        return [text for _, text in sorted(self._problems, key=lambda item: item[0])]

    def problem(self, pointer: str, message: str, case: str | None = None) -> None:
        line, _ = self.source.position(pointer)
        where = f"line {line}" if line is not None else "the file"
        prefix = f"{where}, {case}" if case else where
        self._problems.append((line or 0, f"{prefix}: {message}"))

    def parse(self) -> tuple[dt.date | None, Path | None, list[_Case]]:
        data = self.data
        if not isinstance(data, dict):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            self.problem(
                "", f"a case file is a mapping with a 'cases' list, but this one is {kind}"
            )
            return None, None, []
        for key, message in _unknown(data, _FILE_KEYS, "the file"):
            self.problem(f"/{escape(key)}", message)
        today = None
        if "today" in data:
            today = _date(data["today"])
            if today is None:
                self.problem(
                    "/today", f"'today' must be a date written YYYY-MM-DD, not {data['today']!r}"
                )
        model = None
        if "model" in data:
            if isinstance(data["model"], str) and data["model"]:
                model = self.path.parent / data["model"]
                if not model.is_file():
                    self.problem(
                        "/model",
                        f"the model file {data['model']!r} does not exist "
                        f"(paths are relative to {self.path.parent})",
                    )
            else:
                self.problem("/model", "'model' must be the path of an operating model file")
        cases = data.get("cases")
        if not isinstance(cases, list) or not cases:
            self.problem(
                "/cases" if "cases" in data else "", "the file needs a non-empty list 'cases'"
            )
            return today, model, []
        parsed = []
        names: dict[str, int] = {}
        for index, raw in enumerate(cases):
            case = self.case(index, raw, names)
            if case is not None:
                parsed.append(case)
        return today, model, parsed

    def case(self, index: int, raw: Any, names: dict[str, int]) -> _Case | None:
        pointer = f"/cases/{index}"
        label = f"case {index + 1}"
        if not isinstance(raw, dict):
            self.problem(pointer, "a case is a mapping with a 'name' and an 'expect'", label)
            return None
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            label = f"case {index + 1} ({name!r})"
            if name in names:
                self.problem(
                    f"{pointer}/name",
                    f"the name is already used by case {names[name] + 1}; give each case its own",
                    label,
                )
            names.setdefault(name, index)
        else:
            self.problem(pointer, "the case needs a 'name'", label)
            name = f"case {index + 1}"
        line, _ = self.source.position(pointer)
        case = _Case(name=name, line=line)
        for key, message in _unknown(raw, _CASE_KEYS, "the case"):
            self.problem(f"{pointer}/{escape(key)}", message, label)
        if "today" in raw:
            case.today = _date(raw["today"])
            if case.today is None:
                self.problem(
                    f"{pointer}/today",
                    f"'today' must be a date written YYYY-MM-DD, not {raw['today']!r}",
                    label,
                )
        given = [key for key in _SOURCES if key in raw]
        if len(given) > 1:
            self.problem(
                pointer,
                "give one of 'overrides', 'workflow' or 'workflow_file', not "
                + " and ".join(given),
                label,
            )
        for key in ("overrides", "workflow"):
            if key in raw:
                if isinstance(raw[key], dict):
                    setattr(case, key, raw[key])
                else:
                    self.problem(f"{pointer}/{key}", f"'{key}' must be a mapping of fields", label)
        if "workflow_file" in raw:
            value = raw["workflow_file"]
            if isinstance(value, str) and value:
                case.workflow_file = self.path.parent / value
                if not case.workflow_file.is_file():
                    self.problem(
                        f"{pointer}/workflow_file",
                        f"the workflow file {value!r} does not exist "
                        f"(paths are relative to {self.path.parent})",
                        label,
                    )
            else:
                self.problem(f"{pointer}/workflow_file", "'workflow_file' must be a path", label)
        self.expect(case, raw.get("expect"), f"{pointer}/expect", label, "expect" in raw)
        return case

    def expect(self, case: _Case, raw: Any, pointer: str, label: str, present: bool) -> None:
        if not isinstance(raw, dict) or not raw:
            self.problem(
                pointer if present else pointer.rsplit("/", 1)[0],
                "the case needs an 'expect' mapping with at least one of "
                + ", ".join(_EXPECT_KEYS),
                label,
            )
            return
        reported = len(self._problems)
        for key, message in _unknown(raw, _EXPECT_KEYS, "'expect'"):
            self.problem(f"{pointer}/{escape(key)}", message, label)
        if "decision" in raw:
            try:
                case.decision = Decision(raw["decision"])
            except ValueError:
                self.problem(
                    f"{pointer}/decision",
                    f"the decision must be allow, warn or deny, not {raw['decision']!r}",
                    label,
                )
        for key, outcome in _OUTCOMES.items():
            if key not in raw:
                continue
            items = raw[key]
            if not isinstance(items, list):
                self.problem(
                    f"{pointer}/{key}",
                    f"'{key}' must be a list of policy ids, such as [owner-named]",
                    label,
                )
                continue
            for position, item in enumerate(items):
                expected = self.expected(item, outcome)
                if expected is None:
                    paths = " or {policy: ID, path: /pointer}" if key in ("fail", "waived") else ""
                    self.problem(
                        f"{pointer}/{key}/{position}",
                        f"each entry of '{key}' must be a policy id{paths}, not {item!r}",
                        label,
                    )
                else:
                    case.outcomes.append(expected)
        if case.decision is None and not case.outcomes and len(self._problems) == reported:
            # `expect: {fail: []}` would pass while checking nothing.
            self.problem(
                pointer,
                "the case expects nothing: give a decision or at least one policy id under "
                + ", ".join(k for k in _EXPECT_KEYS if k != "decision"),
                label,
            )

    @staticmethod
    def expected(item: Any, outcome: Outcome) -> _Expected | None:
        if isinstance(item, str) and item:
            return _Expected(outcome, item)
        if (
            outcome in (Outcome.FAIL, Outcome.WAIVED)
            and isinstance(item, dict)
            and set(item) <= {"policy", "path"}
            and isinstance(item.get("policy"), str)
            and item["policy"]
            and isinstance(item.get("path", ""), str)
        ):
            path = item.get("path")
            return _Expected(outcome, item["policy"], path)
        return None


def _problem_text(problem: Problem) -> str:
    """A problem reading the case file itself, whose name heads the list already."""
    where = f"line {problem.line}" if problem.line is not None else "the file"
    at = f" (at {problem.path})" if problem.path else ""
    return f"{where}: {problem.message}{at}"


class CaseFile(pytest.File):
    """A ``*.aimo-test.yaml`` file: one test per case."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            parsed = read(self.path)
        except DocumentError as exc:
            raise self.CollectError(self._bad(map(_problem_text, exc.problems))) from None
        if parsed.problems:
            raise self.CollectError(self._bad(map(_problem_text, parsed.problems)))
        parser = _CaseFileParser(self.path, parsed.data, parsed.source)
        today, model_path, cases = parser.parse()
        if parser.problems:
            raise self.CollectError(self._bad(parser.problems))
        model = None
        if model_path is not None:
            try:
                document = load(model_path)
            except DocumentError as exc:
                raise self.CollectError(
                    self._bad([f"the model file {model_path} is invalid:", *map(str, exc.problems)])
                ) from None
            if not isinstance(document, OperatingModel):
                raise self.CollectError(
                    self._bad([f"{model_path} is a workflow, not an operating model"])
                )
            model = document
        for case in cases:
            yield CaseItem.from_parent(
                self,
                name=case.name,
                callobj=_case_runner(case, today, model),
                case=case,
            )

    def _bad(self, problems: Iterable[str]) -> str:
        lines = "\n".join(f"  {p}" for p in problems)
        return f"{self.nodeid} is not a valid aimo case file:\n{lines}"


def _case_runner(
    case: _Case, file_today: dt.date | None, model: OperatingModel | None
) -> Callable[[Engine, dt.date], None]:
    # A plain function whose parameters are fixtures: pytest resolves them for the case,
    # so overriding aimo_engine or aimo_today in a conftest.py applies to case files too.
    def run_case(aimo_engine: Engine, aimo_today: dt.date) -> None:
        today = case.today or file_today or aimo_today
        verdict = aimo_engine.evaluate(_case_workflow(case, today), model=model, today=today)
        _check_case(case, verdict, today)

    return run_case


def _case_workflow(case: _Case, today: dt.date) -> Workflow:
    try:
        if case.workflow_file is not None:
            document = load(case.workflow_file)
            if not isinstance(document, Workflow):
                raise _CaseFailed(
                    f"The case's workflow_file {case.workflow_file} is an operating model, "
                    "not a workflow."
                )
            return document
        if case.workflow is not None:
            return validate(Workflow, case.workflow)
        return validate(Workflow, _merge(compliant_document(today), case.overrides or {}))
    except DocumentError as exc:
        problems = "\n".join(f"  {p}" for p in exc.problems)
        raise _CaseFailed(f"The case's workflow is not a valid workflow:\n{problems}") from None


def _check_case(case: _Case, verdict: Verdict, today: dt.date) -> None:
    problems = []
    if case.decision is not None:
        problems.append(_decision_problem(verdict, case.decision))
    for expected in case.outcomes:
        problems.append(
            _outcome_problem(verdict, expected.policy_id, expected.outcome, expected.path)
        )
    unmet = [p for p in problems if p is not None]
    if unmet:
        lines = [f"Case {case.name!r}, judged on {today.isoformat()}:"]
        lines.extend(f"  {problem}" for problem in unmet)
        policies = [e.policy_id for e in case.outcomes]
        raise _CaseFailed("\n".join(lines) + "\n\n" + describe_verdict(verdict, policies))


class CaseItem(pytest.Function):
    """One case of a case file, run with the ``aimo_engine`` and ``aimo_today`` fixtures."""

    def __init__(self, *, case: _Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    # pytest.Function drops Node's `style` parameter in the same way.
    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> Any:
        if isinstance(excinfo.value, _CaseFailed):
            return excinfo.value.report
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.case.line - 1 if self.case.line is not None else None
        return self.path, line, f"case: {self.case.name}"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    if file_path.name.endswith(CASE_FILE_SUFFIX):
        return CaseFile.from_parent(parent, path=file_path)
    return None


# --------------------------------------------------------------------------------------
# Outcome coverage
# --------------------------------------------------------------------------------------


class _Coverage:
    """Records, per policy id, the outcomes of every evaluation made during the session."""

    def __init__(self) -> None:
        self.outcomes: dict[str, set[Outcome]] = {}
        self.sources: dict[str, str] = {}
        self._engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def __call__(self, engine: Engine, verdict: Verdict) -> None:
        if engine not in self._engines:
            self._engines.add(engine)
            for ref in engine.policy_set:
                self.sources.setdefault(ref.id, ref.source)
        for finding in verdict.findings:
            seen = self.outcomes.get(finding.policy_id)
            if seen is None:
                seen = self.outcomes[finding.policy_id] = set()
            seen.add(finding.outcome)

    def report(self, sources: Iterable[str] = ()) -> _CoverageReport:
        order: dict[str, str] = {}
        note = None
        try:
            for ref in Engine().policy_set:
                order[ref.id] = ref.source
        except Exception as exc:  # the report must still show what was recorded
            note = f"The default aimo engine could not be built, so its policies are missing: {exc}"
        for policy_id in sorted(set(self.sources) | set(self.outcomes)):
            order.setdefault(policy_id, self.sources.get(policy_id, "?"))
        rows = [
            _Row(policy_id, source, frozenset(self.outcomes.get(policy_id, ())))
            for policy_id, source in order.items()
        ]
        wanted = set(sources)
        if wanted:
            known = {row.source for row in rows}
            unknown = sorted(wanted - known)
            if unknown:
                # A misspelt source would otherwise shrink the gate to nothing, silently.
                missing = (
                    f"No policy comes from {', '.join(map(repr, unknown))}; the sources are "
                    f"{', '.join(map(repr, sorted(known)))}."
                )
                note = f"{note} {missing}" if note else missing
            # A project's gate is about its own policies, not every policy its tests touched.
            rows = [row for row in rows if row.source in wanted]
        return _CoverageReport(rows, note)


@dataclass(frozen=True)
class _Row:
    policy_id: str
    source: str
    outcomes: frozenset[Outcome]

    @property
    def passed(self) -> bool:
        return Outcome.PASS in self.outcomes

    @property
    def failed(self) -> bool:
        return Outcome.FAIL in self.outcomes or Outcome.WAIVED in self.outcomes

    @property
    def not_applicable(self) -> bool:
        return Outcome.NOT_APPLICABLE in self.outcomes


@dataclass(frozen=True)
class _CoverageReport:
    rows: list[_Row]
    note: str | None = None

    @property
    def failed(self) -> int:
        return sum(row.failed for row in self.rows)

    @property
    def percent(self) -> float:
        return 100.0 * self.failed / len(self.rows) if self.rows else 0.0


def _format_percent(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _threshold(config: pytest.Config) -> float | None:
    value = config.getoption("aimo_coverage_fail_under")
    return float(value) if value is not None else None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    coverage = session.config.stash.get(_COVERAGE, None)
    if coverage is None:
        return
    config = session.config
    sources = config.getoption("aimo_coverage_source") or config.getini("aimo_coverage_sources")
    report = coverage.report(sources)
    session.config.stash[_REPORT] = report
    threshold = _threshold(session.config)
    # Only a passing session turns into a failing one; other exit codes say more.
    if (
        threshold is not None
        and report.percent < threshold
        and session.exitstatus == pytest.ExitCode.OK
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "aimo policy outcome coverage")
    if report.note:
        write(report.note, yellow=True)
    header = ("POLICY", "SOURCE", "PASS", "FAIL", "NOT APPLICABLE")
    table = [header] + [
        (
            row.policy_id,
            row.source,
            "yes" if row.passed else "no",
            "yes" if row.failed else "no",
            "yes" if row.not_applicable else "no",
        )
        for row in report.rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        write(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )
    total = len(report.rows)
    write("")
    write(
        f"The tests made {report.failed} of {total} "
        f"polic{'y' if total == 1 else 'ies'} fail ({_format_percent(report.percent)}%)."
    )
    never = [row.policy_id for row in report.rows if not row.failed]
    if never:
        write("Never made to fail (add a test or case that breaks each one):")
        for policy_id in never:
            write(f"  {policy_id}")
    errored = [row.policy_id for row in report.rows if Outcome.ERROR in row.outcomes]
    if errored:
        write(
            "Raised an error in at least one test (a bug in the policy): " + ", ".join(errored),
            red=True,
        )
    threshold = _threshold(config)
    if threshold is not None:
        if report.percent < threshold:
            write(
                f"FAIL: only {_format_percent(report.percent)}% of the policies were made to "
                f"fail; --aimo-coverage-fail-under asks for at least "
                f"{_format_percent(threshold)}%.",
                red=True,
                bold=True,
            )
        else:
            write(
                f"The required {_format_percent(threshold)}% of policies made to fail is reached.",
                green=True,
            )
