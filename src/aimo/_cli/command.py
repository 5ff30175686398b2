"""What a command is: its name, its help, its options and its body.

Adding a command is one module with a :data:`COMMAND` and one line in ``main.COMMANDS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

#: A command's body: the parsed arguments, standard output and error; returns the exit code.
Body = Callable[[argparse.Namespace, TextIO, TextIO], int]

EXIT_OK, EXIT_DENY, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Command:
    """One subcommand of ``aimo``."""

    name: str
    help: str
    description: str
    #: Adds the command's arguments to its parser.
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Body
