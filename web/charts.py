"""Server-side geometry for a topic's monthly share curve, drawn as inline SVG by the template."""

from __future__ import annotations

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 320, 90, 6, 8, 18


def curve_chart(curve: list[list], onset: str | None) -> dict | None:
    """Polyline points, the onset marker's x, and axis labels for [[month, share], ...]; None if empty."""
    if not curve:
        return None
    months = [str(m)[:7] for m, _ in curve]
    shares = [float(s) for _, s in curve]
    top = max(shares) or 1.0
    span_x = WIDTH - 2 * PAD_X
    span_y = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = span_x / max(1, len(curve) - 1)

    def x(i: int) -> float:
        return round(PAD_X + i * step, 1)

    def y(s: float) -> float:
        return round(PAD_TOP + span_y * (1 - s / top), 1)

    onset_month = onset[:7] if onset else None
    onset_x = x(months.index(onset_month)) if onset_month in months else None
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "points": " ".join(f"{x(i)},{y(s)}" for i, s in enumerate(shares)),
        "baseline": HEIGHT - PAD_BOTTOM,
        "onset_x": onset_x,
        "first": months[0],
        "last": months[-1],
        "peak": f"{top:.1%}",
        "label_y": HEIGHT - 4,
        "description": ", ".join(f"{m}: {s:.1%}" for m, s in zip(months, shares, strict=True)),
    }
