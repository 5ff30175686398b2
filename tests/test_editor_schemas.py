"""The schemas editors validate and complete documents with: ``aimo schema`` names its
dialect and a stable id, ``aimo schema --write`` saves them, the repository keeps a copy
the examples point to, and every example says which one it follows (spec 5.4)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT, run_cli

DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: The files --write saves, and the ids they keep from release to release of one format.
IDS = {
    "workflow.schema.json": "urn:aimo:schema:workflow:1",
    "operating-model.schema.json": "urn:aimo:schema:operating-model:1",
    "pack.schema.json": "urn:aimo:schema:pack:1",
}
#: The line a YAML language server reads to pick a document's schema.
MODELINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((), "workflow.schema.json"),
        (("workflow",), "workflow.schema.json"),
        (("model",), "operating-model.schema.json"),
        (("--pack",), "pack.schema.json"),
    ],
)
def test_each_printed_schema_names_its_dialect_and_a_stable_id(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], name: str
) -> None:
    code, out, _ = run_cli(capsys, "schema", *args)
    assert code == 0
    schema = json.loads(out)
    # First, so that a person opening the file sees what it is.
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == IDS[name]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_write_saves_the_three_document_schemas_and_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "new" / "schemas"
    code, out, err = run_cli(capsys, "schema", "--write", folder)
    assert (code, err) == (0, "")
    assert out.splitlines() == [(folder / name).as_posix() for name in IDS]
    assert sorted(p.name for p in folder.iterdir()) == sorted(IDS)
    for name, schema_id in IDS.items():
        schema = json.loads((folder / name).read_text(encoding="utf-8"))
        assert schema["$id"] == schema_id
    # The same schemas as printed, byte for byte.
    printed = run_cli(capsys, "schema", "model")[1]
    assert (folder / "operating-model.schema.json").read_text(encoding="utf-8") == printed


def test_write_replaces_what_an_older_release_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "workflow.schema.json").write_text("{}")
    assert run_cli(capsys, "schema", "--write", tmp_path)[0] == 0
    assert json.loads((tmp_path / "workflow.schema.json").read_text())["title"] == "Workflow"


@pytest.mark.parametrize("kind", [("model",), ("--pack",), ("check-json",)])
def test_write_takes_no_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: tuple[str, ...]
) -> None:
    code, out, err = run_cli(capsys, "schema", *kind, "--write", tmp_path)
    assert code == 2
    assert out == ""
    assert "--write writes every document schema" in err
    assert list(tmp_path.iterdir()) == []


def test_write_to_a_folder_that_cannot_be_made_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = run_cli(capsys, "schema", "--write", blocker / "schemas")
    assert code == 2
    assert out == ""
    assert err.startswith(f"aimo: {blocker / 'schemas'}: cannot be written")


def test_the_repositorys_schemas_are_what_aimo_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(capsys, "schema", "--write", tmp_path)
    committed = ROOT / "schemas"
    assert sorted(p.name for p in committed.iterdir()) == sorted(IDS)
    for name in IDS:
        assert (committed / name).read_text(encoding="utf-8") == (tmp_path / name).read_text(
            encoding="utf-8"
        ), f"schemas/{name} is out of date: run `aimo schema --write schemas`"


def _example_documents() -> list[Path]:
    """Every workflow, operating model and pack under examples/ (test case files are the
    test kit's, not documents)."""
    files = [
        path
        for pattern in ("*.yaml", "*.yml", "*.json")
        for path in (ROOT / "examples").rglob(pattern)
        if not path.name.endswith(".aimo-test.yaml")
    ]
    return sorted(files)


def test_there_are_examples_of_each_kind() -> None:
    named = {MODELINE.match(p.read_text(encoding="utf-8")) for p in _example_documents()}
    kinds = {Path(m.group(1)).name for m in named if m is not None}
    assert kinds == set(IDS)


@pytest.mark.parametrize(
    "path", _example_documents(), ids=lambda p: p.relative_to(ROOT / "examples").as_posix()
)
def test_every_example_names_its_schema_on_its_first_line_and_follows_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    line = MODELINE.match(text)
    assert line is not None, f"{path} does not start with a yaml-language-server line"
    schema_path = (path.parent / line.group(1)).resolve()
    # Relative to the document, inside the repository's schemas folder.
    assert schema_path.parent == ROOT / "schemas"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # JSON, as the language server and check-jsonschema read a document: dates as text.
    document = json.loads(json.dumps(yaml.safe_load(text), default=str))
    jsonschema.Draft202012Validator(schema).validate(document)
