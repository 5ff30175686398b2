"""Loading documents: YAML and JSON, kinds, model files, and bounded, honest errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import aimo


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _problems(path: Path) -> list[aimo.Problem]:
    with pytest.raises(aimo.DocumentError) as raised:
        aimo.load(path)
    return raised.value.problems


def test_yaml_and_json_workflows_load_alike(tmp_path: Path) -> None:
    yaml_doc = aimo.load(_write(tmp_path / "a.yaml", "id: a\nstage: pilot\n"))
    json_doc = aimo.load(_write(tmp_path / "a.json", json.dumps({"id": "a", "stage": "pilot"})))
    assert isinstance(yaml_doc, aimo.Workflow)
    assert yaml_doc.model_dump() == json_doc.model_dump()


def test_the_kind_is_told_by_content(tmp_path: Path) -> None:
    assert isinstance(aimo.load(_write(tmp_path / "m.yaml", "aimo: 1\n")), aimo.OperatingModel)
    assert isinstance(aimo.load(_write(tmp_path / "w.yml", "id: w\n")), aimo.Workflow)
    [problem] = _problems(_write(tmp_path / "x.yaml", "name: neither\n"))
    assert "neither a workflow" in problem.message
    [problem] = _problems(_write(tmp_path / "l.yaml", "- id: a\n"))
    assert "mapping" in problem.message
    [problem] = _problems(_write(tmp_path / "e.yaml", ""))
    assert "mapping" in problem.message


def test_problems_name_the_file_line_and_path(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.yaml", "id: w\nstage: live\nowner:\n  emial: d@example.com\n")
    problems = {p.path: p for p in _problems(path)}
    assert set(problems) == {"/stage", "/owner/emial"}
    assert (problems["/stage"].file, problems["/stage"].line) == (str(path), 2)
    assert problems["/owner/emial"].line == 4
    assert str(problems["/stage"]).startswith(f"{path}:2:8: /stage: ")


def test_a_duplicate_key_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.yaml", "id: w\nreview_tier: heavy\nreview_tier: light\n")
    [problem] = _problems(path)
    assert problem.path == "/review_tier"
    assert problem.line == 3
    assert "lines 2 and 3" in problem.message


def test_a_duplicate_key_in_json_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "w.json", '{"id": "w",\n "review_tier": "heavy",\n "review_tier": "light"}'
    )
    [problem] = _problems(path)
    assert problem.line == 3
    assert "twice" in problem.message


def test_invalid_syntax_is_reported_with_its_line(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path / "w.yaml", "id: w\nowner: [unclosed\n"))
    assert "not valid YAML" in problem.message
    assert problem.line is not None
    [problem] = _problems(_write(tmp_path / "w.json", '{"id": "w",\n}'))
    assert "not valid JSON" in problem.message
    assert problem.line == 2


def test_yaml_code_tags_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.yaml", "id: !!python/object/apply:os.system ['true']\n")
    [problem] = _problems(path)
    assert problem.path == "/id"
    assert "!!python/object/apply:os.system is not allowed" in problem.message


def test_alias_expansion_is_bounded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = _write(tmp_path / "bomb.yaml", "id: w\n" + "\n".join(lines) + "\n")
    [problem] = _problems(path)
    assert "aliases" in problem.message


def test_nesting_is_bounded(tmp_path: Path) -> None:
    deep = "x-deep: " + "[" * 100 + "]" * 100 + "\nid: w\n"
    [problem] = _problems(_write(tmp_path / "w.yaml", deep))
    assert "deeper" in problem.message
    [problem] = _problems(
        _write(tmp_path / "w.json", '{"id": "w", "x-deep": ' + "[" * 100 + "]" * 100 + "}")
    )
    assert "deeper" in problem.message


def test_size_is_bounded_and_the_limit_can_be_raised(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.yaml", "id: w\nname: " + "x" * 200 + "\n")
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.load(path, limits=aimo.Limits(max_document_bytes=100))
    [problem] = caught.value.problems
    assert "over the limit of 100" in problem.message
    assert "aimo.Limits(max_document_bytes=...)" in problem.message
    assert "--max-document-bytes" in problem.message
    assert aimo.load(path, limits=aimo.Limits(max_document_bytes=1000)).id == "w"


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path / "nope.yaml")
    assert "cannot read" in problem.message
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: w\nname: caf\xe9\n".encode("latin-1"))
    [problem] = _problems(path)
    assert "UTF-8" in problem.message


MODEL = """\
aimo: 1
organization: Northwind
workflows:
  - id: inline-one
    owner: {name: Dana}
