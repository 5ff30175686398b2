"""An operating model read for judging: the model itself, held strictly, and its workflows
one by one, each valid or rejected on its own.

A real inventory is messy: some rows will always be invalid (a date written 27/11/2026,
two emails in one field). Judging it must not be all or nothing (spec 5.2): the model's own
fields must be right, but each workflow, inline or in a workflow file, is read and checked
alone, and a workflow that is not valid is a :class:`Rejected` entry carrying its problems,
while the others are judged as usual. Workflow files are read as they are reached, so a
large inventory is never all in memory at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aimo._documents.files import FileProblem, expand_pattern, pack_files, resolve_inside
from aimo._documents.limits import Limits
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.reader import Parsed, read
from aimo._documents.source import Source, SourceMap, set_source
from aimo._documents.validate import validate
from aimo._errors import ConfigError, DocumentError, Problem, quote

__all__ = ["Inventory", "Rejected", "is_workflow"]

_INLINE = re.compile(r"^/workflows/(\d+)(?=/|$)")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A workflow of a model that is not valid, so it cannot be judged.

    ``workflow_id`` and ``stage`` are what the row says, when they are text; ``problems``
    hold every problem with its path (from the model file's root for an inline workflow),
    file and line; ``data`` is what was received, for the digest of what was refused.
    """

    workflow_id: str | None
    stage: str | None
    problems: tuple[Problem, ...]
    data: Any
    #: Where the workflow starts: its file (None for a model given as data), and its pointer
    #: in that file ("" for a workflow file of its own).
    file: str | None
    prefix: str = ""


def is_workflow(data: Any) -> bool:
    """Whether parsed data is meant as a workflow: a mapping with an ``id`` and no ``aimo``."""
    return isinstance(data, dict) and "id" in data and "aimo" not in data


