"""When a waiver is valid: shared by the engine, which applies waivers, and ``waiver-valid``.

Which policies no waiver may touch is the policies' own say: hard-mandatory ones by their
level, others by their ``unwaivable`` reason, which the context carries.
"""

from __future__ import annotations

from collections.abc import Iterator

from aimo._documents.dates import shift
from aimo._documents.models import Workflow
from aimo._engine.policy import Context
from aimo._engine.verdict import Enforcement

#: The furthest ahead a waiver may expire.
MAX_WAIVER_DAYS = 180
#: A valid waiver this close to its expiry (or closer) warns.
EXPIRY_WARNING_DAYS = 14


def waiver_problems(workflow: Workflow, ctx: Context) -> Iterator[tuple[int, str, str, str]]:
    """Yield ``(index, field, message, expected)`` for each problem of each waiver."""
    if not workflow.waivers:
        return
    latest = shift(ctx.today, MAX_WAIVER_DAYS)
    for index, waiver in enumerate(workflow.waivers):
        enforcement = ctx.enforcement.get(waiver.policy)
        if enforcement is None:
            yield (
                index,
                "policy",
                f"The waiver names {waiver.policy!r}, which is not a "
                "policy aimo knows, so it waives nothing.",
                "the id of a known policy",
            )
        elif waiver.policy in ctx.unwaivable:
            yield (
                index,
                "policy",
                f"The waiver names {waiver.policy!r}, which "
                f"{ctx.unwaivable[waiver.policy]} and cannot be waived.",
                "a mandatory policy",
            )
        elif enforcement is Enforcement.HARD_MANDATORY:
            yield (
                index,
                "policy",
                f"The waiver names {waiver.policy!r}, a hard-mandatory "
                "policy that no waiver can set aside.",
                "a mandatory policy",
            )
        if not waiver.reason:
            yield index, "reason", "The waiver gives no reason.", "the reason for the exception"
        if not waiver.approved_by:
            yield (
                index,
                "approved_by",
                "The waiver does not say who approved it.",
                "the name of the approver",
            )
        if waiver.expires is None:
            yield (
                index,
                "expires",
                "The waiver has no expiry date; exceptions must end.",
                f"a date at most {MAX_WAIVER_DAYS} days ahead",
            )
        elif waiver.expires < ctx.today:
            yield (
                index,
                "expires",
                f"The waiver expired on {waiver.expires.isoformat()}.",
                f"a date on or after {ctx.today.isoformat()}",
            )
        elif waiver.expires > latest:
            yield (
                index,
                "expires",
                f"The waiver runs until {waiver.expires.isoformat()}, more "
                f"than {MAX_WAIVER_DAYS} days ahead.",
                f"a date on or before {latest.isoformat()}",
            )


def valid_waiver_indexes(workflow: Workflow, ctx: Context) -> list[int]:
    """The indexes of the workflow's waivers that are valid on ``ctx.today``."""
    if not workflow.waivers:
        return []
    invalid = {index for index, *_ in waiver_problems(workflow, ctx)}
    return [i for i in range(len(workflow.waivers)) if i not in invalid]
