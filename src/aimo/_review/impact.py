"""Impact: what a change would do to the decisions, known before it is made (spec 5.3).

A policy change is a change to every workflow it touches. Before one is merged, the model
is judged twice on one date, with its own ``policies`` block and with the candidate's,
and what matters to the people who review the change is kept: the workflows whose
decision changes, and for each the findings that appear or disappear. ``aimo diff``
compares two saved results the same way, through :class:`Comparison`.

A finding is compared by what it says about the workflow, ``(policy, path, outcome,
enforcement)``, not by its wording: an upgrade that rephrases a message changes nothing,
while a policy moved from advisory to mandatory shows as the advisory finding gone and
the mandatory one come.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aimo._defaults import default_engine
from aimo._documents.dates import evaluation_date
from aimo._documents.files import inside, pack_files
from aimo._documents.inventory import Inventory, Rejected
from aimo._documents.loader import read_model
from aimo._documents.models import PolicyConfig
from aimo._documents.source import source_of
from aimo._engine.coerce import ModelLike, coerce_inventory
from aimo._engine.config import coerce_config
from aimo._engine.engine import BaseEngine
from aimo._engine.verdict import Decision, Finding, Outcome
from aimo._errors import ConfigError, PolicyError, quote

__all__ = ["COMPARED", "Change", "Comparison", "Impact", "compare_model", "impact"]

#: The outcomes compared: those a reader acts on, and the ones ``aimo check --format
#: json`` lists finding by finding, so a saved result holds all of them.
COMPARED = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


#: What a change is about: one workflow, or the operating model as a whole (its
#: model-level policies, such as decisions-recorded).
Scope = Literal["workflow", "model"]


class Change(_Frozen):
    """One workflow whose decision changes, and the findings that make the difference.
    A change with ``scope == "model"`` is the operating model's own verdict; its
    ``workflow_id`` is the model's name, as in its verdict."""

    workflow_id: str
    scope: Scope = "workflow"
    #: The file the workflow is listed under, as ``aimo check`` lists it: its operating
    #: model's file, or its own for a workflow file checked alone; None when not known.
    file: str | None
    #: The decision before and after; None where the workflow is on one side only (a diff
    #: of two saved results where it was added or removed).
    before: Decision | None
    after: Decision | None
    #: The failing, erring and waived findings that are new after the change, and those
    #: that are gone, each in its verdict's order.
    appeared: tuple[Finding, ...]
    disappeared: tuple[Finding, ...]

    @property
    def newly_denies(self) -> bool:
        """Whether the workflow is denied after the change and was not before."""
        return self.after is Decision.DENY and self.before is not Decision.DENY

    @property
    def newly_allowed(self) -> bool:
        """Whether the workflow was denied before the change and is allowed (or warned)
        after it."""
        return self.before is Decision.DENY and self.after in (Decision.ALLOW, Decision.WARN)


class Impact(_Frozen):
    """What a change does to the decisions of the workflows it was judged on."""

    #: The evaluation date (of a diff, the newer result's).
    today: dt.date
    #: The evaluation date of the side before the change: ``today`` for a policy change
    #: judged by :func:`impact`; the older result's in a diff, where a date alone can change
    #: decisions (reviews fall due, waivers expire).
    before_today: dt.date
    #: How many workflows were compared (a refused, invalid workflow too: it is denied on
    #: both sides); the operating model's own verdict is compared too, and not counted.
    judged: int
    #: The workflows whose decision changes, in the model's order.
    changes: tuple[Change, ...]

    @property
    def newly_denied(self) -> tuple[Change, ...]:
        """The changes that deny a workflow that was not denied."""
        return tuple(c for c in self.changes if c.newly_denies)

    @property
    def newly_allowed(self) -> tuple[Change, ...]:
        """The changes that allow (or warn) a workflow that was denied."""
        return tuple(c for c in self.changes if c.newly_allowed)

    def summary(self) -> dict[str, int]:
        """How many workflows change decision, how many of them are newly denied and how
        many newly allowed (the rest move between allow and warn, or are on one side of a
        diff only)."""
        return {
            "changed": len(self.changes),
            "newly_denied": len(self.newly_denied),
            "newly_allowed": len(self.newly_allowed),
        }

    def to_dict(self) -> dict[str, Any]:
        """The impact as plain JSON-compatible data, with its :meth:`summary`."""
        data = self.model_dump(mode="json")
        changes = data.pop("changes")
        return {**data, "summary": self.summary(), "changes": changes}


