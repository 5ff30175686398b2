"""What a hostile folder, document or careless script can do to a run over an inventory:
never change which workflows are judged, nor make the run's cost grow faster than its
input (spec 5.1, 5.2)."""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from aimo._errors import Problem
from conftest import DECISIONS, TODAY, make, run_cli

GOOD = make({"id": "good"})


def _judged(out: str) -> list[tuple[str, str]]:
    """(file name, workflow id) of each workflow's line of ``--format jsonl``."""
    rows = map(json.loads, out.splitlines())
    return [(Path(v["file"]).name, v["workflow_id"]) for v in rows if v["scope"] == "workflow"]


def _models(out: str) -> list[tuple[str, str]]:
    """(file name, decision) of each operating model's own line of ``--format jsonl``."""
    rows = map(json.loads, out.splitlines())
    return [(Path(v["file"]).name, v["decision"]) for v in rows if v["scope"] == "model"]


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
    code, _, err = run_cli(capsys, "check", tmp_path, "--format", "jsonl")
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
    (tmp_path / "model.yaml").write_text(
        f"aimo: 1\ndecisions: {json.dumps(DECISIONS)}\nworkflow_files: [workflows/*]\n"
    )
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl"
    )
    assert (code, err) == (1, "")
    verdicts = [json.loads(line) for line in out.splitlines()]
    assert [(v["workflow_id"], v["decision"]) for v in verdicts] == [
        (str(tmp_path / "model.yaml"), "allow"),
        ("good", "allow"),
        ("#1", "deny"),
    ]
    # Named on its own, it is bad input, as any broken file named on its own is.
    code, _, err = run_cli(capsys, "check", tmp_path, tmp_path / "workflows" / f"broken{suffix}")
    assert code == 2
    assert f"broken{suffix}" in err


@pytest.mark.parametrize(
    "paths",
    [
        ["w.json", "w.json"],
        ["w.json", "./w.json", "sub/../w.json"],
        ["w.json", "."],
        [".", "w.json"],
        [".", "."],
        [".", "sub"],
        ["sub", "."],
        ["model.json", "."],
        ["link.json", "w.json"],
    ],
    ids=lambda paths: " ".join(paths),
)
def test_a_file_given_twice_is_judged_once(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    paths: list[str],
) -> None:
    # Paths that overlap (a folder and a file in it, a folder and one inside it, a shell
    # glob and its folder) judged each file once per mention: the counts, the roll-up and
    # the exit code spoke of workflows that were never there.
    (tmp_path / "sub").mkdir()
    (tmp_path / "w.json").write_text(json.dumps(GOOD | {"id": "w"}))
    (tmp_path / "link.json").symlink_to(tmp_path / "w.json")
    (tmp_path / "sub" / "s.json").write_text(json.dumps(GOOD | {"id": "s"}))
    _inventory(tmp_path / "m", [GOOD | {"id": "m"}])
    (tmp_path / "model.json").symlink_to(tmp_path / "m" / "model.json")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "check", *paths, "--today", "2026-11-27", "--format", "jsonl")
    assert (code, err) == (0, "")
    judged = [workflow for _, workflow in _judged(out)]
    assert sorted(judged) == sorted(set(judged))
    assert len(_models(out)) <= 1


def test_a_pack_named_and_in_a_folder_given_too_is_a_mistake_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pack.yaml").write_text("pack: p\nversion: '1'\npolicies: []\n")
    (tmp_path / "w.json").write_text(json.dumps(GOOD))
    monkeypatch.chdir(tmp_path)
    for paths in ([".", "pack.yaml"], ["pack.yaml", "."]):
        code, _, err = run_cli(capsys, "check", *paths, "--today", "2026-11-27")
        assert code == 2
        assert err.count("policy pack") == 1


