"""In-workflow gates: check a run before it reads its inputs and before its output ships.

A gate evaluates the workflow with the run (spec section 4.3), so everything that makes a
workflow unfit, from a missing owner to a banned phrase in this very output, stops the run
in the same way: :class:`aimo.PolicyViolation`, carrying the verdict. A ``warn`` never
stops it; it is logged on the ``aimo.gate`` logger. A gate in ``mode="shadow"`` checks and
logs the same way and never stops anything: for trying a gate on a live pipeline first.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from aimo._defaults import default_engine
from aimo._documents.models import Input, OperatingModel, Workflow
from aimo._documents.run import Approval, Output, Run
from aimo._documents.validate import validate
from aimo._engine.coerce import coerce_model, coerce_workflow, default_model
from aimo._engine.engine import BaseEngine, Mode
from aimo._engine.verdict import Decision, Verdict
from aimo._errors import PolicyViolation, failure_reasons

__all__ = ["Gate", "governed"]

logger = logging.getLogger("aimo.gate")

F = TypeVar("F", bound=Callable[..., Any])

InputLike = str | Input | Mapping[str, Any]
ApprovalLike = Approval | Mapping[str, Any]


class Gate:
    """The policy gate of one workflow, for use inside the pipeline that runs it.

    The workflow and model are read once, when the gate is made; each check evaluates them
    with the run at hand. A gate holds no state between checks, so one gate can guard many
    runs, in many threads.

    :param workflow: the workflow, as a :class:`aimo.Workflow`, plain data or a file path.
    :param model: the operating model whose tiers and data classes apply (default: the
        defaults of the format).
    :param engine: the engine to evaluate with, e.g. one with an :class:`aimo.DecisionLog`
        plugin (default: the engine of :func:`aimo.evaluate`).
    :param today: the evaluation date (default: the date of each run, UTC). Pin it in tests.
    :param mode: ``"enforce"`` (the default) raises on ``deny``; ``"shadow"`` treats every
        finding as a finding of a policy in shadow: each check is evaluated, and recorded
        by the engine's hooks (its decision log), and never raises; what a check finds is
        logged on the ``aimo.gate`` logger.
    :raises DocumentError: when the workflow or model is invalid.
    :raises ValueError: for another mode.
    """

    def __init__(
        self,
        workflow: Workflow | Mapping[str, Any] | str | os.PathLike[str],
        *,
        model: OperatingModel | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        engine: BaseEngine | None = None,
        today: dt.date | None = None,
        mode: Mode = "enforce",
    ) -> None:
        if mode not in ("enforce", "shadow"):
            raise ValueError(f"mode is 'enforce' or 'shadow', not {mode!r}")
        self.workflow = coerce_workflow(workflow)
        self.model = coerce_model(model) if model is not None else default_model()
        self.engine = engine
        self.today = today
        self.mode: Mode = mode

    def __repr__(self) -> str:
        shadow = ", mode='shadow'" if self.mode == "shadow" else ""
        return f"Gate({self.workflow.id!r}{shadow})"

    def check(self, run: Run) -> Verdict:
        """Evaluate the workflow with ``run``; return the verdict unless it is ``deny``.

        :raises PolicyViolation: on ``deny``, with the verdict as ``.verdict`` (never in
            shadow mode).
        """
        engine = self.engine if self.engine is not None else default_engine()
        today = self.today if self.today is not None else run.at.date()
        verdict = engine.evaluate(
            self.workflow, model=self.model, today=today, run=run, mode=self.mode
        )
        if self.mode == "shadow":
            if verdict.failures:
                logger.warning(
                    "Workflow %r (gate in shadow, nothing stopped): %s",
                    verdict.workflow_id,
                    failure_reasons(verdict),
                )
            return verdict
        if verdict.decision is Decision.DENY:
            raise PolicyViolation(verdict)
        if verdict.decision is Decision.WARN:
            logger.warning(
                "Workflow %r may go ahead, with warnings: %s",
                verdict.workflow_id,
                failure_reasons(verdict),
            )
        return verdict

    def before_run(
        self, inputs: Iterable[InputLike] = (), *, at: dt.datetime | None = None
    ) -> Verdict:
        """Check that the workflow may run now on ``inputs``, before it reads them.

        :param inputs: the names (or :class:`aimo.Input` objects) of the inputs it will read.
        :param at: when the run happens (default: now).
        :raises PolicyViolation: on ``deny``: e.g. an input that is not approved.
        """
        return self.check(_run(inputs=inputs, at=at))

    def before_publish(
        self,
        output: Output,
        *,
        approvals: Iterable[ApprovalLike] = (),
        inputs: Iterable[InputLike] = (),
        at: dt.datetime | None = None,
    ) -> Verdict:
        """Check that ``output`` may ship: the output standard and the approvals it needs.

        :param output: the generated text, or a dict of named text fields.
        :param approvals: the sign-offs the output has.
        :param inputs: the inputs the run read, to judge (and log) the whole run at once.
        :param at: when the run happened (default: now).
        :raises PolicyViolation: on ``deny``: e.g. a banned phrase, or too few approvals.
        """
        return self.check(_run(inputs=inputs, output=output, approvals=approvals, at=at))


def _run(
    *,
    inputs: Iterable[InputLike] = (),
    output: Output | None = None,
    approvals: Iterable[ApprovalLike] = (),
    at: dt.datetime | None = None,
) -> Run:
    if isinstance(inputs, str | Mapping):
        # One input name is not a list of its letters.
        raise TypeError("inputs is a list of input names or aimo.Input objects")
    data: dict[str, Any] = {"inputs": list(inputs), "approvals": list(approvals)}
    if output is not None:
        data["output"] = output
    if at is not None:
        data["at"] = at
    # Every problem with what the caller passed, at its path in the run, as DocumentError.
    return validate(Run, data, prefix="/run")


def _output(value: Any, name: str) -> Output:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise TypeError(
        f"{name} returned {type(value).__name__}; a governed function returns its output "
        "as a text, or a dict of named text fields, so that the gate can check it"
    )


def governed(
    workflow: Workflow | Mapping[str, Any] | str | os.PathLike[str],
    *,
    inputs: Iterable[InputLike] = (),
    approvals: Iterable[ApprovalLike] = (),
    model: OperatingModel | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    engine: BaseEngine | None = None,
    today: dt.date | None = None,
    mode: Mode = "enforce",
) -> Callable[[F], F]:
    """Gate a function that produces a workflow's output, plain or ``async``.

    Before each call the gate checks that the workflow may run on ``inputs``; after it, it
    checks the returned output (a text, or a dict of named text fields) with ``approvals``.
    Either check raises :class:`aimo.PolicyViolation` on ``deny``, so a denied output never
    reaches the caller. The function's :class:`Gate` is its ``gate`` attribute.

    ::

        @aimo.governed("workflows/weekly-summary.yaml", inputs=["ga4_weekly_export"])
        async def summarise(export: str) -> str:
            ...

    With ``mode="shadow"``, both checks are made and logged and never raise (see
    :class:`Gate`).

    :raises DocumentError: when the workflow or model is invalid (at decoration).
    """
    gate = Gate(workflow, model=model, engine=engine, today=today, mode=mode)
    used = tuple(inputs)
    signed = tuple(approvals)
    # Validated now, so that a mistake in the decorator fails at import, not at run time.
    _run(inputs=used, approvals=signed)

    def decorate(func: F) -> F:
        name = getattr(func, "__qualname__", repr(func))
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise TypeError(
                f"{name} is a generator; governed() gates functions that return their output"
            )
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def gated_async(*args: Any, **kwargs: Any) -> Any:
                gate.before_run(used)
                result = await func(*args, **kwargs)
                gate.before_publish(_output(result, name), approvals=signed, inputs=used)
                return result

            wrapper: Any = gated_async
        else:

            @functools.wraps(func)
            def gated(*args: Any, **kwargs: Any) -> Any:
                gate.before_run(used)
                result = func(*args, **kwargs)
                if inspect.iscoroutine(result):
                    result.close()
                    raise TypeError(
                        f"{name} returned a coroutine; declare it with 'async def' so that "
                        "governed() awaits it and checks its output"
                    )
                gate.before_publish(_output(result, name), approvals=signed, inputs=used)
                return result

            wrapper = gated
        wrapper.gate = gate
        return cast(F, wrapper)

    return decorate