#: One side of a comparison: the decision, and the findings it was made from (all of them,
#: or those a compact verdict lists; only the compared outcomes count).
Side = tuple[Decision, Sequence[Finding]]


class Comparison:
    """An :class:`Impact` built one workflow at a time, keeping only the changes: an
    inventory of tens of thousands of workflows is compared in the memory its changes take.
    """

    def __init__(self) -> None:
        self.judged = 0
        self._changes: list[Change] = []

    def add(
        self,
        workflow_id: str,
        file: str | None,
        before: Side | None,
        after: Side | None,
        *,
        scope: Scope = "workflow",
    ) -> None:
        """Compare one workflow's two sides (None for a side it is not on), or with
        ``scope="model"`` the operating model's own verdicts."""
        if scope == "workflow":
            self.judged += 1
        was = before[0] if before is not None else None
        now = after[0] if after is not None else None
        if was == now:
            return
        old = _compared(before[1]) if before is not None else []
        new = _compared(after[1]) if after is not None else []
        self._changes.append(
            Change(
                workflow_id=workflow_id,
                scope=scope,
                file=file,
                before=was,
                after=now,
                appeared=_missing_from(old, new),
                disappeared=_missing_from(new, old),
            )
        )

    def skip(self) -> None:
        """Count a workflow whose decision cannot change (one refused on both sides)."""
        self.judged += 1

    def result(self, today: dt.date, before_today: dt.date | None = None) -> Impact:
        return Impact(
            today=today,
            before_today=before_today if before_today is not None else today,
            judged=self.judged,
            changes=tuple(self._changes),
        )


def _compared(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.outcome in COMPARED]


def _key(finding: Finding) -> tuple[str, str, str, str]:
    return (finding.policy_id, finding.path, finding.outcome.value, finding.enforcement.value)


def _missing_from(base: Sequence[Finding], other: Sequence[Finding]) -> tuple[Finding, ...]:
    """The findings of ``other`` that ``base`` does not have, counting repeats: a rule that
    fails twice at one path, where it failed once, has one finding more."""
    left = Counter(map(_key, base))
    missing = []
    for finding in other:
        key = _key(finding)
        if left[key]:
            left[key] -= 1
        else:
            missing.append(finding)
    return tuple(missing)


def compare_model(
    model: ModelLike | Inventory,
    policies: PolicyConfig | Mapping[str, Any] | None,
    *,
    engine: BaseEngine,
    today: dt.date | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    confine: bool = True,
    where: str | None = None,
    advance: Callable[[], object] | None = None,
) -> Impact:
    """Judge every workflow of ``model`` with its own ``policies`` block and with
    ``policies`` instead, on one date, with ``engine`` otherwise, and compare.

    :param base_dir: the folder the candidate's pack paths are relative to (default: the
        model file's, else the current one).
    :param confine: hold the candidate's pack paths inside that folder, as a model's own
        are held inside its own (a model given as data is not held, as its own paths are
        not).
    :param where: what names the candidate in errors (default: the model's file).
    :param advance: called once per workflow compared, for a progress bar.
    :raises ConfigError: when the candidate is not a valid ``policies`` block, names a pack
        that does not exist or lies outside, or is refused by the engine (an unknown policy,
        a level below a floor); also for the model's own block, as ``evaluate_model``.
    :raises PolicyError: when a pack the candidate names cannot be loaded.
    :raises DocumentError: when the model itself is invalid or unreadable.
    """
    candidate = coerce_config(policies)
    operating_model, entries, _ = coerce_inventory(model, engine.limits)
    source = source_of(operating_model)
    model_file = source.file if source is not None else None
    home = Path(model_file).parent if model_file is not None else None
    folder = Path(base_dir) if base_dir is not None else home
    label = where if where is not None else (model_file or "the candidate policies")
    try:
        before_engine = engine.for_model(operating_model)
    except ConfigError as exc:
        raise (exc.in_file(model_file) if model_file else exc) from None
    after_engine = _candidate_engine(engine, candidate, folder, home, confine, label)
    # The engines carry the two configurations; each side's policies also see the model as
    # it would be, its own block before and the candidate after: the side before is what
    # aimo check says, even for a policy that reads the model's block.
    proposed = operating_model.model_copy(update={"policies": candidate})
    day = evaluation_date(today)
    ctx_before = before_engine.context(operating_model, day)
    ctx_after = after_engine.context(proposed, day)
    comparison = Comparison()
    # What-if judgements decide nothing, so no verdict reaches the aimo_verdict hooks (a
    # decision log would otherwise record a candidate's verdicts as if they were made).
    # The model as a whole comes first, as aimo check shows it.
    was = before_engine.judge_whole(operating_model, ctx_before, notify=False)
    now = after_engine.judge_whole(proposed, ctx_after, notify=False)
    comparison.add(
        was.workflow_id,
        model_file,
        (was.decision, was.findings),
        (now.decision, now.findings),
        scope="model",
    )
    for entry in entries:
        if isinstance(entry, Rejected):
            comparison.skip()  # not a valid workflow: denied whatever the policies
        else:
            before = before_engine.judge(entry, ctx_before, notify=False)
            after = after_engine.judge(entry, ctx_after, notify=False)
            comparison.add(
                entry.id,
                model_file,
                (before.decision, before.findings),
                (after.decision, after.findings),
            )
        if advance is not None:
            advance()
    return comparison.result(day)


