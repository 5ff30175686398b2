"""What a decision log adds to a gate, per asset, in each durability mode.

``Gate.before_publish`` runs once for every email, post or ad a pipeline ships; with an
``aimo.DecisionLog`` on its engine, every check also appends a record. This times the
check on the email-pipeline example (its workflow, its editor's approval, drafts made by its
stand-in generator) without a log and with a log in each durability mode, and reports the
median per asset and each mode's ratio to the gate alone, all measured in the same run:
the configurations take turns, in a shuffled order each round, so that a noisy neighbour
slows them all alike.

Run by hand, never in the unit tests:

    python benchmarks/gate.py                 # seconds on a fast disk, minutes on a slow one
    python benchmarks/gate.py --quick         # a smoke run
    python benchmarks/gate.py --dir /var/log  # put the logs on another file system
    python benchmarks/gate.py --modes batch   # only some durability modes
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aimo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "email-pipeline"))

import pipeline  # noqa: E402

MODES = ("record", "batch", "none")


def assets(count: int) -> Iterator[tuple[dict[str, str], tuple[str, ...]]]:
    """Drafts the example's generator makes, each for its own campaign, all publishable."""
    brief = pipeline.BRIEFS[0]
    for number in range(count):
        campaign = pipeline.Brief(
            f"{brief.campaign}-{number}", brief.product, brief.benefit, brief.offer
        )
        yield pipeline.draft_email(campaign), campaign.inputs


def gate_with(log: aimo.DecisionLog | None) -> aimo.Gate:
    engine = aimo.Engine(plugins=[log] if log is not None else [])
    return aimo.Gate(pipeline.WORKFLOW, engine=engine, today=pipeline.DEMO_DAY)


def timed(gate: aimo.Gate, batch: list[tuple[dict[str, str], tuple[str, ...]]]) -> list[float]:
    """Microseconds per ``before_publish``, one figure per asset."""
    times = []
    approvals = [pipeline.EDITOR]
    for draft, inputs in batch:
        start = time.perf_counter()
        gate.before_publish(draft, approvals=approvals, inputs=inputs)
        times.append((time.perf_counter() - start) * 1e6)
    return times


def log_in(folder: Path, mode: Any) -> aimo.DecisionLog:
    return aimo.DecisionLog(folder / f"{mode}.jsonl", caller="benchmark", durability=mode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--dir", type=Path, help="where the logs go (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=1127)
    parser.add_argument(
        "--modes", default=",".join(MODES), help="the durability modes to time (default: all)"
    )
    args = parser.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    rounds, per_round = (3, 50) if args.quick else (30, 200)
    rng = random.Random(args.seed)

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=args.dir)))
        logs = {mode: log_in(folder, mode) for mode in modes}
        for log in logs.values():
            stack.callback(log.close)
        gates: dict[str, aimo.Gate] = {"gate alone": gate_with(None)}
        gates.update({f"log, {mode}": gate_with(log) for mode, log in logs.items()})
        samples: dict[str, list[float]] = {name: [] for name in gates}
        work = list(assets(per_round))
        for gate in gates.values():
            timed(gate, work[:20])  # warm caches, create each log
        for _ in range(rounds):
            order = list(gates)
            rng.shuffle(order)
            for name in order:
                samples[name].extend(timed(gates[name], work))
        records = {mode: log.verify() for mode, log in logs.items()}

    alone = statistics.median(samples["gate alone"])
    print(f"Gate.before_publish per asset, {rounds} rounds of {per_round} assets each")
    print(f"{'configuration':<16}{'median µs':>11}{'p90 µs':>10}{'ratio':>8}")
    for name, values in samples.items():
        median = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:<16}{median:>11.1f}{p90:>10.1f}{median / alone:>7.2f}x")
    for mode, result in records.items():  # every check recorded, in an intact log
        assert result.ok, (mode, result.problems)
        assert result.records == len(samples[f"log, {mode}"]) + 20, (mode, result.records)


if __name__ == "__main__":
    main()
