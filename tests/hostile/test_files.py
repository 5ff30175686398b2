"""Files a model names stay inside its folder; nothing it names can hang or leak (spec 5.1)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

import aimo
from conftest import TODAY, make
from hostile.support import run_cli, write

WORKFLOW = "id: {id}\nstage: idea\n"


def _model(folder: Path, body: str) -> Path:
    return write(folder / "model.yaml", "aimo: 1\norganization: Acme\n" + body)


def _problems(path: Path, **kwargs: object) -> list[aimo.Problem]:
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path, **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the model's folder, shaped like a workflow so that it would load."""
    return write(tmp_path / "outside" / "secret.yaml", "id: secret\nname: API_TOKEN=abc123\n")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    write(folder / "workflows" / "a.yaml", WORKFLOW.format(id="a"))
    return folder


@pytest.mark.parametrize(
    "entry",
    ["../outside/secret.yaml", "../outside/*.yaml", "../**/secret.yaml", "{secret}"],
)
def test_workflow_files_outside_the_folder_are_an_error_of_the_model(
    repo: Path, secret: Path, entry: str
) -> None:
    model = _model(repo, f"workflow_files: [workflows/*.yaml, '{entry.format(secret=secret)}']\n")
    [problem] = _problems(model)
    assert problem.path == "/workflow_files/1"
    assert "outside the model's folder" in problem.message
    assert "API_TOKEN" not in problem.message
    loaded = aimo.load(model, allow_outside=True)
    assert isinstance(loaded, aimo.OperatingModel)
    assert {w.id for w in loaded.workflows} == {"a", "secret"}


def test_a_symlink_out_of_the_folder_is_not_followed(repo: Path, secret: Path) -> None:
    (repo / "workflows" / "link.yaml").symlink_to(secret)
    model = _model(repo, "workflow_files: ['workflows/*.yaml']\n")
    [problem] = _problems(model)
    assert "outside the model's folder" in problem.message
    assert "link.yaml" in problem.message


def test_a_symlink_inside_the_folder_is_fine(repo: Path) -> None:
    (repo / "workflows" / "b.yaml").symlink_to(repo / "workflows" / "a.yaml")
    write(repo / "other.yaml", WORKFLOW.format(id="other"))
    (repo / "workflows" / "c.yaml").symlink_to(repo / "other.yaml")
    model = _model(repo, "workflow_files: ['workflows/*.yaml']\n")
    loaded = aimo.load(model)
    assert isinstance(loaded, aimo.OperatingModel)
    # b.yaml is a.yaml itself: read once, not reported as a duplicate id.
    assert sorted(w.id for w in loaded.workflows) == ["a", "other"]


def test_a_file_matched_by_two_patterns_is_read_once(repo: Path) -> None:
    model = _model(repo, "workflow_files: ['workflows/*.yaml', '**/a.yaml', 'workflows/a.yaml']\n")
    loaded = aimo.load(model)
    assert isinstance(loaded, aimo.OperatingModel)
    assert [w.id for w in loaded.workflows] == ["a"]


