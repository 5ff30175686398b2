"""Evaluating many documents: streamed in input order, in one process or several."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from aimo._documents.canonical import canonical_json, sha256_hex
from aimo._documents.dates import evaluation_date
from aimo._documents.limits import Limits
from aimo._documents.models import OperatingModel, Workflow
from aimo._engine.coerce import ModelLike, WorkflowLike, coerce_model, default_model
from aimo._engine.policy import Context
from aimo._engine.verdict import (
    Decision,
    Enforcement,
    Finding,
    Outcome,
    PolicyRef,
    Severity,
    Verdict,
    built,
)
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


#: The policy id of the finding that stands for a document that could not be judged.
DOCUMENT_VALID = "document-valid"


def _raw_digest(document: Any) -> str:
    """A digest of what was received, for a document that could not be validated.

    What was received may not even be writable (an integer of more than 4,300 digits, data
    nested thousands deep): then the digest says so rather than ending the batch.
    """
    try:
        text = canonical_json(document, default=str, allow_nan=True)
    except (TypeError, ValueError):
        try:
            text = repr(document)
        except Exception:
            text = UNWRITABLE
    except Exception:
        text = UNWRITABLE
    return sha256_hex(text)


#: What the digest of a document that cannot be written down is taken of.
UNWRITABLE = "<a document that cannot be written down>"


def error_verdict(engine: Evaluator, document: Any, index: int, error: Exception) -> Verdict:
    """A deny verdict for a document that could not be judged, saying why."""
    raw_id = document.get("id") if isinstance(document, dict) else None
    workflow_id = raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"
    if isinstance(error, DocumentError):
        problems = error.problems
        message = (
            "This document is not a valid workflow, so it was not judged: "
            + "; ".join(f"{p.path or '/'}: {p.message}" for p in problems[:5])
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
        path = problems[0].path if problems else ""
    else:
        message = f"This document could not be judged: {type(error).__name__}: {error}"
        path = ""
    finding = built(
        Finding,
        {
            "policy_id": DOCUMENT_VALID,
            "outcome": Outcome.ERROR,
            "severity": Severity.CRITICAL,
            "enforcement": Enforcement.HARD_MANDATORY,
            "message": message,
            "path": path,
            "observed": None,
            "expected": "a valid workflow document",
            "remediation": "Fix the document and evaluate it again.",
            "seed_section": None,
            "references": (),
            "location": None,
        },
    )
    return built(
        Verdict,
        {
            "workflow_id": workflow_id,
            "stage": None,
            "decision": Decision.DENY,
            "required_tier": None,
            "findings": [finding],
            "evaluated_at": dt.datetime.now(dt.UTC),
            "policy_set": tuple(engine.policy_set),
        },
        {"_digest": _raw_digest(document), "_document": None},
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
