"""The progress bar of a long run: documents judged out of the total, on standard error.

tqdm draws it: it is small, has no dependencies of its own, writes to any stream, and
waits before it first draws (``delay``), so a run that ends within a second never shows a
bar at all. It is shown only when standard error is a terminal outside CI, or when
``--progress`` asks (then from the start); ``--no-progress`` turns it off.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["Progress", "wanted"]

#: Seconds a run goes before the bar first shows.
DELAY = 1.0


def wanted(asked: bool | None, err: TextIO) -> bool:
    """Whether to show a bar: as asked, or else on a terminal outside CI."""
    if asked is not None:
        return asked
    if os.environ.get("CI"):
        return False
    try:
        return err.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Counts judged documents; draws a bar only when one was wanted."""

    def __init__(self, bar: tqdm[Any] | None, err: TextIO | None) -> None:
        self._bar = bar
        self._err = err

    @classmethod
    def disabled(cls, err: TextIO | None = None) -> Progress:
        return cls(None, err)

    @classmethod
    def start(cls, total: int, err: TextIO, *, asked: bool | None) -> Progress:
        """A bar over ``total`` documents when one is wanted (see :func:`wanted`)."""
        if not wanted(asked, err):
            return cls(None, err)
        from tqdm import tqdm

        bar = tqdm(
            total=total,
            file=err,
            # Asked for, it shows at once; otherwise only a run that lasts gets one.
            delay=0.0 if asked else DELAY,
            unit=" workflows",
            unit_scale=False,
            dynamic_ncols=True,
            leave=False,
            mininterval=0.25,
        )
        return cls(bar, err)

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def write(self, line: str) -> None:
        """Write a line to standard error without tearing the bar."""
        if self._bar is not None:
            self._bar.clear()
        if self._err is not None:
            self._err.write(line)
        if self._bar is not None:
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
