"""Reading workflows and operating models from YAML or JSON files, safely.

Untrusted input has bounded cost (:class:`aimo.Limits`): its size before and after YAML
aliases expand, how many values it holds and how deep it nests. Only JSON's data model gets
through; a key given twice is an error, never a silent overwrite; nothing in a document is
ever executed: YAML goes through the safe loader only. Files a model names are read only
inside its folder, unless the caller allows otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel, ValidationError

from aimo._documents.files import FileProblem, expand_pattern, read_regular_file, resolve_inside
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.models import (
    MAX_DIGITS,
    X_FIELD,
    OperatingModel,
    PolicyConfig,
    Workflow,
    unknown_field_message,
    writable,
)
from aimo._documents.source import SourceMap, escape, pointer, set_source, source_of
from aimo._engine.observed import resolve
from aimo._errors import ConfigError, DocumentError, NotADocument, Problem, quote

__all__ = ["load", "read", "validate"]


M = TypeVar("M", bound=BaseModel)

PLAIN_DATA = (
    "an 'x-' field holds plain data: text, numbers, true/false, null, lists and mappings "
    "with text keys"
)

TOO_DEEP = (
    "this value nests too deeply, or holds itself, to be checked: an 'x-' field holds "
    "plain data a few levels deep"
)
#: pydantic's errors for a value that nests deeper than it validates, or holds itself.
_TOO_DEEP = frozenset({"recursion_loop", "recursion_depth_exceeded"})

# Fields only an operating model has; a workflow is told by its `id`.
_MODEL_KEYS = frozenset(OperatingModel.model_fields) - frozenset(Workflow.model_fields)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, set | frozenset):
        return "a set"
    return quote(value, 60)


def _date_message(found: dt.date) -> str:
    # YAML reads an unquoted 2026-11-27 as a date, wherever it stands.
    return (
        f"YAML reads {found.isoformat()} as a date, and only date fields hold dates; "
        f"quote it ('{found.isoformat()}') to keep it as text"
    )


def _message(cls: type[BaseModel], error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == X_FIELD:
        # pydantic-core checks the names of extra fields against ^x-: this one is a typo.
        return unknown_field_message(cls, error["loc"])
    found = error.get("input")
    if type(found) is dt.date and kind != "date_form":
        return _date_message(found)
    message = str(error["msg"])
    if kind in {"unknown_class"} or "input" not in error:
        return message
    return f"{message[0].lower()}{message[1:]} (found {_describe(found)})"


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

        def add(loc: tuple[int | str, ...], message: str) -> None:
            path = prefix + pointer(loc)
            line, column = source.position(path) if source else (None, None)
            file = source.file if source else None
            problems.setdefault(path + "\0" + message, Problem(path, message, file, line, column))

        x_fields: set[tuple[int | str, ...]] = set()
        too_deep: set[tuple[int | str, ...]] = set()
        for error in exc.errors(include_url=False):
            loc = error["loc"]
            x_field = _x_field(loc)
            pattern = (error.get("ctx") or {}).get("pattern")
            if x_field is not None and pattern != X_FIELD:
                # One problem per x- field, not one per alternative of the plain-data union.
                x_fields.add(x_field)
                if error["type"] in _TOO_DEEP:
                    too_deep.add(x_field)
            else:
                add(loc, _message(cls, error))
        for x_field in sorted(x_fields, key=str):
            if x_field in too_deep:
                # Walking such a value to explain it would recurse as deep as it does.
                add(x_field, TOO_DEEP)
                continue
            found = list(_not_plain(resolve(data, pointer(x_field)), x_field))
            for loc, message in found or [(x_field, PLAIN_DATA)]:
                add(loc, message)
        raise DocumentError(problems.values()) from None


def _not_plain(
    value: Any, loc: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """Where an x- field's value leaves JSON's data model, and how, for its problem."""
    if type(value) is dt.date:
        yield loc, _date_message(value)
    elif isinstance(value, float) and not math.isfinite(value):
        yield loc, f"{value} is not a finite number; JSON has no NaN or infinity"
    elif type(value) is int and not writable(value):
        yield loc, f"this number has more than {MAX_DIGITS:,} digits; the most is {MAX_DIGITS:,}"
    elif isinstance(value, set | frozenset):
        yield loc, "a set has no order, so it is not allowed here: use a list"
    elif isinstance(value, bytes | bytearray):
        yield loc, "binary data is not allowed here: use text"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _not_plain(item, (*loc, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_plain(item, (*loc, index))


class Parsed(NamedTuple):
    """A parsed file: its data, the positions of its values, and problems found so far.

    Problems that do not stop parsing (a key given twice) travel with the data, so that
    validation can add its own and every problem is reported at once.
    """

    data: Any
    source: SourceMap
    problems: list[Problem]


def read(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """Parse a YAML or JSON file into plain data and the positions of its values.

    :raises DocumentError: when the file cannot be read or parsed at all, holds values
        outside JSON's data model, or exceeds ``limits``.
    """
    file = os.fspath(path)
    try:
        raw = read_regular_file(file, limits)
    except FileProblem as exc:
        raise DocumentError([Problem("", exc.message, file)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            [Problem("", f"the file is not UTF-8 text (byte {exc.start})", file)]
        ) from None
    # PyYAML is imported on the first file read: a pipeline that passes dicts never needs it.
    from aimo._documents import yamlsource as _yamlsource

    if file.lower().endswith(".json"):
        return _read_json(text, file, limits)
    data, source, problems = _yamlsource.parse(text, file, limits)
    return Parsed(data, source, problems)


class _Refused:
    """A number JSON's grammar allows and a document may not hold: kept in place of the
    value while parsing, so that the problem can name where it stands."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _read_json(text: str, file: str, limits: Limits) -> Parsed:
    duplicates: list[str] = []
    refused: list[_Refused] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    def refuse(message: str) -> _Refused:
        value = _Refused(message)
        refused.append(value)
        return value

    def constant(name: str) -> Any:
        return refuse(f"{name} is not a number JSON allows; JSON has no NaN or infinity")

    def number(literal: str) -> Any:
        value = float(literal)
        if math.isfinite(value):
            return value
        return refuse(f"{quote(literal, 60)} is too large to be a number")

    def integer(literal: str) -> Any:
        digits = len(literal) - literal.startswith("-")
        if digits > MAX_DIGITS:
            return refuse(
                f"this number cannot be read: it has {digits:,} digits; the most is {MAX_DIGITS:,}"
            )
        return int(literal)

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_float=number,
            parse_int=integer,
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(
            [Problem("", f"this is not valid JSON: {exc.msg}", file, exc.lineno, exc.colno)]
        ) from None
    except RecursionError:
        raise DocumentError(
            [Problem("", f"the document nests deeper than {limits.max_depth} levels", file)]
        ) from None
    if not isinstance(data, dict):
        # Not a document, and perhaps a secret file a model named: nothing of it is quoted.
        kind = float if type(data) is _Refused else type(data)
        return Parsed(kind() if data is not None else None, SourceMap(file), [])
    from aimo._documents import yamlsource as _yamlsource

    try:
        # JSON's values come from json; its lines, duplicates and limits from the composer.
        source, problems = _yamlsource.positions(text, file, limits)
    except _yamlsource.YAMLError:
        # Valid JSON that YAML 1.1 cannot read (tabs, say): values are right, lines unknown.
        source = SourceMap(file)
        problems = [
            Problem("", f"the key {quote(key)} is given twice; give each field once", file)
            for key in duplicates
        ]
    if refused:
        budget = limits.max_document_bytes * _yamlsource.PATH_FACTOR
        raise DocumentError([*_where_refused(data, source, budget), *problems])
    return Parsed(data, source, problems)


