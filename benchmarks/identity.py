"""Same verdicts before and after a change: every verdict byte for byte, ``evaluated_at`` aside.

A refactoring that should change nothing (a new layout, a faster loop) is checked here on
thousands of generated workflows, valid and not, and on every example, by two
interpreters running two source trees of aimo side by side. Run by hand:

    git worktree add /tmp/aimo-before <revision>
    python benchmarks/identity.py --before /tmp/aimo-before/src --after src

It exits 1, listing the first differences, when any verdict differs.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import workload  # noqa: E402

TODAY = "2026-11-27"

#: Changes a real inventory's rows carry, each applied to a valid workflow: some make it
#: fail a policy, some make it invalid, some change nothing a policy looks at.
MUTATIONS: list[tuple[str, Any]] = [
    ("stage", "idea"),
    ("stage", "retired"),
    ("audience", "public"),
    ("consequence", "low"),
    ("owner", None),
    ("owner", {"name": "Dana Lee"}),
    ("reviewer", {"name": "Dana Lee", "email": "Dana.Lee@example.com"}),
    ("review_tier", "heavy"),
    ("content", {"types": ["image"], "depicts_real_people": True}),
    ("content", {"types": ["text"], "makes_claims": True}),
    ("content", {"types": ["chat"]}),
    ("content", {"targets_minors": True}),
    ("infrastructure", {"choice": "public", "rationale": "Cheaper"}),
    ("infrastructure", {"choice": "owned"}),
    ("data_boundary", {"allowed": []}),
    ("inputs", []),
    ("inputs", [{"name": "crm", "classification": "personal"}]),
    ("inputs", [{"name": "notes"}]),
    ("output_standard", None),
    ("escalation", None),
    ("production", {"went_live": "2026-01-01", "logging": False}),
    ("review", {"cadence_days": 30, "last_reviewed": "2026-01-01"}),
    (
        "review",
        {
            "cadence_days": 90,
            "history": [
                {"date": "2026-09-01", "value": 5},
                {"date": "2026-10-01", "value": 7},
            ],
        },
    ),
    ("use_case", {"recurrence": "ad_hoc"}),
    ("use_case", None),
    (
        "waivers",
        [
            {
                "policy": "escalation-path-present",
                "reason": "Rota being set up",
                "approved_by": "Priya",
                "expires": "2026-12-05",
            }
        ],
    ),
    ("waivers", [{"policy": "owner-named", "reason": "r", "approved_by": "a"}]),
    ("waivers", [{"policy": "waiver-valid", "reason": "r", "approved_by": "a"}]),
    ("waivers", [{"policy": "nothing-here", "expires": "2025-01-01"}]),
    ("x-team", "Growth"),
    # Invalid rows: each becomes a document-valid deny verdict.
    ("stage", "launched"),
    ("consequence", 3),
    ("production", {"went_live": "27/11/2026"}),
    ("owner", {"name": "Dana", "email": "dana@example.com, sam@example.com"}),
    ("colour", "blue"),
    ("id", "Not A Slug"),
]


def corpus(count: int, seed: int) -> dict[str, Any]:
    """The documents to judge: generated workflows and every example."""
    rng = random.Random(seed)
    documents: list[Any] = workload.generate(count // 2, seed)
    for base in workload.generate(count - len(documents), seed + 1):
        document = copy.deepcopy(base)
        for field, value in rng.sample(MUTATIONS, k=rng.randint(1, 3)):
            if value is None:
                document.pop(field, None)
            else:
                document[field] = copy.deepcopy(value)
        documents.append(document)
    examples = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "examples").rglob("*.yaml")
        if "policies" not in path.parts and "tests" not in path.parts
    )
    return {"documents": documents, "files": examples}


RUN = """
import datetime as dt, json, sys
import aimo

corpus = json.load(open(sys.argv[1]))
today = dt.date.fromisoformat(sys.argv[2])
out = open(sys.argv[3], "w")

def write(verdict):
    data = verdict.to_dict()
    del data["evaluated_at"]
    out.write(json.dumps(data, sort_keys=True, ensure_ascii=False) + "\\n")

for verdict in aimo.evaluate_many(corpus["documents"], today=today):
    write(verdict)
for path in corpus["files"]:
    try:
        document = aimo.load(path)
    except aimo.AimoError as exc:
        out.write(json.dumps({"file": path, "error": str(exc)}) + "\\n")
        continue
    if isinstance(document, aimo.OperatingModel):
        for verdict in aimo.evaluate_model(document, today=today):
            write(verdict)
    else:
        write(aimo.evaluate(document, today=today))
out.close()
"""


def verdicts(source: Path, corpus_file: Path, output: Path) -> list[str]:
    """Every verdict of the corpus, as judged by the aimo in ``source``, one JSON a line."""
    env = {**os.environ, "PYTHONPATH": str(source.resolve()), "AIMO_DISABLE_PLUGIN_AUTOLOAD": "1"}
    subprocess.run(
        [sys.executable, "-c", RUN, str(corpus_file), TODAY, str(output)],
        check=True,
        cwd=ROOT,
        env=env,
    )
    return output.read_text(encoding="utf-8").splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the src folder before")
    parser.add_argument("--after", type=Path, required=True, help="the src folder after")
    parser.add_argument("--count", type=int, default=6_000, help="generated workflows")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus_file = work / "corpus.json"
        corpus_file.write_text(json.dumps(corpus(args.count, args.seed)), encoding="utf-8")
        before = verdicts(args.before, corpus_file, work / "before.jsonl")
        after = verdicts(args.after, corpus_file, work / "after.jsonl")
    decisions: dict[str, int] = {}
    for line in after:
        decision = json.loads(line).get("decision", "error")
        decisions[decision] = decisions.get(decision, 0) + 1
    different = [
        (n, a, b) for n, (a, b) in enumerate(zip(before, after, strict=False), 1) if a != b
    ]
    print(f"verdicts: {len(before)} before, {len(after)} after; decisions after: {decisions}")
    if len(before) != len(after) or different:
        print(f"{len(different)} verdicts differ")
        for number, a, b in different[:5]:
            print(f"  #{number}\n    before: {a[:300]}\n    after:  {b[:300]}")
        return 1
    print("every verdict is byte-identical (evaluated_at aside)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
