"""Where things are in a source file: JSON Pointers mapped to lines and columns, and where a
loaded document came from."""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict


class Location(BaseModel):
    """A place in a source file; ``line`` and ``column`` are 1-based."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    line: int | None = None
    column: int | None = None


class Source(NamedTuple):
    """Where a loaded document came from: the positions of its file, and where in that file
    the document starts (``""`` for a whole file, ``/workflows/2`` for an inline workflow)."""

    positions: SourceMap
    prefix: str = ""

    @property
    def file(self) -> str:
        return self.positions.file

    def locate(self, path: str) -> Location:
        """The place in the file of ``path``, a JSON Pointer into the document."""
        return self.positions.locate(self.prefix + path)


def source_of(document: Any) -> Source | None:
    """Where a loaded document came from, as the loader recorded it, or None.

    Kept in pydantic's private-attribute slot without declaring a private attribute:
    declaring one makes pydantic run Python code for every validated workflow.
    """
    private = document.__pydantic_private__
    return private.get("source") if private else None


def set_source(document: Any, source: Source) -> None:
    private = document.__pydantic_private__
    if private is None:
        object.__setattr__(document, "__pydantic_private__", {"source": source})
    else:
        private["source"] = source


class Positions(Protocol):
    """Line and column by JSON Pointer: a dict, or positions found in the text on demand."""

    def get(self, path: str, /) -> tuple[int, int] | None: ...


class SourceMap:
    """The positions of one file's values, by JSON Pointer."""

    __slots__ = ("file", "positions")

    def __init__(self, file: str, positions: Positions | None = None) -> None:
        self.file = file
        self.positions: Positions = positions if positions is not None else {}

    def position(self, path: str) -> tuple[int | None, int | None]:
        """The line and column of ``path``, or of its nearest ancestor that has one."""
        positions = self.positions
        while True:
            found = positions.get(path)
            if found is not None:
                return found
            if not path:
                return None, None
            path = path[: path.rfind("/")]

    def locate(self, path: str) -> Location:
        line, column = self.position(path)
        return Location(file=self.file, line=line, column=column)

    def __reduce__(self) -> tuple[type[SourceMap], tuple[str, Positions]]:
        return SourceMap, (self.file, self.positions)
