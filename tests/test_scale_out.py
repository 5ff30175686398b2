"""The Dask recipe runs aimo unchanged on a real local cluster started by the test."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import dask.bag as db
from distributed import Client, LocalCluster

RECIPE = Path(__file__).resolve().parent.parent / "examples" / "scale-out" / "dask_inventory.py"


def _recipe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dask_inventory", RECIPE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_partitioned_inventory_is_judged_on_a_local_cluster() -> None:
    recipe = _recipe()
    inventory = recipe._inventory(400)
    inventory[5] = {"id": "broken-asset", "stage": "launched"}
    today = dt.date(2026, 11, 27)
    # Worker processes: the partitions, the recipe and aimo itself travel as they would.
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        decisions = recipe.judge_inventory(db.from_sequence(inventory, npartitions=6), today)
    assert [d["workflow_id"] for d in decisions] == [d["id"] for d in inventory]
    by_id = {d["workflow_id"]: d for d in decisions}
    assert by_id["asset-00000"]["decision"] == "deny"
    assert by_id["asset-00000"]["failing"] == ["tier-matches-consequence"]
    assert by_id["asset-00001"]["decision"] == "allow"
    assert by_id["broken-asset"]["failing"] == ["document-valid"]
    assert sum(d["decision"] == "deny" for d in decisions) == 101  # 100 light reviews + 1
