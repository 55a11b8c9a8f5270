"""A burn-down chart as server-rendered SVG: the hours left day by day (a solid line with a
dot at today), the forecast to zero (a dashed line ending in a cross), each labelled in text, so
the chart reads without colour; <title> and <desc> carry its text alternative."""

import datetime
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.display import format_hours

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 100, 16, 28
MAX_FORECAST_DAYS = 90  # a forecast further out is stated in words, the line stops at the edge


def _ticks(top: float) -> list[float]:
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000) if top / s <= 5), 2000)
    return [step * i for i in range(int(top // step) + 1)]


def _axes(*, x, y, high: float, days) -> list[str]:
    """Horizontal grid lines with their hours, the zero line, and the dates under `days`."""
    plot_w = WIDTH - LEFT - RIGHT
    parts = []
    for tick in _ticks(high):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g} h</text>'
        )
    parts.append(f'<line class="zero" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>')
    for day in days:
        parts.append(
            f'<text class="axis" x="{x(day):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{day:%d %b}</text>'
        )
    return parts


def _forecast(
    *, start: tuple[float, float], end: tuple[float, float], label: str, label_y: float
) -> list[str]:
    """The dashed forecast from today's dot to `end`, a cross there and its label at the right
    edge, at height `label_y`."""
    (now_x, now_y), (fx, fy) = start, end
    return [
        f'<line class="forecast" x1="{now_x:.1f}" y1="{now_y:.1f}" x2="{fx:.1f}" y2="{fy:.1f}"/>',
        f'<path class="forecast-mark" d="M{fx - 5:.1f},{fy - 5:.1f} l10,10 m0,-10 l-10,10"/>'
        f'<text class="chart-label" x="{WIDTH - 4}" y="{label_y:.1f}" text-anchor="end">{label}</text>',
    ]


def burndown_svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    days: list[datetime.date],
    remaining: list[Decimal],
    sold: Decimal,
    runs_out_on: datetime.date | None,
) -> SafeString:
    start, today = days[0], days[-1]
    forecast_end = None
    if runs_out_on is not None and remaining[-1] > 0:
        forecast_end = min(runs_out_on, today + datetime.timedelta(days=MAX_FORECAST_DAYS))
    end = max(today, forecast_end or today)
    span = max((end - start).days, 1)
    low = min(0.0, *(float(v) for v in remaining))
    high = max(float(sold), *(float(v) for v in remaining), 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return LEFT + (day - start).days * plot_w / span

    def y(value: float) -> float:
        return TOP + (high - value) * plot_h / (high - low)

    parts = [
        f'<svg class="burndown" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(description)}</desc>',
    ]
    parts += _axes(x=x, y=y, high=high, days=(start, start + (today - start) / 2, today))
    points = " ".join(f"{x(d):.1f},{y(float(v)):.1f}" for d, v in zip(days, remaining, strict=True))
    parts.append(f'<polyline class="actual" points="{points}"/>')
    now_x, now_y = x(today), y(float(remaining[-1]))
    parts.append(f'<circle class="actual-dot" cx="{now_x:.1f}" cy="{now_y:.1f}" r="4"/>')
    left_label_y = now_y - 8
    if forecast_end is not None:
        share = (forecast_end - today).days / max((runs_out_on - today).days, 1)
        fx, fy = x(forecast_end), y(float(remaining[-1]) * (1 - share))
        word = "out" if forecast_end == runs_out_on else "out after"
        label_y = max(fy - 12, TOP + 10)  # above the cross, inside the chart
        label = f"{word} {forecast_end:%Y-%m-%d}"
        parts += _forecast(start=(now_x, now_y), end=(fx, fy), label=label, label_y=label_y)
        if abs(left_label_y - label_y) < 16:  # keep the two labels apart
            left_label_y = label_y - 16
    left_text = f"{format_hours(remaining[-1])} h left"
    parts.append(f'<text class="chart-label" x="{now_x + 8:.1f}" y="{left_label_y:.1f}">{left_text}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
