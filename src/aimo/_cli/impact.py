"""``aimo impact``: what a candidate policy configuration would change, before it is merged.

The model is judged with its own ``policies`` block and with the candidate: a file holding
nothing but a ``policies`` block, which replaces the model's (its pack paths relative to
that file, and inside its folder), or a pack added to the model's own block.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any, TextIO

from aimo._cli import options
from aimo._cli.command import EXIT_DENY, EXIT_OK, EXIT_USAGE, Command
from aimo._cli.formats import (
    Format,
    choices,
    format_option,
    impact_json,
    impact_markdown,
    impact_table,
)
from aimo._cli.formats.impacts import ImpactRun
from aimo._cli.output import destination
from aimo._cli.progress import Progress
from aimo._cli.results import report_problems, write_out
from aimo._defaults import default_engine
from aimo._documents.dates import evaluation_date
from aimo._documents.inventory import Inventory
from aimo._documents.loader import read_model
from aimo._documents.models import PolicyConfig
from aimo._documents.reader import read
from aimo._documents.validate import validate
from aimo._errors import ConfigError, DocumentError, quote
from aimo._review.impact import Impact, compare_model

__all__ = ["COMMAND", "FORMATS", "exit_code"]

#: The formats of ``aimo impact`` and ``aimo diff``; a new one is added here.
FORMATS: dict[str, Format[ImpactRun]] = choices(
    [impact_table.FORMAT, impact_json.FORMAT, impact_markdown.FORMAT]
)


def format_and_fail_on(parser: argparse.ArgumentParser) -> None:
    """The options ``impact`` and ``diff`` share: the format and when to exit 1."""
    format_option(parser, FORMATS, "table")
    parser.add_argument(
        "--fail-on",
        choices=("deny",),
        default=None,
        help="exit 1 when any workflow is newly denied (default: exit 0 whatever changes)",
    )


def exit_code(impact: Impact, fail_on: str | None) -> int:
    """1 when asked to fail on a newly denied workflow and there is one, else 0."""
    return EXIT_DENY if fail_on == "deny" and impact.newly_denied else EXIT_OK


def write(args: argparse.Namespace, out: TextIO, run: ImpactRun) -> int:
    """Write ``run`` where and as the arguments say; the exit code."""
    with destination(args.output, out) as stream:
        write_out(stream, lambda: FORMATS[args.format].write(run, stream))
    return exit_code(run.impact, args.fail_on)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="the operating-model file")
    candidate = parser.add_mutually_exclusive_group(required=True)
    candidate.add_argument(
        "--config",
        metavar="CANDIDATE",
        help="a YAML or JSON file holding a top-level policies block, judged in place of the "
        "model's own; its pack paths are relative to it",
    )
    candidate.add_argument(
        "--pack", metavar="FILE", help="a pack file, judged added to the model's own policies"
    )
    options.today(parser)
    format_and_fail_on(parser)
    options.output(parser)
    options.reading(parser)


def _candidate(path: str, args: argparse.Namespace) -> PolicyConfig | None:
    """The ``policies`` block of the file at ``path``.

    :raises DocumentError: when the file cannot be read or parsed.
    :raises ConfigError: when it holds anything else, or its block is invalid.
    """
    parsed = read(path, options.limits(args))
    if parsed.problems:
        raise DocumentError(parsed.problems)
    data: Any = parsed.data
    if not isinstance(data, dict) or "policies" not in data:
        raise ConfigError(
            "this file holds no policies block; give a file whose only top-level key is "
            "policies, as in an operating model",
            file=path,
        )
    others = [key for key in data if key != "policies" and not key.startswith("x-")]
    if others:
        names = ", ".join(quote(key, 60) for key in others[:5])
        raise ConfigError(
            f"this file holds more than a policies block ({names}); give a file whose only "
            "top-level key is policies (and x- fields of your own)",
            file=path,
        )
    if data["policies"] is None:
        return None
    try:
        return validate(PolicyConfig, data["policies"], parsed.source, "/policies")
    except DocumentError as exc:
        raise ConfigError("; ".join(map(str, exc.problems))) from None


def _with_pack(inventory: Inventory, pack: str) -> PolicyConfig:
    """The model's own ``policies`` block with the pack at ``pack`` added.

    :raises ConfigError: when there is no such file.
    """
    if not Path(pack).is_file():
        raise ConfigError(f"--pack {pack}: no such file")
    assert inventory.model is not None  # the caller checked
    own = inventory.model.policies or PolicyConfig()
    return own.model_copy(update={"paths": (*own.paths, os.path.abspath(pack))})


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    today = evaluation_date(args.today)
    try:
        inventory = read_model(
            args.model, limits=options.limits(args), allow_outside=args.allow_outside
        )
        if inventory.problems or inventory.model is None:
            raise DocumentError(inventory.problems)
        model = Path(args.model)
        if args.config is not None:
            policies = _candidate(args.config, args)
            base: Path = Path(args.config).parent
            title = f"Impact of {args.config} on {model}, in place of its own policies"
            where, confine = args.config, not args.allow_outside
        else:
            policies = _with_pack(inventory, args.pack)
            # The model's own paths are relative to it; the pack's path is made absolute.
            base, where, confine = model.parent, f"--pack {args.pack}", False
            title = f"Impact of adding the pack {args.pack} to {model}"
        progress = Progress.start(len(inventory), err, asked=args.progress)
        try:
            impact = compare_model(
                inventory,
                policies,
                engine=default_engine(),
                today=today,
                base_dir=base,
                confine=confine,
                where=where,
                advance=progress.advance,
            )
        finally:
            progress.close()
    except DocumentError as exc:
        report_problems(exc.problems, err)
        return EXIT_USAGE
    return write(args, out, ImpactRun(impact, title))


COMMAND = Command(
    name="impact",
    help="what a candidate policy configuration or pack would change in a model's decisions",
    description="Judge an operating model with its own policies block and with a candidate "
    "(--config: a file holding a policies block, in place of the model's; --pack: a pack "
    "added to the model's own), on one date, and list every workflow whose decision changes "
    "with the findings that appear or disappear. Exit 0, or 1 with --fail-on deny when a "
    "workflow is newly denied; 2 on bad input.",
    arguments=_arguments,
    run=_run,
)
