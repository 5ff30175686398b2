"""The engine: resolves its policies once, then evaluates workflows against them."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pluggy

from aimo import hookspecs
from aimo._documents.dates import evaluation_date
from aimo._documents.limits import DEFAULT_LIMITS, Limits
from aimo._documents.loader import load, validate
from aimo._documents.models import OperatingModel, PolicyConfig, Stage, Waiver, Workflow
from aimo._documents.source import Location, SourceMap, source_of
from aimo._engine.batch import evaluate_many
from aimo._engine.config import coerce_config, merge_configs, resolve_pack_paths
from aimo._engine.observed import jsonable, resolve
from aimo._engine.plugins import (
    ENTRY_POINT_GROUP,
    picklable_plugin,
    plugin_name,
    plugin_version,
    rebuild_engine,
)
from aimo._engine.policy import MISSING, Context, NotApplicable, Policy, Violation
from aimo._engine.verdict import Decision, Enforcement, Finding, Outcome, PolicyRef, Verdict, built
from aimo._engine.waivers import valid_waiver_indexes
from aimo._errors import ConfigError, DocumentError, PluginError, PolicyError, Problem, quote
from aimo._hooks import PROJECT
from aimo._policies import core as _core_policies
from aimo._policies import run as _run_policies
from aimo._policies.packs import Pack, builtin_pack_paths, load_pack
from aimo._version import __version__

__all__ = ["Engine", "evaluate", "evaluate_model"]

#: Set this environment variable to keep engines from loading installed plugins.
DISABLE_AUTOLOAD = "AIMO_DISABLE_PLUGIN_AUTOLOAD"

WorkflowLike = Workflow | Mapping[str, Any] | str | os.PathLike[str]
ModelLike = OperatingModel | Mapping[str, Any] | str | os.PathLike[str]


class _Entry:
    """A policy as this engine runs it: where it came from and its prebuilt findings."""

    __slots__ = (
        "applies",
        "builtin",
        "check",
        "enforcement",
        "not_applicable",
        "not_applicable_reasons",
        "passed",
        "policy",
        "ref",
    )

    def __init__(
        self,
        policy: Policy,
        source: str,
        version: str | None,
        *,
        builtin: bool = False,
        enforcement: Enforcement | None = None,
    ) -> None:
        self.policy = policy
        self.check = policy.check
        self.applies = frozenset(stage for stage in Stage if policy.applies_to(stage))
        self.builtin = builtin
        self.enforcement = enforcement if enforcement is not None else policy.enforcement
        if policy.pack is not None:
            source, version = policy.pack, policy.pack_version
        self.ref = built(PolicyRef, {"id": policy.id, "source": source, "version": version})
        # Findings without a location are the same for every workflow: build them once.
        self.passed = self.finding(Outcome.PASS, f"{policy.title}.")
        self.not_applicable_reasons: dict[str, Finding] = {}
        self.not_applicable = {
            stage: self.finding(
                Outcome.NOT_APPLICABLE,
                f"Does not apply to a workflow at stage {stage.value}"
                + (
                    f" (it applies from {policy.applies_from.value})."
                    if stage is not Stage.RETIRED
                    else "; retired workflows are judged only on their waivers."
                ),
            )
            for stage in Stage
            if not policy.applies_to(stage)
        }

    def not_applicable_because(self, reason: str) -> Finding:
        """The not_applicable finding for ``reason``, built once per reason.

        Findings are frozen and carry no location, so one object serves every workflow;
        the cache is bounded in case a policy words its reasons differently each time.
        """
        cached = self.not_applicable_reasons.get(reason)
        if cached is None:
            cached = self.finding(Outcome.NOT_APPLICABLE, reason)
            if len(self.not_applicable_reasons) < 64:
                self.not_applicable_reasons[reason] = cached
        return cached

    def finding(
        self,
        outcome: Outcome,
        message: str,
        *,
        path: str = "",
        observed: Any = None,
        expected: Any = None,
        remediation: str | None = None,
        location: Location | None = None,
    ) -> Finding:
        policy = self.policy
        return built(
            Finding,
            {
                "policy_id": policy.id,
                "outcome": outcome,
                "severity": policy.severity,
                "enforcement": self.enforcement,
                "message": message,
                "path": path,
                "observed": observed,
                "expected": expected,
                "remediation": remediation if remediation is not None else policy.remediation,
                "seed_section": policy.seed_section,
                "references": policy.references,
                "location": location,
            },
        )


#: The most violations one policy may report for one workflow; more is a bug in the policy.
MAX_VIOLATIONS = 10_000

MANDATORY, ADVISORY = Enforcement.MANDATORY, Enforcement.ADVISORY
ALLOW, WARN, DENY = Decision.ALLOW, Decision.WARN, Decision.DENY


def _waive(finding: Finding, waivers: list[Waiver]) -> Finding:
    """The finding, waived by the first valid waiver that covers it, if any."""
    for waiver in waivers:
        if waiver.policy == finding.policy_id and waiver.covers(finding.path):
            until = waiver.expires.isoformat() if waiver.expires else "?"
            return finding.model_copy(
                update={
                    "outcome": Outcome.WAIVED,
                    "message": f"{finding.message} Waived until {until}, approved by "
                    f"{waiver.approved_by}: {waiver.reason}",
                }
            )
    return finding


def apply_config(
    entries: list[_Entry], config: PolicyConfig | None
) -> tuple[list[_Entry], dict[str, Enforcement]]:
    """The entries a configuration keeps, and every known id's enforcement after it.

    Disabled policies are neither evaluated nor reported, but stay known, so a waiver that
    names one is not mistaken for a waiver of an unknown policy.
    """
    if config is None:
        return entries, {e.policy.id: e.enforcement for e in entries}
    ids = {e.policy.id for e in entries}
    packs = {e.policy.pack for e in entries if e.policy.pack is not None}
    for name in config.disable:
        if name not in ids and name not in packs:
            raise ConfigError(
                f"/policies/disable: {name!r} is neither a known policy nor a known pack"
            )
    for policy_id in config.enforcement:
        if policy_id not in ids:
            raise ConfigError(f"/policies/enforcement: {policy_id!r} is not a known policy")
    disabled = set(config.disable)
    kept: list[_Entry] = []
    enforcement: dict[str, Enforcement] = {}
    for entry in entries:
        policy = entry.policy
        level = config.enforcement.get(policy.id)
        if level is not None and Enforcement(level) is not entry.enforcement:
            entry = _Entry(
                policy,
                entry.ref.source,
                entry.ref.version,
                builtin=entry.builtin,
                enforcement=Enforcement(level),
            )
        enforcement[policy.id] = entry.enforcement
        if policy.id not in disabled and policy.pack not in disabled:
            kept.append(entry)
    return kept, enforcement


class Engine:
    """Evaluates workflows against every policy its plugins provide.

    Policies are collected once, when the engine is built: from aimo's built-ins, from the
    packages installed under the entry-point group ``aimo``, and from ``plugins``.

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
        self._pack_paths = resolve_pack_paths(self._config, Path(base_dir or os.getcwd()))
        self._derived: dict[tuple[str, ...], Engine] = {}

        self._pm = pluggy.PluginManager(PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._sources: dict[str, tuple[str, str | None]] = {}
        builtin_names = set()
        if builtins:
            builtin_names.add(self._register(_core_policies, "aimo", __version__))
            builtin_names.add(self._register(_run_policies, "aimo.run", __version__, source="aimo"))
            for path in builtin_pack_paths():
                builtin_names.add(self._register_pack(load_pack(path)))
        if entry_points:
            self._load_entry_points()
        for plugin in self._plugins:
            if isinstance(plugin, Pack):
                self._register_pack(plugin)
            else:
                self._register(plugin, plugin_name(plugin), plugin_version(plugin))
        for path in self._pack_paths:
            self._register_pack(load_pack(path))
        entries = self._collect(builtin_names)
        self._entries, enforcement = apply_config(entries, self._config)
        # Read-only: every context hands it to the policies.
        self._enforcement: Mapping[str, Enforcement] = MappingProxyType(enforcement)
        self._policy_set = tuple(e.ref for e in self._entries)
        self._verdict_hooks = tuple(
            (impl.plugin_name, impl.function, tuple(impl.argnames))
            for impl in reversed(self._pm.hook.aimo_verdict.get_hookimpls())
        )

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
                    f"the plugin {label} could not be loaded: {_describe(exc)}"
                ) from exc
            self._register(plugin, ep.name, dist.version if dist else None)
            if dist:
                self._sources[ep.name] = (dist.name, dist.version)

    def _collect(self, builtin_names: set[str]) -> list[_Entry]:
        entries: list[_Entry] = []
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
                    f"the plugin {source!r} failed to list its policies: {_describe(exc)}"
                ) from exc
            for item in provided:
                if not isinstance(item, Policy):
                    raise PolicyError(
                        f"the plugin {source!r} returned {item!r}, which is not a policy "
                        "made with @aimo.policy"
                    )
                entry = _Entry(item, source, version, builtin=impl.plugin_name in builtin_names)
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
    ) -> Engine:
        """This engine with ``config`` applied on top of its own configuration.

        Paths are resolved against ``base_dir``; packs and enforcement merge, the given
        configuration winning. Engines are cached per configuration, so an operating model
        evaluated many times builds its engine once.
        """
        config = coerce_config(config)
        if config is None:
            return self
        extra = resolve_pack_paths(config, Path(base_dir or os.getcwd()))
        key = (config.model_dump_json(), *map(str, extra))
        derived = self._derived.get(key)
        if derived is None:
            merged = merge_configs(self._config, self._pack_paths, config, extra)
            derived = Engine(
                self._plugins,
                config=merged,
                builtins=self._builtins,
                entry_points=self._entry_points,
                limits=self.limits,
            )
            self._derived[key] = derived
        return derived

    def _for_model(self, model: OperatingModel) -> Engine:
        if model.policies is None:
            return self
        source: SourceMap | None = source_of(model)
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

    def enforcement(self, policy_id: str) -> Enforcement:
        """A known policy's enforcement after configuration.

        :raises KeyError: for an id the engine does not know.
        """
        return self._enforcement[policy_id]

    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """The underlying pluggy plugin manager."""
        return self._pm

    # -- evaluating ------------------------------------------------------------------------

    def evaluate(
        self,
        workflow: WorkflowLike,
        *,
        model: ModelLike | None = None,
        today: dt.date | None = None,
        run: Any = None,
    ) -> Verdict:
        """Judge one workflow and return its verdict.

        :param workflow: a :class:`Workflow`, plain data, or the path of a workflow file.
        :param model: the operating model whose tiers and data classes apply (default: the
            spec's defaults).
        :param today: the evaluation date (default: today, UTC).
        :param run: the run being gated, for run-time policies.
        :raises DocumentError: when the workflow (or model) is invalid. A policy that raises
            never makes this raise: its finding is ``error`` instead.
        """
        # Exact-type tests first: the common calls skip the general coercions.
        if type(workflow) is Workflow:
            document = workflow
        elif type(workflow) is dict:
            document = validate(Workflow, workflow)
        else:
            document = _coerce_workflow(workflow, self.limits)
        if model is None:
            operating_model = _DEFAULT_MODEL or default_model()
        else:
            operating_model = _coerce_model(model, self.limits)
        day = today if type(today) is dt.date else evaluation_date(today)
        engine = self if operating_model.policies is None else self._for_model(operating_model)
        ctx = Context(today=day, model=operating_model, run=run, enforcement=engine._enforcement)
        return engine._evaluate(document, ctx)

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

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from what built it: a plugin manager holds functions and cannot be pickled.
        plugins = tuple(picklable_plugin(p) for p in self._plugins)
        return (
            rebuild_engine,
            (plugins, self._config, self._builtins, self._entry_points, self.limits),
        )

    def evaluate_model(self, model: ModelLike, *, today: dt.date | None = None) -> list[Verdict]:
        """Judge every workflow of an operating model, in the model's order."""
        operating_model = _coerce_model(model, self.limits)
        day = evaluation_date(today)
        engine = self._for_model(operating_model)
        results = []
        for document in operating_model.workflows:
            ctx = Context(today=day, model=operating_model, enforcement=engine._enforcement)
            results.append(engine._evaluate(document, ctx))
        return results

    def _evaluate(self, workflow: Workflow, ctx: Context) -> Verdict:
        stage = workflow.stage
        waivers = (
            [workflow.waivers[i] for i in valid_waiver_indexes(workflow, ctx)]
            if workflow.waivers
            else None
        )
        findings: list[Finding] = []
        append = findings.append
        blocked = failed = False
        # The hot loop of every evaluation: most policies pass or do not apply, and those
        # cost one call and one prebuilt finding. Anything else goes through _findings.
        for entry in self._entries:
            if stage not in entry.applies:
                append(entry.not_applicable[stage])
                continue
            try:
                produced = entry.check(workflow, ctx)
                if produced is None:
                    append(entry.passed)
                    continue
                # A check that never stops yielding is cut off, and counts as an error.
                items = (
                    produced
                    if type(produced) is list
                    else list(islice(produced, MAX_VIOLATIONS + 1))
                )
                if not items:
                    append(entry.passed)
                    continue
                if len(items) == 1 and type(items[0]) is NotApplicable:
                    append(entry.not_applicable_because(items[0].reason))
                    continue
                produced_findings = _findings(entry, items, workflow)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                # Anything a policy raises, SystemExit and GeneratorExit included, is that
                # policy's error: it counts as failed (fail closed) and ends nothing else.
                produced_findings = [_error(entry, exc)]
            for item in produced_findings:
                outcome = item.outcome
                if outcome is not Outcome.FAIL and outcome is not Outcome.ERROR:
                    append(item)
                    continue
                if waivers and outcome is Outcome.FAIL and entry.enforcement is MANDATORY:
                    item = _waive(item, waivers)
                    if item.outcome is Outcome.WAIVED:
                        append(item)
                        continue
                failed = True
                blocked = blocked or entry.enforcement is not ADVISORY
                append(item)
        verdict = built(
            Verdict,
            {
                "workflow_id": workflow.id,
                "stage": stage,
                "decision": DENY if blocked else WARN if failed else ALLOW,
                "required_tier": ctx.model.required_tier(workflow.consequence),
                "findings": findings,
                "evaluated_at": dt.datetime.now(dt.UTC),
                "policy_set": self._policy_set,
            },
            {"_digest": None, "_document": workflow},
        )
        if self._verdict_hooks:
            self.notify(verdict, workflow, ctx)
        if _OBSERVERS:
            for observe in _OBSERVERS:
                observe(self, verdict)
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
                    f"{verdict.workflow_id!r}: {_describe(exc)}",
                    plugin=name,
                ) from exc


