"""Server-side SVG charts: a bar chart (stacked or grouped, negatives allowed) and a line chart.

Plain SVG markup built here, sized by a viewBox so it scales with its column; no JavaScript,
no CDN. Labels are escaped; each bar carries a <title> (the browser's tooltip).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 32, 72
FLAT_BOTTOM = 30  # below the plot when the labels are not rotated (the chart is that much shorter)
CHAR = 10  # width of a label character, generous: reports.css enlarges the text on phones


@dataclass
class Series:
    name: str
    values: list[Decimal]
    css: str  # class of its bars / line (colour in reports.css)


def _nice_step(span: float) -> float:
    raw = span / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def _rotated(labels: list[str]) -> bool:
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    return len(labels) > 8 or max((min(len(label), 16) for label in labels), default=0) * CHAR > slot


def _height(labels: list[str]) -> int:
    """The viewBox height: the room below the plot is for rotated labels only."""
    return HEIGHT if _rotated(labels) else HEIGHT - BOTTOM + FLAT_BOTTOM


def _scale(low: float, high: float):
    low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        high = 1.0
    step = _nice_step(high - low)
    top = step * -(-high // step)
    bottom = step * (low // step)
    plot = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + (top - value) * plot / (top - bottom)

    ticks = []
    tick = bottom
    while tick <= top + step / 2:
        ticks.append(tick)
        tick += step
    return y, ticks


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _frame(title: str, body: list[str], legend: list[Series], height: int) -> SafeString:
    items = []
    x = LEFT
    for series in legend:
        items.append(
            f'<rect class="{series.css}" x="{x:.1f}" y="6" width="12" height="12"/>'
            f'<text class="legend" x="{x + 16:.1f}" y="17">{escape(series.name)}</text>'
        )
        x += 28 + CHAR * len(series.name)
    svg = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(items)}{"".join(body)}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every text above is escaped


def _axes(labels: list[str], y, ticks) -> tuple[list[str], float]:
    body = []
    for tick in ticks:
        ty = y(tick)
        body.append(
            f'<line class="grid{" zero" if tick == 0 else ""}" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{ty:.1f}" y2="{ty:.1f}"/><text class="tick" x="{LEFT - 6}" y="{ty + 4:.1f}" '
            f'text-anchor="end">{_fmt(tick)}</text>'
        )
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    rotate = _rotated(labels)
    every = max(1, -(-len(labels) // 24))
    for index, label in enumerate(labels):
        if index % every:
            continue
        cx = LEFT + slot * (index + 0.5)
        text = escape(label if len(label) <= 16 else label[:15] + "…")
        ly = HEIGHT - BOTTOM + 14
        if rotate:
            body.append(
                f'<text class="tick" x="{cx:.1f}" y="{ly}" text-anchor="end" '
                f'transform="rotate(-40 {cx:.1f} {ly})">{text}</text>'
            )
        else:
            body.append(f'<text class="tick" x="{cx:.1f}" y="{ly}" text-anchor="middle">{text}</text>')
    return body, slot


def bar_chart(title: str, labels: list[str], series: list[Series], *, stacked: bool = True) -> SafeString:
    """Bars per label; `stacked` piles the series (positives up, negatives down), else side by side."""
    if stacked:
        highs = [sum(float(s.values[i]) for s in series if s.values[i] > 0) for i in range(len(labels))]
        lows = [sum(float(s.values[i]) for s in series if s.values[i] < 0) for i in range(len(labels))]
    else:
        highs = [max((float(s.values[i]) for s in series), default=0) for i in range(len(labels))]
        lows = [min((float(s.values[i]) for s in series), default=0) for i in range(len(labels))]
    y, ticks = _scale(min(lows, default=0), max(highs, default=0))
    body, slot = _axes(labels, y, ticks)
    bar = slot * (0.7 if stacked else 0.8 / max(len(series), 1))
    for index, label in enumerate(labels):
        x0 = LEFT + slot * index + slot * (0.15 if stacked else 0.1)
        up = down = 0.0
        for number, s in enumerate(series):
            value = float(s.values[index])
            if not value:
                continue
            if stacked:
                base = up if value > 0 else down
                top_value = base + value
                if value > 0:
                    up = top_value
                else:
                    down = top_value
                x = x0
            else:
                base, top_value, x = 0.0, value, x0 + bar * number
            y1, y2 = sorted((y(base), y(top_value)))
            body.append(
                f'<rect class="{s.css}" x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" '
                f'height="{max(y2 - y1, 0.5):.1f}"><title>{escape(label)} · {escape(s.name)}: '
                f"{s.values[index]}</title></rect>"
            )
    return _frame(title, body, series, _height(labels))


def line_chart(title: str, labels: list[str], series: list[Series]) -> SafeString:
    """One polyline per series, a dot per point."""
    values = [float(v) for s in series for v in s.values]
    y, ticks = _scale(min(values, default=0), max(values, default=0))
    body, slot = _axes(labels, y, ticks)
    for s in series:
        points = [(LEFT + slot * (i + 0.5), y(float(v))) for i, v in enumerate(s.values)]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        body.append(f'<polyline class="{s.css}" points="{path}"/>')
        for (px, py), label, value in zip(points, labels, s.values, strict=True):
            body.append(
                f'<circle class="{s.css}" cx="{px:.1f}" cy="{py:.1f}" r="3">'
                f"<title>{escape(label)} · {escape(s.name)}: {value}</title></circle>"
            )
    return _frame(title, body, series, _height(labels))
