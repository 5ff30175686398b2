"""``aimo check --format junit``: a JUnit XML report, for CI servers' test views.

GitLab, Jenkins, Azure Pipelines and most CI servers read JUnit XML and show its failures
beside the build. Each checked file (an operating model, or a workflow file) is one
``testsuite``; each workflow and policy is one ``testcase``, named after the policy, its
class the workflow: ``failure`` when the policy fails, ``error`` when it errs (a refused
workflow among them), ``skipped`` when it does not apply, is waived or runs in shadow, and
no child when it passes. An operating model's own verdict comes first, as in every
output: one test case per model-level policy, its class the organisation (or the file)
that the model's verdict names. The body says what failed, where (path, file, line) and how to
fix it. Problems with the input are not left out: each file with problems is a suite of
``error`` test cases, one per problem, at its place.

The report meets the strict Ant JUnit schema (``properties``, ``system-out`` and
``system-err`` in every suite, ``package`` and ``id`` on each, a timestamp without a time
zone). XML 1.0 cannot carry most control characters at all, and document text is shown
through :func:`~aimo._documents.printable.printable` as in every text output, so no
character of a document reaches the report raw.

A suite's counts come before its test cases, so each suite's test cases are held until it
is complete: in memory for a small suite, in a temporary file for a large one, so that a
run of thousands of workflows keeps constant memory.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun, Section
from aimo._documents.printable import printable
from aimo._engine.refusal import DOCUMENT_VALID
from aimo._engine.verdict import Decision, Enforcement, Finding, Outcome, Verdict
from aimo._errors import Problem
from aimo._review.rollup import EFFECT
from aimo._version import __version__

__all__ = ["FORMAT", "verdict_cases"]

#: Test cases held in memory per suite before they go to a temporary file.
_SPOOL_BYTES = 1 << 20

# What XML 1.0 cannot carry at all: C0 controls but tab, line feed and carriage return;
# lone surrogates (JSON's "\ud800" reads as one); and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text for an XML element: markup escaped, and any character XML cannot carry written
    as a visible escape. Document text reaches here through ``printable`` (one field, one
    line), so only the report's own line breaks stay line breaks."""
    text = _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """An attribute value: one line of text, so shown through ``printable``; quoted."""
    return '"' + _xml(printable(value)).replace('"', "&quot;") + '"'


def _shown(value: Any) -> str:
    """A value from a document, on one line."""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return printable(value)


# -- one verdict: its test cases --------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One test case of a report: one policy's result for one workflow (or model)."""

    #: ``passed``, ``failure``, ``error`` or ``skipped``: the element the case holds.
    status: str
    xml: str


def _status(findings: Sequence[Finding]) -> str:
    """The test case's status from the findings one policy made for one workflow."""
    failed = [f for f in findings if f.failed]
    if failed and all(f.enforcement is Enforcement.SHADOW for f in failed):
        return "skipped"  # under trial: reported, never counted against the build
    if any(f.outcome is Outcome.ERROR for f in failed):
        return "error"
    if failed:
        return "failure"
    if any(f.outcome is Outcome.PASS for f in findings):
        return "passed"
    return "skipped"  # waived, or not applicable


def _where(finding: Finding) -> str:
    where = _shown(finding.path or "/")
    location = finding.location
    if location is not None:
        place = _shown(location.file)
        if location.line is not None:
            place += f":{location.line}"
            if location.column is not None:
                place += f":{location.column}"
        where += f" ({place})"
    return where


def _problem_line(problem: Any) -> str:
    """One problem of a refused workflow, as ``file:line:column: path: message``."""
    if not isinstance(problem, dict):
        return _shown(problem)
    where = _shown(str(problem.get("file") or "<document>"))
    for key in ("line", "column"):
        if problem.get(key) is None:
            break
        where += f":{problem[key]}"
    return f"{where}: {_shown(problem.get('path') or '/')}: {_shown(problem.get('message', ''))}"


