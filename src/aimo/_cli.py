"""The ``aimo`` command line. Exit codes: 0 allow, 1 deny, 2 bad input or usage."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from aimo._advice import UseCaseScore, score_use_case
from aimo._dates import evaluation_date
from aimo._engine import Engine, default_engine
from aimo._errors import (
    AimoError,
    ConfigError,
    DocumentError,
    NotADocument,
    PolicyError,
    Problem,
)
from aimo._files import inside
from aimo._limits import Limits
from aimo._loader import load
from aimo._models import OperatingModel, Workflow
from aimo._output import (
    Result,
    render_json,
    render_policies,
    render_sarif,
    render_scores,
    render_table,
)
from aimo._packs import PACK_SCHEMA
from aimo._printable import printable
from aimo._source import source_of
from aimo._verdict import Decision, Verdict
from aimo._version import __version__

EXIT_OK, EXIT_DENY, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_SUFFIXES = (".yaml", ".yml", ".json")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if not 0 <= days <= 3660:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days from 0 to 3660")
    return days


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _reading_options(command: argparse.ArgumentParser) -> None:
    """The options every command that reads documents takes: limits, files outside."""
    group = command.add_argument_group(
        "reading documents",
        "Limits on what one document may cost (see docs/explanation/security.md).",
    )
    for field in dataclasses.fields(Limits):
        group.add_argument(
            "--" + field.name.replace("_", "-"),
            type=_count,
            default=field.default,
            metavar="N",
            help=f"(default: {field.default:,})",
        )
    group.add_argument(
        "--allow-outside",
        action="store_true",
        help="let operating models name workflow files and packs outside their own folder, "
        "and folders given here link outside themselves",
    )


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Limits)})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aimo", description="Policy-as-code for AI marketing operating models."
    )
    parser.add_argument("--version", action="version", version=f"aimo {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="evaluate workflows and operating models",
        description="Evaluate workflow files, operating-model files and folders of them. "
        "Exit 0 when everything is allowed (or warns), 1 when anything is denied, 2 on bad "
        "input.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to check")
    check.add_argument(
        "--format",
        choices=("table", "json", "sarif"),
        default="table",
        help="a readable table (default), every verdict as JSON, or SARIF 2.1.0 for "
        "code-scanning tools",
    )
    check.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the evaluation date (default: today, UTC)",
    )
    check.add_argument(
        "--fail-on",
        choices=("deny", "warn"),
        default="deny",
        help="exit 1 on deny only (default), or on warn too",
    )
    _reading_options(check)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the documents, or of a policy pack"
    )
    schema.add_argument("kind", nargs="?", choices=("workflow", "model"), default="workflow")
    schema.add_argument("--pack", action="store_true", help="the schema of a pack file")

    score = commands.add_parser(
        "score",
        help="score use cases on recurrence, measurability and decision impact",
        description="Score each workflow's use case 0..9 (recurrence, measurability, decision "
        "impact, 0..3 each) against the model's selection.min_score. Exit 0 when every use "
        "case qualifies, 1 when one does not, 2 on bad input.",
    )
    score.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to score")
    score.add_argument("--format", choices=("table", "json"), default="table")
    _reading_options(score)

    report = commands.add_parser(
        "report",
        help="review operating models: the four decisions, owners, what is blocked and why, "
        "what falls due",
        description="Review operating models the way a governance meeting reads them: the "
        "four standing decisions, every workflow with its owner, review tier and decision, "
        "what is blocked and why, the reviews and waivers falling due, and the workflows "
        "their reviews say to tune, strengthen or retire. Exit 0 when no workflow is denied, "
        "1 when one is, 2 on bad input.",
    )
    report.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to review")
    report.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="Markdown for people (default), or JSON",
    )
    report.add_argument(
        "--today", type=_date, metavar="YYYY-MM-DD", help="the review date (default: today, UTC)"
    )
    report.add_argument(
        "--horizon",
        type=_days,
        default=30,
        metavar="DAYS",
        help="how far ahead a review or a waiver's expiry counts as soon (default: 30)",
    )
    _reading_options(report)

    policies = commands.add_parser(
        "policies",
        help="list every policy the engine knows",
        description="List every policy: id, source pack or plugin and its version, "
        "enforcement after configuration, severity, the stage it applies from, title.",
    )
    policies.add_argument("--format", choices=("table", "json"), default="table")
    policies.add_argument(
        "--model", metavar="PATH", help="apply this operating model's policy configuration"
    )
    _reading_options(policies)

    audit = commands.add_parser("audit", help="check a decision log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = audit_commands.add_parser(
        "verify",
        help="check that a decision log's hash chain is intact",
        description="Check a decision log written by aimo.DecisionLog. Exit 0 when the chain "
        "is intact, 1 naming the first broken line, 2 when the log cannot be read.",
    )
    verify.add_argument("path", metavar="PATH", help="the decision log (JSON Lines)")
    return parser


def _expand(
    paths: Sequence[str], problems: list[Problem], allow_outside: bool = False
) -> list[tuple[Path, bool]]:
    """The files to check, each with whether it was found in a folder (not named)."""
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
                files.append((path, False))  # read_regular_file refuses pipes and devices
            else:
                problems.append(Problem("", "no such file or folder", raw))
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problems.append(Problem("", f"this path cannot be read: {reason}", raw))
    return files


def _load(
    files: list[tuple[Path, bool]], problems: list[Problem], args: argparse.Namespace
) -> list[tuple[Path, Workflow | OperatingModel]]:
    """Each file loaded; every file's problems are collected, and the others still load."""
    limits = _limits(args)
    documents: list[tuple[Path, Workflow | OperatingModel]] = []
    for file, in_folder in files:
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


