"""One marketing pipeline step under aimo's in-workflow gates.

For each campaign brief: check that the run may read its inputs, draft the email with a
generator (here a stand-in that needs no network and no model), collect the editor's
approval, check the draft against the workflow's output standard, then publish it or
escalate it to the workflow's owner. Every check lands in a hash-chained decision log.

Run it from the repository root::

    python examples/email-pipeline/pipeline.py
    python examples/email-pipeline/pipeline.py --log decisions.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aimo

HERE = Path(__file__).resolve().parent
WORKFLOW = HERE / "workflow.yaml"
# The workflow's review dates are fixed, so the demo judges every run on one day. A real
# pipeline leaves `today` out: the gate then judges each run on the day it happens.
DEMO_DAY = dt.date(2026, 11, 27)
EDITOR = aimo.Approval("Sam Ortiz", "sam.ortiz@example.com", "Brand Editor")


@dataclass(frozen=True)
class Brief:
    """What the planning board hands the pipeline for one campaign."""

    campaign: str
    product: str
    benefit: str
    offer: str
    inputs: tuple[str, ...] = ("creative_brief", "product_catalogue")


BRIEFS = [
    Brief(
        "winter-launch",
        "Northwind Flow",
        "plans a quarter of campaigns on one board",
        "Start a 30-day trial today",
    ),
    # The brief's own wording breaks the output standard, and the generator repeats it.
    Brief(
        "spring-upsell",
        "Northwind Insights",
        "shows which channel earned each sale",
        "Try it risk-free for 30 days",
    ),
    # Someone wants the draft personalised from the CRM: personal data the workflow may
    # not read, so the run is stopped before anything is generated.
    Brief(
        "vip-winback",
        "Northwind Flow",
        "brings back the campaigns you paused",
        "Your VIP discount is waiting",
        inputs=("creative_brief", "crm_contacts"),
    ),
]


def draft_email(brief: Brief) -> dict[str, str]:
    """Stand-in for the model call: the same brief always gives the same draft."""
    subject = f"{brief.product}: {brief.benefit}"
    body = "\n\n".join(
        [
            "Hello,",
            f"{brief.product} {brief.benefit}, so your team spends Monday deciding, not collating.",
            f"{brief.offer}: reply to this email or visit example.com/{brief.campaign}.",
            "Unsubscribe at any time from your email preferences.",
            "Created with AI assistance.",
        ]
    )
    return {"subject": subject[:60], "body": body}


def publish(outbox: Path, brief: Brief, draft: dict[str, str]) -> Path:
    """Stand-in for the email platform: the approved email is written to the outbox."""
    outbox.mkdir(parents=True, exist_ok=True)
    sent = outbox / f"{brief.campaign}.txt"
    sent.write_text(f"Subject: {draft['subject']}\n\n{draft['body']}\n", encoding="utf-8")
    return sent


def escalate(workflow: aimo.Workflow, verdict: aimo.Verdict) -> None:
    """Hand the run to the people the workflow names, with the gate's reasons."""
    escalation = workflow.escalation
    contacts = ", ".join(
        f"{c.name} <{c.email}>" for c in (escalation.contacts if escalation else [])
    )
    hours = escalation.response_hours if escalation else None
    print(
        f"  escalated to {contacts or 'the owner'}"
        + (f" (within {hours:g} hours)" if hours else "")
    )
    for finding in verdict.failures:
        print(f"    - {finding.message} [{finding.policy_id} at {finding.path}]")
    for number, step in enumerate(escalation.steps if escalation else [], start=1):
        print(f"    {number}. {step}")


def run_step(gate: aimo.Gate, brief: Brief, outbox: Path) -> bool:
    """Draft, gate and publish one campaign email; False when it was escalated."""
    print(f"{brief.campaign}:")
    try:
        gate.before_run(inputs=brief.inputs)
        draft = draft_email(brief)
        # In production the editor approves the draft in the email platform's review queue.
        gate.before_publish(draft, approvals=[EDITOR], inputs=brief.inputs)
    except aimo.PolicyViolation as stop:
        escalate(gate.workflow, stop.verdict)
        return False
    print(f"  published: {publish(outbox, brief, draft)}")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--log", type=Path, help="the decision log (default: a temporary file)")
    args = parser.parse_args()
    # Warnings from the gate (advisory findings) go to the aimo.gate logger.
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")

    folder = Path(tempfile.mkdtemp(prefix="aimo-email-pipeline-"))
    log = aimo.DecisionLog(args.log or folder / "decisions.jsonl", caller="email-pipeline")
    engine = aimo.Engine(plugins=[log])
    gate = aimo.Gate(WORKFLOW, engine=engine, today=DEMO_DAY)

    published = sum(run_step(gate, brief, folder / "outbox") for brief in BRIEFS)
    print(f"\n{published} of {len(BRIEFS)} emails published, {len(BRIEFS) - published} escalated.")

    result = log.verify()
    state = "intact" if result.ok else f"BROKEN at line {result.line}: {result.message}"
    print(f"Decision log {log.path}: {result.records} records, {state}.")
    print(f"Check it any time with: aimo audit verify {log.path}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
