"""How the decision log fails: loudly, without hanging, and never at the cost of a record
that was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import aimo
from aimo._decision_log import DecisionLog, head_path
from conftest import TODAY, make

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")


@pytest.fixture(scope="module")
def verdict() -> aimo.Verdict:
    return aimo.Engine(entry_points=False).evaluate(make(), today=TODAY)


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder / "decisions.jsonl"


def fill(path: Path, verdict: aimo.Verdict, count: int) -> list[dict[str, Any]]:
    log = DecisionLog(path, caller="test")
    return [log.record(verdict) for _ in range(count)]


# -- a head or log that is not a regular file -------------------------------------------

NOT_A_FILE = textwrap.dedent(
    """
    import datetime as dt, json, sys

    import aimo
    from aimo._decision_log import DecisionLog, DecisionLogError, verify

    log_path, workflow = sys.argv[1:3]
    engine = aimo.Engine(entry_points=False)
    verdict = engine.evaluate(json.loads(open(workflow).read()), today=dt.date(2026, 11, 27))
    try:
        DecisionLog(log_path).record(verdict)
    except DecisionLogError as exc:
        print("DecisionLogError", exc)
    print(verify(log_path).message)
    """
)


@POSIX
@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_head_that_is_not_a_file_stops_the_append_without_hanging(
    log_path: Path, tmp_path: Path, verdict: aimo.Verdict, kind: str
) -> None:
    fill(log_path, verdict, 2)
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
        [sys.executable, "-c", NOT_A_FILE, str(log_path), str(workflow)],
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
