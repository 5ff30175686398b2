"""YAML with positions: the composer walk that records lines, keeps a document inside JSON's
data model, refuses duplicate keys and bounds what an untrusted file can cost, and the safe
construction of its values.

Only JSON's data model gets through (spec 5.1): mappings with text keys, lists, text,
finite numbers, true/false and null, plus dates written ``2026-11-27`` (the models decide
which fields take a date). Sets, ordered maps, pairs, binary, date-times, merge keys and
every custom or language tag are refused at their path, before anything is built from them.
A document that is not a mapping is not looked into at all: no error may quote a file that
is not a document (a model can name any file in its folder).

The walk keeps the path of every value, so the total length of those paths is bounded too:
a few long keys above many values cost far more than the file's size.

Imported on the first YAML file aimo reads, so that ``import aimo`` does not pay for PyYAML.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml import YAMLError

from aimo._documents.limits import PATH_FACTOR, Limits
from aimo._documents.pointer import escape
from aimo._documents.source import SourceMap
from aimo._errors import DocumentError, Problem, quote

__all__ = ["YAMLError", "parse", "positions"]


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_STR_TAG = _TAG + "str"
_SCALAR_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_MAP_TAG, _SEQ_TAG = _TAG + "map", _TAG + "seq"
_FLOAT_TAG, _INT_TAG, _TIMESTAMP_TAG = _TAG + "float", _TAG + "int", _TAG + "timestamp"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Python refuses to read integers longer than this many digits (and would take long to).
_MAX_DIGITS = 4_300

_WHAT = {
    "set": "a set (!!set)",
    "omap": "an ordered map (!!omap)",
    "pairs": "a list of pairs (!!pairs)",
    "binary": "binary data (!!binary)",
}


class _Walk:
    """One walk over a composed document: positions, problems, and what it has cost."""

    __slots__ = (
        "file",
        "limits",
        "path_size",
        "positions",
        "problems",
        "refused",
        "size",
        "values",
    )

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.positions: dict[str, tuple[int, int]] = {}
        #: Problems that do not stop parsing (a key given twice).
        self.problems: list[Problem] = []
        #: Values outside JSON's data model: nothing may be built from the document.
        self.refused: list[Problem] = []
        self.values = 0
        self.size = 0
        self.path_size = 0

    def problem(self, node: yaml.Node, path: str, message: str) -> Problem:
        mark = node.start_mark
        return Problem(path, message, self.file, mark.line + 1, mark.column + 1)

    def limit(self, node: yaml.Node, path: str, name: str, message: str) -> DocumentError:
        return DocumentError([self.problem(node, path, f"{message}; {Limits.how_to_raise(name)}")])

    def count(self, node: yaml.Node, path: str, text: str | None = None) -> None:
        self.values += 1
        if self.values > self.limits.max_values:
            raise self.limit(
                node,
                path,
                "max_values",
                f"the document holds more than {self.limits.max_values:,} values once its "
                "YAML aliases are expanded",
            )
        # The path of every value and key is built and kept (for lines in messages): its
        # cost is bounded like the text's, or long keys over many values would exhaust
        # memory from a small file.
        self.path_size += len(path)
        if self.path_size > self.limits.max_document_bytes * PATH_FACTOR:
            raise self.limit(
                node,
                path,
                "max_document_bytes",
                "the document's keys are too long for the number of values under them: the "
                "path to each value, written out, comes to more than "
                f"{self.limits.max_document_bytes * PATH_FACTOR:,} bytes in all "
                f"({PATH_FACTOR} times the limit on its size)",
            )
        if text:
            self.size += len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
            if self.size > self.limits.max_document_bytes:
                raise self.limit(
                    node,
                    path,
                    "max_document_bytes",
                    f"the document holds more than {self.limits.max_document_bytes:,} bytes "
                    "of text once its YAML aliases are expanded",
                )

    def walk(self, node: yaml.Node, path: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise self.limit(
                node,
                path,
                "max_depth",
                f"the document nests deeper than {self.limits.max_depth} levels",
            )
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            self.count(node, path, node.value)
            self.scalar(node, path)
        elif isinstance(node, yaml.MappingNode):
            self.count(node, path)
            if node.tag != _MAP_TAG:
                self.refuse(node, path)
                return
            self.mapping(node, path, depth)
        else:
            self.count(node, path)
            if node.tag != _SEQ_TAG:
                self.refuse(node, path)
                return
            for index, item in enumerate(node.value):
                self.walk(item, f"{path}/{index}", depth + 1)

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> None:
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Problem(
                        path,
                        "a key must be a plain value, not a mapping or a list",
                        self.file,
                        line,
                        column,
                    )
                )
                continue
            key = str(key_node.value)
            self.count(key_node, path, key)
            if key_node.tag == _TAG + "merge":
                # A merge key (<<) copies fields in silently, and lets them override fields
                # given in the open without the duplicate-key error.
                self.refused.append(
                    Problem(
                        path,
                        "YAML merge keys (<<) are not allowed: write each field out",
                        self.file,
                        line,
                        column,
                    )
                )
                continue
            # Keys are text, as written: `on:` or `1:` must not turn into True or 1.
            key_node.tag = _STR_TAG
            child = f"{path}/{escape(key)}"
            if key in seen:
                self.problems.append(
                    Problem(
                        child,
                        f"the key {quote(key)} is given twice (lines {seen[key]} and {line}); "
                        "give each field once",
                        self.file,
                        line,
                        column,
                    )
                )
            else:
                seen[key] = line
            # A later value is the one YAML keeps: it is walked, counted and refused like
            # the first, or a key given twice would carry past every check here.
            self.walk(value_node, child, depth + 1)

    def scalar(self, node: yaml.ScalarNode, path: str) -> None:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.refuse(node, path)
        elif tag == _FLOAT_TAG:
            if not _finite(node.value):
                self.refused.append(
                    self.problem(
                        node,
                        path,
                        f"{quote(node.value)} is not a finite number; JSON has no NaN or infinity",
                    )
                )
        elif tag == _INT_TAG and len(node.value) > _MAX_DIGITS:
            self.refused.append(
                self.problem(
                    node, path, f"this number has {len(node.value):,} digits; the most is 4,300"
                )
            )
        elif tag == _TIMESTAMP_TAG and not _DATE.fullmatch(node.value):
            self.refused.append(
                self.problem(
                    node,
                    path,
                    f"{quote(node.value)} is a date and time; a date is written like "
                    "2026-11-27 (year-month-day), and other text must be quoted",
                )
            )

    def refuse(self, node: yaml.Node, path: str) -> None:
        tag = node.tag
        name = tag[len(_TAG) :] if tag.startswith(_TAG) else None
        if name is not None and name in _WHAT:
            what = _WHAT[name]
        elif name is not None:
            what = f"a value tagged !!{name}"
        else:
            what = f"a value with the custom tag {quote(tag, 60)}"
        self.refused.append(
            self.problem(
                node,
                path,
                f"{what} is not allowed: a document holds only mappings, lists, text, "
                "numbers, true/false, null and dates",
            )
        )


def _finite(text: str) -> bool:
    """Whether a YAML 1.1 float reads as a finite number: not ``.nan``, ``.inf``, nor a
    number too large for a float (``1.0e400``)."""
    value = text.lower().replace("_", "")
    if value.lstrip("+-") in (".inf", ".nan"):
        return False
    if ":" in value:
        return True  # base 60 (1:30.5): always small enough
    try:
        return math.isfinite(float(value))
    except ValueError:
        return True  # not a float after all: reported when the value is built


def _yaml_problem(exc: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return Problem("", f"this is not valid YAML: {reason}", file)
    return Problem("", f"this is not valid YAML: {reason}", file, mark.line + 1, mark.column + 1)


def _compose(
    text: str, file: str, limits: Limits, *, refuse: bool = True
) -> tuple[yaml.Node | None, _Walk]:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    walk = _Walk(file, limits)
    # Only a mapping is a document. Anything else is not looked into: its problems would
    # quote its keys, tags and values, and it may be a secret file a model named.
    if isinstance(node, yaml.MappingNode):
        try:
            walk.walk(node, "", 0)
        except RecursionError:
            raise DocumentError([_too_deep(file)]) from None
    elif node is not None:
        walk.positions[""] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if refuse and walk.refused:
        raise DocumentError([*walk.refused, *walk.problems])
    return node, walk


def _too_deep(file: str) -> Problem:
    return Problem("", "the document nests too deeply to be read; nest it less deeply", file)


#: What a document that is not a mapping stands for: its kind, for the error that says it
#: is not a mapping, and nothing of its content.
_STAND_INS: dict[str, Any] = {
    _TAG + "int": 0,
    _TAG + "float": 0.0,
    _TAG + "bool": False,
    _TAG + "null": None,
    _TAG + "timestamp": dt.date(1970, 1, 1),
}


def _stand_in(node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        return []
    return _STAND_INS.get(node.tag, "")


def _construct(node: yaml.Node, file: str) -> Any:
    loader = _SafeLoader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except Exception as exc:
        # A value YAML parsed but cannot build (2026-02-30, `!!int abc`): find which one.
        raise DocumentError(_construct_problems(node, file, exc)) from None
    finally:
        loader.dispose()


def _scalars(node: yaml.Node, path: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    if isinstance(node, yaml.ScalarNode):
        yield path, node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            yield from _scalars(value_node, f"{path}/{escape(key)}")
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, f"{path}/{index}")


def _construct_problems(node: yaml.Node, file: str, exc: Exception) -> list[Problem]:
    problems = []
    loader = _SafeLoader("")
    try:
        for path, scalar in _scalars(node, ""):
            try:
                loader.construct_object(scalar, deep=True)
            except Exception as scalar_exc:
                kind = scalar.tag.rsplit(":", 1)[-1]
                problems.append(
                    Problem(
                        path,
                        f"the value {quote(scalar.value)} cannot be read as {kind}: "
                        f"{quote(str(scalar_exc))}",
                        file,
                        scalar.start_mark.line + 1,
                        scalar.start_mark.column + 1,
                    )
                )
    finally:
        loader.dispose()
    return problems or [Problem("", f"this document cannot be read: {quote(str(exc))}", file)]


def parse(text: str, file: str, limits: Limits) -> tuple[Any, SourceMap, list[Problem]]:
    """A YAML file's values, their positions, and the problems that do not stop parsing.

    :raises DocumentError: for text that is not YAML, holds values outside JSON's data
        model, or exceeds the limits.
    """
    try:
        node, walk = _compose(text, file, limits)
        if node is None:
            data = None
        elif isinstance(node, yaml.MappingNode):
            data = _construct(node, file)
        else:
            data = _stand_in(node)
    except yaml.YAMLError as exc:
        raise DocumentError([_yaml_problem(exc, file)]) from None
    except RecursionError:
        raise DocumentError([_too_deep(file)]) from None
    return data, SourceMap(file, walk.positions), walk.problems


def positions(text: str, file: str, limits: Limits) -> tuple[SourceMap, list[Problem]]:
    """Only the positions and duplicate keys of a text (JSON reads as YAML for this).

    What YAML would refuse is not reported: the values are JSON's, and JSON's parser
    judges them.

    :raises YAMLError: when the text does not read as YAML 1.1.
    :raises DocumentError: when the text exceeds the limits.
    """
    _, walk = _compose(text, file, limits, refuse=False)
    return SourceMap(file, walk.positions), walk.problems
