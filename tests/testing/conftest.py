from __future__ import annotations

import os
from collections.abc import Callable
from importlib import metadata

import pytest

pytest_plugins = ["pytester"]


def _kit_is_installed() -> bool:
    """Whether pytest loads aimo's kit by itself, through the ``pytest11`` entry point."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return any(
        ep.value.partition(":")[0].strip() == "aimo.testing"
        for ep in metadata.entry_points(group="pytest11")
    )


# Naming the plugin with -p as well as through its entry point would register it twice.
KIT_ARGS: tuple[str, ...] = () if _kit_is_installed() else ("-p", "aimo.testing")


@pytest.fixture
def run_kit(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Run pytest in-process on the pytester folder with aimo's kit loaded."""

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest(*KIT_ARGS, "-p", "no:cacheprovider", *args)

    return run


@pytest.fixture
def inline_kit(pytester: pytest.Pytester) -> Callable[..., pytest.HookRecorder]:
    """Like ``run_kit``, returning pytest's recorded reports instead of its output."""

    def run(*args: str) -> pytest.HookRecorder:
        return pytester.inline_run(*KIT_ARGS, "-p", "no:cacheprovider", *args)

    return run
