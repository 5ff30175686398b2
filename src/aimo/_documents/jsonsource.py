"""JSON with positions, without a YAML parser: where each value of a JSON text stands.

``json`` reads a JSON file's values fast but says nothing of where they are; reading the
same text again through YAML's composer to learn the lines costs more than everything
else aimo does with the file. Positions are needed only for a problem or a failing
finding, so they are found here, from the text, when first asked for: one pass of a regular
expression over the structure, the lines of the values it finds computed on demand.
"""

from __future__ import annotations

import bisect
import json
import re

from aimo._documents.pointer import escape

__all__ = ["JsonPositions", "scan"]

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
#: A number or a literal (NaN and Infinity too, which are refused at their place): the text
#: up to the next delimiter.
_BARE = r"[-0-9tfnIN][^,\]}\s]*"
#: One token per value, most of the time: a key with its colon, and its value too when that
#: is a leaf (groups 1 and 2); a string or a bare leaf in an array, or the root (3, 4); an
#: opening bracket (5); a closing one (no group). Commas, colons and spaces are taken in
#: with the token that follows, never tokens of their own: the scan costs one step of
#: Python per value, not per mark of punctuation.
_TOKEN = re.compile(
    rf"[\s,]*(?:"
    rf'(?=")(?:({_STRING})\s*:\s*({_STRING}|{_BARE})?|({_STRING}))'
    rf"|({_BARE})"
    r"|([{\[])"
    r"|[}\]])"
)
_KEY, _KEY_AND_LEAF, _STRING_LEAF, _BARE_LEAF, _OPEN = 1, 2, 3, 4, 5
_SPACE = " \t\r\n"


def scan(text: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The offset of every value of a JSON text by JSON Pointer, and each key given twice
    (its pointer, and the offset of the second key).

    The text is known to be valid JSON (``json`` read it first), so the scan only tracks
    where it is: the open containers, and the key or index the next value takes.
    """
    offsets: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    stack: list[_Frame] = []
    # The pointer of the container value a key announced, until its bracket opens.
    pending = ""
    for match in _TOKEN.finditer(text):
        kind = match.lastindex
        if kind in (_KEY, _KEY_AND_LEAF):
            frame = stack[-1]
            raw = match.group(1)
            key = json.loads(raw) if "\\" in raw else raw[1:-1]
            path = frame.path + "/" + (escape(key) if "~" in key or "/" in key else key)
            keys = frame.keys
            assert keys is not None
            if key in keys:
                duplicates.append((path, match.start(1)))  # where the second key is written
            keys.add(key)
            if kind == _KEY_AND_LEAF:
                offsets.setdefault(path, match.start(2))
            else:
                pending = path
        elif kind is not None:
            if not stack:
                path = ""
            elif stack[-1].keys is None:
                frame = stack[-1]
                path = f"{frame.path}/{frame.index}"
                frame.index += 1
            else:
                path = pending
            # A key given twice keeps its first value's place, and its values' places.
            offsets.setdefault(path, match.start(kind))
            if kind == _OPEN:
                stack.append(_Frame(path, match.group(_OPEN) == "{"))
        else:
            stack.pop()
    return offsets, duplicates


class _Frame:
    __slots__ = ("index", "keys", "path")

    def __init__(self, path: str, is_object: bool) -> None:
        self.path = path
        self.keys: set[str] | None = set() if is_object else None
        self.index = 0


class JsonPositions:
    """The positions of a JSON text's values, found on first use and kept."""

    __slots__ = ("_duplicates", "_lines", "_offsets", "_text")

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._offsets: dict[str, int] | None = None
        self._duplicates: list[tuple[str, int]] = []
        self._lines: list[int] = []

    def _load(self) -> dict[str, int]:
        if self._offsets is None:
            text = self._text or ""
            self._offsets, self._duplicates = scan(text)
            self._lines = [m.start() for m in re.finditer("\n", text)]
            self._text = None  # the positions are all that is needed of it now
        return self._offsets

    def line_column(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset."""
        self._load()
        line = bisect.bisect_left(self._lines, offset)
        start = self._lines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def get(self, path: str) -> tuple[int, int] | None:
        """The line and column of the value at ``path``, or None."""
        offset = self._load().get(path)
        return None if offset is None else self.line_column(offset)

    def duplicates(self) -> list[tuple[str, int, int]]:
        """Each key given twice: its pointer, line and column."""
        self._load()
        return [(path, *self.line_column(offset)) for path, offset in self._duplicates]
