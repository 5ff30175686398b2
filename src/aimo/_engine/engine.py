"""The engine: its plugins registered and its configuration applied once, when it is built;
then any number of workflows judged by the loop of :mod:`aimo._engine.loop`.

:class:`BaseEngine` knows no policy of its own. The engine users build, ``aimo.Engine``,
adds aimo's built-in policies and its pack reader (``aimo._defaults``): built-ins register
through the very path third-party plugins take.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import pluggy

from aimo import hookspecs
from aimo._documents.dates import evaluation_date
from aimo._documents.files import pack_files
from aimo._documents.inventory import Inventory, Rejected
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.models import EnforcementStep, OperatingModel, PolicyConfig, Workflow
from aimo._documents.run import Run
from aimo._documents.source import source_of
from aimo._documents.validate import validate
from aimo._engine.batch import evaluate_many
from aimo._engine.coerce import (
    ModelLike,
    RunLike,
    WorkflowLike,
    coerce_inventory,
    coerce_model,
    coerce_run,
    coerce_workflow,
    default_model,
)
from aimo._engine.config import Schedule, apply_config, coerce_config, level_on, merge_configs
from aimo._engine.loop import Entry, describe, judge, judge_model
from aimo._engine.pack import Pack
from aimo._engine.plugins import (
    ENTRY_POINT_GROUP,
    PROCESS_PLUGINS,
    picklable_plugin,
    plugin_name,
    plugin_version,
    restore_plugins,
)
from aimo._engine.policy import Context, Policy, new_context
from aimo._engine.refusal import refusal
from aimo._engine.verdict import Assessment, Enforcement, PolicyRef, Verdict, hold_data
from aimo._errors import PluginError, PolicyError
from aimo._hooks import PROJECT
from aimo._version import __version__

__all__ = ["DISABLE_AUTOLOAD", "BaseEngine"]

#: Set this environment variable to keep engines from loading installed plugins.
DISABLE_AUTOLOAD = "AIMO_DISABLE_PLUGIN_AUTOLOAD"

#: How an evaluation decides: as configured, or with every policy in shadow.
Mode = Literal["enforce", "shadow"]
SHADOW = Enforcement.SHADOW


class InForce(NamedTuple):
    """What an engine applies on one date: its workflow-level entries, every policy's level,
    and its model-level entries, scheduled policies at the step of that date."""

    workflow: tuple[Entry, ...]
    enforcement: Mapping[str, Enforcement]
    model: tuple[Entry, ...]


def _in_force(entries: Sequence[Entry], enforcement: Mapping[str, Enforcement]) -> InForce:
    return InForce(
        tuple(e for e in entries if e.policy.scope == "workflow"),
        enforcement,
        tuple(e for e in entries if e.policy.scope == "model"),
    )


class BaseEngine:
    """Evaluates workflows against every policy its plugins provide.

    Policies are collected once, when the engine is built: from the built-in plugins, from
    the packages installed under the entry-point group ``aimo``, and from ``plugins``.

    :param plugins: objects or modules with ``@aimo.hookimpl`` implementations, or packs
        loaded with :func:`aimo.load_pack`.
    :param config: a :class:`PolicyConfig` (or its plain data): more pack paths, policies or
        packs to disable, enforcement to raise or lower.
    :param base_dir: the folder ``config.paths`` are relative to (default: the current one).
    :param builtins: register aimo's core policies and shipped packs (default True).
    :param entry_points: load installed plugins from the ``aimo`` entry-point group; by
        default yes, unless the environment variable ``AIMO_DISABLE_PLUGIN_AUTOLOAD`` is set.
    :param limits: what reading a document file may cost, for the paths this engine is
        given to evaluate (default: :class:`aimo.Limits`' defaults).
    :raises PolicyError: when a plugin or pack cannot be loaded, returns something that is
        not a policy, two policies share one id, or two packs share one name.
    :raises ConfigError: when the configuration names an unknown policy or pack, a pack path
        that does not exist, or lowers a policy below its floor.
    """

    def __init__(
        self,
        plugins: Iterable[object] = (),
        *,
        config: PolicyConfig | Mapping[str, Any] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        builtins: bool = True,
        entry_points: bool | None = None,
        limits: Limits | None = None,
    ) -> None:
        if entry_points is None:
            entry_points = not os.environ.get(DISABLE_AUTOLOAD)
        if limits is not None and not isinstance(limits, Limits):
            raise TypeError(f"limits is an aimo.Limits, not {type(limits).__name__}")
        self.limits = limits if limits is not None else DEFAULT_LIMITS
        self._plugins = tuple(plugins)
        self._builtins = builtins
        self._entry_points = entry_points
        self._config = coerce_config(config)
        self._pack_paths = (
            pack_files(self._config.paths, Path(base_dir or os.getcwd())) if self._config else []
        )
        self._derived: dict[tuple[str, ...], BaseEngine] = {}

        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._sources: dict[str, tuple[str, str | None]] = {}
        builtin_names = set()
        if builtins:
            for plugin, name, source in self.builtin_plugins():
                if isinstance(plugin, Pack):
                    builtin_names.add(self._register_pack(plugin))
                else:
                    builtin_names.add(self._register(plugin, name, __version__, source=source))
        if entry_points:
            self._load_entry_points()
        for plugin in self._plugins:
            if isinstance(plugin, Pack):
                self._register_pack(plugin)
            else:
                self._register(plugin, plugin_name(plugin), plugin_version(plugin))
        for plugin in PROCESS_PLUGINS:
            self._register(plugin, f"process:{type(plugin).__qualname__}", None)
        for path in self._pack_paths:
            self._register_pack(self.read_pack(path))
        entries, enforcement, schedules = apply_config(self._collect(builtin_names), self._config)
        self._entries: tuple[Entry, ...] = tuple(entries)
        # Read-only: every context hands them to the policies.
        self._enforcement: Mapping[str, Enforcement] = MappingProxyType(enforcement)
        self._schedules: Mapping[str, Schedule] = MappingProxyType(schedules)
        # The entries and levels in force on each date a scheduled engine has judged on.
        self._days: dict[dt.date, InForce] = {}
        self._always = _in_force(self._entries, self._enforcement)
        self._shadow: dict[tuple[str, dt.date], tuple[Entry, ...]] = {}
        self._unwaivable: Mapping[str, str] = MappingProxyType(
            {e.policy.id: e.policy.unwaivable for e in entries if e.policy.unwaivable}
        )
        self._policy_set = tuple(e.ref for e in self._entries)
        self._verdict_hooks = tuple(
            (impl.plugin_name, impl.function, tuple(impl.argnames))
            for impl in reversed(self._pm.hook.aimo_verdict.get_hookimpls())
        )

    # -- what the composition provides ----------------------------------------------------

    def builtin_plugins(self) -> Sequence[tuple[object, str, str]]:
        """The plugins registered first, as ``(plugin, name, source)``; none here."""
        return ()

    @classmethod
    def read_pack(cls, path: str | os.PathLike[str]) -> Pack:
        """Read the pack file at ``path``; an engine with no pack reader cannot.

        :raises PolicyError: always, here.
        """
        raise PolicyError(f"this engine cannot read the pack {os.fspath(path)}")

    # -- building -------------------------------------------------------------------------

    def _register(
        self, plugin: object, name: str, version: str | None, *, source: str | None = None
    ) -> str:
        if self._pm.is_registered(plugin):
            raise PolicyError(f"the plugin {name!r} is registered twice")
        # Two instances of one plugin class are two plugins: number the later ones.
        base, count = name, 1
        while self._pm.has_plugin(name):
            count += 1
            name = f"{base}#{count}"
        try:
            self._pm.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PolicyError(f"the plugin {name!r} is not a valid aimo plugin: {exc}") from None
        self._sources[name] = (source or name, version)
        return name

    def _register_pack(self, pack: Pack) -> str:
        name = f"pack:{pack.name}"
        if self._pm.has_plugin(name):
            # Two packs of one name would make "disable: [marketing]" and the policy set's
            # sources ambiguous: which marketing?
            first = self._pm.get_plugin(name)
            raise PolicyError(
                f"two packs are named {pack.name!r}: {getattr(first, 'path', '?')} and "
                f"{pack.path}; rename one"
            )
        return self._register(pack, name, pack.version)

    def _load_entry_points(self) -> None:
        from importlib import metadata  # only engines that load plugins pay for it

        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            label = f"{dist.name} (entry point {ep.name!r})" if dist else f"entry point {ep.name!r}"
            if self._pm.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                # SystemExit included: a plugin must not end the program that loads it.
                raise PolicyError(
                    f"the plugin {label} could not be loaded: {describe(exc)}"
                ) from exc
            self._register(plugin, ep.name, dist.version if dist else None)
            if dist:
                self._sources[ep.name] = (dist.name, dist.version)

    def _collect(self, builtin_names: set[str]) -> list[Entry]:
        entries: list[Entry] = []
        owners: dict[str, str] = {}
        # Each plugin is asked on its own so that every policy is attributed to its source.
        # pluggy keeps its own call order; ours is registration order (core first, then packs).
        registered = list(self._sources)
        impls = sorted(
            self._pm.hook.aimo_policies.get_hookimpls(),
            key=lambda impl: registered.index(impl.plugin_name),
        )
        for impl in impls:
            source, version = self._sources[impl.plugin_name]
            try:
                result: Any = impl.function()
                provided: list[object] = list(result or ())
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                raise PolicyError(
                    f"the plugin {source!r} failed to list its policies: {describe(exc)}"
                ) from exc
            for item in provided:
                if not isinstance(item, Policy):
                    raise PolicyError(
                        f"the plugin {source!r} returned {item!r}, which is not a policy "
                        "made with @aimo.policy"
                    )
                entry = Entry(item, source, version, builtin=impl.plugin_name in builtin_names)
                where = entry.ref.source
                if item.id in owners:
                    raise PolicyError(
                        f"two policies have the id {item.id!r}: one from {owners[item.id]}, "
                        f"one from {where}"
                    )
                owners[item.id] = where
                entries.append(entry)
        # Built-ins keep their documented order; the rest follow by id, whatever the load order.
        builtin = [e for e in entries if e.builtin]
        others = sorted((e for e in entries if not e.builtin), key=lambda e: e.policy.id)
        return builtin + others

    def configured(
        self,
        config: PolicyConfig | Mapping[str, Any] | None,
        base_dir: str | os.PathLike[str] | None = None,
    ) -> BaseEngine:
        """This engine with ``config`` applied on top of its own configuration.

        Paths are resolved against ``base_dir``; packs and enforcement merge, the given
        configuration winning. Engines are cached per configuration, so an operating model
        evaluated many times builds its engine once.
        """
        config = coerce_config(config)
        if config is None:
            return self
        extra = pack_files(config.paths, Path(base_dir or os.getcwd()))
        key = (config.model_dump_json(), *map(str, extra))
        derived = self._derived.get(key)
        if derived is None:
            merged = merge_configs(self._config, self._pack_paths, config, extra)
            derived = type(self)(
                self._plugins,
                config=merged,
                builtins=self._builtins,
                entry_points=self._entry_points,
                limits=self.limits,
            )
            self._derived[key] = derived
        return derived

    def for_model(self, model: OperatingModel) -> BaseEngine:
        """This engine as ``model``'s ``policies`` block configures it (itself without one);
        the block's pack paths are relative to the model's file."""
        if model.policies is None:
            return self
        source = source_of(model)
        base = Path(source.file).parent if source is not None else None
        return self.configured(model.policies, base)

    # -- what the engine knows -------------------------------------------------------------

    @property
    def policies(self) -> tuple[Policy, ...]:
        """Every policy this engine evaluates, in the order findings are reported."""
        return tuple(e.policy for e in self._entries)

    @property
    def policy_set(self) -> list[PolicyRef]:
        """Every policy id with the source and version it came from."""
        return list(self._policy_set)

    def enforcement(self, policy_id: str, *, today: dt.date | None = None) -> Enforcement:
        """A known policy's enforcement after configuration, on ``today`` (default: today,
        UTC) when its level follows a schedule.

        :raises KeyError: for an id the engine does not know.
        """
        return self._on(evaluation_date(today)).enforcement[policy_id]

    def schedule(self, policy_id: str) -> tuple[EnforcementStep, ...] | None:
        """A known policy's dated enforcement schedule, or None when its level is fixed.

        :raises KeyError: for an id the engine does not know.
        """
        if policy_id not in self._enforcement:
            raise KeyError(policy_id)
        return self._schedules.get(policy_id)

    def _shadowed(self, day: dt.date, mode: str) -> tuple[Entry, ...]:
        """Every entry in force on ``day`` at the level shadow, for ``mode="shadow"``."""
        if mode != "shadow":
            raise ValueError(f"mode is 'enforce' or 'shadow', not {mode!r}")
        key = ("shadow", day)
        found = self._shadow.get(key)
        if found is None:
            found = tuple(e.at(SHADOW, e.next_enforcement) for e in self._on(day).workflow)
            if len(self._shadow) >= 366:
                self._shadow.clear()
            self._shadow[key] = found
        return found

    def _on(self, day: dt.date) -> InForce:
        """The entries and levels in force on ``day``: each scheduled policy at its step."""
        if not self._schedules:
            return self._always
        found = self._days.get(day)
        if found is None:
            enforcement = dict(self._enforcement)
            steps_of = {}
            for policy_id, steps in self._schedules.items():
                level, step = level_on(steps, day, self._enforcement[policy_id])
                enforcement[policy_id] = level
                steps_of[policy_id] = (level, step)
            entries = tuple(
                entry.at(*steps_of[entry.policy.id]) if entry.policy.id in steps_of else entry
                for entry in self._entries
            )
            found = _in_force(entries, MappingProxyType(enforcement))
            if len(self._days) >= 366:
                self._days.clear()
            self._days[day] = found
        return found

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy plugin manager."""
        return self._pm

    def context(self, model: OperatingModel, today: dt.date, run: RunLike | None = None) -> Context:
        """The context this engine gives its policies for a workflow of ``model``.

        Use it on an engine configured for the model (:meth:`for_model`).
        """
        return new_context(
            today, model, coerce_run(run), self._on(today).enforcement, self._unwaivable
        )

    # -- evaluating ------------------------------------------------------------------------

    def evaluate(
        self,
        workflow: WorkflowLike,
        *,
        model: ModelLike | None = None,
        today: dt.date | None = None,
        run: RunLike | None = None,
        mode: Mode = "enforce",
    ) -> Verdict:
        """Judge one workflow and return its verdict.

        :param workflow: a :class:`Workflow`, plain data, or the path of a workflow file.
        :param model: the operating model whose tiers and data classes apply (default: the
            spec's defaults).
        :param today: the evaluation date (default: today, UTC).
        :param run: the run being gated, for run-time policies: an :class:`aimo.Run`, or
            its plain data.
        :param mode: ``"shadow"`` judges every policy as if its level were ``shadow``: the
            findings are all there (and reach the hooks, a decision log among them), and the
            decision is always ``allow``. For trying a gate before it may stop anything.
        :raises DocumentError: when the workflow, the model or the run is invalid. A policy
            that raises never makes this raise: its finding is ``error`` instead.
        :raises PluginError: when an ``aimo_verdict`` hook could not record the verdict.
        """
        # Exact-type tests first: the common calls skip the general coercions.
        if type(workflow) is Workflow:
            document = workflow
        elif type(workflow) is dict:
            document = validate(Workflow, workflow)
        else:
            document = coerce_workflow(workflow, self.limits)
        operating_model = default_model() if model is None else coerce_model(model, self.limits)
        day = today if type(today) is dt.date else evaluation_date(today)
        if run is not None and type(run) is not Run:
            run = coerce_run(run)
        engine = self if operating_model.policies is None else self.for_model(operating_model)
        # The context is made from parts the engine holds read-only, without re-checking
        # them: this is the path of every evaluation.
        entries, enforcement, _ = engine._on(day)
        if mode != "enforce":
            entries = engine._shadowed(day, mode)
        ctx = new_context(day, operating_model, run, enforcement, engine._unwaivable)
        verdict = judge(entries, engine._policy_set, document, ctx)
        if engine._verdict_hooks:
            engine.notify(verdict, document, ctx)
        if type(workflow) is dict:
            hold_data(verdict, workflow)
        return verdict

    def evaluate_many(
        self,
        documents: Iterable[WorkflowLike],
        *,
        model: ModelLike | None = None,
        today: dt.date | None = None,
        workers: int | None = None,
        chunk_size: int = 512,
    ) -> Iterator[Verdict]:
        """Stream one verdict per document, in input order, in constant memory.

        A document that is not a valid workflow yields a ``deny`` verdict whose one finding,
        ``document-valid``, says why; the batch goes on and nothing is dropped.

        :param documents: workflows, plain data or paths; any iterable, read lazily.
        :param model: the operating model for every document (default: the spec's).
        :param today: the evaluation date for every document (default: today, UTC).
        :param workers: spread the batch over this many processes (default: this one).
            The engine, its plugins and the verdicts travel between processes by pickle.
        :param chunk_size: documents sent to a worker at a time.
        """
        return evaluate_many(
            self, documents, model=model, today=today, workers=workers, chunk_size=chunk_size
        )

    def evaluate_model(self, model: ModelLike, *, today: dt.date | None = None) -> list[Verdict]:
        """Judge every workflow of an operating model, in the model's order.

        Each workflow is judged on its own: one that is not valid gets a ``deny`` verdict
        whose one finding, ``document-valid``, lists its problems with their paths, files
        and lines, and the others are judged as usual.

        :raises DocumentError: when the model itself is invalid (its own fields, its
            configuration, a ``workflow_files`` pattern it may not read) or unreadable.
        """
        return [
            verdict
            for entry, verdict in self.judge_model(model, today=today)
            if not isinstance(entry, OperatingModel)
        ]

    def assess(self, model: ModelLike, *, today: dt.date | None = None) -> Assessment:
        """Judge an operating model as a whole and each of its workflows: the model's own
        verdict (its model-level policies) and every workflow's, in the model's order.

        :raises DocumentError: as :meth:`evaluate_model`.
        """
        judged = self.judge_model(model, today=today)
        _, model_verdict = next(judged)
        return Assessment(model_verdict=model_verdict, verdicts=[v for _, v in judged])

    def judge_model(
        self, model: ModelLike | Inventory, *, today: dt.date | None = None
    ) -> Iterator[tuple[Workflow | Rejected | OperatingModel, Verdict]]:
        """Judge an operating model: first the model as a whole (``(model, its verdict)``,
        from the model-level policies), then each workflow as it is read, in the model's
        order, with its verdict (a :class:`Rejected` workflow with its refusal). The model
        may also be an inventory already read (the command line reads every model first).

        Workflow files are read as they are reached, so a large inventory streams.

        :raises DocumentError: as :meth:`evaluate_model`, before anything is judged.
        """
        operating_model, entries, _ = coerce_inventory(model, self.limits)
        # Configured before the first workflow is read: a bad policies block is the model's
        # problem, raised here, not halfway through the stream.
        engine = self.for_model(operating_model)
        ctx = engine.context(operating_model, evaluation_date(today))
        return engine._judge_model(operating_model, entries, ctx)

    def _judge_model(
        self, model: OperatingModel, entries: Iterable[Workflow | Rejected], ctx: Context
    ) -> Iterator[tuple[Workflow | Rejected | OperatingModel, Verdict]]:
        yield model, self.judge_whole(model, ctx)
        yield from self._judge_entries(entries, ctx)

    def judge_whole(self, model: OperatingModel, ctx: Context, *, notify: bool = True) -> Verdict:
        """The verdict of an operating model as a whole: its model-level policies'
        findings, in a context this engine made for it (:meth:`context`). Its
        ``workflow_id`` is the organisation's name, else the model's file, else
        ``"operating model"``.
        """
        source = source_of(model)
        name = model.organization or (source.file if source is not None else "operating model")
        # Model-level policies judge the model's own fields: its workflows have verdicts of
        # their own, and an inventory read as a stream never holds them all.
        own = model.model_copy(update={"workflows": ()}) if model.workflows else model
        verdict = judge_model(self._on(ctx.today).model, self._policy_set, own, ctx, name)
        if notify and self._verdict_hooks:
            self.notify(verdict, None, ctx)
        return verdict

    def _judge_entries(
        self, entries: Iterable[Workflow | Rejected], ctx: Context
    ) -> Iterator[tuple[Workflow | Rejected, Verdict]]:
        for index, entry in enumerate(entries):
            if isinstance(entry, Rejected):
                verdict = refusal(
                    self._policy_set,
                    entry.workflow_id or f"#{index}",
                    entry.data,
                    problems=entry.problems,
                    stage=entry.stage,
                    prefix=entry.prefix,
                )
                if self._verdict_hooks:
                    self.notify(verdict, None, ctx)
            else:
                verdict = self._judge(entry, ctx)
            yield entry, verdict

    def _judge(self, workflow: Workflow, ctx: Context) -> Verdict:
        return self.judge(workflow, ctx)

    def judge(self, workflow: Workflow, ctx: Context, *, notify: bool = True) -> Verdict:
        """The verdict of a validated workflow in a context this engine made
        (:meth:`context`): what :meth:`evaluate` does once its arguments are read.

        :param notify: hand the verdict to the ``aimo_verdict`` hooks (a decision log among
            them). A what-if judgement, such as what a scheduled step would decide today,
            passes False: it decides nothing.
        """
        verdict = judge(self._on(ctx.today).workflow, self._policy_set, workflow, ctx)
        if notify and self._verdict_hooks:
            self.notify(verdict, workflow, ctx)
        return verdict

    def notify(self, verdict: Verdict, workflow: Workflow | None, ctx: Context) -> None:
        """Hand a verdict to every ``aimo_verdict`` hook, as each evaluation does.

        :raises PluginError: when a hook raises anything (``DecisionLogError`` when a decision
            log could not record it): the evidence was not kept, so the caller must not go
            on as if it were.
        """
        arguments = {"verdict": verdict, "workflow": workflow, "ctx": ctx}
        for name, function, argnames in self._verdict_hooks:
            try:
                function(*[arguments[a] for a in argnames])
            except (KeyboardInterrupt, PluginError):
                raise
            except BaseException as exc:
                raise PluginError(
                    f"the plugin {name!r} could not record the verdict of "
                    f"{verdict.workflow_id!r}: {describe(exc)}",
                    plugin=name,
                ) from exc

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from what built it: a plugin manager holds functions and cannot be pickled.
        plugins = tuple(picklable_plugin(p) for p in self._plugins)
        return (
            _rebuild,
            (type(self), plugins, self._config, self._builtins, self._entry_points, self.limits),
        )


def _rebuild(
    cls: type[BaseEngine],
    plugins: tuple[object, ...],
    config: PolicyConfig | None,
    builtins: bool,
    entry_points: bool,
    limits: Limits,
) -> BaseEngine:
    return cls(
        restore_plugins(plugins, cls.read_pack),
        config=config,
        builtins=builtins,
        entry_points=entry_points,
        limits=limits,
    )
