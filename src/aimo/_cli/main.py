"""The ``aimo`` command line. Exit codes: 0 allow, 1 deny, 2 bad input or usage, 130
interrupted; never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aimo._cli import audit, check, diff, impact, policies, report, schema, score
from aimo._cli.command import EXIT_INTERRUPTED, EXIT_USAGE, Command
from aimo._cli.results import silence
from aimo._documents.printable import printable
from aimo._errors import AimoError
from aimo._version import __version__

#: Every subcommand, in the order ``aimo --help`` lists them; a new one is added here.
COMMANDS: tuple[Command, ...] = (
    check.COMMAND,
    schema.COMMAND,
    score.COMMAND,
    report.COMMAND,
    impact.COMMAND,
    diff.COMMAND,
    policies.COMMAND,
    audit.COMMAND,
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="aimo", description="Policy-as-code for AI marketing operating models."
    )
    root.add_argument("--version", action="version", version=f"aimo {__version__}")
    subcommands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = subcommands.add_parser(
            command.name, help=command.help, description=command.description
        )
        command.arguments(sub)
        sub.set_defaults(run=command.run)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        code: int = args.run(args, out, err)
        return code
    except AimoError as exc:
        err.write(f"aimo: {printable(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("aimo: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        silence(out)
        return EXIT_USAGE
    except BaseException as exc:
        # Plugin code ran outside any policy (a hook, an import) and failed, or called
        # sys.exit(): one line, never a traceback, and never the exit code it asked for.
        err.write(f"aimo: error: {type(exc).__name__}: {printable(str(exc))[:500]}\n")
        return EXIT_USAGE
