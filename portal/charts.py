"""Pictures drawn on the server as a few lines of SVG: bar charts and QR codes.

Only geometry lives here (plain numbers and path strings, no markup): the templates'
macros in ``templates/_charts.html`` write the ``<svg>`` with autoescaping on, so no
user text ever reaches a page unescaped, and no script or other host is involved. Every
chart carries its figures as text (``Chart.rows``) for screen readers and print. No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import segno


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # what the bar shows (a count, or a share 0..1)
    text: str  # the figure as written beside it ("12", "83%", "—")
    size: float  # the bar's length (or a column's height) in % of the room, 0..100


@dataclass
class Chart:
    """A bar chart: one bar per row ("bars") or one column per month ("columns"). The
    template draws each bar as a small SVG and writes labels and figures as HTML text next
    to it (text inside an SVG defeats contrast checkers and does not wrap)."""

    title: str
    kind: str
    bars: list[Bar] = field(default_factory=list)
    empty: bool = True

    @property
    def horizontal(self) -> bool:
        """One bar per row (else one column per month)."""
        return self.kind == "bars"

    @property
    def rows(self) -> list[tuple[str, str]]:
        """The figures as text: (label, figure)."""
        return [(b.label, b.text) for b in self.bars]


def bars(title: str, data: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one per (label, count); the longest fills the room."""
    return _bars(title, [(label, float(n), str(n)) for label, n in data])


def shares(title: str, data: list[tuple[str, int, int]]) -> Chart:
    """Horizontal bars, one per (label, on time, due): the share, written "83% (5/6)"."""
    return _bars(title, [(label, ok / due if due else 0.0, f"{ok / due * 100:.0f}% ({ok}/{due})" if due else "—")
                         for label, ok, due in data], top=1.0)


def _bars(title: str, data: list[tuple[str, float, str]], top: float | None = None) -> Chart:
    top = max((v for _l, v, _t in data), default=0.0) if top is None else top
    chart = Chart(title, "bars", [Bar(label, value, text, round(100 * value / top, 1) if top else 0.0)
                                  for label, value, text in data])
    chart.empty = not any(v for _l, v, _t in data) and all(t in ("—", "0") for _l, _v, t in data)
    return chart


def columns(title: str, data: list[tuple[str, int, int]]) -> Chart:
    """One column per (label, on time, due): the share on time, 0 to 100 %; a month with
    nothing due has no column and "—" as its figure."""
    chart = Chart(title, "columns")
    for label, ok, due in data:
        share = ok / due if due else 0.0
        chart.bars.append(Bar(label, share, f"{share * 100:.0f}%" if due else "—", round(share * 100, 1)))
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
