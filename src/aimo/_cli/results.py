"""From paths to verdicts: the files a command reads, judged as a stream.

``check`` and ``report`` judge; ``score`` only reads. A run reads every operating model
first (a model claims the workflow files it lists, which are then judged once, with it),
then judges file by file, workflow by workflow, handing each verdict to the output as it
is made: a run of thirty-six thousand workflows never holds them all. Every file's
problems are reported as they are found and the other files still count, so one bad file
never hides the verdicts of the rest; an invalid workflow inside a model is not a problem
of the run but a refused workflow, denied with its reasons.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, cast

from aimo._cli import options
from aimo._cli.discover import ModelFinder, unknown
from aimo._cli.progress import Progress
from aimo._defaults import Engine, default_engine, load
from aimo._documents.files import inside
from aimo._documents.inventory import Inventory, Rejected
from aimo._documents.limits import Limits
from aimo._documents.loader import open_model, read_document
from aimo._documents.models import OperatingModel, Workflow
from aimo._documents.printable import printable
from aimo._engine.engine import BaseEngine
from aimo._engine.verdict import Decision, Verdict
from aimo._errors import ConfigError, DocumentError, NotADocument, PolicyError, Problem
from aimo._review.report import Report, build_section
from aimo._review.rollup import Tally

__all__ = [
    "CheckRun",
    "OutputOptions",
    "ReportRun",
    "Section",
    "read_documents",
    "report_problems",
    "review",
    "silence",
    "write_out",
]

_SUFFIXES = (".yaml", ".yml", ".json")

#: One workflow as the outputs see it: what was read (a refused one as :class:`Rejected`)
#: and its verdict.
Judged = tuple[Workflow | Rejected, Verdict]


@dataclass
class Section:
    """One checked file: an operating model with its workflows, or a workflow file.

    ``judged`` is read once, and only while the run is on this section: each workflow is
    judged as it is reached.
    """

    file: str
    #: The model's own fields (its workflows are in ``judged``); None for a workflow file.
    model: OperatingModel | None
    #: The engine as the model's policies block configures it.
    engine: BaseEngine
    #: How many workflows the section holds.
    size: int
    judged: Iterator[Judged]
    #: The model's own verdict, from its model-level policies (None for a workflow file).
    model_verdict: Verdict | None = None


@dataclass(frozen=True)
class OutputOptions:
    """What the output was asked to include."""

    #: List passing and not-applicable findings too (JSON and JSON Lines).
    all_findings: bool = False
    #: Only the counts and the roll-up.
    summary: bool = False


@dataclass
class _Planned:
    """One file of the run as the first pass found it."""

    path: Path
    in_folder: bool
    #: Whether it is an operating model; ``size`` is then its number of workflows, and
    #: ``claims`` the workflow files it lists.
    model: bool = False
    size: int = 1
    claims: tuple[str, ...] = ()
    #: The folder of a model whose workflow files are not all known (a pattern over a
    #: limit, or outside its folder): every file in it is taken as the model's.
    claims_folder: str | None = None
    #: The model as read, kept for the first model only: a run over several large models
    #: holds one at a time, and reads the others again when it reaches them.
    inventory: Inventory | None = None
    problems: Sequence[Problem] = ()


class CheckRun:
    """One run of ``check`` (or ``report``): its sections as a stream, and what they added
    up to once read.

    Built from the arguments, it has read every operating model (never a loose workflow
    file); :meth:`sections` then judges. ``problems``, ``tally`` and :meth:`exit_code` are
    complete once the sections have all been read.
    """

    def __init__(
        self,
        args: argparse.Namespace,
        today: dt.date,
        err: TextIO,
        *,
        engine: Engine | None = None,
    ) -> None:
        self.today = today
        self.options = OutputOptions(
            all_findings=getattr(args, "all_findings", False),
            summary=getattr(args, "summary", False),
        )
        self.engine: BaseEngine = engine if engine is not None else default_engine()
        self.problems: list[Problem] = []
        # The problems reported so far, to report each once at the cost of a look-up.
        self._reported: set[Problem] = set()
        self.tally = Tally()
        self._limits = options.limits(args)
        self._allow_outside: bool = args.allow_outside
        self._paths: Sequence[str] = args.paths
        self._ignore_unknown: bool = getattr(args, "ignore_unknown", False)
        self._plan = self._read_models(args.paths)
        if getattr(args, "find_models", False):
            self._plan = self._find_models(self._plan)
        self._claimed = {file for planned in self._plan for file in planned.claims}
        self._claimed_folders = tuple(
            p.claims_folder + os.sep for p in self._plan if p.claims_folder is not None
        )
        # Exact for models and workflow files; a file that turns out to be neither counts
        # until it is reached.
        self.size = sum(
            p.size for p in self._plan if not p.problems and (p.model or self._unclaimed(p.path))
        )
        self.progress = Progress.start(self.size, err, asked=getattr(args, "progress", None))
        self._stream = self._sections()

    # -- the first pass: every model, so that each knows the workflow files it claims ------

    def _read_models(self, paths: Sequence[str]) -> list[_Planned]:
        plan: list[_Planned] = []
        for found in _expand(paths, self._allow_outside):
            if isinstance(found, Problem):
                plan.append(_Planned(Path(found.file or ""), False, problems=[found]))
                continue
            path, in_folder = found
            try:
                inventory = open_model(path, limits=self._limits, allow_outside=self._allow_outside)
            except DocumentError as exc:
                if not self._passed_over(path):
                    plan.append(_Planned(path, in_folder, problems=exc.problems))
                continue
            if inventory is None:
                plan.append(_Planned(path, in_folder))
                continue
            # An invalid model still claims its workflow files: they are its, whatever is
            # wrong with it, and must not be judged against the default model instead.
            claims = tuple(map(os.path.realpath, inventory.files))
            unknown = any(p.path.startswith("/workflow_files") for p in inventory.problems)
            first = not any(p.model for p in plan)
            plan.append(
                _Planned(
                    path,
                    in_folder,
                    model=True,
                    size=len(inventory),
                    claims=claims,
                    claims_folder=os.path.realpath(path.parent) if unknown else None,
                    inventory=inventory if first else None,
                )
            )
        return plan

    def _find_models(self, plan: list[_Planned]) -> list[_Planned]:
        """The plan with, before each workflow file no model of the run claims, the models
        that list it (``--find-models``), each added once."""
        finder = ModelFinder(self._limits, self._allow_outside)
        known = {os.path.realpath(p.path) for p in plan if p.model}
        claimed = {file for p in plan for file in p.claims}
        found: list[_Planned] = []
        for planned in plan:
            if (
                not planned.model
                and not planned.problems
                and os.path.realpath(planned.path) not in claimed
            ):
                for path, size, claims in finder.claiming(planned.path):
                    if os.path.realpath(path) not in known:
                        known.add(os.path.realpath(path))
                        claimed |= claims
                        found.append(
                            _Planned(path, True, model=True, size=size, claims=tuple(claims))
                        )
            found.append(planned)
        return found

    def _passed_over(self, path: Path) -> bool:
        """Whether a file is left alone as no aimo document (``--ignore-unknown``)."""
        return self._ignore_unknown and unknown(path, self._limits)

    def _unclaimed(self, path: Path) -> bool:
        real = os.path.realpath(path)
        return real not in self._claimed and not real.startswith(self._claimed_folders)

    # -- the second pass: judging, file by file -------------------------------------------

    def sections(self) -> Iterator[Section]:
        """Each file's section in the order the paths name them, judged as it is read.

        There is one stream per run: a second call goes on where the first stopped.
        """
        return self._stream

    def _sections(self) -> Iterator[Section]:
        plan, self._plan = self._plan, []
        for planned in plan:
            if planned.problems:
                # A broken file the first pass read in case it was a model: when a model
                # lists it and it was found in a folder, that model refuses it instead.
                if not planned.in_folder or self._unclaimed(planned.path):
                    self._problems(planned.problems)
                continue
            if planned.model:
                section = self._model_section(planned)
            elif self._unclaimed(planned.path):
                section = self._workflow_section(planned)
            elif not planned.in_folder:
                # Named on its own and listed by a model: judged once, with its model, but
                # an invalid one is still bad input, as any file named on its own is.
                section = self._workflow_section(planned, judge=False)
            else:
                continue
            if section is not None:
                yield section
                # Whatever the output did not read is still judged: the exit code and the
                # summary count every workflow.
                for _ in section.judged:
                    pass
        judged = self.tally.workflows or sum(self.tally.models.values())
        if not judged and not self.problems and not self._ignore_unknown:
            # Every file was passed over (packs, results aimo wrote): a job pointed at the
            # wrong folder must not pass on having judged nothing. A hook that names the
            # files a commit changes asks for that with --ignore-unknown.
            self._problems(
                [
                    Problem(
                        "",
                        "there is no workflow or operating model here to check, only policy "
                        "packs or results aimo wrote",
                        self._paths[0] if len(self._paths) == 1 else None,
                    )
                ]
            )
        self.progress.close()

    def _model_section(
        self, planned: _Planned, inventory: Inventory | None = None
    ) -> Section | None:
        path = planned.path
        if inventory is None:
            inventory, planned.inventory = planned.inventory, None
        if inventory is None:
            try:
                inventory = open_model(path, limits=self._limits, allow_outside=self._allow_outside)
            except DocumentError as exc:
                self._problems(exc.problems)
                return None
            if inventory is None:  # no longer a model since the first pass read it
                return self._workflow_section(planned)
        if inventory.problems or inventory.model is None:
            self._problems(inventory.problems)
            return None
        try:
            inventory.check_config()
            engine = self.engine.for_model(inventory.model)
            judged = self.engine.judge_model(inventory, today=self.today)
            # The model as a whole comes first: its own verdict, before any workflow's.
            _, model_verdict = next(judged)
        except (ConfigError, PolicyError) as exc:
            # A model's bad configuration is that model's problem: the other files still count.
            self._problems([_config_problem(exc, str(path))])
            return None
        self.tally.add_model(model_verdict)
        workflows = cast(Iterator[Judged], judged)  # only workflows follow the model
        return Section(
            str(path),
            inventory.model,
            engine,
            len(inventory),
            self._count(workflows),
            model_verdict,
        )

    def _workflow_section(self, planned: _Planned, *, judge: bool = True) -> Section | None:
        try:
            document = read_document(
                planned.path, limits=self._limits, allow_outside=self._allow_outside
            )
        except NotADocument as exc:
            # Packs sit beside the models that list them; only a named one is a mistake,
            # unless files that are not workflows or models are to be passed over.
            if not planned.in_folder and not self._ignore_unknown:
                self._problems(exc.problems)
            return None
        except DocumentError as exc:
            if not self._passed_over(planned.path):
                self._problems(exc.problems)
            return None
        if isinstance(document, Inventory):
            # A model that open_model passed over: it only spells its key in a way the
            # quick test cannot see. Judged all the same.
            return self._model_section(planned, document)
        if not judge:
            return None
        verdict = self.engine.evaluate(document, today=self.today)
        return Section(
            str(planned.path), None, self.engine, 1, self._count(iter([(document, verdict)]))
        )

    def _count(self, judged: Iterable[Judged]) -> Iterator[Judged]:
        tally, progress = self.tally, self.progress
        for item in judged:
            tally.add(item[1])
            progress.advance()
            yield item

    def _problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            if problem not in self._reported:
                self._reported.add(problem)
                self.problems.append(problem)
                self.progress.write(f"aimo: {printable(str(problem))}\n")

    # -- once every section has been read --------------------------------------------------

    def decided(self, *decisions: Decision) -> bool:
        """Whether any workflow, or any model as a whole, got one of ``decisions``."""
        return any(self.tally.decisions[d] or self.tally.models[d] for d in decisions)

    def finish(self) -> None:
        """Judge whatever the output did not read (``--summary`` reads no section; a
        reader that went away stops reading), so that the counts and the exit code cover
        every workflow."""
        for _ in self._stream:
            pass


@dataclass
class ReportRun:
    """What ``aimo report`` renders: the judged run and the review built from it."""

    check: CheckRun
    report: Report


def review(run: CheckRun, horizon_days: int) -> Report:
    """The review of a run: each model its own section; loose workflow files share one."""
    sections = []
    loose: list[Judged] = []
    loose_files: list[str] = []
    for section in run.sections():
        if section.model is None:
            loose_files.append(section.file)
            loose.extend(section.judged)
            continue
        sections.append(
            build_section(
                section.file,
                section.model,
                section.judged,
                engine=run.engine,
                today=run.today,
                horizon=horizon_days,
                model_verdict=section.model_verdict,
            )
        )
    if loose_files:
        sections.append(
            build_section(
                ", ".join(loose_files),
                None,
                loose,
                engine=run.engine,
                today=run.today,
                horizon=horizon_days,
            )
        )
    return Report(today=run.today, horizon_days=horizon_days, sections=tuple(sections))


def _expand(paths: Sequence[str], allow_outside: bool) -> Iterator[tuple[Path, bool] | Problem]:
    """The files to read, each once, with whether it was found in a folder (and not named
    as well), and the problems of the paths that yield none, in the order the paths are
    given.

    Paths overlap (a folder and a file in it, a folder and one inside it, a link and its
    file): a file is one file however often it is reached, or each workflow would be
    judged, counted and logged once per mention.
    """
    found = list(_found(paths, allow_outside))
    named = {os.path.realpath(f[0]) for f in found if not isinstance(f, Problem) and not f[1]}
    seen: set[str] = set()
    for item in found:
        if isinstance(item, Problem):
            yield item
            continue
        file, in_folder = item
        real = os.path.realpath(file)
        if real not in seen:
            seen.add(real)
            yield file, in_folder and real not in named


def _found(paths: Sequence[str], allow_outside: bool) -> Iterator[tuple[Path, bool] | Problem]:
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                found = sorted(
                    p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file()
                )
                if not found:
                    yield Problem("", "the folder holds no YAML or JSON file", raw)
                for file in found:
                    if allow_outside or inside(file, path):
                        yield file, True
                    else:
                        yield Problem(
                            "",
                            f"this file links outside the folder {raw}, so it was not "
                            "read; pass --allow-outside to read it",
                            str(file),
                        )
            elif path.exists():
                yield path, False  # reading refuses pipes and devices
            else:
                yield Problem("", "no such file or folder", raw)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            yield Problem("", f"this path cannot be read: {reason}", raw)


def read_documents(
    args: argparse.Namespace, problems: list[Problem]
) -> list[tuple[Path, Workflow | OperatingModel]]:
    """Every document under ``args.paths``, each read whole (``aimo score`` scores models'
    workflows together); each file's problems are collected."""
    limits: Limits = options.limits(args)
    documents: list[tuple[Path, Workflow | OperatingModel]] = []
    for found in _expand(args.paths, args.allow_outside):
        if isinstance(found, Problem):
            problems.append(found)
            continue
        file, in_folder = found
        try:
            documents.append((file, load(file, limits=limits, allow_outside=args.allow_outside)))
        except NotADocument as exc:
            if not in_folder:
                problems.extend(exc.problems)
        except DocumentError as exc:
            problems.extend(exc.problems)
        except ConfigError as exc:
            problems.append(_config_problem(exc, str(file)))
    return documents


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


def _config_problem(exc: ConfigError | PolicyError, file: str) -> Problem:
    """A model's configuration error as a problem of its file, at the entry the error names
    (``/policies`` when it names none, as for a pack that cannot be loaded)."""
    if isinstance(exc, ConfigError):
        return Problem(exc.path or "/policies", exc.message, exc.file or file)
    return Problem("/policies", str(exc), file)
