"""No document text is ever read as HTML by the HTML report (spec 5.1, 5.5).

Every field the page shows gets the same hostile text: markup that would open a script or
an element with an event handler, close the page's style, break out of an attribute, start
a comment, or forge the reading order and the screen. The page must show each one as the
text it is, and be made only of the page's own elements.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from aimo._documents.printable import printable
from conftest import make
from hostile.support import run_cli, write
from htmlpage import ELEMENTS, Page

#: Markup and characters that must stay text.
HOSTILE = (
    "<script>alert(1)</script>"
    "\"onload=\"alert(1)' onmouseover='alert(2)"
    "</style><style>body{display:none}</style>"
    "<img src=x onerror=alert(3)><svg onload=alert(4)>"
    "<!--&amp;&lt;]]>"
    "\u202eevil\u202c\u2066\x1b[2K\x9b\x7f\x07\x00"
)
FIELDS = [
    "organization",
    "where_ai_is_useful",
    "who_owns_results",
    "what_data_is_allowed",
    "how_output_ships",
    "name",
    "owner",
    "notes",
    "approver",
    "refused id",
    "model message",
    "workflow message",
]
#: Fields a finding's message quotes (as the message quotes values), not shown alone.
QUOTED = ["input", "waived policy"]


def _value(field: str) -> str:
    return f"[{field}]{HOSTILE}"


def _hostile_pack(folder: Path) -> Path:
    """A pack whose findings say hostile things: one about the model as a whole, shown in
    its verdict, one about a workflow, shown in its details and in shadow."""

    def policy(policy_id: str, scope: str, enforcement: str, field: str) -> dict[str, object]:
        return {
            "id": policy_id,
            "title": "Fails on purpose",
            "scope": scope,
            "severity": "low",
            "enforcement": enforcement,
            "description": "Fails on purpose.",
            "require": {"required": ["x-never-there"]},
            "message": _value(field),
            "remediation": "Nothing to do.",
        }

    pack = {
        "pack": "hostile-words",
        "version": "1",
        "description": "Findings with hostile words.",
        "policies": [
            policy("hostile-model-rule", "model", "mandatory", "model message"),
            policy("hostile-workflow-rule", "workflow", "advisory", "workflow message"),
        ],
    }
    # JSON is YAML: the escapes keep the control characters out of the file itself.
    return write(folder / "packs" / "hostile.yaml", json.dumps(pack))


def _hostile_model(tmp_path: Path) -> Path:
    tuned = make(
        {
            "id": "hostile-one",
            "name": _value("name"),
            "owner.name": _value("owner"),
            "review.history": [
                {"date": "2026-10-28", "value": 1, "outcome": "tune", "notes": _value("notes")}
            ],
            "waivers": [
                {
                    "policy": "escalation-path-present",
                    "reason": "Being set up",
                    "approved_by": _value("approver"),
                    "expires": "2026-12-10",
                },
            ],
        }
    )
    model = {
        "aimo": 1,
        "organization": _value("organization"),
        "decisions": {name: _value(name) for name in FIELDS[1:5]},
        "policies": {
            "paths": ["packs"],
            # A dated step still to come, so the upcoming enforcement table shows too.
            "enforcement": {
                "hostile-workflow-rule": [
                    {"level": "shadow"},
                    {"level": "mandatory", "from": "2027-06-01"},
                ]
            },
        },
        "workflows": [
            tuned,
            {"id": _value("refused id"), "stage": "pilot"},
            # A waiver's policy must be a policy id: this workflow is refused, and the
            # refusal quotes what it found.
            make(
                {
                    "id": "hostile-waiver",
                    "waivers": [
                        {
                            "policy": _value("waived policy"),
                            "reason": "Being set up",
                            "approved_by": "Priya Shah",
                            "expires": "2026-12-10",
                        }
                    ],
                }
            ),
            make(
                {
                    "id": "hostile-input",
                    "inputs": [{"name": _value("input"), "classification": "secret"}],
                }
            ),
        ],
    }
    _hostile_pack(tmp_path)
    # The file's own name is shown too: a path may hold markup as well.
    name = "model-<b>\"'&\u202e.json"
    return write(tmp_path / name, json.dumps(model))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    model = _hostile_model(tmp_path_factory.mktemp("hostile"))
    result = run_cli("report", model, "--today", "2026-11-27", "--format", "html")
    assert result.returncode == 1, result.stderr
    return result.stdout, model


def test_every_field_is_shown_as_the_text_it_is(page: tuple[str, Path]) -> None:
    html, model = page
    text = Page.of(html).text
    for field in FIELDS:
        assert printable(_value(field)) in text, field
    for field in QUOTED:
        assert f"[{field}]<script>alert(1)</script>" in text, field
    assert printable(str(model)) in text
    assert "hostile-workflow-rule" in Page.of(html).table("Upcoming enforcement").rows[0]


def test_the_page_is_made_of_its_own_elements_only(page: tuple[str, Path]) -> None:
    html, _ = page
    parsed = Page.of(html)
    assert parsed.tags() <= ELEMENTS
    for tag, attrs, _ in parsed.elements:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "src" not in attrs, (tag, attrs)
    # One style, the page's own (the document's "</style><style>" stayed text).
    [style] = parsed.styles
    assert "display:none" not in style
    assert "<script" not in html
    assert "<img" not in html


def test_no_character_can_move_the_cursor_or_the_reading_order(page: tuple[str, Path]) -> None:
    html, _ = page
    dangerous = {c for c in html if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")}
    assert dangerous <= {"\n"}, dangerous
    assert "\\u202e" in html
    assert "\\x1b" in html
