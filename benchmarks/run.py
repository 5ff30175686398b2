"""aimo beside OPA (regopy) and Cedar (cedarpy): the same three rules, the same documents.

Run by hand, never in the unit tests:

    pip install -e '.[bench]'
    python benchmarks/run.py            # about four minutes on a 2-core machine
    python benchmarks/run.py --quick    # a smoke run

Every figure is the median of several runs; every ratio is computed within one run (the
same documents, back to back), then the median ratio is reported, because this machine's
speed drifts between runs more than the ratios do. Before timing anything, a differential
check makes sure all three engines flag exactly the same documents for the same rules; any
disagreement fails the run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import engines  # noqa: E402
import workload  # noqa: E402

import aimo  # noqa: E402


def per_document(function: Callable[[], Any], count: int) -> float:
    """Microseconds per document for one call of ``function`` over ``count`` documents."""
    gc.collect()
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) / count * 1e6


def differential(docs: list[dict[str, Any]]) -> None:
    ours = engines.aimo_flags(engines.aimo_engine(), docs)
    rego = engines.Rego()
    opa = [rego.violations(d) for d in docs]
    cedar = engines.Cedar().violations(docs)
    disagreements = [
        (d["id"], sorted(a), sorted(b), sorted(c))
        for d, a, b, c in zip(docs, ours, opa, cedar, strict=True)
        if not a == b == c
    ]
    if disagreements:
        for row in disagreements[:10]:
            print("DISAGREE", *row, file=sys.stderr)
        raise SystemExit(f"differential check failed on {len(disagreements)} documents")
    flagged = sum(1 for f in ours if f)
    print(
        f"differential check: {len(docs)} documents, {flagged} flagged "
        f"({flagged / len(docs):.0%}), all three engines agree on every rule"
    )


def engine_figures(docs: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    n = len(docs)
    today = engines.TODAY
    three = engines.aimo_engine()
    full = aimo.Engine(entry_points=False)
    rego = engines.Rego()
    cedar = engines.Cedar()
    loaded = [aimo.Workflow.model_validate(d) for d in docs]
    entities = cedar.parse_entities(docs)
    rows: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        rows.setdefault(name, []).append(value)

    def kept(engine: aimo.Engine, documents: list[Any]) -> Callable[[], None]:
        # The shape of evaluate_model, aimo check and pipelines that collect their verdicts:
        # every verdict kept in a list, then released, inside the timing.
        def run() -> None:
            verdicts = [engine.evaluate(d, today=today) for d in documents]
            del verdicts

        return run

    for _ in range(runs):
        aimo_dict = per_document(lambda: [three.evaluate(d, today=today).decision for d in docs], n)
        aimo_dict_kept = per_document(kept(three, docs), n)
        aimo_full_kept = per_document(kept(full, docs), n)
        aimo_loaded = per_document(
            lambda: [three.evaluate(w, today=today).decision for w in loaded], n
        )
        aimo_full = per_document(lambda: [full.evaluate(d, today=today).decision for d in docs], n)
        opa = per_document(lambda: [rego.violations(d) for d in docs], n)
        cedar_dict = per_document(lambda: [r.decision for r in cedar.authorize(docs)], n)
        cedar_loaded = per_document(
            lambda: [r.decision for r in cedar.authorize(docs, entities)], n
        )
        add("aimo, 3 rules, from a dict (us)", aimo_dict)
        add("aimo, 3 rules, loaded workflow (us)", aimo_loaded)
        add("aimo, all built-in policies, from a dict (us)", aimo_full)
        add("aimo, 3 rules, from a dict, verdicts kept (us)", aimo_dict_kept)
        add("aimo, all built-in policies, verdicts kept (us)", aimo_full_kept)
        add("ratio kept / dropped, 3 rules", aimo_dict_kept / aimo_dict)
        add("ratio kept / dropped, all built-in policies", aimo_full_kept / aimo_full)
        add("regopy, 3 rules (us)", opa)
        add("cedarpy, 3 rules, building entities (us)", cedar_dict)
        add("cedarpy, 3 rules, pre-parsed entities (us)", cedar_loaded)
        add("ratio regopy / aimo (dict)", opa / aimo_dict)
        add("ratio cedarpy / aimo (dict)", cedar_dict / aimo_dict)
        add("ratio cedarpy pre-parsed / aimo loaded", cedar_loaded / aimo_loaded)
        add("ratio cedarpy 3 rules / aimo all policies", cedar_dict / aimo_full)
        add("ratio regopy / aimo (dict, kept)", opa / aimo_dict_kept)
        add("ratio cedarpy / aimo (dict, kept)", cedar_dict / aimo_dict_kept)
    return {name: statistics.median(values) for name, values in rows.items()}


def import_time(runs: int) -> float:
    code = "import time; t = time.perf_counter(); import aimo; print(time.perf_counter() - t)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times) * 1000


def check_time(count: int, runs: int) -> float:
    docs = workload.generate(count, seed=7)
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "operating-model.yaml"
        model.write_text(
            yaml.safe_dump(
                {"aimo": 1, "organization": "Benchmark", "workflows": docs}, sort_keys=False
            )
        )
        command = [
            sys.executable,
            "-m",
            "aimo",
            "check",
            str(model),
            "--format",
            "json",
            "--today",
            engines.TODAY.isoformat(),
        ]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = subprocess.run(command, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            if result.returncode not in (0, 1):
                raise SystemExit(result.stderr.decode())
    return statistics.median(times)


STREAM = """
import resource, sys
sys.path.insert(0, {here!r})
import engines, workload, aimo, random
rng = random.Random(1)
engine = engines.aimo_engine()
def documents(n):
    base = workload.generate(1000)
    for i in range(n):
        yield dict(base[i % 1000], id=f"workflow-{{i:08d}}")
