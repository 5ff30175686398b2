"""Outcome coverage: per policy, whether the tests made it pass, fail and not apply.

Outcomes are heard through the ``aimo_verdict`` hook, like any plugin hears them: the
coverage is registered with every engine of the process while the session runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from aimo._defaults import Engine
from aimo._engine.verdict import Outcome, PolicyRef, Verdict
from aimo._hooks import hookimpl

__all__ = ["COVERAGE", "REPORT", "Coverage", "percent", "summary", "threshold"]

COVERAGE = pytest.StashKey["Coverage"]()
REPORT = pytest.StashKey["CoverageReport"]()


def percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, not {text!r}")
    return value


class Coverage:
    """Records, per policy id, the outcomes of every evaluation made during the session.

    A plugin like any other: it hears each verdict through the ``aimo_verdict`` hook.
    """

    def __init__(self) -> None:
        self.outcomes: dict[str, set[Outcome]] = {}
        self.sources: dict[str, str] = {}
        # Verdicts of one engine share one policy set: read each set once.
        self._last_set: tuple[PolicyRef, ...] | None = None

    @hookimpl
    def aimo_verdict(self, verdict: Verdict) -> None:
        policy_set = verdict.policy_set
        if policy_set is not self._last_set:
            self._last_set = policy_set
            for ref in policy_set:
                self.sources.setdefault(ref.id, ref.source)
        for finding in verdict.findings:
            seen = self.outcomes.get(finding.policy_id)
            if seen is None:
                seen = self.outcomes[finding.policy_id] = set()
            seen.add(finding.outcome)

    def report(self, sources: Iterable[str] = ()) -> CoverageReport:
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
        return CoverageReport(rows, note)


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
class CoverageReport:
    rows: list[_Row]
    note: str | None = None

    @property
    def failed(self) -> int:
        return sum(row.failed for row in self.rows)

    @property
    def percent(self) -> float:
        return 100.0 * self.failed / len(self.rows) if self.rows else 0.0


def format_percent(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def threshold(config: pytest.Config) -> float | None:
    value = config.getoption("aimo_coverage_fail_under")
    return float(value) if value is not None else None


def summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    report = config.stash.get(REPORT, None)
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
        f"polic{'y' if total == 1 else 'ies'} fail ({format_percent(report.percent)}%)."
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
    required = threshold(config)
    if required is not None:
        if report.percent < required:
            write(
                f"FAIL: only {format_percent(report.percent)}% of the policies were made to "
                f"fail; --aimo-coverage-fail-under asks for at least "
                f"{format_percent(required)}%.",
                red=True,
                bold=True,
            )
        else:
            write(
                f"The required {format_percent(required)}% of policies made to fail is reached.",
                green=True,
            )
