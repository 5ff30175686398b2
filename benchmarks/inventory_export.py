"""A deterministic AI use-case inventory shaped like a real organisation's export.

Organisations keep their inventories in spreadsheets and export them: many ideas and
pilots, fewer workflows in production, some retired; owners and reviewers with emails;
inputs with classifications; review history. About one workflow in six is broken the way
exported rows are (dates like ``27/11/2026``, two emails in one cell, an owner written as a
name, free text where a choice is expected, ``"90 days"`` for a number, a spreadsheet
column nobody mapped); the rest are valid and get a realistic mix of allow, warn and deny.

Each workflow depends only on the seed and its position, so the first 3,600 workflows of
an inventory of 36,000 are the inventory of 3,600.

    python benchmarks/inventory_export.py 3600 --layout files --out /tmp/inventory
    python benchmarks/inventory_export.py 3600 --check    # validate the generator with aimo
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

#: The evaluation date every figure is measured on: the inventory's dates follow it.
TODAY = dt.date(2026, 11, 27)
SEED = 20261127
#: The share of workflows broken the way exported rows are.
INVALID_SHARE = 1 / 6
LAYOUTS = ("one-json", "one-yaml", "files", "models")
#: Workflows per model file in the ``models`` layout: an export of one business line each.
MODEL_SIZE = 3_600

ORGANIZATION = "Northwind Marketing"
DATA_CLASSES = ["public", "internal", "confidential", "personal", "sensitive_personal"]

UNITS = [
    "Brand",
    "Performance Marketing",
    "CRM & Lifecycle",
    "Content Studio",
    "Social",
    "Events",
    "Partner Marketing",
    "Product Marketing",
    "Customer Insights",
    "Web & SEO",
    "Communications",
    "Field Marketing EMEA",
]
FIRST = [
    "Dana", "Sam", "Priya", "Jonas", "Mei", "Lucas", "Amara", "Tomasz", "Chloé", "Ravi",
    "Ines", "Kwame", "Sofia", "Hiroshi", "Elena", "Mateo", "Aisha", "Noah", "Freya", "Omar",
    "Lena", "Diego", "Yara", "Oskar", "Nadia", "Felix", "Zanele", "Hugo", "Maya", "Erik",
]  # fmt: skip
LAST = [
    "Lee", "Ortiz", "Sharma", "Becker", "Chen", "Moreau", "Okafor", "Nowak", "Dubois",
    "Iyer", "García", "Mensah", "Rossi", "Tanaka", "Petrova", "Silva", "Haddad", "Müller",
    "Larsen", "Farouk", "Novak", "Ramírez", "Costa", "Lindqvist", "Kowalski", "Schmidt",
    "Ndlovu", "Laurent", "O'Brien", "Andersen",
]  # fmt: skip
ROLES = ["Marketing Manager", "Content Lead", "CRM Manager", "Brand Director",
         "Analytics Lead", "Legal Counsel", "Head of Digital", "Social Media Lead"]  # fmt: skip
DOMAINS = ["northwind.example", "northwind-marketing.example", "agency.example"]

#: What the workflow works on: (object, content types, makes claims, a typical input).
TASKS = [
    ("product descriptions", ["text"], True, "PIM product feed"),
    ("ad copy variants", ["text"], True, "Campaign brief library"),
    ("email subject lines", ["text"], False, "ESP campaign history"),
    ("social posts", ["text", "image"], False, "Social listening export"),
    ("campaign briefs", ["text"], False, "Planning workbook"),
    ("customer review summaries", ["text"], False, "Reviews platform export"),
    ("survey verbatims", ["text"], False, "Survey tool export"),
    ("SEO meta descriptions", ["text"], False, "Search console export"),
    ("press releases", ["text"], True, "Newsroom drafts"),
    ("webinar transcripts", ["text", "audio"], False, "Webinar recordings"),
    ("chatbot answers", ["chat"], False, "Help centre articles"),
    ("landing page copy", ["text"], True, "CMS page inventory"),
    ("competitor pricing notes", ["text"], False, "Competitor price tracker"),
    ("lifestyle imagery", ["image"], False, "DAM asset library"),
    ("video captions", ["video", "text"], False, "Video edit exports"),
    ("sales enablement one-pagers", ["text"], True, "CRM opportunity notes"),
    ("audience segments", ["text"], False, "CDP audience export"),
    ("influencer shortlists", ["text"], False, "Influencer platform export"),
]
VERBS = ["Draft", "Summarise", "Translate", "Classify", "Tag", "Score", "Generate",
         "Localise", "Personalise", "Rewrite", "Cluster", "Transcribe", "Review",
         "Prioritise"]  # fmt: skip
QUALIFIERS = ["", "", "", " for EMEA", " for the DACH market", " for retail partners",
              " for B2B accounts", " for the spring launch", " (pilot)", " v2",
              " for LATAM", " for the loyalty programme", " - weekly"]  # fmt: skip
TOOLS_PUBLIC = ["ChatGPT Enterprise", "Microsoft Copilot", "Gemini for Workspace",
                "Claude for Work", "Jasper", "Canva Magic Studio", "DeepL Pro"]  # fmt: skip
TOOLS_OWNED = ["Azure OpenAI (tenant)", "Bedrock in our AWS account",
               "Vertex AI (private endpoint)",
               "Self-hosted Llama on the data platform"]  # fmt: skip
METRICS = [
    ("edits_per_asset", False, 3),
    ("hours_saved_per_week", True, 6),
    ("click_through_rate_pct", True, 2.5),
    ("approval_rate_pct", True, 85),
    ("corrections_per_week", False, 2),
    ("time_to_publish_hours", False, 24),
]
DECISIONS = [
    "Which variants go into the next A/B test",
    "Monday budget reallocation across paid channels",
    "Which segments receive the promotion",
    "What the product page says at launch",
    "Which reviews are escalated to customer care",
    "Which markets get localised content first",
]
RATIONALES_PUBLIC = [
    "Internal, low-sensitivity data; no model control needed",
    "Licensed enterprise tool with data-processing agreement",
    "Public content only; the vendor does not train on our data",
]
RATIONALES_OWNED = [
    "Customer data stays in our tenant",
    "Needs fine-tuning on brand voice",
    "Shared by several business units and engagements",
]
NOTES = ["Looks good", "Tuned the prompt", "Volume up after launch", "Legal asked for tweaks",
         "Moved to new template", "Owner changed"]  # fmt: skip

REQUIRED_TIER = {"low": "light", "medium": "standard", "high": "heavy", "critical": "heavy"}


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _person(rng: random.Random, role: bool = False) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z.]", "", plain.lower())
    person: dict[str, Any] = {"name": f"{first} {last}", "email": f"{local}@{rng.choice(DOMAINS)}"}
    if role:
        person["role"] = rng.choice(ROLES)
    return person


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def _valid(index: int, rng: random.Random) -> dict[str, Any]:
    """One valid row: as complete as its stage usually is, with the gaps real rows have."""
    verb = rng.choice(VERBS)
    task, types, claims, source = rng.choice(TASKS)
    unit = rng.choice(UNITS)
    name = f"{verb} {task}{rng.choice(QUALIFIERS)}"
    stage = _weighted(rng, {"idea": 34, "pilot": 30, "production": 26, "retired": 10})
    consequence = _weighted(rng, {"low": 36, "medium": 38, "high": 20, "critical": 6})
    audience = _weighted(rng, {"internal": 50, "partner": 15, "public": 35})
    if audience == "public" and consequence == "low":
        # Most teams rate public work above low; some do not (consequence-matches-exposure).
        consequence = "medium" if rng.random() < 0.9 else "low"
    if claims and audience == "public" and consequence in ("low", "medium"):
        consequence = "high" if rng.random() < 0.85 else consequence
    metric, higher, target = rng.choice(METRICS)
    doc: dict[str, Any] = {
        "id": f"{_slug(unit)[:12].strip('-')}-{_slug(task)[:24].strip('-')}-{index:06d}",
        "name": name,
        "stage": stage,
        "use_case": {
            "description": f"{verb} {task} for the {unit} team{rng.choice(QUALIFIERS)}",
            "recurrence": _weighted(
                rng, {"daily": 15, "weekly": 40, "monthly": 25, "quarterly": 10, "ad_hoc": 10}
            ),
            "decision": rng.choice(DECISIONS),
            "success_measure": {
                "description": f"{metric.replace('_', ' ')} {'at least' if higher else 'at most'} "
                f"{target}",
                "metric": metric,
                "target": target,
                "higher_is_better": higher,
            },
        },
        "consequence": consequence,
        "audience": audience,
        "owner": _person(rng, role=rng.random() < 0.5),
        "x-business-unit": unit,
        "x-source-row": index + 2,  # the spreadsheet's header is row 1
    }
    # Ideas are often not thought through; what reached a pilot usually was.
    if stage != "idea" and doc["use_case"]["recurrence"] == "ad_hoc" and rng.random() < 0.8:
        doc["use_case"]["recurrence"] = "monthly"
    if rng.random() < (0.15 if stage == "idea" else 0.02):
        del doc["use_case"]["success_measure"]
    if rng.random() < (0.08 if stage == "idea" else 0.02):
        del doc["use_case"]["decision"]
    if stage == "idea":
        # Ideas are a name, an owner and a sentence; a few are further along.
        for key in ("consequence", "audience"):
            if rng.random() < 0.5:
                del doc[key]
        return doc

    boundary = ["public", "internal"]
    if rng.random() < 0.3:
        boundary.append("personal")
    if rng.random() < 0.1:
        boundary.append("confidential")
    owned = not {"personal", "confidential"}.isdisjoint(boundary) or rng.random() < 0.2
    inputs = [
        {"name": f"{_slug(source)}_{k}", "classification": rng.choice(boundary), "source": source}
        for k in range(rng.randint(1, 4))
    ]
    reviewer = _person(rng, role=True)
    tier = REQUIRED_TIER[consequence]
    doc.update(
        {
            "content": {"types": types, "makes_claims": claims and audience != "internal"},
            "reviewer": reviewer,
            "data_boundary": {"allowed": boundary},
            "inputs": inputs,
            "output_standard": {
                "description": f"On-brand {task}; every figure matches the source",
                "document": f"https://wiki.{DOMAINS[0]}/standards/{_slug(task)}",
            },
            "escalation": {
                "contacts": [doc["owner"], reviewer][: rng.randint(1, 2)],
                "steps": ["Pause the workflow", "Notify the owner", "Tell legal if published"][
                    : rng.randint(2, 3)
                ],
                "response_hours": rng.choice([4, 8, 24, 48]),
            },
            "review_tier": tier,
            "infrastructure": {
                "choice": "owned" if owned else "public",
                "tool": rng.choice(TOOLS_OWNED if owned else TOOLS_PUBLIC),
                "rationale": rng.choice(RATIONALES_OWNED if owned else RATIONALES_PUBLIC),
                "sensitive_data": owned and "personal" in boundary,
                "reused_across_engagements": owned and rng.random() < 0.6,
            },
        }
    )
    if doc["content"]["makes_claims"]:
        doc["content"]["substantiation"] = [f"https://evidence.{DOMAINS[0]}/{_slug(task)}"]
    if audience == "public":
        doc["output_standard"]["checks"] = {
            "max_length": rng.choice([280, 600, 2000]),
            "banned_phrases": ["guaranteed", "risk-free", "best in class"],
            "disclosure": "Created with the help of AI",
        }
    _gaps(doc, rng)
    if stage in ("production", "retired"):
        _production(doc, rng, metric_target=target, higher=higher)
    if stage != "idea" and rng.random() < 0.04:
        _waiver(doc, rng)
    return doc


def _gaps(doc: dict[str, Any], rng: random.Random) -> None:
    """What a pilot or production row usually lacks; each gap is a finding."""
    if rng.random() < 0.04:
        doc["reviewer"] = dict(doc["owner"])  # the owner reviewing their own work
    if rng.random() < 0.04:
        del doc["escalation"]["steps"]
    if rng.random() < 0.05:
        del doc["inputs"][0]["classification"]
    if rng.random() < 0.03:
        doc["inputs"].append(
            {"name": "crm_full_export", "classification": "confidential", "source": "CRM"}
        )
    if rng.random() < 0.03:
        doc["infrastructure"]["choice"] = "public"
        doc["inputs"].append({"name": "loyalty_members", "classification": "internal"})
    if rng.random() < 0.05:
        del doc["infrastructure"]["rationale"]
    if rng.random() < 0.04:
        doc["review_tier"] = "light"
    if rng.random() < 0.15 and doc["consequence"] == "low":
        doc["review_tier"] = "heavy"  # advisory: far heavier than needed
    if rng.random() < 0.12:
        # Advisory: owned infrastructure that nothing calls for.
        doc["infrastructure"].update(
            choice="owned", sensitive_data=False, reused_across_engagements=False
        )
        doc["infrastructure"]["tool"] = rng.choice(TOOLS_OWNED)
    if rng.random() < 0.03:
        doc.pop("output_standard", None)


def _production(
    doc: dict[str, Any], rng: random.Random, metric_target: float, higher: bool
) -> None:
    live = rng.randint(60, 900)
    cadence = rng.choice([30, 60, 90, 90, 90, 180])
    # Most reviews are done on time; about one in eight is overdue.
    last = rng.randint(1, cadence - 1) if rng.random() < 0.88 else cadence + rng.randint(5, 200)
    last = min(last, live)
    history = []
    for k in range(rng.randint(1, 4), 0, -1):
        good = metric_target * (1.2 if higher else 0.8)
        value = round(good * rng.uniform(0.8, 1.25), 2)
        history.append(
            {
                "date": _day(last + (k - 1) * cadence),
                "value": value,
                "outcome": _weighted(rng, {"keep": 70, "tune": 20, "strengthen_review": 10}),
            }
        )
        if rng.random() < 0.3:
            history[-1]["notes"] = rng.choice(NOTES)
    if rng.random() < 0.06:
        # Advisory: the last two values miss the target (quality-drift).
        miss = metric_target * (0.5 if higher else 2)
        for entry in history[-2:]:
            entry["value"] = miss
    if doc["stage"] == "retired":
        history[-1]["outcome"] = "retire"
    doc["production"] = {
        "went_live": _day(live),
        "logging": True,
        "monitoring": rng.random() > 0.04,
        "review_enforced": True,
    }
    doc["review"] = {"cadence_days": cadence, "last_reviewed": _day(last), "history": history}
    if rng.random() < 0.03:
        del doc["review"]["cadence_days"]


def _waiver(doc: dict[str, Any], rng: random.Random) -> None:
    """An exception someone signed: most current, some about to expire, a few expired."""
    when = _weighted(rng, {"later": 70, "soon": 20, "expired": 10})
    low, high = {"later": (30, 150), "soon": (1, 14), "expired": (-60, -1)}[when]
    doc["waivers"] = [
        {
            "policy": rng.choice(["review-current", "escalation-path-present", "reviewer-named"]),
            "reason": "Agreed with the governance board while the team is restaffed",
            "approved_by": _person(rng)["email"],
            "ticket": f"GOV-{rng.randint(100, 9999)}",
            "expires": (TODAY + dt.timedelta(days=rng.randint(low, high))).isoformat(),
        }
    ]


# Each breakage is one way exported rows break; it returns False when the row lacks the
# field it needs, so that another is tried.
def _date_text(doc: dict[str, Any], rng: random.Random) -> bool:
    when = TODAY - dt.timedelta(days=rng.randint(10, 400))
    text = rng.choice([when.strftime("%d/%m/%Y"), when.strftime("%Y-%m"), when.strftime("%b %Y")])
    if "review" in doc and rng.random() < 0.5:
        doc["review"]["last_reviewed"] = text
    elif "production" in doc:
        doc["production"]["went_live"] = text
    else:
        doc["review"] = {"last_reviewed": text}
    return True


def _two_emails(doc: dict[str, Any], rng: random.Random) -> bool:
    person = doc.get("reviewer") if "reviewer" in doc and rng.random() < 0.4 else doc["owner"]
    if not isinstance(person, dict):
        return False
    other = _person(rng)["email"]
    person["email"] = f"{person.get('email', other)}{rng.choice(['; ', ', ', ' / '])}{other}"
    return True


def _owner_as_text(doc: dict[str, Any], rng: random.Random) -> bool:
    if not isinstance(doc["owner"], dict):
        return False
    doc["owner"] = doc["owner"].get("name", "Dana Lee")
    return True


def _free_text_choice(doc: dict[str, Any], rng: random.Random) -> bool:
    field, value = rng.choice(
        [
            ("consequence", "Medium-High"),
            ("consequence", "High"),
            ("consequence", "TBD"),
            ("stage", "in production"),
            ("stage", "Pilot"),
            ("audience", "External"),
            ("review_tier", "Standard review"),
        ]
    )
    doc[field] = value
    return True


def _number_as_text(doc: dict[str, Any], rng: random.Random) -> bool:
    if "review" in doc:
        doc["review"]["cadence_days"] = rng.choice(["90 days", "quarterly", "30"])
    elif "escalation" in doc:
        doc["escalation"]["response_hours"] = rng.choice(["24h", "same day", "4 hours"])
    elif "success_measure" in doc.get("use_case", {}):
        doc["use_case"]["success_measure"]["target"] = rng.choice(["5%", "+10", "n/a"])
    else:
        return False
    return True


def _unknown_column(doc: dict[str, Any], rng: random.Random) -> bool:
    column = rng.choice(["Business Unit", "Last Updated By", "Comments", "Vendor", "Status"])
    doc[column] = rng.choice([doc.get("x-business-unit", "Brand"), "see sheet 2", "Jonas B."])
    return True


def _yes_for_true(doc: dict[str, Any], rng: random.Random) -> bool:
    if "production" in doc:
        doc["production"][rng.choice(["logging", "monitoring"])] = rng.choice(["Yes", "Y", "TRUE"])
    elif "data_boundary" in doc:
        doc["data_boundary"]["allowed"] = ", ".join(doc["data_boundary"]["allowed"])
    else:
        return False
    return True


BREAKAGES: dict[str, Callable[[dict[str, Any], random.Random], bool]] = {
    "date-not-iso": _date_text,
    "several-emails": _two_emails,
    "owner-as-text": _owner_as_text,
    "free-text-choice": _free_text_choice,
    "number-as-text": _number_as_text,
    "unknown-column": _unknown_column,
    "yes-for-true": _yes_for_true,
}


def workflow(
    index: int, seed: int = SEED, invalid_share: float = INVALID_SHARE
) -> tuple[dict[str, Any], list[str]]:
    """Row ``index`` of the inventory, and the breakages applied to it (none if valid)."""
    rng = random.Random(f"{seed}:{index}")
    broken = rng.random() < invalid_share
    doc = _valid(index, rng)
    # Missing owners are common and valid (owner-named fails from pilot on).
    if rng.random() < 0.06:
        doc["owner"] = {} if rng.random() < 0.4 else {"name": doc["owner"]["name"]}
    applied: list[str] = []
    if broken:
        kinds = rng.sample(list(BREAKAGES), k=len(BREAKAGES))
        wanted = 1 if rng.random() < 0.75 else 2
        for kind in kinds:
            if BREAKAGES[kind](doc, rng):
                applied.append(kind)
            if len(applied) == wanted:
                break
    return doc, applied


def model_header() -> dict[str, Any]:
    """The operating model's own fields, as the governance team wrote them."""
    return {
        "aimo": 1,
        "organization": ORGANIZATION,
        "decisions": {
            "where_ai_is_useful": "Recurring, measurable work tied to a decision",
            "who_owns_results": "Every workflow names one accountable owner",
            "what_data_is_allowed": (
                "Public and internal data in public tools; personal data only on owned "
                "infrastructure"
            ),
            "how_output_ships": "Through the review tier its consequence requires",
        },
        "tiers": {
            "low": {"review_tier": "light", "approvals": 0},
            "medium": {"review_tier": "standard", "approvals": 1},
            "high": {"review_tier": "heavy", "approvals": 2, "approver_roles": ["legal"]},
            "critical": {
                "review_tier": "heavy",
                "approvals": 2,
                "approver_roles": ["legal", "executive"],
            },
        },
        "data_classes": DATA_CLASSES,
        "public_tools_max_class": "internal",
        "selection": {"min_score": 6},
    }