def _finding_body(finding: Finding) -> list[str]:
    """What a finding says, for a person reading the CI server's page."""
    lines = [f"{finding.outcome.value}: {_shown(finding.message)}", f"  at {_where(finding)}"]
    if finding.policy_id == DOCUMENT_VALID and isinstance(finding.observed, list):
        lines.extend(f"  problem: {_problem_line(p)}" for p in finding.observed)
    elif finding.outcome in (Outcome.FAIL, Outcome.ERROR):
        lines.append(f"  found: {_shown(finding.observed)}; expected: {_shown(finding.expected)}")
    if finding.remediation:
        lines.append(f"  fix: {_shown(finding.remediation)}")
    level = finding.enforcement
    lines.append(f"  enforcement: {level.value} ({EFFECT[level]})")
    return lines


def _skip_reason(findings: Sequence[Finding]) -> str:
    if any(f.failed for f in findings):
        return "shadow: reported only, never changes the decision"
    waived = next((f for f in findings if f.outcome is Outcome.WAIVED), None)
    if waived is not None:
        return f"waived: {waived.message}"
    return "not applicable at this stage or to this workflow"


def _case(classname: str, name: str, status: str, child: str | None = None) -> Case:
    head = f'<testcase classname={_attr(classname)} name={_attr(name)} time="0"'
    if child is None:
        return Case(status, f"    {head}/>\n")
    return Case(status, f"    {head}>\n      {child}\n    </testcase>\n")


def verdict_cases(verdict: Verdict, *, whole_model: bool = False) -> Iterator[Case]:
    """The test cases of one verdict (a workflow's, or with ``whole_model`` a model's as a
    whole): one per policy, in the order the verdict lists them, named after the policy,
    whose class is the verdict's workflow id."""
    subject = _shown(verdict.workflow_id)
    if whole_model:
        subject += ", the operating model as a whole"
    by_policy: dict[str, list[Finding]] = {}
    for finding in verdict.findings:
        by_policy.setdefault(finding.policy_id, []).append(finding)
    classname = verdict.workflow_id or "(no id)"
    for policy_id, findings in by_policy.items():
        status = _status(findings)
        if status == "passed":
            yield _case(classname, policy_id, status)
        elif status == "skipped":
            # A waived or shadow finding still says what it found; not applying says nothing.
            body = [
                line
                for f in findings
                if f.outcome is not Outcome.PASS and f.outcome is not Outcome.NOT_APPLICABLE
                for line in _finding_body(f)
            ]
            child = f"<skipped message={_attr(_skip_reason(findings))}"
            child += f">{_xml(chr(10).join(body))}</skipped>" if body else "/>"
            yield _case(classname, policy_id, status, child)
        else:
            failed = [f for f in findings if f.failed]
            message = failed[0].message
            if len(failed) > 1:
                message += f" (and {len(failed) - 1} more)"
            body = [f"{subject}: {verdict.decision.value}"]
            body += [line for f in failed for line in _finding_body(f)]
            child = (
                f"<{status} type={_attr(failed[0].enforcement.value)} message={_attr(message)}>"
                f"{_xml(chr(10).join(body))}</{status}>"
            )
            yield _case(classname, policy_id, status, child)


# -- one file: its suite ------------------------------------------------------------------------


