"""The library doing the work of ``aimo check``: what a pipeline that holds the inventory
as data would write.

    python benchmarks/inventory_library.py INVENTORY.json VERDICTS.jsonl [--today DATE]

Reads an operating model with inline workflows (one JSON file), judges every workflow with
``aimo.evaluate_many`` against the model's own settings, and writes one verdict per line.
Exits 1 when any workflow is denied, like ``aimo check``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json

import aimo


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("inventory")
    parser.add_argument("output")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
    args = parser.parse_args()
    with open(args.inventory, encoding="utf-8") as file:
        model = json.load(file)
    workflows = model.pop("workflows")
    denied = False
    with open(args.output, "w", encoding="utf-8") as out:
        for verdict in aimo.evaluate_many(workflows, model=model, today=args.today):
            out.write(verdict.to_json())
            out.write("\n")
            denied = denied or verdict.decision is aimo.Decision.DENY
    return 1 if denied else 0


if __name__ == "__main__":
    raise SystemExit(main())