#: A model that is bad input, by what is wrong with it, and the options that make it so.
BROKEN_MODELS = {
    "a field": ("organization: 7\nworkflow_files: [workflows/*.json]\n", ()),
    "over the file limit": (
        "workflow_files: [workflows/*.json]\n",
        ("--max-workflow-files", "2"),
    ),
    "a pattern outside its folder": (
        "workflow_files: [workflows/*.json, ../elsewhere/*.json]\n",
        (),
    ),
    "a pattern that is no text": ("workflow_files: [workflows/*.json, 7]\n", ()),
    "its policies": (
        "policies: {enforcement: {owner-named: off}}\nworkflow_files: [workflows/*.json]\n",
        (),
    ),
}


@pytest.mark.parametrize(("model", "options"), BROKEN_MODELS.values(), ids=BROKEN_MODELS)
def test_the_workflow_files_of_a_broken_model_are_not_judged_without_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: str, options: tuple[str, ...]
) -> None:
    # A model that was bad input (exit 2) lost its claim on its workflow files, which were
    # then judged against the default model: allow verdicts, and decision log records, for
    # workflows whose own model's rules were never applied.
    folder = tmp_path / "team"
    (folder / "workflows").mkdir(parents=True)
    for n in range(3):
        (folder / "workflows" / f"{n}.json").write_text(json.dumps(GOOD | {"id": f"w{n}"}))
    (tmp_path / "elsewhere").mkdir()
    (folder / "model.yaml").write_text(f"aimo: 1\ndecisions: {json.dumps(DECISIONS)}\n{model}")
    (tmp_path / "loose.json").write_text(json.dumps(GOOD | {"id": "loose"}))
    args = ("check", tmp_path, "--today", "2026-11-27", "--format", "jsonl", *options)
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert "model.yaml" in err
    assert _judged(out) == [("loose.json", "loose")]


#: Workflow files a model lists that cannot be judged, by what is wrong with them.
UNJUDGED_FILES = {
    "not YAML": ("broken.yaml", b"id: broken\nname: x: y\n"),
    "not JSON": ("broken.json", b'{"id": "broken",}'),
    "not UTF-8": ("broken.json", b"\xff\xfe\x00"),
    "empty": ("broken.yaml", b""),
    "a list": ("broken.yaml", b"- 1\n- 2\n"),
    "text": ("broken.yaml", b"just text\n"),
    "too large": ("broken.yaml", b"id: broken\nx-a: '" + b"a" * 5_000 + b"'\n"),
    "not a workflow": ("broken.yaml", b"id: broken\nstage: 7\n"),
}


@pytest.mark.parametrize(("name", "content"), UNJUDGED_FILES.values(), ids=UNJUDGED_FILES)
def test_the_table_names_the_file_of_every_workflow_it_could_not_judge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes
) -> None:
    # A file the parser could give no line for (not UTF-8, empty, not a mapping) was shown
    # by its place in the list alone, "#1": the table gave a location only with a line.
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "workflows" / name).write_bytes(content)
    (tmp_path / "model.yaml").write_text(
        f"aimo: 1\ndecisions: {json.dumps(DECISIONS)}\nworkflow_files: [workflows/*]\n"
    )
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--max-document-bytes", "4000"
    )
    assert (code, err) == (1, "")
    [refused] = [line for line in out.splitlines() if "ERROR document-valid" in line]
    assert f"({tmp_path / 'workflows' / name}" in refused


