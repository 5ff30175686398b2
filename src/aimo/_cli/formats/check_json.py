"""``aimo check --format json``: one JSON document for programs, written as it is judged.

The run's policy set is written once, each verdict compactly (see
:mod:`~aimo._cli.formats.verdicts`), one verdict per line inside the document, and the
counts, the roll-up and the problems with the input last, once every workflow is judged.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.formats.verdicts import compact
from aimo._cli.results import CheckRun
from aimo._documents.printable import json_safe
from aimo._engine.engine import BaseEngine
from aimo._engine.verdict import Decision
from aimo._version import __version__

__all__ = ["FORMAT", "dumps"]


def dumps(value: Any) -> str:
    """JSON text as aimo writes it: UTF-8, nothing JSON cannot carry, and nothing that
    could move a terminal's cursor (see :func:`~aimo._documents.printable.json_safe`)."""
    return json_safe(json.dumps(value, ensure_ascii=False, allow_nan=False))


def _policy_set(engine: BaseEngine) -> list[dict[str, Any]]:
    return [ref.model_dump(mode="json") for ref in engine.policy_set]


def _write(run: CheckRun, out: TextIO) -> None:
    """The run as one JSON document: see the API reference for its shape and schema."""
    all_findings: bool = run.options.all_findings
    run_policy_set = _policy_set(run.engine)
    out.write(
        "{\n"
        f'  "aimo": {dumps(__version__)},\n'
        f'  "evaluated_on": {dumps(run.today.isoformat())},\n'
        f'  "policy_set": {dumps(run_policy_set)},\n'
    )
    if run.options.summary:
        run.finish()
    else:
        out.write('  "results": [')
        first = True
        for section in run.sections():
            out.write(("" if first else ",") + "\n    {")
            first = False
            out.write(f'"file": {dumps(section.file)}, ')
            organization = section.model.organization if section.model else None
            out.write(f'"organization": {dumps(organization)}, ')
            engine = section.engine
            if engine is not run.engine and engine.policy_set != run.engine.policy_set:
                # A model whose policies block adds packs or turns policies off.
                out.write(f'"policy_set": {dumps(_policy_set(engine))}, ')
            if section.model_verdict is not None:
                model = compact(section.model_verdict, all_findings=all_findings)
                out.write(f'"model_verdict": {model}, ')
            out.write('"verdicts": [')
            sep = "\n      "
            for _, verdict in section.judged:
                out.write(sep + compact(verdict, all_findings=all_findings))
                sep = ",\n      "
            out.write("\n    ]}" if sep != "\n      " else "]}")
        out.write("\n  ],\n" if not first else "],\n")
    tally = run.tally
    rollup = [row.model_dump(mode="json") for row in tally.rollup()]
    models = {d.value: tally.models[d] for d in Decision}
    out.write(
        f'  "summary": {dumps(tally.summary())},\n'
        f'  "model_summary": {dumps(models)},\n'
        f'  "rollup": {dumps(rollup)},\n'
        f'  "problems": {dumps([p.to_dict() for p in run.problems])}\n'
        "}\n"
    )


FORMAT = Format(
    "json",
    "the policy set, each verdict's failing, erring and waived findings with counts of the "
    "rest, the counts, the failing policies and the problems with the input, as one JSON "
    "document",
    _write,
)
