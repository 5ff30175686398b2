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


# -- which files a model claims ----------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        'id: broken\nname: "C:\\\\exports" : oops\n',  # a backslash: read in the first pass
        "id: broken\nname: aimo export : oops\n",  # the word aimo: read in the first pass
        "id: broken\nname: export : oops\n",  # neither
        '{"id": "broken", "name": "C:\\\\exports",}',
    ],
    ids=["backslash", "aimo", "plain", "json"],
)
def test_a_broken_workflow_file_of_a_model_is_refused_whatever_it_spells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, broken: str
) -> None:
    # Whether a broken file happened to hold a backslash decided whether the run stopped
    # on it (exit 2) or its model refused it (exit 1).
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    suffix = ".json" if broken.startswith("{") else ".yaml"
    (tmp_path / "workflows" / f"broken{suffix}").write_text(broken)
    (tmp_path / "model.yaml").write_text("aimo: 1\nworkflow_files: [workflows/*]\n")
    code, out, err = _cli(capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl")
    assert (code, err) == (1, "")
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [(v["workflow_id"], v["decision"]) for v in verdicts] == [
        ("good", "allow"),
        ("#1", "deny"),
    ]
    # Named on its own, it is bad input, as any broken file named on its own is.
    code, _, err = _cli(capsys, "check", tmp_path, tmp_path / "workflows" / f"broken{suffix}")
    assert code == 2
    assert f"broken{suffix}" in err


@pytest.mark.parametrize(
    "model",
    [
        "organization: Acme\nworkflow_files: [workflows/*.json]\n",
        '{"organization": "Acme", "workflow_files": ["workflows/*.json"]}',
        "tiers: {}\nworkflow_files: [workflows/*.json]\n",
        "workflow_files: [workflows/*.json]\n",
    ],
    ids=["yaml", "json", "another field", "workflow_files alone"],
)
def test_a_model_without_its_aimo_line_still_claims_its_workflow_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: str
) -> None:
    # `aimo: 1` is the default: a model may leave it out. Its workflow files were judged
    # twice, once with it and once on their own against the default model.
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    name = "model.json" if model.startswith("{") else "model.yaml"
    (tmp_path / name).write_text(model)
    code, out, err = _cli(capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl")
    assert (code, err) == (0, "")
    assert _judged(out) == [(name, "good")]


@pytest.mark.parametrize(
    "description",
    ["our aimo brand rules", '"kept in C:\\\\packs"', "applies to organization-wide copy"],
    ids=["aimo", "backslash", "a field of models"],
)
def test_a_pack_in_a_folder_is_passed_over_whatever_its_text_spells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, description: str
) -> None:
    # A pack sits beside the models that list it. One whose text the first pass read (it
    # mentions aimo) was taken for an operating model, and its fields were problems.
    (tmp_path / "pack.yaml").write_text(
        f"pack: brand\nversion: '1'\ndescription: {description}\npolicies:\n"
        "  - {id: brand-x, title: X, message: m, require: {required: [name]}}\n"
    )
    (tmp_path / "w.json").write_text(json.dumps(GOOD))
    code, out, err = _cli(capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl")
    assert (code, err) == (0, "")
    assert _judged(out) == [("w.json", "good")]
