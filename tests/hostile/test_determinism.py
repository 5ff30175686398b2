"""Every verdict is the same in every interpreter: nothing in a judgement may depend on the
order Python happens to give a set or a dict of strings that day (spec 5.1).

A few hundred generated workflows, operating models that reorder and extend the data
classes, change the tiers and carry waivers, runs with approvals and output, a declarative
pack and the Northwind example are judged in two interpreters with different hash seeds;
what each prints must match byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from aimo.strategies import workflow_documents
from aimo.testing import compliant_document
from conftest import NORTHWIND, ROOT, TODAY

SEEDS = ("0", "12345")
TIMES = re.compile(rb"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?")

#: Judges what the manifest lists and prints each verdict (or error) as canonical JSON.
JUDGE = """
import datetime, json, sys
import aimo

today = datetime.date.fromisoformat(sys.argv[2])


def show(value):
    print(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True))


def judged(verdict):
    data = verdict.to_dict()
    del data["evaluated_at"]
    return data


for job in json.load(open(sys.argv[1], encoding="utf-8")):
    try:
        if "workflow" in job:
            run = None
            if job.get("run"):
                spec = job["run"]
                run = aimo.Run(
                    inputs=spec["inputs"],
                    output=spec["output"],
                    approvals=[aimo.Approval(**a) for a in spec["approvals"]],
                    at=datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.timezone.utc),
                )
            verdict = aimo.evaluate(job["workflow"], model=job.get("model"), today=today, run=run)
            verdicts = [verdict]
        else:
            verdicts = aimo.evaluate_model(job["model"], today=today)
        show([judged(v) for v in verdicts])
    except aimo.AimoError as exc:
        problems = [p.to_dict() for p in getattr(exc, "problems", [])]
        show({"error": type(exc).__name__, "problems": problems, "text": str(exc)})