def _judge(args: argparse.Namespace, today: dt.date) -> tuple[list[Result], list[Problem], Engine]:
    """Load every file under ``args.paths`` and judge its workflows; problems are collected."""
    problems: list[Problem] = []
    documents = _load(_expand(args.paths, problems, args.allow_outside), problems, args)
    # A workflow file that a checked model already includes is judged once, with its model.
    claimed = {
        os.path.realpath(source_of(w)[0].file)
        for _, doc in documents
        if isinstance(doc, OperatingModel)
        for w in doc.workflows
        if source_of(w) is not None and source_of(w)[1] == ""
    }
    engine: Engine = default_engine()
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
    return results, list(dict.fromkeys(problems)), engine


def _report_problems(problems: Sequence[Problem], err: TextIO) -> None:
    for problem in problems:
        err.write(f"aimo: {printable(str(problem))}\n")


def check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    today = evaluation_date(args.today)
    results, problems, engine = _judge(args, today)
    decisions = {v.decision for r in results for v in r.verdicts}
    if problems:
        code = EXIT_USAGE
    elif Decision.DENY in decisions or (args.fail_on == "warn" and Decision.WARN in decisions):
        code = EXIT_DENY
    else:
        code = EXIT_OK
    _report_problems(problems, err)
    try:
        if args.format == "json":
            out.write(render_json(results, problems, today) + "\n")
        elif args.format == "sarif":
            out.write(render_sarif(results, engine, problems) + "\n")
        else:
            out.write(render_table(results, today))
        out.flush()
    except BrokenPipeError:
        # The reader went away (`aimo check ... | head`): the verdict still decides the exit.
        _silence(out)
    return code


def report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from aimo._report import build_report, render_markdown

    today = evaluation_date(args.today)
    results, problems, engine = _judge(args, today)
    # Each model is its own section; loose workflow files share one.
    entries: list[tuple[str, OperatingModel | None, list[tuple[Workflow, Verdict]]]] = [
        (r.file, r.model, list(zip(r.workflows, r.verdicts, strict=True)))
        for r in results
        if r.model is not None
    ]
    loose = [r for r in results if r.model is None]
    if loose:
        pairs = [pair for r in loose for pair in zip(r.workflows, r.verdicts, strict=True)]
        entries.append((", ".join(r.file for r in loose), None, pairs))
    document = build_report(entries, engine=engine, today=today, horizon_days=args.horizon)
    _report_problems(problems, err)
    try:
        if args.format == "json":
            out.write(document.model_dump_json(indent=2) + "\n")
        elif entries:
            out.write(render_markdown(document))
        out.flush()
    except BrokenPipeError:
        _silence(out)
    # The CLI's exit codes (spec 4.7) hold here too, so a scheduled report that finds a
    # denied workflow is noticed like a failed check.
    if problems:
        return EXIT_USAGE
    denied = any(v.decision is Decision.DENY for r in results for v in r.verdicts)
    return EXIT_DENY if denied else EXIT_OK


def _silence(stream: TextIO) -> None:
    """Point a closed stream at the null device so Python's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):
        pass


def score(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    problems: list[Problem] = []
    rows: list[tuple[str, str, UseCaseScore]] = []
    documents = _load(_expand(args.paths, problems, args.allow_outside), problems, args)
    for file, document in documents:
        if isinstance(document, OperatingModel):
            rows.extend(
                (str(file), w.id, score_use_case(w, model=document)) for w in document.workflows
            )
        else:
            rows.append((str(file), document.id, score_use_case(document)))
    _report_problems(list(dict.fromkeys(problems)), err)
    if args.format == "json":
        out.write(
            json.dumps(
                [{"file": f, "workflow_id": w, **s.model_dump()} for f, w, s in rows],
                indent=2,
                allow_nan=False,
            )
            + "\n"
        )
    else:
        out.write(render_scores(rows))
    if problems:
        return EXIT_USAGE
    return EXIT_OK if all(s.qualifies for _, _, s in rows) else EXIT_DENY


def schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.pack:
        document = PACK_SCHEMA
    else:
        document = (OperatingModel if args.kind == "model" else Workflow).model_json_schema()
    out.write(json.dumps(document, indent=2) + "\n")
    return EXIT_OK


def policies(args: argparse.Namespace, out: TextIO) -> int:
    engine = default_engine()
    if args.model:
        model = load(args.model, limits=_limits(args), allow_outside=args.allow_outside)
        if not isinstance(model, OperatingModel):
            raise DocumentError(
                [Problem("", "this file is a workflow, not an operating model", args.model)]
            )
        engine = engine.configured(model.policies, Path(args.model).parent)
    out.write(render_policies(engine, args.format))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "check":
            return check(args, out, err)
        if args.command == "policies":
            return policies(args, out)
        if args.command == "score":
            return score(args, out, err)
        if args.command == "report":
            return report(args, out, err)
        if args.command == "audit":
            from aimo._decision_log import audit_verify_main

            return audit_verify_main(args.path, out, err)
        return schema(args, out)
    except AimoError as exc:
        err.write(f"aimo: {printable(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("aimo: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence(out)
        return EXIT_USAGE
    except BaseException as exc:
        # Plugin code ran outside any policy (a hook, an import) and failed, or called
        # sys.exit(): one line, never a traceback, and never the exit code it asked for.
        err.write(f"aimo: error: {type(exc).__name__}: {printable(str(exc))[:500]}\n")
        return EXIT_USAGE