workflow_files: [flows/*.yaml]
"""


def test_workflow_files_resolve_relative_to_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_path = _write(tmp_path / "ops" / "model.yaml", MODEL)
    _write(tmp_path / "ops" / "flows" / "b.yaml", "id: from-b\n")
    _write(tmp_path / "ops" / "flows" / "a.yaml", "id: from-a\nstage: pilot\n")
    monkeypatch.chdir(tmp_path)
    model = aimo.load(model_path)
    assert isinstance(model, aimo.OperatingModel)
    assert [w.id for w in model.workflows] == ["inline-one", "from-a", "from-b"]
    verdicts = aimo.evaluate_model(model_path)
    owner = next(f for f in verdicts[1].findings if f.policy_id == "owner-named")
    assert owner.location is not None
    assert owner.location.file.endswith("a.yaml")
    inline = aimo.evaluate_model(model)[0]
    assert inline.workflow_id == "inline-one"


def test_every_problem_across_model_and_workflow_files_at_once(tmp_path: Path) -> None:
    model_path = _write(
        tmp_path / "model.yaml",
        MODEL.replace("organization", "organisation").replace(
            "[flows/*.yaml]", "[flows/*.yaml, missing/*.yaml]"
        ),
    )
    _write(tmp_path / "flows" / "a.yaml", "id: from-a\nstage: live\n")
    _write(tmp_path / "flows" / "b.yaml", "id: inline-one\n")
    problems = _problems(model_path)
    where = {(Path(p.file or "").name, p.path) for p in problems}
    assert where == {
        ("model.yaml", "/organisation"),
        ("model.yaml", "/workflow_files/1"),
        ("a.yaml", "/stage"),
        ("b.yaml", "/id"),
    }


def test_a_model_listed_as_a_workflow_file_is_an_error(tmp_path: Path) -> None:
    model_path = _write(tmp_path / "model.yaml", "aimo: 1\nworkflow_files: [other.yaml]\n")
    _write(tmp_path / "other.yaml", "aimo: 1\n")
    [problem] = _problems(model_path)
    assert "not a workflow" in problem.message


def test_inline_workflow_problems_point_into_the_model(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.yaml", "aimo: 1\nworkflows:\n  - id: a\n    stage: live\n")
    [problem] = _problems(path)
    assert (problem.path, problem.line) == ("/workflows/0/stage", 4)


def test_a_duplicate_key_does_not_hide_other_problems(tmp_path: Path) -> None:
    path = _write(tmp_path / "w.yaml", "id: w\nreview_tier: heavy\nreview_tier: light\nstage: x\n")
    assert {p.path for p in _problems(path)} == {"/review_tier", "/stage"}
    path = _write(tmp_path / "w.json", '{"id": "w", "stage": "x",\n "id": "v"}')
    problems = _problems(path)
    assert {p.path for p in problems} == {"/id", "/stage"}
    assert next(p for p in problems if p.path == "/id").line == 2


def test_a_workflow_with_a_stray_model_field_is_still_a_workflow(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path / "w.yaml", "id: w\norganization: Northwind\n"))
    assert problem.path == "/organization"
    assert "unknown field" in problem.message
    model = aimo.load(_write(tmp_path / "m.yaml", "tiers: {low: {review_tier: standard}}\n"))
    assert isinstance(model, aimo.OperatingModel)


def test_inline_duplicate_workflow_ids(tmp_path: Path) -> None:
    path = _write(tmp_path / "m.yaml", "aimo: 1\nworkflows:\n  - id: a\n  - id: a\n")
    [problem] = _problems(path)
    assert (problem.path, problem.line) == ("/workflows/1/id", 4)


def test_values_yaml_cannot_build_are_reported_with_path_and_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "w.yaml",
        "id: w\nproduction:\n  went_live: 2026-02-30\nx-n: !!int abc\n",
    )
    problems = {p.path: p for p in _problems(path)}
    assert set(problems) == {"/production/went_live", "/x-n"}
    assert problems["/production/went_live"].line == 3
    assert "day is out of range" in problems["/production/went_live"].message


def test_keys_are_text_as_written(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path / "w.yaml", "id: w\non: 1\n"))
    assert (problem.path, problem.line) == ("/on", 2)
    assert "unknown field 'on'" in problem.message


def test_x_fields_hold_plain_data_only(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path / "w.yaml", "id: w\nx-blob: !!binary /w==\n"))
    assert problem.path == "/x-blob"
    assert "binary data (!!binary) is not allowed" in problem.message
    [problem] = _problems(_write(tmp_path / "s.yaml", "id: w\nx-set: !!set {a, b}\n"))
    assert problem.path == "/x-set"
    [problem] = _problems(_write(tmp_path / "d.yaml", "id: w\nx-meta: {since: 2026-01-01}\n"))
    assert problem.path == "/x-meta/since"
    assert "quote it ('2026-01-01')" in problem.message
    plain = aimo.load(_write(tmp_path / "p.yaml", "id: w\nx-meta: {since: '2026-01-01', n: [1]}\n"))
    assert isinstance(plain, aimo.Workflow)


def test_json_beyond_its_own_limits_is_a_document_error(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path / "w.json", '{"id": "w", "x-n": ' + "9" * 5000 + "}"))
    assert "cannot be read" in problem.message
