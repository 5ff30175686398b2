"""JSON with positions, without a YAML parser: where each value of a JSON text stands.

``json`` reads a JSON file's values fast but says nothing of where they are; reading the
same text again through YAML's composer to learn the lines costs more than everything
else aimo does with the file. Positions are needed only for a problem or a failing
finding, so they are found here, from the text, when asked for, by walking the text along
the pointer asked for (:class:`JsonPositions`). :func:`scan`, one pass over the whole
text, finds every value at once, for the keys given twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from aimo._documents.pointer import escape, unescape

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


class _Progress:
    """How far one object or array has been read: where its next member starts, the value
    passed over but not yet skipped, and (an array) the offsets of its elements so far."""

    __slots__ = ("done", "elements", "next", "pending")

    def __init__(self, first: int) -> None:
        self.next = first
        self.pending: int | None = None
        self.done = False
        self.elements: list[int] = []


_WS = re.compile(r"[ \t\r\n]*")
_LONE_CR = re.compile(r"\r(?!\n)")
#: Skips one value, in C: the scanner of the json module returns where the value ends.
_SKIP: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
#: Reads one string from after its opening quote, in C: its text and where it ends.
_STRING_AT: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _space(text: str, at: int) -> int:
    """The offset of the first character from ``at`` on that is not JSON whitespace."""
    match = _WS.match(text, at)
    assert match is not None  # "zero or more" always matches
    return match.end()


#: Members looked up before the cache of them is emptied (the offsets of arrays' elements
#: are kept: a large inventory is read in order, element after element).
_CACHE = 65_536


class JsonPositions:
    """The positions of a JSON text's values, found when asked for.

    A value is found by walking the text along its JSON Pointer, from the nearest container
    already reached: the members before it are stepped over by the json module's scanner, in
    C. Nothing is computed for values no finding or problem points at, the memory kept is
    the text and a bounded cache, and the elements of a large array (an inventory's
    workflows) are each stepped over once when they are read in order. Should the walk fail
    on text ``json`` read (it cannot, but this is the safe side), the whole text is scanned
    instead.
    """

    __slots__ = ("_containers", "_duplicates", "_found", "_full", "_lines", "_mark", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # A carriage return alone ends a line too, as it does for YAML, editors and SARIF
        # viewers: the lines are counted in a copy where it is a line feed (same offsets).
        lone = "\r" in text and _LONE_CR.search(text) is not None
        self._lines = _LONE_CR.sub("\n", text) if lone else text
        self._found: dict[str, int | None] = {}
        self._containers: dict[str, _Progress] = {}
        self._full: dict[str, int] | None = None
        self._duplicates: list[tuple[str, int]] | None = None
        # The last offset whose line was computed, the newlines before it, and where its
        # line starts.
        self._mark = (0, 0, 0)

    def offset(self, path: str) -> int | None:
        """The character offset of the value at ``path``, or None."""
        if self._full is not None:
            return self._full.get(path)
        if len(self._found) > _CACHE:
            self._found.clear()
            # An inventory's workflows are kept: they are read in order, one after another.
            self._containers = {
                pointer: progress
                for pointer, progress in self._containers.items()
                if progress.elements and pointer.count("/") <= 1
            }
        try:
            return self._resolve(path)
        except (ValueError, IndexError, StopIteration, RecursionError):
            self._full, _ = scan(self._text)
            return self._full.get(path)

    def _resolve(self, path: str) -> int | None:
        found = self._found
        if path in found:
            return found[path]
        cut = path.rfind("/")
        if cut < 0:
            result: int | None = _space(self._text, 0) if path == "" else None
            if result is not None and result >= len(self._text):
                result = None
        else:
            parent = path[:cut]
            start = self._resolve(parent)
            if start is None:
                result = None
            else:
                token = unescape(path[cut + 1 :])
                kind = self._text[start]
                if kind == "{":
                    result = self._member(parent, start, path)
                elif kind == "[":
                    result = self._element(parent, start, token)
                else:
                    result = None
        found[path] = result
        return result

    def _progress(self, pointer: str, start: int) -> _Progress:
        progress = self._containers.get(pointer)
        if progress is None:
            progress = self._containers[pointer] = _Progress(_space(self._text, start + 1))
        return progress

    def _advance(self, progress: _Progress, closing: str) -> None:
        """Step over the pending value, and past the comma after it."""
        text = self._text
        if progress.pending is not None:
            end = _SKIP(text, progress.pending)[1]
            progress.pending = None
            after = _space(text, end)
            progress.next = _space(text, after + 1) if text[after] == "," else after
        if text[progress.next] == closing:
            progress.done = True

    def _member(self, parent: str, start: int, target: str) -> int | None:
        text, found = self._text, self._found
        progress = self._progress(parent, start)
        while True:
            self._advance(progress, "}")
            if progress.done:
                return found.get(target)
            key, end = _STRING_AT(text, progress.next + 1)
            value = _space(text, _space(text, end) + 1)
            pointer = f"{parent}/{escape(key)}"
            # A key given twice keeps its first value's place.
            found.setdefault(pointer, value)
            progress.pending = value
            if pointer == target:
                return found[pointer]

    def _element(self, parent: str, start: int, reference: str) -> int | None:
        # An array index in a JSON Pointer is digits without a leading zero.
        if not reference.isdigit() or (len(reference) > 1 and reference[0] == "0"):
            return None
        index = int(reference)
        progress = self._progress(parent, start)
        elements = progress.elements
        while len(elements) <= index:
            self._advance(progress, "]")
            if progress.done:
                return None
            elements.append(progress.next)
            progress.pending = progress.next
        return elements[index]

    def line_column(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset."""
        text = self._lines
        at, lines, start = self._mark
        # Only the text between the last offset and this one is read: an export is often
        # one line, and looking back to its start for every finding made the cost grow with
        # the number of findings times the length of the file.
        if offset >= at:
            newlines = text.count("\n", at, offset)
            if newlines:
                lines += newlines
                start = text.rfind("\n", at, offset) + 1
        else:
            newlines = text.count("\n", offset, at)
            if newlines:
                lines -= newlines
                start = text.rfind("\n", 0, offset) + 1
        self._mark = (offset, lines, start)
        return lines + 1, offset - start + 1

    def get(self, path: str) -> tuple[int, int] | None:
        """The line and column of the value at ``path``, or None."""
        offset = self.offset(path)
        return None if offset is None else self.line_column(offset)

    def duplicates(self) -> list[tuple[str, int, int]]:
        """Each key given twice: its pointer, line and column (found by a scan of the whole
        text, which only a document with a key given twice needs)."""
        if self._duplicates is None:
            self._full, self._duplicates = scan(self._text)
        return [(path, *self.line_column(offset)) for path, offset in self._duplicates]
