"""Reading workflows and operating models from YAML or JSON files, safely.

Untrusted input has bounded cost: a size limit, a nesting limit and a limit on how far YAML
aliases may expand. A key given twice is an error, never a silent overwrite. Nothing in a
document is ever executed: YAML goes through the safe loader only.
"""

from __future__ import annotations

import glob
import json
import os
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from aimo._errors import ConfigError, DocumentError, NotADocument, Problem
from aimo._models import X_FIELD, OperatingModel, PolicyConfig, Workflow, unknown_field_message
from aimo._source import SourceMap, pointer, set_source, source_of

__all__ = ["MAX_DOCUMENT_BYTES", "load", "validate"]

#: The largest document file aimo reads.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: The deepest nesting of mappings and lists a document may have.
MAX_DEPTH = 64
#: The most values a document may hold once its YAML aliases are expanded.
MAX_NODES = 200_000


M = TypeVar("M", bound=BaseModel)

PLAIN_DATA = (
    "an 'x-' field holds plain data: text, numbers, true/false, dates, lists and mappings "
    "with text keys"
)

# Fields only an operating model has; a workflow is told by its `id`.
_MODEL_KEYS = frozenset(OperatingModel.model_fields) - frozenset(Workflow.model_fields)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(cls: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == X_FIELD:
        # pydantic-core checks the names of extra fields against ^x-: this one is a typo.
        return unknown_field_message(cls, error["loc"])
    message = str(error["msg"])
    if kind in {"unknown_class"} or "input" not in error:
        return message
    return f"{message[0].lower()}{message[1:]} (found {_describe(error['input'])})"


def _x_field(loc: tuple[int | str, ...]) -> tuple[int | str, ...] | None:
    """The location of the x- field that ``loc`` lies in, if any."""
    for index, part in enumerate(loc):
        if isinstance(part, str) and part.startswith("x-"):
            return loc[: index + 1]
    return None


def validate(cls: type[M], data: Any, source: SourceMap | None = None, prefix: str = "") -> M:
    """Validate ``data`` as ``cls``, turning every validation error into one DocumentError."""
    try:
        # The validator itself, not model_validate: one Python layer less per document.
        result: M = cls.__pydantic_validator__.validate_python(data)
        return result
    except ValidationError as exc:
        problems: dict[str, Problem] = {}
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            x_field = _x_field(loc)
            pattern = (error.get("ctx") or {}).get("pattern")
            if x_field is not None and pattern != X_FIELD:
                # One problem per x- field, not one per alternative of the plain-data union.
                loc, message = x_field, PLAIN_DATA
            else:
                message = _message(cls, error)
            path = prefix + pointer(loc)
            line, column = source.position(path) if source else (None, None)
            file = source.file if source else None
            problems.setdefault(path + "\0" + message, Problem(path, message, file, line, column))
        raise DocumentError(problems.values()) from None


class Parsed(NamedTuple):
    """A parsed file: its data, the positions of its values, and problems found so far.

    Problems that do not stop parsing (a key given twice) travel with the data, so that
    validation can add its own and every problem is reported at once.
    """

    data: Any
    source: SourceMap
    problems: list[Problem]


def _read_bytes(file: str) -> bytes:
    try:
        size = os.stat(file).st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                [
                    Problem(
                        "",
                        f"the file is {size} bytes; aimo reads documents of at most "
                        f"{MAX_DOCUMENT_BYTES} bytes",
                        file,
                    )
                ]
            )
        with open(file, "rb") as handle:
            return handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise DocumentError([Problem("", f"cannot read the file: {exc.strerror}", file)]) from None


def read(path: str | os.PathLike[str]) -> Parsed:
    """Parse a YAML or JSON file into plain data and the positions of its values.

    :raises DocumentError: when the file cannot be read or parsed at all.
    """
    file = os.fspath(path)
    raw = _read_bytes(file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            [Problem("", f"the file is not UTF-8 text (byte {exc.start})", file)]
        ) from None
    # PyYAML is imported on the first file read: a pipeline that passes dicts never needs it.
    from aimo import _yamlsource

    if file.lower().endswith(".json"):
        return _read_json(text, file)
    data, source, problems = _yamlsource.parse(text, file)
    return Parsed(data, source, problems)


