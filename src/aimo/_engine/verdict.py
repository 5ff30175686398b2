"""Verdicts: what the engine decided about one workflow, and why (spec section 3)."""

from __future__ import annotations

import datetime as dt
import marshal
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    computed_field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from aimo._documents.canonical import digest
from aimo._documents.models import OperatingModel, ReviewTier, Stage, Workflow
from aimo._documents.source import Location
from aimo._documents.validate import validate

__all__ = [
    "Assessment",
    "Decision",
    "Enforcement",
    "Finding",
    "NextEnforcement",
    "Outcome",
    "PolicyRef",
    "Severity",
    "Verdict",
    "document_digest",
]


class Decision(StrEnum):
    ALLOW = "allow"
    WARN = "warn"
    DENY = "deny"


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    ERROR = "error"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Enforcement(StrEnum):
    """How a failing policy affects the decision (as in HashiCorp Sentinel), lowest first.

    ``shadow`` is below advisory: the policy is evaluated and its findings are reported and
    logged, but they never change the decision, as a rule under trial.
    """

    SHADOW = "shadow"
    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    HARD_MANDATORY = "hard_mandatory"

    @property
    def blocking(self) -> bool:
        """Whether a failure denies (mandatory and hard-mandatory)."""
        return self is Enforcement.MANDATORY or self is Enforcement.HARD_MANDATORY

    @property
    def decides(self) -> bool:
        """Whether a failure changes the decision at all (everything but shadow)."""
        return self is not Enforcement.SHADOW

    @property
    def rank(self) -> int:
        """Its place from the lowest level (shadow, 0) to the highest (hard-mandatory, 3)."""
        return _RANKS[self]


_RANKS = {level: rank for rank, level in enumerate(Enforcement)}


class NextEnforcement(BaseModel):
    """The next step of a policy's dated enforcement schedule: its level, from a date."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    level: Enforcement
    from_: dt.date = Field(alias="from")


class Finding(BaseModel):
    """One policy's result at one place in the document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str
    outcome: Outcome
    severity: Severity
    enforcement: Enforcement
    message: str
    path: str = ""
    observed: Any = None
    expected: Any = None
    remediation: str | None = None
    seed_section: str | None = None
    references: tuple[str, ...] = ()
    location: Location | None = None
    #: For a policy under a dated schedule, the step after the one in force.
    next_enforcement: NextEnforcement | None = None

    @property
    def failed(self) -> bool:
        """Whether the outcome is ``fail`` or ``error``."""
        return self.outcome is Outcome.FAIL or self.outcome is Outcome.ERROR