@pytest.mark.parametrize(("name", "content"), UNJUDGED_FILES.values(), ids=UNJUDGED_FILES)
def test_the_report_names_the_file_of_every_workflow_it_could_not_judge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: bytes
) -> None:
    # The report gave a refused workflow file only its place in the model's list, "#1",
    # and no location at all: the meeting that reads it could not tell which file to fix.
    (tmp_path / "workflows").mkdir()
    (tmp_path / "workflows" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "workflows" / name).write_bytes(content)
    (tmp_path / "model.yaml").write_text(
        f"aimo: 1\ndecisions: {json.dumps(DECISIONS)}\nworkflow_files: [workflows/*]\n"
        f"workflows: [{json.dumps(GOOD | {'id': 'inline'})}, {{id: inline-bad}}]\n"
    )
    options = ("--today", "2026-11-27", "--max-document-bytes", "4000")
    code, out, err = run_cli(capsys, "report", tmp_path / "model.yaml", *options)
    assert (code, err) == (1, "")
    blocked = [line for line in out.splitlines() if line.startswith("- **")]
    file = tmp_path / "workflows" / name
    [named] = [line for line in blocked if str(file) in line]
    assert named.endswith(f"** (file: {file})")
    code, out, _ = run_cli(capsys, "report", tmp_path / "model.yaml", *options, "--format", "json")
    [section] = json.loads(out)["sections"]
    # An inline workflow is in the model's own file, which the section names already.
    refused = {w["id"]: w["file"] for w in section["workflows"] if w["decision"] == "deny"}
    assert refused == {"inline-bad": None, "broken" if b"stage" in content else "#3": str(file)}


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
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl"
    )
    # The model is judged as a whole too, and denied: it writes down none of its decisions.
    assert (code, err) == (1, "")
    assert _models(out) == [(name, "deny")]
    assert _judged(out) == [(name, "good")]


# -- what a refused row says about itself ----------------------------------------------------


def _inventory(folder: Path, rows: list[Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.json"
    # ASCII-escaped, as many exports write it: a lone surrogate is then a \ud800 escape.
    path.write_text(
        json.dumps({"aimo": 1, "organization": "Acme", "decisions": DECISIONS, "workflows": rows})
    )
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "sarif", "report", "report-json"])
def test_a_refused_row_whose_id_is_no_text_cannot_stop_the_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    # A lone surrogate is no character: no output can encode it. Carried as the refused
    # row's id, it ended every format halfway (exit 2), the rows after it never shown.
    rows = [GOOD, {"id": "evil\ud800", "stage": "pilot"}, {"id": "after", "stage": "pilot"}]
    path = _inventory(tmp_path, rows)
    command = ["report"] if fmt.startswith("report") else ["check"]
    if fmt in ("json", "jsonl", "sarif", "report-json"):
        command += ["--format", fmt.removeprefix("report-")]
    target = tmp_path / "out.txt"
    code, _, err = run_cli(capsys, *command, path, "--today", "2026-11-27", "--output", target)
    assert (code, err) == (1, "")
    text = target.read_text(encoding="utf-8")
    assert "evil\\ud800" in text.replace("\\\\", "\\")
    assert "after" in text


def test_a_refused_row_whose_id_is_no_text_can_still_be_written_from_python(
    tmp_path: Path,
) -> None:
    import aimo

    rows = [GOOD, {"id": "evil\udcff", "stage": "pilot"}]
    for verdict in [
        *aimo.evaluate_model({"aimo": 1, "workflows": rows}, today=TODAY),
        *aimo.evaluate_model(_inventory(tmp_path, rows), today=TODAY),
        *aimo.evaluate_many(rows, today=TODAY),
    ]:
        json.loads(verdict.model_dump_json())
        json.dumps(verdict.to_dict()).encode("utf-8")


def test_a_refused_rows_long_id_is_cut_like_any_quoted_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The table aligns its columns on the longest id: a megabyte-long id in one row made
    # every row of the file a megabyte wide.
    rows = [GOOD | {"id": f"w{n}"} for n in range(20)] + [{"id": "x" * 1_000_000}]
    code, out, _ = run_cli(capsys, "check", _inventory(tmp_path, rows), "--today", "2026-11-27")
    assert code == 1
    assert len(out) < 50_000
    assert "x" * 200 + "... (999800 more characters)" in out


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
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl"
    )
    assert (code, err) == (0, "")
    assert _judged(out) == [("w.json", "good")]


#: What a refused row's id might hold to rewrite the page or the screen the report is read on.
PAGE_FORGERIES = {
    "escape sequence": "\x1b[2K\x1b[1A",
    "right-to-left override": "\u202e",
    "new line and a table row": "\n| forged | production | - | - | - | - | allow |",
    "html": "<img src=x onerror=alert(1)>",
    "emphasis": "**ALL CLEAR**",
    "link": "[approved](https://example.com)",
    "code": "`ok`",
}


