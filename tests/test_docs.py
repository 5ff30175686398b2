"""The docs cannot drift from the code: references are checked against what they describe."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import aimo
from aimo._docs import crosswalk, policy_reference
from aimo._documents import models as _models

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_policy_reference_is_current() -> None:
    page = (DOCS / "reference" / "policies.md").read_text()
    assert page == policy_reference(), (
        "regenerate it: python -m aimo._docs > docs/reference/policies.md"
    )


def test_the_framework_crosswalk_is_current() -> None:
    page = (DOCS / "reference" / "crosswalk.md").read_text()
    assert page == crosswalk(), (
        "regenerate it: python -m aimo._docs crosswalk > docs/reference/crosswalk.md"
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
        # A field is documented by the name a document uses for it (`from`, not `from_`).
        written = {field.alias or name for name, field in model.model_fields.items()}
        assert sections[model.__name__] == written, model.__name__


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


# --- the examples in the docs run (conftest.py at the repository root says how) -------------

_CHECKED_PAGE = """\
# A page

<!-- file: summary.yaml -->
```yaml
id: weekly-summary
```

```console
$ aimo check summary.yaml --today 2026-11-27
summary.yaml, evaluated on 2026-11-27
...
1 workflow: 0 allow, 0 warn, 1 deny

Failing policies, by how many workflows each fails:
  POLICY              ENFORCEMENT        WORKFLOWS
  use-case-qualifies  mandatory: blocks  1
$ echo $?
1
```

```python
import aimo

print(aimo.load("summary.yaml").id)
```

```output
weekly-summary
```
"""


_KEEP_GOING = ["--continue-on-collection-errors"]


def _run_pages(tmp_path: Path, pages: dict[str, str]) -> str:
    """pytest's report on these pages, checked by the repository's conftest.py."""
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    for folder in ("examples", "policies"):
        (tmp_path / folder).mkdir()
    for name, text in pages.items():
        page = tmp_path / "docs" / name
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *_KEEP_GOING, "docs"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    return result.stdout + result.stderr


def _outcomes(report: str) -> dict[str, set[str]]:
    """Each page's outcomes, from the short summary: {"good.md": {"PASSED"}, ...}."""
    outcomes: dict[str, set[str]] = {}
    for outcome, page in re.findall(r"^(PASSED|FAILED|ERROR) docs/([\w.-]+)", report, re.M):
        outcomes.setdefault(page, set()).add(outcome)
    return outcomes


def test_every_kind_of_example_is_checked_and_a_changed_line_fails(tmp_path: Path) -> None:
    report = _run_pages(
        tmp_path,
        {
            "good.md": _CHECKED_PAGE,
            "wrong-cli-line.md": _CHECKED_PAGE.replace("0 allow, 0 warn, 1 deny", "1 allow"),
            "wrong-exit-code.md": _CHECKED_PAGE.replace("$ echo $?\n1", "$ echo $?\n0"),
            "wrong-print.md": _CHECKED_PAGE.replace("\nweekly-summary\n", "\nweekly\n"),
            "unshown-print.md": _CHECKED_PAGE.replace("```output\nweekly-summary\n```\n", ""),
            "invalid-yaml.md": _CHECKED_PAGE.replace("id: weekly-summary", "id: Weekly"),
            "unknown-fence.md": _CHECKED_PAGE.replace("```python", "```py"),
        },
    )
    assert _outcomes(report) == {
        "good.md": {"PASSED"},
        "wrong-cli-line.md": {"PASSED", "FAILED"},
        "wrong-exit-code.md": {"PASSED", "FAILED"},
        "wrong-print.md": {"PASSED", "FAILED"},
        "unshown-print.md": {"PASSED", "FAILED"},
        "invalid-yaml.md": {"FAILED"},
        "unknown-fence.md": {"ERROR"},
    }, report
    # The failure shows the line the page gets wrong next to what was printed.
    assert "-1 workflow: 1 allow\n+1 workflow: 0 allow, 0 warn, 1 deny" in report
    assert "a 'py' block; use one of" in report
