"""Case files: ``*.aimo-test.yaml`` collected as tests, one per case."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from aimo._defaults import Engine, load
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.pointer import escape
from aimo._documents.reader import read
from aimo._documents.source import SourceMap
from aimo._documents.validate import validate
from aimo._engine.verdict import Decision, Outcome, Verdict
from aimo._errors import DocumentError, Problem
from aimo._policies.compliant import compliant_document
from aimo.testing.assertions import decision_problem, describe_verdict, outcome_problem

__all__ = ["CASE_FILE_SUFFIX", "CaseFile", "CaseItem", "collect"]

CASE_FILE_SUFFIX = ".aimo-test.yaml"


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
        problems.append(decision_problem(verdict, case.decision))
    for expected in case.outcomes:
        problems.append(
            outcome_problem(verdict, expected.policy_id, expected.outcome, expected.path)
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


def collect(file_path: Path, parent: pytest.Collector) -> CaseFile | None:
    if file_path.name.endswith(CASE_FILE_SUFFIX):
        return CaseFile.from_parent(parent, path=file_path)
    return None
