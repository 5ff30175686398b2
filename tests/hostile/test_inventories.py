"""What a hostile folder, document or careless script can do to a run over an inventory:
never change which workflows are judged, nor make the run's cost grow faster than its
input (spec 5.1, 5.2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aimo._cli.main import main
from aimo._errors import Problem
from conftest import make

GOOD = make({"id": "good"})


def _cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _judged(out: str) -> list[tuple[str, str]]:
    """(file name, workflow id) of each line of ``--format jsonl``."""
    return [(Path(v["file"]).name, v["workflow_id"]) for v in map(json.loads, out.splitlines())]


# -- the problems of many files ----------------------------------------------------------------


def test_many_unreadable_files_cost_a_run_in_proportion_to_their_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each problem was compared with every one reported before it, to report it once:
    # 20,000 junk files in a folder took 22 seconds instead of one.
    files = 1_000
    for n in range(files):
        (tmp_path / f"junk-{n}.yaml").write_text("[]\n")
    compared = 0
    equal = Problem.__eq__

    def counting(self: Problem, other: Any) -> Any:
        nonlocal compared
        compared += 1
        return equal(self, other)

    monkeypatch.setattr(Problem, "__eq__", counting)
    code, _, err = _cli(capsys, "check", tmp_path, "--format", "jsonl")
    assert code == 2
    assert len(err.splitlines()) == files
    assert compared < files
