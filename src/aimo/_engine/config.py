"""Policy configuration (spec section 4.6): what it may say, and what it does to the policies.

A configuration adds packs, disables policies or packs, and raises or lowers enforcement.
What it may not do is a fact of each policy: a policy with a ``floor`` cannot be lowered
below it, nor disabled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aimo._documents.models import PolicyConfig
from aimo._documents.validate import validate
from aimo._engine.loop import Entry
from aimo._engine.verdict import Enforcement
from aimo._errors import ConfigError, DocumentError

__all__ = ["apply_config", "check_floors", "coerce_config", "merge_configs"]

_RANK = {Enforcement.ADVISORY: 0, Enforcement.MANDATORY: 1, Enforcement.HARD_MANDATORY: 2}


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


def check_floors(config: PolicyConfig, floors: Mapping[str, Enforcement], where: str = "") -> None:
    """Raise :class:`ConfigError` if ``config`` lowers a policy below its floor.

    Disabling is the lowest level of all, so a policy with a floor cannot be disabled.

    :param floors: each policy id that has a floor, with it.
    :param where: what to put before the message's path (the model file, say).
    """
    for index, name in enumerate(config.disable):
        floor = floors.get(name)
        if floor is not None:
            raise ConfigError(
                f"{where}/policies/disable/{index}: {name} cannot be disabled: what it "
                f"guards is not optional in any operating model (it can be set no lower "
                f"than {floor})"
            )
    for policy_id, level in config.enforcement.items():
        floor = floors.get(policy_id)
        if floor is not None and _RANK[Enforcement(level)] < _RANK[floor]:
            raise ConfigError(
                f"{where}/policies/enforcement/{policy_id}: {policy_id} cannot be lowered "
                f"below {floor} (found {level}): what it guards is not optional in any "
                "operating model"
            )


def apply_config(
    entries: Sequence[Entry], config: PolicyConfig | None
) -> tuple[list[Entry], dict[str, Enforcement]]:
    """The entries a configuration keeps, and every known id's enforcement after it.

    Disabled policies are neither evaluated nor reported, but stay known, so a waiver that
    names one is not mistaken for a waiver of an unknown policy.

    :raises ConfigError: when the configuration names an unknown policy or pack, or lowers
        a policy below its floor.
    """
    if config is None:
        return list(entries), {e.policy.id: e.enforcement for e in entries}
    ids = {e.policy.id for e in entries}
    packs = {e.policy.pack for e in entries if e.policy.pack is not None}
    for name in config.disable:
        if name not in ids and name not in packs:
            raise ConfigError(
                f"/policies/disable: {name!r} is neither a known policy nor a known pack"
            )
    for policy_id in config.enforcement:
        if policy_id not in ids:
            raise ConfigError(f"/policies/enforcement: {policy_id!r} is not a known policy")
    check_floors(config, floors(e.policy for e in entries))
    disabled = set(config.disable)
    kept: list[Entry] = []
    enforcement: dict[str, Enforcement] = {}
    for entry in entries:
        policy = entry.policy
        level = config.enforcement.get(policy.id)
        if level is not None:
            entry = entry.at(Enforcement(level))
        enforcement[policy.id] = entry.enforcement
        if policy.id not in disabled and policy.pack not in disabled:
            kept.append(entry)
    return kept, enforcement


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
