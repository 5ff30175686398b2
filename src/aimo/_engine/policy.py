"""What a policy is: a checked function plus the metadata that explains its findings."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeAlias

from aimo._documents.frozen import freeze_json
from aimo._documents.models import OperatingModel, ReviewTier, Stage, Workflow
from aimo._engine.verdict import Enforcement, Severity
from aimo._errors import PolicyError

__all__ = ["MISSING", "Context", "NotApplicable", "Policy", "Violation", "policy"]

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


_EMPTY: Mapping[str, Enforcement] = MappingProxyType({})


class Context:
    """What a check knows besides the workflow: the date, the operating model and the run.

    A context cannot be changed: one policy must not be able to change what the next one
    sees (assigning an attribute raises ``AttributeError``).
    """

    __slots__ = ("_plain", "enforcement", "model", "run", "today")

    today: dt.date
    model: OperatingModel
    run: Any
    #: Every policy id the engine knows, with its enforcement after configuration.
    enforcement: Mapping[str, Enforcement]
    _plain: tuple[Workflow, dict[str, Any]] | None

    def __init__(
        self,
        *,
        today: dt.date,
        model: OperatingModel,
        run: Any = None,
        enforcement: Mapping[str, Enforcement] | None = None,
    ) -> None:
        if enforcement is None:
            enforcement = _EMPTY
        elif type(enforcement) is not MappingProxyType:
            enforcement = MappingProxyType(dict(enforcement))
        _set_today(self, today)
        _set_model(self, model)
        _set_run(self, run)
        _set_enforcement(self, enforcement)
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


# The slots' own setters, bound once: the context refuses every other assignment.
_set_today = Context.__dict__["today"].__set__
_set_model = Context.__dict__["model"].__set__
_set_run = Context.__dict__["run"].__set__
_set_enforcement = Context.__dict__["enforcement"].__set__
_set_plain = Context.__dict__["_plain"].__set__


Result: TypeAlias = Iterable[Violation | NotApplicable] | None
Check: TypeAlias = Callable[[Workflow, Context], Result]

#: The order of the stages a policy can apply from.
STAGE_RANK: dict[Stage, int] = {Stage.IDEA: 0, Stage.PILOT: 1, Stage.PRODUCTION: 2}


class Policy:
    """A policy: a check and what a finding needs to explain itself.

    Make one with the :func:`policy` decorator rather than directly.
    """

    __slots__ = (
        "applies_from",
        "check",
        "description",
        "enforcement",
        "id",
        "pack",
        "pack_version",
        "references",
        "remediation",
        "retired",
        "seed_section",
        "severity",
        "title",
    )

    def __init__(
        self,
        check: Check,
        *,
        id: str,
        title: str,
        severity: Severity | str = Severity.MEDIUM,
        enforcement: Enforcement | str = Enforcement.MANDATORY,
        applies_from: Stage | str = Stage.PILOT,
        seed_section: str | None = None,
        references: Sequence[str] = (),
        remediation: str | None = None,
        retired: bool = False,
        doc: str | None = None,
    ) -> None:
        if not isinstance(id, str) or not _ID.match(id):
            raise PolicyError(f"policy id {id!r} must be a slug like 'acme-brand-voice'")
        try:
            self.severity = Severity(severity)
            self.enforcement = Enforcement(enforcement)
            self.applies_from = Stage(applies_from)
        except ValueError as exc:
            raise PolicyError(f"policy {id!r}: {exc}") from None
        if self.applies_from is Stage.RETIRED:
            raise PolicyError(
                f"policy {id!r}: applies_from must be idea, pilot or production; "
                "set retired=True to judge retired workflows too"
            )
        if isinstance(references, str):
            raise PolicyError(f"policy {id!r}: references is a list of strings")
        self.check = check
        self.id = id
        self.title = title
        self.seed_section = seed_section
        self.references = tuple(references)
        self.remediation = remediation
        self.retired = retired
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


def _lookup_policy(module: str, name: str) -> Policy:
    import importlib

    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    if not isinstance(found, Policy):
        raise TypeError(f"{module}.{name} is not a policy")
    return found


def policy(
    *,
    id: str,
    title: str,
    severity: Severity | str = Severity.MEDIUM,
    enforcement: Enforcement | str = Enforcement.MANDATORY,
    applies_from: Stage | str = Stage.PILOT,
    seed_section: str | None = None,
    references: Sequence[str] = (),
    remediation: str | None = None,
    retired: bool = False,
) -> Callable[[Check], Policy]:
    """Turn a check function into a :class:`Policy`.

    The check takes ``(workflow, ctx)`` and yields :class:`Violation` objects; yielding
    nothing passes. It may yield a single :class:`NotApplicable` instead, when the policy
    does not apply to this workflow. The function's docstring documents the policy.

    :param id: the stable policy id, a slug such as ``acme-brand-voice``.
    :param title: what the policy wants, in a few words.
    :param severity: ``info``, ``low``, ``medium``, ``high`` or ``critical``.
    :param enforcement: ``advisory``, ``mandatory`` or ``hard_mandatory``.
    :param applies_from: the first stage judged (``idea``, ``pilot`` or ``production``);
        before it, the finding is ``not_applicable``.
    :param seed_section: the section of the operating-model guide the policy enforces.
    :param references: framework clauses the policy helps with (navigation aids).
    :param remediation: how to fix a failure, unless the violation says otherwise.
    :param retired: whether retired workflows are judged too (only waiver policies are).
    """

    def decorate(check: Check) -> Policy:
        return Policy(
            check,
            id=id,
            title=title,
            severity=severity,
            enforcement=enforcement,
            applies_from=applies_from,
            seed_section=seed_section,
            references=references,
            remediation=remediation,
            retired=retired,
        )

    return decorate