def _findings(entry: _Entry, items: list[Any], workflow: Workflow) -> list[Finding]:
    """The fail findings of the violations one policy yielded."""
    if len(items) > MAX_VIOLATIONS:
        raise PolicyError(
            f"the check yielded more than {MAX_VIOLATIONS:,} violations for one workflow"
        )
    source: tuple[SourceMap, str] | None = source_of(workflow)
    findings = []
    for item in items:
        if not isinstance(item, Violation):
            raise TypeError(
                f"the check yielded {item!r}; it may yield Violation objects, or a single "
                "NotApplicable"
            )
        observed = item.observed
        if observed is MISSING:
            observed = resolve(workflow, item.path)
        findings.append(
            entry.finding(
                Outcome.FAIL,
                item.message,
                path=item.path,
                observed=jsonable(observed),
                expected=jsonable(item.expected),
                remediation=item.remediation,
                # A run's paths (/run/...) are not in the workflow's file.
                location=(
                    source[0].locate(source[1] + item.path)
                    if source and not item.path.startswith("/run/")
                    else None
                ),
            )
        )
    return findings


def _describe(exc: BaseException) -> str:
    """An exception as one line: its type and message, cut to a readable length."""
    text = str(exc)
    return f"{type(exc).__name__}: {quote(text)[1:-1]}" if text else type(exc).__name__


