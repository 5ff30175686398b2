"""From paths to verdicts: the files a command reads, and what judging them produced.

``check`` and ``report`` judge; ``score`` only reads. Every file's problems are collected
and the other files still count, so one bad file never hides the verdicts of the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from aimo._cli import options
from aimo._defaults import default_engine, load
from aimo._documents.files import inside
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.printable import printable
from aimo._documents.source import source_of
from aimo._engine.engine import BaseEngine
from aimo._engine.verdict import Decision, Verdict
from aimo._errors import ConfigError, DocumentError, NotADocument, PolicyError, Problem
from aimo._review.report import Report, build_report

__all__ = [
    "CheckRun",
    "ReportRun",
    "Result",
    "judge",
    "read_documents",
    "report_problems",
    "review",
    "silence",
    "write_out",
]

_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Result:
    """What one checked file produced."""

    file: str
    model: OperatingModel | None
    verdicts: list[Verdict] = field(default_factory=list)
    #: The workflows judged, in the order of their verdicts.
    workflows: list[Workflow] = field(default_factory=list)


@dataclass
class CheckRun:
    """Everything one run of ``check`` (or ``report``) judged: what every format renders."""

    today: dt.date
    engine: BaseEngine
    results: list[Result]
    problems: list[Problem]

    def verdicts(self) -> Iterator[Verdict]:
        for result in self.results:
            yield from result.verdicts

    def decided(self, *decisions: Decision) -> bool:
        """Whether any workflow got one of ``decisions``."""
        return any(v.decision in decisions for v in self.verdicts())


@dataclass
class ReportRun:
    """What ``aimo report`` renders: the judged run and the review built from it."""

    check: CheckRun
    report: Report


def review(run: CheckRun, horizon_days: int) -> Report:
    """The review of a judged run: each model its own section; loose workflow files share
    one."""
    entries: list[tuple[str, OperatingModel | None, list[tuple[Workflow, Verdict]]]] = [
        (r.file, r.model, list(zip(r.workflows, r.verdicts, strict=True)))
        for r in run.results
        if r.model is not None
    ]
    loose = [r for r in run.results if r.model is None]
    if loose:
        pairs = [pair for r in loose for pair in zip(r.workflows, r.verdicts, strict=True)]
        entries.append((", ".join(r.file for r in loose), None, pairs))
    return build_report(entries, engine=run.engine, today=run.today, horizon_days=horizon_days)


def _expand(
    paths: Sequence[str], problems: list[Problem], allow_outside: bool
) -> list[tuple[Path, bool]]:
    """The files to read, each with whether it was found in a folder (not named)."""
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                found = sorted(
                    p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file()
                )
                if not found:
                    problems.append(Problem("", "the folder holds no YAML or JSON file", raw))
                for file in found:
                    if allow_outside or inside(file, path):
                        files.append((file, True))
                    else:
                        problems.append(
                            Problem(
                                "",
                                f"this file links outside the folder {raw}, so it was not "
                                "read; pass --allow-outside to read it",
                                str(file),
                            )
                        )
            elif path.exists():
                files.append((path, False))  # reading refuses pipes and devices
            else:
                problems.append(Problem("", "no such file or folder", raw))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problems.append(Problem("", f"this path cannot be read: {reason}", raw))
    return files


def read_documents(
    args: argparse.Namespace, problems: list[Problem]
) -> list[tuple[Path, Workflow | OperatingModel]]:
    """Every document under ``args.paths``; each file's problems are collected."""
    limits = options.limits(args)
    documents: list[tuple[Path, Workflow | OperatingModel]] = []
    for file, in_folder in _expand(args.paths, problems, args.allow_outside):
        try:
            documents.append((file, load(file, limits=limits, allow_outside=args.allow_outside)))
        except NotADocument as exc:
            # Packs sit beside the models that list them; only a named one is a mistake.
            if not in_folder:
                problems.extend(exc.problems)
        except DocumentError as exc:
            problems.extend(exc.problems)
        except ConfigError as exc:
            problems.append(Problem("", str(exc), str(file)))
    return documents


def judge(args: argparse.Namespace, today: dt.date) -> CheckRun:
    """Read every file under ``args.paths`` and judge its workflows."""
    problems: list[Problem] = []
    documents = read_documents(args, problems)
    # A workflow file that a checked model already includes is judged once, with its model.
    claimed = {
        os.path.realpath(source.file)
        for _, doc in documents
        if isinstance(doc, OperatingModel)
        for source in map(source_of, doc.workflows)
        if source is not None and source.prefix == ""
    }
    engine = default_engine()
    results: list[Result] = []
    for file, doc in documents:
        try:
            if isinstance(doc, OperatingModel):
                verdicts = engine.evaluate_model(doc, today=today)
                results.append(Result(str(file), doc, verdicts, list(doc.workflows)))
            elif os.path.realpath(file) not in claimed:
                verdict = engine.evaluate(doc, today=today)
                results.append(Result(str(file), None, [verdict], [doc]))
        except (ConfigError, PolicyError) as exc:
            # A model's bad configuration is that model's problem: the other files still count.
            problems.append(Problem("/policies", str(exc), str(file)))
    return CheckRun(today, engine, results, list(dict.fromkeys(problems)))


def report_problems(problems: Sequence[Problem], err: TextIO) -> None:
    """Each problem on one line of standard error, document text escaped."""
    for problem in problems:
        err.write(f"aimo: {printable(str(problem))}\n")


def write_out(out: TextIO, write: Callable[[], object]) -> None:
    """Run ``write``, which writes the result to ``out``; a reader that went away
    (``aimo check ... | head``) is no error: the verdicts still decide the exit code."""
    try:
        write()
        out.flush()
    except BrokenPipeError:
        silence(out)


def silence(stream: TextIO) -> None:
    """Point a closed stream at the null device so Python's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):
        pass