class _Suites:
    """The ``testsuites`` document, written one suite at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.hostname = socket.gethostname().strip() or "localhost"

    def suite(
        self,
        name: str,
        properties: Iterable[tuple[str, str]],
        cases: Iterable[Case],
        summary: Callable[[], str],
    ) -> None:
        """One suite; its test cases are held (spooled) until its counts are known, and
        ``summary``, read after them, is its ``system-out``."""
        started = time.monotonic()
        timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
        counts: Counter[str] = Counter()
        with tempfile.SpooledTemporaryFile(_SPOOL_BYTES, mode="w+", encoding="utf-8") as held:
            for case in cases:
                counts[case.status] += 1
                held.write(case.xml)
            elapsed = time.monotonic() - started
            self.out.write(
                f'  <testsuite id="{self.count}" package="aimo" name={_attr(name or "-")} '
                f'timestamp="{timestamp}" hostname={_attr(self.hostname)} '
                f'tests="{counts.total()}" failures="{counts["failure"]}" '
                f'errors="{counts["error"]}" skipped="{counts["skipped"]}" '
                f'time="{elapsed:.3f}">\n    <properties>\n'
            )
            for key, value in properties:
                self.out.write(f"      <property name={_attr(key)} value={_attr(value)}/>\n")
            self.out.write("    </properties>\n")
            held.seek(0)
            while chunk := held.read(1 << 16):
                self.out.write(chunk)
        self.out.write(
            f"    <system-out>{_xml(summary())}</system-out>\n    <system-err/>\n  </testsuite>\n"
        )
        self.count += 1


def _verdicts(section: Section) -> Iterator[Verdict]:
    """The verdicts of a section in the order they are reported."""
    for _, verdict in section.judged:
        yield verdict


def _properties(run: CheckRun, file: str) -> list[tuple[str, str]]:
    return [("aimo", __version__), ("evaluated_on", run.today.isoformat()), ("file", file)]


def _section(suites: _Suites, run: CheckRun, section: Section) -> None:
    decisions: Counter[Decision] = Counter()
    model_verdict = section.model_verdict

    def cases() -> Iterator[Case]:
        # The model as a whole first, as every output shows it: its own policies' cases.
        if model_verdict is not None:
            yield from verdict_cases(model_verdict, whole_model=True)
        for verdict in _verdicts(section):
            decisions[verdict.decision] += 1
            yield from verdict_cases(verdict)

    def summary() -> str:
        count = decisions.total()
        shown = ", ".join(f"{decisions[d]} {d.value}" for d in Decision)
        line = f"{count} workflow{'s' if count != 1 else ''}: {shown}"
        if model_verdict is None:
            return line
        return f"The operating model as a whole: {model_verdict.decision.value}\n{line}"

    properties = _properties(run, section.file)
    name = section.file
    if section.model is not None and section.model.organization:
        properties.append(("organization", section.model.organization))
        name = f"{section.model.organization} ({section.file})"
    suites.suite(name, properties, cases(), summary)


def _problem_cases(problems: Sequence[Problem]) -> Iterator[Case]:
    for problem in problems:
        message = f"{problem.path or '/'}: {problem.message}"
        child = (
            f"<error type={_attr(DOCUMENT_VALID)} message={_attr(message)}>"
            f"{_xml(printable(str(problem)))}</error>"
        )
        name = f"{DOCUMENT_VALID} {problem.path or '/'}"
        yield _case(problem.file or "-", name, "error", child)


def _problems(suites: _Suites, run: CheckRun, problems: Sequence[Problem]) -> None:
    """Each file with problems as a suite of errors: a run with bad input is never green."""
    for file, group in groupby(problems, key=lambda p: p.file or ""):
        found = list(group)
        count = len(found)
        summary = f"{count} problem{'s' if count != 1 else ''} with the input: not judged"
        suites.suite(
            file, _properties(run, file), _problem_cases(found), functools.partial(str, summary)
        )


def _write(run: CheckRun, out: TextIO) -> None:
    suites = _Suites(out)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    reported = 0
    for section in run.sections():
        # Problems are found as the run reaches their file: reported in the same order.
        _problems(suites, run, run.problems[reported:])
        reported = len(run.problems)
        _section(suites, run, section)
    _problems(suites, run, run.problems[reported:])
    out.write("</testsuites>\n")


FORMAT = Format(
    "junit",
    "JUnit XML for CI servers' test reports: a test suite per file, a test case per "
    "workflow and policy",
    _write,
)