class PolicyRef(BaseModel):
    """One evaluated policy and the version of the package or pack it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    source: str
    version: str | None = None


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def hold_data(verdict: Verdict, data: dict[str, Any]) -> None:
    """Let ``verdict`` hold the plain data its workflow was validated from, as bytes, rather
    than the validated workflow, when the data can be frozen so.

    A validated workflow is some fifty objects the garbage collector walks for as long as a
    verdict is kept; bytes are one object it never walks. Verdicts a pipeline collects then
    cost about what verdicts it drops do; the digest, if ever read, validates the data
    again. Marshal keeps exactly what was judged, even if the caller changes its dict later.
    """
    try:
        frozen = marshal.dumps(data)
    except ValueError:
        return  # a date object, a dict subclass: keep the workflow
    private = verdict.__pydantic_private__
    if private is not None and private.get("_digest") is None:
        private["_document"] = frozen


def document_digest(document: Workflow | OperatingModel) -> str:
    """sha256 (hex) of the canonical JSON of the normalised workflow (or operating model,
    without its workflows, which have verdicts of their own).

    Canonical: keys sorted, no spaces, nulls dropped, UTF-8. Normalised: what the model holds
    after validation, defaults included, so key order and spelled-out defaults do not matter.
    """
    exclude = {"workflows"} if isinstance(document, OperatingModel) else None
    return digest(_drop_nulls(document.model_dump(mode="json", exclude_none=True, exclude=exclude)))


M = TypeVar("M", bound=BaseModel)


_FIELDS_SET: dict[type[BaseModel], set[str]] = {}

# The setters of the four slots every pydantic model has, bound once: calling them is
# cheaper than object.__setattr__, which looks each descriptor up again on every call.
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__


def built(cls: type[M], values: dict[str, Any], private: dict[str, Any] | None = None) -> M:
    """An instance of ``cls`` from values the engine made itself, without validating them.

    What ``model_construct`` does, minus its per-field default handling: the engine always
    passes every field, and building findings is on the hot path of every evaluation. The
    set of fields given is the same for every instance, so one set object serves them all
    (pydantic copies it before it ever changes one).
    """
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    instance = cls.__new__(cls)
    _SET_DICT(instance, values)
    _SET_FIELDS_SET(instance, fields_set)
    _SET_EXTRA(instance, None)
    _SET_PRIVATE(instance, private)
    return instance


class Verdict(BaseModel):
    """The decision about one workflow, with every finding that led to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workflow_id: str
    stage: Stage | None = None
    decision: Decision
    required_tier: ReviewTier | None = None
    findings: list[Finding]
    evaluated_at: dt.datetime
    policy_set: tuple[PolicyRef, ...]

    # The digest is computed when first read: most pipelines only look at the decision.
    # Until then the verdict holds what was judged: the workflow, or, for a workflow given
    # as plain data, that data frozen as bytes (see hold_data).
    _digest: str | None = PrivateAttr(default=None)
    _document: Workflow | OperatingModel | bytes | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _take_digest(cls, data: Any, handler: ModelWrapValidatorHandler[Verdict]) -> Verdict:
        digest = None
        if isinstance(data, dict):
            data = dict(data)
            digest = data.pop("digest", None)
            if not isinstance(digest, str) or len(digest) != 64:
                raise PydanticCustomError(
                    "digest", "a verdict needs its 'digest': 64 hex characters of sha256"
                )
        verdict = handler(data)
        if digest is not None:
            verdict._digest = digest
        return verdict

    @computed_field  # type: ignore[prop-decorator]
    @property
    def digest(self) -> str:
        """sha256 (hex) of the canonical JSON of the normalised document that was judged."""
        if self._digest is None:
            document = self._document
            if document is None:
                raise ValueError("this verdict has no document to digest")
            if type(document) is bytes:
                # Bytes only hold_data made, with marshal.dumps of plain data: nothing else
                # ever sets them, so reading them back runs no code.
                document = validate(Workflow, marshal.loads(document))  # noqa: S302
            assert isinstance(document, Workflow | OperatingModel)
            self._digest = document_digest(document)
            self._document = None
        return self._digest

    @property
    def allowed(self) -> bool:
        """Whether the decision is not ``deny``."""
        return self.decision is not Decision.DENY

    @property
    def failures(self) -> list[Finding]:
        """The findings whose outcome is ``fail`` or ``error``."""
        return [f for f in self.findings if f.failed]

    def __eq__(self, other: object) -> bool:
        # Two verdicts are equal when they say the same thing, however each was built.
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The verdict as plain JSON-compatible data."""
        return self.model_dump(mode="json")

    def to_json(self, *, indent: int | None = None) -> str:
        """The verdict as a JSON text; ``Verdict.model_validate_json`` reads it back."""
        return self.model_dump_json(indent=indent)


class Assessment(BaseModel):
    """An operating model judged as a whole and workflow by workflow (``aimo.assess``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The model's own verdict: its model-level policies (``decisions-recorded`` among them).
    model_verdict: Verdict
    #: Every workflow's verdict, in the model's order (an invalid one refused).
    verdicts: list[Verdict]

    @property
    def allowed(self) -> bool:
        """Whether neither the model nor any workflow is denied."""
        return self.model_verdict.allowed and all(v.allowed for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        """The assessment as plain JSON-compatible data."""
        return self.model_dump(mode="json")