def _with_timeout(function: object, seconds: float = 20) -> None:
    """Run ``function`` in a thread; fail (rather than hang the suite) if it does not end."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            function()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "did not finish: it would hang"
    if errors:
        raise errors[0]


def test_globs_do_not_follow_loops_of_symlinks(repo: Path) -> None:
    loops = repo / "d"
    loops.mkdir()
    (loops / "up").symlink_to("..")
    (loops / "again").symlink_to("..")
    (loops / "self").symlink_to(".")
    model = _model(repo, "workflow_files: ['d/**/*.yaml', 'workflows/**/*.yaml']\n")

    def load() -> None:
        with pytest.raises(aimo.DocumentError) as caught:
            aimo.load(model)
        # d/ holds no workflow of its own: its links are not followed.
        assert "matches no file" in caught.value.problems[0].message

    _with_timeout(load)


def test_a_glob_of_the_whole_disk_is_refused_at_once(repo: Path) -> None:
    model = _model(repo, "workflow_files: ['/**/*.yaml']\n")

    def load() -> None:
        [problem] = _problems(model)
        assert "outside the model's folder" in problem.message

    _with_timeout(load, 5)


def test_a_glob_is_bounded_even_when_outside_reads_are_allowed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for index in range(30):
        write(repo / "many" / f"n{index}.txt", "")
    model = _model(repo, "workflow_files: ['**/*.yaml']\n")
    [problem] = _problems(model, limits=aimo.Limits(max_workflow_files=1))
    assert "too many files and folders" in problem.message
    assert "max_workflow_files" in problem.message


def test_the_number_of_workflow_files_is_bounded(repo: Path) -> None:
    for index in range(5):
        write(repo / "workflows" / f"w{index}.yaml", WORKFLOW.format(id=f"w{index}"))
    model = _model(repo, "workflow_files: ['workflows/*.yaml']\n")
    [problem] = _problems(model, limits=aimo.Limits(max_workflow_files=3))
    assert "more than 3 files" in problem.message
    assert "--max-workflow-files" in problem.message
    loaded = aimo.load(model, limits=aimo.Limits(max_workflow_files=6))
    assert isinstance(loaded, aimo.OperatingModel)


# -- special files -------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_a_named_pipe_is_never_waited_on(fifo: Path, repo: Path) -> None:
    def everything() -> None:
        for call in (
            lambda: aimo.load(fifo),
            lambda: aimo.evaluate(fifo, today=TODAY),
            lambda: aimo.evaluate_model(fifo, today=TODAY),
        ):
            with pytest.raises(aimo.DocumentError, match="named pipe"):
                call()
        [verdict] = aimo.evaluate_many([fifo], today=TODAY)
        assert verdict.decision == "deny"
        assert "named pipe" in verdict.findings[0].message
        with pytest.raises(aimo.PolicyError, match="named pipe"):
            aimo.load_pack(fifo)

    _with_timeout(everything)
    os.mkfifo(repo / "workflows" / "p.yaml")
    model = _model(repo, "workflow_files: ['workflows/*.yaml']\n")
    _with_timeout(lambda: _problems(model))


def test_the_command_line_never_waits_on_a_pipe(fifo: Path, tmp_path: Path) -> None:
    model = _model(tmp_path / "m", "policies: {paths: [pipe.yaml]}\nworkflows: [{id: w}]\n")
    os.mkfifo(model.parent / "pipe.yaml")
    for args in (
        ["check", fifo],
        ["report", fifo],
        ["score", fifo],
        ["policies", "--model", fifo],
        ["check", model],
        ["audit", "verify", fifo],
    ):
        result = run_cli(*args, timeout=30)
        assert result.returncode == 2, (args, result.stderr)
        assert "named pipe" in result.stderr or "not a regular file" in result.stderr
        assert "Traceback" not in result.stderr


def test_audit_verify_never_reads_a_device_without_end() -> None:
    result = run_cli("audit", "verify", "/dev/zero", timeout=30)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "/dev/urandom", "/"])
def test_devices_and_folders_are_not_documents(special: str) -> None:
    if not os.path.exists(special):
        pytest.skip(f"{special} does not exist here")

    def load() -> None:
        with pytest.raises(aimo.DocumentError, match="aimo reads only regular files"):
            aimo.load(special)

    _with_timeout(load)


# -- what errors may quote -------------------------------------------------------------------


@pytest.mark.parametrize("content", ["API_TOKEN=abc123\n", "- API_TOKEN=abc123\n", "42\n"])
def test_a_pack_path_never_prints_the_file_it_points_at(tmp_path: Path, content: str) -> None:
    repo = tmp_path / "repo"
    write(repo / "secret.env", content)
    model = _model(repo, "policies: {paths: [secret.env]}\nworkflows: [{id: w}]\n")
    result = run_cli("check", model)
    assert result.returncode == 2
    assert "abc123" not in result.stderr + result.stdout
    outside = write(tmp_path / "secret.env", content)
    model = _model(repo, f"policies: {{paths: ['{outside}']}}\nworkflows: [{{id: w}}]\n")
    result = run_cli("check", model)
    assert result.returncode == 2
    assert "outside the model's folder" in result.stderr
    assert "abc123" not in result.stderr + result.stdout


@pytest.mark.parametrize("content", ["API_TOKEN=abc123\n", "[API_TOKEN, abc123]\n"])
def test_a_workflow_file_that_is_not_a_mapping_is_not_quoted(tmp_path: Path, content: str) -> None:
    repo = tmp_path / "repo"
    write(repo / "w.yaml", content)
    model = _model(repo, "workflow_files: [w.yaml]\n")
    problems = _problems(model)
    assert all("abc123" not in p.message for p in problems), problems


# -- paths no file can have --------------------------------------------------------------------

BAD_PATHS = ["a\0b.yaml", "\ud800.yaml", "x" * 5000 + ".yaml", ""]


@pytest.mark.parametrize("path", BAD_PATHS, ids=["NUL", "surrogate", "too long", "empty"])
def test_a_path_no_file_can_have_is_a_document_error(path: str) -> None:
    for call in (lambda: aimo.load(path), lambda: aimo.evaluate(path, today=TODAY)):
        with pytest.raises(aimo.DocumentError):
            call()
    with pytest.raises(aimo.PolicyError):
        aimo.load_pack(path)


def test_a_bad_path_does_not_stop_a_batch() -> None:
    verdicts = list(aimo.evaluate_many([*BAD_PATHS, make()], today=TODAY))
    assert [v.decision.value for v in verdicts] == ["deny"] * len(BAD_PATHS) + ["allow"]


def test_a_long_pack_path_is_a_problem_of_that_model_only(tmp_path: Path) -> None:
    bad = _model(
        tmp_path / "bad", f"policies: {{paths: ['{'p' * 5000}']}}\nworkflows: [{{id: w}}]\n"
    )
    good = write(tmp_path / "good.yaml", "id: good\nstage: idea\n")
    result = run_cli("check", bad, good, "--today", "2026-11-27")
    assert result.returncode == 2
    assert "good" in result.stdout  # the other file was still judged
    assert "cannot be used as a path" in result.stderr
    assert len(result.stderr) < 2_000
    assert "Traceback" not in result.stderr


#: A valid workflow, in YAML's flow style.
VALID = json.dumps(make({"id": "w"}))
#: A pack outside the model's folder: loaded, its rule would deny every workflow.
OUTSIDE_PACK = """\
pack: outsider
version: "1"
policies:
  - id: outsider-denies
    title: Denies everything
    severity: high
    enforcement: mandatory
    require: {required: [x-never]}
    message: Denied by a pack from outside
