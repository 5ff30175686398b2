"""No document, pack or saved result can forge what ``aimo impact`` and ``aimo diff`` print,
nor break the pull-request comment they write (5.1, 5.3)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

import pytest

from aimo import Change, Decision, Finding, Impact
from aimo._cli.formats.impact_markdown import render
from aimo._cli.formats.impacts import ImpactRun
from conftest import NORTHWIND, make, run_cli
from hostile.support import write
from hostile.test_outputs import FORGERIES

#: What might hide in text to break a Markdown comment out of its place.
MARKDOWN = {
    "table cell": "a | allow | allow |",
    "heading": "\n### All clear",
    "html": "<img src=x onerror=alert(1)></details><script>alert(1)</script>",
    "link": "[approved](https://evil.example)",
    "image": "![ok](https://evil.example/ok.png)",
    "code": "``` closes a fence",
    "mention": "ping @octocat and @acme/legal",
    "comment": "<!-- hide the rest",
    "emphasis": "**all** _clear_ ~~denied~~",
    "entity": "&lt;script&gt;",
}
TEXTS = {**FORGERIES, **MARKDOWN}


def _dangerous(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}


def _hostile_results(
    folder: Path, capsys: pytest.CaptureFixture[str], text: str
) -> tuple[Path, Path]:
    """Two saved results of one model, the second changed by hand: a workflow newly denied
    by a policy whose every field carries ``text``, and the file names it too."""
    model = write(
        folder / "model.json",
        json.dumps({"aimo": 1, "workflows": [make({"id": "steady"})]}),
    )
    old = folder / "old.json"
    assert run_cli(capsys, "check", model, "--format", "json", "--output", old)[0] in (0, 1)
    data = json.loads(old.read_text())
    section = data["results"][0]
    section["file"] = f"model{text}.yaml"
    section["verdicts"][0]["workflow_id"] = f"steady{text}"
    old.write_text(json.dumps(data))
    section["verdicts"][0]["decision"] = "deny"
    section["verdicts"][0]["findings"] = [
        {
            "policy_id": f"acme{text}",
            "outcome": "fail",
            "severity": "high",
            "enforcement": "mandatory",
            "message": f"Denied{text}ALL CLEAR",
            "path": f"/owner{text}",
            "observed": None,
            "expected": None,
            "remediation": None,
            "seed_section": None,
            "references": [],
            "location": {"file": f"w{text}.yaml", "line": 3, "column": 1},
            "next_enforcement": None,
        }
    ]
    data["aimo"] = f"9{text}"
    data["policy_set"].append({"id": f"acme{text}", "source": "acme", "version": None})
    new = write(folder / "new.json", json.dumps(data))
    return old, new


def _unescaped(line: str, character: str) -> int:
    """How many times ``character`` stands in ``line`` without a backslash before it."""
    return len(re.findall(r"(?<!\\)(?:\\\\)*" + re.escape(character), line))


#: What our own code spans may hold: ids and paths as they are, nothing from hostile text.
_PLAIN = re.compile(r"[A-Za-z0-9._/:~+=-]+")


def _check_markdown(out: str, columns: int = 3) -> None:
    assert not _dangerous(out) - {"\n"}, repr(out)
    # Our own markup only: no HTML but the empty comments that break mentions...
    assert _unescaped(out.replace("<!-- -->", ""), "<") == 0, out
    assert "@octocat" not in out
    # ...no heading but ours, no line that a forged text starts...
    for line in out.splitlines():
        if line.startswith("#"):
            assert line.startswith(("### aimo: ", "#### What changes")), line
        assert not line.startswith(("All clear", "a |", "<", "!")), line
        # ...and every table row has its own cells, no more.
        if line.startswith("|"):
            assert _unescaped(line, "|") == columns + 1, line
        # No code span that the text opened: ours hold plain ids and paths.
        assert _unescaped(line, "`") % 2 == 0, line
        for span in re.findall(r"(?<!\\)`([^`]*)`", line):
            assert _PLAIN.fullmatch(span), line
    # No link or image that the text opened.
    assert _unescaped(out, "[") == 0


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS)
def test_diff_of_hostile_results_cannot_forge_the_table_or_the_comment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    old, new = _hostile_results(tmp_path, capsys, text)
    code, out, err = run_cli(capsys, "diff", old, new)
    assert (code, err) == (0, ""), err
    assert not _dangerous(out) - {"\n"}, repr(out)
    assert not any(line.startswith(("weekly-summary", "All clear")) for line in out.splitlines())
    assert out.splitlines()[-1] == "1 of 1 workflow change decision: 1 newly denied."

    code, out, _ = run_cli(capsys, "diff", old, new, "--format", "markdown")
    assert code == 0
    _check_markdown(out)

    code, out, _ = run_cli(capsys, "diff", old, new, "--format", "json")
    assert code == 0
    assert not _dangerous(out) - {"\n"}, repr(out)
    # Escaped as JSON \u sequences, read back exactly.
    change = next(c for c in json.loads(out)["changes"] if c["after"] == "deny")
    assert change["workflow_id"] == f"steady{text}"
    assert change["file"] == f"model{text}.yaml"
    finding = change["appeared"][0]
    assert finding["message"] == f"Denied{text}ALL CLEAR"
    assert finding["location"]["file"] == f"w{text}.yaml"


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS)
def test_a_hostile_pack_cannot_forge_what_impact_prints(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    pack = {
        "pack": "hostile",
        "version": "1",
        "policies": [
            {
                "id": "hostile-rule",
                "title": f"Title{text}",
                "severity": "high",
                "enforcement": "mandatory",
                "applies_from": "pilot",
                "require": {"required": ["x-never"]},
                "message": f"Denied{text}ALL CLEAR",
                "remediation": f"Fix{text}",
            }
        ],
    }
    path = write(tmp_path / "pack.json", json.dumps(pack))
    common = ("impact", NORTHWIND, "--pack", path, "--today", "2026-11-27")
    code, out, err = run_cli(capsys, *common)
    assert (code, err) == (0, "")
    assert not _dangerous(out) - {"\n"}, repr(out)
    assert not any(line.startswith(("weekly-summary", "All clear")) for line in out.splitlines())

    code, out, _ = run_cli(capsys, *common, "--format", "markdown")
    assert code == 0
    _check_markdown(out)

    code, out, _ = run_cli(capsys, *common, "--format", "json")
    messages = {f["message"] for c in json.loads(out)["changes"] for f in c["appeared"]}
    assert messages == {f"Denied{text}ALL CLEAR"}


def _finding(message: str, path: str = "/owner") -> Finding:
    return Finding(
        policy_id="acme-rule",
        outcome="fail",
        severity="high",
        enforcement="mandatory",
        message=message,
        path=path,
    )


def test_the_comment_stays_within_what_a_code_host_accepts() -> None:
    # Thousands of changes, each with many long findings whose text escaping lengthens.
    huge = "\u202e<@x>" * 2_000
    finding = _finding(huge, f"/p{huge}")
    changes = tuple(
        Change(
            workflow_id=f"w{i}{huge}",
            file=f"model{i % 2}{huge}.yaml",
            before=Decision.ALLOW,
            after=Decision.DENY,
            appeared=(finding,) * 50,
            disappeared=(),
        )
        for i in range(2_000)
    )
    impact = Impact(today=dt.date(2026, 11, 27), before_today=dt.date(2026, 11, 27),
                    judged=5_000, changes=changes)  # fmt: skip
    notes = tuple(f"note {huge}" for _ in range(4))
    out = render(ImpactRun(impact, f"Impact of {huge}", notes))
    assert len(out) < 65_536
    assert "more workflows change decision and are not listed here" in out
    assert "- and 4" in out
    _check_markdown(out, columns=4)
