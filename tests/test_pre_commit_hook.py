"""The pre-commit hook (spec 5.4): a valid manifest, and a command that judges what a
commit changes as it must be judged, whatever else the commit holds.

pre-commit runs the hook's ``entry`` with the changed files its ``types_or`` and
``exclude`` select; these tests run that same command on a repository's worth of files.
CI runs the hook through pre-commit itself (``.ci/run``).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from aimo._cli.main import main
from conftest import DECISIONS, DELETE, ROOT, make

MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def _hook() -> dict[str, Any]:
    [hook] = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(hook, dict)
    return hook


def test_the_manifest_is_valid_for_pre_commit() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "pre-commit-hooks.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load(MANIFEST.read_text()))
    hook = _hook()
    assert hook["id"] == "aimo-check"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["yaml", "json"]


#: What a repository holds besides aimo's documents: none of it is aimo's to judge.
OTHER_FILES = {
    ".github/workflows/ci.yml": "name: ci\non: push\njobs:\n  test: {runs-on: ubuntu-latest}\n",
    ".gitlab-ci.yml": "job:\n  script:\n    - !reference [.setup, script]\n",
    "chart/templates/service.yaml": "metadata:\n  name: {{ .Values.name }}\n",
    ".pre-commit-config.yaml": "repos:\n  - repo: local\n    hooks:\n      - id: aimo-check\n",
    "package.json": '{"name": "site", "version": "1.0.0"}\n',
    ".vscode/settings.json": '{"yaml.schemas": {}}\n',
    "empty.yaml": "",
    "list.yaml": "- a\n- b\n",
}


def _repository(tmp_path: Path) -> Path:
    """A repository: an operating model whose policies block makes an advisory policy
    mandatory, its workflow files and pack, a loose workflow file, and other YAML and JSON."""
    root = tmp_path / "repo"
    for name, text in OTHER_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    governance = root / "governance"
    (governance / "workflows").mkdir(parents=True)
    (governance / "packs").mkdir()
    (governance / "operating-model.yaml").write_text(
        "aimo: 1\norganization: Acme\nworkflow_files: [workflows/*.yaml]\n"
        "policies:\n  paths: [packs]\n  enforcement: {governance-proportional: mandatory}\n"
    )
    # Two ranks above what its consequence needs: advisory alone, mandatory in the model.
    heavy = make({"id": "heavy-review", "review_tier": "heavy"})
    (governance / "workflows" / "heavy.yaml").write_text(yaml.safe_dump(heavy))
    (governance / "packs" / "acme.yaml").write_text(
        "pack: acme\nversion: '1'\npolicies:\n  - id: acme-named\n    title: Named\n"
        "    require: {required: [name]}\n    message: Name it\n"
    )
    (root / "loose.json").write_text(json.dumps(make({"id": "loose"})))
    return root


def _selected(root: Path) -> list[str]:
    """The files pre-commit hands the hook on ``--all-files``: YAML and JSON, less the
    manifest's exclusions."""
    hook = _hook()
    exclude = re.compile(hook["exclude"])
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix in (".yaml", ".yml", ".json")
        and not exclude.search(path.relative_to(root).as_posix())
    )


def _run_hook(
    root: Path, files: list[str], capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    entry = shlex.split(_hook()["entry"])
    assert entry[0] == "aimo"
    code = main([*entry[1:], "--today", "2026-11-27", "--format", "json", *extra, *files])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _decisions(out: str) -> dict[str, str]:
    return {
        verdict["workflow_id"]: verdict["decision"]
        for result in json.loads(out)["results"]
        for verdict in result["verdicts"]
    }


def test_the_hook_judges_aimo_documents_and_passes_over_everything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path)
    monkeypatch.chdir(root)
    code, out, err = _run_hook(root, _selected(root), capsys)
    assert err == ""
    assert json.loads(out)["problems"] == []
    # The model's workflow is judged once, with the model's rules; the loose one alone.
    assert _decisions(out) == {"heavy-review": "deny", "loose": "allow"}
    assert code == 1


