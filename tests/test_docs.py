"""The docs cannot drift from the code: references are checked against what they describe."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import aimo
from aimo._docs import policy_reference
from aimo._documents import models as _models

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_policy_reference_is_current() -> None:
    page = (DOCS / "reference" / "policies.md").read_text()
    assert page == policy_reference(), (
        "regenerate it: python -m aimo._docs > docs/reference/policies.md"
    )


def _document_models() -> list[type[BaseModel]]:
    return [
        cls
        for _, cls in inspect.getmembers(_models, inspect.isclass)
        if issubclass(cls, _models._Document) and cls is not _models._Document
    ]


def _sections(page: str) -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in page.splitlines():
        heading = re.match(r"^## `(\w+)`\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), set())
        elif line.startswith("## "):
            current = None
        elif current is not None:
            row = re.match(r"^\| `([\w-]+)` \|", line)
            if row:
                current.add(row.group(1))
    return sections


def test_the_document_reference_lists_exactly_the_model_fields() -> None:
    sections = _sections((DOCS / "reference" / "documents.md").read_text())
    models = _document_models()
    assert {m.__name__ for m in models} <= set(sections)
    for model in models:
        assert sections[model.__name__] == set(model.model_fields), model.__name__


@pytest.mark.parametrize("hook", aimo.hookspecs.__all__)
def test_every_hook_is_documented(hook: str) -> None:
    page = (DOCS / "how-to" / "write-a-plugin.md").read_text()
    assert f"### `{hook}`" in page
    spec = getattr(aimo.hookspecs, hook)
    assert spec.__doc__
    section = page.split(f"### `{hook}`", 1)[1].split("\n#", 1)[0]
    for name in inspect.signature(spec).parameters:
        assert f":param {name}:" in spec.__doc__, f"{hook}: {name} has no :param: in its spec"
        assert f"`{name}`" in section, f"{hook}: {name} is not documented in the how-to"


def test_the_readme_quick_start_holds_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && aimo check examples/northwind/operating-model.yaml" in readme
    command = "pip install -e '.[test]' && pytest --aimo-coverage-fail-under 100"
    assert command in readme
    assert command in (ROOT / ".ci" / "run").read_text()
