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
    removes, is a note, not a break; it does not count among the records. So is what a
    power cut leaves of a log written with durability ``"batch"``: the log ending before
    its head, but not before the last record synced, or going on past a head whose last
    updates were lost.

    :raises OSError: when the log cannot be read, or is not a regular file.
    """
    with _open_log(path) as handle:
        # A consistent snapshot: the head and the size that goes with it, read while no
        # write is half done. Writers never change the bytes up to the head's size, so
        # those stay put while we read them, and a long check does not hold up the
        # pipeline. Past the head the next writer cuts an unfinished write away, and after a
        # power cut it may cut the log back before the head: then keep the lock until the
        # whole log has been read.
        locked = sys.platform != "win32"
        if locked:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            head = read_head(head_path(path))
            size = os.fstat(handle.fileno()).st_size
            if locked and not (head is not None and valid_head(head) and size != head["size"]):
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

    def __init__(self, *watch: int) -> None:
        self.watch = set(watch)
        self.problems: list[LogProblem] = []
        self.notes: list[str] = []
        # Only a few records matter to the head check; remember where they are (their line,
        # hash and end in the log), not every record.
        self.watched: dict[int, tuple[int, str, int]] = {}
        self.expected_seq, self.expected_prev = 1, GENESIS
        self.records = 0

    def add(self, number: int, line: bytes, end: int = 0) -> None:
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
        if seq in self.watch:
            self.watched.setdefault(seq, (number, self.expected_prev, end))


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
    if head is not None and head_ok and "synced" in head:
        return _verify_batch(path, lines, head)
    head_seq: int = head["seq"] if head is not None and head_ok else -1
    committed: int | None = head["size"] if head is not None and head_ok else None
    name = head_path(path).name
    chain = _Chain(head_seq, head_seq + 2)
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
    return _checked_against_head(path, chain, head, number + 1)


def _checked_against_head(
    path: str, chain: _Chain, head: dict[str, Any] | None, end: int
) -> VerifyResult:
    """The result, once the log's end is checked against its head file; ``end`` is the
    line after the last."""
    head_ok = head is not None and valid_head(head)
    head_seq: int = head["seq"] if head is not None and head_ok else -1
    name = head_path(path).name
    number = end - 1
    problems, notes, watched = chain.problems, chain.notes, chain.watched
    last_seq, last_hash = chain.expected_seq - 1, chain.expected_prev
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
    elif head_seq > 0 and watched.get(head_seq, (end, "", 0))[1] != head["hash"]:
        problems.append(
            LogProblem(
                watched.get(head_seq, (end, "", 0))[0],
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
                watched.get(extra, (end, "", 0))[0],
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


def _verify_batch(path: str, lines: Iterator[bytes], head: dict[str, Any]) -> VerifyResult:
    """The check of a log whose head was written with durability "batch".

    Such a head names the last record that was on disk when it was written (``synced``).
    A power cut can leave the log ending anywhere after that record, or going on past the
    head, whose last updates had not reached the disk either: whole records that chain on,
    then perhaps part of one. Either is noted, not a break, and the next write cuts the log
    and the head back to the shorter of the two. Anything else past that record, and
    anything at all before it, is checked as in any log.
    """
    durable = head["synced"]
    head_seq: int = head["seq"]
    chain = _Chain(durable["seq"], head_seq, head_seq + 1, head_seq + 2)
    broken = False  # past the durable point: a line that does not chain on, and more after it
    held: tuple[int, bytes, int] | None = None  # the last line so far: it may be unfinished
    number = offset = 0
    for line in lines:
        number += 1
        if held is not None:
            broken = not _chains_on(chain, *held, durable["size"]) or broken
        held = (number, line, offset)
        offset += len(line)
    partial: int | None = None
    if held is not None:
        if held[2] >= durable["size"] and not broken and not held[1].endswith(b"\n"):
            partial = held[0]  # part of a record at the very end: not part of the log
        else:
            broken = not _chains_on(chain, *held, durable["size"]) or broken
    if broken or offset < durable["size"]:
        return _checked_against_head(path, chain, head, number + 1)

    name = head_path(path).name
    last_seq = chain.expected_seq - 1
    problems, notes, watched = chain.problems, chain.notes, chain.watched
    records, last_hash = chain.records, chain.expected_prev
    for point in (durable, head) if durable["seq"] != head_seq else (head,):
        seq = point["seq"]
        if 0 < seq <= last_seq and watched.get(seq, (0, "", 0))[1:] != (
            point["hash"],
            point["size"],
        ):
            problems.append(
                LogProblem(
                    watched.get(seq, (number + 1, "", 0))[0],
                    f"record {seq} is not the one that was written: it does not match "
                    "the hash in the head file",
                )
            )
    if last_seq < head_seq:
        lost = head_seq - last_seq
        notes.append(
            f"The log ends at record {last_seq}"
            + (f", then part of a record (line {partial})" if partial is not None else "")
            + f", but the head file {name} names record {head_seq}: "
            + ("the last record" if lost == 1 else f"the last {lost} records")
            + " written had not reached the disk when the system stopped (a power cut, "
            'say), as durability "batch" allows. Every record up to record '
            f"{durable['seq']}, the last one synced, is there; the next write sets the head "
            f"file back to record {last_seq}."
        )
    else:
        extra = last_seq - head_seq
        if extra:
            records -= extra
            last_hash = head["hash"]
        first = watched.get(head_seq + 1, (partial or number, "", 0))[0]
        if extra == 1 and partial is None:
            notes.append(
                f"Line {first} holds record {head_seq + 1}, but its writer stopped before "
                f"recording it in the head file {name}: it is not part of the log, and the "
                "next write removes it."
            )
        elif extra == 0 and partial is not None:
            notes.append(_unfinished_write(partial, b"", head, name) or "")
        elif extra:
            notes.append(
                f"Lines {first} to {partial or number} hold {extra} "
                f"record{'s' if extra != 1 else ''} written after record {head_seq}"
                + (", then part of another" if partial is not None else "")
                + f", but the head file {name} names record {head_seq}: the system stopped "
                "(a power cut, say) before the head's updates reached the disk, as "
                'durability "batch" allows. They are not part of the log, and the next '
                "write removes them."
            )
    problems.sort(key=lambda p: p.line)
    return VerifyResult(
        path=path,
        records=records,
        last_hash=last_hash,
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _chains_on(chain: _Chain, number: int, line: bytes, start: int, durable: int) -> bool:
    """Add a line to the chain; past the durable point, whether it is a whole record that
    follows the one before it."""
    problems, records = len(chain.problems), chain.records
    chain.add(number, line, start + len(line))
    if start < durable:
        return True
    return line.endswith(b"\n") and len(chain.problems) == problems and chain.records == records + 1
