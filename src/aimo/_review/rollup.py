"""The roll-up: what a run decided, and which policies fail how many workflows.

On an inventory of thousands of workflows nobody reads every verdict first; they read
which rules fail most and whether those rules block. The tally is kept as verdicts stream
past, so it costs one counter per failing policy whatever the run's size.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from aimo._engine.verdict import Decision, Enforcement, Verdict

__all__ = ["EFFECT", "RollupRow", "Tally"]

#: What a failure at each level does, in the words every output uses.
EFFECT = {
    Enforcement.SHADOW: "reported only",
    Enforcement.ADVISORY: "does not block",
    Enforcement.MANDATORY: "blocks",
    Enforcement.HARD_MANDATORY: "blocks",
}


class RollupRow(BaseModel):
    """One failing policy: how many workflows it fails, at the enforcement it had there.

    A policy that two models enforce differently has one row per enforcement.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_id: str
    enforcement: Enforcement
    #: Whether that enforcement blocks (hard-mandatory or mandatory).
    blocking: bool
    #: How many workflows have at least one failing or erroring finding of the policy.
    workflows: int


class Tally:
    """Counts of decisions and of failing policies, added to one verdict at a time."""

    def __init__(self) -> None:
        self.decisions: Counter[Decision] = Counter()
        #: The decisions of the operating models judged as a whole, kept apart: the counts
        #: and the roll-up are of workflows.
        self.models: Counter[Decision] = Counter()
        self._failing: Counter[tuple[str, Enforcement]] = Counter()

    def add_model(self, verdict: Verdict) -> None:
        self.models[verdict.decision] += 1

    def add(self, verdict: Verdict) -> None:
        self.decisions[verdict.decision] += 1
        failing = {(f.policy_id, f.enforcement) for f in verdict.findings if f.failed}
        self._failing.update(failing)

    @property
    def workflows(self) -> int:
        return sum(self.decisions.values())

    def summary(self) -> dict[str, int]:
        """How many workflows got each decision, every decision named."""
        return {d.value: self.decisions[d] for d in Decision}

    def rollup(self) -> tuple[RollupRow, ...]:
        """The failing policies, the most widespread first; the stricter level first on a
        tie, then by id, so that the order never depends on the input's."""
        rows = [
            RollupRow(
                policy_id=policy_id,
                enforcement=enforcement,
                blocking=enforcement.blocking,
                workflows=count,
            )
            for (policy_id, enforcement), count in self._failing.items()
        ]
        rows.sort(key=lambda r: (-r.workflows, -r.enforcement.rank, r.policy_id))
        return tuple(rows)
