"""Policy configuration (spec section 4.6): what it may say, checked before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aimo._documents.loader import validate
from aimo._documents.models import PolicyConfig
from aimo._errors import ConfigError, DocumentError, quote

__all__ = ["FLOORS", "check_floor", "coerce_config", "merge_configs", "resolve_pack_paths"]

_RANK = {"advisory": 0, "mandatory": 1, "hard_mandatory": 2}

#: Policies whose enforcement no configuration may lower below the given level.
FLOORS = {"owner-named": "mandatory", "data-boundary-allowed": "mandatory"}


def check_floor(config: PolicyConfig, where: str = "") -> None:
    """Raise :class:`ConfigError` if the configuration lowers a policy below its floor.

    Disabling is the lowest level of all, so a floor policy cannot be disabled either.
    """
    for index, name in enumerate(config.disable):
        if name in FLOORS:
            raise ConfigError(
                f"{where}/policies/disable/{index}: {name} cannot be disabled; accountability "
                "and the data boundary are not optional"
            )
    for policy_id, level in config.enforcement.items():
        floor = FLOORS.get(policy_id)
        if floor is not None and _RANK[level] < _RANK[floor]:
            raise ConfigError(
                f"{where}/policies/enforcement/{policy_id}: {policy_id} cannot be lowered "
                f"below {floor} (found {level}); accountability and the data boundary are "
                "not optional"
            )


def coerce_config(config: PolicyConfig | Mapping[str, Any] | None) -> PolicyConfig | None:
    """A validated configuration, or None."""
    if config is None or isinstance(config, PolicyConfig):
        result = config
    else:
        try:
            result = validate(PolicyConfig, config)
        except DocumentError as exc:
            problems = "; ".join(f"{p.path or '/'}: {p.message}" for p in exc.problems)
            raise ConfigError(f"invalid policy configuration: {problems}") from None
    if result is not None:
        check_floor(result)
    return result


def resolve_pack_paths(config: PolicyConfig | None, base: Path) -> list[Path]:
    """The pack files a configuration names: files as given, folders by their YAML files."""
    if config is None:
        return []
    found: list[Path] = []
    for index, raw in enumerate(config.paths):
        try:
            path = Path(raw) if Path(raw).is_absolute() else base / raw
            if path.is_dir():
                found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
            elif path.exists():
                found.append(path)
            else:
                raise ConfigError(
                    f"/policies/paths/{index}: {quote(raw)} does not exist (paths are relative "
                    f"to {base.as_posix()})"
                )
        except (OSError, ValueError) as exc:
            # A name too long for the file system, or one holding a NUL character.
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(
                f"/policies/paths/{index}: {quote(raw)} cannot be used as a path: {reason}"
            ) from None
    return list(dict.fromkeys(found))


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
