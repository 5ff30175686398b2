"""``aimo schema``: the JSON Schema of the documents, of a policy pack, or of what the
JSON outputs write."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from aimo._cli.command import EXIT_OK, Command
from aimo._cli.formats.schemas import OUTPUT_SCHEMAS
from aimo._documents.models import OperatingModel, Workflow
from aimo._policies.packs import PACK_SCHEMA


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind",
        nargs="?",
        choices=("workflow", "model", *OUTPUT_SCHEMAS),
        default="workflow",
        help="the document (workflow, model) or the output (check-json: aimo check --format "
        "json; check-jsonl: one line of --format jsonl; report-json: aimo report --format "
        "json) (default: workflow)",
    )
    parser.add_argument("--pack", action="store_true", help="the schema of a pack file")


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.pack:
        document = PACK_SCHEMA
    elif args.kind in OUTPUT_SCHEMAS:
        document = OUTPUT_SCHEMAS[args.kind]()
    else:
        document = (OperatingModel if args.kind == "model" else Workflow).model_json_schema()
    out.write(json.dumps(document, indent=2) + "\n")
    return EXIT_OK


COMMAND = Command(
    name="schema",
    help="print the JSON Schema of the documents, of a policy pack, or of the JSON outputs",
    description="Print the JSON Schema of a workflow (default), an operating model, a "
    "policy pack (--pack), or of what aimo check and aimo report write as JSON.",
    arguments=_arguments,
    run=_run,
)
