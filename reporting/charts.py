"""Server-rendered SVG charts for reports and dashboards: they print, need no JavaScript and
come with a data table beside them (the template shows the same numbers as a table).

A chart is a plain dict of coordinates the template draws; no drawing library."""

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 260
VALUE_WIDTH = 60
CHART_WIDTH = 640
COLOURS = (
    "#1d70b8",
    "#f47738",
    "#00703c",
    "#d4351c",
    "#4c2c92",
    "#b58840",
    "#5694ca",
    "#d53880",
    "#28a197",
    "#6f72af",
    "#85994b",
    "#912b88",
)


def hbar_chart(title, bars, *, description=""):
    """A horizontal bar chart: ``bars`` is [(label, value)], drawn in the order given.
    Bars are scaled to the largest value; a zero draws no bar but keeps its row."""
    bars = [(str(label), value or 0) for label, value in bars]
    largest = max((value for _label, value in bars), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for index, (label, value) in enumerate(bars):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(room * value / largest, 1)
        rows.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": y + BAR_HEIGHT / 2,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "title": title,
        "description": description
        or f"{title}: " + "; ".join(f"{label} {value}" for label, value in bars) + ".",
        "width": CHART_WIDTH,
        "height": max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "colour": COLOURS[0],
        "rows": rows,
    }


# Column charts: one column group per category (a month), one column per series, or the
# series stacked in one column. Plot area inside the viewBox; the y axis has round ticks.
COLUMN_CHART_HEIGHT = 260
COLUMN_PLOT_TOP = 12
COLUMN_PLOT_LEFT = 52
COLUMN_PLOT_RIGHT = 12
COLUMN_AXIS_ROOM = 34  # below the plot: category labels
LEGEND_ROW = 22
MAX_CATEGORY_LABELS = 13


def axis_top(value, ticks=4):
    """The top of a count axis: ``ticks`` times the smallest whole step of 1, 2, 2.5, 3, 4,
    5, 6, 7.5 or 8 × 10ⁿ that reaches ``value``, so every tick is a round whole number and
    the tallest column fills most of the height (4 for nothing)."""
    magnitude = 1
    while True:
        for step in (1, 2, 2.5, 3, 4, 5, 6, 7.5, 8):
            unit = step * magnitude
            if unit == int(unit) and unit * ticks >= value:
                return int(unit * ticks)
        magnitude *= 10


def _number(value):
    return int(value) if float(value).is_integer() else round(float(value), 1)


