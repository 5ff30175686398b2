"""``aimo diff``: what changed between two saved ``aimo check --format json`` results.

A policy change, an upgrade of aimo or of a plugin, an edit to the model: whatever changed
between two runs, the decisions tell. Workflows are matched by their file and id (the
second workflow of one id in a file with the second, and so on); one on a side only is
a change from or to nothing. Each result is read under the limits every document is read
under and checked against ``aimo schema check-json`` before anything is compared.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from collections import Counter
from typing import Any, TextIO

from pydantic import ValidationError

from aimo._cli.command import EXIT_USAGE, Command
from aimo._cli.formats.impacts import ImpactRun
from aimo._cli.formats.schemas import check_json
from aimo._cli.impact import format_and_fail_on, write
from aimo._cli.options import limit_arguments
from aimo._cli.results import report_problems
from aimo._documents.limits import Limits
from aimo._documents.pointer import pointer
from aimo._documents.reader import read
from aimo._engine.verdict import Decision, Finding
from aimo._errors import DocumentError, Problem, cut, quote
from aimo._review.impact import COMPARED, Comparison, Side

__all__ = ["COMMAND"]

_OUTCOMES = frozenset(o.value for o in COMPARED)
#: How much of a value a schema error quotes.
_QUOTED = 80
#: How many policy ids a note names before it counts the rest.
_NAMED = 10


@dataclasses.dataclass
class _Result:
    """A saved result, read: its date, version and policies, and each workflow's side."""

    file: str
    today: dt.date
    version: str
    policies: set[str]
    problems: int
    #: (checked file, workflow id, occurrence) -> the side, in the result's order.
    sides: dict[tuple[str, str, int], Side]
    #: checked file -> (the model's name, the side of its own verdict), for each model.
    models: dict[str, tuple[str, Side]]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD.json", help="the earlier saved result")
    parser.add_argument("new", metavar="NEW.json", help="the later saved result")
    format_and_fail_on(parser)
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write the result to FILE (replaced whole once complete) instead of standard output",
    )
    group = parser.add_argument_group("reading results", "what one saved result may cost")
    limit_arguments(group, skip={"max_workflow_files"})  # a result names no files


def _not_a_result(file: str, path: str, why: str, parsed: Any = None) -> DocumentError:
    line, column = parsed.source.position(path) if parsed is not None else (None, None)
    message = f"this is not a saved result of aimo check --format json: {why}"
    return DocumentError([Problem(path, message, file, line, column)])


def _message(error: Any) -> str:
    """A schema error's message, with the value it quotes cut: a value in a result can be
    a whole verdict."""
    message: str = error.message
    shown = repr(error.instance)
    if len(shown) > _QUOTED and shown in message:
        message = message.replace(shown, quote(error.instance, _QUOTED))
    return cut(message, 4 * _QUOTED)


