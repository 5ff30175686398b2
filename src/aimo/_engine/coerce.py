"""What the API takes for a workflow, a model or a run, turned into the documents it means.

``evaluate`` and its siblings take a model object, plain data or a file path; each is read
or validated here, once, so that the evaluation loop only ever sees validated documents.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from aimo._documents.inventory import Inventory, Rejected
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.loader import load, read_model
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.reader import Parsed
from aimo._documents.run import Run
from aimo._documents.source import SourceMap
from aimo._documents.validate import validate
from aimo._errors import DocumentError, Problem

__all__ = [
    "ModelLike",
    "RunLike",
    "WorkflowLike",
    "coerce_inventory",
    "coerce_model",
    "coerce_run",
    "coerce_workflow",
    "default_model",
]

WorkflowLike = Workflow | Mapping[str, Any] | str | os.PathLike[str]
ModelLike = OperatingModel | Mapping[str, Any] | str | os.PathLike[str]
RunLike = Run | Mapping[str, Any]


def coerce_workflow(workflow: WorkflowLike, limits: Limits = DEFAULT_LIMITS) -> Workflow:
    """A workflow, plain data or the path of a workflow file, as a validated workflow.

    :raises DocumentError: when it is invalid, or the file holds an operating model.
    :raises TypeError: for anything else.
    """
    if isinstance(workflow, Workflow):
        return workflow
    if isinstance(workflow, Mapping):
        return validate(Workflow, workflow)
    if isinstance(workflow, str | os.PathLike):
        document = load(workflow, limits=limits)
        if isinstance(document, OperatingModel):
            raise DocumentError(
                [
                    Problem(
                        "",
                        "this file is an operating model, not a workflow; evaluate it "
                        "with aimo.evaluate_model",
                        os.fspath(workflow),
                    )
                ]
            )
        return document
    raise TypeError(
        f"evaluate() takes a Workflow, a mapping or a path, not {type(workflow).__name__}"
    )


def coerce_model(model: ModelLike, limits: Limits = DEFAULT_LIMITS) -> OperatingModel:
    """An operating model, plain data or the path of a model file, as a validated model.

    :raises DocumentError: when it is invalid, or the file holds a workflow.
    :raises TypeError: for anything else.
    """
    if isinstance(model, OperatingModel):
        return model
    if isinstance(model, Mapping):
        if model.get("workflow_files"):
            raise DocumentError(
                [
                    Problem(
                        "/workflow_files",
                        "workflow_files are resolved relative to a model "
                        "file; pass the model's path instead",
                    )
                ]
            )
        return validate(OperatingModel, model)
    if isinstance(model, str | os.PathLike):
        document = load(model, limits=limits)
        if not isinstance(document, OperatingModel):
            raise DocumentError(
                [Problem("", "this file is a workflow, not an operating model", os.fspath(model))]
            )
        return document
    raise TypeError(f"expected an OperatingModel, a mapping or a path, not {type(model).__name__}")


def coerce_inventory(
    model: ModelLike | Inventory, limits: Limits = DEFAULT_LIMITS
) -> tuple[OperatingModel, Iterable[Workflow | Rejected], int]:
    """A model to judge workflow by workflow: the model, its workflows (an invalid one as
    :class:`Rejected`, read as they are reached), and how many there are. An inventory
    already read (by the command line, which reads every model before judging any) is
    taken as it is.

    :raises DocumentError: when the model itself is invalid or unreadable: its fields, its
        configuration's pack paths, its ``workflow_files`` patterns.
    :raises ConfigError: when its configuration names pack paths that do not exist.
    :raises TypeError: for anything that is not a model, its data or its path.
    """
    if isinstance(model, OperatingModel):
        return model, model.workflows, len(model.workflows)
    if isinstance(model, Inventory):
        inventory = model
    elif isinstance(model, Mapping):
        inventory = Inventory(
            Parsed(dict(model), SourceMap(""), []), path=None, limits=limits, allow_outside=False
        )
    elif isinstance(model, str | os.PathLike):
        inventory = read_model(model, limits=limits)
    else:
        raise TypeError(
            f"expected an OperatingModel, a mapping or a path, not {type(model).__name__}"
        )
    if inventory.problems or inventory.model is None:
        raise DocumentError(inventory.problems)
    inventory.check_config()
    return inventory.model, inventory.entries(), len(inventory)


def coerce_run(run: RunLike | None) -> Run | None:
    """A run, or its plain data, as a validated :class:`aimo.Run` (None stays None).

    :raises DocumentError: naming every problem with the run, at its path under ``/run``.
    :raises TypeError: for anything else.
    """
    if run is None or isinstance(run, Run):
        return run
    if isinstance(run, Mapping):
        return validate(Run, run, prefix="/run")
    raise TypeError(f"the run must be an aimo.Run or its plain data, not {type(run).__name__}")


_DEFAULT_MODEL: OperatingModel | None = None


def default_model() -> OperatingModel:
    """The operating model of the spec's defaults, used when none is given."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        _DEFAULT_MODEL = OperatingModel()
    return _DEFAULT_MODEL
