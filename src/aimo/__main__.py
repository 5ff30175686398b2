"""``python -m aimo``: the same command line as ``aimo``."""

from aimo._cli import main

raise SystemExit(main())