"""

CLASSES = ["public", "internal", "confidential", "personal", "sensitive_personal", "secret"]
ROLES = ["legal", "Legal", "executive", "brand", "privacy"]
POLICIES = [
    "escalation-path-present",
    "review-current",
    "output-standard-defined",
    "use-case-qualifies",
    "reviewer-named",
    "quality-drift",
    "owner-named",
    "no-such-policy",
    "waiver-valid",
    "ai-text-disclosed-or-edited",
]
PACK = {
    "pack": "house-rules",
    "version": "1.0",
    "policies": [
        {
            "id": "house-owner-fields",
            "title": "Owners give only a name and an email",
            "severity": "low",
            "enforcement": "mandatory",
            "applies_from": "idea",
            "require": {
                "properties": {
                    "owner": {
                        "properties": {"name": {}, "email": {}},
                        "additionalProperties": False,
                    }
                }
            },
            "message": "The owner holds more than a name and an email",
        },
        {
            "id": "house-inputs-sourced",
            "title": "Every input names its source and class",
            "severity": "medium",
            "enforcement": "advisory",
            "applies_from": "idea",
            "require": {
                "properties": {
                    "inputs": {"items": {"required": ["source", "classification", "name"]}}
                }
            },
            "message": "An input does not say where it comes from",
        },
        {
            "id": "house-public-text",
            "title": "Public text workflows are heavy-reviewed",
            "severity": "high",
            "enforcement": "mandatory",
            "applies_from": "pilot",
            "when": {"properties": {"audience": {"const": "public"}}, "required": ["audience"]},
            "require": {
                "properties": {"review_tier": {"enum": ["heavy"]}},
                "required": ["review_tier", "reviewer", "output_standard"],
            },
            "message": "Public workflows need heavy review",
        },
    ],
}


def _drawn(strategy: st.SearchStrategy[Any], count: int, seed: int) -> list[Any]:
    """``count`` values of a strategy, the same ones every run."""
    found: list[Any] = []

    def keep(value: Any) -> bool:
        found.append(value)
        return False

    with contextlib.suppress(NoSuchExample):
        find(
            strategy,
            keep,
            settings=settings(
                max_examples=count,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
            random=random.Random(seed),  # noqa: S311 (reproducible data, not a secret)
        )
    return found[:count]


def _waivers(rng: random.Random) -> list[dict[str, Any]]:
    waivers = []
    for _ in range(rng.randint(0, 5)):
        waiver: dict[str, Any] = {"policy": rng.choice(POLICIES)}
        for field in ("reason", "approved_by", "ticket"):
            if rng.random() < 0.8:
                waiver[field] = rng.choice(["Rota being set up", "Agency change", "GOV-1"])
        if rng.random() < 0.9:
            waiver["expires"] = f"2026-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.4:
            waiver["path"] = rng.choice(["/escalation", "/escalation/steps", "/review", "/owner"])
        waivers.append(waiver)
    return waivers


def _model(rng: random.Random, workflows: list[dict[str, Any]], pack: bool) -> dict[str, Any]:
    classes = rng.sample(CLASSES, rng.randint(1, len(CLASSES)))
    tiers = {
        consequence: {
            "review_tier": rng.choice(["light", "standard", "heavy"]),
            "approvals": rng.randint(0, 3),
            "approver_roles": rng.sample(ROLES, rng.randint(0, 3)),
        }
        for consequence in ("low", "medium", "high", "critical")
    }
    model: dict[str, Any] = {
        "aimo": 1,
        "organization": f"Org {rng.randint(1, 99)}",
        "tiers": tiers,
        "data_classes": classes,
        "public_tools_max_class": rng.choice(classes),
        "selection": {"min_score": rng.randint(0, 9)},
        "workflows": workflows,
    }
    if pack:
        model["policies"] = {
            "paths": ["packs"],
            "enforcement": {"quality-drift": "mandatory", "governance-proportional": "mandatory"},
            "disable": rng.sample(["infrastructure-proportional", "waiver-expiring"], 1),
        }
    return model


def _run(rng: random.Random, document: dict[str, Any]) -> dict[str, Any]:
    names = [i["name"] for i in document.get("inputs", [])]
    phrases = ["Guaranteed results", "risk-free", "Created with AI assistance.", "ok"]
    return {
        "inputs": rng.sample(names, min(len(names), 2)) + rng.sample(["crm-export", "notes"], 1),
        "output": {"subject": rng.choice(phrases), "body": " ".join(rng.sample(phrases, 3))},
        "approvals": [
            {"name": name, "email": f"{name.lower()}@example.com", "role": rng.choice(ROLES)}
            for name in rng.sample(["Dana", "Sam", "Priya", "Lee"], rng.randint(0, 3))
        ],
    }


def _varied(rng: random.Random, index: int) -> dict[str, Any]:
    """The compliant workflow with its classes, people, tiers, content and dates varied:
    pilots and production workflows that most policies have something to say about."""
    document = compliant_document(TODAY, id=f"varied-{index}")
    document["stage"] = rng.choice(["pilot", "production", "production", "idea", "retired"])
    document["consequence"] = rng.choice(["low", "medium", "high", "critical"])
    document["audience"] = rng.choice(["internal", "partner", "public"])
    document["review_tier"] = rng.choice(["light", "standard", "heavy"])
    document["content"] = {
        "types": rng.sample(["text", "image", "audio", "video", "chat"], rng.randint(0, 3)),
        "makes_claims": rng.random() < 0.3,
        "depicts_real_people": rng.random() < 0.3,
        "targets_minors": rng.random() < 0.2,
    }
    document["data_boundary"] = {"allowed": rng.sample(CLASSES, rng.randint(0, 4))}
    document["inputs"] = [
        {"name": f"input-{n}", "classification": rng.choice([*CLASSES, "restricted"])}
        for n in range(rng.randint(0, 4))
    ]
    document["infrastructure"]["choice"] = rng.choice(["public", "owned"])
    if rng.random() < 0.3:
        document["reviewer"] = dict(document["owner"], name=rng.choice(["Dana Lee", "dana lee"]))
    checks = document["output_standard"]["checks"]
    checks["banned_phrases"] = rng.sample(["guaranteed", "risk-free", "best", "cure"], 2)
    if rng.random() < 0.5:
        checks["disclosure"] = "Created with AI assistance."
    history = document["review"]["history"]
    history.extend(
        {"date": f"2026-{month:02d}-01", "value": rng.randint(0, 5)}
        for month in rng.sample(range(1, 12), rng.randint(0, 3))
    )
    document["review"]["last_reviewed"] = f"2026-{rng.randint(1, 11):02d}-15"
    if rng.random() < 0.3:
        del document["review"]["last_reviewed"]
    document["waivers"] = _waivers(rng)
    return document


def _write_inputs(folder: Path) -> list[dict[str, Any]]:
    """The documents to judge, written to files, and the jobs that judge them."""
    rng = random.Random(20261127)  # noqa: S311 (reproducible data, not a secret)
    drawn = _drawn(workflow_documents(), 150, seed=5)
    assert len(drawn) >= 100
    varied = [_varied(rng, index) for index in range(len(drawn))]
    documents = [d for pair in zip(drawn, varied, strict=True) for d in pair]
    for document in drawn:
        if rng.random() < 0.5:
            document["waivers"] = document.get("waivers", []) + _waivers(rng)
    jobs: list[dict[str, Any]] = []
    (folder / "workflows").mkdir()
    for index, document in enumerate(documents[:200]):
        suffix = ".json" if index % 3 == 0 else ".yaml"
        path = folder / "workflows" / f"w{index:03d}{suffix}"
        text = json.dumps(document, default=str) if suffix == ".json" else yaml.safe_dump(document)
        path.write_text(text, encoding="utf-8")
        jobs.append({"workflow": str(path)})
        if index % 4 == 0:
            jobs.append({"workflow": str(path), "run": _run(rng, document)})
    (folder / "models").mkdir()
    (folder / "models" / "packs").mkdir()
    (folder / "models" / "packs" / "house.yaml").write_text(yaml.safe_dump(PACK), "utf-8")
    rest = documents[200:]
    for index in range(20):
        chosen = {d["id"]: d for d in rng.sample(rest, rng.randint(1, 8))}
        model = _model(rng, list(chosen.values()), pack=index % 2 == 0)
        path = folder / "models" / f"m{index:02d}.yaml"
        path.write_text(yaml.safe_dump(model), encoding="utf-8")
        jobs.append({"model": str(path)})
        # The model's tiers and classes judging loose workflows too.
        for workflow in rng.sample(jobs[:100], 3):
            if "workflow" in workflow:
                jobs.append({**workflow, "model": str(path)})
    jobs.append({"model": str(NORTHWIND)})
    return jobs


def _in_interpreters(command: list[str]) -> dict[str, subprocess.CompletedProcess[bytes]]:
    """Run ``command`` in one interpreter per hash seed, side by side."""
    running = {}
    for seed in SEEDS:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        running[seed] = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env
        )
    results = {}
    for seed, process in running.items():
        stdout, stderr = process.communicate(timeout=300)
        results[seed] = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return results


def test_every_verdict_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    jobs = _write_inputs(tmp_path)
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps(jobs), encoding="utf-8")
    results = _in_interpreters([sys.executable, "-c", JUDGE, str(manifest), TODAY.isoformat()])
    first, second = (results[seed] for seed in SEEDS)
    assert first.returncode == 0, first.stderr.decode()[-3_000:]
    assert second.returncode == 0, second.stderr.decode()[-3_000:]
    lines = first.stdout.decode().splitlines()
    assert len(lines) == len(jobs)
    # The documents are judged, not merely refused, and every decision is represented.
    verdicts = [
        v for line in lines if (data := json.loads(line)) and isinstance(data, list) for v in data
    ]
    assert len(verdicts) > 300
    assert {v["decision"] for v in verdicts} == {"allow", "warn", "deny"}
    assert any(f["outcome"] == "waived" for v in verdicts for f in v["findings"])
    assert any(
        f["policy_id"].startswith("house-") and f["outcome"] == "fail"
        for v in verdicts
        for f in v["findings"]
    )
    for mine, theirs in zip(lines, second.stdout.decode().splitlines(), strict=True):
        assert mine == theirs
    assert first.stdout == second.stdout


def test_every_report_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    _write_inputs(tmp_path)
    paths = [str(tmp_path / "models"), str(NORTHWIND)]
    for command in (
        ["check", *paths, "--format", "json"],
        ["check", *paths, "--format", "sarif"],
        ["check", *paths],
        ["report", *paths],
        ["report", *paths, "--format", "json"],
    ):
        results = _in_interpreters(
            [sys.executable, "-m", "aimo", *command, "--today", TODAY.isoformat()]
        )
        first, second = (results[seed] for seed in SEEDS)
        assert first.returncode in (0, 1, 2), first.stderr.decode()[-3_000:]
        assert first.stdout.strip()
        assert (first.returncode, _timeless(first.stdout), first.stderr) == (
            second.returncode,
            _timeless(second.stdout),
            second.stderr,
        ), command


def _timeless(output: bytes) -> bytes:
    """Output without the moments it was made, which differ from one run to the next."""
    return TIMES.sub(b"<time>", output)
