"""``aimo score``: each workflow's use case scored against the model's threshold."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from typing import TextIO

from aimo._cli import options
from aimo._cli.command import EXIT_DENY, EXIT_OK, EXIT_USAGE, Command
from aimo._cli.formats.table import columns
from aimo._cli.results import read_documents, report_problems, write_out
from aimo._documents.models import OperatingModel
from aimo._documents.printable import printable
from aimo._errors import Problem
from aimo._review.advice import UseCaseScore, score_use_case

#: ``(file, workflow id, score)`` for each workflow scored.
Rows = Sequence[tuple[str, str, UseCaseScore]]


def _table(rows: Rows) -> str:
    """Use-case scores as a table, each followed by the reasons behind it."""
    if not rows:
        return ""
    table = [("WORKFLOW", "RECURRENCE", "MEASURABLE", "DECISION", "TOTAL", "QUALIFIES")]
    table += [
        (
            workflow_id,
            str(s.recurrence),
            str(s.measurability),
            str(s.decision_impact),
            f"{s.total}/9",
            "yes" if s.qualifies else f"no (needs {s.min_score})",
        )
        for _, workflow_id, s in rows
    ]
    lines = columns(table)
    for _, workflow_id, s in rows:
        lines += ["", f"  {printable(workflow_id)}:"]
        lines += [f"    - {printable(reason)}" for reason in s.reasons]
    return "\n".join(lines) + "\n"


def _json(rows: Rows) -> str:
    scores = [{"file": f, "workflow_id": w, **s.model_dump()} for f, w, s in rows]
    return json.dumps(scores, indent=2, allow_nan=False) + "\n"


FORMATS: dict[str, Callable[[Rows], str]] = {"table": _table, "json": _json}


def _arguments(parser: argparse.ArgumentParser) -> None:
    options.paths(parser, "score")
    parser.add_argument("--format", choices=tuple(FORMATS), default="table")
    options.reading(parser)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problems: list[Problem] = []
    rows: list[tuple[str, str, UseCaseScore]] = []
    for file, document in read_documents(args, problems):
        if isinstance(document, OperatingModel):
            rows.extend(
                (str(file), w.id, score_use_case(w, model=document)) for w in document.workflows
            )
        else:
            rows.append((str(file), document.id, score_use_case(document)))
    report_problems(list(dict.fromkeys(problems)), err)
    write_out(out, lambda: out.write(FORMATS[args.format](rows)))
    if problems:
        return EXIT_USAGE
    return EXIT_OK if all(s.qualifies for _, _, s in rows) else EXIT_DENY


COMMAND = Command(
    name="score",
    help="score use cases on recurrence, measurability and decision impact",
    description="Score each workflow's use case 0..9 (recurrence, measurability, decision "
    "impact, 0..3 each) against the model's selection.min_score. Exit 0 when every use case "
    "qualifies, 1 when one does not, 2 on bad input.",
    arguments=_arguments,
    run=_run,
)
