"""What a policy is: a checked function plus the metadata that explains its findings."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, Required, TypeAlias, TypeVar, cast

from typing_extensions import TypedDict, Unpack

from aimo._documents.frozen import freeze_json
from aimo._documents.models import OperatingModel, ReviewTier, Stage, Workflow
from aimo._documents.run import Run
from aimo._engine.controls import Control, derive_controls
from aimo._engine.verdict import Enforcement, Severity
from aimo._errors import PolicyError

__all__ = ["MISSING", "Context", "NotApplicable", "Policy", "Violation", "policy"]

V = TypeVar("V")

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class _Missing:
    """Marks an ``observed`` value the engine should read from the document at ``path``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Violation:
    """One way a workflow breaks a policy; a policy's check yields these.

    :param message: a sentence a marketing manager understands.
    :param path: JSON Pointer to the offending value (``""`` is the whole workflow).
    :param observed: the value found; by default the engine reads it from ``path``.
    :param expected: what the policy wanted, in words or as a value.
    :param remediation: how to fix it; by default the policy's remediation.
    """

    __slots__ = ("expected", "message", "observed", "path", "remediation")

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        observed: Any = MISSING,
        expected: Any = None,
        remediation: str | None = None,
    ) -> None:
        if path and not path.startswith("/"):
            raise ValueError(f"a violation's path is a JSON Pointer starting with '/': {path!r}")
        self.message = message
        self.path = path
        self.observed = observed
        self.expected = expected
        self.remediation = remediation

    def __repr__(self) -> str:
        return f"Violation({self.message!r}, path={self.path!r})"


