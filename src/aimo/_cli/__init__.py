"""The ``aimo`` command line: a table of commands, and output formats behind one interface.

``main`` builds the parser from :data:`aimo._cli.main.COMMANDS`; each command module
(``check``, ``report``, ``score``, ``policies``, ``schema``, ``audit``) declares its
options and its body; the verdict outputs live in ``formats/``, one file per format.
"""

from aimo._cli.main import main

__all__ = ["main"]
