"""Reading a YAML or JSON file into plain data and the positions of its values, safely.

Untrusted input has bounded cost (:class:`aimo.Limits`): its size before and after YAML
aliases expand, how many values it holds and how deep it nests. Only JSON's data model gets
through; a key given twice is an error, never a silent overwrite; nothing in a document is
ever executed: YAML goes through the safe loader only, imported on the first YAML file.
"""

from __future__ import annotations

import json
import math
import os
import re
from itertools import accumulate
from typing import Any, NamedTuple

from aimo._documents.files import FileProblem, read_regular_file
from aimo._documents.jsonsource import JsonPositions
from aimo._documents.limits import DEFAULT_LIMITS, PATH_FACTOR, Limits
from aimo._documents.models import MAX_DIGITS
from aimo._documents.pointer import escape, unescape
from aimo._documents.source import SourceMap
from aimo._errors import DocumentError, Problem, quote

__all__ = ["Parsed", "parse", "read", "read_bytes"]


class Parsed(NamedTuple):
    """A parsed file: its data, the positions of its values, and problems found so far.

    Problems that do not stop parsing (a key given twice) travel with the data, so that
    validation can add its own and every problem is reported at once.
    """

    data: Any
    source: SourceMap
    problems: list[Problem]


def read(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """Parse a YAML or JSON file into plain data and the positions of its values.

    :raises DocumentError: when the file cannot be read or parsed at all, holds values
        outside JSON's data model, or exceeds ``limits``.
    """
    file = os.fspath(path)
    return parse(read_bytes(file, limits), file, limits)


def read_bytes(file: str, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A document file's bytes, within ``limits``.

    :raises DocumentError: when it is not a regular file, cannot be read or is too large.
    """
    try:
        return read_regular_file(file, limits)
    except FileProblem as exc:
        raise DocumentError([Problem("", exc.message, file)]) from None


def parse(raw: bytes, file: str, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """Parse a document file's bytes (YAML, or JSON when ``file`` ends in ``.json``).

    :raises DocumentError: as :func:`read`.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            [Problem("", f"the file is not UTF-8 text (byte {exc.start})", file)]
        ) from None
    if file.lower().endswith(".json"):
        return _read_json(text, file, limits)
    # PyYAML is imported on the first YAML file: a pipeline that passes dicts never needs it.
    from aimo._documents import yamlsource as _yamlsource

    data, source, problems = _yamlsource.parse(text, file, limits)
    return Parsed(data, source, problems)


class _Refused:
    """A number JSON's grammar allows and a document may not hold: kept in place of the
    value while parsing, so that the problem can name where it stands."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _read_json(text: str, file: str, limits: Limits) -> Parsed:
    duplicates: list[str] = []
    refused: list[_Refused] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    def refuse(message: str) -> _Refused:
        value = _Refused(message)
        refused.append(value)
        return value

    def constant(name: str) -> Any:
        return refuse(f"{name} is not a number JSON allows; JSON has no NaN or infinity")

    def number(literal: str) -> Any:
        value = float(literal)
        if math.isfinite(value):
            return value
        return refuse(f"{quote(literal, 60)} is too large to be a number")

    def integer(literal: str) -> Any:
        digits = len(literal) - literal.startswith("-")
        if digits > MAX_DIGITS:
            return refuse(
                f"this number cannot be read: it has {digits:,} digits; the most is {MAX_DIGITS:,}"
            )
        return int(literal)

    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_float=number,
            parse_int=integer,
        )
    except json.JSONDecodeError as exc:
        # Counted as every other position is: json's own count ends lines at line feeds only.
        line, column = JsonPositions(text).line_column(exc.pos)
        raise DocumentError(
            [Problem("", f"this is not valid JSON: {exc.msg}", file, line, column)]
        ) from None
    except RecursionError:
        # Too deep for the parser, which may be shallower or deeper than the limit.
        if _nesting(text) > limits.max_depth:
            message = f"the document nests deeper than {limits.max_depth} levels"
            raise _limit(file, "max_depth", message) from None
        message = "the document nests too deeply to be read; nest it less deeply"
        raise DocumentError([Problem("", message, file)]) from None
    if not isinstance(data, dict):
        # Not a document, and perhaps a secret file a model named: nothing of it is quoted.
        kind = float if type(data) is _Refused else type(data)
        return Parsed(kind() if data is not None else None, SourceMap(file), [])
    _check_limits(data, limits, file)
    # Lines are found in the text only when a problem or a finding asks for one.
    positions = JsonPositions(text)
    source = SourceMap(file, positions)
    problems = [
        _twice(path, line, column, positions, file)
        for path, line, column in (positions.duplicates() if duplicates else ())
    ]
    if refused:
        budget = limits.max_document_bytes * PATH_FACTOR
        raise DocumentError([*_where_refused(data, source, budget), *problems])
    return Parsed(data, source, problems)


def _twice(path: str, line: int, column: int, positions: JsonPositions, file: str) -> Problem:
    key = unescape(path.rsplit("/", 1)[-1])
    first = positions.get(path)
    lines = f"lines {first[0]} and {line}" if first is not None else f"line {line}"
    return Problem(
        path,
        f"the key {quote(key)} is given twice ({lines}); give each field once",
        file,
        line,
        column,
    )


def _check_limits(data: dict[str, Any], limits: Limits, file: str) -> None:
    """Hold parsed JSON to the limits YAML is held to while it is read: values, nesting, and
    what the paths of its values come to (a value's path repeats every key above it).

    Containers are walked one by one; their leaves, most of a document, are counted in bulk.
    As YAML's walk does, a mapping's keys count as values, each at its mapping's path, and a
    path spells its keys escaped (``~0``, ``~1``), as a JSON Pointer does.
    """
    values = 1
    path_size = 0
    budget = limits.max_document_bytes * PATH_FACTOR
    # (container, its depth, the length of its path)
    stack: list[tuple[Any, int, int]] = [(data, 0, 0)]
    while stack:
        container, depth, length = stack.pop()
        size = len(container)
        if not size:
            continue
        if depth + 1 > limits.max_depth:
            raise _limit(
                file, "max_depth", f"the document nests deeper than {limits.max_depth} levels"
            )
        is_mapping = type(container) is dict
        values += 2 * size if is_mapping else size
        if values > limits.max_values:
            raise _limit(
                file, "max_values", f"the document holds more than {limits.max_values:,} values"
            )
        child = length + 1
        if is_mapping:
            keys = "".join(container)
            escapes = keys.count("~") + keys.count("/") if "~" in keys or "/" in keys else 0
            path_size += size * (length + child) + len(keys) + escapes
            for key, value in container.items():
                kind = type(value)
                if kind is dict or kind is list:
                    stack.append((value, depth + 1, child + len(escape(key))))
        else:
            path_size += size * child + _digits_below(size)
            for index, value in enumerate(container):
                kind = type(value)
                if kind is dict or kind is list:
                    stack.append((value, depth + 1, child + len(str(index))))
        if path_size > budget:
            raise _limit(
                file,
                "max_document_bytes",
                "the document's keys are too long for the number of values under them: the "
                f"path to each value, written out, comes to more than {budget:,} bytes in all "
                f"({PATH_FACTOR} times the limit on its size)",
            )


#: A JSON string, escapes and all: the brackets inside one do not nest.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def _nesting(text: str) -> int:
    """How deep a JSON text's brackets nest, read from the text alone."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def _digits_below(n: int) -> int:
    """How many digits the numbers 0 to n - 1 have in all."""
    total, low, width = 0, 0, 1
    while low < n:
        high = min(n, 10**width)
        total += (high - low) * width
        low, width = high, width + 1
    return total


def _limit(file: str, name: str, message: str) -> DocumentError:
    return DocumentError([Problem("", f"{message}; {Limits.how_to_raise(name)}", file)])


def _where_refused(data: Any, source: SourceMap, budget: int) -> list[Problem]:
    """A problem at the path of each value parsing refused, in the document's order.

    The paths are those the composer's walk builds, and bounded the same way (``budget``
    characters in all), for the files YAML cannot read for their lines.
    """
    found: list[Problem] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        budget -= len(path)
        if budget < 0:
            message = "the document's keys are too long for the number of values under them; "
            found.append(Problem("", message + Limits.how_to_raise("max_document_bytes")))
            break
        if type(value) is _Refused:
            line, column = source.position(path)
            found.append(Problem(path, value.message, source.file, line, column))
        elif type(value) is dict:
            stack.extend(reversed([(f"{path}/{escape(k)}", v) for k, v in value.items()]))
        elif type(value) is list:
            stack.extend(reversed([(f"{path}/{i}", v) for i, v in enumerate(value)]))
    return found


def _is_object(text: str) -> bool:
    """Whether a JSON text is an object (a mapping), from its first character."""
    return text.lstrip(" \t\r\n").startswith("{")