def _candidate_engine(
    engine: BaseEngine,
    candidate: PolicyConfig | None,
    folder: Path | None,
    home: Path | None,
    confine: bool,
    label: str,
) -> BaseEngine:
    if candidate is None:
        return engine
    if confine and folder is not None:
        # The user pointed at two folders, the candidate's and the model's: a proposal kept
        # beside the model may name the model's own packs.
        roots = [folder, *([home] if home is not None and home != folder else [])]
        for index, entry in enumerate(candidate.paths):
            path = Path(entry) if Path(entry).is_absolute() else folder / entry
            try:
                outside = not any(inside(path, root) for root in roots)
            except ValueError:
                continue  # no file can have this name: configuring says so
            if outside:
                where = " or ".join(root.as_posix() or "." for root in roots)
                raise ConfigError(
                    f"{quote(entry)} is outside the folder of the file that names it and of "
                    f"the model ({where}); packs must be inside one, unless you allow it "
                    "(allow_outside=True, or --allow-outside)",
                    path=f"/policies/paths/{index}",
                    file=label,
                )
        # A folder inside may still hold a link to a pack outside.
        try:
            pack_files(candidate.paths, folder, roots)
        except ConfigError as exc:
            raise exc.in_file(label) from None
    try:
        return engine.configured(candidate, folder)
    except ConfigError as exc:
        raise exc.in_file(label) from None
    except PolicyError as exc:
        raise PolicyError(f"{label}: {exc}") from None


def impact(
    model: ModelLike,
    policies: PolicyConfig | Mapping[str, Any] | None,
    *,
    today: dt.date | None = None,
    engine: BaseEngine | None = None,
    allow_outside: bool = False,
) -> Impact:
    """What replacing an operating model's ``policies`` block would change.

    Every workflow of ``model`` is judged with the model's own ``policies`` block and with
    ``policies`` in its place, on one date and by one engine; :attr:`Impact.changes` lists
    the workflows whose decision changes, with the findings that appear or disappear.

    :param model: an :class:`aimo.OperatingModel`, its plain data, or the path of its file,
        as :func:`aimo.evaluate_model` takes it.
    :param policies: the candidate ``policies`` block (an :class:`aimo.PolicyConfig` or its
        plain data), or None for none at all. Its pack paths are relative to the model's
        file, and must lie inside its folder, as if the block were in the file.
    :param today: the evaluation date of both sides (default: today, UTC).
    :param engine: the engine that judges both sides (default: the default engine).
    :param allow_outside: let the model and the candidate name files outside the model's
        folder.
    :raises ConfigError: when either ``policies`` block is invalid.
    :raises PolicyError: when a pack it names cannot be loaded.
    :raises DocumentError: when the model is invalid or unreadable.
    """
    engine = engine if engine is not None else default_engine()
    subject: ModelLike | Inventory = model
    if isinstance(model, str | os.PathLike):
        subject = read_model(model, limits=engine.limits, allow_outside=allow_outside)
    return compare_model(subject, policies, engine=engine, today=today, confine=not allow_outside)
