"""What a real inventory costs: the CLI and the library on thousands of messy workflows.

Run by hand, never in the unit tests:

    python benchmarks/inventory.py --quick                  # a smoke run, under a minute
    python benchmarks/inventory.py                          # 3,600 and 36,000 workflows
    python benchmarks/inventory.py --layout files --invalid-share 0
    python benchmarks/inventory.py --sizes 36000 --profile "check json"

The inventory (``inventory_export.py``) is shaped like an organisation's export, about one
workflow in six broken the way exported rows are. Each command runs in a fresh process,
measured from start to exit: wall time, and peak resident memory (from ``/usr/bin/time -v``,
or the kernel's accounting of a waited-for child when that is missing). The commands run
in turn within each repetition, so that the machine's drift touches them all alike; every
figure is the median of the repetitions, and the ratio of ``check --format json`` to the
library is the median of the ratios within each repetition.

The reading limits are raised for every command: at 36,000 workflows one JSON file holds
far more than the default 10 MiB, 200,000 values and 10,000 workflow files. A command whose
options this version of aimo does not have yet is skipped (and said so); one without
``--output`` writes to standard output redirected to the same file instead.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inventory_export  # noqa: E402

SIZES = (3_600, 36_000)
QUICK_SIZE = 1_200
REFERENCE = "check json"
LIBRARY = "library"
TIME = "/usr/bin/time"
#: High enough for any size this benchmark makes; the defaults are for hostile documents.
LIMITS = [
    "--max-document-bytes",
    str(4 * 1024**3),
    "--max-values",
    str(10**9),
    "--max-workflow-files",
    str(10**7),
]
#: What argparse says about an option or a choice this version does not have.
UNSUPPORTED = ("invalid choice", "unrecognized arguments")

#: Runs the command given as arguments and writes its peak resident size in KiB to the
#: file named first: getrusage counts only children that were waited for, so only it.
WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


@dataclass
class Command:
    name: str
    #: The arguments after ``python -m aimo`` (or the script), given the model and output.
    arguments: Callable[[Path, Path], list[str]]
    #: Whether the result goes to a file through ``--output`` (else standard output does).
    output_option: bool = False
    library: bool = False


def _aimo(*args: str) -> Callable[[Path, Path], list[str]]:
    def build(model: Path, output: Path) -> list[str]:
        extra = ["--output", str(output)] if "--output" in args else []
        plain = [a for a in args if a != "--output"]
        return ["-m", "aimo", *plain, str(model), *extra, "--today", TODAY, *LIMITS]

    return build


TODAY = inventory_export.TODAY.isoformat()
COMMANDS = [
    Command("check json", _aimo("check", "--format", "json", "--output"), output_option=True),
    Command("check jsonl", _aimo("check", "--format", "jsonl", "--output"), output_option=True),
    Command("check table", _aimo("check", "--format", "table")),
    Command("check sarif", _aimo("check", "--format", "sarif", "--output"), output_option=True),
    Command("report markdown", _aimo("report")),
    Command("report json", _aimo("report", "--format", "json")),
    Command("report html", _aimo("report", "--format", "html", "--output"), output_option=True),
    Command(
        LIBRARY,
        lambda model, output: [
            str(HERE / "inventory_library.py"),
            str(model),
            str(output),
            "--today",
            TODAY,
        ],
        library=True,
    ),
]


@dataclass
class Measure:
    wall: float
    peak_mb: float
    exit: int
    stderr: str


@dataclass
class Row:
    command: str
    n: int
    measures: list[Measure] = field(default_factory=list)
    note: str = ""
    decisions: collections.Counter[str] | None = None
    #: The size of what the command wrote, in MB (the first repetition's).
    output_mb: float | None = None


def measure(argv: list[str], stdout: Path, folder: Path, timeout: float) -> Measure:
    """Run ``argv`` once in a fresh process: wall seconds, peak resident MB, exit, stderr."""
    stats = folder / "peak.txt"
    stats.unlink(missing_ok=True)
    if os.access(TIME, os.X_OK):
        wrapped = [TIME, "-v", "-o", str(stats), *argv]
    else:
        wrapped = [sys.executable, "-c", WRAPPER, str(stats), *argv]
    with stdout.open("wb") as out:
        start = time.perf_counter()
        done = subprocess.run(wrapped, stdout=out, stderr=subprocess.PIPE, timeout=timeout)
        wall = time.perf_counter() - start
    text = stats.read_text() if stats.exists() else ""
    kib = next(
        (
            int(line.rsplit(":", 1)[1])
            for line in text.splitlines()
            if "Maximum resident set size" in line
        ),
        int(text) if text.strip().isdigit() else 0,
    )
    return Measure(wall, kib / 1024, done.returncode, done.stderr.decode(errors="replace"))


def unsupported(result: Measure) -> str | None:
    """The argparse complaint when this aimo lacks an option or a choice, else None."""
    if result.exit != 2:
        return None
    for line in result.stderr.splitlines():
        if any(phrase in line for phrase in UNSUPPORTED):
            return line.split(": error: ", 1)[-1].strip()
    return None


def decisions_in(command: Command, output: Path) -> collections.Counter[str] | None:
    """How many workflows each decision got, for the outputs that hold verdicts."""
    try:
        if command.library or command.name == "check jsonl":
            with output.open(encoding="utf-8") as lines:
                verdicts = [json.loads(line) for line in lines if line.strip()]
        elif command.name == "check json":
            data = json.loads(output.read_text(encoding="utf-8"))
            verdicts = [v for r in data.get("results", []) for v in r.get("verdicts", [])]
        else:
            return None
    except (OSError, ValueError):
        return None
    return collections.Counter(
        v.get("decision") for v in verdicts if v.get("scope", "workflow") == "workflow"
    )


def problems_in(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if line.startswith("aimo: "))


def prepare(n: int, root: Path, layout: str, invalid_share: float) -> tuple[Path, Path]:
    """The inventory for the CLI (in ``layout``) and for the library (one JSON file)."""
    start = time.perf_counter()
    as_json = inventory_export.write(n, root / "one-json", "one-json", invalid_share=invalid_share)
    model = as_json
    if layout != "one-json":
        model = inventory_export.write(n, root / layout, layout, invalid_share=invalid_share)
    size = sum(p.stat().st_size for p in (root / layout).rglob("*") if p.is_file())
    print(
        f"  {n:,} workflows written as {layout} ({size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - start:.1f} s",
        flush=True,
    )
    return model, as_json


def run_size(
    n: int, args: argparse.Namespace, root: Path, skipped: dict[str, str]
) -> tuple[list[Row], list[float]]:
    """Every command on an inventory of ``n``, ``args.repeat`` times, interleaved."""
    model, as_json = prepare(n, root / f"n{n}", args.layout, args.invalid_share)
    rows = {c.name: Row(c.name, n) for c in COMMANDS}
    ratios: list[float] = []
    fallback: set[str] = set()
    for repetition in range(args.repeat):
        walls: dict[str, float] = {}
        for command in COMMANDS:
            if command.name in skipped:
                continue
            output = root / "output"
            stdout = root / "stdout"
            target = as_json if command.library else model
            argv = [sys.executable, *command.arguments(target, output)]
            if command.name in fallback:
                argv = _without_output(argv)
            result = measure(argv, stdout, root, args.timeout)
            reason = unsupported(result)
            if reason and command.output_option and "--output" in reason:
                # No --output yet: the same format to standard output, redirected to a file.
                fallback.add(command.name)
                rows[command.name].note = "to stdout (no --output)"
                result = measure(_without_output(argv), stdout, root, args.timeout)
                reason = unsupported(result)
            if reason:
                skipped[command.name] = reason
                print(f"  skipped {command.name}: {reason}", flush=True)
                continue
            row = rows[command.name]
            row.measures.append(result)
            walls[command.name] = result.wall
            if repetition == 0:
                to_file = command.library or (
                    command.output_option and command.name not in fallback
                )
                written = output if to_file else stdout
                row.decisions = decisions_in(command, written)
                if not command.library and written.exists():
                    row.output_mb = written.stat().st_size / 1e6
                if result.exit == 2:
                    row.note = _join(row.note, f"exit 2: {problems_in(result.stderr)} problems")
            print(
                f"  [{repetition + 1}/{args.repeat}] {command.name:<16} {result.wall:7.2f} s "
                f"{result.peak_mb:7.0f} MB  exit {result.exit}",
                flush=True,
            )
        if REFERENCE in walls and LIBRARY in walls:
            ratios.append(walls[REFERENCE] / walls[LIBRARY])
    shutil.rmtree(root / f"n{n}", ignore_errors=True)
    return [r for r in rows.values() if r.measures], ratios


def _without_output(argv: list[str]) -> list[str]:
    at = argv.index("--output")
    return argv[:at] + argv[at + 2 :]


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _mix(decisions: collections.Counter[str]) -> str:
    return ", ".join(f"{decisions[d]:,} {d}" for d in ("allow", "warn", "deny"))


def table(rows: list[Row]) -> str:
    lines = [
        f"{'command':<16} {'N':>7} {'wall s':>8} {'peak MB':>8} {'out MB':>7} {'exit':>5} "
        f"{'verdicts':>9}  note",
    ]
    for row in rows:
        wall = statistics.median(m.wall for m in row.measures)
        peak = statistics.median(m.peak_mb for m in row.measures)
        exits = ",".join(sorted({str(m.exit) for m in row.measures}))
        verdicts = "-" if row.decisions is None else f"{row.decisions.total():,}"
        written = "-" if row.output_mb is None else f"{row.output_mb:.1f}"
        lines.append(
            f"{row.command:<16} {row.n:>7,} {wall:>8.2f} {peak:>8.0f} {written:>7} {exits:>5} "
            f"{verdicts:>9}  {row.note}".rstrip()
        )
    return "\n".join(lines)


def profile(name: str, n: int, args: argparse.Namespace, root: Path, top: int = 10) -> None:
    """One run of ``name`` under pyinstrument: the frames where the time goes."""
    try:
        from pyinstrument.session import Session
    except ImportError:
        raise SystemExit("--profile needs pyinstrument: pip install -e '.[bench]'") from None
    command = next(c for c in COMMANDS if c.name == name)
    model, as_json = prepare(n, root / f"profile{n}", args.layout, args.invalid_share)
    output = root / "output"
    argv = command.arguments(as_json if command.library else model, output)
    session_file = root / "profile.pyisession"
    runner = [sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", str(session_file)]
    if argv[0] == "-m":
        runner += ["-m", argv[1], *argv[2:]]
    else:
        runner += argv
    with (root / "stdout").open("wb") as out:
        done = subprocess.run(runner, stdout=out, stderr=subprocess.PIPE, timeout=args.timeout)
    if unsupported(Measure(0, 0, done.returncode, done.stderr.decode(errors="replace"))):
        runner = _without_output(runner)
        with (root / "stdout").open("wb") as out:
            subprocess.run(runner, stdout=out, stderr=subprocess.DEVNULL, timeout=args.timeout)
    session = Session.load(str(session_file))
    root_frame = session.root_frame()
    if root_frame is None:
        raise SystemExit("the profile recorded nothing")
    own: dict[str, float] = {}
    by_file: dict[str, float] = {}
    inside: dict[str, float] = {}
    stack = [(root_frame, frozenset[str]())]
    while stack:
        frame, above = stack.pop()
        if frame.is_synthetic:
            continue  # pyinstrument's "[self]" leaves: their time is their parent's own
        where = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
        own[where] = own.get(where, 0.0) + frame.total_self_time
        module = frame.file_path_short or "?"
        by_file[module] = by_file.get(module, 0.0) + frame.total_self_time
        if where not in above and "aimo" in module:  # a recursive call is counted once
            inside[where] = inside.get(where, 0.0) + frame.time
        stack.extend((child, above | {where}) for child in frame.children)
    total = root_frame.time
    print(f"\nprofile: {name}, {n:,} workflows, {total:.2f} s sampled")
    for title, figures in (
        ("own time, by frame", own),
        ("own time, by file", by_file),
        ("time inside, aimo frames", inside),
    ):
        print(f"  top {top} by {title}:")
        for where, seconds in sorted(figures.items(), key=lambda item: -item[1])[:top]:
            print(f"    {seconds:7.2f} s {seconds / total:6.1%}  {where}")
    if args.profile_output:
        shutil.copyfile(session_file, args.profile_output)
        print(f"  the whole profile: python -m pyinstrument --load {args.profile_output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} workflows only")
    parser.add_argument("--sizes", type=int, nargs="+", help=f"default: {SIZES}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--layout", choices=inventory_export.LAYOUTS, default="one-json")
    parser.add_argument(
        "--invalid-share",
        type=float,
        default=inventory_export.INVALID_SHARE,
        help="the share of broken workflows (default 1/6; 0 for a clean inventory)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument(
        "--profile",
        choices=[c.name for c in COMMANDS],
        help="also profile one run of this command at the largest size",
    )
    parser.add_argument("--profile-output", type=Path, help="keep the profile session in this file")
    parser.add_argument("--only", nargs="+", choices=[c.name for c in COMMANDS])
    args = parser.parse_args()
    sizes = args.sizes or ((QUICK_SIZE,) if args.quick else SIZES)
    if args.only:
        COMMANDS[:] = [c for c in COMMANDS if c.name in args.only]

    import aimo

    print(
        f"aimo {aimo.__version__}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores; layout {args.layout}, {args.invalid_share:.1%} broken, "
        f"median of {args.repeat}; peak memory from "
        f"{'/usr/bin/time -v' if os.access(TIME, os.X_OK) else 'getrusage'}",
        flush=True,
    )
    rows: list[Row] = []
    skipped: dict[str, str] = {}
    ratios: dict[int, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="aimo-inventory-") as tmp:
        for n in sizes:
            print(f"\n{n:,} workflows", flush=True)
            size_rows, ratios[n] = run_size(n, args, Path(tmp), skipped)
            rows.extend(size_rows)
        print()
        order = {c.name: i for i, c in enumerate(COMMANDS)}
        print(table(sorted(rows, key=lambda r: (r.n, order[r.command]))))
        for name, reason in skipped.items():
            print(f"skipped {name}: {reason}")
        for row in rows:
            # The same inventory judged two ways must get the same decisions.
            library = next((r for r in rows if r.n == row.n and r.command == LIBRARY), None)
            if row.decisions and library and library.decisions and row is not library:
                same = row.decisions == library.decisions
                print(
                    f"{row.command} at {row.n:,}: {_mix(row.decisions)}"
                    + ("" if same else f" DIFFERS from the library's {_mix(library.decisions)}")
                )
        reference = min(sizes)
        if ratios.get(reference):
            print(
                f"{REFERENCE} / {LIBRARY} at {reference:,}: "
                f"{statistics.median(ratios[reference]):.2f}x wall time (median of "
                f"{len(ratios[reference])} within-run ratios)"
            )
            judged = next(r for r in rows if r.n == reference and r.command == REFERENCE)
            if any(m.exit == 2 for m in judged.measures):
                print(
                    f"  (not the same work: {REFERENCE} refused the inventory with exit 2 and "
                    "judged nothing; --invalid-share 0 compares judging with judging)"
                )
        if args.profile:
            profile(args.profile, max(sizes), args, Path(tmp))


if __name__ == "__main__":
    main()
