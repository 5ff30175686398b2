"""aimo's own policies, as the plugins an engine registers first.

The core policies and the run policies are Python modules; the shipped packs (``marketing``)
are declarative files. Listed here once, for the engine users build and for the test kit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from aimo._engine.pack import Pack
from aimo._engine.policy import Policy
from aimo._policies import core, run
from aimo._policies.packs import builtin_pack_paths, load_pack

__all__ = ["packs", "plugins", "policies"]


@functools.cache
def packs() -> tuple[Pack, ...]:
    """The shipped packs, read once per process: every engine, and every engine a model
    configures, shares them."""
    return tuple(load_pack(path) for path in builtin_pack_paths())


def plugins() -> Sequence[tuple[object, str, str]]:
    """Each built-in plugin as ``(plugin, name, source)``, in the order findings list them."""
    return (
        (core, "aimo", "aimo"),
        (run, "aimo.run", "aimo"),
        *((pack, pack.__name__, pack.name) for pack in packs()),
    )


def policies() -> Iterator[Policy]:
    """Every built-in policy."""
    yield from core.POLICIES
    yield from run.POLICIES
    for pack in packs():
        yield from pack.policies
