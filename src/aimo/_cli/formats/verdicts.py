"""A verdict as one line of compact JSON, the way ``--format json`` and ``jsonl`` write it.

A verdict of the whole built-in set carries thirty findings, most of them ``pass`` and
``not_applicable``, and the policy set it was judged under: ~18 KB each, a gigabyte for an
inventory of tens of thousands of workflows. What a reader acts on is what failed, erred or
was waived; the rest is counted. The policy set is written once per run instead.
"""

from __future__ import annotations

import json

from aimo._documents.printable import json_safe
from aimo._engine.verdict import Outcome, Verdict

__all__ = ["KEPT", "compact"]

#: The outcomes a compact verdict lists finding by finding.
KEPT = frozenset({Outcome.FAIL, Outcome.ERROR, Outcome.WAIVED})


def compact(verdict: Verdict, *, all_findings: bool = False, head: str = "") -> str:
    """``verdict`` as one line of JSON: every field but ``policy_set``, the findings that
    failed, erred or were waived (every finding with ``all_findings``), and ``counts`` of
    the findings by outcome. ``head`` is JSON members (``"file":"a.yaml",``) put first."""
    counts = dict.fromkeys(Outcome, 0)
    dropped = set()
    for index, finding in enumerate(verdict.findings):
        counts[finding.outcome] += 1
        if not all_findings and finding.outcome not in KEPT:
            dropped.add(index)
    # pydantic-core writes the kept fields in one pass, far faster than json.dumps of a dict.
    body = verdict.model_dump_json(exclude={"policy_set": True, "findings": dropped})
    tally = json.dumps({o.value: n for o, n in counts.items()}, separators=(",", ":"))
    return "{" + head + json_safe(body[1:-1]) + ',"counts":' + tally + "}"
