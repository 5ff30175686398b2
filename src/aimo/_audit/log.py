"""A tamper-evident decision log: one JSON Lines record per verdict, chained by hashes.

Each record is canonical JSON on one line and carries ``prev``, the previous record's hash
(64 zeros for the first), and ``hash``, the sha256 of its own canonical JSON without
``hash``. Editing, deleting or reordering a record breaks the chain at that line. Deleting
the last records leaves a valid chain, so a small head file next to the log
(``PATH.head``), replaced atomically under the same lock as each append, holds the number
and hash of the last record written: a log that ends early no longer matches it.

Writers serialise on an exclusive ``flock`` of the log file (between processes) and a
lock per path (between threads), so concurrent appends neither interleave nor fork the
chain; Windows has no ``flock``, so there only the threads of one process are serialised.

The head file is the commit point: a record counts once the head names it. An append that
fails (a full disk, a file size limit, a head file that cannot be replaced) cuts the log
back to the head's size before it raises, so a record is in the log and the head, or in
neither. A writer killed mid-append can leave one unfinished write past the head (part of a
line, or a whole record the head does not name yet) and a temporary head file; the next
writer removes both, and :func:`verify` notes such a write rather than calling it a break.

The chain proves the log was not altered since it was written unless whoever altered it
also rewrote every later record and the head file. Keep a copy of the head's hash
somewhere the log's writers cannot change (a ticket, another system's log) to close that
gap.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from aimo._audit.records import (
    FORMAT,
    GENESIS,
    HEAD_MAX_BYTES,
    O_BINARY,
    head_path,
    next_record,
    policy_set_digest,
    read_at,
    read_head,
    record_hash,
    valid_head,
)
from aimo._audit.verify import VerifyResult, verify
from aimo._documents.canonical import canonical_json, encode
from aimo._documents.models import Workflow
from aimo._documents.run import Run
from aimo._engine.policy import Context
from aimo._engine.verdict import PolicyRef, Verdict
from aimo._errors import DecisionLogError
from aimo._hooks import hookimpl
from aimo._version import __version__

if sys.platform != "win32":
    import fcntl

__all__ = ["DecisionLog", "DecisionLogError"]


def _default_caller() -> str:
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    # Read at each write: a forked worker is a different caller from its parent.
    return f"{program or 'python'} (pid {os.getpid()})"


def _run_digest(run: Any) -> str | None:
    if run is None:
        return None
    if isinstance(run, Run):
        return run.digest
    digest = getattr(run, "digest", None)
    if isinstance(digest, str):
        return digest
    try:
        return Run.model_validate(run).digest
    except ValueError:
        # The run policies already failed closed on it: record the verdict, not a crash.
        return None


# One lock per log path for the threads of this process; flock serialises processes.
_PATH_LOCKS: dict[str, threading.Lock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: str) -> threading.Lock:
    with _PATH_LOCKS_GUARD:
        lock = _PATH_LOCKS.get(path)
        if lock is None:
            lock = _PATH_LOCKS[path] = threading.Lock()
        return lock


# The log descriptors this process holds flock-ed right now. A forked child inherits them,
# and a flock lives as long as any copy of its descriptor: the child closes its copies, or
# the parent's lock would outlive the parent's own release, and both would wait forever.
_HELD_FDS: set[int] = set()


def _reset_locks_after_fork() -> None:
    # A lock held by another thread at fork() would never be released in the child.
    global _PATH_LOCKS_GUARD
    _PATH_LOCKS.clear()
    _PATH_LOCKS_GUARD = threading.Lock()
    for fd in list(_HELD_FDS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_FDS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_locks_after_fork)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class DecisionLog:
    """A plugin that appends one record per verdict to a hash-chained JSON Lines file.

    Register it with an engine, ``aimo.Engine(plugins=[aimo.DecisionLog("decisions.jsonl")])``,
    and every evaluation is recorded through the ``aimo_verdict`` hook; or call
    :meth:`record` yourself. A record holds the workflow id, the decision, the verdict's
    digest, the run's digest, when it was evaluated, the failing policies and
    their paths, the caller, aimo's version and the policy set; never the workflow, the
    output text or any finding's message or observed value unless ``include_verdict`` is
    set. Records that keep decisions traceable serve record-keeping duties such as
    EU AI Act Art. 12 (logging, high-risk systems) and NIST AI RMF GOVERN 1.4 and
    MANAGE 4.1.

    A record that cannot be written raises :class:`DecisionLogError`: a log that cannot
    write must not pass unnoticed. The failed append is taken back out of the log first, so
    the log stays intact and recording works again once the cause is fixed. Appending to a
    log whose end was cut off, or that something else appended to, raises too, rather than
    covering it up.

    :param path: the JSON Lines file; it and ``PATH.head`` are created when missing.
    :param caller: who or what evaluates, e.g. ``"email-pipeline"`` (default: the program
        name and process id).
    :param include_verdict: also store the whole verdict (``verdict.to_dict()``), with its
        messages and observed values, which may quote the output.
    :param fsync: flush each record to disk before the evaluation returns (default True);
        switch off only where losing the last records in a power cut is acceptable.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        caller: str | None = None,
        include_verdict: bool = False,
        fsync: bool = True,
    ) -> None:
        self.path = Path(path)
        self.head_path = head_path(path)
        self.caller = caller
        self.include_verdict = include_verdict
        self.fsync = fsync
        # Engines pass the same policy set to every verdict: digest it once per engine.
        self._policy_set: tuple[Sequence[PolicyRef], str] | None = None
        # The temporary head files this log's writers create (and a killed one leaves).
        self._temporary = re.compile(re.escape(self.head_path.name) + r"\.[0-9a-z_]{8,32}\.tmp")
        self._swept = False

    def __repr__(self) -> str:
        return f"DecisionLog({os.fspath(self.path)!r})"

    @hookimpl
    def aimo_verdict(self, verdict: Verdict, workflow: Workflow | None, ctx: Context) -> None:
        """Record every verdict the engine produces."""
        self.record(verdict, run=ctx.run)

    def record(self, verdict: Verdict, *, run: Any = None) -> dict[str, Any]:
        """Append one record for ``verdict`` (and the run it judged) and return it.

        :raises DecisionLogError: when the record cannot be written (a full disk, a file
            size limit, a head file that cannot be replaced, any other system error): the
            log is then as it was before, and the next record is written once the cause is
            fixed. Also when the log was damaged since the last write (its end cut off, its
            head file missing or damaged, records appended by something other than aimo),
            so that appending would hide it.
        """
        entry = self._entry(verdict, run)
        return self._append(entry)

    def verify(self) -> VerifyResult:
        """Check this log's chain; see :func:`verify`."""
        return verify(self.path)

    def _entry(self, verdict: Verdict, run: Any) -> dict[str, Any]:
        policy_set = verdict.policy_set
        cached = self._policy_set
        if cached is None or cached[0] is not policy_set:
            cached = (policy_set, policy_set_digest(policy_set))
            self._policy_set = cached
        sources: dict[str, str] = {}
        for ref in policy_set:
            sources.setdefault(ref.source, ref.version or "")
        entry: dict[str, Any] = {
            "format": FORMAT,
            "workflow_id": verdict.workflow_id,
            "decision": verdict.decision.value,
            "digest": verdict.digest,
            "evaluated_at": verdict.evaluated_at.isoformat(),
            "failures": [
                {"policy_id": f.policy_id, "outcome": f.outcome.value, "path": f.path}
                for f in verdict.failures
            ],
            "caller": self.caller if self.caller is not None else _default_caller(),
            "aimo": __version__,
            "policy_set": {
                "count": len(policy_set),
                "digest": cached[1],
                "sources": sources,
            },
        }
        if verdict.stage is not None:
            entry["stage"] = verdict.stage.value
        run_digest = _run_digest(run)
        if run_digest is not None:
            entry["run"] = run_digest
        if self.include_verdict:
            entry["verdict"] = verdict.to_dict()
        return entry

    @contextmanager
    def _locked(self) -> Iterator[int]:
        """The log's file descriptor, held exclusively by this thread and process."""
        with _path_lock(os.path.abspath(self.path)):
            while True:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
                try:
                    if sys.platform != "win32":
                        fcntl.flock(fd, fcntl.LOCK_EX)
                        _HELD_FDS.add(fd)
                    # The file may have been moved aside (rotated) while we waited for the
                    # lock: then write to the file now at the path, not the old one.
                    try:
                        same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                    except FileNotFoundError:
                        same = False
                    if same:
                        yield fd
                        return
                finally:
                    _HELD_FDS.discard(fd)
                    # Also releases the flock. A failing close cannot undo a committed record.
                    with contextlib.suppress(OSError):
                        os.close(fd)

    def _append(self, entry: dict[str, Any]) -> dict[str, Any]:
        try:
            with self._locked() as fd:
                return self._append_locked(fd, entry)
        except OSError as exc:  # opening or locking the log: nothing was written yet
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} cannot be opened for writing",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc

    def _append_locked(self, fd: int, entry: dict[str, Any]) -> dict[str, Any]:
        seq, prev, size = self._committed(fd)
        record = {**entry, "seq": seq + 1, "prev": prev}
        record["hash"] = record_hash(record)
        line = encode(canonical_json(record) + "\n")
        try:
            _write_all(fd, line)
            if self.fsync:
                os.fsync(fd)
        except BaseException as exc:
            self._take_back(
                fd,
                size,
                record["hash"],
                exc,
                f"This decision could not be written to the decision log {os.fspath(self.path)!r}",
            )
        try:
            self._write_head(seq + 1, record["hash"], size + len(line))
        except BaseException as exc:
            self._take_back(
                fd,
                size,
                record["hash"],
                exc,
                f"The head file {os.fspath(self.head_path)!r} of the decision log could not be "
                "updated",
            )
        return record

    def _take_back(
        self, fd: int, size: int, record: str, exc: BaseException, failed: str
    ) -> NoReturn:
        """Undo a failed append by cutting the log back to ``size``, then raise: a
        DecisionLogError for a system error, anything else as it is."""
        head: dict[str, Any] | None = None
        with contextlib.suppress(OSError):
            head = read_head(self.head_path)
        if head is not None and head.get("hash") == record:
            # Interrupted (by KeyboardInterrupt, say) just after the head was replaced: the
            # record is committed, and cutting it would make the log look cut.
            raise exc
        try:
            os.ftruncate(fd, size)
        except OSError as left:
            # What stays past the head is one unfinished write: the next writer removes it,
            # and verify accepts it meanwhile.
            if not isinstance(exc, OSError):
                raise exc from None
            raise self._error(
                failed,
                exc,
                "The decision was not recorded. Taking its partial record back out of the "
                f"log failed too ({_reason(left)}), but the log is still intact: the next "
                "write removes it, and `aimo audit verify` accepts the log until then.",
            ) from exc
        if not isinstance(exc, OSError):
            raise exc
        raise self._error(
            failed,
            exc,
            "The decision was not recorded; the log is intact, as it was before. "
            "Recording works again once the cause is fixed.",
        ) from exc

    def _error(self, failed: str, exc: OSError, after: str) -> DecisionLogError:
        return DecisionLogError(
            f"{failed}: {_reason(exc)}. {after}",
            path=os.fspath(self.path),
            reason=_reason(exc),
        )

    def _committed(self, fd: int) -> tuple[int, str, int]:
        """The last committed record's number and hash, and the log's size, once anything
        an interrupted writer left behind is removed."""
        try:
            head = read_head(self.head_path)
            size = os.fstat(fd).st_size
        except OSError as exc:
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} or its head file cannot be read",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc
        if head is None:
            if size == 0:
                self._sweep()
                # Written before the first record, so that a crash right after it does not
                # leave a log that looks as if its head file had been deleted.
                try:
                    self._write_head(0, GENESIS, 0)
                except OSError as exc:
                    raise self._error(
                        f"The head file {os.fspath(self.head_path)!r} of the decision log "
                        "cannot be created",
                        exc,
                        "The decision was not recorded; the log is unchanged.",
                    ) from exc
                return 0, GENESIS, 0
            raise DecisionLogError(
                f"The decision log {os.fspath(self.path)!r} has records but no head file "
                f"({self.head_path.name}), so records cut from its end could go unnoticed. "
                "Check it with `aimo audit verify`, then move it aside to start a new log.",
                path=os.fspath(self.path),
            )
        if not valid_head(head):
            raise DecisionLogError(
                f"The head file {os.fspath(self.head_path)!r} of the decision log is damaged. "
                "Check the log with `aimo audit verify`, then move both files aside to "
                "start a new log.",
                path=os.fspath(self.path),
            )
        committed: int = head["size"]
        if size < committed:
            raise DecisionLogError(
                f"The decision log {os.fspath(self.path)!r} is shorter than when it was last "
                f"written ({size} bytes, not {committed}): records were cut from its end. "
                "Check it with `aimo audit verify`, then move both files aside to start a "
                "new log.",
                path=os.fspath(self.path),
            )
        if size > committed:
            try:
                unfinished = _one_unfinished_write(fd, head, size)
            except OSError as exc:
                raise self._error(
                    f"The decision log {os.fspath(self.path)!r} cannot be read",
                    exc,
                    "The decision was not recorded; the log is unchanged.",
                ) from exc
            if not unfinished:
                raise DecisionLogError(
                    f"The decision log {os.fspath(self.path)!r} goes on past record "
                    f"{head['seq']}, the last one its head file names, by more than one "
                    "unfinished write: records were appended by something other than aimo, "
                    "or the head file was replaced with an older one. Check it with "
                    "`aimo audit verify`, then move both files aside to start a new log.",
                    path=os.fspath(self.path),
                )
            # A writer stopped before its head update, so its record() never returned:
            # nothing acted on that record, and the head, the commit point, does not name
            # it. Even a whole record that chains from the head is dropped, not kept: a live
            # writer that fails at that point takes its record back out, and whether a
            # record stays must not depend on how its writer stopped. Only records the head
            # names were ever acknowledged, so none of those is lost.
            try:
                os.ftruncate(fd, committed)
            except OSError as exc:
                raise self._error(
                    f"An unfinished write at the end of the decision log "
                    f"{os.fspath(self.path)!r} could not be removed",
                    exc,
                    "The decision was not recorded; the log is unchanged.",
                ) from exc
            self._sweep()
        elif not self._swept:
            self._sweep()  # once per log object: files left before this process started
        return int(head["seq"]), str(head["hash"]), committed

    def _sweep(self) -> None:
        """Remove the temporary head files that writers killed or failed mid-append left."""
        # Only called under the exclusive lock: no writer is between creating its temporary
        # file and renaming it, so every one still there is stale. Only regular files of a
        # head's size: a file that merely shares the name pattern is not ours to delete.
        self._swept = True
        try:
            with os.scandir(self.head_path.parent) as entries:
                stale = [
                    entry.path
                    for entry in entries
                    if self._temporary.fullmatch(entry.name)
                    and entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_size <= HEAD_MAX_BYTES
                ]
        except OSError:
            return  # a leftover temporary file does no harm; the next sweep tries again
        for name in stale:
            with contextlib.suppress(OSError):
                os.unlink(name)

    def _write_head(self, seq: int, last: str, size: int) -> None:
        head = canonical_json({"format": FORMAT, "seq": seq, "hash": last, "size": size})
        fd, temporary = self._create_temporary()
        try:
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, 0o644)  # readable by whoever verifies, like the log
                _write_all(fd, (head + "\n").encode("utf-8"))
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            # Atomic: a reader sees the old head or the new one, never half of one. This is
            # the commit point of an append.
            os.replace(temporary, self.head_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        if self.fsync:
            # The rename reaches the disk with the folder: without this a power cut could
            # bring back the old head, and the next writer would drop an acknowledged record.
            _sync_folder(self.head_path.parent)

    def _create_temporary(self) -> tuple[int, str]:
        # A fresh, exclusively created file (O_EXCL does not follow a symlink): a symlink
        # planted at a predictable name in a shared folder must not redirect the write.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY | getattr(os, "O_NOFOLLOW", 0)
        for _ in range(100):
            name = os.path.join(
                self.head_path.parent, f"{self.head_path.name}.{secrets.token_hex(8)}.tmp"
            )
            with contextlib.suppress(FileExistsError):
                return os.open(name, flags, 0o600), name
        raise FileExistsError(errno.EEXIST, "no free name for a temporary head file", name)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return  # folders cannot be opened, and NTFS journals renames
    # Best effort: the head is already replaced, so the record is written; a folder that
    # cannot be synced (some network file systems) only weakens power-cut durability.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _one_unfinished_write(fd: int, head: Mapping[str, Any], size: int) -> bool:
    """Whether the bytes past the head's size are what one interrupted append leaves: part
    of a line, or one whole record that chains from the head."""
    start: int = head["size"]
    tail = bytearray()
    while start + len(tail) < size:
        chunk = read_at(fd, start + len(tail), min(1 << 16, size - start - len(tail)))
        if not chunk:
            return False  # shorter than fstat said: another program is changing it
        newline = chunk.find(b"\n")
        if newline != -1 and start + len(tail) + newline != size - 1:
            return False  # a newline before the end: more than one line
        tail += chunk
    if not tail.endswith(b"\n"):
        return True
    return next_record(bytes(tail[:-1]), head) is not None