def _where_refused(data: Any, source: SourceMap, budget: int) -> list[Problem]:
    """A problem at the path of each value parsing refused, in the document's order.

    The paths are those the composer's walk builds, and bounded the same way (``budget``
    characters in all), for the files YAML cannot read for their lines.
    """
    found: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        budget -= len(path)
        if budget < 0:
            message = "the document's keys are too long for the number of values under them; "
            found.append(Problem("", message + Limits.how_to_raise("max_document_bytes")))
            break
        if type(value) is _Refused:
            line, column = source.position(path)
            found.append(Problem(path, value.message, source.file, line, column))
        elif type(value) is dict:
            stack.extend(reversed([(f"{path}/{escape(k)}", v) for k, v in value.items()]))
        elif type(value) is list:
            stack.extend(reversed([(f"{path}/{i}", v) for i, v in enumerate(value)]))
    return found


def _is_object(text: str) -> bool:
    """Whether a JSON text is an object (a mapping), from its first character."""
    return text.lstrip(" \t\r\n").startswith("{")


#: The fields of a policy pack (spec 4.5); it may also have x- fields.
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
        set_source(workflow, (parsed.source, ""))
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
    """What configuration errors a model file alone can show: the floor rule, pack paths."""
    # Imported here: the configuration module validates through this one.
    from aimo._engine.config import check_floor, resolve_pack_paths

    check_floor(config, str(path) + ": ")
    folder = path.parent
    for index, entry in enumerate(config.paths):
        try:
            resolve_inside(entry, folder, allow_outside)
        except FileProblem as exc:
            raise ConfigError(f"{path}: /policies/paths/{index}: {exc.message}") from None
    try:
        resolve_pack_paths(config, folder)
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
    model = model.model_copy(update={"workflows": (*model.workflows, *loaded)})
    set_source(model, source)
    return model


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
