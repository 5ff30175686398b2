"""``aimo check --format jsonl``: one verdict per line, each written as soon as it is made.

For inventories too large to hold, and for tools that read a line at a time (``jq``,
DuckDB, a log shipper). Each line is a compact verdict (see
:mod:`~aimo._cli.formats.verdicts`) with ``scope`` and ``file`` first, and the
``organization`` of its model. The problems with the input go to standard error only.
"""

from __future__ import annotations

from typing import TextIO

from aimo._cli.formats import Format
from aimo._cli.formats.check_json import dumps
from aimo._cli.formats.verdicts import compact
from aimo._cli.results import CheckRun

__all__ = ["FORMAT"]


def _write(run: CheckRun, out: TextIO) -> None:
    all_findings: bool = run.options.all_findings
    for section in run.sections():
        organization = section.model.organization if section.model else None
        if section.model_verdict is not None:
            # The model's own verdict comes before its workflows', marked as the model's.
            model_head = (
                f'"scope":"model","file":{dumps(section.file)},'
                f'"organization":{dumps(organization)},'
            )
            model = compact(section.model_verdict, all_findings=all_findings, head=model_head)
            out.write(model + "\n")
        head = (
            f'"scope":"workflow","file":{dumps(section.file)},"organization":{dumps(organization)},'
        )
        for _, verdict in section.judged:
            out.write(compact(verdict, all_findings=all_findings, head=head) + "\n")


FORMAT = Format(
    "jsonl",
    "JSON Lines: one compact verdict per line, written as it is judged",
    _write,
)
