"""``aimo report --format json``: the review as JSON, for dashboards and other programs."""

from __future__ import annotations

from typing import TextIO

from aimo._cli.formats import Format
from aimo._cli.results import ReportRun
from aimo._documents.printable import json_safe

__all__ = ["FORMAT"]


def _write(run: ReportRun, out: TextIO) -> None:
    out.write(json_safe(run.report.model_dump_json(indent=2)) + "\n")


FORMAT = Format("json", "the review as JSON", _write)
