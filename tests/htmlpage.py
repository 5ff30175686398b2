"""An HTML review read back the way a browser's parser reads it: its elements, its visible
text and its tables, for tests that check what the page says and what it could do."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

#: What the page may be made of: none of these loads, embeds or runs anything.
ELEMENTS = frozenset(
    """
    html head meta title style body header main footer article section h1 h2 h3 h4
    p ul li dl dt dd div span code a details summary figure figcaption
    table caption thead tbody tr th td
    svg desc defs pattern g rect path line circle text
    """.split()  # noqa: SIM905 (read as the four kinds of element it lists)
)
#: Elements that hold no text of the page's own.
_HIDDEN = {"style", "title", "desc", "head"}
_VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "path", "line", "circle"}


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]


class Page(HTMLParser):
    """The parsed page: ``elements`` as (tag, attributes, the tags it is inside) in document
    order, ``text`` the words a reader sees (whitespace collapsed), ``tables`` with their
    captions, ``styles`` the content of each <style>, ``alternatives`` each chart's title
    and description."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.styles: list[str] = []
        self.tables: list[Table] = []
        self.alternatives: list[str] = []
        self._text: list[str] = []
        self._open: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._row_in_head = False
        self._caption: list[str] | None = None
        self._alternative: list[str] | None = None

    @classmethod
    def of(cls, html: str) -> Page:
        page = cls()
        page.feed(html)
        page.close()
        return page

    @property
    def text(self) -> str:
        return " ".join("".join(self._text).split())

    def table(self, caption_start: str) -> Table:
        """The table whose caption starts with ``caption_start``, continued rows included."""
        found = [t for t in self.tables if t.caption.startswith(caption_start)]
        assert found, f"no table captioned {caption_start!r}: {[t.caption for t in self.tables]}"
        return Table(found[0].caption, found[0].header, [r for t in found for r in t.rows])

    def tags(self) -> set[str]:
        return {tag for tag, _, _ in self.elements}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), tuple(self._open)))
        if tag not in _VOID:
            self._open.append(tag)
        if tag == "table":
            self.tables.append(Table("", [], []))
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
            self._row_in_head = "thead" in self._open
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("title", "desc") and self._open[-2:-1] == ["svg"]:
            self._alternative = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs), tuple(self._open)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass
        if tag == "caption" and self._caption is not None:
            self.tables[-1].caption = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._row_in_head:
                table.header = self._row
            else:
                table.rows.append(self._row)
            self._row = None
        elif tag in ("title", "desc") and self._alternative is not None:
            self.alternatives.append(" ".join("".join(self._alternative).split()))
            self._alternative = None

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "style":
            self.styles.append(data)
            return
        if self._alternative is not None:
            self._alternative.append(data)
        if self._caption is not None:
            self._caption.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if not _HIDDEN & set(self._open):
            self._text.append(data)
