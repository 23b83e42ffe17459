"""Server-rendered SVG charts for reports and dashboards: they print, need no JavaScript and
come with a data table beside them (the template shows the same numbers as a table).

A chart is a plain dict of coordinates the template draws; no drawing library."""

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 260
VALUE_WIDTH = 60
CHART_WIDTH = 640
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#b58840", "#5694ca")


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
