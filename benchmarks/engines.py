"""The three engines under comparison, each used the way its documentation recommends."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aimo
from aimo._policies import core

HERE = Path(__file__).parent
TODAY = dt.date(2026, 11, 27)
RULES = ("data-boundary-allowed", "tier-matches-consequence", "escalation-path-present")


# -- aimo -------------------------------------------------------------------------------


class ThreeRules:
    @aimo.hookimpl
    def aimo_policies(self) -> list[aimo.Policy]:
        return [
            core.data_boundary_allowed,
            core.tier_matches_consequence,
            core.escalation_path_present,
        ]


def aimo_engine() -> aimo.Engine:
    """aimo restricted to the three rules: no built-ins, no packs, no installed plugins."""
    return aimo.Engine(plugins=[ThreeRules()], builtins=False, entry_points=False)


def aimo_flags(engine: aimo.Engine, docs: list[dict[str, Any]]) -> list[frozenset[str]]:
    return [frozenset(f.policy_id for f in engine.evaluate(d, today=TODAY).failures) for d in docs]


# -- OPA's Rego, through regopy (rego-cpp) ----------------------------------------------


class Rego:
    def __init__(self) -> None:
        from regopy import Interpreter

        self.interpreter = Interpreter()
        self.interpreter.add_module("aimo", (HERE / "rules.rego").read_text())
        # Compiled once; every document is a query against the bundle.
        self.bundle = self.interpreter.build("data.aimo.violations")

    def violations(self, doc: dict[str, Any]) -> frozenset[str]:
        self.interpreter.set_input(doc)
        output = self.interpreter.query_bundle(self.bundle)
        # rego-cpp returns the set members as Rego string terms, quotes included.
        return frozenset(term.strip('"') for term in output.expressions()[0])


# -- Cedar, through cedarpy -------------------------------------------------------------

TIER_RANK = {"light": 0, "standard": 1, "heavy": 2}
CONSEQUENCE_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
REQUIRED_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 2}


def cedar_entity(doc: dict[str, Any]) -> dict[str, Any]:
    """The Workflow entity Cedar's policies read: the document flattened into attributes."""
    consequence = doc.get("consequence")
    escalation = doc.get("escalation") or {}
    return {
        "uid": {"type": "Workflow", "id": doc["id"]},
        "parents": [],
        "attrs": {
            "allowed": list((doc.get("data_boundary") or {}).get("allowed", [])),
            "input_classes": [
                i["classification"] for i in doc.get("inputs", []) if i.get("classification")
            ],
            "consequence_rank": CONSEQUENCE_RANK.get(consequence, -1),
            "required_rank": REQUIRED_RANK.get(consequence, 0),
            "tier_rank": TIER_RANK.get(doc.get("review_tier"), -1),
            "contacts": len(escalation.get("contacts", [])),
            "steps": len(escalation.get("steps", [])),
        },
    }


def cedar_request(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "principal": {"type": "Pipeline", "id": "campaigns"},
        "action": {"type": "Action", "id": "run"},
        "resource": {"type": "Workflow", "id": doc["id"]},
        "context": {},
    }


class Cedar:
    def __init__(self) -> None:
        import cedarpy

        self.cedarpy = cedarpy
        text = (HERE / "rules.cedar").read_text()
        # Parsed once; reasons name policies by position, so keep the ids in file order.
        self.policies = cedarpy.PolicySet.from_str(text)
        self.ids = re.findall(r'@id\("([^"]+)"\)', text)

    def parse_entities(self, docs: list[dict[str, Any]]) -> Any:
        return self.cedarpy.Entities.from_json_str(json.dumps([cedar_entity(d) for d in docs]))

    def authorize(self, docs: list[dict[str, Any]], entities: Any = None) -> list[Any]:
        if entities is None:
            entities = [cedar_entity(d) for d in docs]
        requests = [cedar_request(d) for d in docs]
        return self.cedarpy.is_authorized_batch(requests, self.policies, entities)

    def violations(self, docs: list[dict[str, Any]]) -> list[frozenset[str]]:
        flags = []
        for result in self.authorize(docs):
            reasons = result.diagnostics.reasons
            flags.append(
                frozenset(self.ids[int(r.removeprefix("policy"))] for r in reasons) - {"allow"}
            )
        return flags


def timed(function: Callable[[], Any]) -> float:
    import time

    start = time.perf_counter()
    function()
    return time.perf_counter() - start
