"""YAML with positions: the composer walk that records lines, refuses duplicate keys and
bounds what an untrusted file can cost, and the safe construction of its values.

Imported on the first file aimo reads, so that ``import aimo`` does not pay for PyYAML.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml
from yaml import YAMLError

from aimo._errors import DocumentError, Problem
from aimo._loader import MAX_DEPTH, MAX_NODES
from aimo._source import SourceMap, escape

__all__ = ["YAMLError", "parse", "positions"]


_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"


class _Limits:
    __slots__ = ("nodes",)

    def __init__(self) -> None:
        self.nodes = 0


def _walk(
    node: yaml.Node,
    path: str,
    file: str,
    positions: dict[str, tuple[int, int]],
    problems: list[Problem],
    limits: _Limits,
    depth: int,
) -> None:
    limits.nodes += 1
    if limits.nodes > MAX_NODES:
        raise DocumentError(
            [
                Problem(
                    path,
                    f"the document holds more than {MAX_NODES} values "
                    "(are YAML aliases expanding too far?)",
                    file,
                )
            ]
        )
    if depth > MAX_DEPTH:
        raise DocumentError(
            [
                Problem(
                    path,
                    f"the document nests deeper than {MAX_DEPTH} levels",
                    file,
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            ]
        )
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and not key_node.tag.endswith(":merge"):
                # Keys are text, as written: `on:` or `1:` must not turn into True or 1.
                key_node.tag = _STR_TAG
            line = key_node.start_mark.line + 1
            if key is None:
                problems.append(
                    Problem(
                        path,
                        "a key must be a plain value, not a mapping or a list",
                        file,
                        line,
                        key_node.start_mark.column + 1,
                    )
                )
                continue
            child = f"{path}/{escape(key)}"
            if key in seen:
                problems.append(
                    Problem(
                        child,
                        f"the key {key!r} is given twice (lines {seen[key]} and "
                        f"{line}); give each field once",
                        file,
                        line,
                        key_node.start_mark.column + 1,
                    )
                )
                continue
            seen[key] = line
            _walk(value_node, child, file, positions, problems, limits, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{path}/{index}", file, positions, problems, limits, depth + 1)


def _yaml_problem(exc: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    reason = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return Problem("", f"this is not valid YAML: {reason}", file)
    return Problem("", f"this is not valid YAML: {reason}", file, mark.line + 1, mark.column + 1)


def _compose(text: str, file: str) -> tuple[yaml.Node | None, SourceMap, list[Problem]]:
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    positions: dict[str, tuple[int, int]] = {}
    problems: list[Problem] = []
    if node is not None:
        _walk(node, "", file, positions, problems, _Limits(), 0)
    return node, SourceMap(file, positions), problems


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
                        f"the value {scalar.value!r} cannot be read as {kind}: {scalar_exc}",
                        file,
                        scalar.start_mark.line + 1,
                        scalar.start_mark.column + 1,
                    )
                )
    finally:
        loader.dispose()
    return problems or [Problem("", f"this document cannot be read: {exc}", file)]


def parse(text: str, file: str) -> tuple[Any, SourceMap, list[Problem]]:
    """A YAML file's values, their positions, and the problems that do not stop parsing.

    :raises DocumentError: for text that is not YAML, or exceeds the limits.
    """
    try:
        node, source, problems = _compose(text, file)
        data = None if node is None else _construct(node, file)
    except yaml.YAMLError as exc:
        raise DocumentError([_yaml_problem(exc, file)]) from None
    return data, source, problems


def positions(text: str, file: str) -> tuple[SourceMap, list[Problem]]:
    """Only the positions and duplicate keys of a text (JSON reads as YAML for this).

    :raises YAMLError: when the text does not read as YAML 1.1.
    """
    _, source, problems = _compose(text, file)
    return source, problems
