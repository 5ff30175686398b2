"""No document can forge what aimo prints; no bad input can make SARIF look clean (5.1)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

import aimo
from aimo._documents.printable import printable
from conftest import TODAY, make
from hostile.support import run_cli, write

#: What a document might hide in its text to rewrite the screen or the reading order.
FORGERIES = {
    "escape sequence": "\x1b[2K\x1b[1A",
    "carriage return": "\r",
    "new line": "\nweekly-summary  production  -  allow  -",
    "right-to-left override": "\u202e",
    "isolate": "\u2066",
    "C1 control": "\x9b",
    "delete": "\x7f",
    "bell": "\x07",
    "line separator": "\u2028",
}
RAW = tuple(FORGERIES.values())


def _dangerous(text: str) -> set[str]:
    """The characters of ``text`` that move the cursor or change the reading order."""
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}


def _hostile_model(tmp_path: Path, text: str) -> Path:
    workflow = json.dumps(make({"stage": "pilot", "owner.name": f"Dana{text}Lee"}))
    quoted = json.dumps(f"Acme{text}ALL CLEAR")
    return write(
        tmp_path / "model.yaml",
        f"aimo: 1\norganization: {quoted}\n"
        f"decisions: {{where_ai_is_useful: {quoted}}}\n"
        f"workflows:\n  - {workflow}\n"
        f"  - {{id: bad, stage: pilot, inputs: [{{name: {json.dumps('crm' + text)}, "
        "classification: secret}]}\n",
    )


@pytest.mark.parametrize("text", FORGERIES.values(), ids=FORGERIES)
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--today", "2026-11-27"],
        ["report", "--today", "2026-11-27"],
        ["report", "--today", "2026-11-27", "--format", "html"],
        ["score"],
    ],
    ids=lambda command: "-".join(command[:1] + command[4:]),
)
def test_document_text_cannot_move_the_cursor_or_the_reading_order(
    tmp_path: Path, text: str, command: list[str]
) -> None:
    result = run_cli(*command, _hostile_model(tmp_path, text))
    assert result.returncode in (0, 1), result.stderr
    shown = result.stdout + result.stderr
    # Line breaks are the output's own; any other control character would be the document's.
    assert not _dangerous(shown) - {"\n"}, repr(shown)
    # A forged row cannot start a line of its own.
    assert not any(line.startswith("weekly-summary") for line in shown.splitlines())


@pytest.mark.parametrize("text", FORGERIES.values(), ids=FORGERIES)
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "json"],
        ["check", "--format", "jsonl"],
        ["check", "--format", "sarif"],
        ["report", "--format", "json"],
    ],
    ids=lambda command: f"{command[0]}-{command[2]}",
)
def test_json_outputs_carry_the_text_exactly_but_escaped(
    tmp_path: Path, text: str, command: list[str]
) -> None:
    result = run_cli(*command, "--today", "2026-11-27", _hostile_model(tmp_path, text))
    assert result.returncode in (0, 1), result.stderr
    # Escaped as JSON \u sequences: nothing moves the cursor, and a JSON Lines reader that
    # splits on U+2028 or NEL still gets one verdict a line...
    assert not _dangerous(result.stdout) - {"\n"}, repr(result.stdout)
    if command[2] == "jsonl":
        read: object = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        read = json.loads(result.stdout)
    if command[2] == "sarif":
        return  # its messages quote document text already escaped, as the table does
    # ...while the data read back is the document's own text, character for character.
    needles = (f"Acme{text}ALL CLEAR", f"Dana{text}Lee", f"crm{text}")
    assert any(n in s for s in _strings(read) for n in needles), read


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*map(_strings, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_strings, value)) if value else set()
    return set()


@pytest.mark.parametrize("text", FORGERIES.values(), ids=FORGERIES)
def test_problems_on_standard_error_are_escaped_too(tmp_path: Path, text: str) -> None:
    bad = write(tmp_path / "w.yaml", f"id: {json.dumps('Bad' + text)}\n")
    result = run_cli("check", bad)
    assert result.returncode == 2
    assert not _dangerous(result.stderr) - {"\n"}, repr(result.stderr)
    assert len(result.stderr.splitlines()) == 1


def test_printable_escapes_exactly_the_dangerous_characters() -> None:
    for text in RAW:
        assert not _dangerous(printable(text))
    assert (
        printable("Grüße, 漢字, emoji 🎉, tab-free text") == "Grüße, 漢字, emoji 🎉, tab-free text"
    )


# -- SARIF ---------------------------------------------------------------------------------


def test_sarif_never_looks_clean_when_input_was_bad(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", "id: w\nstage: nonsense\n")
    result = run_cli("check", bad, "--format", "sarif")
    assert result.returncode == 2
    log = json.loads(result.stdout)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert "/stage" in note["message"]["text"]
    region = note["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2


def test_sarif_of_good_input_says_so(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", json.dumps(make()))
    result = run_cli("check", good, "--format", "sarif", "--today", str(TODAY))
    [invocation] = json.loads(result.stdout)["runs"][0]["invocations"]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_a_huge_number_is_not_echoed_in_full(tmp_path: Path) -> None:
    for suffix in ("yaml", "json"):
        bad = write(tmp_path / f"w.{suffix}", '{"id": "w", "x-n": 1' + "0" * 10_000 + "}")
        result = run_cli("check", bad)
        assert result.returncode == 2
        assert len(result.stderr) < 1_000
    with pytest.raises(aimo.DocumentError) as caught:
        aimo.evaluate({"id": "w", "use_case": {"decision": 10**10_000}})
    assert len(str(caught.value)) < 1_000
