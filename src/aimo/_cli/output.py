"""Where a command's result goes: standard output, or a file written atomically.

``--output FILE`` writes beside the file and renames over it once the result is complete,
so a reader (a dashboard, the next CI step) sees the old file or the new one, never half a
result, and an interrupted or failed run leaves the old file as it was. A device or a pipe
(``/dev/stdout``, a FIFO) has no old file to keep: it is written to directly.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from aimo._errors import AimoError

__all__ = ["OutputError", "destination"]


class OutputError(AimoError):
    """The result could not be written where ``--output`` said."""


@contextlib.contextmanager
def destination(path: str | None, out: TextIO) -> Iterator[TextIO]:
    """A stream for the result: ``out``, or a temporary file that becomes ``path`` when the
    block ends without an exception.

    :raises OutputError: when the file cannot be created or written.
    """
    if path is None:
        yield out
        return
    try:
        kind = os.stat(path).st_mode
    except OSError:
        kind = stat.S_IFREG  # nothing there yet (or nothing reachable): made as a file
    if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
        # A device or a pipe (/dev/stdout, /dev/null, a FIFO): nothing to rename over, and
        # renaming over it would put a file where the device was. Written to as it comes.
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as stream:
                yield stream
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
        return
    # A link stays a link, as with a shell's >: the file it names is the one replaced.
    target = Path(os.path.realpath(path))
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
    written = False
    try:
        with open(handle, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
            written = True
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode(target))
        os.replace(temporary, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and written:
            raise OutputError(f"{path}: cannot be written: {exc.strerror or exc}") from None
        raise


def _mode(target: Path) -> int:
    """The mode the file would have had if opened for writing: an existing file's own,
    else what the umask allows (mkstemp makes files only their owner may read)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
