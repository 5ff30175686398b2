"""A plugin that raises anything fails closed; one that misbehaves cannot pass a workflow."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import aimo
from conftest import NORTHWIND, TODAY, findings_of, make
from hostile.support import plugin_env, run_cli


class Boom(BaseException):
    """An exception outside the Exception tree, as a careless plugin might define."""


RAISED: dict[str, BaseException] = {
    "SystemExit(0)": SystemExit(0),
    "SystemExit(None)": SystemExit(),
    "GeneratorExit": GeneratorExit(),
    "BaseException subclass": Boom("boom"),
    "MemoryError": MemoryError(),
    "RecursionError": RecursionError("deep"),
    "StopIteration": StopIteration(),
    "ValueError": ValueError("x" * 10_000),
}


def _engine(check: Any, enforcement: str = "mandatory") -> aimo.Engine:
    rule = aimo.policy(
        id="acme-hostile", title="Hostile", enforcement=enforcement, applies_from="idea"
    )(check)

    class Plugin:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return [rule]

    return aimo.Engine(plugins=[Plugin()], entry_points=False)


@pytest.mark.parametrize("exc", RAISED.values(), ids=RAISED)
@pytest.mark.parametrize("style", ["return", "generator"])
def test_anything_a_policy_raises_is_its_error_finding(exc: BaseException, style: str) -> None:
    if style == "return":

        def check(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
            raise exc

    else:

        def check(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:  # type: ignore[misc]
            yield aimo.Violation("never seen")
            raise exc

    verdict = _engine(check).evaluate(make(), today=TODAY)
    [finding] = findings_of(verdict, "acme-hostile")
    assert finding.outcome == "error"
    assert verdict.decision == "deny"
    assert len(finding.message) < 600  # the plugin's text is quoted, cut
    # Every other policy was still evaluated.
    assert findings_of(verdict, "owner-named")[0].outcome == "pass"


def test_an_advisory_policys_error_warns() -> None:
    def check(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
        raise SystemExit(0)

    assert _engine(check, "advisory").evaluate(make(), today=TODAY).decision == "warn"


def test_keyboard_interrupt_stops_the_run_and_never_allows() -> None:
    def check(workflow: aimo.Workflow, ctx: aimo.Context) -> Any:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _engine(check).evaluate(make(), today=TODAY)


def test_a_policy_that_never_stops_yielding_is_cut_off() -> None:
    def check(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
        for n in itertools.count():
            yield aimo.Violation(f"violation {n}")

    verdict = _engine(check).evaluate(make(), today=TODAY)
    [finding] = findings_of(verdict, "acme-hostile")
    assert finding.outcome == "error"
    assert "more than 10,000 violations" in finding.message


@pytest.mark.parametrize("returned", [42, "text", object(), [None], [aimo.NotApplicable("x")] * 2])
def test_a_policy_returning_nonsense_fails_closed(returned: Any) -> None:
    verdict = _engine(lambda workflow, ctx: returned).evaluate(make(), today=TODAY)
    assert findings_of(verdict, "acme-hostile")[0].outcome == "error"
    assert verdict.decision == "deny"


@pytest.mark.parametrize("exc", [SystemExit(0), Boom("x"), OSError("disk full"), ValueError("x")])
def test_a_verdict_hook_that_raises_reaches_the_caller_as_a_plugin_error(
    exc: BaseException,
) -> None:
    class Audit:
        @aimo.hookimpl
        def aimo_verdict(self, verdict: aimo.Verdict) -> None:
            raise exc

    engine = aimo.Engine(plugins=[Audit()], entry_points=False)
    with pytest.raises(aimo.PluginError) as caught:
        engine.evaluate(make(), today=TODAY)
    assert "Audit" in str(caught.value.plugin)
    gate = aimo.Gate(make(), engine=engine, today=TODAY)
    with pytest.raises(aimo.PluginError):
        gate.before_publish("Three bullets and one table.")
    with pytest.raises(aimo.PluginError):
        list(engine.evaluate_many([make(), {"id": "bad id"}], today=TODAY))


def test_a_plugin_failing_to_list_its_policies_is_a_policy_error() -> None:
    class Broken:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            raise SystemExit(3)

    with pytest.raises(aimo.PolicyError, match="SystemExit"):
        aimo.Engine(plugins=[Broken()], entry_points=False)


# -- through the command line, as an installed plugin -----------------------------------------

EXITING_POLICY = """
import sys
import aimo