@pytest.mark.parametrize("text", PAGE_FORGERIES.values(), ids=PAGE_FORGERIES)
def test_a_refused_rows_id_cannot_change_the_report_around_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    # A valid id is a slug; a refused row's id is anything the row says, and the register
    # and the Blocked list wrote it as it was.
    path = _inventory(tmp_path, [GOOD, {"id": f"evil{text}", "stage": "pilot"}])
    code, out, _ = run_cli(capsys, "report", path, "--today", "2026-11-27")
    assert code == 1
    assert not {c for c in out if unicodedata.category(c) in ("Cc", "Cf")} - {"\n"}
    # Markup is escaped, never written as it is.
    assert not re.search(r"(?<!\\)(<img|\*\*ALL|\[approved|`ok)", out)
    register = out.split("### Register\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(register) == 4  # the header, its rule and two rows
    assert {len(re.findall(r"(?<!\\)\|", row)) for row in register} == {8}
    blocked = out.split("## Blocked\n\n", 1)[1].splitlines()
    assert blocked[0].startswith("- **evil")
    assert blocked[0].endswith("**")
    assert blocked[1].startswith("  - This document is not a valid workflow")


# -- --output where a careless script points it --------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


#: Each result aimo writes as JSON, by the options that write it.
RESULTS = {
    "check json": ("check", "--format", "json"),
    "check json summary": ("check", "--format", "json", "--summary"),
    "check json all findings": ("check", "--format", "json", "--all-findings"),
    "check sarif": ("check", "--format", "sarif"),
    "report json": ("report", "--format", "json"),
    "impact json": ("impact", "--format", "json", "--config", "CANDIDATE"),
}


@pytest.mark.parametrize("writer", RESULTS.values(), ids=RESULTS)
def test_a_result_written_into_the_folder_it_checks_does_not_change_the_next_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, writer: tuple[str, ...]
) -> None:
    # A CI job wrote `aimo check . --format json -o results.json`. Its `aimo` field, the
    # version that wrote it, made the result pass for an operating model: every later run
    # stopped on it (exit 2) with eight problems about fields no model has. Any other
    # result stopped it too, as neither a workflow nor a model.
    folder = tmp_path / "checked"
    _inventory(folder, [GOOD])
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text("policies: {enforcement: {reviewer-named: advisory}}\n")
    check = ("check", folder, "--today", "2026-11-27", "--format", "jsonl")
    before = run_cli(capsys, *check)
    command, *options = [str(candidate) if o == "CANDIDATE" else o for o in writer]
    target = folder if command != "impact" else folder / "model.json"
    result = folder / "result.json"
    code, _, err = run_cli(capsys, command, target, "--today", "2026-11-27", *options, "-o", result)
    assert (code, err) == (0, "")
    after = run_cli(capsys, *check)
    assert after[0] == before[0] == 0
    assert (_models(after[1]), _judged(after[1]), after[2]) == (
        _models(before[1]),
        _judged(before[1]),
        before[2],
    )
    # Named on its own, it is a mistake, said as one.
    code, _, err = run_cli(capsys, "check", result)
    assert code == 2
    assert err.count("aimo: ") == 1
    assert "a result aimo wrote" in err


@pytest.mark.parametrize(
    "model",
    [
        {"aimo": "1", "workflows": [GOOD]},
        {"aimo": "0.2.0", "evaluated_on": "2026-11-27", "policy_set": [], "workflows": [GOOD]},
        {"aimo": 1, "evaluated_on": "2026-11-27", "policy_set": [], "results": []},
    ],
    ids=["a version as text", "result fields and workflows", "a model's version"],
)
def test_a_model_dressed_as_a_result_is_still_read_as_a_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, model: dict[str, Any]
) -> None:
    (tmp_path / "model.json").write_text(json.dumps(model))
    code, _, err = run_cli(capsys, "check", tmp_path, "--today", "2026-11-27")
    assert code == 2
    assert "model.json" in err
    assert "a result aimo wrote" not in err


