"""``aimo schema``: the JSON Schema of the documents, or of a policy pack."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from aimo._cli.command import EXIT_OK, Command
from aimo._documents.models import OperatingModel, Workflow
from aimo._policies.packs import PACK_SCHEMA


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", nargs="?", choices=("workflow", "model"), default="workflow")
    parser.add_argument("--pack", action="store_true", help="the schema of a pack file")


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.pack:
        document = PACK_SCHEMA
    else:
        document = (OperatingModel if args.kind == "model" else Workflow).model_json_schema()
    out.write(json.dumps(document, indent=2) + "\n")
    return EXIT_OK


COMMAND = Command(
    name="schema",
    help="print the JSON Schema of the documents, or of a policy pack",
    description="Print the JSON Schema of a workflow (default), an operating model, or a "
    "policy pack (--pack).",
    arguments=_arguments,
    run=_run,
)
