"""Evaluating many documents: streamed in input order, in one process or several."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from aimo._documents.dates import evaluation_date
from aimo._documents.limits import Limits
from aimo._documents.models import OperatingModel, Workflow
from aimo._engine.coerce import ModelLike, WorkflowLike, coerce_model, default_model
from aimo._engine.policy import Context
from aimo._engine.refusal import refusal
from aimo._engine.verdict import PolicyRef, Verdict
from aimo._errors import AimoError, DocumentError, PluginError

if TYPE_CHECKING:
    from concurrent.futures import Future


class Evaluator(Protocol):
    """What a batch needs of an engine: judging one document, the context and hooks of a
    verdict it makes itself, and the policy set verdicts carry."""

    limits: Limits

    @property
    def policy_set(self) -> list[PolicyRef]: ...

    def evaluate(
        self, workflow: WorkflowLike, *, model: ModelLike | None, today: dt.date | None
    ) -> Verdict: ...

    def for_model(self, model: OperatingModel) -> Evaluator: ...

    def context(self, model: OperatingModel, today: dt.date) -> Context: ...

    def notify(self, verdict: Verdict, workflow: Workflow | None, ctx: Context) -> None: ...


def error_verdict(engine: Evaluator, document: Any, index: int, error: Exception) -> Verdict:
    """A deny verdict for a document that could not be judged, saying why."""
    data = document if isinstance(document, dict) else {}
    raw_id, stage = data.get("id"), data.get("stage")
    problems = error.problems if isinstance(error, DocumentError) else ()
    return refusal(
        tuple(engine.policy_set),
        raw_id if isinstance(raw_id, str) and raw_id else f"#{index}",
        document,
        problems=problems,
        error=None if problems else error,
        stage=stage if isinstance(stage, str) else None,
    )


def _judge(
    engine: Evaluator,
    documents: Iterable[Any],
    start: int,
    model: OperatingModel | None,
    today: dt.date,
) -> Iterator[Verdict]:
    for index, document in enumerate(documents, start):
        try:
            verdict = engine.evaluate(document, model=model, today=today)
        except PluginError:
            # The verdict was reached but not recorded: the batch must stop, not go on
            # without its evidence.
            raise
        except (AimoError, TypeError) as exc:
            # A bad document in a batch is reported, never dropped, and never stops the batch.
            verdict = error_verdict(engine, document, index, exc)
            # A decision log must hold every verdict, this one too; nothing was judged, so
            # there is no workflow to pass.
            used = model if model is not None else default_model()
            engine.notify(verdict, None, engine.for_model(used).context(used, today))
        yield verdict


# -- worker processes ----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(engine: Evaluator, model: OperatingModel | None, today: dt.date) -> None:
    _WORKER.update(engine=engine, model=model, today=today)


def _work(chunk: list[Any], start: int) -> list[Verdict]:
    return list(_judge(_WORKER["engine"], chunk, start, _WORKER["model"], _WORKER["today"]))


def evaluate_many(
    engine: Evaluator,
    documents: Iterable[WorkflowLike],
    *,
    model: ModelLike | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
    chunk_size: int = 512,
) -> Iterator[Verdict]:
    """Stream one verdict per document, in input order, in constant memory."""
    day = evaluation_date(today)
    # Once for the batch, not once per document.
    operating_model = coerce_model(model, engine.limits) if model is not None else None
    if workers is None or workers <= 1:
        yield from _judge(engine, documents, 0, operating_model, day)
        return
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: it works the same everywhere and proves the engine travels by pickle.
    context = multiprocessing.get_context("spawn")
    iterator = iter(documents)
    pending: deque[Future[list[Verdict]]] = deque()
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(engine, operating_model, day),
    ) as pool:
        start = 0
        while True:
            # At most two chunks per worker in flight: memory stays bounded however long
            # the input is, and every worker always has the next chunk ready.
            while len(pending) < 2 * workers:
                chunk = list(islice(iterator, chunk_size))
                if not chunk:
                    break
                pending.append(pool.submit(_work, chunk, start))
                start += len(chunk)
            if not pending:
                break
            yield from pending.popleft().result()
