"""The hooks a plugin can implement; mark implementations with :data:`aimo.hookimpl`.

A plugin is any object or module with ``@aimo.hookimpl`` functions named after these
specs. Pass it to ``aimo.Engine(plugins=[...])`` or register a package under the entry-point
group ``aimo``. Built-in policies are registered through the very same hooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aimo._hooks import hookspec

if TYPE_CHECKING:
    from aimo._documents.models import Workflow
    from aimo._engine.policy import Context, Policy
    from aimo._engine.verdict import Verdict

__all__ = ["aimo_policies", "aimo_verdict"]


@hookspec
def aimo_policies() -> Sequence[Policy]:
    """Return the policies this plugin provides.

    Called once, when an engine is built; every returned object must be a policy made with
    ``@aimo.policy``. Two policies with one id, from any plugins, make the engine raise
    ``aimo.PolicyError`` naming both sources.

    :return: the plugin's policies.
    """
    raise NotImplementedError


@hookspec
def aimo_verdict(verdict: Verdict, workflow: Workflow | None, ctx: Context) -> None:
    """Receive every verdict right after an evaluation, for decision logs and metrics.

    Implementations may take any subset of the parameters. An exception raised here is not
    swallowed: a decision log that cannot write must not pass unnoticed.

    :param verdict: the verdict just produced.
    :param workflow: the workflow that was judged; ``None`` for the ``document-valid`` deny
        verdict ``evaluate_many`` gives a document that is not a valid workflow.
    :param ctx: the evaluation's context (date, operating model, run).
    """
    raise NotImplementedError
