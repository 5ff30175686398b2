"""The exception hierarchy: every error aimo raises on purpose is an :class:`AimoError`.

::

    AimoError                   base of everything below
    ├── DocumentError           a workflow or operating model is invalid (also a ValueError);
    │   │                       ``problems`` lists every problem with its path, file and line
    │   └── NotADocument        the file is a policy pack, not a workflow or model
    ├── PolicyError             a policy or pack is invalid, or two policies share an id
    ├── ConfigError             the policy configuration is invalid; ``path`` and
    │                           ``file`` say where, when known
    ├── PluginError             an ``aimo_verdict`` hook raised: the verdict was not recorded
    │   └── DecisionLogError    the decision log could not record the verdict
    └── PolicyViolation         a gate denied a run; ``verdict`` says why

A policy that raises never raises out of an evaluation: its finding is ``error`` instead.
Passing the wrong Python type to the API (a number where a path belongs) raises
``TypeError``, as Python does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimo._engine.verdict import Verdict

#: How much of a value from a document a message quotes; the rest is cut.
QUOTE_LIMIT = 200
#: The longest message a problem carries, whatever it quotes.
MESSAGE_LIMIT = 2_000


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters.

    A value from a document can be megabytes long; a message that echoed it whole would
    bury the problem (and fill a CI log).
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1024:
        # repr() of a huge integer takes quadratic time and may exceed Python's own limit.
        return f"a number with about {int(value.bit_length() * 0.30103)} digits"
    return cut(repr(value), limit)


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

    def __post_init__(self) -> None:
        # A path or message built from a hostile document must not grow without bound.
        if len(self.message) > MESSAGE_LIMIT:
            object.__setattr__(self, "message", cut(self.message, MESSAGE_LIMIT))
        if len(self.path) > MESSAGE_LIMIT:
            object.__setattr__(self, "path", cut(self.path, MESSAGE_LIMIT))

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
    """The file is valid aimo material, but not a workflow or a model (a policy pack, or a
    result aimo wrote)."""


class PolicyError(AimoError):
    """A policy or pack is invalid, or two policies share one id."""


class ConfigError(AimoError):
    """The policy configuration is invalid.

    ``message`` says what is wrong; ``path`` is the JSON Pointer of the entry (such as
    ``/policies/paths/0``) and ``file`` the file that holds it, each None when not known.
    ``str()`` gives all three, as ``file: path: message``.
    """

    def __init__(self, message: str, *, path: str | None = None, file: str | None = None):
        self.message = message
        self.path = path
        self.file = file
        super().__init__(": ".join(part for part in (file, path, message) if part))

    def __reduce__(self) -> Any:
        # Keyword fields survive the trip to and from a worker process.
        return (functools.partial(type(self), path=self.path, file=self.file), (self.message,))

    def in_file(self, file: str) -> ConfigError:
        """This error, named as found in ``file`` (before any file it names already: a pack
        path given on the command line, say)."""
        inner = f"{file}: {self.file}" if self.file else file
        return type(self)(self.message, path=self.path, file=inner)


class PluginError(AimoError):
    """An ``aimo_verdict`` hook raised, so the verdict was not recorded.

    The evidence a hook keeps (a decision log, an audit trail) is part of the decision: a
    gate must not let a run go on when it is missing. ``plugin`` names the hook's plugin.
    """

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        self.plugin = plugin
        super().__init__(message)


class DecisionLogError(PluginError):
    """A decision was not recorded: the log could not be written, or it was damaged since the
    last write and appending would hide that.

    ``path`` is the log; ``reason`` is what the system said when a read or write failed
    (``"No space left on device"``), or None when the log itself is damaged. A failed write
    leaves the log as it was before it (``aimo audit verify`` accepts it), and recording
    works again once the cause is fixed.
    """

    def __init__(self, message: str, *, path: str | None = None, reason: str | None = None) -> None:
        super().__init__(message, plugin="aimo.DecisionLog")
        self.path = path
        self.reason = reason


def failure_reasons(verdict: Verdict) -> str:
    """A verdict's failures as one sentence: each policy and its message, separated by
    semicolons, the messages' own full stops dropped so that none reads ``.;``."""
    reasons = "; ".join(
        f"{f.policy_id}: {f.message.rstrip().rstrip('.')}" for f in verdict.failures
    )
    return reasons + "."


class PolicyViolation(AimoError):
    """A gate denied a run; ``verdict`` says why."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        super().__init__(f"Workflow {verdict.workflow_id!r} was denied: {failure_reasons(verdict)}")
