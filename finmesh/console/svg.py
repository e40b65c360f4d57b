"""Charts as inline SVG drawn here: a line chart of counts per minute and horizontal
bars. Every label is escaped; nothing is fetched to draw them."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

COLOURS = ("#1f5fbf", "#1e7b34", "#9a6700", "#b3261e", "#6b3fa0", "#00838f")


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    width: int = 760,
    height: int = 220,
    title: str,
) -> Markup:
    """One polyline per series over the same x labels (oldest left)."""
    left, right, top, bottom = 40, 120, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(v for values in series.values() for v in values)])
    steps = max(1, len(labels) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" '
        'stroke="#d6dae3"/>',
    ]
    for tick in (0, peak // 2, peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i in range(0, len(labels), max(1, len(labels) // 6)):
        x = left + plot_w * i / steps
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(
            f"{left + plot_w * i / steps:.1f},{top + plot_h - plot_h * v / peak:.1f}"
            for i, v in enumerate(values)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'
        )
        y = top + 14 + 16 * n
        parts.append(
            f'<rect x="{width - right + 10}" y="{y - 9}" width="10" height="10" '
            f'fill="{colour}"/><text x="{width - right + 24}" y="{y}">'
            f"{escape(name)} ({sum(values)})</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(
    rows: Sequence[tuple[str, float, str]], *, width: int = 560, title: str
) -> Markup:
    """Horizontal bars: (label, value, value as text), longest bar = largest value."""
    bar_h, gap, label_w, value_w = 18, 6, 150, 120
    height = max(1, len(rows)) * (bar_h + gap) + gap
    peak = max([1.0, *(v for _, v, _ in rows)])
    plot_w = width - label_w - value_w
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    if not rows:
        parts.append(f'<text x="4" y="{bar_h}">nothing</text>')
    for i, (label, value, text) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, plot_w * value / peak)
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 13}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