def inventory(
    n: int, seed: int = SEED, invalid_share: float = INVALID_SHARE
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """``n`` workflows and, for each, the breakages applied to it."""
    rows = [workflow(i, seed, invalid_share) for i in range(n)]
    return [doc for doc, _ in rows], [applied for _, applied in rows]


def write(
    n: int,
    out: Path,
    layout: str = "one-json",
    seed: int = SEED,
    invalid_share: float = INVALID_SHARE,
) -> Path:
    """Write an inventory of ``n`` workflows under ``out``; return the model file's path (the
    folder of model files, for ``models``)."""
    out.mkdir(parents=True, exist_ok=True)
    docs, _ = inventory(n, seed, invalid_share)
    model = model_header()
    if layout == "one-json":
        path = out / "inventory.json"
        path.write_text(json.dumps({**model, "workflows": docs}, indent=2, ensure_ascii=False))
    elif layout == "one-yaml":
        path = out / "inventory.yaml"
        path.write_text(_yaml({**model, "workflows": docs}))
    elif layout == "files":
        # One file per workflow, one folder per business unit, as a repository keeps them.
        for doc in docs:
            folder = out / "workflows" / _slug(doc.get("x-business-unit", "other"))
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{doc['id']}.yaml").write_text(_yaml(doc))
        path = out / "operating-model.yaml"
        path.write_text(_yaml({**model, "workflow_files": ["workflows/*/*.yaml"]}))
    elif layout == "models":
        # Several JSON exports of the same operating model, a few thousand workflows each, in
        # one folder, as an organisation that exports one business line at a time keeps them.
        path = out / "models"
        path.mkdir(exist_ok=True)
        for part, start in enumerate(range(0, n, MODEL_SIZE)):
            chunk = docs[start : start + MODEL_SIZE]
            text = json.dumps({**model, "workflows": chunk}, indent=2, ensure_ascii=False)
            (path / f"inventory-{part:02d}.json").write_text(text)
    else:
        raise ValueError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    return path


def _yaml(data: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)


def check(n: int, seed: int = SEED, invalid_share: float = INVALID_SHARE) -> dict[str, Any]:
    """Judge the inventory with aimo: exactly the broken rows must fail validation.

    :raises SystemExit: when a broken row is valid or a clean row is not.
    """
    import aimo

    docs, breakages = inventory(n, seed, invalid_share)
    model = model_header()
    decisions: collections.Counter[str] = collections.Counter()
    by_stage: collections.Counter[tuple[str, str]] = collections.Counter()
    failing: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    invalid = 0
    for doc, applied, verdict in zip(
        docs, breakages, aimo.evaluate_many(docs, model=model, today=TODAY), strict=True
    ):
        not_valid = any(f.policy_id == "document-valid" for f in verdict.findings)
        if not_valid != bool(applied):
            wrong.append(f"{doc['id']}: breakages {applied}, document-valid {not_valid}")
        if not_valid:
            invalid += 1
            continue
        decisions[verdict.decision.value] += 1
        by_stage[(doc["stage"], verdict.decision.value)] += 1
        failing.update({f.policy_id for f in verdict.failures})
    if wrong:
        print(*wrong[:20], sep="\n", file=sys.stderr)
        raise SystemExit(f"{len(wrong)} rows were judged against what the generator made")
    return {
        "workflows": n,
        "invalid": invalid,
        "valid decisions": dict(decisions),
        "by stage": {f"{s}/{d}": c for (s, d), c in sorted(by_stage.items())},
        "breakages": dict(collections.Counter(k for a in breakages for k in a)),
        "failing policies": dict(failing.most_common()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many workflows")
    parser.add_argument("--layout", choices=LAYOUTS, default="one-json")
    parser.add_argument("--out", type=Path, help="the folder to write the inventory to")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--invalid-share", type=float, default=INVALID_SHARE)
    parser.add_argument(
        "--check", action="store_true", help="judge the inventory with aimo and print the mix"
    )
    args = parser.parse_args()
    if args.out is not None:
        print(write(args.n, args.out, args.layout, args.seed, args.invalid_share))
    if args.check:
        print(json.dumps(check(args.n, args.seed, args.invalid_share), indent=2))
    if args.out is None and not args.check:
        parser.error("give --out, --check or both")


if __name__ == "__main__":
    main()