denied = 0
for verdict in engine.evaluate_many(documents({count}), today=engines.TODAY):
    denied += verdict.decision == "deny"
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, denied)
"""


def stream_peak_mb(count: int) -> float:
    result = subprocess.run(
        [sys.executable, "-c", STREAM.format(here=str(HERE), count=count)],
        capture_output=True,
        text=True,
        check=True,
    )
    kilobytes = int(result.stdout.split()[0])
    return kilobytes / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    docs_count, runs, stream_big = (500, 3, 20_000) if args.quick else (3000, 7, 1_000_000)

    docs = workload.generate(docs_count)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, aimo {aimo.__version__}"
    )
    differential(docs)
    figures = engine_figures(docs, runs)
    figures["import aimo (ms)"] = import_time(runs)
    figures["aimo check, 1,000 workflows (s)"] = check_time(1000, 3)
    small, big = stream_peak_mb(10_000), stream_peak_mb(stream_big)
    figures["peak RSS streaming 10,000 documents (MB)"] = small
    figures[f"peak RSS streaming {stream_big:,} documents (MB)"] = big
    figures["peak RSS growth (MB)"] = big - small

    targets = {
        "ratio regopy / aimo (dict)": (">=", 20),
        "ratio cedarpy / aimo (dict)": (">=", 5),
        "ratio cedarpy pre-parsed / aimo loaded": (">=", 3),
        "ratio cedarpy 3 rules / aimo all policies": (">=", 1),
        "ratio kept / dropped, 3 rules": ("<=", 1.25),
        "ratio kept / dropped, all built-in policies": ("<=", 1.25),
        "ratio cedarpy / aimo (dict, kept)": (">=", 3),
        "import aimo (ms)": ("<", 150),
        "aimo check, 1,000 workflows (s)": ("<", 2),
        "peak RSS growth (MB)": ("<", 50),
    }
    width = max(map(len, figures))
    for name, value in figures.items():
        target = targets.get(name)
        verdict = ""
        if target:
            op, bound = target
            met = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]
            verdict = f"  target {op} {bound}: {'met' if met else 'NOT met'}"
        print(f"{name.ljust(width)}  {value:10.2f}{verdict}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
