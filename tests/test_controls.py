"""Framework controls: each policy's citations of NIST AI RMF, ISO/IEC 42001 and the EU AI
Act as (framework, id) values, given or read from its references, and where users see them:
``aimo policies``, SARIF and the crosswalk (spec 5.3)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pydantic
import pytest

import aimo
from aimo._cli.main import main
from aimo._docs import crosswalk
from aimo._policies import builtin
from conftest import ROOT, TODAY, make, run_cli

NIST, ISO, EU = "NIST AI RMF", "ISO/IEC 42001", "EU AI Act"


def _check(workflow: aimo.Workflow, ctx: aimo.Context) -> Iterator[aimo.Violation]:
    yield from ()


def _policy(**metadata: Any) -> aimo.Policy:
    return aimo.policy(id="acme-rule", title="A rule", **metadata)(_check)


def _pairs(policy: aimo.Policy) -> list[tuple[str, str]]:
    return [(c.framework, c.id) for c in policy.controls]


# --- derived from references ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("NIST AI RMF GOVERN 1.3", [(NIST, "GOVERN 1.3")]),
        ("ISO/IEC 42001 A.3.2", [(ISO, "A.3.2")]),
        ("EU AI Act Art. 50(4)", [(EU, "Art. 50(4)")]),
        # Commentary after the clause is not part of the control's id.
        ("EU AI Act Art. 12 (logging, high-risk systems)", [(EU, "Art. 12")]),
        ("EU AI Act Art. 50(4), second subparagraph", [(EU, "Art. 50(4)")]),
        ("NIST AI RMF MAP 1.5 (impacts)", [(NIST, "MAP 1.5")]),
        # The framework's name in another case or with extra spaces is the same framework.
        ("eu ai act Art. 50(1)", [(EU, "Art. 50(1)")]),
        ("  NIST AI RMF   MEASURE 2.10  ", [(NIST, "MEASURE 2.10")]),
        # Not a citation of a known framework: no control.
        ("FTC Advertising Substantiation Policy Statement (1984)", []),
        ("Acme brand book, section 2", []),
        ("NIST AI RMF", []),
        ("NIST AI RMF (all functions)", [(NIST, "(all functions)")]),
        ("NIST AI RMFv2 GOVERN 1", []),
        ("See NIST AI RMF GOVERN 1.3", []),
        ("EU AI Act , recital 133", []),
    ],
)
def test_controls_are_read_from_references_that_cite_a_framework(
    reference: str, expected: list[tuple[str, str]]
) -> None:
    assert _pairs(_policy(references=[reference])) == expected


def test_derived_controls_keep_the_references_order_and_appear_once() -> None:
    policy = _policy(
        references=[
            "EU AI Act Art. 50(4)",
            "Acme legal handbook 3.2",
            "NIST AI RMF GOVERN 1.3",
            "EU AI Act Art. 50(4), second subparagraph",
        ]
    )
    assert _pairs(policy) == [(EU, "Art. 50(4)"), (NIST, "GOVERN 1.3")]
    assert policy.references[1] == "Acme legal handbook 3.2"  # references are kept as given


def test_a_policy_without_references_has_no_controls() -> None:
    assert _policy().controls == ()


# --- given explicitly ----------------------------------------------------------------------


def test_given_controls_replace_the_derived_ones() -> None:
    policy = _policy(
        references=["NIST AI RMF GOVERN 1.3"],
        controls=[aimo.Control(framework=ISO, id="A.6.2.6"), (EU, "Art. 50(2)"), [NIST, "MAP 2.1"]],
    )
    assert _pairs(policy) == [(ISO, "A.6.2.6"), (EU, "Art. 50(2)"), (NIST, "MAP 2.1")]
    assert all(isinstance(c, aimo.Control) for c in policy.controls)


def test_an_empty_list_of_controls_means_none_even_with_citing_references() -> None:
    assert _policy(references=["NIST AI RMF GOVERN 1.3"], controls=[]).controls == ()


def test_an_organisations_own_framework_is_kept_as_written() -> None:
    policy = _policy(controls=[("Acme AI Standard", "AAS-4"), (" acme ai standard ", "AAS-5")])
    assert _pairs(policy) == [("Acme AI Standard", "AAS-4"), ("acme ai standard", "AAS-5")]


def test_a_known_framework_is_spelled_one_way_and_a_control_given_twice_counts_once() -> None:
    policy = _policy(controls=[("nist ai rmf", "GOVERN 1.3"), (NIST, " GOVERN 1.3 ")])
    assert _pairs(policy) == [(NIST, "GOVERN 1.3")]


@pytest.mark.parametrize(
    ("controls", "fragment"),
    [
        ("NIST AI RMF GOVERN 1.3", "controls is a list of aimo.Control or (framework, id) pairs"),
        ({"framework": NIST, "id": "GOVERN 1.3"}, "controls is a list"),
        (42, "controls is a list"),
        (["NIST AI RMF GOVERN 1.3"], "control 1 must be an aimo.Control or a (framework, id)"),
        ([(NIST, "GOVERN 1.3"), (NIST,)], "control 2 must be"),
        ([(NIST, "GOVERN 1.3", "extra")], "control 1 must be"),
        ([("", "GOVERN 1.3")], "non-empty strings, not ('', 'GOVERN 1.3')"),
        ([(NIST, "   ")], "non-empty strings"),
        ([(NIST, 1.3)], "non-empty strings, not ('NIST AI RMF', 1.3)"),
        ([(None, "x")], "non-empty strings"),
        ([{"framework": NIST, "id": "GOVERN 1.3"}], "control 1 must be"),
    ],
)
def test_controls_of_the_wrong_kind_are_refused_when_the_policy_is_defined(
    controls: Any, fragment: str
) -> None:
    with pytest.raises(aimo.PolicyError) as raised:
        _policy(controls=controls)
    assert str(raised.value).startswith("policy 'acme-rule': ")
    assert fragment in str(raised.value)


def test_a_control_is_a_frozen_value() -> None:
    control = aimo.Control(framework=EU, id="Art. 50(4)")
    assert control == aimo.Control(framework="EU AI ACT", id="Art. 50(4)")
    assert len({control, aimo.Control(framework=EU, id="Art. 50(4)")}) == 1
    assert str(control) == "EU AI Act Art. 50(4)"
    assert control.model_dump() == {"framework": EU, "id": "Art. 50(4)"}
    with pytest.raises(pydantic.ValidationError):
        control.id = "Art. 50(1)"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        aimo.Control(framework=EU, id="")


# --- aimo's own policies -------------------------------------------------------------------


def _cites(reference: str) -> str | None:
    folded = reference.casefold()
    return next((f for f in (NIST, ISO, EU) if folded.startswith(f.casefold() + " ")), None)


@pytest.mark.parametrize("policy", list(builtin.policies()), ids=lambda p: p.id)
def test_every_builtin_policy_has_a_control_for_each_framework_it_cites(
    policy: aimo.Policy,
) -> None:
    cited = {f for f in map(_cites, policy.references) if f}
    assert {c.framework for c in policy.controls} == cited


def test_builtin_controls_read_their_commentary_off() -> None:
    by_id = {p.id: p for p in builtin.policies()}
    assert (EU, "Art. 12") in _pairs(by_id["production-ready"])
    assert _pairs(by_id["ai-text-disclosed-or-edited"]) == [(EU, "Art. 50(4)")]
    assert _pairs(by_id["owner-named"]) == [(NIST, "GOVERN 2.1"), (ISO, "A.3.2")]
    assert by_id["claims-substantiated"].controls == ()  # it cites the FTC only


# --- packs ---------------------------------------------------------------------------------


def _pack(tmp_path: Path, rule: str, require: str = "true") -> Path:
    path = tmp_path / "acme.yaml"
    path.write_text(
        "pack: acme\nversion: '1'\npolicies:\n"
        f"  - {{id: acme-rule, title: A rule, message: Fix it., require: {require}{rule}}}\n"
    )
    return path


def test_a_pack_rule_gives_its_controls_or_has_them_read_from_its_references(
    tmp_path: Path,
) -> None:
    given = _pack(
        tmp_path,
        ", references: ['NIST AI RMF GOVERN 1.3'], controls: "
        "[{framework: Acme AI Standard, id: AAS-4}, {framework: eu ai act, id: Art. 50(2)}]",
    )
    [policy] = aimo.load_pack(given).policies
    assert _pairs(policy) == [("Acme AI Standard", "AAS-4"), (EU, "Art. 50(2)")]
    derived = _pack(tmp_path, ", references: ['ISO/IEC 42001 A.6.2.6 (verification)']")
    [policy] = aimo.load_pack(derived).policies
    assert _pairs(policy) == [(ISO, "A.6.2.6")]
    none = _pack(tmp_path, ", references: ['NIST AI RMF GOVERN 1.3'], controls: []")
    assert aimo.load_pack(none).policies[0].controls == ()


@pytest.mark.parametrize(
    ("controls", "fragment"),
    [
        ("[{framework: NIST AI RMF}]", "/policies/0/controls/0: 'id' is a required property"),
        ("[{framework: NIST AI RMF, id: ''}]", "/policies/0/controls/0/id: '' should be non-empty"),
        ("[{framework: X, id: Y, note: Z}]", "Additional properties are not allowed ('note'"),
        ("['NIST AI RMF GOVERN 1.3']", "/policies/0/controls/0: 'NIST AI RMF GOVERN 1.3' is not"),
        ("NIST AI RMF GOVERN 1.3", "/policies/0/controls: 'NIST AI RMF GOVERN 1.3' is not"),
        ("[{framework: ' ', id: Y}]", "policy 'acme-rule': control 1 must be"),
    ],
)
def test_a_pack_with_a_malformed_control_is_refused_naming_file_and_rule(
    tmp_path: Path, controls: str, fragment: str
) -> None:
    path = _pack(tmp_path, f", controls: {controls}")
    with pytest.raises(aimo.PolicyError) as raised:
        aimo.load_pack(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert "acme-rule" in message
    assert fragment in message


def test_the_pack_schema_offers_controls_to_editors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--pack"]) == 0
    schema = json.loads(capsys.readouterr().out)
    rule = schema["$defs"]["rule"]["properties"]
    assert rule["controls"]["items"] == {"$ref": "#/$defs/control"}
    assert schema["$defs"]["control"]["required"] == ["framework", "id"]


# --- aimo policies -------------------------------------------------------------------------


def test_aimo_policies_json_carries_each_policys_controls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "policies", "--format", "json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["owner-named"]["controls"] == [
        {"framework": NIST, "id": "GOVERN 2.1"},
        {"framework": ISO, "id": "A.3.2"},
    ]
    assert rows["claims-substantiated"]["controls"] == []
    assert len(rows) == len(list(builtin.policies()))


@pytest.mark.parametrize("name", ["EU AI Act", "eu ai act", "EU AI ACT"])
def test_aimo_policies_framework_lists_only_that_frameworks_policies(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run_cli(capsys, "policies", "--format", "json", "--framework", name)
    assert (code, err) == (0, "")
    listed = [row["id"] for row in json.loads(out)]
    expected = [p.id for p in builtin.policies() if any(c.framework == EU for c in p.controls)]
    assert listed == expected
    assert set(listed) >= {"production-ready", "chatbot-discloses-ai"}


def test_aimo_policies_framework_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "policies", "--framework", "ISO/IEC 42001")
    assert code == 0
    assert "owner-named" in out
    assert "use-case-qualifies" not in out
    assert out.endswith("\n7 policies\n")


def test_aimo_policies_framework_includes_a_models_own_framework(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "packs").mkdir()
    _pack(tmp_path / "packs", ", controls: [{framework: Acme AI Standard, id: AAS-4}]")
    model = tmp_path / "model.yaml"
    model.write_text("aimo: 1\npolicies: {paths: [packs]}\n")
    args = ("policies", "--format", "json", "--model", model, "--framework")
    code, out, err = run_cli(capsys, *args, "acme ai standard")
    assert (code, err) == (0, "")
    assert [row["id"] for row in json.loads(out)] == ["acme-rule"]
    code, out, err = run_cli(capsys, *args, "SOC 2")
    assert (code, json.loads(out)) == (0, [])
    assert err == (
        "aimo: no policy has a control in the framework 'SOC 2'; the frameworks the "
        f"policies cite: {NIST}, {ISO}, {EU}, Acme AI Standard\n"
    )


def test_aimo_policies_unknown_framework_is_no_error_and_names_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "policies", "--framework", "NIST CSF")
    assert code == 0
    assert out.endswith("\n0 policies\n")
    assert "owner-named" not in out
    assert err == (
        "aimo: no policy has a control in the framework 'NIST CSF'; the frameworks the "
        f"policies cite: {NIST}, {ISO}, {EU}\n"
    )


# --- SARIF ---------------------------------------------------------------------------------


def test_sarif_rules_are_tagged_with_their_controls_and_the_log_is_valid_sarif(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "packs").mkdir()
    _pack(
        tmp_path / "packs",
        ", references: [Acme handbook 1.2], "
        "controls: [{framework: Acme AI Standard, id: AAS-4}, "
        "{framework: nist ai rmf, id: MAP 5.1}]",
        require="false",
    )
    (tmp_path / "packs" / "bare.yaml").write_text(
        "pack: bare\nversion: '1'\npolicies:\n"
        "  - {id: bare-rule, title: B, message: Fix it., require: false}\n"
    )
    workflow = make({"id": "public-launch", "owner": None})
    model = {"aimo": 1, "policies": {"paths": ["packs"]}, "workflows": [workflow]}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(model, default=str))
    code, out, err = run_cli(
        capsys, "check", path, "--today", TODAY.isoformat(), "--format", "sarif"
    )
    assert code == 1, err
    log = json.loads(out)
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["owner-named"]["properties"]["tags"] == [
        "NIST AI RMF GOVERN 2.1",
        "ISO/IEC 42001 A.3.2",
    ]
    assert rules["owner-named"]["properties"]["references"] == [
        "NIST AI RMF GOVERN 2.1",
        "ISO/IEC 42001 A.3.2",
    ]
    assert rules["acme-rule"]["properties"]["tags"] == [
        "Acme AI Standard AAS-4",
        "NIST AI RMF MAP 5.1",
    ]
    assert rules["acme-rule"]["properties"]["references"] == ["Acme handbook 1.2"]
    assert "tags" not in rules["bare-rule"]["properties"]


# --- the crosswalk -------------------------------------------------------------------------


def _rows(page: str, framework: str) -> list[tuple[str, str]]:
    """(control, policy id) of each row of one framework's table."""
    section = page.split(f"\n## {framework}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    return [(row[0][2:], row[1].split("`")[1]) for row in rows[1:]]


def test_the_crosswalk_lists_per_control_the_policies_that_implement_it() -> None:
    page = crosswalk()
    eu = _rows(page, EU)
    assert eu[0] == ("Art. 12", "production-ready")
    assert ("Art. 50(4)", "ai-text-disclosed-or-edited") in eu
    assert ("Art. 50(1)", "chatbot-discloses-ai") in eu
    expected = {(c.id, p.id) for p in builtin.policies() for c in p.controls if c.framework == NIST}
    assert set(_rows(page, NIST)) == expected
    assert page.index(f"## {NIST}") < page.index(f"## {ISO}") < page.index(f"## {EU}")


def test_the_crosswalk_sorts_control_ids_by_their_numbers_and_adds_other_frameworks() -> None:
    plugin_policies = [
        aimo.policy(id=f"acme-{n}", title=f"Rule {n}", controls=[("Acme AI Standard", c)])(_check)
        for n, c in enumerate(["AAS-10", "AAS-9", "AAS-9.2", "aas-1"])
    ] + [aimo.policy(id="acme-map", title="Map", controls=[(NIST, "MAP 1.10")])(_check)]

    class Plugin:
        @aimo.hookimpl
        def aimo_policies(self) -> list[aimo.Policy]:
            return plugin_policies

    page = crosswalk(aimo.Engine(plugins=[Plugin()], entry_points=False))
    assert [c for c, _ in _rows(page, "Acme AI Standard")] == [
        "aas-1",
        "AAS-9",
        "AAS-9.2",
        "AAS-10",
    ]
    nist = [c for c, _ in _rows(page, NIST)]
    assert nist.index("MAP 1.5") < nist.index("MAP 1.10") < nist.index("MAP 3.1")
    assert page.index(f"## {EU}") < page.index("## Acme AI Standard")
    assert "\n4 controls, 4 policies.\n" in page.split("## Acme AI Standard", 1)[1]
