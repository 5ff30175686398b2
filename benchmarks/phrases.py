"""The cost of the output-standard check on a realistic email, per asset.

``run-output-meets-standard`` runs in ``Gate.before_publish`` for every asset a pipeline
ships, so its cost is paid per email, post or ad. This times the check alone and the whole
``before_publish`` on the email-pipeline example's workflow, with outputs of about 500 and
5,000 characters: plain ASCII copy, the same copy with typographic punctuation and a few
accented names (what generated marketing text looks like), and the same copy with a
disguised banned phrase in it. The first check in a fresh interpreter is timed apart,
because it pays for loading the Unicode data once.

Run by hand, never in the unit tests:

    python benchmarks/phrases.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aimo
from aimo._documents.run import Run
from aimo._engine.policy import Context
from aimo._policies.run import run_output_meets_standard

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "email-pipeline" / "workflow.yaml"
DAY = dt.date(2026, 11, 27)
AT = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
EDITOR = aimo.Approval("Sam Ortiz", "sam.ortiz@example.com", "Brand Editor")

PARAGRAPHS = [
    "Northwind Flow plans a quarter of campaigns on one board, so your team spends Monday "
    "deciding, not collating.",
    "Every channel sits beside its budget and its results: paid search, email, social and "
    "events, each with the owner who signs it off and the date it goes live.",
    "Teams that moved their planning into Northwind Flow last spring shipped their "
    "launches two weeks sooner, and their finance partners stopped asking for the "
    "spreadsheet.",
    "Start a 30-day trial today: reply to this email or visit example.com/winter-launch.",
]
FOOTER = "Unsubscribe at any time from your email preferences.\n\nCreated with AI assistance."


def body(size: int, *, typographic: bool = False, disguised: bool = False) -> str:
    """An email body of about ``size`` characters, the footer included."""
    parts: list[str] = ["Hello,"]
    index = 0
    while sum(len(p) + 2 for p in parts) + len(FOOTER) < size:
        parts.append(PARAGRAPHS[index % len(PARAGRAPHS)])
        index += 1
    text = "\n\n".join([*parts, FOOTER])
    if typographic:
        text = (
            text.replace("Hello,", "Hello Zoë,")
            .replace(", not", " \u2014 not")
            .replace("it goes", "it\u2019s going")
            .replace("events", "\u201cevents\u201d")
        )
    if disguised:
        # A Cyrillic "a" and a zero-width space: still the banned "guaranteed".
        text = text.replace("last spring", "last spring, gu\u0430r\u200banteed,", 1)
    return text


def output(size: int, **kwargs: bool) -> dict[str, str]:
    subject = "Northwind Flow: a quarter of campaigns on one board"
    return {"subject": subject, "body": body(size, **kwargs)}


def median_us(function: Callable[[], Any], repeat: int) -> float:
    function()  # warm caches; the cold start is measured on its own
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples)


def cold_start_ms() -> float:
    """The first check in a fresh interpreter, after ``import aimo``."""
    code = (
        "import time, datetime as dt, aimo\n"
        "from aimo._engine.policy import Context\n"
        "from aimo._documents.run import Run\n"
        "from aimo._policies.run import run_output_meets_standard as p\n"
        f"w = aimo.load({str(WORKFLOW)!r})\n"
        "ctx = Context(today=dt.date(2026, 11, 27), model=aimo.OperatingModel(),\n"
        "    run=Run(at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC), output='Unsubscribe'))\n"
        "t = time.perf_counter(); list(p.check(w, ctx))\n"
        "print((time.perf_counter() - t) * 1e3)\n"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return statistics.median(runs)


def main() -> None:
    gate = aimo.Gate(WORKFLOW, today=DAY)
    workflow = gate.workflow
    model = aimo.OperatingModel()
    print(f"{'output':<34}{'chars':>7}{'check µs':>11}{'before_publish µs':>19}")
    for size in (500, 5_000):
        for label, kwargs in (
            ("plain ASCII", {}),
            ("typographic punctuation", {"typographic": True}),
            ("disguised banned phrase", {"typographic": True, "disguised": True}),
        ):
            out = output(size, **kwargs)
            run = Run(at=AT, output=out, approvals=[EDITOR])
            ctx = Context(today=DAY, model=model, run=run)

            def check(ctx: Context = ctx) -> None:
                list(run_output_meets_standard.check(workflow, ctx))

            def publish(out: dict[str, str] = out) -> None:
                with contextlib.suppress(aimo.PolicyViolation):
                    gate.before_publish(out, approvals=[EDITOR], at=AT)

            alone = median_us(check, 200)
            whole = median_us(publish, 50)
            chars = sum(map(len, out.values()))
            print(f"{label:<34}{chars:>7}{alone:>11.1f}{whole:>19.1f}")
    print(f"first check in a fresh interpreter: {cold_start_ms():.1f} ms")


if __name__ == "__main__":
    main()
