"""Reading files a document names, and only those: regular files, inside the folder.

An operating model names other files (``workflow_files``, ``policies.paths``), and a model
can come from anyone who can open a pull request. So (spec 5.1): only regular files are
read, never a named pipe or a device that would block or never end; names resolve, after
following symlinks, inside the model's folder unless the caller opts out; globs never
follow a symlink into a directory, so a loop of links cannot make them run forever; and
the number of files and of folder entries looked at is bounded.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePath

from aimo._documents.limits import Limits
from aimo._errors import ConfigError, quote

__all__ = [
    "FileProblem",
    "expand_pattern",
    "inside",
    "pack_files",
    "read_regular_file",
    "resolve_inside",
]

#: How many folder entries a glob may look at for each file it is allowed to match.
ENTRIES_PER_FILE = 50

_MAGIC = re.compile(r"[*?\[]")


class FileProblem(Exception):
    """A file or pattern that may not be read; ``message`` says why, for a person."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def _describe_mode(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str, limits: Limits) -> bytes:
    """The bytes of a regular file of at most ``limits.max_document_bytes``.

    Opened without blocking, so that a named pipe is reported instead of waiting forever
    for a writer, and checked on the open descriptor, so that what is read is what was
    checked.

    :raises FileProblem: when the path cannot be used or opened, is not a regular file, or
        is too large.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except ValueError:
        raise FileProblem("this path holds a NUL character, so no file can have it") from None
    except UnicodeError:
        raise FileProblem("this path is not valid text, so no file can have it") from None
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(
                f"this is {_describe_mode(info.st_mode)}; aimo reads only regular files"
            )
        limit = limits.max_document_bytes
        if info.st_size > limit:
            raise FileProblem(
                f"the file is {info.st_size:,} bytes, over the limit of {limit:,}; "
                + Limits.how_to_raise("max_document_bytes")
            )
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise FileProblem(
                f"the file grew past the limit of {limit:,} bytes while it was read; "
                + Limits.how_to_raise("max_document_bytes")
            )
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path``, after following every symlink, lies inside ``folder``'s real path."""
    real = os.path.realpath(path)
    root = os.path.realpath(folder)
    try:
        return os.path.commonpath([real, root]) == root
    except ValueError:  # different drives
        return False


def resolve_inside(entry: str, folder: Path, allow_outside: bool) -> Path:
    """The path ``entry`` names, relative to ``folder``, checked to lie inside it.

    :raises FileProblem: when it lies outside and ``allow_outside`` is false, or cannot be
        used as a path at all.
    """
    if "\0" in entry:
        raise FileProblem("this path holds a NUL character, so no file can have it")
    path = Path(entry) if Path(entry).is_absolute() else folder / entry
    if not allow_outside and not inside(path, folder):
        raise FileProblem(_outside(entry, folder))
    return path


def _outside(entry: str, folder: Path) -> str:
    return (
        f"{quote(entry)} is outside the model's folder ({folder.as_posix() or '.'}); a model "
        "may only name files inside its own folder, unless you allow it "
        "(aimo.load(..., allow_outside=True), or --allow-outside)"
    )


def expand_pattern(pattern: str, folder: Path, limits: Limits, allow_outside: bool) -> list[Path]:
    """The files a glob pattern matches, relative to ``folder``, in name order.

    ``*``, ``?`` and ``[...]`` match within one name and ``**`` any number of folders, as in
    :func:`glob.glob`; a name starting with a dot matches only a pattern part that starts
    with one. A symlink to a file is followed (and must lead inside the folder); a symlink
    to a folder is not.

    :raises FileProblem: when the pattern reaches outside the folder (and that is not
        allowed), or it looks at more folder entries than the limits allow.
    """
    if "\0" in pattern:
        raise FileProblem("this pattern holds a NUL character, so no file can match it")
    pure = PurePath(pattern)
    if pure.is_absolute():
        root, parts = Path(pure.anchor), pure.parts[1:]
    else:
        root, parts = folder, pure.parts
    if not allow_outside:
        fixed = parts[: _first_magic(parts)]
        if not inside(root.joinpath(*fixed), folder):
            raise FileProblem(_outside(pattern, folder))
    budget = [max(1, limits.max_workflow_files) * ENTRIES_PER_FILE]
    found = sorted(set(_match(root, tuple(parts), budget, pattern)))
    if not allow_outside:
        for path in found:
            if not inside(path, folder):
                raise FileProblem(_outside(str(path), folder))
    return found


