"""``aimo schema``: the JSON Schema of the documents, of a policy pack, or of what the
JSON outputs write; ``--write DIR`` saves the documents' and the pack's for editors.

Each schema names its dialect (``$schema``) and a stable ``$id``: a URN, since the schemas
are published by the command, not at an address. An editor finds them by path (see the
editors how-to), and the ``$id`` stays the same from release to release of one format.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from aimo._cli.command import EXIT_OK, EXIT_USAGE, Command
from aimo._cli.formats.schemas import OUTPUT_SCHEMAS
from aimo._cli.output import destination
from aimo._documents.models import OperatingModel, Workflow
from aimo._policies.packs import PACK_SCHEMA

__all__ = ["COMMAND", "DOCUMENT_SCHEMAS"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _document(model: type[Workflow] | type[OperatingModel], name: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"$schema": _DRAFT, "$id": f"urn:aimo:schema:{name}:1", **schema}


#: The schemas ``--write`` saves, by file name: the two documents and a pack.
DOCUMENT_SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "workflow.schema.json": lambda: _document(Workflow, "workflow"),
    "operating-model.schema.json": lambda: _document(OperatingModel, "operating-model"),
    "pack.schema.json": lambda: PACK_SCHEMA,
}


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "kind",
        nargs="?",
        choices=("workflow", "model", *OUTPUT_SCHEMAS),
        help="the document (workflow, model) or the output (check-json: aimo check --format "
        "json; check-jsonl: one line of --format jsonl; report-json: aimo report --format "
        "json) (default: workflow)",
    )
    parser.add_argument("--pack", action="store_true", help="the schema of a pack file")
    parser.add_argument(
        "--write",
        metavar="DIR",
        help="write the workflow, operating-model and pack schemas to DIR ("
        + ", ".join(DOCUMENT_SCHEMAS)
        + "), for editors, instead of printing one",
    )


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2) + "\n"


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.write is not None:
        if args.kind is not None or args.pack:
            err.write("aimo: --write writes every document schema; name no kind with it\n")
            return EXIT_USAGE
        try:
            Path(args.write).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            err.write(f"aimo: {args.write}: cannot be written: {exc.strerror or exc}\n")
            return EXIT_USAGE
        for name, schema in DOCUMENT_SCHEMAS.items():
            path = os.path.join(args.write, name)
            with destination(path, out) as stream:
                stream.write(_text(schema()))
            out.write(f"{Path(path).as_posix()}\n")
        return EXIT_OK
    if args.pack:
        document = PACK_SCHEMA
    elif args.kind in OUTPUT_SCHEMAS:
        document = OUTPUT_SCHEMAS[args.kind]()
    else:
        document = DOCUMENT_SCHEMAS[
            "operating-model.schema.json" if args.kind == "model" else "workflow.schema.json"
        ]()
    out.write(_text(document))
    return EXIT_OK


COMMAND = Command(
    name="schema",
    help="print the JSON Schema of the documents, of a policy pack, or of the JSON outputs",
    description="Print the JSON Schema of a workflow (default), an operating model, a "
    "policy pack (--pack), or of what aimo check and aimo report write as JSON; or write "
    "the schemas of the documents and of a pack to a folder for editors (--write DIR).",
    arguments=_arguments,
    run=_run,
)
