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

#: A JSON token that shapes the structure: a string (keys among them) or a punctuation mark.
#: Numbers and literals are found as the text between them.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]')
_SPACE = " \t\r\n"


def scan(text: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """The offset of every value of a JSON text by JSON Pointer, and each key given twice
    (its pointer, and the offset of the second key).

    The text is known to be valid JSON (``json`` read it first), so the scan only tracks
    where it is: the open containers, and the key or index the next value takes.
    """
    offsets: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    # One frame per open container: [pointer, keys seen (object) or None, next index, key].
    stack: list[_Frame] = []
    root = _first_value(text)
    if root is None:
        return offsets, duplicates
    offsets[""] = root
    expect_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        char = token[0]
        if char == '"':
            if expect_key:
                frame = stack[-1]
                frame.key = json.loads(token) if "\\" in token else token[1:-1]
                frame.key_at = match.start()
                expect_key = False
            elif stack:
                _record(offsets, duplicates, stack[-1], match.start())
        elif char == "{" or char == "[":
            path = _record(offsets, duplicates, stack[-1], match.start()) if stack else ""
            stack.append(_Frame(path, char == "{"))
            expect_key = char == "{"
            if char == "[":
                _scalar_after(text, match.end(), offsets, duplicates, stack[-1])
        elif char == "}" or char == "]":
            stack.pop()
            expect_key = False
        elif char == ":":
            _scalar_after(text, match.end(), offsets, duplicates, stack[-1])
        else:  # a comma
            frame = stack[-1]
            if frame.keys is not None:
                expect_key = True
            else:
                _scalar_after(text, match.end(), offsets, duplicates, frame)
    return offsets, duplicates


class _Frame:
    __slots__ = ("index", "key", "key_at", "keys", "path")

    def __init__(self, path: str, is_object: bool) -> None:
        self.path = path
        self.keys: set[str] | None = set() if is_object else None
        self.index = 0
        self.key = ""
        self.key_at = 0


def _first_value(text: str) -> int | None:
    stripped = len(text) - len(text.lstrip(_SPACE + "\ufeff"))
    return stripped if stripped < len(text) else None


def _scalar_after(
    text: str, end: int, offsets: dict[str, int], duplicates: list[tuple[str, int]], frame: _Frame
) -> None:
    """Record a number or literal if that is what the next value is: it has no token."""
    index = end
    length = len(text)
    while index < length and text[index] in _SPACE:
        index += 1
    if index < length and text[index] not in '"{[]},':
        _record(offsets, duplicates, frame, index)


def _record(
    offsets: dict[str, int], duplicates: list[tuple[str, int]], frame: _Frame, start: int
) -> str:
    """Record the next value of ``frame`` at ``start``; return its pointer."""
    keys = frame.keys
    if keys is None:
        path = f"{frame.path}/{frame.index}"
        frame.index += 1
    else:
        key = frame.key
        path = f"{frame.path}/{escape(key)}"
        if key in keys:
            duplicates.append((path, frame.key_at))  # where the second key is written
            return path
        keys.add(key)
    offsets[path] = start
    return path


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
