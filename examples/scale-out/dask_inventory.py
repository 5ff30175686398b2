"""Judge a partitioned inventory of workflows on a Dask cluster, then gather the decisions.

aimo runs inside Dask unchanged: each partition is a plain iterable of workflow
documents, and ``aimo.evaluate_many`` streams their verdicts in constant memory on the
worker. Each worker process builds aimo's default engine once, on its first partition.
Only what the driver needs (id, decision, failing policies) travels back.

    python examples/scale-out/dask_inventory.py      # a local cluster, a generated inventory
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import aimo


def judge_partition(documents: Iterable[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Runs on a worker: one small record per workflow of the partition."""
    return [
        {
            "workflow_id": verdict.workflow_id,
            "decision": verdict.decision.value,
            "failing": sorted({f.policy_id for f in verdict.failures}),
            "digest": verdict.digest,
        }
        for verdict in aimo.evaluate_many(documents, today=today)
    ]


def judge_inventory(bag: Any, today: dt.date) -> list[dict[str, Any]]:
    """Every workflow's decision, in inventory order, from a ``dask.bag.Bag`` of documents."""
    return list(bag.map_partitions(judge_partition, today=today).compute())


def _inventory(count: int) -> list[dict[str, Any]]:
    """Generated campaign assets: every fourth one's review is lighter than it must be."""
    base: dict[str, Any] = {
        "stage": "pilot",
        "use_case": {
            "description": "Localised banner copy for the weekly promotion",
            "recurrence": "weekly",
            "decision": "Which banner variant runs in each market",
            "success_measure": {"metric": "edits_per_banner", "target": 1},
        },
        "consequence": "medium",
        "audience": "partner",
        "owner": {"name": "Dana Lee", "email": "dana.lee@example.com"},
        "reviewer": {"name": "Sam Ortiz", "email": "sam.ortiz@example.com"},
        "data_boundary": {"allowed": ["public", "internal"]},
        "inputs": [{"name": "promo_calendar", "classification": "internal"}],
        "output_standard": {"description": "On-brand, one offer, market language"},
        "escalation": {
            "contacts": [{"name": "Dana Lee", "email": "dana.lee@example.com"}],
            "steps": ["Pause the banner", "Tell the market lead"],
        },
        "infrastructure": {"choice": "public", "rationale": "Internal data only"},
    }
    return [
        {
            **base,
            "id": f"asset-{index:05d}",
            "review_tier": "light" if index % 4 == 0 else "standard",
        }
        for index in range(count)
    ]


def main() -> None:
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    # No dashboard: a local run needs none, and a second cluster on the machine would
    # otherwise warn that its port is taken. Logs below CRITICAL are kept quiet: a worker
    # whose heartbeat meets the scheduler shutting down logs an error that means nothing,
    # while a task that fails still raises here, in the client.
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.CRITICAL,
    )
    with cluster, Client(cluster):
        bag = db.from_sequence(_inventory(2000), npartitions=8)
        decisions = judge_inventory(bag, dt.date(2026, 11, 27))
    denied = sum(1 for d in decisions if d["decision"] == "deny")
    print(f"{len(decisions)} workflows judged on the cluster, {denied} denied")


if __name__ == "__main__":
    main()
