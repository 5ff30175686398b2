"""Where plugins come from and how they travel: installed distributions, pickling, and the
plugins every engine of a process registers.

A policy has one source however its plugin was registered (entry point or
``plugins=[...]``), and an engine pickles as what built it, because a pluggy plugin
manager holds functions and cannot itself be pickled.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Callable, Mapping, Sequence

from aimo._engine.pack import Pack

#: The entry-point group installed plugins register under.
ENTRY_POINT_GROUP = "aimo"

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROCESS_PLUGINS",
    "picklable_plugin",
    "plugin_name",
    "plugin_version",
    "restore_plugins",
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
    """What stands for a plugin when its engine is pickled: a module by name, a pack by its
    file, anything else as itself."""
    if isinstance(plugin, types.ModuleType):
        return _ModuleRef(plugin.__name__)
    if isinstance(plugin, Pack):
        return _PackRef(plugin.path)
    return plugin


def restore_plugins(plugins: Sequence[object], read_pack: Callable[[str], Pack]) -> list[object]:
    """The plugins :func:`picklable_plugin` stood in for, read again in this process."""
    restored: list[object] = []
    for plugin in plugins:
        if isinstance(plugin, _ModuleRef):
            restored.append(importlib.import_module(plugin.name))
        elif isinstance(plugin, _PackRef):
            restored.append(read_pack(plugin.path))
        else:
            restored.append(plugin)
    return restored


#: Plugins every engine of this process registers besides its own: for aimo's own tooling
#: (the test kit's outcome coverage listens to every verdict through the aimo_verdict hook).
PROCESS_PLUGINS: list[object] = []
