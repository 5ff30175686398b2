"""``aimo report --format html``: the review as one self-contained web page.

The page is for the governance meeting and for whoever prints it afterwards: charts drawn
as inline SVG, each with its table, in the order :mod:`~aimo._cli.formats.html_view` sets
out. It loads nothing (no script, style sheet, font or image from anywhere) and runs no
script; its Content-Security-Policy allows its own inline style, by hash, and nothing else,
so even a mistake here could not make it fetch or run anything.

Document text reaches the page only through Jinja's autoescaping, after :func:`printable`
has made its control and bidirectional characters visible (spec 5.1): every value the
template writes passes through :func:`_finalize`, so no field can be forgotten. Jinja is
imported when a page is rendered, not when the command line starts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from aimo._cli.formats import Format
from aimo._cli.formats.html_view import page_of
from aimo._cli.results import ReportRun
from aimo._documents.printable import printable
from aimo._review.report import Report

if TYPE_CHECKING:
    from collections.abc import Iterator

    import jinja2

__all__ = ["FORMAT", "render_html"]

_TEMPLATES = "templates"


def _finalize(value: Any) -> Any:
    """Every value the template writes: text with its control and bidirectional characters
    written as visible escapes; the page's own markup (only its stylesheet) as it is."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


@functools.cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("aimo._cli.formats", _TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _style() -> tuple[str, str]:
    """The stylesheet and the Content-Security-Policy source that allows exactly it."""
    css = (resources.files("aimo._cli.formats") / _TEMPLATES / "report.css").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return css, f"sha256-{digest}"


def render_html(report: Report) -> Iterator[str]:
    """The page, in pieces as it is rendered: a large review is written as it goes."""
    from markupsafe import Markup

    css, style_hash = _style()
    template = _environment().get_template("report.html.j2")
    # The stylesheet is the package's own file, the one piece of markup not escaped.
    style = Markup(css)  # noqa: S704
    return template.generate(page=page_of(report), style=style, style_hash=style_hash)


def _write(run: ReportRun, out: TextIO) -> None:
    for piece in render_html(run.report):
        out.write(piece)


FORMAT = Format(
    "html",
    "one self-contained web page, with charts, for the meeting and for print",
    _write,
)