def _first_magic(parts: tuple[str, ...]) -> int:
    for index, part in enumerate(parts):
        if part == "**" or _MAGIC.search(part):
            return index
    return len(parts)


def _scan(folder: Path, budget: list[int], pattern: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                budget[0] -= 1
                if budget[0] < 0:
                    raise FileProblem(
                        f"the pattern {quote(pattern)} looks at too many files and folders; "
                        "narrow it, or " + Limits.how_to_raise("max_workflow_files")
                    )
                yield entry
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return


def _is_file(path: Path) -> bool:
    """Whether ``path`` names something other than a folder: a file, or a pipe or device,
    which reading then reports rather than skipping it in silence."""
    try:
        return path.exists() and not path.is_dir()  # follows a symlink to a file
    except (OSError, ValueError):
        return False


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except (OSError, ValueError):
        return False


def _match(folder: Path, parts: tuple[str, ...], budget: list[int], pattern: str) -> Iterator[Path]:
    if not parts:
        return
    part, rest = parts[0], parts[1:]
    if part == "**":
        # Zero folders, then every real (not linked) folder below, at any depth.
        yield from _match(folder, rest, budget, pattern)
        for entry in _scan(folder, budget, pattern):
            if not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                yield from _match(Path(entry.path), parts, budget, pattern)
        return
    if not _MAGIC.search(part):
        path = folder / part
        if not rest:
            if _is_file(path):
                yield path
        elif part in (".", "..") or _is_real_dir(path):
            yield from _match(path, rest, budget, pattern)
        return
    hidden = part.startswith(".")
    for entry in _scan(folder, budget, pattern):
        name = entry.name
        if name.startswith(".") and not hidden:
            continue
        if not fnmatch.fnmatchcase(name, part):
            continue
        path = Path(entry.path)
        if not rest:
            if _is_file(path):
                yield path  # reading it refuses a pipe or a device
        elif entry.is_dir(follow_symlinks=False):
            yield from _match(path, rest, budget, pattern)


def pack_files(entries: Sequence[str], base: Path, within: Sequence[Path] = ()) -> list[Path]:
    """The pack files a configuration's ``paths`` name: files as given, folders by their
    YAML files; relative entries relative to ``base``.

    :param within: when given, every file found must lie inside one of these folders after
        its symlinks are followed: a folder inside may hold a link to a pack outside.
    :raises ConfigError: for an entry that leads to nothing or cannot be a path, or a file
        outside the folders ``within`` names.
    """
    found: list[Path] = []
    for index, raw in enumerate(entries):
        try:
            path = Path(raw) if Path(raw).is_absolute() else base / raw
            if path.is_dir():
                listed = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            elif path.exists():
                listed = [path]
            else:
                raise ConfigError(
                    f"{quote(raw)} does not exist (paths are relative to {base.as_posix()})",
                    path=f"/policies/paths/{index}",
                )
        except (OSError, ValueError) as exc:
            # A name too long for the file system, or one holding a NUL character.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(
                f"{quote(raw)} cannot be used as a path: {reason}", path=f"/policies/paths/{index}"
            ) from None
        for file in listed:
            if within and not any(inside(file, folder) for folder in within):
                where = " or ".join(folder.as_posix() or "." for folder in within)
                raise ConfigError(
                    f"{quote(raw)} reaches {quote(file.as_posix())}, a link to a file outside "
                    f"{where}; packs must be inside, unless you allow it (allow_outside=True, "
                    "or --allow-outside)",
                    path=f"/policies/paths/{index}",
                )
        found.extend(listed)
    return list(dict.fromkeys(found))
