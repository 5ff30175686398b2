"""No document can forge what CI reads: JUnit XML stays well-formed and valid, and GitHub
workflow commands stay the ones aimo wrote (spec 5.1, 5.4)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import junitparser
import pytest
import xmlschema

from conftest import ROOT, make
from hostile.support import run_cli, write
from hostile.test_outputs import FORGERIES
from test_ci_outputs import parse_command

#: What XML 1.0 cannot carry, and what would close or open elements if written raw.
XML_HOSTILE = {
    **FORGERIES,
    "NUL": "\x00",
    "vertical tab": "\x0b",
    "non-character FFFE": "\ufffe",
    "non-character FFFF": "\uffff",
    "markup": '"/><testcase name="forged"/></testsuite><!--',
    "entity": "&amp; &#0; ]]>",
}
#: What would end a workflow command early, or start one of its own.
GITHUB_HOSTILE = {
    **FORGERIES,
    "escaped new line": "%0A::error::forged",
    "percent": "100%",
    "property separators": "a,line=1,title=x:y",
    "command": "::error file=x::forged",
    "stop commands": "\n::stop-commands::token\n",
}


def _model(tmp_path: Path, text: str) -> Path:
    """A model whose document text, its organisation, a workflow's id and every message
    that quotes a value, holds ``text``; the model as a whole fails too (it writes down one
    decision of four), so its own verdict carries the organisation's name."""
    failing = make({"id": "w", "stage": "pilot", "owner.name": f"Dana{text}Lee"})
    failing["inputs"] = [{"name": f"crm{text}", "classification": f"secret{text}"}]
    refused = {"id": f"bad{text}", "stage": f"live{text}"}
    model = {
        "aimo": 1,
        "organization": f"Acme{text}",
        "decisions": {"where_ai_is_useful": f"Recurring{text}"},
        "workflows": [failing, refused],
    }
    return write(tmp_path / "model.json", json.dumps(model))


def _dangerous(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")} | {
        c for c in text if c in "\ufffe\uffff"
    }


@pytest.mark.parametrize("text", XML_HOSTILE.values(), ids=XML_HOSTILE)
def test_junit_stays_valid_and_carries_document_text_escaped(tmp_path: Path, text: str) -> None:
    model = _model(tmp_path, text)
    result = run_cli("check", model, "--today", "2026-11-27", "--format", "junit")
    assert result.returncode == 1, result.stderr
    report = result.stdout
    # Nothing XML 1.0 cannot carry and nothing that moves the cursor is written raw.
    assert not _dangerous(report) - {"\n"}, repr(report)
    xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd").validate(report)
    path = write(tmp_path / "report.xml", report)
    [suite] = junitparser.JUnitXml.fromfile(str(path))
    # The forged test case is text, not a test case: one workflow judged on every policy,
    # one refused.
    names = [(case.classname, case.name) for case in suite]
    assert ("w", "owner-named") in names
    assert names[0][1] == "decisions-recorded"  # the model as a whole, named after it
    assert names[0][0].startswith("Acme")
    assert sum(name == "document-valid" for _, name in names) == 1
    assert not any(name == "forged" for _, name in names)
    shown = "".join(
        (result.text or "") + (result.message or "") for case in suite for result in case.result
    )
    assert "crm" in shown
    assert suite.name.startswith("Acme")


@pytest.mark.parametrize("text", GITHUB_HOSTILE.values(), ids=GITHUB_HOSTILE)
def test_github_commands_cannot_be_ended_or_started_by_a_document(
    tmp_path: Path, text: str
) -> None:
    model = _model(tmp_path, text)
    result = run_cli("check", model, "--today", "2026-11-27", "--format", "github")
    assert result.returncode == 1, result.stderr
    assert not _dangerous(result.stdout) - {"\n"}, repr(result.stdout)
    *commands, summary = result.stdout.splitlines()
    assert (
        summary
        == "aimo: 1 operating model: 0 allow, 0 warn, 1 deny; 2 workflows: 0 allow, 0 warn, 2 deny"
    )
    parsed = [parse_command(line) for line in commands]
    # Exactly the commands aimo meant: errors at the model's file, none a document made.
    assert {kind for kind, _, _ in parsed} == {"error"}
    assert {properties["file"] for _, properties, _ in parsed} == {str(model)}
    assert all(set(properties) == {"file", "line", "col", "title"} for _, properties, _ in parsed)
    # What the runner reads back is the document's text as the table shows it.
    messages = "\n".join(message for _, _, message in parsed)
    assert "secret" in messages
    assert messages.count(", the operating model as a whole: ") == 3
    if "%" in text:
        assert re.sub(r"\\x[0-9a-f]{2}", "", text).split("::")[0] in messages


def test_github_file_names_are_escaped_as_properties(tmp_path: Path) -> None:
    folder = tmp_path / "a,line=9:b%0A"
    good = make({"id": "w", "review_tier": "heavy"})  # fails one advisory policy
    path = write(folder / "w.json", json.dumps(good))
    result = run_cli("check", path, "--today", "2026-11-27", "--format", "github")
    assert result.returncode == 0, result.stderr
    [kind, properties, _] = parse_command(result.stdout.splitlines()[0])
    assert kind == "warning"
    assert properties["file"] == str(path)
    assert int(properties["line"]) >= 1