"""


@pytest.mark.parametrize("entry", ["packs", "packs/", "./packs", "packs/link.yaml"])
def test_a_pack_folder_holding_a_link_out_of_the_folder_is_an_error_of_the_model(
    tmp_path: Path, entry: str
) -> None:
    # A pack path inside the folder may be a folder whose YAML files are links: each is
    # followed and must lead inside, as a direct entry must.
    outside = write(tmp_path / "outside" / "pack.yaml", OUTSIDE_PACK)
    repo = tmp_path / "repo"
    (repo / "packs").mkdir(parents=True)
    (repo / "packs" / "link.yaml").symlink_to(outside)
    model = _model(repo, f"policies: {{paths: ['{entry}']}}\nworkflows: [{VALID}]\n")
    for attempt in (
        lambda: aimo.load(model),
        lambda: aimo.evaluate_model(model, today=TODAY),
        lambda: aimo.assess(model, today=TODAY),
        lambda: aimo.impact(model, {"enforcement": {}}, today=TODAY),
    ):
        with pytest.raises(aimo.ConfigError, match="outside") as caught:
            attempt()
        assert "/policies/paths/0" in str(caught.value)
    for command in (["check"], ["report"], ["policies", "--model"]):
        result = run_cli(*command, model, "--today", "2026-11-27")
        assert result.returncode == 2, result.stdout
        assert "outside" in result.stderr
        assert "Traceback" not in result.stderr
    # Allowed, the pack is read and judges.
    [verdict] = aimo.evaluate_model(aimo.load(model, allow_outside=True), today=TODAY)
    assert "outsider-denies" in {f.policy_id for f in verdict.failures}


@pytest.mark.parametrize("entry", ["p", "p/link.yaml"])
def test_a_candidates_pack_folder_holding_a_link_out_is_refused_by_impact(
    tmp_path: Path, entry: str
) -> None:
    outside = write(tmp_path / "outside" / "pack.yaml", OUTSIDE_PACK)
    model = _model(tmp_path / "repo", f"workflows: [{VALID}]\n")
    candidate = write(
        tmp_path / "proposal" / "candidate.yaml", f"policies: {{paths: ['{entry}']}}\n"
    )
    (tmp_path / "proposal" / "p").mkdir()
    (tmp_path / "proposal" / "p" / "link.yaml").symlink_to(outside)
    result = run_cli("impact", model, "--config", candidate, "--today", "2026-11-27")
    assert (result.returncode, result.stdout) == (2, "")
    assert "/policies/paths/0" in result.stderr
    assert "outside" in result.stderr
    allowed = run_cli(
        "impact", model, "--config", candidate, "--today", "2026-11-27", "--allow-outside"
    )
    assert allowed.returncode == 0, allowed.stderr
    assert "outsider-denies" in allowed.stdout
