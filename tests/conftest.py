from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import aimo
from aimo._cli.main import main
from aimo.testing import compliant_document

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")

# The suite judges aimo's own policies: plugins installed next to it must not change the
# verdicts it expects (the entry-point tests build their own environment).
os.environ["AIMO_DISABLE_PLUGIN_AUTOLOAD"] = "1"

TODAY = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parent.parent
NORTHWIND = ROOT / "examples" / "northwind" / "operating-model.yaml"
DELETE = object()

#: A production workflow that every built-in policy passes (or finds not applicable) on
#: TODAY: the test kit's own compliant workflow, so the suite and the kit agree on it.
COMPLIANT: dict[str, Any] = compliant_document(TODAY)
#: The four standing decisions written down, so that a test model's own verdict allows
#: (the model-level policy decisions-recorded, spec 5.3).
DECISIONS: dict[str, str] = {
    "where_ai_is_useful": "Recurring, measurable work tied to a decision.",
    "who_owns_results": "Each workflow names one accountable owner.",
    "what_data_is_allowed": "Public and internal data in public tools.",
    "how_output_ships": "Through the review tier its consequence requires.",
}


def make(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The compliant workflow with changes; keys are dotted paths, DELETE removes."""
    document = copy.deepcopy(COMPLIANT)
    for dotted, value in (changes or {}).items():
        *parents, last = dotted.split(".")
        target: Any = document
        for key in parents:
            target = target.setdefault(key, {})
        if value is DELETE:
            target.pop(last, None)
        else:
            target[last] = value
    return document


@pytest.fixture(scope="session")
def engine() -> aimo.Engine:
    """The built-in policies only, whatever else is installed."""
    return aimo.Engine(entry_points=False)


@pytest.fixture
def evaluate(engine: aimo.Engine) -> Callable[..., aimo.Verdict]:
    def run(document: Any, **kwargs: Any) -> aimo.Verdict:
        kwargs.setdefault("today", TODAY)
        return engine.evaluate(document, **kwargs)

    return run


def findings_of(verdict: aimo.Verdict, policy_id: str) -> list[aimo.Finding]:
    return [f for f in verdict.findings if f.policy_id == policy_id]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process: its exit code, standard output and error."""
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def aimo_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the ``aimo`` command as a user does: in a subprocess, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "aimo", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )
