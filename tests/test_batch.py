"""evaluate_many: verdicts streamed in input order, bad documents reported, workers alike."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aimo
from aimo._policies.packs import load_pack
from conftest import TODAY, make


@aimo.policy(id="batch-named", title="Workflows have a name", applies_from="idea")
def named(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    if not workflow.name:
        yield aimo.Violation("The workflow has no name.", path="/name", expected="a name")


class NamePlugin:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [named]


def _documents(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        if i % 7 == 3:
            yield {"id": f"bad-{i}", "stage": "live"}
        else:
            yield make({"id": f"wf-{i}", "name": None if i % 2 else f"Workflow {i}"})


def _plain(verdicts: list[aimo.Verdict]) -> list[dict[str, Any]]:
    return [{**v.to_dict(), "evaluated_at": None} for v in verdicts]


def test_verdicts_come_in_input_order_and_bad_documents_are_reported() -> None:
    engine = aimo.Engine(plugins=[NamePlugin()], entry_points=False)
    verdicts = list(engine.evaluate_many(_documents(30), today=TODAY))
    assert [v.workflow_id for v in verdicts] == [
        f"bad-{i}" if i % 7 == 3 else f"wf-{i}" for i in range(30)
    ]
    bad = verdicts[3]
    assert bad.decision is aimo.Decision.DENY
    [finding] = bad.findings
    assert (finding.policy_id, finding.outcome, finding.path) == (
        "document-valid",
        aimo.Outcome.ERROR,
        "/stage",
    )
    assert "not a valid workflow" in finding.message
    assert len(bad.digest) == 64
    assert aimo.Verdict.model_validate_json(bad.to_json()) == bad
    assert verdicts[1].failures[0].policy_id == "batch-named"


def test_a_document_of_the_wrong_kind_does_not_stop_the_batch() -> None:
    verdicts = list(aimo.evaluate_many([42, make()], today=TODAY))  # type: ignore[list-item]
    assert verdicts[0].workflow_id == "#0"
    assert verdicts[0].decision is aimo.Decision.DENY
    assert verdicts[1].decision is aimo.Decision.ALLOW


def test_every_verdict_of_a_batch_reaches_the_hooks_the_invalid_ones_too(
    tmp_path: Path,
) -> None:
    seen: list[tuple[str, bool, aimo.Context]] = []

    class Recorder:
        @aimo.hookimpl
        def aimo_verdict(
            self, verdict: aimo.Verdict, workflow: aimo.Workflow | None, ctx: aimo.Context
        ) -> None:
            seen.append((verdict.workflow_id, workflow is None, ctx))

    log = aimo.DecisionLog(tmp_path / "decisions.jsonl")
    engine = aimo.Engine(plugins=[Recorder(), log], entry_points=False)
    verdicts = list(engine.evaluate_many(_documents(10), today=TODAY))
    assert [(w, none) for w, none, _ in seen] == [
        (v.workflow_id, v.findings[0].policy_id == "document-valid") for v in verdicts
    ]
    assert [w for w, none, _ in seen if none] == ["bad-3"]
    assert {ctx.today for _, _, ctx in seen} == {TODAY}
    # The decision log holds all ten, the denied invalid document included, in one chain.
    result = log.verify()
    assert result.ok
    assert result.records == 10
    lines = (tmp_path / "decisions.jsonl").read_text().splitlines()
    assert '"bad-3"' in lines[3]


def test_the_input_is_read_lazily() -> None:
    read: list[int] = []

    def source() -> Iterator[dict[str, Any]]:
        for i in range(1000):
            read.append(i)
            yield make({"id": f"wf-{i}"})

    stream = aimo.evaluate_many(source(), today=TODAY)
    next(stream)
    assert len(read) == 1


def test_engines_travel_by_pickle_with_their_plugins(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "pack: extra\nversion: '2'\npolicies:\n  - {id: extra-owner-email, title: Owner "
        "email, message: The owner has no email, require: {required: [owner]}}\n"
    )
    engine = aimo.Engine(
        plugins=[NamePlugin(), load_pack(pack)],
        entry_points=False,
        config={"disable": ["quality-drift"]},
    )
    again = pickle.loads(pickle.dumps(engine))
    assert [p.id for p in again.policies] == [p.id for p in engine.policies]
    document = make({"name": None})
    assert _plain([again.evaluate(document, today=TODAY)]) == _plain(
        [engine.evaluate(document, today=TODAY)]
    )
    verdict = engine.evaluate(document, today=TODAY)
    assert pickle.loads(pickle.dumps(verdict)) == verdict


def test_workers_give_the_same_verdicts_in_the_same_order() -> None:
    engine = aimo.Engine(plugins=[NamePlugin()], entry_points=False)
    alone = list(engine.evaluate_many(_documents(60), today=TODAY))
    spread = list(engine.evaluate_many(_documents(60), today=TODAY, workers=2, chunk_size=7))
    assert _plain(spread) == _plain(alone)
    assert spread[3].findings[0].policy_id == "document-valid"
