"""A tamper-evident decision log: one JSON Lines record per verdict, chained by hashes.

Each record is canonical JSON on one line and carries ``prev``, the previous record's hash
(64 zeros for the first), and ``hash``, the sha256 of its own canonical JSON without
``hash``. Editing, deleting or reordering a record breaks the chain at that line. Deleting
the last records leaves a valid chain, so a small head file next to the log
(``PATH.head``), written atomically under the same lock as each append, holds the number
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

How soon the bytes reach the disk is the log's ``durability``. With ``"record"`` (the
default) each append syncs the log, then replaces the head file and syncs it, before it
returns. With ``"batch"`` and ``"none"`` an append writes the record, then the head in place
(one of its two slots, see :mod:`aimo._audit.records`), and syncs nothing: ``"batch"``
leaves that to a background sync at most ``sync_interval`` seconds later, ``"none"`` to
the system. Replacing the head file costs more than the rest of an append, syncing far
more. A ``"batch"`` head also names the last record a sync put on disk: a power cut can
leave the log ending before the head, or going on past a head whose last updates were
lost, but never short of that record. The next writer then cuts the log and the head back
to the shorter of the two, and :func:`verify` notes the records the cut takes away. A
killed process loses nothing in any mode: its bytes are the system's to write.

The chain proves the log was not altered since it was written unless whoever altered it
also rewrote every later record and the head file. Keep a copy of the head's hash
somewhere the log's writers cannot change (a ticket, another system's log) to close that
gap.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import math
import os
import re
import secrets
import stat
import sys
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

from aimo._audit.records import (
    FORMAT,
    GENESIS,
    HEAD_MAX_BYTES,
    HEAD_SLOT,
    O_BINARY,
    Tail,
    durable_point,
    encode_head,
    encode_slot,
    head_path,
    parse_head,
    policy_set_digest,
    read_at,
    read_head,
    scan_tail,
    valid_head,
    write_at,
)
from aimo._audit.verify import VerifyResult, verify
from aimo._documents.canonical import canonical_json, encode, sha256_hex
from aimo._documents.models import Workflow
from aimo._documents.run import Run
from aimo._engine.policy import Context
from aimo._engine.verdict import Enforcement, Outcome, PolicyRef, Verdict
from aimo._errors import DecisionLogError
from aimo._hooks import hookimpl
from aimo._version import __version__

if sys.platform != "win32":
    import fcntl

__all__ = ["DURABILITIES", "DecisionLog", "DecisionLogError", "Durability"]

logger = logging.getLogger("aimo.audit")

Durability = Literal["record", "batch", "none"]
DURABILITIES: tuple[Durability, ...] = ("record", "batch", "none")


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


# The log descriptors kept open between appends, one per log object and process: opening
# the log costs as much as the rest of an append's system calls. A forked child closes its
# copies (they share the parent's locks) and opens its own. Not on Windows, where a file
# that is open cannot be moved aside.
_KEPT_FDS: set[int] = set()
_KEEP_OPEN = sys.platform != "win32"


def _reset_locks_after_fork() -> None:
    # A lock held by another thread at fork() would never be released in the child.
    global _PATH_LOCKS_GUARD
    _PATH_LOCKS.clear()
    _PATH_LOCKS_GUARD = threading.Lock()
    for fd in _HELD_FDS | _KEPT_FDS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_FDS.clear()
    _KEPT_FDS.clear()


def _close_kept(pid: int, fd: int) -> None:
    """Close a kept log descriptor, unless this is a forked child, which closed its copy."""
    if os.getpid() == pid and fd in _KEPT_FDS:
        _KEPT_FDS.discard(fd)
        with contextlib.suppress(OSError):
            os.close(fd)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_locks_after_fork)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


@dataclass(slots=True)
class _Head:
    """The committed head as a writer found it under the lock, and where the next goes."""

    seq: int
    hash: str
    size: int
    synced: dict[str, Any] | None  # the durable point it names ("batch"), if any
    fd: int | None = None  # the head file, open to be written in place; None: replace it
    slot: int = 0  # the slot to write next: the one that does not hold this head
    data: bytes = b""  # the head file's bytes as they are now


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

    How much a power cut can lose is the ``durability``. In every mode a killed process
    loses no record that :meth:`record` returned, appends stay atomic and never interleave,
    and ``aimo audit verify`` checks the chain and the head:

    ``"record"`` (the default)
        Each record and the head file are on disk before :meth:`record` returns: a power
        cut loses nothing that was recorded. The slowest: three syncs per record.
    ``"batch"``
        Records are synced in groups by a background thread, at most ``sync_interval``
        seconds after they are written, and by :meth:`flush`, :meth:`close` and the exit
        of the interpreter. A power cut loses at most the records of the last
        ``sync_interval`` seconds, never one before them: the next append cuts the log back
        to what is left, and until then ``aimo audit verify`` notes what was lost.
    ``"none"``
        Nothing is synced but by :meth:`flush`: the system writes the bytes in its own time
        (on Linux, within about 30 seconds). A power cut loses whatever it had not written
        and can leave a log that ``aimo audit verify`` reports as broken.

    :param path: the JSON Lines file; it and ``PATH.head`` are created when missing.
    :param caller: who or what evaluates, e.g. ``"email-pipeline"`` (default: the program
        name and process id).
    :param include_verdict: also store the whole verdict (``verdict.to_dict()``), with its
        messages and observed values, which may quote the output.
    :param durability: ``"record"``, ``"batch"`` or ``"none"``, as above.
    :param sync_interval: with ``"batch"``, the most seconds a record waits to be synced
        (default 1.0).
    :param fsync: the older spelling: ``True`` is ``"record"``, ``False`` is ``"none"``.
    :raises ValueError: for a durability or interval that is not one of these, or an
        ``fsync`` that contradicts the durability.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        caller: str | None = None,
        include_verdict: bool = False,
        durability: Durability | None = None,
        sync_interval: float = 1.0,
        fsync: bool | None = None,
    ) -> None:
        if durability is None:
            durability = "none" if fsync is False else "record"
        elif durability not in DURABILITIES:
            raise ValueError(f"durability is 'record', 'batch' or 'none', not {durability!r}")
        elif fsync is not None and bool(fsync) != (durability == "record"):
            raise ValueError(
                f"fsync={fsync!r} contradicts durability={durability!r}: leave fsync out"
            )
        if (
            isinstance(sync_interval, bool)
            or not isinstance(sync_interval, int | float)
            or not math.isfinite(sync_interval)
            or sync_interval <= 0
        ):
            raise ValueError(f"sync_interval is a number of seconds above 0, not {sync_interval!r}")
        self.path = Path(path)
        self.head_path = head_path(path)
        self.caller = caller
        self.include_verdict = include_verdict
        self.durability: Durability = durability
        self.sync_interval = float(sync_interval)
        # The temporary head files this log's writers create (and a killed one leaves).
        self._temporary = re.compile(re.escape(self.head_path.name) + r"\.[0-9a-z_]{8,32}\.tmp")
        self._reset()

    def _reset(self) -> None:
        """The state of this process's writes: none is carried by pickling or kept by a copy."""
        self._swept = False
        # Engines pass the same policy set to every verdict: digest it once per engine.
        self._policy_set: tuple[Sequence[PolicyRef], str, dict[str, str]] | None = None
        self._workflow_digest: tuple[Workflow, str] | None = None
        self._default_caller: tuple[int, str] | None = None
        # The head file's bytes as this object last read or wrote them, parsed.
        self._head_cache: tuple[bytes, dict[str, Any], int] | None = None
        self._unsynced = False  # records this object wrote that no sync has covered yet
        self._timer: tuple[int, threading.Timer] | None = None
        self._sync_error: DecisionLogError | None = None
        self._kept: tuple[int, int, weakref.finalize[Any, Any]] | None = None  # pid, log fd

    def __getstate__(self) -> dict[str, Any]:
        # A worker process gets the settings; the timer and caches stay with this process.
        state = dict(self.__dict__)
        for key in [k for k in state if k.startswith("_") and k != "_temporary"]:
            del state[key]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._reset()

    def __repr__(self) -> str:
        return f"DecisionLog({os.fspath(self.path)!r})"

    def __enter__(self) -> DecisionLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def fsync(self) -> bool:
        """Whether each record is on disk before :meth:`record` returns (``"record"``)."""
        return self.durability == "record"

    @fsync.setter
    def fsync(self, value: bool) -> None:
        self.durability = "record" if value else "none"

    @hookimpl
    def aimo_verdict(self, verdict: Verdict, workflow: Workflow | None, ctx: Context) -> None:
        """Record every verdict the engine produces."""
        self._append(self._entry(verdict, ctx.run, workflow))

    def record(self, verdict: Verdict, *, run: Any = None) -> dict[str, Any]:
        """Append one record for ``verdict`` (and the run it judged) and return it.

        :raises DecisionLogError: when the record cannot be written (a full disk, a file
            size limit, a head file that cannot be replaced, any other system error): the
            log is then as it was before, and the next record is written once the cause is
            fixed. Also when the log was damaged since the last write (its end cut off, its
            head file missing or damaged, records appended by something other than aimo),
            so that appending would hide it; and with ``"batch"``, when syncing the records
            before it failed.
        """
        entry = self._entry(verdict, run, None)
        return self._append(entry)

    def flush(self) -> None:
        """Put every record written to this log so far, by any writer, on disk.

        :raises DecisionLogError: when the system cannot sync the log or its head file.
        """
        try:
            with self._locked() as (fd, _):
                self._sync_locked(fd)
        except OSError as exc:
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} could not be synced to disk",
                exc,
                "Records written since the last sync can be lost if the machine stops "
                "before a sync succeeds.",
            ) from exc

    def close(self) -> None:
        """Sync what this log wrote (with ``"batch"``), stop its background sync and close
        the file it keeps open.

        The log can still be written to (it is opened again); a log used as a context
        manager is closed on leaving it. :raises DecisionLogError: as :meth:`flush`.
        """
        if self._unsynced:
            self.flush()
        with _path_lock(os.path.abspath(self.path)):
            timer, self._timer = self._timer, None
            self._let_go()
        if timer is not None and timer[0] == os.getpid():
            timer[1].cancel()

    def verify(self) -> VerifyResult:
        """Check this log's chain; see :func:`verify`."""
        return verify(self.path)

    def _entry(self, verdict: Verdict, run: Any, workflow: Workflow | None) -> dict[str, Any]:
        policy_set = verdict.policy_set
        cached = self._policy_set
        if cached is None or cached[0] is not policy_set:
            sources: dict[str, str] = {}
            for ref in policy_set:
                sources.setdefault(ref.source, ref.version or "")
            cached = (policy_set, policy_set_digest(policy_set), sources)
            self._policy_set = cached
        caller = self.caller
        if caller is None:
            # Read at each write: a forked worker is a different caller from its parent.
            pid = os.getpid()
            known = self._default_caller
            if known is None or known[0] != pid:
                known = self._default_caller = (pid, _default_caller())
            caller = known[1]
        entry: dict[str, Any] = {
            "format": FORMAT,
            "workflow_id": verdict.workflow_id,
            "decision": verdict.decision.value,
            "digest": self._digest(verdict, workflow),
            "evaluated_at": verdict.evaluated_at.isoformat(),
            # verdict.failures, without a property call per finding: every finding is read.
            # A failure of a policy in shadow changed nothing: the record says so.
            "failures": [
                {"policy_id": f.policy_id, "outcome": outcome.value, "path": f.path}
                | ({"shadow": True} if f.enforcement is Enforcement.SHADOW else {})
                for f in verdict.findings
                if (outcome := f.outcome) is Outcome.FAIL or outcome is Outcome.ERROR
            ],
            "caller": caller,
            "aimo": __version__,
            "policy_set": {
                "count": len(policy_set),
                "digest": cached[1],
                "sources": dict(cached[2]),
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

    def _digest(self, verdict: Verdict, workflow: Workflow | None) -> str:
        """The verdict's digest, without digesting its workflow again for every verdict."""
        if workflow is None:
            return verdict.digest
        # Digesting the workflow costs more than the rest of a record, and a gate judges
        # one workflow object again and again. The hook is given the workflow the verdict
        # judged, and a workflow cannot change, so its digest is that verdict's digest.
        cached = self._workflow_digest
        if cached is not None and cached[0] is workflow:
            return cached[1]
        digest = verdict.digest
        self._workflow_digest = (workflow, digest)
        return digest

    @contextmanager
    def _locked(self) -> Iterator[tuple[int, os.stat_result]]:
        """The log's file descriptor, held exclusively by this thread and process, and what
        it holds."""
        with _path_lock(os.path.abspath(self.path)):
            while True:
                fd = self._descriptor()
                locked = False
                try:
                    try:
                        if sys.platform != "win32":
                            fcntl.flock(fd, fcntl.LOCK_EX)
                            locked = True
                            _HELD_FDS.add(fd)
                        info = os.fstat(fd)
                    except OSError as exc:
                        if exc.errno != errno.EBADF or self._kept is None:
                            raise
                        # Something else closed the descriptor kept for us: open it again.
                        self._forget()
                        continue
                    # The file may have been moved aside (rotated) while we waited for the
                    # lock, or since the last append: then write to the file now at the path.
                    try:
                        same = os.path.samestat(info, os.stat(self.path))
                    except FileNotFoundError:
                        same = False
                    if same:
                        yield fd, info
                        return
                finally:
                    _HELD_FDS.discard(fd)
                    # A failing unlock or close cannot undo a committed record.
                    if locked:
                        with contextlib.suppress(OSError):
                            fcntl.flock(fd, fcntl.LOCK_UN)
                    if not _KEEP_OPEN:
                        with contextlib.suppress(OSError):
                            os.close(fd)
                self._let_go()

    def _descriptor(self) -> int:
        """The log open for appending: the one this process keeps, or a new one."""
        pid = os.getpid()
        kept = self._kept
        if kept is not None and kept[0] == pid:
            return kept[1]
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        if _KEEP_OPEN:
            _KEPT_FDS.add(fd)
            closer = weakref.finalize(self, _close_kept, pid, fd)
            closer.atexit = False  # the exit sync still needs it
            self._kept = (pid, fd, closer)
        return fd

    def _forget(self) -> None:
        """Drop the kept descriptor without closing it: it is closed already."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept[2].detach()
            _KEPT_FDS.discard(kept[1])

    def _let_go(self) -> None:
        """Close the descriptor this process keeps (under the path lock)."""
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] == os.getpid():
            kept[2].detach()
            _close_kept(kept[0], kept[1])

    def _append(self, entry: dict[str, Any]) -> dict[str, Any]:
        if self._sync_error is not None:
            self._sync_again()
        try:
            with self._locked() as (fd, info):
                return self._append_locked(fd, info.st_size, entry)
        except OSError as exc:  # opening or locking the log: nothing was written yet
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} cannot be opened for writing",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc

    def _append_locked(self, fd: int, length: int, entry: dict[str, Any]) -> dict[str, Any]:
        head = self._committed(fd, length)
        if self.durability == "batch" and head.synced is None:
            # The head names no record known to be on disk (its writer used another
            # durability): sync, so that this one and those after it can name one.
            if head.fd is not None:
                _close_quietly(head.fd)
            try:
                self._sync_locked(fd)
            except OSError as exc:
                raise self._error(
                    f"The head file {os.fspath(self.head_path)!r} of the decision log could "
                    "not be updated",
                    exc,
                    "The decision was not recorded; the log is intact, as it was before.",
                ) from exc
            head = self._committed(fd, head.size)
        try:
            size = head.size
            record = {**entry, "seq": head.seq + 1, "prev": head.hash}
            record["hash"], line = _hashed_line(record)
            try:
                _write_all(fd, line)
                if self.durability == "record":
                    os.fsync(fd)
            except BaseException as exc:
                self._take_back(
                    fd,
                    size,
                    record["hash"],
                    exc,
                    "This decision could not be written to the decision log "
                    f"{os.fspath(self.path)!r}",
                )
            try:
                self._write_head(head, record["seq"], record["hash"], size + len(line))
            except BaseException as exc:
                self._take_back(
                    fd,
                    size,
                    record["hash"],
                    exc,
                    f"The head file {os.fspath(self.head_path)!r} of the decision log could "
                    "not be updated",
                )
        finally:
            if head.fd is not None:
                _close_quietly(head.fd)
        if self.durability == "batch":
            self._sync_later(fd)
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

    def _damaged(self, message: str) -> DecisionLogError:
        return DecisionLogError(message, path=os.fspath(self.path))

    def _committed(self, fd: int, size: int) -> _Head:
        """The last committed record's number, hash and end, once anything an interrupted
        writer (or a power cut) left behind is removed; the log is ``size`` bytes long. The
        head file, when it is open to be written in place, is the caller's to close."""
        try:
            head, hfd, slot, data = self._read_head(in_place=self.durability != "record")
        except OSError as exc:
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} or its head file cannot be read",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc
        try:
            return self._cleaned_up(fd, size, head, hfd, slot, data)
        except BaseException:
            if hfd is not None:
                _close_quietly(hfd)
            raise

    def _cleaned_up(
        self,
        fd: int,
        size: int,
        head: dict[str, Any] | None,
        hfd: int | None,
        slot: int | None,
        data: bytes,
    ) -> _Head:
        if head is None:
            if size == 0:
                self._sweep()
                # Written before the first record, so that a crash right after it does not
                # leave a log that looks as if its head file had been deleted.
                genesis = {"seq": 0, "hash": GENESIS, "size": 0}
                first = _Head(0, GENESIS, 0, genesis if self.durability == "batch" else None)
                try:
                    self._write_head(first, 0, GENESIS, 0)
                except OSError as exc:
                    raise self._error(
                        f"The head file {os.fspath(self.head_path)!r} of the decision log "
                        "cannot be created",
                        exc,
                        "The decision was not recorded; the log is unchanged.",
                    ) from exc
                return first
            raise self._damaged(
                f"The decision log {os.fspath(self.path)!r} has records but no head file "
                f"({self.head_path.name}), so records cut from its end could go unnoticed. "
                "Check it with `aimo audit verify`, then move it aside to start a new log."
            )
        cached = self._head_cache
        if (cached is None or head is not cached[1]) and not valid_head(head):
            raise self._damaged(
                f"The head file {os.fspath(self.head_path)!r} of the decision log is damaged. "
                "Check the log with `aimo audit verify`, then move both files aside to "
                "start a new log."
            )
        durable = durable_point(head)
        found = _Head(
            int(head["seq"]),
            str(head["hash"]),
            int(head["size"]),
            {"seq": durable["seq"], "hash": durable["hash"], "size": durable["size"]}
            if "synced" in head
            else None,
            hfd,
            1 - slot if slot is not None else 0,
            data,
        )
        committed = found.size
        if size < committed:
            # Only a power cut with records not yet synced ends the log before its head,
            # and never before the last record that was.
            if "synced" in head and size >= durable["size"]:
                tail = self._tail(fd, durable["size"], size, durable)
                if not tail.broken and tail.seq < found.seq:
                    return self._set_back(fd, found, tail)
            raise self._damaged(
                f"The decision log {os.fspath(self.path)!r} is shorter than when it was last "
                f"written ({size} bytes, not {committed}): records were cut from its end. "
                "Check it with `aimo audit verify`, then move both files aside to start a "
                "new log."
            )
        if size > committed:
            tail = self._tail(fd, committed, size, head)
            # One unfinished write, or, after a power cut with records not yet synced, any
            # whole records that chain on, then perhaps an unfinished one.
            if tail.broken or ("synced" not in head and tail.records + tail.partial != 1):
                raise self._damaged(
                    f"The decision log {os.fspath(self.path)!r} goes on past record "
                    f"{head['seq']}, the last one its head file names, by more than one "
                    "unfinished write: records were appended by something other than aimo, "
                    "or the head file was replaced with an older one. Check it with "
                    "`aimo audit verify`, then move both files aside to start a new log."
                )
            # A writer stopped before its head update, so its record() never returned:
            # nothing acted on that record, and the head, the commit point, does not name
            # it. Even a whole record that chains from the head is dropped, not kept: a live
            # writer that fails at that point takes its record back out, and whether a
            # record stays must not depend on how its writer stopped. Only records the head
            # names were ever acknowledged, so none of those is lost. After a power cut, the
            # records past the head were never on disk as far as the head knows: the same.
            self._cut(fd, committed, "An unfinished write at the end of")
            if tail.records + tail.partial > 1:
                logger.warning(
                    "The decision log %r went on past record %d, the last one its head file "
                    "names: the system stopped before the head's updates reached the disk. "
                    "The %d record%s after it%s were removed; recording goes on from there.",
                    os.fspath(self.path),
                    found.seq,
                    tail.records,
                    "s" if tail.records != 1 else "",
                    ", and part of another," if tail.partial else "",
                )
            self._sweep()
        elif not self._swept:
            self._sweep()  # once per log object: files left before this process started
        return found

    def _tail(self, fd: int, start: int, size: int, point: Mapping[str, Any]) -> Tail:
        try:
            return scan_tail(fd, start, size, point)
        except OSError as exc:
            raise self._error(
                f"The decision log {os.fspath(self.path)!r} cannot be read",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc

    def _cut(self, fd: int, size: int, what: str) -> None:
        try:
            os.ftruncate(fd, size)
        except OSError as exc:
            raise self._error(
                f"{what} the decision log {os.fspath(self.path)!r} could not be removed",
                exc,
                "The decision was not recorded; the log is unchanged.",
            ) from exc

    def _set_back(self, fd: int, found: _Head, tail: Tail) -> _Head:
        """After a power cut that lost the log's last records: end the log at its last whole
        record, and set the head back to it."""
        lost = found.seq - tail.seq
        self._cut(fd, tail.end, "The part of a record left at the end of")
        try:
            if self.durability != "none":
                os.fsync(fd)  # the cut, before a head that relies on it
            self._write_head(found, tail.seq, tail.hash, tail.end)
        except OSError as exc:
            raise self._error(
                f"The head file {os.fspath(self.head_path)!r} of the decision log could not "
                "be set back to the log's last record",
                exc,
                "The decision was not recorded; the next write tries again.",
            ) from exc
        logger.warning(
            "The decision log %r ended at record %d, before record %d that its head file "
            "named: the last %d record%s had not reached the disk when the system stopped. "
            "The head file now names record %d; recording goes on from there.",
            os.fspath(self.path),
            tail.seq,
            tail.seq + lost,
            lost,
            "s" if lost != 1 else "",
            tail.seq,
        )
        self._sweep()
        return found

    def _read_head(
        self, *, in_place: bool
    ) -> tuple[dict[str, Any] | None, int | None, int | None, bytes]:
        """The head (None when there is none, {} when damaged), the head file open to be
        written in place when it can be (the caller closes it), the slot holding the head,
        and the file's bytes."""
        if not in_place:
            return read_head(self.head_path), None, None, b""
        flags = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | O_BINARY
        try:
            hfd = os.open(self.head_path, flags)
        except FileNotFoundError:
            return None, None, None, b""
        except OSError:
            # A symlink, a folder, a file this process may not write: read it as the other
            # writers do, and replace it with the next head rather than write through it.
            return read_head(self.head_path), None, None, b""
        try:
            info = os.fstat(hfd)
            if not stat.S_ISREG(info.st_mode):
                head: dict[str, Any] | None = {}  # a FIFO, a device: damaged, as such
                data = b""
            else:
                data = read_at(hfd, 0, HEAD_MAX_BYTES + 1)
                cached = self._head_cache
                if cached is not None and cached[0] == data:
                    head, slot = cached[1], cached[2]
                    # Never through another name for the same file.
                    if info.st_nlink == 1:
                        return head, hfd, slot, data
                else:
                    head, where = parse_head(data)
                    # A head of one line is replaced, not written in place.
                    if where is not None and info.st_nlink == 1:
                        return head, hfd, where, data
        except BaseException:
            _close_quietly(hfd)
            raise
        _close_quietly(hfd)
        return head, None, None, data

    def _write_head(self, head: _Head, seq: int, last: str, size: int) -> None:
        """Commit ``seq``: name it in the head file, and note it in ``head`` for the next."""
        new: dict[str, Any] = {"format": FORMAT, "seq": seq, "hash": last, "size": size}
        if self.durability == "record":
            self._replace_head(encode_head(new), sync=True)
        else:
            if self.durability == "batch":
                assert head.synced is not None, "a batch append starts from a synced head"
                new["synced"] = head.synced
            slot = encode_slot(new)
            if head.fd is not None and seq < head.seq:
                # Set back: the slot holding the later head would still count. The other
                # first, so that a write cut short leaves that later head, which the next
                # writer sets back again.
                write_at(head.fd, head.slot * HEAD_SLOT, slot)
                write_at(head.fd, (1 - head.slot) * HEAD_SLOT, slot)
                head.data = slot + slot
                self._head_cache = (head.data, new, 0)
                head.slot = 1
            elif head.fd is not None:
                # Only the slot that does not hold the committed head: a write cut short
                # leaves that head for readers, and the record past it an unfinished write.
                offset = head.slot * HEAD_SLOT
                write_at(head.fd, offset, slot)
                head.data = head.data[:offset] + slot + head.data[offset + HEAD_SLOT :]
                self._head_cache = (head.data, new, head.slot)
                head.slot = 1 - head.slot
            else:
                # The first head in place, or one that replaces another form: a new file,
                # synced in "batch", so that a power cut cannot bring the old one back
                # behind records the new one names.
                data = slot + slot
                self._replace_head(data, sync=self.durability == "batch")
                self._head_cache = (data, new, 0)
                head.data, head.slot = data, 1
        head.seq, head.hash, head.size = seq, last, size

    def _replace_head(self, data: bytes, *, sync: bool) -> None:
        fd, temporary = self._create_temporary()
        try:
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, 0o644)  # readable by whoever verifies, like the log
                _write_all(fd, data)
                if sync:
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
        if sync:
            # The rename reaches the disk with the folder: without this a power cut could
            # bring back the old head, and the next writer would drop an acknowledged record.
            _sync_folder(self.head_path.parent)

    # -- syncing in groups ---------------------------------------------------------------

    def _sync_locked(self, fd: int) -> None:
        """Sync the log, then the head. With ``"batch"`` (or a head written by it), the head
        then names its own record as on disk: in that order, so that a head never names as
        synced a record that may not be."""
        # Appends from now on need a sync of their own; one that fails is tried again.
        self._timer = None
        os.fsync(fd)
        head, hfd, slot, _ = self._read_head(in_place=True)
        try:
            if head is None or not valid_head(head) or os.fstat(fd).st_size < head["size"]:
                pass  # nothing to name, or a log the next append must check first
            elif self.durability == "batch" or "synced" in head:
                point = {"seq": head["seq"], "hash": head["hash"], "size": head["size"]}
                new = {"format": FORMAT, **point, "synced": point}
                data = encode_slot(new)
                if hfd is not None and slot is not None:
                    # The slot that does not hold the head first, then the other: a write
                    # cut short leaves a head at least as new as the last sync.
                    write_at(hfd, (1 - slot) * HEAD_SLOT, data)
                    write_at(hfd, slot * HEAD_SLOT, data)
                    os.fsync(hfd)
                else:
                    self._replace_head(data + data, sync=True)
                self._head_cache = (data + data, new, 0)
            elif hfd is not None:
                os.fsync(hfd)  # a head written in place ("none"), naming only itself
            # A head of one line was synced by its writer, with its record.
        finally:
            if hfd is not None:
                _close_quietly(hfd)
        _sync_folder(self.head_path.parent)  # the head file's name, if a writer made it
        self._unsynced = False

    def _sync_later(self, fd: int) -> None:
        """After a "batch" append, under the lock: have it synced within the interval."""
        self._unsynced = True
        pid = os.getpid()
        timer = self._timer
        if timer is not None and timer[0] == pid:
            return  # a sync is due already, and covers this record
        thread = threading.Timer(self.sync_interval, self._sync_in_background)
        thread.daemon = True  # the exit hook syncs instead of the exit waiting for it
        thread.name = f"aimo decision log sync ({self.path.name})"
        _UNSYNCED.add(self)
        try:
            thread.start()
        except RuntimeError:  # no new threads now (the interpreter is stopping): sync here
            try:
                self._sync_locked(fd)
            except OSError as exc:  # the record is committed: report it with the next one
                self._sync_error = self._sync_failed(exc)
            return
        self._timer = (pid, thread)

    def _sync_in_background(self) -> None:
        try:
            with self._locked() as (fd, _):
                if self._unsynced:
                    self._sync_locked(fd)
                elif self._timer is not None and self._timer[1] is threading.current_thread():
                    self._timer = None
        except OSError as exc:
            # Nobody to raise to here: the next record() tries again, and raises if it fails.
            self._sync_error = self._sync_failed(exc)

    def _sync_failed(self, exc: OSError) -> DecisionLogError:
        return self._error(
            f"The decision log {os.fspath(self.path)!r} could not be synced to disk",
            exc,
            "The decision was not recorded. Records written since the last sync can be "
            "lost if the machine stops before a sync succeeds.",
        )

    def _sync_again(self) -> None:
        """After a background sync failed: sync now, or raise its error."""
        error = self._sync_error
        try:
            self.flush()
        except DecisionLogError:
            assert error is not None
            raise error from None
        self._sync_error = None

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


# The logs with records no sync has covered yet: synced when the interpreter exits.
_UNSYNCED: weakref.WeakSet[DecisionLog] = weakref.WeakSet()


def _sync_at_exit() -> None:
    for log in list(_UNSYNCED):
        if log._unsynced:
            try:
                log.flush()
            except DecisionLogError as exc:  # nobody is left to raise to
                logger.warning("%s", exc)


atexit.register(_sync_at_exit)


def _close_quietly(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _hashed_line(record: dict[str, Any]) -> tuple[str, bytes]:
    """The hash of a record without its hash, and the line of the record with it.

    One canonical JSON text serves both: the hash goes in right after ``format``, where
    canonical JSON sorts it, since no other key of a record sorts between them. No string
    can hold the unescaped quotes of ``"format":1,`` and no value before it holds such a
    key, so its first occurrence is the record's own.
    """
    text = canonical_json(record)
    digest = sha256_hex(text)
    at = text.index(_FORMAT_KEY) + len(_FORMAT_KEY)
    return digest, encode(f'{text[:at]}"hash":"{digest}",{text[at:]}\n')


_FORMAT_KEY = f'"format":{FORMAT},'


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
