"""Declarative packs: rules as JSON Schemas, validated on load, no code ever run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

import aimo
from aimo._policies.packs import PACK_SCHEMA, load_pack
from conftest import DELETE, TODAY, findings_of, make

ACME = """\
pack: acme
version: "1.0"
policies:
  - id: acme-public-needs-legal
    title: Public workflows name a reviewer from legal
    severity: high
    enforcement: mandatory
    applies_from: pilot
    references: ["Acme legal handbook 3.2"]
    when:    {properties: {audience: {const: public}}, required: [audience]}
    require: {properties: {reviewer: {properties: {email: {pattern: "@legal[.]example[.]com$"}},
                                      required: [email]}}, required: [reviewer]}
    message: Public workflows need a reviewer from legal
    remediation: Name a reviewer from the legal team
  - id: acme-inputs-sourced
    title: Every input says where it comes from
    enforcement: advisory
    require: {properties: {inputs: {items: {required: [source]}}}}
    message: Every input must name its source
"""


def _pack(tmp_path: Path, text: str, name: str = "acme.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _engine(*packs: Path) -> aimo.Engine:
    return aimo.Engine(plugins=[load_pack(p) for p in packs], entry_points=False)


PUBLIC = {
    "audience": "public",
    "consequence": "medium",
    "review_tier": "standard",
    "output_standard.checks.disclosure": "Made with AI.",
}


def test_a_rule_passes_fails_and_does_not_apply(tmp_path: Path) -> None:
    engine = _engine(_pack(tmp_path, ACME))
    internal = engine.evaluate(make(), today=TODAY)
    [finding] = findings_of(internal, "acme-public-needs-legal")
    assert finding.outcome is aimo.Outcome.NOT_APPLICABLE

    legal = make({**PUBLIC, "reviewer.email": "ann@legal.example.com"})
    [finding] = findings_of(engine.evaluate(legal, today=TODAY), "acme-public-needs-legal")
    assert finding.outcome is aimo.Outcome.PASS

    verdict = engine.evaluate(make(PUBLIC), today=TODAY)
    [finding] = findings_of(verdict, "acme-public-needs-legal")
    assert finding.outcome is aimo.Outcome.FAIL
    assert finding.path == "/reviewer/email"
    assert finding.observed == "sam.ortiz@example.com"
    assert finding.expected == {"pattern": "@legal[.]example[.]com$"}
    assert finding.message == "Public workflows need a reviewer from legal"
    assert finding.remediation == "Name a reviewer from the legal team"
    assert finding.references == ("Acme legal handbook 3.2",)
    assert finding.severity is aimo.Severity.HIGH
    assert verdict.decision is aimo.Decision.DENY
    ref = next(r for r in verdict.policy_set if r.id == "acme-public-needs-legal")
    assert (ref.source, ref.version) == ("acme", "1.0")


def test_one_finding_per_schema_error(tmp_path: Path) -> None:
    engine = _engine(_pack(tmp_path, ACME))
    document = make({"inputs": [{"name": "a"}, {"name": "b", "source": "x"}, {"name": "c"}]})
    found = findings_of(engine.evaluate(document, today=TODAY), "acme-inputs-sourced")
    assert [(f.outcome.value, f.path, f.observed) for f in found] == [
        ("fail", "/inputs/0/source", None),
        ("fail", "/inputs/2/source", None),
    ]
    missing_reviewer = make({**PUBLIC, "reviewer": DELETE})
    [finding] = findings_of(
        engine.evaluate(missing_reviewer, today=TODAY), "acme-public-needs-legal"
    )
    assert finding.path == "/reviewer"


def test_a_rule_applies_from_its_stage(tmp_path: Path) -> None:
    engine = _engine(_pack(tmp_path, ACME))
    [finding] = findings_of(
        engine.evaluate(make({**PUBLIC, "stage": "idea"}), today=TODAY), "acme-public-needs-legal"
    )
    assert finding.outcome is aimo.Outcome.NOT_APPLICABLE


def test_findings_point_into_the_file(tmp_path: Path) -> None:
    engine = _engine(_pack(tmp_path, ACME))
    path = tmp_path / "w.yaml"
    path.write_text("id: w\nstage: pilot\ninputs:\n  - name: crm\n")
    [finding] = findings_of(engine.evaluate(path, today=TODAY), "acme-inputs-sourced")
    assert finding.location is not None
    assert (finding.location.line, finding.path) == (4, "/inputs/0/source")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "pack: acme\nversion: '1'\npolicies:\n  - id: acme-x\n    title: X\n    message: m\n",
            "rule 'acme-x': /policies/0: 'require' is a required property",
        ),
        (
            "pack: acme\nversion: '1'\npolicies:\n  - id: acme-x\n    title: X\n    message: m\n"
            "    require: {}\n    enforcment: advisory\n",
            "rule 'acme-x'",
        ),
        (
            "pack: acme\nversion: '1'\npolicies:\n  - id: acme-x\n    title: X\n    message: m\n"
            "    require: {type: 12}\n",
            "'require' is not a valid JSON Schema",
        ),
        (
            "pack: acme\nversion: '1'\npolicies:\n  - id: acme-x\n    title: X\n    message: m\n"
            "    require: {$ref: 'https://example.com/evil.json'}\n",
            "may only refer within",
        ),
        ("pack: Acme Pack\nversion: '1'\npolicies: []\n", "/pack"),
        (
            "pack: acme\nversion: '1'\npolicies:\n"
            "  - {id: acme-x, title: X, message: m, require: {}}\n"
            "  - {id: acme-x, title: Y, message: m, require: {}}\n",
            "used twice",
        ),
        ("pack: acme\npack: other\nversion: '1'\npolicies: []\n", "given twice"),
        ("- not a pack\n", "invalid pack"),
        ("pack: [unclosed\n", "cannot be read"),
    ],
)
def test_a_bad_pack_names_the_file_the_rule_and_the_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = _pack(tmp_path, text, "bad.yaml")
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert expected in message


def test_no_code_in_a_pack_runs(tmp_path: Path) -> None:
    path = _pack(
        tmp_path,
        "pack: acme\nversion: !!python/object/apply:os.system ['false']\npolicies: []\n",
        "evil.yaml",
    )
    with pytest.raises(aimo.PolicyError, match="cannot be read"):
        load_pack(path)


def test_the_published_pack_schema_accepts_the_shipped_packs() -> None:
    import yaml

    jsonschema.Draft202012Validator.check_schema(PACK_SCHEMA)
    for path in (Path(__file__).parent.parent / "policies").glob("*.yaml"):
        document = json.loads(json.dumps(yaml.safe_load(path.read_text())))
        jsonschema.validate(document, PACK_SCHEMA)


def test_duplicate_ids_across_packs_name_both(tmp_path: Path) -> None:
    first = _pack(tmp_path, ACME, "a.yaml")
    second = _pack(tmp_path, ACME.replace("pack: acme", "pack: acme-two"), "b.yaml")
    with pytest.raises(aimo.PolicyError, match="one from acme, one from acme-two"):
        _engine(first, second)


def _refused(path: Path) -> str:
    with pytest.raises(aimo.PolicyError) as raised:
        load_pack(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    return message


RULE = "pack: acme\nversion: '1'\npolicies:\n  - id: acme-x\n    title: X\n    message: m\n"


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        (
            RULE + "    require: {properties: {production: {properties: "
            "{went_live: {const: 2026-01-01}}}}}\n",
            "rule 'acme-x': /policies/0/require/properties/production/properties/went_live/const",
            "2026-01-01 is read as a date",
        ),
        (
            RULE + "    require: {properties: {review: {properties: "
            "{last_reviewed: {enum: ['2026-01-01', 2026-02-01]}}}}}\n",
            "rule 'acme-x': /policies/0/require/properties/review/properties/last_reviewed/enum/1",
            "2026-02-01 is read as a date",
        ),
        (
            RULE + "    require: {const: 2026-01-01 10:00:00}\n",
            "/policies/0/require/const",
            "2026-01-01T10:00:00 is read as a date",
        ),
        (
            RULE + "    require: {properties: {escalation: {properties: "
            "{response_hours: {maximum: .inf}}}}}\n",
            "/policies/0/require/properties/escalation/properties/response_hours/maximum",
            "inf is not a finite number",
        ),
        (RULE + "    require: {minimum: -.inf}\n", "/policies/0/require/minimum", "-inf is not"),
        (RULE + "    require: {const: .nan}\n", "/policies/0/require/const", "nan is not"),
        (RULE + "    require: {}\n    x-since: 2026-01-01\n", "/policies/0/x-since", "date"),
        ("pack: acme\nversion: 2026-01-01\npolicies: []\n", "/version", "read as a date"),
        ("pack: acme\nversion: '1'\ndescription: .nan\npolicies: []\n", "/description", "nan"),
    ],
)
def test_a_pack_holds_json_data_only(tmp_path: Path, text: str, where: str, what: str) -> None:
    message = _refused(_pack(tmp_path, text, "bad.yaml"))
    assert f"{where}: " in message
    # Refused by the pack check, or already by the reader (non-finite numbers, date-times).
    assert what in message or "is not a finite number" in message or "date and time" in message
    assert "JSON" in message or "a date is written like" in message


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_a_json_pack_holds_finite_numbers_only(tmp_path: Path, value: str) -> None:
    text = (
        '{"pack": "acme", "version": "1", "policies": [{"id": "acme-x", "title": "X", '
        f'"message": "m", "require": {{"maximum": {value}}}}}]}}'
    )
    message = _refused(_pack(tmp_path, text, "bad.json"))
    assert "/policies/0/require/maximum: " in message
    assert "JSON has no NaN or infinity" in message


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("API_TOKEN=sk-live-0123456789\n", "text"),
        ("- API_TOKEN\n- sk-live-0123456789\n", "a list"),
        ("12345\n", "a number"),
        ("", "an empty file"),
        ("2026-01-01\n", "a date"),
        ('"API_TOKEN=sk-live-0123456789"', "text"),
    ],
)
def test_a_file_that_is_not_a_mapping_is_never_quoted(
    tmp_path: Path, content: str, kind: str
) -> None:
    path = tmp_path / "secret.env"
    path.write_text(content)
    message = _refused(path)
    assert message == (
        f"{path}: invalid pack: the pack must be a mapping with pack, version and policies, "
        f"not {kind}"
    )


def test_a_model_that_lists_a_secret_as_a_pack_does_not_print_it(tmp_path: Path) -> None:
    from conftest import aimo_cli

    (tmp_path / "secret.env").write_text("API_TOKEN=sk-live-0123456789\n")
    model = tmp_path / "model.yaml"
    model.write_text("aimo: 1\norganization: Acme\npolicies: {paths: [secret.env]}\n")
    done = aimo_cli("check", model)
    assert done.returncode == 2
    assert "must be a mapping" in done.stderr + done.stdout
    assert "sk-live" not in done.stderr + done.stdout


LONG = "a" * 5000


@pytest.mark.parametrize(
    "text",
    [
        f"pack: acme\nversion: '1'\npolicies:\n  - {{id: {LONG}, title: X, message: m}}\n",
        f"pack: {LONG}\nversion: '1'\npolicies: []\n",
        f"pack: acme\nversion: '1'\n{LONG}: 1\npolicies: []\n",
        f"pack: acme\nversion: [{LONG}]\npolicies: []\n",
        RULE + f"    require: {{type: {LONG}}}\n",
        RULE + f"    require: {{$ref: 'https://{LONG}'}}\n",
        RULE + f"    require: {{properties: {{{LONG}: {{}}}}}}\n",
        RULE + f"    require: {{const: {{{LONG}: 2026-01-01}}}}\n",
        RULE + f"    require: {{properties: {{name: {{pattern: '(?={LONG})'}}}}}}\n",
    ],
)
def test_values_quoted_in_pack_errors_are_cut_to_200_characters(tmp_path: Path, text: str) -> None:
    message = _refused(_pack(tmp_path, text, "long.yaml"))
    assert "a" * 201 not in message
    assert len(message) < 1500