@aimo.policy(id="acme-exit", title="Exits", applies_from="idea")
def exits(workflow, ctx):
    sys.exit({code})

@aimo.hookimpl
def aimo_policies():
    return [exits]
"""


@pytest.mark.parametrize("code", ["0", "None", "'bye'"])
def test_a_policy_calling_sys_exit_cannot_end_the_check(tmp_path: Path, code: str) -> None:
    env = plugin_env(tmp_path, EXITING_POLICY.format(code=code))
    result = run_cli("check", NORTHWIND, "--today", "2026-11-27", env=env)
    assert result.returncode == 1, result.stderr
    assert "acme-exit" in result.stdout
    assert "could not be checked" in result.stdout
    assert "Traceback" not in result.stderr


EXITING_HOOK = """
import sys
import aimo

@aimo.hookimpl
def aimo_verdict(verdict):
    sys.exit(0)
"""


def test_a_verdict_hook_calling_sys_exit_makes_the_check_exit_2(tmp_path: Path) -> None:
    env = plugin_env(tmp_path, EXITING_HOOK)
    result = run_cli("check", NORTHWIND, "--today", "2026-11-27", env=env)
    assert result.returncode == 2
    assert "could not record the verdict" in result.stderr
    assert "Traceback" not in result.stderr


INTERRUPTING_POLICY = """
import aimo

@aimo.policy(id="acme-interrupt", title="Interrupts", applies_from="idea")
def interrupts(workflow, ctx):
    raise KeyboardInterrupt

@aimo.hookimpl
def aimo_policies():
    return [interrupts]
"""


def test_an_interrupt_exits_130_and_prints_no_verdict(tmp_path: Path) -> None:
    env = plugin_env(tmp_path, INTERRUPTING_POLICY)
    result = run_cli("check", NORTHWIND, "--today", "2026-11-27", env=env)
    assert result.returncode == 130
    assert "allow" not in result.stdout
    assert "Traceback" not in result.stderr


EXITING_AT_IMPORT = """
import sys
sys.exit(0)
"""


def test_a_plugin_exiting_on_import_cannot_pass_the_check(tmp_path: Path) -> None:
    env = plugin_env(tmp_path, EXITING_AT_IMPORT)
    result = run_cli("check", NORTHWIND, "--today", "2026-11-27", env=env)
    assert result.returncode == 2
    assert "could not be loaded" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_pack_named_like_a_loaded_one_is_refused(tmp_path: Path) -> None:
    impostor = tmp_path / "marketing.yaml"
    impostor.write_text(
        "pack: marketing\nversion: '9'\npolicies:\n"
        "  - {id: nothing-to-see, title: Nothing, require: true, message: Nothing}\n"
    )
    with pytest.raises(aimo.PolicyError, match="two packs are named 'marketing'"):
        aimo.Engine(plugins=[aimo.load_pack(impostor)], entry_points=False)
    with pytest.raises(aimo.PolicyError, match="two packs are named 'marketing'"):
        aimo.Engine(config={"paths": [str(impostor)]}, entry_points=False)
    model = tmp_path / "model.yaml"
    model.write_text("aimo: 1\npolicies: {paths: [marketing.yaml]}\nworkflows: [{id: w}]\n")
    result = run_cli("check", model)
    assert result.returncode == 2
    assert "two packs are named 'marketing'" in result.stderr