def _read_json(text: str, file: str) -> Parsed:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            [Problem("", f"this is not valid JSON: {exc.msg}", file, exc.lineno, exc.colno)]
        ) from None
    except RecursionError:
        raise DocumentError(
            [Problem("", f"the document nests deeper than {MAX_DEPTH} levels", file)]
        ) from None
    except ValueError as exc:
        # json's own limits, such as integers of more than 4,300 digits.
        raise DocumentError([Problem("", f"this JSON cannot be read: {exc}", file)]) from None
    from aimo import _yamlsource

    try:
        # JSON's values come from json; its lines, duplicates and limits from the composer.
        source, problems = _yamlsource.positions(text, file)
    except _yamlsource.YAMLError:
        # Valid JSON that YAML 1.1 cannot read (tabs, say): values are right, lines unknown.
        source = SourceMap(file)
        problems = [
            Problem("", f"the key {key!r} is given twice; give each field once", file)
            for key in duplicates
        ]
    return Parsed(data, source, problems)


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
        set_source(workflow, (parsed.source, ""))
    return workflow


def load(path: str | os.PathLike[str]) -> Workflow | OperatingModel:
    """Load a workflow or an operating model from a YAML or JSON file.

    An operating model's ``workflow_files`` globs are resolved relative to the model file.
    Every problem, in the model and in each workflow file, is raised at once as one
    :class:`~aimo.DocumentError`.
    """
    parsed = read(path)
    problems = list(parsed.problems)
    if isinstance(parsed.data, dict) and "pack" in parsed.data and "policies" in parsed.data:
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
        model = _load_model(Path(path), parsed, problems)
        if model is not None and not problems:
            if model.policies is not None:
                _check_config(model.policies, Path(path))
            return model
    elif isinstance(parsed.data, dict) and "id" in parsed.data:
        workflow = _workflow(parsed._replace(problems=[]), problems)
        if workflow is not None and not problems:
            return workflow
    else:
        problems.append(_kind_problem(parsed.data, parsed.source.file))
    raise DocumentError(problems)


def _check_config(config: PolicyConfig, path: Path) -> None:
    """What configuration errors a model file alone can show: the floor rule, pack paths."""
    # Imported here: the configuration module validates through this one.
    from aimo._config import check_floor, resolve_pack_paths

    check_floor(config, str(path) + ": ")
    try:
        resolve_pack_paths(config, path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _load_model(path: Path, parsed: Parsed, problems: list[Problem]) -> OperatingModel | None:
    data, source = parsed.data, parsed.source
    model = _checked(OperatingModel, parsed, problems)

    loaded: list[Workflow] = []
    patterns = data.get("workflow_files")
    if isinstance(patterns, list):
        for index, pattern in enumerate(patterns):
            if isinstance(pattern, str):
                loaded.extend(_load_workflow_files(path, index, pattern, source, problems))

    # Ids are read from the raw inline data, so a duplicate shows even in an invalid model.
    inline = data.get("workflows")
    ids: list[tuple[str, SourceMap, str]] = [
        (item["id"], source, f"/workflows/{index}/id")
        for index, item in enumerate(inline if isinstance(inline, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    ids.extend((workflow.id, source_of(workflow)[0], "/id") for workflow in loaded)
    first_file: dict[str, str] = {}
    for workflow_id, where, id_path in ids:
        if workflow_id in first_file:
            problems.append(_duplicate(workflow_id, where, id_path, first_file[workflow_id]))
        else:
            first_file[workflow_id] = where.file

    if model is None:
        return None
    for index, workflow in enumerate(model.workflows):
        set_source(workflow, (source, f"/workflows/{index}"))
    model = model.model_copy(update={"workflows": [*model.workflows, *loaded]})
    set_source(model, source)
    return model


def _duplicate(workflow_id: str, where: SourceMap, path: str, first: str) -> Problem:
    line, column = where.position(path)
    return Problem(
        path,
        f"the workflow id {workflow_id!r} is used twice (first in {first})",
        where.file,
        line,
        column,
    )


def _load_workflow_files(
    model_path: Path, index: int, pattern: str, source: SourceMap, problems: list[Problem]
) -> list[Workflow]:
    base = model_path.parent
    matches = sorted(glob.glob(str(base / pattern), recursive=True))
    matches = [m for m in matches if os.path.isfile(m)]
    if not matches:
        line, column = source.position(f"/workflow_files/{index}")
        problems.append(
            Problem(
                f"/workflow_files/{index}",
                f"the pattern {pattern!r} matches no file "
                f"(patterns are relative to {base.as_posix() or '.'})",
                source.file,
                line,
                column,
            )
        )
        return []
    loaded: list[Workflow] = []
    for match in matches:
        try:
            parsed = read(match)
        except DocumentError as exc:
            problems.extend(exc.problems)
            continue
        if is_model(parsed.data) or not (isinstance(parsed.data, dict) and "id" in parsed.data):
            problems.append(
                Problem(
                    "",
                    f"this file is listed by {source.file}'s workflow_files but is not a workflow",
                    match,
                )
            )
            continue
        workflow = _workflow(parsed, problems)
        if workflow is not None:
            loaded.append(workflow)
    return loaded