class NotApplicable:
    """Yielded (alone) by a check to say the policy does not apply to this workflow.

    :param reason: why, in a sentence; it becomes the finding's message.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"NotApplicable({self.reason!r})"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _read_only(mapping: Mapping[str, V] | None) -> Mapping[str, V]:
    # Engines pass read-only mappings already; anything else is copied, then wrapped.
    if mapping is None:
        return _EMPTY
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


class Context:
    """What a check knows besides the workflow: the date, the operating model and the run.

    A context cannot be changed: one policy must not be able to change what the next one
    sees (assigning an attribute raises ``AttributeError``).
    """

    __slots__ = ("_plain", "enforcement", "model", "run", "today", "unwaivable")

    today: dt.date
    model: OperatingModel
    #: The run being gated (its inputs, output and approvals), or None outside a gate.
    run: Run | None
    #: Every policy id the engine knows, with its enforcement after configuration.
    enforcement: Mapping[str, Enforcement]
    #: The policies below hard-mandatory that no waiver may set aside, with the reason.
    unwaivable: Mapping[str, str]
    _plain: tuple[Workflow, dict[str, Any]] | None

    def __init__(
        self,
        *,
        today: dt.date,
        model: OperatingModel,
        run: Run | None = None,
        enforcement: Mapping[str, Enforcement] | None = None,
        unwaivable: Mapping[str, str] | None = None,
    ) -> None:
        _set_today(self, today)
        _set_model(self, model)
        _set_run(self, run)
        _set_enforcement(self, _read_only(enforcement))
        _set_unwaivable(self, _read_only(unwaivable))
        _set_plain(self, None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"the evaluation's context cannot be changed (tried to set {name})")

    __delattr__ = __setattr__  # type: ignore[assignment]

    def plain(self, workflow: Workflow) -> dict[str, Any]:
        """The workflow as plain JSON data (nulls left out), dumped once per evaluation.

        Declarative rules validate this form; any policy that wants JSON can share it. Its
        lists and mappings refuse changes, so no policy can change what the next one reads.
        """
        cached = self._plain
        if cached is None or cached[0] is not workflow:
            plain: dict[str, Any] = freeze_json(workflow.model_dump(mode="json", exclude_none=True))
            cached = (workflow, plain)
            _set_plain(self, cached)
        return cached[1]

    def required_tier(self, workflow: Workflow) -> ReviewTier | None:
        """The review tier the workflow's consequence requires in the model's ``tiers``."""
        return self.model.required_tier(workflow.consequence)

    def __repr__(self) -> str:
        return f"Context(today={self.today!r}, run={self.run!r})"


def new_context(
    today: dt.date,
    model: OperatingModel,
    run: Run | None,
    enforcement: Mapping[str, Enforcement],
    unwaivable: Mapping[str, str],
) -> Context:
    """A context from parts an engine already holds read-only: the evaluation loop's way
    to make one, a few hundred nanoseconds cheaper than the checked constructor."""
    ctx: Context = _new_object(Context)
    _set_today(ctx, today)
    _set_model(ctx, model)
    _set_run(ctx, run)
    _set_enforcement(ctx, enforcement)
    _set_unwaivable(ctx, unwaivable)
    _set_plain(ctx, None)
    return ctx


_new_object = object.__new__

# The slots' own setters, bound once: the context refuses every other assignment.
_set_today = Context.__dict__["today"].__set__
_set_model = Context.__dict__["model"].__set__
_set_run = Context.__dict__["run"].__set__
_set_enforcement = Context.__dict__["enforcement"].__set__
_set_unwaivable = Context.__dict__["unwaivable"].__set__
_set_plain = Context.__dict__["_plain"].__set__


Result: TypeAlias = Iterable[Violation | NotApplicable] | None
Check: TypeAlias = Callable[[Workflow, Context], Result]
#: The check of a model-level policy (``scope="model"``): it judges the operating model.
ModelCheck: TypeAlias = Callable[[OperatingModel, Context], Result]

#: The order of the stages a policy can apply from.
STAGE_RANK: dict[Stage, int] = {Stage.IDEA: 0, Stage.PILOT: 1, Stage.PRODUCTION: 2}


class PolicyMetadata(TypedDict, total=False):
    """What a policy says about itself, besides its check: one list for the decorator, the
    class and declarative packs alike. See :func:`policy` for what each means."""

    id: Required[str]
    title: Required[str]
    severity: Severity | str
    enforcement: Enforcement | str
    applies_from: Stage | str
    seed_section: str | None
    references: Sequence[str]
    controls: Sequence[Control | tuple[str, str]] | None
    remediation: str | None
    retired: bool
    floor: Enforcement | str | None
    unwaivable: str | None
    scope: Scope


#: What a policy judges: one workflow at a time, or the operating model as a whole.
Scope = Literal["workflow", "model"]
SCOPES: tuple[Scope, ...] = ("workflow", "model")

#: The names of a policy's metadata.
METADATA = frozenset(PolicyMetadata.__annotations__)

#: What a policy's metadata holds when it does not say otherwise.
DEFAULTS: PolicyMetadata = {
    "id": "",
    "title": "",
    "severity": Severity.MEDIUM,
    "enforcement": Enforcement.MANDATORY,
    "applies_from": Stage.PILOT,
    "seed_section": None,
    "references": (),
    "controls": None,
    "remediation": None,
    "retired": False,
    "floor": None,
    "unwaivable": None,
    "scope": "workflow",
}


class Policy:
    """A policy: a check and what a finding needs to explain itself.

    Make one with the :func:`policy` decorator rather than directly; ``metadata`` is what
    the decorator takes.
    """

    __slots__ = (
        "applies_from",
        "check",
        "controls",
        "description",
        "enforcement",
        "floor",
        "id",
        "pack",
        "pack_version",
        "references",
        "remediation",
        "retired",
        "scope",
        "seed_section",
        "severity",
        "title",
        "unwaivable",
    )

    def __init__(
        self, check: Check, *, doc: str | None = None, **metadata: Unpack[PolicyMetadata]
    ) -> None:
        unknown = set(metadata) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"policy() got unknown arguments: {', '.join(sorted(unknown))}")
        meta: PolicyMetadata = {**DEFAULTS, **metadata}
        id = meta["id"]
        if not isinstance(id, str) or not _ID.match(id):
            raise PolicyError(f"policy id {id!r} must be a slug like 'acme-brand-voice'")
        try:
            self.severity = Severity(meta["severity"])
            self.enforcement = Enforcement(meta["enforcement"])
            self.applies_from = Stage(meta["applies_from"])
            floor = meta["floor"]
            #: The lowest enforcement configuration may set; nor may it disable the policy.
            self.floor = Enforcement(floor) if floor is not None else None
        except ValueError as exc:
            raise PolicyError(f"policy {id!r}: {exc}") from None
        if self.floor is not None and self.enforcement.rank < self.floor.rank:
            # Its own level is where a floor is crossed first: no configuration is needed.
            raise PolicyError(
                f"policy {id!r}: its enforcement ({self.enforcement}) is below its floor "
                f"({self.floor}); a floor is the lowest level the policy may run at"
            )
        if self.applies_from is Stage.RETIRED:
            raise PolicyError(
                f"policy {id!r}: applies_from must be idea, pilot or production; "
                "set retired=True to judge retired workflows too"
            )
        scope = meta["scope"]
        if scope not in SCOPES:
            raise PolicyError(f"policy {id!r}: scope is 'workflow' or 'model', not {scope!r}")
        #: ``model`` policies judge the operating model as a whole, ``check(model, ctx)``,
        #: once per model judged; their stage settings do not apply.
        self.scope: Scope = scope
        references = meta["references"]
        if isinstance(references, str):
            raise PolicyError(f"policy {id!r}: references is a list of strings")
        self.check = check
        self.id = id
        self.title = meta["title"]
        self.seed_section = meta["seed_section"]
        self.references = tuple(references)
        #: The framework controls the policy helps with: as given, else those its
        #: references cite (see ``derive_controls``).
        self.controls = _controls(id, meta["controls"], self.references)
        self.remediation = meta["remediation"]
        self.retired = meta["retired"]
        #: Why no waiver may set this policy aside, when none may (a hard-mandatory
        #: policy needs no reason: its level says so).
        self.unwaivable = meta["unwaivable"]
        #: The declarative pack the policy came from, if any, and that pack's version.
        self.pack: str | None = None
        self.pack_version: str | None = None
        #: What the policy checks and why: the check's docstring, unless given.
        self.description = inspect.cleandoc(doc if doc is not None else check.__doc__ or "")

    def applies_to(self, stage: Stage) -> bool:
        """Whether the policy judges a workflow at ``stage``."""
        if stage is Stage.RETIRED:
            return self.retired
        return STAGE_RANK[stage] >= STAGE_RANK[self.applies_from]

    def __call__(self, workflow: Workflow, ctx: Context) -> Result:
        return self.check(workflow, ctx)

    def __repr__(self) -> str:
        return f"<Policy {self.id}>"

    def __reduce__(self) -> tuple[Any, ...]:
        # Policies are module-level objects: pickle them by reference when we can.
        module = getattr(self.check, "__module__", None)
        name = getattr(self.check, "__qualname__", None)
        if module and name and "<" not in name:
            return (_lookup_policy, (module, name))
        raise TypeError(f"policy {self.id!r} is not defined at module level and cannot be pickled")


def _controls(
    id: str, given: Sequence[Control | tuple[str, str]] | None, references: tuple[str, ...]
) -> tuple[Control, ...]:
    if given is None:
        return derive_controls(references)
    if isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
        raise PolicyError(
            f"policy {id!r}: controls is a list of aimo.Control or (framework, id) pairs, "
            f"not {type(given).__name__}"
        )
    controls: dict[Control, None] = {}
    for number, item in enumerate(given, start=1):
        if isinstance(item, Control):
            controls.setdefault(item, None)
            continue
        pair = tuple(item) if isinstance(item, tuple | list) else ()
        try:
            if len(pair) != 2:
                raise ValueError
            control = Control(framework=pair[0], id=pair[1])
        except ValueError:
            # pydantic's ValidationError is a ValueError: a framework or id that is empty
            # or not text.
            raise PolicyError(
                f"policy {id!r}: control {number} must be an aimo.Control or a "
                f"(framework, id) pair of non-empty strings, not {_cut(item)}"
            ) from None
        controls.setdefault(control, None)
    return tuple(controls)


def _cut(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def _lookup_policy(module: str, name: str) -> Policy:
    import importlib

    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    if not isinstance(found, Policy):
        raise TypeError(f"{module}.{name} is not a policy")
    return found


def policy(**metadata: Unpack[PolicyMetadata]) -> Callable[[Check | ModelCheck], Policy]:
    """Turn a check function into a :class:`Policy`.

    The check takes ``(workflow, ctx)`` and yields :class:`Violation` objects; yielding
    nothing passes. It may yield a single :class:`NotApplicable` instead, when the policy
    does not apply to this workflow. The function's docstring documents the policy.

    :param id: the stable policy id, a slug such as ``acme-brand-voice`` (required).
    :param title: what the policy wants, in a few words (required).
    :param severity: ``info``, ``low``, ``medium`` (default), ``high`` or ``critical``.
    :param enforcement: ``shadow``, ``advisory``, ``mandatory`` (default) or
        ``hard_mandatory``.
    :param applies_from: the first stage judged (``idea``, ``pilot`` (default) or
        ``production``); before it, the finding is ``not_applicable``.
    :param seed_section: the section of the operating-model guide the policy enforces.
    :param references: framework clauses the policy helps with (navigation aids).
    :param controls: the framework controls the policy helps with, each an
        :class:`~aimo.Control` or a ``(framework, id)`` pair; by default, those its
        ``references`` cite (``"NIST AI RMF GOVERN 1.3"`` gives ``NIST AI RMF``,
        ``GOVERN 1.3``). Give ``[]`` for none.
    :param remediation: how to fix a failure, unless the violation says otherwise.
    :param retired: whether retired workflows are judged too (only waiver policies are).
    :param floor: the lowest enforcement configuration may set (``mandatory`` for
        ``owner-named``); a policy with a floor cannot be disabled either.
    :param unwaivable: why no waiver may set this policy aside, for a policy below
        hard-mandatory that must still never be waived (``waiver-valid``).
    :param scope: ``workflow`` (default): the check judges one workflow,
        ``check(workflow, ctx)``; ``model``: it judges the operating model as a whole,
        ``check(model, ctx)``, once each time a model is judged (``aimo check MODEL``,
        ``evaluate_model``, ``assess``), and its findings make the model's own verdict.
    """

    def decorate(check: Check | ModelCheck) -> Policy:
        return Policy(cast(Check, check), **metadata)

    return decorate
