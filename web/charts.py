"""Server-side geometry for a topic's monthly share curve, drawn as inline SVG by the templates."""

from __future__ import annotations

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 320, 90, 6, 8, 18
SPARK_MONTHS = 18  # the daily page's badge curve: the recent past is what "young" is about
RADAR_MONTHS = 36  # the radar's rows: a young topic's rise and the flat years before it
# The topic page's chart: room on the left for the y-axis labels, below for the months.
FULL_WIDTH, FULL_HEIGHT, FULL_LEFT, FULL_RIGHT, FULL_TOP, FULL_BOTTOM = 640, 240, 60, 12, 14, 30


def curve_chart(
    curve: list[list],
    onset: str | None,
    width: int = WIDTH,
    height: int = HEIGHT,
    pad_top: int = PAD_TOP,
    pad_bottom: int = PAD_BOTTOM,
) -> dict | None:
    """Polyline points, the onset marker's x, and axis labels for [[month, share], ...]; None if empty."""
    if not curve:
        return None
    months = [str(m)[:7] for m, _ in curve]
    shares = [float(s) for _, s in curve]
    top = max(shares) or 1.0
    span_x = width - 2 * PAD_X
    span_y = height - pad_top - pad_bottom
    step = span_x / max(1, len(curve) - 1)

    def x(i: int) -> float:
        return round(PAD_X + i * step, 1)

    def y(s: float) -> float:
        return round(pad_top + span_y * (1 - s / top), 1)

    onset_month = onset[:7] if onset else None
    onset_x = x(months.index(onset_month)) if onset_month in months else None
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x(i)},{y(s)}" for i, s in enumerate(shares)),
        "baseline": height - pad_bottom,
        "onset_x": onset_x,
        "first": months[0],
        "last": months[-1],
        "peak": f"{top:.1%}",
        "label_y": height - 4,
        "description": ", ".join(f"{m}: {s:.1%}" for m, s in zip(months, shares, strict=True)),
    }


def sparkline(curve: list[list] | None, onset: str | None) -> dict | None:
    """A badge-sized curve of the last SPARK_MONTHS months, for the young-topic badge on the daily page."""
    return curve_chart((curve or [])[-SPARK_MONTHS:], onset, width=90, height=22, pad_top=2, pad_bottom=2)


def radar_chart(curve: list[list] | None, onset: str | None) -> dict | None:
    """A radar row's curve, the last RADAR_MONTHS months: over a history of many years a
    topic a few months old would be a spike squeezed against the right edge."""
    return curve_chart((curve or [])[-RADAR_MONTHS:], onset, width=160, height=36, pad_top=3, pad_bottom=3)


def _nice_axis(peak: float) -> tuple[float, int]:
    """The axis top (the smallest 1, 2, 2.5 or 5 x 10^k at or above `peak`) and its number of
    steps, chosen so every tick is a round percent (0.5%, not 0.625%)."""
    scale = 1e-6
    while True:
        for m, steps in ((1, 4), (2, 4), (2.5, 5), (5, 5)):
            if m * scale >= peak:
                return m * scale, steps
        scale *= 10


def full_chart(curve: list[list] | None, onset: str | None) -> dict | None:
    """The topic page's chart of the whole history: y-axis in % of all papers (round ticks), a
    January tick per year on the x-axis, the onset line; None without a curve."""
    if not curve:
        return None
    months = [str(m)[:7] for m, _ in curve]
    shares = [float(s) for _, s in curve]
    top, steps = _nice_axis(max(max(shares), 1e-4))
    left, right, ptop, bottom = FULL_LEFT, FULL_WIDTH - FULL_RIGHT, FULL_TOP, FULL_HEIGHT - FULL_BOTTOM
    step = (right - left) / max(1, len(months) - 1)

    def x(i: int) -> float:
        return round(left + i * step, 1)

    def y(s: float) -> float:
        return round(ptop + (bottom - ptop) * (1 - s / top), 1)

    y_ticks = [{"y": y(top * k / steps), "label": f"{100 * top * k / steps:.4g}%"} for k in range(steps + 1)]
    years = [(i, m[:4]) for i, m in enumerate(months) if m.endswith("-01")] or [(0, months[0][:4])]
    every = max(1, len(years) // 8)  # at most ~8 year labels, so they never collide at phone width
    x_ticks = [{"x": x(i), "label": label} for i, label in years[::every]]
    onset_month = onset[:7] if onset else None
    return {
        "width": FULL_WIDTH,
        "height": FULL_HEIGHT,
        "left": left,
        "right": right,
        "top": ptop,
        "bottom": bottom,
        "points": " ".join(f"{x(i)},{y(s)}" for i, s in enumerate(shares)),
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "label_y": FULL_HEIGHT - 8,
        "onset_x": x(months.index(onset_month)) if onset_month in months else None,
        "first": months[0],
        "last": months[-1],
        "peak": f"{max(shares):.1%}",
        "description": ", ".join(f"{m}: {s:.1%}" for m, s in zip(months, shares, strict=True)),
    }
