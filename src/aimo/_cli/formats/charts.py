"""Bar charts for the HTML review: the geometry of inline SVG, worked out here; the template
draws it.

One kind of chart serves every figure of the review: labelled horizontal bars, each split
into segments. A segment is never told apart by colour alone: each style has its own
pattern (plain, hatched, cross-hatched, dotted, outlined) and its name in the legend, a
segment wide enough carries its number, every bar its total, and the chart's text
alternative and the table beside it give every number in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["STYLES", "Chart", "Row", "Segment", "bar_chart"]


@dataclass(frozen=True)
class Style:
    """How one kind of segment looks: its ink, the tint behind it, and its pattern."""

    ink: str
    tint: str
    #: ``plain``, ``hatch``, ``cross``, ``dots`` or ``outline``.
    pattern: str


#: The segment styles, named for what they mean in every chart: ``good`` (allowed, as
#: required), ``caution`` (warned, does not block), ``bad`` (denied, blocks, falls short),
#: ``trial`` (in shadow), ``more`` (more than required) and ``unset`` (nothing said).
STYLES: dict[str, Style] = {
    "good": Style("#1b6e4c", "#cdeadb", "plain"),
    "caution": Style("#8a5300", "#fbe3bd", "hatch"),
    "bad": Style("#a3231b", "#f7d0cc", "cross"),
    "trial": Style("#4b4f8a", "#e2e3f4", "dots"),
    "more": Style("#245591", "#d5e3f6", "dots"),
    "unset": Style("#5c6370", "#ffffff", "outline"),
}

WIDTH = 720
ROW_PITCH = 28
BAR_HEIGHT = 18
LEGEND_PITCH = 22
#: Room on the right of the longest bar for its total.
TOTAL_ROOM = 70
#: Roughly how wide a character of the chart's 12px text is; enough to lay labels out.
CHAR = 7.2
LABEL_CHARS = 42


@dataclass(frozen=True)
class Segment:
    style: str
    value: int


@dataclass(frozen=True)
class Row:
    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    style: str
    #: The style's ink, for the segment's edge.
    ink: str
    value: int
    #: The segment in words, shown as a tooltip: "production, deny: 300".
    title: str
    #: Whether the segment is wide enough to carry its number.
    labelled: bool

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Bar:
    label: str
    #: The label as drawn, shortened when too long (the table has it whole).
    short_label: str
    y: float
    total: int
    total_x: float
    rects: tuple[Rect, ...]


@dataclass(frozen=True)
class Key:
    style: str
    ink: str
    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class Chart:
    #: Unique in the page: the prefix of its patterns' ids and of its title's.
    id: str
    title: str
    #: The text alternative: every number of the chart, in sentences.
    description: str
    width: int
    height: int
    label_width: float
    bars: tuple[Bar, ...]
    legend: tuple[Key, ...]
    ticks: tuple[Tick, ...]
    #: The styles the chart uses, for its pattern definitions.
    styles: tuple[tuple[str, Style], ...]
    plot_top: float
    plot_bottom: float


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[Row],
    legend: Mapping[str, str],
    *,
    unit: tuple[str, str] = ("workflow", "workflows"),
) -> Chart:
    """A chart of ``rows``, each a bar of segments; ``legend`` names each style used, in
    the order the legend lists them."""
    label_chars = min(LABEL_CHARS, max((len(r.label) for r in rows), default=0))
    label_width = max(90.0, label_chars * CHAR + 14)
    right = WIDTH - TOTAL_ROOM
    keys, legend_bottom = _legend(legend)
    plot_top = legend_bottom + 10
    largest = max((r.total for r in rows), default=0)
    step = _step(largest)
    top = max(step, math.ceil(largest / step) * step) if largest else 1
    scale = (right - label_width) / top
    bars = []
    for index, row in enumerate(rows):
        y = plot_top + index * ROW_PITCH
        x = label_width
        rects = []
        for segment in row.segments:
            if not segment.value:
                continue
            width = segment.value * scale
            words = legend.get(segment.style, segment.style)
            rects.append(
                Rect(
                    x=round(x, 2),
                    y=y,
                    width=round(width, 2),
                    style=segment.style,
                    ink=STYLES[segment.style].ink,
                    value=segment.value,
                    title=f"{row.label}, {words}: {segment.value:,}",
                    labelled=width >= len(f"{segment.value:,}") * CHAR + 12,
                )
            )
            x += width
        short = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
        bars.append(Bar(row.label, short, y, row.total, round(x + 6, 2), tuple(rects)))
    plot_bottom = plot_top + len(rows) * ROW_PITCH
    ticks = tuple(
        Tick(round(label_width + value * scale, 2), value) for value in range(0, top + 1, step)
    )
    used = dict.fromkeys(
        [k.style for k in keys] + [s.style for r in rows for s in r.segments if s.value]
    )
    return Chart(
        id=chart_id,
        title=title,
        description=_describe(title, rows, legend, unit),
        width=WIDTH,
        height=int(plot_bottom + 26),
        label_width=label_width,
        bars=tuple(bars),
        legend=keys,
        ticks=ticks,
        styles=tuple((name, STYLES[name]) for name in used),
        plot_top=plot_top,
        plot_bottom=plot_bottom,
    )


def _legend(legend: Mapping[str, str]) -> tuple[tuple[Key, ...], float]:
    keys = []
    x, y = 0.0, 4.0
    for style, label in legend.items():
        width = 14 + 6 + len(label) * CHAR + 18
        if x and x + width > WIDTH:
            x, y = 0.0, y + LEGEND_PITCH
        keys.append(Key(style, STYLES[style].ink, label, x, y))
        x += width
    return tuple(keys), y + 14


def _step(largest: int) -> int:
    """A round step for at most five gridlines up to ``largest``: 1, 2 or 5 times a power
    of ten."""
    if largest <= 5:
        return 1
    raw = largest / 5
    power = int(10 ** math.floor(math.log10(raw)))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _describe(
    title: str, rows: Sequence[Row], legend: Mapping[str, str], unit: tuple[str, str]
) -> str:
    parts = []
    for row in rows:
        split = [f"{s.value:,} {legend.get(s.style, s.style)}" for s in row.segments if s.value]
        detail = f" ({'; '.join(split)})" if split and len(legend) > 1 else ""
        parts.append(f"{row.label}: {row.total:,} {unit[row.total != 1]}{detail}.")
    return f"{title}. " + (" ".join(parts) if parts else "Nothing to show.")