def _error(entry: _Entry, exc: BaseException) -> Finding:
    """The finding of a policy that raised: it counts as failed (fail closed)."""
    return entry.finding(
        Outcome.ERROR,
        f"This policy could not be checked, so it counts as failed: {_describe(exc)}",
        remediation=f"Report the error to the maintainers of {entry.ref.source}.",
    )


def _coerce_workflow(workflow: WorkflowLike, limits: Limits = DEFAULT_LIMITS) -> Workflow:
    if isinstance(workflow, Workflow):
        return workflow
    if isinstance(workflow, Mapping):
        return validate(Workflow, workflow)
    if isinstance(workflow, str | os.PathLike):
        document = load(workflow, limits=limits)
        if isinstance(document, OperatingModel):
            raise DocumentError(
                [
                    Problem(
                        "",
                        "this file is an operating model, not a workflow; evaluate it "
                        "with aimo.evaluate_model",
                        os.fspath(workflow),
                    )
                ]
            )
        return document
    raise TypeError(
        f"evaluate() takes a Workflow, a mapping or a path, not {type(workflow).__name__}"
    )


def _coerce_model(model: ModelLike, limits: Limits = DEFAULT_LIMITS) -> OperatingModel:
    if isinstance(model, OperatingModel):
        return model
    if isinstance(model, Mapping):
        if model.get("workflow_files"):
            raise DocumentError(
                [
                    Problem(
                        "/workflow_files",
                        "workflow_files are resolved relative to a model "
                        "file; pass the model's path instead",
                    )
                ]
            )
        return validate(OperatingModel, model)
    if isinstance(model, str | os.PathLike):
        document = load(model, limits=limits)
        if not isinstance(document, OperatingModel):
            raise DocumentError(
                [Problem("", "this file is a workflow, not an operating model", os.fspath(model))]
            )
        return document
    raise TypeError(f"expected an OperatingModel, a mapping or a path, not {type(model).__name__}")


