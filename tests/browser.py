"""A real browser for the HTML report: the system's Chromium, headless, driven by Playwright.

Playwright for Python drives the Chromium the distribution installs (``executable_path``;
Debian: ``apt-get install chromium``), so no browser is downloaded. It was chosen over
Selenium because it reports what the tests assert as plain events: every request the page
makes (``request``), every console message (``console``) and every uncaught error
(``pageerror``), with no log scraping and no driver binary to keep in step with the
browser.

Also a script, to redraw the screenshot the docs show:

    python tests/browser.py examples/northwind/review.html docs/images/northwind-review.png \
        --height 1500
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

#: The environment variable naming the browser to use, when it is not on the PATH.
BROWSER_VARIABLE = "AIMO_CHROMIUM"
#: Names the distributions give Chromium's launcher.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Where screenshots go when ``AIMO_ARTIFACTS`` names no folder.
ARTIFACTS_VARIABLE = "AIMO_ARTIFACTS"
#: Wide enough for the two-by-two decisions and five tiles a row, as on a laptop.
VIEWPORT = {"width": 1100, "height": 1000}


def chromium() -> str | None:
    """The Chromium to drive: ``$AIMO_CHROMIUM``, else the first launcher on the PATH."""
    named = os.environ.get(BROWSER_VARIABLE)
    if named:
        return named
    return next((found for name in NAMES if (found := shutil.which(name))), None)


@dataclass
class Visit:
    """What happened when a page was opened, and the page itself, still open."""

    page: Page
    console: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"] + self.errors


class Browser:
    """One headless Chromium, opening one page at a time."""

    def __init__(self, executable: str) -> None:
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=executable, headless=True)

    @contextmanager
    def visit(self, path: Path, *, viewport: dict[str, int] = VIEWPORT) -> Iterator[Visit]:
        """Open ``path`` (a local file) and record every request, console message and
        error from the start."""
        context = self._browser.new_context(viewport=viewport)
        page = context.new_page()
        visit = Visit(page)
        page.on("console", lambda message: visit.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: visit.errors.append(str(error)))
        page.on("request", lambda request: visit.requests.append(request.url))
        try:
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield visit
        finally:
            context.close()

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()


def screenshot(page: Page, out: Path, *, full_page: bool = False) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=full_page)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Screenshot a page as the docs show it.")
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--width", type=int, default=VIEWPORT["width"])
    parser.add_argument("--height", type=int, default=VIEWPORT["height"])
    args = parser.parse_args(argv)
    executable = chromium()
    if executable is None:
        parser.error(f"no Chromium found: install it, or name it in ${BROWSER_VARIABLE}")
    browser = Browser(executable)
    try:
        with browser.visit(args.page, viewport={"width": args.width, "height": args.height}) as v:
            screenshot(v.page, args.out)
    finally:
        browser.close()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