_PACK = "pack: p\nversion: '1'\npolicies: []\n"
_RESULT = '{"aimo": "0.2.0", "evaluated_on": "2026-11-27", "policy_set": [], "problems": []}'


@pytest.mark.parametrize("command", ["check", "report"])
@pytest.mark.parametrize(
    "files",
    [{"pack.yaml": _PACK}, {"results.json": _RESULT}, {"pack.yaml": _PACK, "r.json": _RESULT}],
    ids=["a pack", "a result", "both"],
)
def test_a_folder_of_nothing_to_judge_is_bad_input_not_a_pass(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, files: dict[str, str], command: str
) -> None:
    # Packs and results are passed over in a folder, and a job pointed at the policies
    # folder instead of the models passed (exit 0) on having judged nothing, its table
    # empty.
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    code, _, err = run_cli(capsys, command, tmp_path, "--today", "2026-11-27")
    assert code == 2
    assert "no workflow or operating model here to check" in err
    # A hook given the files a commit changes may find none it judges, and says so.
    if command == "check":
        code, _, err = run_cli(
            capsys, command, tmp_path, "--today", "2026-11-27", "--ignore-unknown"
        )
        assert (code, err) == (0, "")


def test_a_model_with_no_workflows_is_still_something_to_judge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "pack.yaml").write_text(_PACK)
    _inventory(tmp_path, [])
    code, out, err = run_cli(
        capsys, "check", tmp_path, "--today", "2026-11-27", "--format", "jsonl"
    )
    assert (code, err) == (0, "")
    assert _models(out) == [("model.json", "allow")]


def test_output_to_a_link_to_a_device_writes_to_the_device_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # --output /dev/stdout or /dev/null (both links or devices) renamed a regular file over
    # them: as root, a CI job's /dev/null became a file of verdicts.
    link = tmp_path / "null"
    link.symlink_to(os.devnull)
    model = _inventory(tmp_path / "m", [GOOD])
    code, out, err = run_cli(capsys, "check", model, "--today", "2026-11-27", "-o", link)
    assert (code, out, err) == (0, "", "")
    assert link.is_symlink()
    assert os.readlink(link) == os.devnull
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device needs root")
def test_output_to_a_device_writes_to_it_and_leaves_it_a_device(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.stat(os.devnull).st_rdev)
    model = _inventory(tmp_path / "m", [GOOD])
    code, _, _ = run_cli(capsys, "check", model, "--today", "2026-11-27", "-o", device)
    assert code == 0
    assert stat.S_ISCHR(device.stat().st_mode)
    assert _leftovers(tmp_path) == []


def test_output_to_a_named_pipe_is_read_through_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fifo = tmp_path / "verdicts"
    os.mkfifo(fifo)
    # The reading end is open first, so that opening the pipe to write does not wait.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        model = _inventory(tmp_path / "m", [GOOD])
        args = ("check", model, "--today", "2026-11-27", "-o", fifo, "--format", "jsonl")
        code, _, _ = run_cli(capsys, *args)
        received = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    assert code == 0
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert _judged(received) == [("model.json", "good")]


def test_output_to_a_link_replaces_the_file_it_names_and_keeps_the_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # As a shell's > does: the link is how the file is found, and must stay one.
    real = tmp_path / "runs" / "latest.json"
    real.parent.mkdir()
    real.write_text("yesterday's verdicts\n")
    link = tmp_path / "verdicts.json"
    link.symlink_to(real)
    model = _inventory(tmp_path / "m", [GOOD])
    code, _, _ = run_cli(
        capsys, "check", model, "--today", "2026-11-27", "-o", link, "--format", "json"
    )
    assert code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text())["summary"]["allow"] == 1
    assert _leftovers(tmp_path) == _leftovers(real.parent) == []
