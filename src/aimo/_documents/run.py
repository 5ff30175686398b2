"""One run of a workflow: what it read, what it produced and who approved it (spec 4.3).

A :class:`Run` is what the run policies judge and what a decision log digests. It holds the
output text itself, so it stays in memory: logs keep only :attr:`Run.digest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from aimo._documents.canonical import digest
from aimo._documents.frozen import FrozenDict
from aimo._documents.models import Email, Input, Text
from aimo._documents.pointer import escape
from aimo._documents.textfold import identity, same_person

__all__ = ["Approval", "Output", "Run"]

#: What a run produces: one text, or named text fields such as ``subject`` and ``body``.
Output = str | dict[str, str]
#: An output as a run holds it: a dict of fields is frozen, so no policy can change it.
_HeldOutput = str | Annotated[dict[str, str], AfterValidator(FrozenDict)]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # A naive time is taken as UTC, so that the digest does not depend on the machine's zone.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def distinct_approvers(approvals: Iterable[Approval]) -> list[Approval]:
    """One approval per person: an approval from someone already counted is dropped.

    Two approvals are from the same person when their emails match or, when either lacks
    an email, their names do, so one person cannot count twice by leaving the email off.
    """
    counted: list[Approval] = []
    for approval in approvals:
        if not any(approval.same_person(other.name, other.email) for other in counted):
            counted.append(approval)
    return counted


class Approval(BaseModel):
    """One person's sign-off on a run's output.

    ``Approval("Sam Ortiz", "sam.ortiz@example.com", "legal")`` and the keyword form
    ``Approval(name=..., email=..., role=..., at=...)`` are the same. Two approvals are from
    the same person when their emails match or, lacking emails, their names, compared with
    look-alike letters, invisible characters, spacing and case set aside.
    """

    # Built on first use, like the document models: `import aimo` stays cheap.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    name: Text
    email: Email | None = None
    role: Text | None = None
    at: dt.datetime | None = None

    def __init__(
        self,
        name: str,
        email: str | None = None,
        role: str | None = None,
        at: dt.datetime | None = None,
    ) -> None:
        super().__init__(name=name, email=email, role=role, at=at)

    @field_validator("at")
    @classmethod
    def _normal_at(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _utc(value)

    def same_person(self, name: str | None, email: str | None) -> bool:
        """Whether this approval is from the person with ``name`` and ``email``."""
        return same_person(self.name, self.email, name, email)

    @property
    def person(self) -> str:
        """A key for the approver: the email, or lacking one, the name, as compared."""
        if self.email:
            return "email:" + identity(self.email)
        return "name:" + identity(self.name)


class Run(BaseModel):
    """One run of a workflow, as the run policies see it.

    :param inputs: the named inputs the run actually read: input names, or
        :class:`aimo.Input` objects when the run knows the class of what it read.
    :param output: the generated output, a text or a dict of named text fields; ``None``
        before anything was generated (the run policies on output then do not apply).
    :param approvals: the sign-offs the output has.
    :param at: when the run happened (default: now, UTC; a naive time is taken as UTC).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    inputs: tuple[Annotated[str, Field(min_length=1)] | Input, ...] = ()
    output: _HeldOutput | None = None
    approvals: tuple[Approval, ...] = ()
    at: dt.datetime = Field(default_factory=_now)

    _digest: str | None = PrivateAttr(default=None)

    @field_validator("at")
    @classmethod
    def _normal_at(cls, value: dt.datetime) -> dt.datetime:
        normal = _utc(value)
        assert normal is not None
        return normal

    @property
    def digest(self) -> str:
        """sha256 (hex) of the run's canonical JSON (sorted keys, no spaces, nulls dropped).

        Evidence of exactly what ran, inputs, output and approvals included, that a decision
        log can keep without keeping the output text.
        """
        if self._digest is None:
            self._digest = digest(self.model_dump(mode="json", exclude_none=True))
        return self._digest

    @property
    def input_names(self) -> list[str]:
        """The name of each input the run read, in order."""
        return [item if isinstance(item, str) else item.name for item in self.inputs]

    def output_fields(self) -> Iterator[tuple[str, str | None, str]]:
        """``(path, field name, text)`` for each part of the output.

        The path is a JSON Pointer into the run: ``/run/output`` for a text output,
        ``/run/output/<field>`` for each field of a dict output; the field name is None for
        a text output.
        """
        output = self.output
        if isinstance(output, str):
            yield "/run/output", None, output
        elif output is not None:
            for name, text in output.items():
                yield f"/run/output/{escape(name)}", name, text
