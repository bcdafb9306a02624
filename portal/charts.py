"""Small inline SVG charts for the portal's pages (no script, no CDN): lines over quarters."""

WIDTH, HEIGHT, PAD_X, PAD_Y = 560, 180, 44, 22


def lines(labels, series, *, low=None, high=None):
    """Geometry for a line chart: ``series`` is [(name, css class, values)] with None for a
    gap. Returns a dict the template ``portal/_line_chart.html`` draws."""
    series = [(n, c, [None if v is None else float(v) for v in vs]) for n, c, vs in series]
    values = [v for _, _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return None
    lo = min(values) if low is None else low
    hi = max(values) if high is None else high
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    n = len(labels)
    step = (WIDTH - 2 * PAD_X) / max(n - 1, 1)

    def x(i):
        return round(PAD_X + i * step if n > 1 else WIDTH / 2, 1)

    def y(v):
        return round(HEIGHT - PAD_Y - (v - lo) / (hi - lo) * (HEIGHT - 2 * PAD_Y), 1)

    drawn = []
    for name, css, vs in series:
        points = [(x(i), y(v), v) for i, v in enumerate(vs) if v is not None]
        drawn.append(
            {
                "name": name,
                "css": css,
                "path": " ".join(f"{px},{py}" for px, py, _ in points),
                "points": points,
            }
        )
    ticks = [(lo, y(lo)), ((lo + hi) / 2, y((lo + hi) / 2)), (hi, y(hi))]
    zero = y(0) if lo < 0 < hi else None
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "series": drawn,
        "labels": [(x(i), label) for i, label in enumerate(labels)],
        "ticks": ticks,
        "zero": zero,
        "left": PAD_X,
        "right": WIDTH - PAD_X,
        "bottom": HEIGHT - PAD_Y,
    }