def _read(file: str, limits: Limits) -> _Result:
    """The saved result in ``file``.

    :raises DocumentError: naming the file and the first problem, when it cannot be read,
        is not JSON, or does not match the schema of ``aimo check --format json``.
    """
    parsed = read(file, limits)
    if parsed.problems:
        raise DocumentError(parsed.problems)
    data = parsed.data
    if not isinstance(data, dict):
        raise _not_a_result(file, "", "it is not a JSON object")
    # jsonschema is imported by the first diff, not by every command.
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(
        check_json(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    error = best_match(validator.iter_errors(data))
    if error is not None:
        raise _not_a_result(file, pointer(list(error.absolute_path)), _message(error), parsed)
    if "results" not in data:
        raise _not_a_result(
            file, "", "it was saved with --summary, so it lists no verdicts; save it without"
        )
    sides: dict[tuple[str, str, int], Side] = {}
    models: dict[str, tuple[str, Side]] = {}
    policies = {ref["id"] for ref in data["policy_set"]}
    listed: set[str] = set()
    for s, section in enumerate(data["results"]):
        # aimo check judges a file once however often its paths reach it: a result listing
        # one twice was edited, and matching would keep one of its verdicts and drop the other.
        if section["file"] in listed:
            why = f"it lists the file {quote(section['file'], _QUOTED)} twice"
            raise _not_a_result(file, f"/results/{s}/file", why, parsed)
        listed.add(section["file"])
        policies.update(ref["id"] for ref in section.get("policy_set", ()))
        model = section.get("model_verdict")
        if model is not None:
            at = f"/results/{s}/model_verdict/findings"
            models[section["file"]] = (model["workflow_id"], _side(file, at, model, parsed))
        seen: Counter[str] = Counter()
        for v, verdict in enumerate(section["verdicts"]):
            workflow_id = verdict["workflow_id"]
            at = f"/results/{s}/verdicts/{v}/findings"
            key = (section["file"], workflow_id, seen[workflow_id])
            seen[workflow_id] += 1
            sides[key] = _side(file, at, verdict, parsed)
    return _Result(
        file=file,
        today=dt.date.fromisoformat(data["evaluated_on"]),
        version=data["aimo"],
        policies=policies,
        problems=len(data["problems"]),
        sides=sides,
        models=models,
    )


def _side(file: str, at: str, verdict: dict[str, Any], parsed: Any) -> Side:
    try:
        findings = [
            Finding.model_validate(f) for f in verdict["findings"] if f["outcome"] in _OUTCOMES
        ]
    except ValidationError as exc:
        raise _not_a_result(file, at, cut(str(exc)), parsed) from None
    return (Decision(verdict["decision"]), findings)


def _notes(old: _Result, new: _Result) -> list[str]:
    """What else differs between the runs, which may explain the changes."""
    notes = []
    if old.version != new.version:
        notes.append(f"Saved by aimo {old.version} ({old.file}) and {new.version} ({new.file}).")
    for result, other in ((new, old), (old, new)):
        only = sorted(result.policies - other.policies)
        if only:
            named = ", ".join(only[:_NAMED])
            more = f" and {len(only) - _NAMED} more" if len(only) > _NAMED else ""
            notes.append(f"Policies evaluated only in {result.file}: {named}{more}.")
    for result in (old, new):
        if result.problems:
            notes.append(
                f"The run that saved {result.file} had {result.problems} problem"
                f"{'s' if result.problems != 1 else ''} with its input: workflows it could "
                "not read show as added or removed."
            )
    return notes


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # A result names no workflow files: that limit keeps its default.
    given: dict[str, int] = {
        f.name: getattr(args, f.name) for f in dataclasses.fields(Limits) if hasattr(args, f.name)
    }
    limits = Limits(**given)
    try:
        old, new = _read(args.old, limits), _read(args.new, limits)
    except DocumentError as exc:
        report_problems(exc.problems, err)
        return EXIT_USAGE
    comparison = Comparison()
    # Each model's own verdict first, as aimo check lists it; matched by the checked file.
    earlier = dict(old.models)
    for file, (name, side) in new.models.items():
        was = earlier.pop(file, None)
        comparison.add(name, file, was[1] if was else None, side, scope="model")
    for file, (name, side) in earlier.items():
        comparison.add(name, file, side, None, scope="model")
    before = old.sides
    for (file, workflow_id, n), side in new.sides.items():
        comparison.add(workflow_id, file, before.pop((file, workflow_id, n), None), side)
    for (file, workflow_id, _), side in before.items():
        comparison.add(workflow_id, file, side, None)
    impact = comparison.result(new.today, old.today)
    title = f"Changes from {args.old} to {args.new}"
    return write(args, out, ImpactRun(impact, title, tuple(_notes(old, new))))


COMMAND = Command(
    name="diff",
    help="what changed between two saved aimo check --format json results",
    description="Compare two results saved with aimo check --format json (before and after "
    "a policy change, an upgrade of aimo or a plugin, an edit to the model) and list every "
    "workflow whose decision changes, with the findings that appear or disappear. "
    "Workflows are matched by file and id. Exit 0, or 1 with --fail-on deny when a "
    "workflow is newly denied; 2 on bad input.",
    arguments=_arguments,
    run=_run,
)
