"""Reading workflows and operating models from YAML or JSON files, safely.

Untrusted input has bounded cost (:class:`aimo.Limits`): its size before and after YAML
aliases expand, how many values it holds and how deep it nests. Only JSON's data model gets
through; a key given twice is an error, never a silent overwrite; nothing in a document is
ever executed: YAML goes through the safe loader only. Files a model names are read only
inside its folder, unless the caller allows otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from aimo._documents.files import (
    FileProblem,
    expand_pattern,
    pack_files,
    resolve_inside,
)
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.models import OperatingModel, PolicyConfig, Workflow
from aimo._documents.reader import Parsed, read
from aimo._documents.source import Source, SourceMap, set_source, source_of
from aimo._documents.validate import validate
from aimo._errors import ConfigError, DocumentError, NotADocument, Problem, quote

__all__ = ["is_model", "is_pack", "load"]

M = TypeVar("M", bound=BaseModel)

_MODEL_KEYS = frozenset(OperatingModel.model_fields) - frozenset(Workflow.model_fields)


_PACK_KEYS = frozenset({"pack", "version", "description", "policies"})


def is_pack(data: Any) -> bool:
    """Whether parsed data is a policy pack: its fields, and nothing a document has.

    The command passes over the packs it finds in a folder, so a workflow or model that
    gains a `pack` field must not pass for one and go unjudged.
    """
    return (
        isinstance(data, dict)
        and "pack" in data
        and "policies" in data
        and all(key in _PACK_KEYS or str(key).startswith("x-") for key in data)
    )


def is_model(data: Any) -> bool:
    """Whether parsed data is an operating model rather than a workflow, by its content."""
    if not isinstance(data, dict):
        return False
    if "aimo" in data:
        return True
    return "id" not in data and not _MODEL_KEYS.isdisjoint(data)


def _kind_problem(data: Any, file: str | None) -> Problem:
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "empty"
        return Problem("", f"the document must be a mapping of fields, not {kind}", file)
    return Problem(
        "",
        "this is neither a workflow (it has no 'id') nor an operating model (it has no 'aimo: 1')",
        file,
    )


def _checked(cls: type[M], parsed: Parsed, problems: list[Problem], prefix: str = "") -> M | None:
    """Validate parsed data, adding its problems to ``problems`` instead of raising."""
    try:
        return validate(cls, parsed.data, parsed.source, prefix)
    except DocumentError as exc:
        problems.extend(exc.problems)
        return None


def _workflow(parsed: Parsed, problems: list[Problem]) -> Workflow | None:
    problems.extend(parsed.problems)
    workflow = _checked(Workflow, parsed, problems)
    if workflow is not None:
        set_source(workflow, Source(parsed.source))
    return workflow


def load(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_outside: bool = False,
) -> Workflow | OperatingModel:
    """Load a workflow or an operating model from a YAML or JSON file.

    An operating model's ``workflow_files`` globs are resolved relative to the model file.
    Every problem, in the model and in each workflow file, is raised at once as one
    :class:`~aimo.DocumentError`.

    :param limits: what reading may cost (default: :class:`aimo.Limits`' defaults).
    :param allow_outside: let a model's ``workflow_files`` and ``policies.paths`` name files
        outside the model's folder (by default that is an error of the model).
    :raises DocumentError: for any problem in the model or its workflow files.
    :raises ConfigError: for a model whose policy configuration is invalid.
    :raises TypeError: when ``path`` is not a path.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load() takes the path of a file, not {type(path).__name__}")
    limits = DEFAULT_LIMITS if limits is None else limits
    parsed = read(path, limits)
    problems = list(parsed.problems)
    if is_pack(parsed.data):
        raise NotADocument(
            [
                Problem(
                    "",
                    "this is a policy pack, not a workflow or an operating model; list it "
                    "under an operating model's policies.paths",
                    parsed.source.file,
                )
            ]
        )
    if is_model(parsed.data):
        model = _load_model(Path(path), parsed, problems, limits, allow_outside)
        if model is not None and not problems:
            if model.policies is not None:
                _check_config(model.policies, Path(path), allow_outside)
            return model
    elif isinstance(parsed.data, dict) and "id" in parsed.data:
        workflow = _workflow(parsed._replace(problems=[]), problems)
        if workflow is not None and not problems:
            return workflow
    else:
        problems.append(_kind_problem(parsed.data, parsed.source.file))
    raise DocumentError(problems)


def _check_config(config: PolicyConfig, path: Path, allow_outside: bool) -> None:
    """What configuration errors a model file alone can show: pack paths that lead outside
    the model's folder or to nothing. (Which policies exist, and their floors, only an
    engine knows.)"""
    folder = path.parent
    for index, entry in enumerate(config.paths):
        try:
            resolve_inside(entry, folder, allow_outside)
        except FileProblem as exc:
            raise ConfigError(f"{path}: /policies/paths/{index}: {exc.message}") from None
    try:
        pack_files(config.paths, folder)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _load_model(
    path: Path, parsed: Parsed, problems: list[Problem], limits: Limits, allow_outside: bool
) -> OperatingModel | None:
    data, source = parsed.data, parsed.source
    model = _checked(OperatingModel, parsed, problems)

    patterns = data.get("workflow_files")
    loaded = (
        _load_workflow_files(path, patterns, source, problems, limits, allow_outside)
        if isinstance(patterns, list)
        else []
    )

    # Ids are read from the raw inline data, so a duplicate shows even in an invalid model.
    inline = data.get("workflows")
    ids: list[tuple[str, SourceMap, str]] = [
        (item["id"], source, f"/workflows/{index}/id")
        for index, item in enumerate(inline if isinstance(inline, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    ids.extend((workflow.id, _positions(workflow), "/id") for workflow in loaded)
    first_file: dict[str, str] = {}
    for workflow_id, where, id_path in ids:
        if workflow_id in first_file:
            problems.append(_duplicate(workflow_id, where, id_path, first_file[workflow_id]))
        else:
            first_file[workflow_id] = where.file

    if model is None:
        return None
    for index, workflow in enumerate(model.workflows):
        set_source(workflow, Source(source, f"/workflows/{index}"))
    model = model.model_copy(update={"workflows": (*model.workflows, *loaded)})
    set_source(model, Source(source))
    return model


def _positions(workflow: Workflow) -> SourceMap:
    source = source_of(workflow)
    assert source is not None  # the loader records where each workflow file came from
    return source.positions


def _duplicate(workflow_id: str, where: SourceMap, path: str, first: str) -> Problem:
    line, column = where.position(path)
    return Problem(
        path,
        f"the workflow id {quote(workflow_id)} is used twice (first in {first})",
        where.file,
        line,
        column,
    )


def _model_problem(source: SourceMap, path: str, message: str) -> Problem:
    line, column = source.position(path)
    return Problem(path, message, source.file, line, column)


def _load_workflow_files(
    model_path: Path,
    patterns: list[Any],
    source: SourceMap,
    problems: list[Problem],
    limits: Limits,
    allow_outside: bool,
) -> list[Workflow]:
    folder = model_path.parent
    # Each file once, in the order the patterns find them, however many patterns match it.
    files: dict[str, Path] = {}
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, str):
            continue  # validation reports it
        at = f"/workflow_files/{index}"
        try:
            matches = expand_pattern(pattern, folder, limits, allow_outside)
        except FileProblem as exc:
            problems.append(_model_problem(source, at, exc.message))
            continue
        if not matches:
            problems.append(
                _model_problem(
                    source,
                    at,
                    f"the pattern {quote(pattern)} matches no file "
                    f"(patterns are relative to {folder.as_posix() or '.'})",
                )
            )
            continue
        for match in matches:
            files.setdefault(os.path.realpath(match), match)
        if len(files) > limits.max_workflow_files:
            problems.append(
                _model_problem(
                    source,
                    at,
                    f"the workflow_files patterns match more than "
                    f"{limits.max_workflow_files:,} files; "
                    + Limits.how_to_raise("max_workflow_files"),
                )
            )
            return []
    loaded: list[Workflow] = []
    for match in files.values():
        try:
            parsed = read(match, limits)
        except DocumentError as exc:
            problems.extend(exc.problems)
            continue
        if is_model(parsed.data) or not (isinstance(parsed.data, dict) and "id" in parsed.data):
            problems.append(
                Problem(
                    "",
                    f"this file is listed by {source.file}'s workflow_files but is not a workflow",
                    str(match),
                )
            )
            continue
        workflow = _workflow(parsed, problems)
        if workflow is not None:
            loaded.append(workflow)
    return loaded
