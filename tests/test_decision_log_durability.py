"""Durability: what each mode puts on disk and when, what a power cut can leave behind, and
how the next writer and ``aimo audit verify`` deal with it.

A power cut is simulated by what it leaves: the bytes the system had written, and not the
ones it had not. With ``durability="batch"`` those are the log up to its last sync, then any
part of what followed, next to any head file written since that sync.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._audit import log as log_module
from aimo._audit.log import DecisionLog, DecisionLogError
from aimo._audit.records import GENESIS, HEAD_SLOT, head_path, parse_head, read_head
from aimo._audit.verify import verify
from conftest import TODAY, aimo_cli, make

LONG = 3600.0  # a sync interval no test waits for: only flush(), close() or exit sync


@pytest.fixture(scope="module")
def verdict() -> aimo.Verdict:
    return aimo.Engine(entry_points=False).evaluate(make(), today=TODAY)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "decisions.jsonl"


def records_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def head_of(path: Path) -> dict[str, Any]:
    head = read_head(head_path(path))
    assert head is not None
    return head


def synced_point(path: Path) -> dict[str, Any]:
    """The last record the head file names as on disk."""
    synced: dict[str, Any] = head_of(path)["synced"]
    return synced


def point(record: dict[str, Any], path: Path) -> dict[str, Any]:
    """A record as a head names it: its number, hash and where it ends in the log."""
    data = path.read_bytes()
    line = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    end = data.index(line.encode()) + len(line) + 1
    return {"seq": record["seq"], "hash": record["hash"], "size": end}


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60  # against a hang, not a timing assertion
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def stop_without_syncing(log: DecisionLog) -> None:
    """What a power cut does to a writer: its pending sync never happens."""
    log._unsynced = False
    log.close()


def assert_clean(path: Path, records: int) -> None:
    result = verify(path)
    assert (result.problems, result.notes, result.records) == ((), (), records)


# -- the options ------------------------------------------------------------------------------


def test_the_default_syncs_every_record(log_path: Path) -> None:
    log = DecisionLog(log_path)
    assert (log.durability, log.fsync) == ("record", True)


@pytest.mark.parametrize(
    ("options", "durability"),
    [
        ({"fsync": True}, "record"),
        ({"fsync": False}, "none"),
        ({"fsync": False, "durability": "none"}, "none"),
        ({"fsync": True, "durability": "record"}, "record"),
        ({"durability": "batch", "sync_interval": 0.25}, "batch"),
    ],
)
def test_fsync_is_the_older_spelling_of_durability(
    log_path: Path, options: dict[str, Any], durability: str
) -> None:
    log = DecisionLog(log_path, **options)
    assert (log.durability, log.fsync) == (durability, durability == "record")


@pytest.mark.parametrize(
    "options",
    [
        {"durability": "batch", "fsync": True},
        {"durability": "record", "fsync": False},
        {"durability": "none", "fsync": True},
        {"durability": "fast"},
        {"durability": "batch", "sync_interval": 0},
        {"durability": "batch", "sync_interval": -1},
        {"durability": "batch", "sync_interval": math.nan},
        {"durability": "batch", "sync_interval": math.inf},
        {"durability": "batch", "sync_interval": True},
        {"durability": "batch", "sync_interval": "1"},
    ],
)
def test_options_that_contradict_or_make_no_sense_are_refused(
    log_path: Path, options: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"durability|sync_interval|fsync"):
        DecisionLog(log_path, **options)


# -- when "batch" syncs -----------------------------------------------------------------------


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every fsync from now on: the file's inode, and its size when it was synced."""
    synced: list[tuple[int, int]] = []
    real = os.fsync

    def spy(fd: int) -> None:
        info = os.fstat(fd)
        real(fd)
        synced.append((info.st_ino, info.st_size))

    monkeypatch.setattr(os, "fsync", spy)
    return synced


