"""``aimo check --format json``: every verdict, the problems and a summary, for programs."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, TextIO

from pydantic import BaseModel

from aimo._cli.formats import Format
from aimo._cli.results import CheckRun
from aimo._engine.verdict import Decision, Verdict

__all__ = ["FORMAT"]


class _FileReport(BaseModel):
    file: str
    organization: str | None
    verdicts: list[Verdict]


class _Report(BaseModel):
    evaluated_on: dt.date
    results: list[_FileReport]
    problems: list[dict[str, Any]]
    summary: dict[str, int]


def _write(run: CheckRun, out: TextIO) -> None:
    """Every verdict, the problems with the input, and a summary, as one JSON document."""
    results, problems, today = run.results, run.problems, run.today
    totals = Counter(v.decision.value for r in results for v in r.verdicts)
    # Serialised by pydantic-core in one pass: a thousand verdicts of thirty findings each
    # take a fraction of what the json module needs for the same text.
    report = _Report.model_construct(
        evaluated_on=today,
        results=[
            _FileReport.model_construct(
                file=r.file,
                organization=r.model.organization if r.model else None,
                verdicts=r.verdicts,
            )
            for r in results
        ],
        problems=[p.to_dict() for p in problems],
        summary={d.value: totals.get(d.value, 0) for d in Decision},
    )
    out.write(report.model_dump_json(indent=2) + "\n")


FORMAT = Format("json", "every verdict, the problems with the input and a summary, as JSON", _write)
