"""Server-side geometry for a topic's monthly share curve, drawn as inline SVG by the templates."""

from __future__ import annotations

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 320, 90, 6, 8, 18
SPARK_MONTHS = 18  # the daily page's badge curve: the recent past is what "young" is about
RADAR_MONTHS = 36  # the topics page: a young topic's rise and the flat years before it


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
    """A badge-sized curve of the last SPARK_MONTHS months, for the hype badge on the daily page."""
    return curve_chart((curve or [])[-SPARK_MONTHS:], onset, width=90, height=22, pad_top=2, pad_bottom=2)


def radar_chart(curve: list[list] | None, onset: str | None) -> dict | None:
    """The topics page's curve, the last RADAR_MONTHS months: over a history of many years a
    topic a few months old would be a spike squeezed against the right edge."""
    return curve_chart((curve or [])[-RADAR_MONTHS:], onset)
