"""Pictures drawn on the server as a few lines of SVG: bar charts and QR codes.

Only geometry lives here (plain numbers and path strings, no markup): the templates'
macros in ``templates/_charts.html`` write the ``<svg>`` with autoescaping on, so no
user text ever reaches a page unescaped, and no script or other host is involved. Every
chart carries its figures as text beside it (``Chart.rows``) for screen readers and print.
No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import segno


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the bar shows (a count, or a share 0..1)
    text: str  # the figure as written beside it ("12", "83%", "—")
    x: float
    y: float
    width: float
    height: float


@dataclass
class Chart:
    """A bar chart laid out in a ``width`` × ``height`` viewBox (units, scaled by CSS)."""

    title: str
    kind: str  # "columns" (months along the bottom) or "bars" (one row per label)
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    empty: bool = True

    @property
    def rows(self) -> list[tuple[str, str]]:
        """The figures as text: (label, figure)."""
        return [(b.label, b.text) for b in self.bars]


def bars(title: str, data: list[tuple[str, int]], width: int = 600, row: int = 40, label_width: int = 200) -> Chart:
    """Horizontal bars, one per (label, count); the longest is as long as the space allows."""
    return _bars(title, [(label, float(n), str(n)) for label, n in data], width, row, label_width)


def shares(title: str, data: list[tuple[str, int, int]], width: int = 600, row: int = 40,
           label_width: int = 200) -> Chart:
    """Horizontal bars, one per (label, on time, due): the share, written "83% (5/6)"."""
    return _bars(title, [(label, ok / due if due else 0.0, f"{ok / due * 100:.0f}% ({ok}/{due})" if due else "—")
                         for label, ok, due in data], width, row, label_width, top=1.0)


def _bars(title: str, data: list[tuple[str, float, str]], width: int, row: int, label_width: int,
          top: float | None = None) -> Chart:
    chart = Chart(title, "bars", width, max(len(data), 1) * row)
    top = max((v for _l, v, _t in data), default=0.0) if top is None else top
    span = width - label_width - 200  # room for the figure after the longest bar
    for i, (label, value, text) in enumerate(data):
        w = span * value / top if top else 0
        chart.bars.append(Bar(label, value, text, label_width, i * row + row * 0.15, round(w, 1), row * 0.7))
    chart.empty = not any(v for _l, v, _t in data) and not any(t != "—" and t != "0" for _l, _v, t in data)
    return chart


def columns(title: str, data: list[tuple[str, int, int]], width: int = 720, height: int = 300) -> Chart:
    """One column per (label, on time, due): the share on time, 0 to 100 %; a month with
    nothing due has no column and "—" as its figure."""
    chart = Chart(title, "columns", width, height)
    n = max(len(data), 1)
    slot = width / n
    top, bottom = 56, 64  # room for a figure above the tallest column, and the labels below
    plot = height - top - bottom
    for i, (label, ok, due) in enumerate(data):
        share = ok / due if due else 0.0
        h = plot * share
        text = f"{share * 100:.0f}%" if due else "—"
        chart.bars.append(Bar(label, share, text, round(i * slot + slot * 0.15, 1), round(top + plot - h, 1),
                              round(slot * 0.7, 1), round(h, 1)))
    chart.empty = not any(due for _l, _o, due in data)
    return chart


@dataclass(frozen=True)
class QrPath:
    """A QR code as one SVG path over a ``size`` × ``size`` grid of modules (quiet zone included)."""

    size: int
    d: str
    url: str


def qr(url: str, border: int = 2) -> QrPath:
    """The QR code of ``url`` (segno, error correction M, as the hall display's), drawn as
    one path of unit squares, row by row."""
    code = segno.make(url, error="m")
    parts = []
    for y, row in enumerate(code.matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + border} {y + border}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return QrPath(len(code.matrix) + 2 * border, "".join(parts), url)
