"""``aimo policies``: every policy the engine knows, as configuration leaves it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from aimo._cli import options
from aimo._cli.command import EXIT_OK, Command
from aimo._cli.formats.table import columns
from aimo._cli.results import write_out
from aimo._defaults import default_engine, load
from aimo._documents.dates import evaluation_date
from aimo._documents.models import OperatingModel
from aimo._documents.printable import json_safe, printable
from aimo._engine.controls import FRAMEWORKS
from aimo._engine.engine import BaseEngine
from aimo._errors import DocumentError, Problem

Rows = list[dict[str, Any]]


def _rows(engine: BaseEngine, today: dt.date, framework: str | None) -> Rows:
    wanted = framework.casefold() if framework is not None else None
    return [
        {
            "id": policy.id,
            "source": ref.source,
            "version": ref.version,
            "enforcement": engine.enforcement(policy.id, today=today).value,
            "schedule": _schedule(engine, policy.id),
            "severity": policy.severity.value,
            "applies_from": policy.applies_from.value,
            "title": policy.title,
            "controls": [{"framework": c.framework, "id": c.id} for c in policy.controls],
        }
        for policy, ref in zip(engine.policies, engine.policy_set, strict=True)
        if wanted is None or any(c.framework.casefold() == wanted for c in policy.controls)
    ]


def _schedule(engine: BaseEngine, policy_id: str) -> list[dict[str, Any]] | None:
    steps = engine.schedule(policy_id)
    if steps is None:
        return None
    return [step.model_dump(mode="json") for step in steps]


def _steps(schedule: list[dict[str, Any]]) -> str:
    return ", then ".join(
        f"{step['level']} from {step['from']}" if step["from"] else step["level"]
        for step in schedule
    )


def _frameworks(engine: BaseEngine) -> list[str]:
    """The frameworks the engine's policies cite: aimo's known ones first, then the rest."""
    cited = {c.framework for policy in engine.policies for c in policy.controls}
    return [f for f in FRAMEWORKS if f in cited] + sorted(cited - set(FRAMEWORKS))


def _table(rows: Rows) -> str:
    header = ("ID", "SOURCE", "ENFORCEMENT", "SEVERITY", "FROM", "TITLE")
    table: list[tuple[str, ...]] = [header]
    for r in rows:
        source = f"{r['source']} {r['version']}" if r["version"] else str(r["source"])
        table.append(
            (
                str(r["id"]),
                source,
                str(r["enforcement"]),
                str(r["severity"]),
                str(r["applies_from"]),
                str(r["title"]),
            )
        )
    text = "\n".join(columns(table)) + f"\n\n{len(rows)} policies\n"
    scheduled = [r for r in rows if r["schedule"]]
    if scheduled:
        text += "\nRolled out on dates (ENFORCEMENT is the level in force today):\n"
        text += "\n".join(columns([(str(r["id"]), _steps(r["schedule"])) for r in scheduled]))
        text += "\n"
    return text


def _json(rows: Rows) -> str:
    return json_safe(json.dumps(rows, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


FORMATS: dict[str, Callable[[Rows], str]] = {"table": _table, "json": _json}


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=tuple(FORMATS), default="table")
    parser.add_argument(
        "--model", metavar="PATH", help="apply this operating model's policy configuration"
    )
    parser.add_argument(
        "--framework",
        metavar="NAME",
        help="only the policies with a control in this framework, such as 'EU AI Act' (any case)",
    )
    options.today(parser)
    options.reading(parser)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    engine: BaseEngine = default_engine()
    if args.model:
        model = load(args.model, limits=options.limits(args), allow_outside=args.allow_outside)
        if not isinstance(model, OperatingModel):
            raise DocumentError(
                [Problem("", "this file is a workflow, not an operating model", args.model)]
            )
        engine = engine.configured(model.policies, Path(args.model).parent)
    rows = _rows(engine, evaluation_date(args.today), args.framework)
    if args.framework is not None and not rows:
        known = _frameworks(engine)
        named = ", ".join(known) if known else "none"
        err.write(
            f"aimo: no policy has a control in the framework {printable(repr(args.framework))}; "
            f"the frameworks the policies cite: {named}\n"
        )
    write_out(out, lambda: out.write(FORMATS[args.format](rows)))
    return EXIT_OK


COMMAND = Command(
    name="policies",
    help="list every policy the engine knows",
    description="List every policy: id, source pack or plugin and its version, enforcement "
    "after configuration (on --today, for a policy rolled out on dates, whose schedule is "
    "listed after the table), severity, the stage it applies from, title; in JSON, also the "
    "framework controls it helps with.",
    arguments=_arguments,
    run=_run,
)
