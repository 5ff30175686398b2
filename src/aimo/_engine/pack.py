"""A declarative pack as the engine sees it: a named, versioned plugin holding policies.

Reading and checking pack files is the policies' business (``aimo._policies.packs``); the
engine only needs to know a pack's name (two packs may not share one), its version and the
file it came from (to carry it to another process).
"""

from __future__ import annotations

from collections.abc import Sequence

from aimo._engine.policy import Policy
from aimo._hooks import hookimpl

__all__ = ["Pack"]


class Pack:
    """A loaded declarative pack, registered with an engine like any plugin."""

    def __init__(
        self,
        name: str,
        version: str,
        path: str,
        policies: Sequence[Policy],
        description: str = "",
    ) -> None:
        self.__name__ = f"pack:{name}"
        self.name = name
        self.version = version
        self.path = path
        #: What the pack is for, in a paragraph: the introduction of its reference section.
        self.description = description
        self.policies = tuple(policies)
        for policy in self.policies:
            policy.pack, policy.pack_version = name, version

    @hookimpl
    def aimo_policies(self) -> list[Policy]:
        return list(self.policies)

    def __repr__(self) -> str:
        return f"<Pack {self.name} {self.version} from {self.path}>"
