"""The pytest hooks of the kit: its options, case-file collection and outcome coverage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aimo._engine.plugins import PROCESS_PLUGINS
from aimo.testing import casefiles, coverage
from aimo.testing.fixtures import TODAY

__all__ = [
    "pytest_addoption",
    "pytest_collect_file",
    "pytest_configure",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_unconfigure",
]


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
        type=coverage.percent,
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


def pytest_configure(config: pytest.Config) -> None:
    text = str(config.getini("aimo_today") or "").strip()
    if text:
        try:
            config.stash[TODAY] = dt.date.fromisoformat(text)
        except ValueError:
            raise pytest.UsageError(
                f"The ini option aimo_today must be a date written YYYY-MM-DD, not {text!r}."
            ) from None
    if (
        config.getoption("aimo_coverage")
        or config.getoption("aimo_coverage_fail_under") is not None
    ):
        recorder = coverage.Coverage()
        config.stash[coverage.COVERAGE] = recorder
        # Every engine built from now on hears each verdict through the aimo_verdict hook.
        PROCESS_PLUGINS.append(recorder)


def pytest_unconfigure(config: pytest.Config) -> None:
    recorder = config.stash.get(coverage.COVERAGE, None)
    if recorder is not None and recorder in PROCESS_PLUGINS:
        PROCESS_PLUGINS.remove(recorder)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> casefiles.CaseFile | None:
    return casefiles.collect(file_path, parent)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorder = session.config.stash.get(coverage.COVERAGE, None)
    if recorder is None:
        return
    config = session.config
    sources = config.getoption("aimo_coverage_source") or config.getini("aimo_coverage_sources")
    report = recorder.report(sources)
    session.config.stash[coverage.REPORT] = report
    threshold = coverage.threshold(session.config)
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
    coverage.summary(terminalreporter, config)
