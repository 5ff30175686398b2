"""How the decision log fails: loudly, without hanging, and never at the cost of a record
that was written. Every test whose promise holds in each durability mode runs in each."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._audit.log import DecisionLog, DecisionLogError
from aimo._audit.records import head_path, parse_head
from aimo._audit.verify import verify
from conftest import TODAY, aimo_cli, make

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")


@pytest.fixture(scope="module")
def verdict() -> aimo.Verdict:
    return aimo.Engine(entry_points=False).evaluate(make(), today=TODAY)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder / "decisions.jsonl"


@pytest.fixture(params=["record", "batch", "none"])
def durability(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fill(
    path: Path, verdict: aimo.Verdict, count: int, durability: str = "record"
) -> list[dict[str, Any]]:
    """``count`` records, all synced (a writer that is done closes its log)."""
    with DecisionLog(path, caller="test", durability=durability) as log:  # type: ignore[arg-type]
        return [log.record(verdict) for _ in range(count)]


def records_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def snapshot(path: Path) -> tuple[bytes, bytes]:
    return path.read_bytes(), head_path(path).read_bytes()


def assert_verifies(path: Path, records: int, *, notes: int = 0) -> None:
    result = verify(path)
    assert result.problems == ()
    assert (result.records, len(result.notes)) == (records, notes), result.notes
    cli = aimo_cli("audit", "verify", path)
    assert cli.returncode == 0, cli.stderr
    assert f"intact: {records} record" in cli.stdout


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- a failed append raises DecisionLogError and leaves the log as it was ------------------

LIMITED = textwrap.dedent(
    """
    import datetime as dt, json, resource, sys

    import aimo
    from aimo._audit.log import DecisionLog, DecisionLogError

    log_path, workflow, limit, durability = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    engine = aimo.Engine(entry_points=False)
    verdict = engine.evaluate(json.loads(open(workflow).read()), today=dt.date(2026, 11, 27))
    log = DecisionLog(log_path, caller="limited", durability=durability)
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    for _ in range(3):
        try:
            log.record(verdict)
        except DecisionLogError as exc:
            print("DecisionLogError", exc.reason, exc.path, exc, sep="|")
        else:
            print("recorded")
    """
)


@POSIX
@pytest.mark.parametrize("room", [0, 1, 300], ids=["no-byte-fits", "one-byte-fits", "part"])
def test_a_file_size_limit_fails_the_append_and_leaves_the_log_intact(
    log_path: Path, tmp_path: Path, verdict: aimo.Verdict, room: int, durability: str
) -> None:
    fill(log_path, verdict, 3, durability)
    before = snapshot(log_path)
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(make()))
    limit = log_path.stat().st_size + room  # a record is longer: it never fits
    child = subprocess.run(
        [sys.executable, "-c", LIMITED, str(log_path), str(workflow), str(limit), durability],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert child.returncode == 0, child.stderr
    outcomes = child.stdout.splitlines()
    assert len(outcomes) == 3
    for outcome in outcomes:
        kind, reason, path, message = outcome.split("|")
        assert (kind, reason, path) == ("DecisionLogError", os.strerror(errno.EFBIG), str(log_path))
        assert "could not be written" in message
        assert "the log is intact" in message
    assert snapshot(log_path) == before
    assert_verifies(log_path, 3)
    assert temporary_files(log_path.parent) == []

    # Without the limit, the next append works and chains on.
    [record] = fill(log_path, verdict, 1, durability)
    assert record["seq"] == 4
    assert_verifies(log_path, 4)


def _long_names(folder: Path) -> Path:
    """A log whose head file's name is as long as the file system allows: the head itself
    fits, but no temporary file to replace it can be created next to it."""
    longest = os.pathconf(folder, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    return folder / ("d" * (longest - len(".jsonl.head")) + ".jsonl")


def test_a_head_that_cannot_be_replaced_takes_the_record_back_out(
    log_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    # Kept by a "record" writer: a head of one line, which "batch" and "none" replace with
    # one they can write in place, and "record" replaces at every append.
    fill(log_path, verdict, 3)
    stuck = _long_names(log_path.parent)
    log_path.rename(stuck)
    head_path(log_path).rename(head_path(stuck))
    before = snapshot(stuck)
    log = DecisionLog(stuck, durability=durability)
    for _ in range(5):
        with pytest.raises(DecisionLogError, match="head file") as caught:
            log.record(verdict)
        assert "the log is intact" in str(caught.value)
        assert caught.value.path == str(stuck)
        assert caught.value.reason
        assert isinstance(caught.value, aimo.AimoError)
    assert snapshot(stuck) == before
    assert_verifies(stuck, 3)
    assert temporary_files(stuck.parent) == []

    # Once the cause is gone (a shorter name), recording works again.
    stuck.rename(log_path)
    head_path(stuck).rename(head_path(log_path))
    fill(log_path, verdict, 1, durability)
    assert_verifies(log_path, 4)


def test_a_first_head_that_cannot_be_created_leaves_nothing(
    tmp_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    stuck = _long_names(tmp_path)
    with pytest.raises(DecisionLogError, match="cannot be created"):
        DecisionLog(stuck, durability=durability).record(verdict)
    assert stuck.read_bytes() == b""
    assert not head_path(stuck).exists()
    assert temporary_files(tmp_path) == []


def test_a_log_that_cannot_be_opened_raises_decision_log_error(
    tmp_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    for path in (tmp_path, tmp_path / "missing-folder" / "decisions.jsonl"):
        with pytest.raises(DecisionLogError, match="cannot be opened for writing") as caught:
            DecisionLog(path, durability=durability).record(verdict)
        assert caught.value.reason


# -- a head or log that is not a regular file -------------------------------------------

NOT_A_FILE = textwrap.dedent(
    """
    import datetime as dt, json, sys

    import aimo
    from aimo._audit.log import DecisionLog, DecisionLogError
    from aimo._audit.verify import verify

    log_path, workflow, durability = sys.argv[1:4]
    engine = aimo.Engine(entry_points=False)
    verdict = engine.evaluate(json.loads(open(workflow).read()), today=dt.date(2026, 11, 27))
    try:
        DecisionLog(log_path, durability=durability).record(verdict)
    except DecisionLogError as exc:
        print("DecisionLogError", exc)
    print(verify(log_path).message)
    """
)


@POSIX
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_head_that_is_not_a_file_stops_the_append_without_hanging(
    log_path: Path, tmp_path: Path, verdict: aimo.Verdict, kind: str, durability: str
) -> None:
    fill(log_path, verdict, 2, durability)
    data = log_path.read_bytes()
    head = head_path(log_path)
    head.unlink()
    if kind == "folder":
        head.mkdir()
    else:
        os.mkfifo(head)
    workflow = tmp_path / "workflow.json"
    workflow.write_text(json.dumps(make()))
    # In a child with a deadline: reading a FIFO that no one writes to would wait forever.
    child = subprocess.run(
        [sys.executable, "-c", NOT_A_FILE, str(log_path), str(workflow), durability],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert child.returncode == 0, child.stderr
    raised, message = child.stdout.splitlines()
    assert raised.startswith("DecisionLogError")
    assert "is damaged" in raised
    assert message == "the head file decisions.jsonl.head is damaged"
    assert log_path.read_bytes() == data


@POSIX
def test_verifying_a_log_that_is_not_a_file_exits_2_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "decisions.jsonl"
    os.mkfifo(fifo)
    cli = subprocess.run(
        [sys.executable, "-m", "aimo", "audit", "verify", str(fifo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert cli.returncode == 2
    assert "not a regular file" in cli.stderr
    assert "Traceback" not in cli.stderr


# -- what an interrupted writer leaves past the head ---------------------------------------


def _interrupted(
    log_path: Path, verdict: aimo.Verdict, kind: str, durability: str
) -> tuple[bytes, bytes]:
    """A log with 3 records and what a writer stopped mid-append leaves past the head."""
    fill(log_path, verdict, 3, durability)
    committed = snapshot(log_path)
    fill(log_path, verdict, 1, durability)
    line = log_path.read_bytes()[len(committed[0]) :]
    # The head as it was before the fourth record: its writer never got to replace it.
    head_path(log_path).write_bytes(committed[1])
    left = {
        "one-byte": line[:1],
        "half": line[: len(line) // 2],
        "all-but-the-newline": line[:-1],
        "whole-record": line,
    }[kind]
    log_path.write_bytes(committed[0] + left)
    return committed


UNFINISHED = ["one-byte", "half", "all-but-the-newline", "whole-record"]


@pytest.mark.parametrize("kind", UNFINISHED)
def test_one_unfinished_write_past_the_head_is_a_note(
    log_path: Path, verdict: aimo.Verdict, kind: str, durability: str
) -> None:
    committed = _interrupted(log_path, verdict, kind, durability)
    result = verify(log_path)
    assert result.ok, result.problems
    # The unfinished record is not part of the log: the last hash is the head's.
    assert result.records == 3
    assert result.last_hash == parse_head(committed[1])[0]["hash"]
    [note] = result.notes
    assert "Line 4" in note
    assert "the next write removes it" in note
    cli = aimo_cli("audit", "verify", log_path)
    assert cli.returncode == 0, cli.stderr
    assert "note: Line 4" in cli.stdout


@pytest.mark.parametrize("kind", UNFINISHED)
def test_the_next_append_removes_an_unfinished_write(
    log_path: Path, verdict: aimo.Verdict, kind: str, durability: str
) -> None:
    committed = _interrupted(log_path, verdict, kind, durability)
    (log_path.parent / f"{head_path(log_path).name}.0123456789abcdef.tmp").write_bytes(b"{")
    [record] = fill(log_path, verdict, 1, durability)
    assert (record["seq"], record["prev"]) == (4, parse_head(committed[1])[0]["hash"])
    # Every acknowledged record is still there, exactly as written.
    assert log_path.read_bytes().startswith(committed[0])
    assert len(records_of(log_path)) == 4
    assert_verifies(log_path, 4)
    assert temporary_files(log_path.parent) == []


def _two_records(log_path: Path, verdict: aimo.Verdict, durability: str) -> None:
    fill(log_path, verdict, 2, durability)
    old = head_path(log_path).read_bytes()
    fill(log_path, verdict, 2, durability)
    head_path(log_path).write_bytes(old)  # an older head put back


def _torn_then_record(log_path: Path, verdict: aimo.Verdict, durability: str) -> None:
    fill(log_path, verdict, 2, durability)
    old = head_path(log_path).read_bytes()
    data = log_path.read_bytes()
    fill(log_path, verdict, 1, durability)
    line = log_path.read_bytes()[len(data) :]
    log_path.write_bytes(data + line[:40] + b"\n" + line)
    head_path(log_path).write_bytes(old)


def _garbage_line(log_path: Path, verdict: aimo.Verdict, durability: str) -> None:
    fill(log_path, verdict, 2, durability)
    with log_path.open("ab") as handle:
        handle.write(b'{"seq":3,"note":"added by hand"}\n')


def _copied_record(log_path: Path, verdict: aimo.Verdict, durability: str) -> None:
    fill(log_path, verdict, 2, durability)
    with log_path.open("ab") as handle:
        handle.write(log_path.read_bytes().splitlines(keepends=True)[0])


def _record_that_does_not_chain(log_path: Path, verdict: aimo.Verdict, durability: str) -> None:
    other = log_path.with_name("other.jsonl")
    another = DecisionLog(other, caller="another pipeline", durability=durability)
    for _ in range(3):
        another.record(verdict)
    fill(log_path, verdict, 2, durability)
    with log_path.open("ab") as handle:
        handle.write(other.read_bytes().splitlines(keepends=True)[2])
    other.unlink()
    head_path(other).unlink()


NOT_ONE_UNFINISHED_WRITE = {
    "two-records": (_two_records, "record 4 was added after the head file"),
    "torn-then-record": (_torn_then_record, "not a complete record"),
    "a-line-added-by-hand": (_garbage_line, "not a decision record"),
    "a-copied-record": (_copied_record, "reordered or copied"),
    "a-record-from-another-log": (_record_that_does_not_chain, "does not follow"),
}


@pytest.mark.parametrize("kind", list(NOT_ONE_UNFINISHED_WRITE))
def test_anything_else_past_the_head_is_a_break(
    log_path: Path, verdict: aimo.Verdict, kind: str, durability: str
) -> None:
    make_it, what = NOT_ONE_UNFINISHED_WRITE[kind]
    make_it(log_path, verdict, durability)
    result = verify(log_path)
    if kind == "two-records" and durability == "batch":
        # Whole records that chain on past a head written in "batch" are exactly what a
        # power cut leaves (see test_decision_log_durability.py): a note, not a break.
        assert result.ok, result.message
        assert result.notes
        return
    assert not result.ok
    assert result.message is not None
    assert what in result.message
    assert aimo_cli("audit", "verify", log_path).returncode == 1
    # A writer will not cover it up, nor cut it away.
    before = snapshot(log_path)
    with pytest.raises(DecisionLogError, match="something other than aimo"):
        fill(log_path, verdict, 1, durability)
    assert snapshot(log_path) == before


def test_stale_temporary_head_files_are_removed(
    log_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    fill(log_path, verdict, 2, durability)
    folder = log_path.parent
    name = head_path(log_path).name
    stale = [f"{name}.0123456789abcdef.tmp", f"{name}.k3j_9x2a.tmp"]  # ours, and older ones
    for leftover in stale:
        (folder / leftover).write_text('{"format":1,"hash":"')
    kept = {
        f"{name}.tmp": "not a name aimo gives its temporary files",
        "other.jsonl.head.0123456789abcdef.tmp": "another log's",
        f"{name}.2.head.0123456789abcdef.tmp": "the log decisions.jsonl.head.2's",
        f"{name}.abcdefgh.tmp": "x" * 10_000,  # too long to be a head
    }
    for leftover, text in kept.items():
        (folder / leftover).write_text(text)
    fill(log_path, verdict, 1, durability)
    assert temporary_files(folder) == sorted(kept)
    assert_verifies(log_path, 3)


# -- writers killed at random moments --------------------------------------------------------


def _start_writer(
    log_path: Path, verdict: aimo.Verdict, acks: Path, stop: Path, durability: str
) -> int:
    """A process that appends in a tight loop and writes down each acknowledged record."""
    pid = os.fork()
    if pid:
        return pid
    code = 1  # the child: never return into the test runner
    out = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        log = DecisionLog(log_path, caller=f"writer {os.getpid()}", durability=durability)
        while not stop.exists():
            record = log.record(verdict)
            # One write per line: a kill cannot split it.
            os.write(out, f"{record['seq']} {record['hash']}\n".encode())
        code = 0
    except BaseException as exc:  # reported through the acks file and the exit code
        os.write(out, f"error {exc!r}\n".encode())
    finally:
        os._exit(code)


def _acks(path: Path) -> list[str]:
    """The complete lines written so far."""
    data = path.read_bytes() if path.exists() else b""
    return data.decode().split("\n")[:-1]


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + 60  # against a hang, not a timing assertion
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_writers_killed_at_random_moments_lose_no_acknowledged_record(
    log_path: Path, tmp_path: Path, verdict: aimo.Verdict, durability: str
) -> None:
    rng = random.Random(1127)  # noqa: S311 (when to kill, not a secret)
    acknowledged: dict[int, str] = {}
    for round_ in range(20):
        stop = tmp_path / f"stop-{round_}"
        acks = [tmp_path / f"acks-{round_}-{n}" for n in range(3)]
        pids = [_start_writer(log_path, verdict, a, stop, durability) for a in acks]
        try:
            # Every writer is appending; then one is killed at a random moment.
            _wait_for(lambda: all(map(_acks, acks)), "the writers did not start")  # noqa: B023
            time.sleep(rng.uniform(0, 0.004))
            victim = rng.randrange(3)
            os.kill(pids[victim], signal.SIGKILL)
            _, status = os.waitpid(pids[victim], 0)
            assert os.WIFSIGNALED(status)
            # The others append past whatever the killed writer left.
            others = [a for n, a in enumerate(acks) if n != victim]
            counts = [len(_acks(a)) for a in others]
            _wait_for(
                lambda: all(len(_acks(a)) > c for a, c in zip(others, counts, strict=True)),  # noqa: B023
                "the other writers stopped appending",
            )
            stop.touch()
            for n, pid in enumerate(pids):
                if n != victim:
                    _, status = os.waitpid(pid, 0)
                    assert os.waitstatus_to_exitcode(status) == 0, _acks(acks[n])[-1:]
        finally:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
        for a in acks:
            for ack in _acks(a):
                seq, digest = ack.split(" ")
                acknowledged[int(seq)] = digest

    cli = aimo_cli("audit", "verify", log_path)
    assert cli.returncode == 0, cli.stderr
    written = {r["seq"]: r["hash"] for r in records_of(log_path)}
    lost = {seq for seq, digest in acknowledged.items() if written.get(seq) != digest}
    assert lost == set()
    # The next append cleans up whatever the last killed writer left.
    committed = verify(log_path).records
    fill(log_path, verdict, 1, durability)
    assert_verifies(log_path, committed + 1)
    assert sorted(p.name for p in log_path.parent.iterdir()) == [
        log_path.name,
        head_path(log_path).name,
    ]
