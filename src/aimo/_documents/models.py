"""The documents: one ``Workflow`` and the ``OperatingModel`` that holds them (spec section 1).

Every field except a workflow's ``id`` is optional so that an idea can be recorded early;
the policies, not the schema, say what each stage needs. Unknown fields at any depth are an
error (a typo must not silently weaken governance), except ``x-`` fields, kept for users.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, Union, get_args

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from aimo._documents.frozen import FrozenDict, FrozenList

__all__ = [
    "Audience",
    "Consequence",
    "Content",
    "ContentType",
    "DataBoundary",
    "Decisions",
    "EnforcementStep",
    "Escalation",
    "Infrastructure",
    "InfrastructureChoice",
    "Input",
    "OperatingModel",
    "OutputChecks",
    "OutputStandard",
    "Person",
    "PolicyConfig",
    "Production",
    "Recurrence",
    "Review",
    "ReviewEntry",
    "ReviewOutcome",
    "ReviewTier",
    "Selection",
    "Stage",
    "SuccessMeasure",
    "TierRule",
    "Tiers",
    "UseCase",
    "Waiver",
    "Workflow",
]


class Stage(StrEnum):
    IDEA = "idea"
    PILOT = "pilot"
    PRODUCTION = "production"
    RETIRED = "retired"


class Recurrence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    AD_HOC = "ad_hoc"


class Consequence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Audience(StrEnum):
    INTERNAL = "internal"
    PARTNER = "partner"
    PUBLIC = "public"


class ContentType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    CHAT = "chat"


class ReviewTier(StrEnum):
    LIGHT = "light"
    STANDARD = "standard"
    HEAVY = "heavy"


class InfrastructureChoice(StrEnum):
    PUBLIC = "public"
    OWNED = "owned"


class ReviewOutcome(StrEnum):
    KEEP = "keep"
    TUNE = "tune"
    STRENGTHEN_REVIEW = "strengthen_review"
    RETIRE = "retire"


#: The rank of each review tier, lightest first.
TIER_RANK: dict[ReviewTier, int] = {
    ReviewTier.LIGHT: 0,
    ReviewTier.STANDARD: 1,
    ReviewTier.HEAVY: 2,
}

#: Characters an email address never holds: controls, and format characters that do not
#: show (zero-width space, soft hyphen, bidirectional marks, byte order mark).
_UNSEEN = frozenset({"Cc", "Cf", "Co", "Zs", "Zl", "Zp"})


def _plain_email(value: str) -> str:
    """An email address is compared to find one person in two roles (the owner reviewing
    or approving their own work): one that reads like another, but differs by a character
    that does not show or a letter in another form, would pass for someone else."""
    if value.isascii() and value.isprintable():
        return value
    if any(unicodedata.category(char) in _UNSEEN for char in value):
        raise _custom_error(
            "email_form", "an email address cannot hold invisible or control characters"
        )
    if unicodedata.normalize("NFKC", value) != value:
        raise _custom_error(
            "email_form",
            "an email address is written in ordinary letters, not full-width, decomposed or "
            "other compatibility forms",
        )
    return value


def _custom_error(kind: str, message: str) -> PydanticCustomError:
    # Without a context the message is not treated as a template, so braces are safe.
    return PydanticCustomError(kind, message)


# Strict: text is text, never bytes (YAML's !!binary) nor a number read as text.
Slug = Annotated[str, Strict(), StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Email = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(_plain_email),
]
Text = Annotated[str, Strict(), StringConstraints(min_length=1)]
Pointer = Annotated[str, Strict(), StringConstraints(pattern=r"^(/.*)?$")]
#: A checklist tick or a yes/no fact: true or false, never the text "no".
Flag = Annotated[bool, Strict()]


#: The only form a date takes in a document: ISO 8601 year-month-day.
DATE_FORM = "a date written like 2026-11-27 (year-month-day)"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    """Only a calendar date, as a date or as ISO text, reaches a date field.

    pydantic would read ``"0"`` or ``86400`` as a day of 1970 and ``2019`` as a year: a
    review date that a typo turns into 1970 is a verdict nobody can trust.
    """
    kind = type(value)
    if kind is dt.date or (kind is str and _ISO_DATE.fullmatch(value)):
        return value
    if isinstance(value, dt.datetime):
        raise _custom_error("date_form", f"expected {DATE_FORM}, not a date and time")
    raise _custom_error("date_form", f"expected {DATE_FORM}")


#: A date field (spec 5.1: strict dates).
Day = Annotated[dt.date, BeforeValidator(_iso_date)]


def _sequence(value: Any) -> Any:
    """Only a list reaches a list field: a set has no order, so nothing built on its order
    (the data classes' sensitivity ranking) could be trusted."""
    if type(value) is list or type(value) is tuple:
        return value
    raise _custom_error("list_type", "expected a list")


#: The most digits a whole number may have: as many as Python reads or writes as text, the
#: bound YAML and JSON files are held to. A longer one could not be written into a verdict's
#: digest or any JSON output.
MAX_DIGITS = 4_300
_TOO_LONG: int = 10**MAX_DIGITS


def writable(value: int) -> bool:
    """Whether a whole number has at most :data:`MAX_DIGITS` digits."""
    return -_TOO_LONG < value < _TOO_LONG


def _writable(value: int) -> int:
    if writable(value):
        return value
    raise _custom_error("int_too_long", f"a number has at most {MAX_DIGITS:,} digits")


def _number(value: Any) -> Any:
    """A number is written as a number. YAML reads `yes` as true, and pydantic would take
    true for 1: `approvals: yes` would mean one approval. Text is not a number either, as
    the published schema says, however much it looks like one."""
    if isinstance(value, bool):
        raise _custom_error("number_type", "expected a number, not true or false")
    if isinstance(value, str | bytes | bytearray):
        raise _custom_error("number_type", "expected a number, not text")
    return value


# A whole-number field is an int with these validators (a float field is Strict, which
# takes whole and decimal numbers and refuses true, false and text without Python code).
# Bounds (Field) come first in the Annotated, or pydantic leaves them out of the published
# JSON Schema.
#: Refuses true, false and text, which pydantic would turn into whole numbers; 90.0 stays 90.
NUMBER = BeforeValidator(_number)
#: Refuses a whole number too long to write (for the fields with no upper bound).
WRITABLE = AfterValidator(_writable)
#: A number field (spec 5.1: a document holds finite numbers, and true is not one).
Number = Annotated[float, Strict()]


T = TypeVar("T")
#: A list in the document, held as a tuple so that no policy can change it.
Seq = Annotated[tuple[T, ...], BeforeValidator(_sequence)]


#: The pattern of the fields users may add anywhere.
X_FIELD = r"^x-"
_XKey = Annotated[str, StringConstraints(pattern=X_FIELD)]
# JSON's data model only, strictly, so that x- fields serialise the same way on every run:
# no bytes, sets or dates (YAML's !!binary, !!set, timestamps), no NaN, nothing a digest
# could read two ways. Lists and mappings are frozen once checked, like the rest.
if TYPE_CHECKING:
    _Plain = Any
else:
    _Plain = TypeAliasType(
        "_Plain",
        Union[  # noqa: UP007 (a recursive alias needs the spelled-out Union)
            Annotated[str, Strict()],
            Annotated[bool, Strict()],
            Annotated[int, Strict(), AfterValidator(_writable)],
            Annotated[float, Strict(), AllowInfNan(False)],
            Annotated[list["_Plain"], Strict(), AfterValidator(FrozenList)],
            Annotated[dict[str, "_Plain"], Strict(), AfterValidator(FrozenDict)],
            None,
        ],
    )


class _Document(BaseModel):
    """Base of every document part: rejects unknown fields, keeps ``x-`` ones.

    Both checks happen inside pydantic-core: extra fields must be named ``x-...`` (the key
    type below) and hold plain data, so a valid document costs no Python code to validate.
    """

    model_config = ConfigDict(
        extra="allow",
        frozen=True,
        # JSON has no NaN or infinity; a target of NaN would pass every comparison.
        allow_inf_nan=False,
        validate_default=False,
        # Validators are built on first use, not at import: `import aimo` stays cheap for
        # code that only needs the types, and the cost is paid once either way.
        defer_build=True,
        json_schema_extra={"additionalProperties": False, "patternProperties": {X_FIELD: {}}},
    )

    __pydantic_extra__: dict[_XKey, _Plain] = Field(init=False)

    @property
    def model_extra(self) -> Mapping[str, Any] | None:  # type: ignore[override]
        """The ``x-`` fields, read-only: a document cannot be changed once validated."""
        extra = self.__pydantic_extra__
        return None if extra is None else MappingProxyType(extra)


def nested_model(cls: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The document model found at ``loc`` inside ``cls``, for messages about its fields."""
    current: type[BaseModel] | None = cls
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _model_in(field.annotation)
    return current


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def unknown_field_message(cls: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The message for an unknown field at ``loc``, suggesting the field meant."""
    key = str(loc[-1])
    owner = nested_model(cls, loc[:-1])
    names = sorted(owner.model_fields) if owner is not None else []
    hint = difflib.get_close_matches(key, names, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
    return (
        f"unknown field {key!r}{suggestion} (fields starting with 'x-' are kept for your own use)"
    )


class Person(_Document):
    """Somebody named in a workflow: an owner, a reviewer, an escalation contact."""

    name: Text | None = None
    email: Email | None = None
    role: Text | None = None


class SuccessMeasure(_Document):
    """What good looks like, measurably."""

    description: Text | None = None
    metric: Text | None = None
    target: Number | None = None
    higher_is_better: Flag = True


class UseCase(_Document):
    """Why the workflow exists (seed: "Select Use Cases With Discipline")."""

    description: Text | None = None
    recurrence: Recurrence | None = None
    decision: Text | None = None
    success_measure: SuccessMeasure | None = None


class Content(_Document):
    """What the output is: used by exposure and marketing-law policies."""

    types: Seq[ContentType] = ()
    makes_claims: Flag = False
    substantiation: Seq[Text] = ()
    depicts_real_people: Flag = False
    targets_minors: Flag = False


class DataBoundary(_Document):
    """The data classes this workflow may read."""

    allowed: Seq[Text] = ()


class Input(_Document):
    """One approved input. ``classification`` is a data class of the operating model."""

    name: Text
    classification: Text | None = None
    source: Text | None = None


class OutputChecks(_Document):
    """Machine-checkable parts of the output standard, used by the run-time gate."""

    max_length: Annotated[int, Field(ge=1), NUMBER, WRITABLE] | None = None
    required_phrases: Seq[Text] = ()
    banned_phrases: Seq[Text] = ()
    disclosure: Text | None = None


class OutputStandard(_Document):
    """What acceptable output looks like."""

    description: Text | None = None
    document: Text | None = None
    checks: OutputChecks | None = None


class Escalation(_Document):
    """Who to call and what to do when the workflow goes wrong."""

    contacts: Seq[Person] = ()
    steps: Seq[Text] = ()
    response_hours: Annotated[float, Field(gt=0), Strict()] | None = None


class Infrastructure(_Document):
    """Public tool or owned infrastructure, and why (seed: "Owned Infrastructure")."""

    choice: InfrastructureChoice | None = None
    tool: Text | None = None
    rationale: Text | None = None
    sensitive_data: Flag = False
    needs_model_control: Flag = False
    custom_deployment: Flag = False
    reused_across_engagements: Flag = False


class Production(_Document):
    """The go-live checklist (seed: "Move Work Into Production Deliberately")."""

    went_live: Day | None = None
    logging: Flag | None = None
    monitoring: Flag | None = None
    review_enforced: Flag | None = None


class ReviewEntry(_Document):
    """One periodic review: the measured value and what was decided."""

    date: Day
    value: Number | None = None
    outcome: ReviewOutcome | None = None
    notes: Text | None = None


class Review(_Document):
    """The review cadence and its history (seed: "Monitor, Review, and Retire")."""

    cadence_days: Annotated[int, Field(ge=1, le=3660), NUMBER] | None = None
    last_reviewed: Day | None = None
    history: Seq[ReviewEntry] = ()

    @property
    def last_review_date(self) -> dt.date | None:
        """``last_reviewed`` when given, else the latest history date."""
        if self.last_reviewed is not None:
            return self.last_reviewed
        return max((entry.date for entry in self.history), default=None)


class Waiver(_Document):
    """An explicit, owned, expiring exception to one mandatory policy."""

    policy: Slug
    path: Pointer | None = None
    reason: Text | None = None
    approved_by: Text | None = None
    ticket: Text | None = None
    expires: Day | None = None

    def covers(self, path: str) -> bool:
        """Whether this waiver's path covers ``path`` (itself and everything below it)."""
        if not self.path:
            return True
        return path == self.path or path.startswith(self.path + "/")


class Workflow(_Document):
    """One AI-assisted workflow."""

    id: Slug
    name: Text | None = None
    stage: Stage = Stage.IDEA
    use_case: UseCase | None = None
    consequence: Consequence | None = None
    audience: Audience | None = None
    content: Content | None = None
    owner: Person | None = None
    reviewer: Person | None = None
    data_boundary: DataBoundary | None = None
    inputs: Seq[Input] = ()
    output_standard: OutputStandard | None = None
    escalation: Escalation | None = None
    review_tier: ReviewTier | None = None
    infrastructure: Infrastructure | None = None
    production: Production | None = None
    review: Review | None = None
    waivers: Seq[Waiver] = ()


class TierRule(_Document):
    """The review a consequence requires."""

    review_tier: ReviewTier
    approvals: Annotated[int, Field(ge=0), NUMBER, WRITABLE] = 0
    approver_roles: Seq[Text] = ()


class Tiers(_Document):
    """Consequence -> the review it requires. The defaults are the spec's."""

    low: TierRule = TierRule(review_tier=ReviewTier.LIGHT, approvals=0)
    medium: TierRule = TierRule(review_tier=ReviewTier.STANDARD, approvals=1)
    high: TierRule = TierRule(review_tier=ReviewTier.HEAVY, approvals=2, approver_roles=["legal"])
    critical: TierRule = TierRule(
        review_tier=ReviewTier.HEAVY, approvals=2, approver_roles=["legal", "executive"]
    )

    def for_consequence(self, consequence: Consequence) -> TierRule:
        rule: TierRule = getattr(self, consequence.value)
        return rule


class Decisions(_Document):
    """The four standing decisions every operating model must answer."""

    where_ai_is_useful: Text | None = None
    who_owns_results: Text | None = None
    what_data_is_allowed: Text | None = None
    how_output_ships: Text | None = None


class Selection(_Document):
    """How use cases are selected."""

    min_score: Annotated[int, Field(ge=0, le=9), NUMBER] = 6


#: The enforcement levels, lowest first (spec 5.3: ``shadow`` is below advisory).
EnforcementLevel = Literal["shadow", "advisory", "mandatory", "hard_mandatory"]
LEVELS: tuple[str, ...] = ("shadow", "advisory", "mandatory", "hard_mandatory")


class EnforcementStep(_Document):
    """One step of a dated enforcement schedule: the level in force from ``from`` on.

    The first step may have no date: it holds until the next one. Before a first step that
    has one, the policy keeps the level it would have without the schedule.
    """

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    level: EnforcementLevel
    from_: Day | None = Field(default=None, alias="from")


def _in_date_order(steps: tuple[EnforcementStep, ...]) -> tuple[EnforcementStep, ...]:
    for index, step in enumerate(steps):
        if index and step.from_ is None:
            raise _custom_error(
                "schedule_order",
                f"step {index + 1} has no 'from' date; only the first step may go without one",
            )
        before = steps[index - 1].from_ if index else None
        if before is not None and step.from_ is not None and step.from_ <= before:
            raise _custom_error(
                "schedule_order",
                f"step {index + 1} starts on {step.from_.isoformat()}, not after step "
                f"{index}'s {before.isoformat()}; list the steps in date order",
            )
    return steps


#: A rollout: the level in force on each date, its steps in date order.
Schedule = Annotated[Seq[EnforcementStep], Field(min_length=1), AfterValidator(_in_date_order)]


def _level_or_schedule(value: Any) -> str:
    return SCHEDULE if isinstance(value, list | tuple) else LEVEL


#: The union's two branches, named so that an error's path can leave the name out.
LEVEL, SCHEDULE = "#level", "#schedule"
#: A level, or a schedule of levels: which one is told by the value's type, so an error
#: speaks of what was written (a list is a schedule), not of both at once.
LevelOrSchedule = Annotated[
    Annotated[EnforcementLevel, Tag(LEVEL)] | Annotated[Schedule, Tag(SCHEDULE)],
    Discriminator(_level_or_schedule),
]


class PolicyConfig(_Document):
    """Which policies run and how strictly (spec sections 4.6 and 5.3)."""

    paths: Seq[Text] = ()
    disable: Seq[Slug] = ()
    #: Each policy's level, or its dated schedule of levels.
    enforcement: Annotated[dict[Slug, LevelOrSchedule], AfterValidator(FrozenDict)] = Field(
        default_factory=FrozenDict
    )


DEFAULT_DATA_CLASSES = ("public", "internal", "confidential", "personal", "sensitive_personal")


class OperatingModel(_Document):
    """The organisation's standing decisions plus its workflows."""

    aimo: Literal[1] = 1
    organization: Text | None = None
    decisions: Decisions | None = None
    tiers: Tiers = Field(default_factory=Tiers)
    data_classes: Annotated[Seq[Text], Field(min_length=1)] = DEFAULT_DATA_CLASSES
    public_tools_max_class: Text = Field(default="internal", validate_default=True)
    selection: Selection = Field(default_factory=Selection)
    workflows: Seq[Workflow] = ()
    workflow_files: Seq[Text] = ()
    policies: PolicyConfig | None = None

    @field_validator("data_classes")
    @classmethod
    def _unique_classes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen = [c for i, c in enumerate(value) if c in value[:i]]
        if seen:
            raise ValueError(f"data class {seen[0]!r} is listed twice")
        return value

    @field_validator("public_tools_max_class")
    @classmethod
    def _known_class(cls, value: str, info: ValidationInfo) -> str:
        classes = info.data.get("data_classes")
        if classes is not None and value not in classes:
            raise _custom_error("unknown_class", f"{value!r} is not one of data_classes")
        return value

    @cached_property
    def class_ranks(self) -> Mapping[str, int]:
        """Each data class's sensitivity rank, least sensitive first (read-only)."""
        return MappingProxyType({name: rank for rank, name in enumerate(self.data_classes)})

    def class_rank(self, classification: str) -> int:
        """The sensitivity rank of a class; an unlisted class is the most sensitive."""
        return self.class_ranks.get(classification, len(self.data_classes))

    @cached_property
    def _required_tiers(self) -> Mapping[Consequence | None, ReviewTier | None]:
        tiers: dict[Consequence | None, ReviewTier | None] = {None: None}
        tiers.update((c, self.tiers.for_consequence(c).review_tier) for c in Consequence)
        return MappingProxyType(tiers)

    def required_tier(self, consequence: Consequence | None) -> ReviewTier | None:
        """The review tier that ``consequence`` requires, or None without a consequence."""
        return self._required_tiers[consequence]