def test_flush_puts_the_records_on_disk_before_the_head_says_they_are(
    log_path: Path, verdict: aimo.Verdict, fsyncs: list[tuple[int, int]]
) -> None:
    log = DecisionLog(log_path, durability="batch", sync_interval=LONG)
    written = [log.record(verdict) for _ in range(3)]
    # Not synced yet: a power cut may lose these three, and the head says so.
    assert synced_point(log_path) == {"seq": 0, "hash": GENESIS, "size": 0}
    assert log_path.stat().st_ino not in {inode for inode, _ in fsyncs}

    log.flush()
    last = point(written[-1], log_path)
    assert synced_point(log_path) == last
    # The log reached the disk with every byte the head names, and before the head did.
    log_inode, head_inode = log_path.stat().st_ino, head_path(log_path).stat().st_ino
    log_synced = [n for n, (inode, _) in enumerate(fsyncs) if inode == log_inode]
    head_synced = [n for n, (inode, _) in enumerate(fsyncs) if inode == head_inode]
    assert log_synced
    assert head_synced
    assert fsyncs[log_synced[0]][1] >= last["size"]
    assert log_synced[0] < head_synced[-1]
    assert_clean(log_path, 3)


def test_close_syncs_and_a_log_closes_on_leaving_its_block(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    with DecisionLog(log_path, durability="batch", sync_interval=LONG) as log:
        written = [log.record(verdict) for _ in range(2)]
    assert synced_point(log_path) == point(written[-1], log_path)
    # A closed log can still be written to.
    [third] = [log.record(verdict)]
    log.close()
    assert synced_point(log_path) == point(third, log_path)
    assert_clean(log_path, 3)


def test_records_are_synced_within_the_interval_without_another_write(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    log = DecisionLog(log_path, durability="batch", sync_interval=0.05)
    for round_ in range(3):
        written = [log.record(verdict) for _ in range(2)]
        last = point(written[-1], log_path)
        wait_for(lambda: synced_point(log_path) == last, f"round {round_} was never synced")  # noqa: B023
    assert_clean(log_path, 6)
    log.close()


EXITING = textwrap.dedent(
    """
    import datetime as dt, json, os, sys

    import aimo
    from aimo._audit.log import DecisionLog

    log_path, workflow, how = sys.argv[1:4]
    engine = aimo.Engine(entry_points=False)
    verdict = engine.evaluate(json.loads(open(workflow).read()), today=dt.date(2026, 11, 27))
    log = DecisionLog(log_path, durability="batch", sync_interval=3600)
    for _ in range(3):
        log.record(verdict)
    if how == "killed":
        os._exit(0)
    """
)


@pytest.mark.parametrize("how", ["exits", "killed"])
def test_an_exiting_process_syncs_what_is_left_and_a_killed_one_loses_nothing(
    log_path: Path, tmp_path: Path, how: str
) -> None:
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(make()))
    child = subprocess.run(
        [sys.executable, "-c", EXITING, str(log_path), str(workflow), how],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    written = records_of(log_path)
    assert [r["seq"] for r in written] == [1, 2, 3]
    if how == "exits":
        assert synced_point(log_path) == point(written[-1], log_path)
    else:  # the system has the bytes: only a power cut could take them now
        assert synced_point(log_path)["seq"] == 0
    assert_clean(log_path, 3)


# -- what a power cut leaves ------------------------------------------------------------------


def _synced_then_not(
    path: Path, verdict: aimo.Verdict, synced: int, unsynced: int
) -> tuple[list[dict[str, Any]], bytes]:
    """``synced`` records put on disk, then ``unsynced`` more that are not; the records,
    and the head file as the last sync left it."""
    log = DecisionLog(path, caller="before the cut", durability="batch", sync_interval=LONG)
    written = [log.record(verdict) for _ in range(synced)]
    log.flush()
    head_at_sync = head_path(path).read_bytes()
    written += [log.record(verdict) for _ in range(unsynced)]
    stop_without_syncing(log)
    return written, head_at_sync


CUTS = {
    # where the log on disk ends: (the last whole record, and bytes of the next one)
    "at-the-last-sync": (3, 0),
    "one-record-after": (4, 0),
    "inside-a-record": (4, 57),
    "all-but-a-newline": (5, -1),
}


@pytest.mark.parametrize("cut", list(CUTS))
@pytest.mark.parametrize("next_writer", ["record", "batch", "none"])
def test_a_power_cut_that_lost_the_end_of_the_log_is_a_note_and_the_head_is_set_back(
    log_path: Path,
    verdict: aimo.Verdict,
    caplog: pytest.LogCaptureFixture,
    cut: str,
    next_writer: str,
) -> None:
    written, _ = _synced_then_not(log_path, verdict, 3, 3)
    last, extra = CUTS[cut]
    lines = log_path.read_bytes().splitlines(keepends=True)
    kept = b"".join(lines[:last])
    following = lines[last]
    log_path.write_bytes(kept + following[: extra if extra >= 0 else len(following) - 1])
    # The head file got to the disk with its last update: it names record 6.
    assert head_of(log_path)["seq"] == 6

    result = verify(log_path)
    assert (result.ok, result.records) == (True, last)
    assert result.last_hash == written[last - 1]["hash"]
    [note] = result.notes
    assert note.startswith(f"The log ends at record {last}")
    assert "names record 6" in note
    assert ("the last record written" if last == 5 else f"the last {6 - last} records") in note
    assert "the last one synced" in note
    cli = aimo_cli("audit", "verify", log_path)
    assert cli.returncode == 0, cli.stderr
    assert f"note: The log ends at record {last}" in cli.stdout

    with caplog.at_level(logging.WARNING, logger="aimo.audit"):
        record = DecisionLog(log_path, caller="after", durability=next_writer).record(verdict)  # type: ignore[arg-type]
    assert (record["seq"], record["prev"]) == (last + 1, written[last - 1]["hash"])
    assert [r["hash"] for r in records_of(log_path)[:last]] == [r["hash"] for r in written[:last]]
    assert f"ended at record {last}" in caplog.text
    assert_clean(log_path, last + 1)


@pytest.mark.parametrize("next_writer", ["record", "batch", "none"])
def test_a_power_cut_is_cleaned_up_even_when_the_next_record_fails(
    log_path: Path, verdict: aimo.Verdict, monkeypatch: pytest.MonkeyPatch, next_writer: str
) -> None:
    written, _ = _synced_then_not(log_path, verdict, 3, 3)
    lines = log_path.read_bytes().splitlines(keepends=True)
    log_path.write_bytes(b"".join(lines[:4]))  # the disk kept records 1 to 4
    real = log_module._write_all
    inode = log_path.stat().st_ino

    def disk_full(fd: int, data: bytes) -> None:
        if os.fstat(fd).st_ino == inode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(log_module, "_write_all", disk_full)
    with pytest.raises(DecisionLogError, match="could not be written"):
        DecisionLog(log_path, durability=next_writer).record(verdict)  # type: ignore[arg-type]
    # The record failed, but the log and its head were set back to record 4 before it.
    assert head_of(log_path)["seq"] == 4
    assert verify(log_path).last_hash == written[3]["hash"]
    assert_clean(log_path, 4)


@pytest.mark.parametrize("torn", [False, True], ids=["whole-records", "then-part-of-one"])
def test_a_power_cut_that_lost_the_head_updates_is_a_note_and_the_records_past_it_go(
    log_path: Path, verdict: aimo.Verdict, caplog: pytest.LogCaptureFixture, torn: bool
) -> None:
    written, head_at_sync = _synced_then_not(log_path, verdict, 3, 3)
    head_path(log_path).write_bytes(head_at_sync)  # its later updates never reached the disk
    if torn:
        with log_path.open("ab") as handle:
            handle.write(b'{"aimo":"0.1.0","caller":"before the')

    result = verify(log_path)
    assert (result.ok, result.records, result.last_hash) == (True, 3, written[2]["hash"])
    [note] = result.notes
    assert note.startswith(f"Lines 4 to {7 if torn else 6} hold 3 records written after record 3")
    assert ("then part of another" in note) is torn
    assert "the next write removes them" in note
    assert aimo_cli("audit", "verify", log_path).returncode == 0

    with caplog.at_level(logging.WARNING, logger="aimo.audit"):
        record = DecisionLog(log_path, caller="after", durability="batch").record(verdict)
    assert (record["seq"], record["prev"]) == (4, written[2]["hash"])
    assert [r["caller"] for r in records_of(log_path)] == ["before the cut"] * 3 + ["after"]
    assert "were removed" in caplog.text
    assert_clean(log_path, 4)


def test_a_power_cut_never_costs_a_synced_record(log_path: Path, verdict: aimo.Verdict) -> None:
    _synced_then_not(log_path, verdict, 3, 3)
    lines = log_path.read_bytes().splitlines(keepends=True)
    log_path.write_bytes(b"".join(lines[:2]))  # record 3 was synced: no power cut loses it

    result = verify(log_path)
    assert not result.ok
    assert result.message is not None
    assert "the last 4 records were deleted" in result.message
    assert aimo_cli("audit", "verify", log_path).returncode == 1
    with pytest.raises(DecisionLogError, match="cut from its end"):
        DecisionLog(log_path, durability="batch").record(verdict)


def test_past_the_last_sync_anything_but_what_a_writer_leaves_is_a_break(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    _, head_at_sync = _synced_then_not(log_path, verdict, 3, 2)
    head_path(log_path).write_bytes(head_at_sync)
    lines = log_path.read_bytes().splitlines(keepends=True)
    log_path.write_bytes(b"".join([*lines[:3], b"not a record\n", *lines[3:]]))

    result = verify(log_path)
    assert not result.ok
    assert result.line == 4
    before = log_path.read_bytes()
    with pytest.raises(DecisionLogError, match="something other than aimo"):
        DecisionLog(log_path, durability="batch").record(verdict)
    assert log_path.read_bytes() == before


def _slot_of(path: Path, seq: int) -> int:
    data = head_path(path).read_bytes()
    for slot in (0, 1):
        head, _ = parse_head(data[slot * HEAD_SLOT : (slot + 1) * HEAD_SLOT] * 2)
        if head.get("seq") == seq:
            return slot
    raise AssertionError(f"no slot holds record {seq}")


@pytest.mark.parametrize("durability", ["batch", "none"])
def test_a_head_write_cut_short_leaves_the_head_before_it(
    log_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    log = DecisionLog(log_path, durability=durability, sync_interval=LONG)  # type: ignore[arg-type]
    written = [log.record(verdict) for _ in range(3)]
    stop_without_syncing(log)
    # The write of record 3's head stopped halfway: its slot holds half of each.
    slot = _slot_of(log_path, 3)
    with head_path(log_path).open("r+b") as handle:
        handle.seek(slot * HEAD_SLOT + 100)
        handle.write(b"\x00" * 200)

    result = verify(log_path)
    assert (result.ok, result.records, result.last_hash) == (True, 2, written[1]["hash"])
    [note] = result.notes
    assert note.startswith("Line 3 holds record 3, but its writer stopped before recording it")
    record = DecisionLog(log_path, caller="next", durability=durability).record(verdict)  # type: ignore[arg-type]
    assert (record["seq"], record["prev"]) == (3, written[1]["hash"])
    assert_clean(log_path, 3)

    # Both slots spoilt is no cut-short write: the head is damaged.
    head_path(log_path).write_bytes(b"\x00" * (2 * HEAD_SLOT))
    result = verify(log_path)
    assert result.message == "the head file decisions.jsonl.head is damaged"
    with pytest.raises(DecisionLogError, match="is damaged"):
        DecisionLog(log_path, durability=durability).record(verdict)  # type: ignore[arg-type]


# -- the head is written in place, but never through another name ---------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="links are POSIX here")
@pytest.mark.parametrize("link", ["symlink", "hard link"])
@pytest.mark.parametrize("durability", ["batch", "none"])
def test_the_head_is_never_written_through_a_link(
    log_path: Path, tmp_path: Path, verdict: aimo.Verdict, link: str, durability: str
) -> None:
    log = DecisionLog(log_path, durability=durability)  # type: ignore[arg-type]
    log.record(verdict)
    victim = tmp_path / "victim.head"
    victim.write_bytes(head_path(log_path).read_bytes())
    precious = victim.read_bytes()
    head_path(log_path).unlink()
    if link == "symlink":
        head_path(log_path).symlink_to(victim)
    else:
        os.link(victim, head_path(log_path))

    log.record(verdict)
    assert victim.read_bytes() == precious
    assert not head_path(log_path).is_symlink()
    assert head_path(log_path).stat().st_nlink == 1
    assert_clean(log_path, 2)


# -- one log, many writers --------------------------------------------------------------------


def test_writers_with_different_durability_share_one_log(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    order = ["record", "batch", "none", "batch", "record", "none", "record"]
    for durability in order:
        with DecisionLog(log_path, caller=durability, durability=durability) as log:  # type: ignore[arg-type]
            log.record(verdict)
            log.record(verdict)
        assert_clean(log_path, len(records_of(log_path)))
    assert [r["caller"] for r in records_of(log_path)] == [d for d in order for _ in (1, 2)]
    # A "batch" writer that takes over syncs first: what it names as on disk is.
    with DecisionLog(log_path, durability="batch", sync_interval=LONG) as log:
        log.record(verdict)
        assert synced_point(log_path)["seq"] == len(order) * 2
    assert_clean(log_path, len(order) * 2 + 1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_forked_child_writes_and_syncs_on_its_own(log_path: Path, verdict: aimo.Verdict) -> None:
    log = DecisionLog(log_path, caller="parent", durability="batch", sync_interval=LONG)
    log.record(verdict)  # the parent keeps the log open and a sync pending
    pid = os.fork()
    if pid == 0:  # the child: never return into the test runner
        code = 1
        try:
            log.record(verdict)
            log.flush()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert synced_point(log_path)["seq"] == 2
    log.record(verdict)
    log.close()
    assert synced_point(log_path)["seq"] == 3
    assert [r["caller"] for r in records_of(log_path)] == ["parent"] * 3
    assert_clean(log_path, 3)


@pytest.mark.skipif(sys.platform == "win32", reason="the log is kept open on POSIX only")
def test_a_log_whose_file_something_else_closed_opens_it_again(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    log = DecisionLog(log_path, durability="none")
    log.record(verdict)
    kept = log._kept
    assert kept is not None
    os.close(kept[1])  # a careless fd cleanup in the program the log runs in
    log.record(verdict)
    log.close()
    assert_clean(log_path, 2)


def test_a_log_travels_by_pickle_without_its_pending_sync(
    log_path: Path, verdict: aimo.Verdict
) -> None:
    log = DecisionLog(log_path, caller="pickled", durability="batch", sync_interval=LONG)
    log.record(verdict)
    copy = pickle.loads(pickle.dumps(log))
    assert (copy.path, copy.caller, copy.durability, copy.sync_interval) == (
        log.path,
        "pickled",
        "batch",
        LONG,
    )
    copy.record(verdict)
    copy.close()
    log.close()
    assert_clean(log_path, 2)


# -- a sync that fails ------------------------------------------------------------------------


def test_a_sync_that_fails_is_raised_and_the_log_stays_intact(
    log_path: Path, verdict: aimo.Verdict, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = DecisionLog(log_path, durability="batch", sync_interval=0.01)
    log.record(verdict)
    log.flush()
    real = os.fsync

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)
    acknowledged = log.record(verdict)  # written; its sync, in the background, fails
    with pytest.raises(DecisionLogError, match="could not be synced") as caught:
        log.flush()
    assert caught.value.reason == os.strerror(errno.EIO)

    # The next record raises rather than pile up records that may never reach the disk.
    raised: list[DecisionLogError] = []

    def refused() -> bool:
        try:
            log.record(verdict)
        except DecisionLogError as exc:
            raised.append(exc)
        return bool(raised)

    wait_for(refused, "a failed background sync was never reported")
    assert "could not be synced" in str(raised[0])
    assert "The decision was not recorded" in str(raised[0])
    assert records_of(log_path)[1] == acknowledged
    assert verify(log_path).ok

    monkeypatch.setattr(os, "fsync", real)
    log.record(verdict)
    log.close()
    assert synced_point(log_path)["seq"] == len(records_of(log_path))
    assert_clean(log_path, len(records_of(log_path)))


# -- what a record holds does not depend on how it is written ---------------------------------


CALLERS = ['"format":1,"hash":"forged",', "}\n{", "\u2028\x00\ud800"]


@pytest.mark.parametrize("durability", ["record", "batch", "none"])
@pytest.mark.parametrize("caller", CALLERS, ids=["fields", "braces", "odd-characters"])
def test_each_line_is_the_canonical_json_of_its_record(
    log_path: Path, verdict: aimo.Verdict, caller: str, durability: str
) -> None:
    with DecisionLog(log_path, caller=caller, durability=durability) as log:  # type: ignore[arg-type]
        record = log.record(verdict)
    raw = log_path.read_bytes().rstrip(b"\n")
    assert raw == json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8", "surrogatepass")
    assert_clean(log_path, 1)
