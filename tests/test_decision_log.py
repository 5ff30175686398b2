"""The decision log: what a record holds, the hash chain, tampering, torn writes, concurrency.

Every test whose promise holds in each durability mode runs in each.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._audit.log import DecisionLog, DecisionLogError
from aimo._audit.records import GENESIS, head_path, parse_head, read_head, record_hash
from aimo._audit.verify import verify
from aimo._cli.audit import verify_log
from aimo._documents.run import Run
from aimo._version import __version__
from conftest import TODAY, make

AT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
GA4 = "ga4_weekly_export"
SECRET = "Secret launch codename Bluebird, guaranteed"  # noqa: S105 (output, not a password)


def canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


MODES = ["record", "batch", "none"]


def fill(path: Path, count: int = 6, **options: Any) -> DecisionLog:
    """A log with ``count`` records, alternately allowed and denied, all synced (a writer
    that is done closes its log)."""
    log = DecisionLog(path, caller="test", **options)
    engine = aimo.Engine(plugins=[log], entry_points=False)
    for index in range(count):
        output = "All channels steady." if index % 2 == 0 else SECRET
        engine.evaluate(make(), today=TODAY, run=Run(inputs=[GA4], output=output, at=AT))
    log.close()
    return log


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"".join(line + b"\n" for line in lines))


def cli(path: Path | str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = verify_log(str(path), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "decisions.jsonl"


@pytest.fixture(params=MODES)
def durability(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- what a record holds ------------------------------------------------------------------


def test_a_record_holds_digests_not_the_document_or_the_output(
    log_path: Path, engine: aimo.Engine, durability: str
) -> None:
    log = DecisionLog(log_path, caller="email-pipeline", durability=durability)
    logged = aimo.Engine(plugins=[log], entry_points=False)
    run = Run(inputs=[GA4, "crm_contacts"], output=SECRET, at=AT)
    verdict = logged.evaluate(make(), today=TODAY, run=run)
    [record] = read(log_path)
    assert record["workflow_id"] == "weekly-channel-summary"
    assert record["stage"] == "production"
    assert record["decision"] == "deny"
    assert record["digest"] == verdict.digest
    assert record["run"] == run.digest
    assert record["evaluated_at"] == verdict.evaluated_at.isoformat()
    assert record["failures"] == [
        {"policy_id": "run-inputs-approved", "outcome": "fail", "path": "/run/inputs/1"},
        {"policy_id": "run-output-meets-standard", "outcome": "fail", "path": "/run/output"},
    ]
    assert record["caller"] == "email-pipeline"
    assert record["aimo"] == __version__
    assert record["policy_set"]["count"] == len(engine.policy_set)
    assert record["policy_set"]["sources"] == {"aimo": __version__, "marketing": "1.0"}
    assert len(record["policy_set"]["digest"]) == 64
    assert (record["seq"], record["prev"]) == (1, GENESIS)
    text = log_path.read_text()
    for sensitive in ("Bluebird", "guaranteed", "crm_contacts", "Dana Lee", "banned phrase"):
        assert sensitive not in text


def test_the_policy_set_digest_changes_with_the_policies(log_path: Path, durability: str) -> None:
    fill(log_path, 1, durability=durability)
    config = {"disable": ["governance-proportional"]}
    log = DecisionLog(log_path, durability=durability)
    aimo.Engine(plugins=[log], config=config, entry_points=False).evaluate(make(), today=TODAY)
    first, second = read(log_path)
    assert first["policy_set"]["digest"] != second["policy_set"]["digest"]
    assert second["policy_set"]["count"] == first["policy_set"]["count"] - 1


def test_the_whole_verdict_is_kept_only_when_asked(log_path: Path, durability: str) -> None:
    log = DecisionLog(log_path, include_verdict=True, durability=durability)
    engine = aimo.Engine(plugins=[log], entry_points=False)
    verdict = engine.evaluate(make(), today=TODAY, run=Run(output=SECRET, at=AT))
    [record] = read(log_path)
    assert record["verdict"] == verdict.to_dict()
    assert aimo.Verdict.model_validate(record["verdict"]) == verdict
    assert verify(log_path).ok


def test_the_default_caller_is_the_program_and_process(log_path: Path, durability: str) -> None:
    log = DecisionLog(log_path, durability=durability)
    aimo.Engine(plugins=[log], entry_points=False).evaluate(make(), today=TODAY)
    [record] = read(log_path)
    assert record["caller"].endswith(f"(pid {os.getpid()})")


def test_records_can_be_written_without_an_engine_hook(
    log_path: Path, engine: aimo.Engine, durability: str
) -> None:
    run = Run(inputs=[GA4], at=AT)
    verdict = engine.evaluate(make(), today=TODAY, run=run)
    record = DecisionLog(log_path, durability=durability).record(verdict, run=run)
    assert read(log_path) == [record]
    assert record["run"] == run.digest


def test_a_log_that_cannot_write_raises_from_evaluate(tmp_path: Path, durability: str) -> None:
    # The path is a folder: no record can be written, and that must not pass unnoticed.
    engine = aimo.Engine(plugins=[DecisionLog(tmp_path, durability=durability)], entry_points=False)
    with pytest.raises(DecisionLogError, match="cannot be opened for writing"):
        engine.evaluate(make(), today=TODAY)


# -- the chain ------------------------------------------------------------------------------


def test_each_record_carries_the_previous_hash(log_path: Path, durability: str) -> None:
    fill(log_path, 5, durability=durability)
    records = read(log_path)
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert [r["prev"] for r in records] == [GENESIS] + [r["hash"] for r in records[:-1]]
    for raw, record in zip(lines_of(log_path), records, strict=True):
        assert record["hash"] == record_hash(record)
        assert raw == canonical(record)
    last = {"seq": 5, "hash": records[-1]["hash"], "size": log_path.stat().st_size}
    head = read_head(head_path(log_path))
    if durability == "batch":  # a closed log: its last record is on disk, and the head says so
        assert head == {"format": 1, **last, "synced": last}
    else:
        assert head == {"format": 1, **last}
    if durability == "record":  # one line of canonical JSON, replaced at each append
        assert head_path(log_path).read_bytes() == canonical(head) + b"\n"


def test_an_intact_log_verifies(log_path: Path, durability: str) -> None:
    fill(log_path, 6, durability=durability)
    result = verify(log_path)
    assert result.ok
    assert (result.records, result.line, result.message) == (6, None, None)
    assert result.last_hash == read(log_path)[-1]["hash"]
    code, out, err = cli(log_path)
    assert (code, err) == (0, "")
    assert "intact: 6 records" in out


def test_an_empty_log_verifies(log_path: Path) -> None:
    log_path.touch()
    assert verify(log_path).ok
    assert cli(log_path)[0] == 0


def test_a_log_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    code, _, err = cli(tmp_path / "missing.jsonl")
    assert code == 2
    assert "cannot read" in err
    assert cli(tmp_path)[0] == 2


# -- tampering --------------------------------------------------------------------------------


def _edit(lines: list[bytes]) -> list[bytes]:
    record = json.loads(lines[2])
    record["caller"] = "someone else"
    lines[2] = canonical(record)
    return lines


def _edit_and_rehash(lines: list[bytes]) -> list[bytes]:
    record = json.loads(lines[2])
    record["caller"] = "someone else"
    record["hash"] = record_hash(record)
    lines[2] = canonical(record)
    return lines


def _reformat(lines: list[bytes]) -> list[bytes]:
    lines[1] = json.dumps(json.loads(lines[1]), sort_keys=True).encode()
    return lines


def _duplicate_key(lines: list[bytes]) -> list[bytes]:
    # A reader that keeps the first of two keys would see "allow"; the hash sees the last.
    assert json.loads(lines[3])["decision"] == "deny"
    lines[3] = lines[3].replace(b"{", b'{"decision":"allow",', 1)
    return lines


def _forge_last(lines: list[bytes]) -> list[bytes]:
    record = json.loads(lines[-1])
    assert record["decision"] == "deny"
    record["decision"] = "allow"
    record["hash"] = record_hash(record)
    lines[-1] = canonical(record)
    return lines


TAMPERING: dict[str, tuple[Callable[[list[bytes]], list[bytes]], int, str]] = {
    "edit": (_edit, 3, "record 3 was changed after it was written"),
    "edit-and-rehash": (_edit_and_rehash, 4, "record 4 does not follow the record before it"),
    "reformat": (_reformat, 2, "the line is not exactly what aimo wrote"),
    "duplicate-key": (_duplicate_key, 4, "record 4 was changed after it was written"),
    "forge-the-last": (_forge_last, 6, "does not match the hash in the head file"),
    "delete": (lambda ls: ls[:2] + ls[3:], 3, "expected record 3 but found record 4"),
    "delete-first": (lambda ls: ls[1:], 1, "expected record 1 but found record 2"),
    "delete-two": (lambda ls: ls[:1] + ls[3:], 2, "2 records before this line were deleted"),
    "reorder": (lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], 2, "found record 3"),
    "copy": (lambda ls: [*ls[:3], ls[1], *ls[3:]], 4, "records were reordered or copied"),
    "truncate": (lambda ls: ls[:4], 5, "the last 2 records were deleted"),
    "truncate-all": (lambda ls: [], 1, "the log ends at record 0, but 6 records were written"),
    "blank-line": (lambda ls: [*ls[:2], b"", *ls[2:]], 3, "an empty line"),
    "garbage": (lambda ls: [*ls[:4], b"not json", *ls[4:]], 5, "not a complete record"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_detected_at_the_right_line(
    log_path: Path, kind: str, durability: str
) -> None:
    fill(log_path, 6, durability=durability)
    tamper, line, what = TAMPERING[kind]
    write_lines(log_path, tamper(lines_of(log_path)))
    result = verify(log_path)
    assert not result.ok
    assert result.line == line, result.problems
    assert result.message is not None
    assert what in result.message
    code, out, err = cli(log_path)
    assert (code, out) == (1, "")
    assert err.startswith(f"{log_path}: line {line}: {result.message}\n")
    assert f"the {line - 1} line" in err


def test_a_truncation_inside_the_last_line_is_a_torn_record(
    log_path: Path, durability: str
) -> None:
    fill(log_path, 6, durability=durability)
    data = log_path.read_bytes()
    log_path.write_bytes(data[:-40])
    result = verify(log_path)
    assert (result.line, result.records) == (6, 5)
    assert result.message is not None
    assert "incomplete" in result.message


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_the_head_file_is_needed(log_path: Path, damage: str, durability: str) -> None:
    fill(log_path, 3, durability=durability)
    head = head_path(log_path)
    if damage == "delete":
        head.unlink()
    else:
        head.write_text("{")
    result = verify(log_path)
    assert result.line == 4
    assert result.message is not None
    assert "head file" in result.message
    with pytest.raises(DecisionLogError, match="head file"):
        fill(log_path, 1, durability=durability)


# With "batch", an older head put back looks like a power cut that lost the head's last
# updates: see test_decision_log_durability.py.
@pytest.mark.parametrize("durability", ["record", "none"])
def test_an_old_head_file_is_detected(log_path: Path, durability: str) -> None:
    fill(log_path, 2, durability=durability)
    old = head_path(log_path).read_bytes()
    fill(log_path, 3, durability=durability)
    head_path(log_path).write_bytes(old)
    result = verify(log_path)
    assert result.line == 4
    assert result.message is not None
    assert "record 4 was added after the head file was last updated" in result.message


def test_a_writer_will_not_cover_up_a_cut_log(log_path: Path, durability: str) -> None:
    fill(log_path, 4, durability=durability)
    write_lines(log_path, lines_of(log_path)[:2])
    with pytest.raises(DecisionLogError, match="cut from its end"):
        fill(log_path, 1, durability=durability)
    assert len(lines_of(log_path)) == 2
    # Replacing the cut records with fewer, longer ones does not fool it either.
    fill(log_path.with_name("other.jsonl"), 1, durability=durability)
    log_path.unlink()
    with pytest.raises(DecisionLogError):
        fill(log_path, 1, durability=durability)


def test_moving_both_files_aside_starts_a_new_log(
    log_path: Path, tmp_path: Path, durability: str
) -> None:
    fill(log_path, 2, durability=durability)
    shutil.move(log_path, tmp_path / "old.jsonl")
    shutil.move(head_path(log_path), tmp_path / "old.jsonl.head")
    fill(log_path, 1, durability=durability)
    assert verify(log_path).records == 1
    assert verify(tmp_path / "old.jsonl").records == 2


# -- interrupted writes -----------------------------------------------------------------------


def test_a_torn_record_is_noted_and_the_next_write_removes_it(
    log_path: Path, durability: str
) -> None:
    fill(log_path, 3, durability=durability)
    intact = read(log_path)
    torn = canonical({**intact[-1], "seq": 4})[:57]
    with log_path.open("ab") as handle:
        handle.write(torn)  # a crash mid-write: no newline, and no head update
    result = verify(log_path)
    assert (result.ok, result.records, result.last_hash) == (True, 3, intact[-1]["hash"])
    assert result.notes == (
        "Line 4 is an unfinished write: its writer stopped before the record was complete "
        "(a crash, a full disk or a file size limit). It is not part of the log, and the "
        "next write removes it.",
    )
    code, out, _ = cli(log_path)
    assert code == 0
    assert "note: Line 4 is an unfinished write" in out

    fill(log_path, 2, durability=durability)
    raw = lines_of(log_path)
    assert len(raw) == 5  # the torn line is gone: every line is a whole record
    after = [json.loads(line) for line in raw[3:]]
    assert [r["seq"] for r in after] == [4, 5]
    assert after[0]["prev"] == intact[-1]["hash"]
    result = verify(log_path)
    assert (result.ok, result.records, result.notes) == (True, 5, ())


def test_a_long_torn_tail_is_removed(log_path: Path, durability: str) -> None:
    fill(log_path, 2, durability=durability)
    last = read(log_path)[-1]
    with log_path.open("ab") as handle:
        handle.write(b'{"seq":3,' + b"x" * 200_000)
    fill(log_path, 1, durability=durability)
    record = json.loads(lines_of(log_path)[-1])
    assert (record["seq"], record["prev"]) == (3, last["hash"])
    assert b"xxx" not in log_path.read_bytes()
    result = verify(log_path)
    assert (result.ok, result.records, result.notes) == (True, 3, ())


def test_a_run_that_cannot_be_read_is_refused_and_nothing_is_logged(
    log_path: Path, durability: str
) -> None:
    engine = aimo.Engine(plugins=[DecisionLog(log_path, durability=durability)], entry_points=False)
    with pytest.raises(TypeError):
        engine.evaluate(make(), today=TODAY, run=["crm_contacts"])
    assert not log_path.exists() or read(log_path) == []


def test_a_record_the_head_does_not_name_is_a_note_and_the_next_write_drops_it(
    log_path: Path, durability: str
) -> None:
    fill(log_path, 2, durability=durability)
    old = head_path(log_path).read_bytes()
    fill(log_path, 1, durability=durability)
    head_path(log_path).write_bytes(old)  # the crash came between the record and the head
    unacknowledged = read(log_path)[-1]
    result = verify(log_path)
    assert (result.ok, result.records) == (True, 2)
    assert result.last_hash == parse_head(old)[0]["hash"]
    assert result.notes == (
        "Line 3 holds record 3, but its writer stopped before recording it in the head file "
        "decisions.jsonl.head: it is not part of the log, and the next write removes it.",
    )
    code, out, _ = cli(log_path)
    assert code == 0
    assert "note: Line 3 holds record 3" in out
    DecisionLog(log_path, caller="next", durability=durability).record(
        aimo.Engine(entry_points=False).evaluate(make())
    )
    records = read(log_path)
    assert [r["caller"] for r in records] == ["test", "test", "next"]
    assert unacknowledged["hash"] not in {r["hash"] for r in records}
    result = verify(log_path)
    assert (result.ok, result.records, result.notes) == (True, 3, ())


# -- concurrency ------------------------------------------------------------------------------


def test_threads_appending_keep_the_chain(log_path: Path, durability: str) -> None:
    shared = DecisionLog(log_path, caller="shared", durability=durability)
    engines = [
        aimo.Engine(plugins=[log], entry_points=False)
        for log in (shared, shared, DecisionLog(log_path, caller="own", durability=durability))
    ]
    errors: list[BaseException] = []

    def work(engine: aimo.Engine) -> None:
        try:
            for _ in range(60):
                engine.evaluate(make(), today=TODAY)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(e,)) for e in engines * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(log_path)
    assert (result.ok, result.records) == (True, 360)
    assert Counter(r["caller"] for r in read(log_path)) == {"shared": 240, "own": 120}


CHILD = textwrap.dedent(
    """
    import datetime as dt, json, os, sys, time
    from pathlib import Path

    import aimo
    from aimo._audit.log import DecisionLog
    from aimo._documents.run import Run

    log, folder, name, count, durability = sys.argv[1:6]
    folder = Path(folder)
    logged = DecisionLog(log, caller=name, durability=durability)
    engine = aimo.Engine(plugins=[logged], entry_points=False)
    workflow = json.loads((folder / "workflow.json").read_text())
    today = dt.date(2026, 11, 27)
    (folder / f"ready-{name}").touch()
    deadline = time.monotonic() + 60
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    for index in range(int(count)):
        run = Run(inputs=["ga4_weekly_export"], output=f"{name} draft {index}")
        engine.evaluate(workflow, today=today, run=run)
    """
)


def test_processes_appending_lose_no_record(
    log_path: Path, tmp_path: Path, durability: str
) -> None:
    (tmp_path / "workflow.json").write_text(json.dumps(make()))
    names = [f"worker-{n}" for n in range(4)]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(log_path), str(tmp_path), name, "500", durability],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name in names
    ]
    try:
        # Start the appends together, once every process has imported aimo.
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"ready-{n}").exists() for n in names):
            assert time.monotonic() < deadline, "the workers did not start"
            assert all(c.poll() is None for c in children), [c.communicate() for c in children]
            time.sleep(0.01)
        (tmp_path / "go").touch()
        # Checking the log while it grows sees a consistent log, never a half-written record.
        while any(c.poll() is None for c in children):
            if not log_path.exists():
                continue
            during = verify(log_path)
            assert during.ok, during.problems
            assert during.notes == ()
            time.sleep(0.02)
        for child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err.decode()
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    result = verify(log_path)
    assert (result.ok, result.records, result.problems) == (True, 2000, ())
    records = read(log_path)
    assert [r["seq"] for r in records] == list(range(1, 2001))
    assert Counter(r["caller"] for r in records) == dict.fromkeys(names, 500)
    assert read_head(head_path(log_path)) is not None
    assert read_head(head_path(log_path))["seq"] == 2000


# -- found in review ------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_fork_while_the_log_is_locked_does_not_freeze_logging(
    log_path: Path, durability: str
) -> None:
    log = fill(log_path, 1, durability=durability)
    with log._locked():
        pid = os.fork()
        if pid == 0:  # the child: it must be able to log once the parent lets go
            try:
                fill(log_path, 1, durability=durability)
            finally:
                os._exit(0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the child could not log after the parent released the lock")
    assert os.waitstatus_to_exitcode(status) == 0
    fill(log_path, 1, durability=durability)  # and the parent still can
    assert verify(log_path).ok
    assert len(read(log_path)) == 3


def test_a_line_nested_too_deep_is_reported_at_its_line(log_path: Path, durability: str) -> None:
    fill(log_path, 3, durability=durability)
    lines = lines_of(log_path)
    lines[2] = b"[" * 100_000 + b"]" * 100_000
    write_lines(log_path, lines)
    code, _, err = cli(log_path)
    assert code == 1
    assert "line 3" in err


def test_a_damaged_head_file_is_reported_not_crashed_on(log_path: Path, durability: str) -> None:
    fill(log_path, 2, durability=durability)
    head_path(log_path).write_bytes(b"\xff\xfe")
    code, _, err = cli(log_path)
    assert code == 1
    assert "Traceback" not in err
    with pytest.raises(DecisionLogError):
        fill(log_path, 1, durability=durability)


def test_the_head_is_not_written_through_a_planted_symlink(tmp_path: Path, durability: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    log_path = tmp_path / "decisions.jsonl"
    (tmp_path / "decisions.jsonl.head.tmp").symlink_to(victim)
    fill(log_path, 2, durability=durability)
    assert victim.read_text() == "precious"
    assert verify(log_path).ok
