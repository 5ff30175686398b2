"""The engine users build, and the default one behind ``aimo.evaluate``.

This is where aimo's own policies meet its engine: :class:`Engine` is the engine of
:mod:`aimo._engine` with the built-in policies (core, run and the shipped packs) as its
first plugins, registered through the same path as any third-party plugin, and with the
pack reader of :mod:`aimo._policies`. The functions below use one default engine, built on
first use.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from aimo._documents.limits import Limits
from aimo._documents.loader import load as load_document
from aimo._documents.models import OperatingModel, Workflow
from aimo._engine.config import check_floors, floors
from aimo._engine.engine import BaseEngine
from aimo._engine.pack import Pack
from aimo._policies import builtin
from aimo._policies.packs import load_pack

__all__ = [
    "Engine",
    "assess",
    "default_engine",
    "evaluate",
    "evaluate_many",
    "evaluate_model",
    "load",
]

P = ParamSpec("P")
R = TypeVar("R")


class Engine(BaseEngine):
    __doc__ = BaseEngine.__doc__

    def builtin_plugins(self) -> Sequence[tuple[object, str, str]]:
        """aimo's core and run policies, then its shipped packs."""
        return builtin.plugins()

    @classmethod
    def read_pack(cls, path: str | os.PathLike[str]) -> Pack:
        """Read and check the pack file at ``path`` (see :func:`aimo.load_pack`)."""
        return load_pack(path)


_DEFAULT: Engine | None = None
_LOCK = threading.Lock()


def default_engine() -> Engine:
    """The engine behind :func:`evaluate`: built-ins and installed plugins, built once."""
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = Engine()
    return _DEFAULT


def _on_default(method: Callable[Concatenate[BaseEngine, P], R]) -> Callable[P, R]:
    """``method`` of the default engine, as a function: its signature, spelled out once on
    the engine, is the function's too."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return method(default_engine(), *args, **kwargs)

    signature = inspect.signature(method)
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    call.__module__ = "aimo"
    call.__qualname__ = method.__name__
    call.__doc__ = f"The default engine's :meth:`aimo.Engine.{method.__name__}`.\n\n{call.__doc__}"
    return call


evaluate = _on_default(BaseEngine.evaluate)
evaluate_model = _on_default(BaseEngine.evaluate_model)
assess = _on_default(BaseEngine.assess)
evaluate_many = _on_default(BaseEngine.evaluate_many)


def load(
    path: str | os.PathLike[str],
    *,
    limits: Limits | None = None,
    allow_outside: bool = False,
) -> Workflow | OperatingModel:
    """Load a workflow or an operating model from a YAML or JSON file.

    An operating model's ``workflow_files`` globs are resolved relative to the model file.
    Every problem, in the model and in each workflow file, is raised at once as one
    :class:`~aimo.DocumentError`. A model's ``policies`` block is checked as far as the file
    alone can show: its pack paths exist inside its folder, and it lowers no built-in policy
    below its floor.

    :param limits: what reading may cost (default: :class:`aimo.Limits`' defaults).
    :param allow_outside: let a model's ``workflow_files`` and ``policies.paths`` name files
        outside the model's folder (by default that is an error of the model).
    :raises DocumentError: for any problem in the model or its workflow files.
    :raises ConfigError: for a model whose policy configuration is invalid.
    :raises TypeError: when ``path`` is not a path.
    """
    document = load_document(path, limits=limits, allow_outside=allow_outside)
    if isinstance(document, OperatingModel) and document.policies is not None:
        check_floors(document.policies, floors(builtin.policies()), str(Path(path)))
    return document