class Inventory:
    """An operating model and its workflows, for judging each workflow on its own.

    ``model`` is the model without its workflows (None when the model itself is invalid);
    ``problems`` are the model's own problems, its fields, its configuration's paths and
    its ``workflow_files`` patterns, which no workflow can be judged without.
    :meth:`entries` then yields each workflow, valid or :class:`Rejected`, inline ones
    first, in the order the model gives them.
    """

    def __init__(
        self,
        parsed: Parsed,
        *,
        path: Path | None,
        limits: Limits,
        allow_outside: bool,
    ) -> None:
        self.limits = limits
        # A model given as plain data, not read from a file, has no positions.
        self.source = Source(parsed.source) if path is not None else None
        self.problems: list[Problem] = []
        data: dict[str, Any] = parsed.data
        inline = data.get("workflows", [])
        self._inline: list[Any] = inline if isinstance(inline, list) else []
        # Problems parsing found (a key given twice) belong to the workflow they stand in.
        self._parse_problems: dict[int, list[Problem]] = {}
        for problem in parsed.problems:
            found = _INLINE.match(problem.path)
            if found is not None and int(found.group(1)) < len(self._inline):
                self._parse_problems.setdefault(int(found.group(1)), []).append(problem)
            else:
                self.problems.append(problem)
        fields = {k: v for k, v in data.items() if k != "workflows"}
        if not isinstance(inline, list):
            fields["workflows"] = inline  # validation reports that it is not a list
        self.model: OperatingModel | None
        try:
            self.model = validate(OperatingModel, fields, self._positions)
        except DocumentError as exc:
            self.problems.extend(exc.problems)
            self.model = None
        self.files: list[Path] = []
        self._path, self._allow_outside = path, allow_outside
        if path is not None:
            patterns = data.get("workflow_files")
            if isinstance(patterns, list):
                self.files = self._expand(path.parent, patterns, allow_outside)
        elif data.get("workflow_files"):
            self.problems.append(
                Problem(
                    "/workflow_files",
                    "workflow_files are resolved relative to a model file; pass the model's "
                    "path instead",
                )
            )
        if self.model is not None and self.source is not None:
            set_source(self.model, self.source)

    @property
    def _positions(self) -> SourceMap | None:
        return self.source.positions if self.source is not None else None

    def __len__(self) -> int:
        """How many workflows the model has, inline and in files."""
        return len(self._inline) + len(self.files)

    def _expand(self, folder: Path, patterns: list[Any], allow_outside: bool) -> list[Path]:
        source = self._positions
        # Each file once, in the order the patterns find them, however many match it.
        files: dict[str, Path] = {}
        for index, pattern in enumerate(patterns):
            if not isinstance(pattern, str):
                continue  # validation reports it
            at = f"/workflow_files/{index}"
            try:
                matches = expand_pattern(pattern, folder, self.limits, allow_outside)
            except FileProblem as exc:
                self.problems.append(_problem(source, at, exc.message))
                continue
            if not matches:
                self.problems.append(
                    _problem(
                        source,
                        at,
                        f"the pattern {quote(pattern)} matches no file "
                        f"(patterns are relative to {folder.as_posix() or '.'})",
                    )
                )
                continue
            for match in matches:
                files.setdefault(os.path.realpath(match), match)
            if len(files) > self.limits.max_workflow_files:
                self.problems.append(
                    _problem(
                        source,
                        at,
                        "the workflow_files patterns match more than "
                        f"{self.limits.max_workflow_files:,} files; "
                        + Limits.how_to_raise("max_workflow_files"),
                    )
                )
                return []
        return list(files.values())

    def check_config(self) -> None:
        """Raise what configuration errors a model file alone can show: pack paths that lead
        outside the model's folder or to nothing. (Which policies exist, and their floors,
        only an engine knows.)

        :raises ConfigError: naming the model file and the entry.
        """
        path = self._path
        if path is None or self.model is None or self.model.policies is None:
            return
        entries = self.model.policies.paths
        for index, entry in enumerate(entries):
            try:
                resolve_inside(entry, path.parent, self._allow_outside)
            except FileProblem as exc:
                raise ConfigError(
                    exc.message, path=f"/policies/paths/{index}", file=str(path)
                ) from None
        try:
            pack_files(entries, path.parent, () if self._allow_outside else (path.parent,))
        except ConfigError as exc:
            raise exc.in_file(str(path)) from None

    def entries(self) -> Iterator[Workflow | Rejected]:
        """Each workflow, valid or rejected, inline ones first; a second workflow with an
        id already seen is rejected. Read once: each workflow's data is let go as soon as it
        is validated, so that a large inventory is never all in memory."""
        first: dict[str, str] = {}
        inline, self._inline = self._inline, []
        positions = self._positions
        for index, item in enumerate(inline):
            inline[index] = None
            prefix = f"/workflows/{index}"
            problems = self._parse_problems.pop(index, [])
            yield self._entry(item, positions, prefix, problems, first)
        for file in self.files:
            try:
                parsed = read(file, self.limits)
            except DocumentError as exc:
                yield _rejected(None, exc.problems, str(file))
                continue
            if not is_workflow(parsed.data):
                model_file = positions.file if positions is not None else "the model"
                problem = Problem(
                    "",
                    f"this file is listed by {model_file}'s workflow_files but is not a workflow",
                    str(file),
                )
                yield _rejected(None, [problem], str(file))
                continue
            yield self._entry(parsed.data, parsed.source, "", list(parsed.problems), first)

    def _entry(
        self,
        data: Any,
        positions: SourceMap | None,
        prefix: str,
        problems: list[Problem],
        first: dict[str, str],
    ) -> Workflow | Rejected:
        workflow: Workflow | None = None
        try:
            workflow = validate(Workflow, data, positions, prefix)
        except DocumentError as exc:
            problems.extend(exc.problems)
        raw_id = data.get("id") if isinstance(data, dict) else None
        file = positions.file if positions is not None else None
        if isinstance(raw_id, str):
            if raw_id in first:
                where = f"first in {first[raw_id]}" if file is not None else "twice here"
                problems.append(
                    _problem(
                        positions,
                        prefix + "/id",
                        f"the workflow id {quote(raw_id)} is used twice ({where})",
                    )
                )
            else:
                first[raw_id] = file or "this model"
        if problems or workflow is None:
            return _rejected(data, problems, file, prefix)
        if positions is not None:
            set_source(workflow, Source(positions, prefix))
        return workflow


def _rejected(data: Any, problems: list[Problem], file: str | None, prefix: str = "") -> Rejected:
    mapping = data if isinstance(data, dict) else {}
    raw_id, stage = mapping.get("id"), mapping.get("stage")
    return Rejected(
        workflow_id=raw_id if isinstance(raw_id, str) else None,
        stage=stage if isinstance(stage, str) else None,
        problems=tuple(problems),
        data=data,
        file=file,
        prefix=prefix,
    )


def _problem(source: SourceMap | None, path: str, message: str) -> Problem:
    if source is None:
        return Problem(path, message)
    line, column = source.position(path)
    return Problem(path, message, source.file, line, column)