#: Called with (engine, verdict) after every evaluation by any engine. For aimo's own
#: tooling (the pytest plugin's outcome coverage); plugins use the aimo_verdict hook.
_OBSERVERS: list[Callable[[Engine, Verdict], None]] = []

_DEFAULT_MODEL: OperatingModel | None = None
_DEFAULT_ENGINE: Engine | None = None
_LOCK = threading.Lock()


def default_model() -> OperatingModel:
    """The operating model of the spec's defaults, used when none is given."""
    global _DEFAULT_MODEL
    if _DEFAULT_MODEL is None:
        _DEFAULT_MODEL = OperatingModel()
    return _DEFAULT_MODEL


def default_engine() -> Engine:
    """The engine behind :func:`evaluate`: built-ins and installed plugins, built once."""
    global _DEFAULT_ENGINE
    if _DEFAULT_ENGINE is None:
        with _LOCK:
            if _DEFAULT_ENGINE is None:
                _DEFAULT_ENGINE = Engine()
    return _DEFAULT_ENGINE


def evaluate(
    workflow: WorkflowLike,
    *,
    model: ModelLike | None = None,
    today: dt.date | None = None,
    run: Any = None,
) -> Verdict:
    """Judge one workflow with the default engine; see :meth:`Engine.evaluate`."""
    return default_engine().evaluate(workflow, model=model, today=today, run=run)


def evaluate_many_default(
    documents: Iterable[WorkflowLike],
    *,
    model: ModelLike | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
    chunk_size: int = 512,
) -> Iterator[Verdict]:
    """Stream verdicts with the default engine; see :meth:`Engine.evaluate_many`."""
    return default_engine().evaluate_many(
        documents, model=model, today=today, workers=workers, chunk_size=chunk_size
    )


def evaluate_model(model: ModelLike, *, today: dt.date | None = None) -> list[Verdict]:
    """Judge every workflow of an operating model with the default engine."""
    return default_engine().evaluate_model(model, today=today)