def column_chart(title, categories, series, *, stacked=False, description=""):
    """A vertical column chart: ``categories`` are the x labels (months, in order) and
    ``series`` is [(label, [value per category])]. Grouped side by side, or ``stacked``
    in one column per category. Long category lists label every few columns only; the
    data table beside the chart carries every value."""
    categories = [str(category) for category in categories]
    series = [(str(label), [value or 0 for value in values]) for label, values in series]
    count = max(1, len(categories))
    if stacked:
        totals = [sum(values[i] for _label, values in series) for i in range(len(categories))]
    else:
        totals = [value for _label, values in series for value in values]
    top = axis_top(max(totals, default=0))
    plot_width = CHART_WIDTH - COLUMN_PLOT_LEFT - COLUMN_PLOT_RIGHT
    plot_height = COLUMN_CHART_HEIGHT - COLUMN_PLOT_TOP - COLUMN_AXIS_ROOM
    axis_y = COLUMN_PLOT_TOP + plot_height
    band = plot_width / count
    columns_per_band = 1 if stacked else max(1, len(series))
    column_width = band * 0.75 / columns_per_band

    def height(value):
        return round(plot_height * value / top, 1)

    bars = []
    for index in range(len(categories)):
        left = COLUMN_PLOT_LEFT + index * band + band * 0.125
        base = axis_y
        for position, (label, values) in enumerate(series):
            value = values[index]
            h = height(value)
            x = left if stacked else left + position * column_width
            y = base - h
            if h:
                bars.append(
                    {
                        "x": round(x, 1),
                        "y": round(y, 1),
                        "width": round(max(column_width - 1, 1), 1),
                        "height": h,
                        "colour": COLOURS[position % len(COLOURS)],
                        "title": f"{categories[index]}, {label}: {_number(value)}",
                    }
                )
            if stacked:
                base = y
    every = max(1, -(-len(categories) // MAX_CATEGORY_LABELS))  # ceiling division
    labels = [
        {"x": round(COLUMN_PLOT_LEFT + (index + 0.5) * band, 1), "text": category}
        for index, category in enumerate(categories)
        if index % every == 0
    ]
    ticks = [
        {"y": round(axis_y - plot_height * step / 4, 1), "value": _number(top * step / 4)}
        for step in range(5)
    ]
    legend = [
        {
            "x": COLUMN_PLOT_LEFT + (position % 3) * 190,
            "y": COLUMN_CHART_HEIGHT + (position // 3) * LEGEND_ROW + 4,
            "colour": COLOURS[position % len(COLOURS)],
            "label": label,
        }
        for position, (label, _values) in enumerate(series)
    ]
    legend_rows = -(-len(series) // 3) if len(series) > 1 else 0
    if not description:
        # Series that are zero throughout are left out (the table lists them).
        parts = []
        for label, values in series:
            if not any(values):
                continue
            shown = ", ".join(
                f"{category} {_number(value)}"
                for category, value in zip(categories, values, strict=True)
            )
            parts.append(f"{label}: {shown}" if len(series) > 1 else shown)
        description = f"{title}. " + ("; ".join(parts) + "." if parts else "None in the period.")
    return {
        "title": title,
        "description": description,
        "width": CHART_WIDTH,
        "height": COLUMN_CHART_HEIGHT + legend_rows * LEGEND_ROW + (6 if legend_rows else 0),
        "plot_left": COLUMN_PLOT_LEFT,
        "plot_right": CHART_WIDTH - COLUMN_PLOT_RIGHT,
        "axis_y": axis_y,
        "label_y": axis_y + 18,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "legend": legend if legend_rows else [],
    }


def stacked_hbar_chart(title, rows, series, *, description=""):
    """Horizontal bars made of parts: ``rows`` is [(label, [value per series])] and
    ``series`` the parts' labels (drawn left to right, coloured in order, with a legend).
    The number at the end of a bar is its total."""
    rows = [(str(label), [value or 0 for value in values]) for label, values in rows]
    largest = max((sum(values) for _label, values in rows), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    drawn = []
    for index, (label, values) in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        x = LABEL_WIDTH
        parts = []
        for position, value in enumerate(values):
            width = round(room * value / largest, 1)
            if width:
                parts.append(
                    {
                        "x": round(x, 1),
                        "width": width,
                        "colour": COLOURS[position % len(COLOURS)],
                        "title": f"{label}, {series[position]}: {_number(value)}",
                    }
                )
            x += width
        drawn.append(
            {
                "label": label,
                "total": _number(sum(values)),
                "y": y,
                "text_y": y + BAR_HEIGHT / 2,
                "parts": parts,
                "value_x": round(x + 6, 1),
            }
        )
    bars_height = max(1, len(rows)) * (BAR_HEIGHT + BAR_GAP)
    legend = [
        {
            "x": LABEL_WIDTH + position * 170,
            "y": bars_height + 6,
            "colour": COLOURS[position % len(COLOURS)],
            "label": label,
        }
        for position, label in enumerate(series)
    ]
    if not description:
        description = (
            f"{title}. "
            + "; ".join(
                f"{label}: "
                + ", ".join(f"{name} {_number(v)}" for name, v in zip(series, values, strict=True))
                for label, values in rows
            )
            + "."
        )
    return {
        "title": title,
        "description": description,
        "width": CHART_WIDTH,
        "height": bars_height + LEGEND_ROW + 6,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "rows": drawn,
        "legend": legend,
    }
