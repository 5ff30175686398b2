"""The verdict of a workflow that could not be judged: ``deny``, with one finding,
``document-valid``, that lists why.

A batch or an inventory goes on past an invalid workflow (spec 5.2); the invalid one is not
dropped, it is refused, and the refusal is a verdict like any other: in every output, in the
decision log, counted in the summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from aimo._documents.canonical import canonical_json, sha256_hex
from aimo._documents.models import Stage
from aimo._documents.source import Location
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
from aimo._errors import Problem, cut

__all__ = ["DOCUMENT_VALID", "raw_digest", "refusal"]

#: The policy id of the finding that stands for a document that could not be judged.
DOCUMENT_VALID = "document-valid"
#: How many problems a refusal's message lists; ``observed`` holds them all.
SHOWN = 5
#: What the digest of a document that cannot be written down is taken of.
UNWRITABLE = "<a document that cannot be written down>"


def raw_digest(document: Any) -> str:
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


def refusal(
    policy_set: tuple[PolicyRef, ...],
    workflow_id: str,
    received: Any,
    *,
    problems: Sequence[Problem] = (),
    error: BaseException | None = None,
    stage: str | None = None,
    prefix: str = "",
) -> Verdict:
    """A ``deny`` verdict for a workflow that could not be judged.

    :param problems: why it is not a valid workflow, each with its path (from the root of
        its file, which ``prefix`` points into), file and line.
    :param error: what else stopped it being judged (a wrong Python type, say).
    :param received: what was received, for the verdict's digest.
    :param prefix: where the workflow starts in its file (``/workflows/3``), so that the
        finding's path points into the workflow itself.
    """
    workflow_id = _writable(workflow_id)
    if problems:
        shown = "; ".join(
            f"{_within(p.path, prefix) or '/'}: {p.message}" for p in problems[:SHOWN]
        )
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        message = f"This document is not a valid workflow, so it was not judged: {shown}{more}"
        first = problems[0]
        path = _within(first.path, prefix)
        location = (
            Location(file=first.file, line=first.line, column=first.column)
            if first.file is not None
            else None
        )
        observed: Any = [p.to_dict() for p in problems]
    else:
        message = f"This document could not be judged: {type(error).__name__}: {error}"
        path, location, observed = "", None, None
    finding = built(
        Finding,
        {
            "policy_id": DOCUMENT_VALID,
            "outcome": Outcome.ERROR,
            "severity": Severity.CRITICAL,
            "enforcement": Enforcement.HARD_MANDATORY,
            "message": message,
            "path": path,
            "observed": observed,
            "expected": "a valid workflow document",
            "remediation": "Fix the document and evaluate it again.",
            "seed_section": None,
            "references": (),
            "location": location,
            "next_enforcement": None,
        },
    )
    return built(
        Verdict,
        {
            "workflow_id": workflow_id,
            "stage": Stage(stage) if stage in _STAGES else None,
            "decision": Decision.DENY,
            "required_tier": None,
            "findings": [finding],
            "evaluated_at": dt.datetime.now(dt.UTC),
            "policy_set": policy_set,
        },
        {"_digest": raw_digest(received), "_document": None},
    )


_STAGES = frozenset(stage.value for stage in Stage)


def _writable(workflow_id: str) -> str:
    """A refused row's id as every output can write it: what the row says, cut like any
    value a message quotes (a table aligns its rows on the longest id), and with what is
    not a character (a lone surrogate, which no output can encode) written as an escape."""
    return cut(workflow_id.encode("utf-8", "backslashreplace").decode("utf-8"))


def _within(path: str, prefix: str) -> str:
    """``path`` as a pointer into the workflow that starts at ``prefix``."""
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path
