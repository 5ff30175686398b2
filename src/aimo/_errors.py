"""The exception hierarchy: every error aimo raises on purpose is an :class:`AimoError`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimo._verdict import Verdict


class AimoError(Exception):
    """Base of every error aimo raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document: where it is and what is wrong.

    ``path`` is a JSON Pointer into the document (``""`` is the whole document);
    ``file``, ``line`` and ``column`` (1-based) are set when the document came from a file.
    """

    path: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<document>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path or '/'}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


class DocumentError(AimoError, ValueError):
    """A workflow or operating model is invalid; ``problems`` lists every problem at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the document"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class NotADocument(DocumentError):
    """The file is valid aimo material, but not a workflow or a model (a policy pack)."""


class PolicyError(AimoError):
    """A policy or pack is invalid, or two policies share one id."""


class ConfigError(AimoError):
    """The policy configuration is invalid."""


class PolicyViolation(AimoError):
    """A gate denied a run; ``verdict`` says why."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        reasons = "; ".join(f"{f.policy_id}: {f.message}" for f in verdict.failures)
        super().__init__(f"Workflow {verdict.workflow_id!r} was denied: {reasons}")
