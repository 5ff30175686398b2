"""``aimo impact`` and ``aimo diff``, ``--format json``: :meth:`aimo.Impact.to_dict`, for
programs (its schema: ``aimo schema impact-json``)."""

from __future__ import annotations

import json
from typing import TextIO

from aimo._cli.formats import Format
from aimo._cli.formats.impacts import ImpactRun
from aimo._documents.printable import json_safe

__all__ = ["FORMAT"]


def _write(run: ImpactRun, out: TextIO) -> None:
    text = json.dumps(run.impact.to_dict(), ensure_ascii=False, allow_nan=False, indent=2)
    out.write(json_safe(text) + "\n")


FORMAT = Format(
    "json",
    "the dates, the number of workflows compared, the counts, and each change with its "
    "findings, as one JSON document",
    _write,
)