def test_a_workflow_file_changed_alone_is_judged_with_the_model_that_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path)
    monkeypatch.chdir(root)
    code, out, _ = _run_hook(root, ["governance/workflows/heavy.yaml"], capsys)
    assert _decisions(out) == {"heavy-review": "deny"}
    [result] = json.loads(out)["results"]
    # Named as the changed file was: relative to the repository, as pre-commit names it.
    assert result["file"] == "governance/operating-model.yaml"
    assert code == 1
    absolute = str(root / "governance" / "workflows" / "heavy.yaml")
    _, out, _ = _run_hook(root, [absolute], capsys)
    [result] = json.loads(out)["results"]
    assert result["file"] == str(root / "governance" / "operating-model.yaml")
    # From a folder below the model's, the model is not found: the search stops at the
    # current folder, which pre-commit sets to the repository's root.
    monkeypatch.chdir(root / "governance" / "workflows")
    code, out, _ = _run_hook(root, ["heavy.yaml"], capsys)
    assert _decisions(out) == {"heavy-review": "warn"}
    # Without the hook's options, the same file is judged on its own.
    monkeypatch.chdir(root)
    code = main(["check", "--today", "2026-11-27", "governance/workflows/heavy.yaml"])
    assert code == 0
    assert "heavy-review" in capsys.readouterr().out


def test_a_model_changed_with_its_workflow_file_judges_it_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path)
    monkeypatch.chdir(root)
    for files in (
        ["governance/workflows/heavy.yaml", "governance/operating-model.yaml"],
        ["governance/operating-model.yaml", "governance/workflows/heavy.yaml"],
    ):
        _, out, _ = _run_hook(root, files, capsys)
        assert len(json.loads(out)["results"]) == 1
        assert _decisions(out) == {"heavy-review": "deny"}


def test_without_the_hook_options_other_files_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repository(tmp_path)
    monkeypatch.chdir(root)
    code = main(["check", ".github/workflows/ci.yml", "governance/packs/acme.yaml"])
    err = capsys.readouterr().err
    assert code == 2
    assert ".github/workflows/ci.yml: /: this is neither a workflow" in err
    assert "governance/packs/acme.yaml: /: this is a policy pack" in err


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("w.yaml", "id: w\nstage: live\n", "/stage"),
        ("w.yaml", "id: w\nname: [unclosed\n", "not valid YAML"),
        ("w.json", '{"id": "w", "stage": }', "not valid JSON"),
        ("m.yaml", "aimo: 1\norganisation: typo\n", "/organisation"),
        ("m.yaml", "aimo: 1\nworkflows: [{id: ok}\n", "not valid YAML"),
        ("w.yaml", "id: w\nscript: !reference [.a, b]\n", "custom tag"),
    ],
    ids=[
        "invalid workflow",
        "broken workflow",
        "broken JSON",
        "invalid model",
        "broken model",
        "workflow with a tag",
    ],
)
def test_a_broken_aimo_document_still_fails_the_hook(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    text: str,
    problem: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text)
    code, _, err = _run_hook(tmp_path, [name], capsys)
    assert code == 2
    assert problem in err


def test_a_file_too_large_to_read_is_reported_not_passed_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.json").write_text('{"name": "' + "x" * 2_000 + '"}')
    code, _, err = _run_hook(tmp_path, ["big.json"], capsys, "--max-document-bytes", "1000")
    assert code == 2
    assert "big.json" in err


@pytest.mark.parametrize("where", ["", "governance/"])
def test_a_link_to_a_model_outside_the_repository_never_judges_a_changed_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    # A link committed beside a workflow file, to a model elsewhere on the machine: read,
    # that model would judge the file with its own rules (here, the failing policy
    # disabled) and print its contents. Models are looked for inside each folder only.
    root = _repository(tmp_path)
    (root / where / "unreviewed.json").write_text(
        json.dumps(make({"id": "unreviewed", "reviewer": DELETE}))
    )
    outside = tmp_path / "elsewhere" / "model.json"
    outside.parent.mkdir()
    outside.write_text(
        json.dumps(
            {
                "aimo": 1,
                "organization": "SECRET-ORG",
                "decisions": DECISIONS,
                "workflow_files": ["unreviewed.json"],
                "policies": {"disable": ["reviewer-named"]},
            }
        )
    )
    (root / where / "aaa-model.yaml").symlink_to(outside)
    monkeypatch.chdir(root)
    code, out, err = _run_hook(root, [f"{where}unreviewed.json"], capsys)
    assert "SECRET-ORG" not in out + err
    assert _decisions(out) == {"unreviewed": "deny"}
    assert code == 1
    # A link to a model inside the folder is that folder's model all the same.
    (root / where / "aaa-model.yaml").unlink()
    (root / where / "inside.json").write_text(outside.read_text())
    (root / where / "aaa-model.yaml").symlink_to(root / where / "inside.json")
    code, out, _ = _run_hook(root, [f"{where}unreviewed.json"], capsys)
    assert _decisions(out) == {"unreviewed": "allow"}
    assert code == 0
