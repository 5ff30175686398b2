"""Policy configuration (spec section 4.6): what it may say, and what it does to the policies.

A configuration adds packs, disables policies or packs, and raises or lowers enforcement.
What it may not do is a fact of each policy: a policy with a ``floor`` cannot be lowered
below it, nor disabled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aimo._documents.models import EnforcementStep, PolicyConfig
from aimo._documents.validate import validate
from aimo._engine.loop import Entry
from aimo._engine.verdict import Enforcement, NextEnforcement
from aimo._errors import ConfigError, DocumentError

__all__ = [
    "Schedule",
    "apply_config",
    "check_floors",
    "coerce_config",
    "level_on",
    "merge_configs",
]

#: A policy's dated rollout, as configuration gives it.
Schedule = tuple[EnforcementStep, ...]


def coerce_config(config: PolicyConfig | Mapping[str, Any] | None) -> PolicyConfig | None:
    """A validated configuration, or None.

    :raises ConfigError: naming every problem with the configuration's fields.
    """
    if config is None or isinstance(config, PolicyConfig):
        return config
    try:
        return validate(PolicyConfig, config)
    except DocumentError as exc:
        problems = "; ".join(f"{p.path or '/'}: {p.message}" for p in exc.problems)
        raise ConfigError(f"invalid policy configuration: {problems}") from None


def check_floors(
    config: PolicyConfig, floors: Mapping[str, Enforcement], file: str | None = None
) -> None:
    """Raise :class:`ConfigError` if ``config`` lowers a policy below its floor.

    Disabling is the lowest level of all, so a policy with a floor cannot be disabled.

    :param floors: each policy id that has a floor, with it.
    :param file: the file that holds the configuration, for the error to name.
    """
    for index, name in enumerate(config.disable):
        floor = floors.get(name)
        if floor is not None:
            raise ConfigError(
                f"{name} cannot be disabled: what it guards is not optional in any operating "
                f"model (it can be set no lower than {floor})",
                path=f"/policies/disable/{index}",
                file=file,
            )
    for policy_id, value in config.enforcement.items():
        floor = floors.get(policy_id)
        if floor is None:
            continue
        # A schedule holds the floor at every step, not only at the last.
        steps = (
            [("", value)]
            if isinstance(value, str)
            else [(f"/{index}/level", step.level) for index, step in enumerate(value)]
        )
        for at, level in steps:
            if Enforcement(level).rank < floor.rank:
                raise ConfigError(
                    f"{policy_id} cannot be lowered below {floor} (found {level}): what it "
                    "guards is not optional in any operating model",
                    path=f"/policies/enforcement/{policy_id}{at}",
                    file=file,
                )


def apply_config(
    entries: Sequence[Entry], config: PolicyConfig | None
) -> tuple[list[Entry], dict[str, Enforcement], dict[str, Schedule]]:
    """The entries a configuration keeps, every known id's enforcement after it, and the
    schedules of the policies whose level depends on the date.

    Disabled policies are neither evaluated nor reported, but stay known, so a waiver that
    names one is not mistaken for a waiver of an unknown policy. A scheduled policy's entry
    and enforcement are its level without the schedule: :func:`level_on` gives the level
    of a date.

    :raises ConfigError: when the configuration names an unknown policy or pack, or lowers
        a policy below its floor.
    """
    if config is None:
        return list(entries), {e.policy.id: e.enforcement for e in entries}, {}
    ids = {e.policy.id for e in entries}
    packs = {e.policy.pack for e in entries if e.policy.pack is not None}
    for name in config.disable:
        if name not in ids and name not in packs:
            raise ConfigError(
                f"{name!r} is neither a known policy nor a known pack", path="/policies/disable"
            )
    for policy_id in config.enforcement:
        if policy_id not in ids:
            raise ConfigError(f"{policy_id!r} is not a known policy", path="/policies/enforcement")
    check_floors(config, floors(e.policy for e in entries))
    disabled = set(config.disable)
    kept: list[Entry] = []
    enforcement: dict[str, Enforcement] = {}
    schedules: dict[str, Schedule] = {}
    for entry in entries:
        policy = entry.policy
        value = config.enforcement.get(policy.id)
        if isinstance(value, str):
            entry = entry.at(Enforcement(value))
        elif value is not None:
            schedules[policy.id] = tuple(value)
        enforcement[policy.id] = entry.enforcement
        if policy.id not in disabled and policy.pack not in disabled:
            kept.append(entry)
    return kept, enforcement, schedules


def level_on(
    steps: Schedule, day: dt.date, before: Enforcement
) -> tuple[Enforcement, NextEnforcement | None]:
    """The level a schedule puts in force on ``day``, and its next step after that day.

    :param before: the level before a first step that has a date.
    """
    level = before
    for step in steps:
        if step.from_ is None or step.from_ <= day:
            level = Enforcement(step.level)
        else:
            return level, NextEnforcement(level=Enforcement(step.level), from_=step.from_)
    return level, None


def floors(policies: Any) -> dict[str, Enforcement]:
    """Each policy's floor, for the policies that have one."""
    return {p.id: p.floor for p in policies if p.floor is not None}


def merge_configs(
    first: PolicyConfig | None,
    first_paths: list[Path],
    second: PolicyConfig,
    second_paths: list[Path],
) -> PolicyConfig:
    """``second`` applied on top of ``first``, with every pack path made absolute."""
    disable = [*(first.disable if first else ()), *second.disable]
    enforcement = {**(first.enforcement if first else {}), **second.enforcement}
    paths = [str(p.resolve()) for p in dict.fromkeys([*first_paths, *second_paths])]
    return PolicyConfig(paths=paths, disable=list(dict.fromkeys(disable)), enforcement=enforcement)
