"""Declarative packs: how long loading a pack and judging workflows with its rules takes.

Run by hand, never in the unit tests:

    python benchmarks/packs.py            # about two minutes on a 2-core machine
    python benchmarks/packs.py --quick    # a smoke run

Measured, each the median of several runs over the same deterministic workflows (already
validated, so that validation is not counted):

- loading the shipped ``marketing`` pack (every load-time check included);
- an engine holding only the ``marketing`` pack, over realistic workflows, about half of
  them public and so inside the rules' ``when``;
- an engine holding one rule with a ``pattern``: passing (the fast check), failing (the
  errors come from jsonschema), and one with ``patternProperties`` (always jsonschema);
- a catastrophic pattern, ``^(a+)+$``, against names of growing length, each in its own
  interpreter with a time limit, because a backtracking engine takes exponential time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402

import aimo  # noqa: E402

TODAY = dt.date(2026, 11, 27)
MARKETING = HERE.parent / "policies" / "marketing.yaml"

PATTERN_PACK = """\
pack: bench-patterns
version: "1"
policies:
  - id: bench-reviewer-at-example
    title: The reviewer's email is at example.com
    require:
      properties: {reviewer: {properties: {email: {pattern: "@example[.]com$"}}}}
    message: m
  - id: bench-reviewer-at-legal
    title: The reviewer's email is at legal.example.com
    require:
      properties: {reviewer: {properties: {email: {pattern: "@legal[.]example[.]com$"}}}}
    message: m
  - id: bench-input-names
    title: Inputs name themselves in snake case
    require:
      properties:
        inputs:
          items:
            patternProperties: {"^(name|source)$": {pattern: "^[a-z][a-z0-9_]*$"}}
    message: m
"""


def marketing_document(index: int, rng: random.Random) -> dict[str, Any]:
    """A workload document with the content block the marketing rules read."""
    doc = workload.document(index, rng)
    doc["audience"] = rng.choice(["internal", "partner", "public", "public"])
    types = rng.sample(["text", "image", "audio", "video", "chat"], k=rng.randint(1, 2))
    claims = rng.random() < 0.3
    evidence = claims and rng.random() < 0.8
    doc["content"] = {
        "types": types,
        "makes_claims": claims,
        "substantiation": ["https://lab.example.com/study"] if evidence else [],
        "depicts_real_people": rng.random() < 0.2,
        "targets_minors": rng.random() < 0.1,
    }
    if rng.random() < 0.7:
        doc["output_standard"]["checks"] = {"disclosure": "Created with AI assistance."}
    return doc


def workflows(n: int) -> list[aimo.Workflow]:
    rng = random.Random(20261127)
    return [aimo.Workflow.model_validate(marketing_document(i, rng)) for i in range(n)]


def median_time(function: Callable[[], Any], repeats: int) -> float:
    """The median wall time of ``function`` in seconds."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_workflow(engine: aimo.Engine, docs: list[aimo.Workflow], repeats: int) -> float:
    """Median microseconds per workflow for one engine over ``docs``."""

    def run() -> None:
        for doc in docs:
            engine.evaluate(doc, today=TODAY)

    return median_time(run, repeats) / len(docs) * 1e6


CATASTROPHE = """\
import datetime, sys, time
import aimo
pack = aimo.load_pack(sys.argv[1])
engine = aimo.Engine(plugins=[pack], builtins=False, entry_points=False)
doc = aimo.Workflow(id="w", stage="pilot", name="a" * int(sys.argv[2]) + "!")
start = time.perf_counter()
engine.evaluate(doc, today=datetime.date(2026, 11, 27))
print(time.perf_counter() - start)
"""


def catastrophe(folder: Path, length: int, limit: float) -> str:
    path = folder / "catastrophe.yaml"
    path.write_text(
        "pack: bench-catastrophe\nversion: '1'\npolicies:\n"
        "  - {id: bench-name, title: t, message: m,"
        " require: {properties: {name: {pattern: '^(a+)+$'}}}}\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", CATASTROPHE, str(path), str(length)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"> {limit:.0f} s (stopped)"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"refused: {last[:120]}"
    return f"{float(done.stdout) * 1e3:.2f} ms"


def show(label: str, value: float, unit: str) -> None:
    print(f"{label + ':':42}{value:8.2f} {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument(
        "--no-catastrophe", action="store_true", help="skip the catastrophic pattern"
    )
    args = parser.parse_args()
    n, repeats = (200, 3) if args.quick else (2000, 7)
    limit = 10.0 if args.quick else 60.0

    print(f"aimo {aimo.__version__}, Python {platform.python_version()}, {n} workflows")
    docs = workflows(n)

    load_ms = median_time(lambda: aimo.load_pack(MARKETING), repeats * 3) * 1e3
    show("load the marketing pack", load_ms, "ms")

    pack = aimo.load_pack(MARKETING)
    marketing = aimo.Engine(plugins=[pack], builtins=False, entry_points=False)
    show("marketing pack, per workflow", per_workflow(marketing, docs, repeats), "us")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "patterns.yaml"
        path.write_text(textwrap.dedent(PATTERN_PACK))
        patterns = aimo.load_pack(path)
        for policy in patterns.policies:
            only = _only(patterns, policy.id)
            engine = aimo.Engine(plugins=[only], builtins=False, entry_points=False)
            show(f"{policy.id}, per workflow", per_workflow(engine, docs, repeats), "us")

        if args.no_catastrophe:
            return
        print("'^(a+)+$' against a name of N 'a's and a '!', one interpreter each:")
        for length in (20, 24, 26, 28, 33, 100_000):
            print(f"  N = {length:>6}: {catastrophe(folder, length, limit)}")


class _only:
    """One rule of a loaded pack, as a plugin of its own."""

    def __init__(self, pack: aimo.Pack, policy_id: str) -> None:
        self.__name__ = f"bench:{policy_id}"
        self.policies = [p for p in pack.policies if p.id == policy_id]

    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return self.policies


if __name__ == "__main__":
    main()
