"""The HTML review in a real browser (spec 5.5): headless Chromium opens the Northwind page
and the page of an inventory of 36,000 workflows, and must load nothing, log no error,
show the numbers the meeting reads, and fold the long lists away.

The browser is the system's Chromium (see ``browser.py``). Where none is installed the
tests are skipped, except when ``AIMO_REQUIRE_BROWSER`` is set, as CI sets it: there a
missing browser fails the run instead of passing it unchecked. Each page's screenshot is
kept in ``$AIMO_ARTIFACTS`` (by default ``ci-artifacts/``) for a person to look at.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from browser import ARTIFACTS_VARIABLE, VIEWPORT, Browser, Visit, chromium, screenshot
from conftest import NORTHWIND, ROOT, aimo_cli
from htmlpage import Page

REQUIRE_VARIABLE = "AIMO_REQUIRE_BROWSER"
#: The size the review must stay usable at (spec 5.5).
LARGE = 36_000
#: What lets ``aimo report`` read one export of that size (the defaults are for hostile
#: documents, spec 5.1).
LIMITS = ("--max-document-bytes", str(2**30), "--max-values", str(10**9))


def _artifacts() -> Path:
    return Path(os.environ.get(ARTIFACTS_VARIABLE) or ROOT / "ci-artifacts")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        reason = "no Chromium installed (apt-get install chromium)"
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"{REQUIRE_VARIABLE} is set, but there is {reason}")
        pytest.skip(reason)
    opened = Browser(executable)
    yield opened
    opened.close()


def _inventory_export() -> ModuleType:
    """The benchmarks' generator of an organisation's export, shaped like a real one."""
    path = ROOT / "benchmarks" / "inventory_export.py"
    spec = importlib.util.spec_from_file_location("inventory_export", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_loaded_cleanly(visit: Visit, path: Path) -> None:
    # The page itself is the one request; nothing else is fetched, from anywhere.
    assert visit.requests == [path.resolve().as_uri()]
    # A style the page's policy refused, or a script, would be reported here.
    assert visit.console_errors() == []


def _tile(visit: Visit, label: str) -> str:
    """The number of the headline count labelled ``label``, as the reader sees it, once it
    is checked to be on the first screen."""
    tile = visit.page.locator(".tile").filter(has_text=label).first
    assert tile.is_visible(), label
    box = tile.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= VIEWPORT["height"], f"{label} is below the first screen"
    return tile.locator(".tile-value").inner_text()


def test_the_northwind_review_in_a_browser(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "review.html"
    result = aimo_cli(
        "report", NORTHWIND, "--today", "2026-11-27", "--format", "html", "--output", path
    )
    assert result.returncode == 1, result.stderr
    with browser.visit(path) as visit:
        _assert_loaded_cleanly(visit, path)
        page = visit.page
        assert page.title() == "Northwind Marketing: AI operating model review, 2026-11-27"
        assert [_tile(visit, label) for label in ("workflows", "denied", "warned", "allowed")] == [
            "7",
            "2",
            "2",
            "3",
        ]
        assert page.get_by_text("The operating model as a whole").is_visible()
        # The charts are drawn, named for assistive technology by their title and described
        # by their text alternative, and each bar is as long as its number says
        # (production 4, idea 1).
        stages = page.get_by_role("img", name="Decisions by stage", exact=True)
        assert stages.get_attribute("aria-describedby")
        assert stages.is_visible()

        def drawn(label: str) -> float:
            bars = stages.locator("rect").filter(has_text=label).all()
            return sum((bar.bounding_box() or {"width": 0.0})["width"] for bar in bars)

        assert drawn("production,") == pytest.approx(4 * drawn("idea,"), rel=0.05)
        # A small model prints whole: every workflow is on show, by id and name.
        register = page.locator("details.register table")
        assert register.is_visible()
        assert register.get_by_text("General AI assistant for every marketer").is_visible()
        screenshot(page, _artifacts() / "northwind-review.png", full_page=True)


@pytest.fixture(scope="module")
def large_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Page]:
    folder = tmp_path_factory.mktemp("large")
    model = _inventory_export().write(LARGE, folder / "export")
    path = folder / "review.html"
    result = aimo_cli(
        "report", model, "--today", "2026-11-27", "--format", "html", "--output", path, *LIMITS
    )
    # One export row in six is broken, so refused and denied: the review still comes out.
    assert result.returncode == 1, result.stderr
    return path, Page.of(path.read_text(encoding="utf-8"))


def test_a_review_of_36000_workflows_in_a_browser(
    browser: Browser, large_page: tuple[Path, Page]
) -> None:
    path, parsed = large_page
    stages = parsed.table("Decisions by stage").rows
    allowed, warned, denied = (
        sum(int(row[c].replace(",", "")) for row in stages) for c in (2, 3, 4)
    )
    assert allowed + warned + denied == LARGE
    with browser.visit(path) as visit:
        _assert_loaded_cleanly(visit, path)
        page = visit.page
        # The headline counts come first, on the first screen, as the stage table adds up.
        assert [_tile(visit, label) for label in ("workflows", "denied", "warned", "allowed")] == [
            f"{n:,}" for n in (LARGE, denied, warned, allowed)
        ]
        screenshot(page, _artifacts() / f"review-{LARGE}-workflows.png")
        # The register of every workflow is folded away, and opens on demand, a part at a
        # time: the last part holds the last workflow of the file.
        register = page.locator("details.register")
        assert not register.locator("tbody tr").first.is_visible()
        register.locator("> summary").click()
        part = register.locator("details.register-part").last
        assert part.locator("> summary").is_visible()
        part.locator("> summary").click()
        last = part.locator("tbody tr").last
        last.scroll_into_view_if_needed()
        assert last.get_by_text(parsed.table("Every workflow").rows[-1][0], exact=True).is_visible()
        assert visit.console_errors() == []
