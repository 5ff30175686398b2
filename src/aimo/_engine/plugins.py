"""Where plugins come from and how they travel: installed distributions, and pickling.

A policy has one source however its plugin was registered (entry point or
``plugins=[...]``), and an engine pickles as what built it, because a pluggy plugin
manager holds functions and cannot itself be pickled.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING

from aimo._policies.packs import Pack, load_pack

if TYPE_CHECKING:
    from aimo._documents.limits import Limits
    from aimo._documents.models import PolicyConfig
    from aimo._engine.engine import Engine

#: The entry-point group installed plugins register under.
ENTRY_POINT_GROUP = "aimo"

__all__ = [
    "ENTRY_POINT_GROUP",
    "picklable_plugin",
    "plugin_name",
    "plugin_version",
    "rebuild_engine",
]


@functools.cache
def _distributions() -> Mapping[str, list[str]]:
    from importlib import metadata

    return metadata.packages_distributions()


def _distribution(plugin: object) -> tuple[str, str] | None:
    """The installed distribution that provides a plugin, as (name, version), if any."""
    from importlib import metadata

    module = plugin.__name__ if isinstance(plugin, types.ModuleType) else type(plugin).__module__
    # An installed plugin's own entry point says which distribution it is; editable
    # installs do not always appear in packages_distributions(), entry points always do.
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if ep.dist is not None and ep.module == module:
            return ep.dist.name, ep.dist.version
    names = _distributions().get(module.split(".")[0])
    if not names:
        return None
    try:
        dist = metadata.distribution(names[0])
    except metadata.PackageNotFoundError:
        return None
    return str(dist.metadata["Name"]), dist.version


def plugin_name(plugin: object) -> str:
    # Named as its distribution when installed, so a policy has one source however it
    # was registered (entry point or plugins=[...]).
    dist = _distribution(plugin)
    if dist is not None:
        return dist[0]
    name = getattr(plugin, "__name__", None)
    if isinstance(name, str):
        return name
    kind = type(plugin)
    return f"{kind.__module__}.{kind.__qualname__}"


def plugin_version(plugin: object) -> str | None:
    dist = _distribution(plugin)
    if dist is not None:
        return dist[1]
    module_name = getattr(plugin, "__name__", None) or type(plugin).__module__
    top = str(module_name).split(".")[0]
    module = sys.modules.get(top)
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


class _ModuleRef:
    """A plugin module, pickled by name."""

    def __init__(self, name: str) -> None:
        self.name = name


class _PackRef:
    """A pack, pickled by its path."""

    def __init__(self, path: str) -> None:
        self.path = path


def picklable_plugin(plugin: object) -> object:
    if isinstance(plugin, types.ModuleType):
        return _ModuleRef(plugin.__name__)
    if isinstance(plugin, Pack):
        return _PackRef(plugin.path)
    return plugin


def rebuild_engine(
    plugins: tuple[object, ...],
    config: PolicyConfig | None,
    builtins: bool,
    entry_points: bool,
    limits: Limits,
) -> Engine:
    restored: list[object] = []
    for plugin in plugins:
        if isinstance(plugin, _ModuleRef):
            restored.append(importlib.import_module(plugin.name))
        elif isinstance(plugin, _PackRef):
            restored.append(load_pack(plugin.path))
        else:
            restored.append(plugin)
    from aimo._engine.engine import Engine

    return Engine(
        restored, config=config, builtins=builtins, entry_points=entry_points, limits=limits
    )
