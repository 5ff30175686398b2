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
from typing import Any

from aimo._documents.inventory import Inventory, Rejected, is_workflow
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.reader import parse, read, read_bytes
from aimo._documents.source import Source, set_source
from aimo._documents.validate import validate
from aimo._errors import DocumentError, NotADocument, Problem

__all__ = [
    "is_model",
    "is_pack",
    "is_result",
    "load",
    "open_model",
    "read_document",
    "read_model",
    "whole_model",
]

_MODEL_KEYS = frozenset(OperatingModel.model_fields) - frozenset(Workflow.model_fields)
_MODEL_KEY_BYTES = tuple(key.encode() for key in sorted(_MODEL_KEYS))


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


#: The fields of what ``aimo check --format json`` writes: a run's result, not a document.
_CHECK_KEYS = frozenset(
    {
        "aimo",
        "evaluated_on",
        "policy_set",
        "results",
        "summary",
        "model_summary",
        "rollup",
        "problems",
    }
)
#: The fields of what ``aimo report`` and ``aimo impact`` write as JSON, and of SARIF: each
#: is written whole, every field every time.
_OTHER_RESULTS = (
    frozenset({"today", "horizon_days", "sections"}),
    frozenset({"today", "before_today", "judged", "summary", "changes"}),
)
_SARIF_KEYS = frozenset({"$schema", "version", "runs"})


def is_result(data: Any) -> bool:
    """Whether parsed data is a result aimo wrote (``aimo check``, ``report`` or ``impact``
    as JSON, or SARIF), rather than a document.

    A check result's ``aimo`` field is the version that wrote it, so it would pass for a
    model; a run that writes its result into the folder it checks must not take it for
    one, nor stop on it, next time. Only those fields, and a version no model can have (a
    model's ``aimo`` is 1): nothing a model or a workflow could be judged on is passed over.
    """
    if not isinstance(data, dict):
        return False
    keys = data.keys()
    if "aimo" in data:
        return (
            type(data["aimo"]) is str
            and "evaluated_on" in data
            and "policy_set" in data
            and _CHECK_KEYS.issuperset(keys)
        )
    if keys == _SARIF_KEYS:
        runs = data["runs"]
        return isinstance(runs, list) and all(_written_by_aimo(run) for run in runs)
    return any(keys == fields for fields in _OTHER_RESULTS)


def _written_by_aimo(run: Any) -> bool:
    tool = run.get("tool") if isinstance(run, dict) else None
    driver = tool.get("driver") if isinstance(tool, dict) else None
    return isinstance(driver, dict) and driver.get("name") == "aimo"


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


def read_model(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_outside: bool = False,
) -> Inventory:
    """An operating model file read for judging each of its workflows on its own.

    :raises DocumentError: when the file cannot be read or is not an operating model (a
        problem of the model's own fields is in the inventory's ``problems``).
    :raises TypeError: when ``path`` is not a path.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"expected the path of a file, not {type(path).__name__}")
    parsed = read(path, DEFAULT_LIMITS if limits is None else limits)
    if is_result(parsed.data):
        message = "this is a result aimo wrote, not an operating model"
        raise DocumentError([Problem("", message, parsed.source.file)])
    if not is_model(parsed.data):
        kind = "a policy pack" if is_pack(parsed.data) else "a workflow"
        if is_pack(parsed.data) or is_workflow(parsed.data):
            message = f"this file is {kind}, not an operating model"
            raise DocumentError([Problem("", message, parsed.source.file)])
        raise DocumentError([_kind_problem(parsed.data, parsed.source.file)])
    return Inventory(
        parsed,
        path=Path(path),
        limits=DEFAULT_LIMITS if limits is None else limits,
        allow_outside=allow_outside,
    )


def open_model(
    path: str | os.PathLike[str], *, limits: Limits, allow_outside: bool = False
) -> Inventory | None:
    """The file as an operating model, or None when it is not one.

    For a command given a folder of thousands of workflow files, which must find the models
    among them before judging any file (a model claims the workflow files it lists): a file
    whose bytes spell none of the fields only a model has, even escaped, is no model (``aimo``
    may be left out: it defaults to 1), so it is not parsed here.

    :raises DocumentError: when the file cannot be read, or may be a model and does not parse.
    """
    file = os.fspath(path)
    raw = read_bytes(file, limits)
    if b"\\" not in raw and not any(key in raw for key in _MODEL_KEY_BYTES):
        return None
    parsed = parse(raw, file, limits)
    # A pack has a `policies` block, as a model does: it is a pack all the same.
    if is_pack(parsed.data) or is_result(parsed.data) or not is_model(parsed.data):
        return None
    return Inventory(parsed, path=Path(path), limits=limits, allow_outside=allow_outside)


def read_document(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_outside: bool = False,
) -> Workflow | Inventory:
    """A file as it is judged: a workflow file strictly, an operating model as an
    :class:`Inventory` whose workflows are read and checked one by one.

    :raises NotADocument: when the file is a policy pack or a result aimo wrote.
    :raises DocumentError: when the file cannot be read, is neither kind of document, or is
        a workflow with problems.
    :raises TypeError: when ``path`` is not a path.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load() takes the path of a file, not {type(path).__name__}")
    limits = DEFAULT_LIMITS if limits is None else limits
    parsed = read(path, limits)
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
    if is_result(parsed.data):
        message = (
            "this is a result aimo wrote, not a workflow or an operating model; check the "
            "files it was written from"
        )
        raise NotADocument([Problem("", message, parsed.source.file)])
    if is_model(parsed.data):
        return Inventory(parsed, path=Path(path), limits=limits, allow_outside=allow_outside)
    if is_workflow(parsed.data):
        problems = list(parsed.problems)
        try:
            workflow = validate(Workflow, parsed.data, parsed.source)
        except DocumentError as exc:
            problems.extend(exc.problems)
        if problems:
            raise DocumentError(problems)
        set_source(workflow, Source(parsed.source))
        return workflow
    raise DocumentError([_kind_problem(parsed.data, parsed.source.file)])


def load(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_outside: bool = False,
) -> Workflow | OperatingModel:
    """Load a workflow or an operating model from a YAML or JSON file, strictly.

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
    document = read_document(path, limits=limits, allow_outside=allow_outside)
    return whole_model(document) if isinstance(document, Inventory) else document


def whole_model(inventory: Inventory) -> OperatingModel:
    """The model of an inventory with every workflow, or every problem at once.

    :raises DocumentError: for any problem of the model or of any of its workflows.
    :raises ConfigError: for a model whose policy configuration is invalid.
    """
    problems = list(inventory.problems)
    workflows: list[Workflow] = []
    for entry in inventory.entries():
        if isinstance(entry, Rejected):
            problems.extend(entry.problems)
        else:
            workflows.append(entry)
    if problems or inventory.model is None:
        raise DocumentError(problems)
    inventory.check_config()
    model = inventory.model.model_copy(update={"workflows": tuple(workflows)})
    if inventory.source is not None:
        set_source(model, inventory.source)
    return model
