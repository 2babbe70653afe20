"""Server-side SVG charts for the dashboard: no script, no inline style (the CSP
forbids both), only SVG presentation attributes and classes from ``app.css``.

Each chart is an ``<svg role="img" aria-label="…">`` with a ``<title>`` and a
``<desc>`` summarising it, drawn in a ``viewBox`` so CSS (``.chart svg {width:100%}``)
scales it to any width (390 px phones included). The numbers themselves are also given
as a table by the page (``Chart.rows``), visually hidden, for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 30, 40
PALETTE = ("#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    label: str
    labels: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The data, one row per x label, for the page's hidden table."""
        return [
            (label, [_num(s.values[i]) for s in self.series]) for i, label in enumerate(self.labels)
        ]


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _scale(value: float) -> tuple[float, int]:
    """The axis top and its number of steps: steps of 1, 2 or 5 times a power of ten,
    about four of them, the top at or above ``value``."""
    if value <= 0:
        return 4.0, 4
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = max(1, math.ceil(value / step))
    return float(step * ticks), ticks


def _summary(title: str, labels: list[str], series: list[Series]) -> str:
    if not labels:
        return f"{title}: no data"
    parts = [f"{s.name} total {_num(sum(s.values))}, peak {_num(max(s.values))}" for s in series]
    return f"{title}, {labels[0]} to {labels[-1]}: " + "; ".join(parts)


def _frame(
    title: str,
    desc: str,
    body: list[str],
    scale: tuple[float, int],
    labels: list[str],
    legend: list[tuple[str, str]] | None = None,
) -> str:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(desc)}" class="chart-svg">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    top, ticks = scale
    for i in range(ticks + 1):  # horizontal grid lines and the y axis labels
        value = top * i / ticks
        y = TOP + plot_h - plot_h * i / ticks
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="#d1d5db" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="15" '
            f'fill="#374151">{escape(_num(value))}</text>'
        )
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#6b7280"/>')
    n = len(labels)
    every = max(1, n // 6)
    for i, label in enumerate(labels):  # x axis labels, at most about six
        if i % every and i != n - 1:
            continue
        x = LEFT + plot_w * (i + 0.5) / max(n, 1)
        anchor = "middle"
        if n > 6 and i == n - 1:  # the last label ends at the plot's edge, never past it
            x, anchor = LEFT + plot_w, "end"
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}" '
            f'font-size="15" fill="#374151">{escape(label)}</text>'
        )
    out.extend(body)
    x = LEFT + 8
    for name, colour in legend or []:  # a legend above the plot
        out.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="14" font-size="15" fill="#1b1f24">{escape(name)}</text>')
        x += 28 + 9 * len(name)
    out.append("</svg>")
    return "".join(out)


def line_chart(title: str, labels: list[str], series: list[Series]) -> Chart:
    """One polyline per series over the x labels, with a point marker at each value."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    scale = _scale(max((v for s in series for v in s.values), default=0))
    top = scale[0]
    n = max(len(labels), 1)
    body = []
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [
            (LEFT + plot_w * (i + 0.5) / n, TOP + plot_h - plot_h * v / top)
            for i, v in enumerate(s.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points if len(points) <= 45 else []:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    desc = _summary(title, labels, series)
    legend = [(s.name, PALETTE[k % len(PALETTE)]) for k, s in enumerate(series)]
    svg = _frame(title, desc, body, scale, labels, legend)
    return Chart(title, Markup(svg), desc, labels, series)  # noqa: S704 (escaped above)


def bar_chart(title: str, labels: list[str], series: Series, *, categories: bool = False) -> Chart:
    """One bar per label: each its own colour when the labels are ``categories`` (tiers),
    else one colour (days)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    scale = _scale(max(series.values, default=0))
    top = scale[0]
    n = max(len(labels), 1)
    slot = plot_w / n
    body = []
    for i, v in enumerate(series.values):
        h = plot_h * v / top
        x = LEFT + slot * i + slot * 0.15
        body.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[i % len(PALETTE) if categories else 0]}"/>'
        )
    desc = _summary(title, labels, [series])
    svg = _frame(title, desc, body, scale, labels)
    return Chart(title, Markup(svg), desc, labels, [series])  # noqa: S704 (escaped above)
