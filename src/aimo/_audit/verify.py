"""Checking a decision log: every record's hash, the chain between them, and the head.

Reading goes on past a break, so that every break is listed; the log is read as a stream,
as it stood when no write was half done, so a large log takes little memory and a write in
progress is not reported as torn.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from aimo._audit.records import (
    GENESIS,
    O_BINARY,
    head_path,
    next_record,
    parse_record,
    read_head,
    valid_head,
)

if sys.platform != "win32":
    import fcntl

__all__ = ["LogProblem", "VerifyResult", "verify"]


@dataclass(frozen=True, slots=True)
class LogProblem:
    """One break in a decision log: the 1-based line and what broke."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :func:`verify` found.

    ``records`` counts the records that verify; ``problems`` lists every break, first line
    first; ``notes`` are observations that are not breaks (a head file one write behind).
    """

    path: str
    records: int
    last_hash: str
    problems: tuple[LogProblem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return not self.problems

    @property
    def line(self) -> int | None:
        """The first broken line, or None when intact."""
        return self.problems[0].line if self.problems else None

    @property
    def message(self) -> str | None:
        """What broke at the first broken line, or None when intact."""
        return self.problems[0].message if self.problems else None


def verify(path: str | os.PathLike[str]) -> VerifyResult:
    """Check a decision log's chain and its head file.

    Every line must be a record whose hash matches its content and whose ``prev`` and
    ``seq`` follow the record before it; the log must end at the record its head file
    names. Reading goes on past a break, so that every break is listed, but the first is
    the one to look at. The log is read as a stream, as it stood when no write was half
    done: a large log takes little memory, and a write in progress is not reported as
    torn. One unfinished write past the head (part of a line, or a whole record the head
    does not name yet), which a writer stopped mid-append leaves and the next write
    removes, is a note, not a break; it does not count among the records.

    :raises OSError: when the log cannot be read, or is not a regular file.
    """
    with _open_log(path) as handle:
        # A consistent snapshot: the head and the size that goes with it, read while no
        # write is half done. Writers never change the bytes up to the head's size, so
        # those stay put while we read them, and a long check does not hold up the
        # pipeline. Past the head the next writer cuts an unfinished write away: then keep
        # the lock until that tail has been read.
        locked = sys.platform != "win32"
        if locked:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            head = read_head(head_path(path))
            size = os.fstat(handle.fileno()).st_size
            if locked and not (head is not None and valid_head(head) and size > head["size"]):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                locked = False
            return _verify(os.fspath(path), _lines_upto(handle, size), head)
        finally:
            if locked:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _open_log(path: str | os.PathLike[str]) -> BinaryIO:
    # Without blocking, and only a regular file: a FIFO given as the log must not hang.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | O_BINARY)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", os.fspath(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "it is not a regular file", os.fspath(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _lines_upto(handle: BinaryIO, size: int) -> Iterator[bytes]:
    remaining = size
    for line in handle:
        if remaining <= 0:
            return
        yield line[:remaining]
        remaining -= len(line)


class _Chain:
    """The chain check, one line at a time."""

    def __init__(self, head_seq: int) -> None:
        self.head_seq = head_seq
        self.problems: list[LogProblem] = []
        self.notes: list[str] = []
        # Only two records matter to the head check; remember where they are, not every
        # record.
        self.watched: dict[int, tuple[int, str]] = {}
        self.expected_seq, self.expected_prev = 1, GENESIS
        self.records = 0

    def add(self, number: int, line: bytes) -> None:
        terminated = line.endswith(b"\n")
        raw = line[:-1] if terminated else line
        if not raw:
            self.problems.append(LogProblem(number, "an empty line, which aimo never writes"))
            return
        record, problem = parse_record(raw)
        if record is None:
            if not terminated:
                message = "the record is incomplete: the write was interrupted before it finished"
            elif problem == "incomplete":
                message = (
                    "the line is not a complete record: a write was interrupted (and a later "
                    "write ended the line), or the line was edited"
                )
            else:
                message = "the line is not a decision record"
            self.problems.append(LogProblem(number, message))
            # Writers chain past a torn line from the last complete record: so do we.
            return
        if not terminated and problem is None:
            self.notes.append(
                f"The last record (line {number}) has no newline: a write stopped just before "
                "it; the record itself is intact and the next write ends the line."
            )
        seq, prev = int(record["seq"]), str(record["prev"])
        if problem == "hash":
            self.problems.append(
                LogProblem(
                    number,
                    f"record {seq} was changed after it was written: its content no longer "
                    "matches its hash",
                )
            )
        elif problem == "form":
            self.problems.append(
                LogProblem(
                    number,
                    f"record {seq} was changed after it was written: the line is not exactly "
                    "what aimo wrote",
                )
            )
        elif seq > self.expected_seq:
            missing = seq - self.expected_seq
            self.problems.append(
                LogProblem(
                    number,
                    f"expected record {self.expected_seq} but found record {seq}: "
                    f"{missing} record{'s' if missing != 1 else ''} before this line "
                    f"{'were' if missing != 1 else 'was'} deleted or moved",
                )
            )
        elif seq < self.expected_seq:
            self.problems.append(
                LogProblem(
                    number,
                    f"expected record {self.expected_seq} but found record {seq}: records were "
                    "reordered or copied",
                )
            )
        elif prev != self.expected_prev:
            self.problems.append(
                LogProblem(
                    number,
                    f"record {seq} does not follow the record before it: that record was "
                    "replaced or rewritten",
                )
            )
        else:
            self.records += 1
        # Pick the chain up again after any break, so that one deletion is one problem.
        self.expected_seq, self.expected_prev = seq + 1, str(record["hash"])
        if seq in (self.head_seq, self.head_seq + 2):
            self.watched.setdefault(seq, (number, self.expected_prev))


def _unfinished_write(number: int, line: bytes, head: Mapping[str, Any], name: str) -> str | None:
    """The note for the one line past the head, when it is what an interrupted append
    leaves (the next write removes it); None when it is not."""
    if not line.endswith(b"\n"):
        return (
            f"Line {number} is an unfinished write: its writer stopped before the record was "
            "complete (a crash, a full disk or a file size limit). It is not part of the log, "
            "and the next write removes it."
        )
    record = next_record(line[:-1], head)
    if record is None:
        return None
    return (
        f"Line {number} holds record {record['seq']}, but its writer stopped before recording "
        f"it in the head file {name}: it is not part of the log, and the next write removes it."
    )


def _verify(path: str, lines: Iterator[bytes], head: dict[str, Any] | None) -> VerifyResult:
    head_ok = head is not None and valid_head(head)
    head_seq: int = head["seq"] if head is not None and head_ok else -1
    committed: int | None = head["size"] if head is not None and head_ok else None
    name = head_path(path).name
    chain = _Chain(head_seq)
    # The first line past the head's size is held back: if it is the last line, it may be
    # one unfinished write, which is not part of the log; if more follow, it is checked
    # like any other line.
    held: tuple[int, bytes] | None = None
    past = offset = number = 0
    for line in lines:
        number += 1
        if committed is not None and offset >= committed:
            past += 1
        offset += len(line)
        if past == 1:
            held = (number, line)
            continue
        if held is not None:
            chain.add(*held)
            held = None
        chain.add(number, line)
    if held is not None:
        assert head is not None
        note = _unfinished_write(*held, head, name)
        if note is None:
            chain.add(*held)
        else:
            chain.notes.append(note)
    problems, notes, watched = chain.problems, chain.notes, chain.watched
    last_seq, last_hash = chain.expected_seq - 1, chain.expected_prev
    end = number + 1
    if head is None:
        if number > 0:
            problems.append(
                LogProblem(
                    end,
                    f"the head file {name} is missing, so records deleted from the end of the "
                    "log cannot be ruled out",
                )
            )
    elif not head_ok:
        problems.append(LogProblem(end, f"the head file {name} is damaged"))
    elif head_seq > last_seq:
        gone = head_seq - last_seq
        problems.append(
            LogProblem(
                end,
                f"the log ends at record {last_seq}, but {head_seq} records were written: "
                f"the last {gone} record{'s were' if gone != 1 else ' was'} deleted",
            )
        )
    elif head_seq > 0 and watched.get(head_seq, (end, ""))[1] != head["hash"]:
        problems.append(
            LogProblem(
                watched.get(head_seq, (end, ""))[0],
                f"record {head_seq} is not the one that was written: it does not match "
                "the hash in the head file",
            )
        )
    elif head_seq + 1 == last_seq:
        notes.append(
            "The head file is one record behind: the last write was interrupted after its "
            "record was written; the next write brings the head up to date."
        )
    elif head_seq + 1 < last_seq:
        # Each write updates the head, so an interrupted one leaves it one record behind,
        # never more: more means records were added past it, or an old head was restored.
        extra = head_seq + 2
        problems.append(
            LogProblem(
                watched.get(extra, (end, ""))[0],
                f"record {extra} was added after the head file was last updated at record "
                f"{head_seq}: records were appended by something other than aimo, or "
                "the head file was replaced with an older one",
            )
        )
    problems.sort(key=lambda p: p.line)
    return VerifyResult(
        path=path,
        records=chain.records,
        last_hash=last_hash,
        problems=tuple(problems),
        notes=tuple(notes),
    )
