"""Coordinates for the server-rendered risk history chart (SVG, no JavaScript).

The step line follows the overall level (the latest complete assessment at each date);
each assessment is a point with its own title. The page repeats the same data in a table.
"""

from dataclasses import dataclass

from risk.models import LEVEL_RANK, RiskLevel

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 80, 24, 20, 44
LEVEL_LABELS = dict(RiskLevel.choices)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str
    level: str


def _day(day, month="%B"):
    return f"{day.day} {day:{month} %Y}"


def _y(level):
    rank = LEVEL_RANK.get(level, 1)
    inner = HEIGHT - TOP - BOTTOM
    return round(TOP + inner - (rank - 1) * inner / 2, 1)


def build(history, today):
    """``history``: complete assessments, oldest first. None when there is nothing to draw."""
    if not history:
        return None
    start = history[0].assessed_on
    end = max(history[-1].assessed_on, today)
    span = max((end - start).days, 1)
    inner = WIDTH - LEFT - RIGHT

    def x(day):
        return round(LEFT + (day - start).days * inner / span, 1)

    points = [
        Point(
            x=x(a.assessed_on),
            y=_y(a.level),
            level=a.level,
            title=(
                f"{_day(a.assessed_on, '%b')}: {a.instrument_version.instrument.name}, "
                f"{LEVEL_LABELS.get(a.level, a.level)}"
                + (" (professional judgement)" if a.override_level else "")
                + (f" (historic rating: {a.get_recorded_level_display()})" if a.historic else "")
            ),
        )
        for a in history
    ]
    path = [f"M {points[0].x} {points[0].y}"]
    for point in points[1:]:
        path.append(f"H {point.x} V {point.y}")
    path.append(f"H {x(end)}")
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right_x": WIDTH - RIGHT,
        "axis_y": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 20,
        "path": " ".join(path),
        "points": points,
        "levels": [
            {"label": LEVEL_LABELS[level], "y": _y(level)}
            for level in (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)
        ],
        "start": start,
        "end": end,
        "end_x": x(end),
        # One date when the history starts today: two labels would be drawn over each other.
        "show_end_label": end != start,
        "description": (
            f"{len(points)} completed assessments from {_day(start)} to "
            f"{_day(history[-1].assessed_on)}; current level "
            f"{LEVEL_LABELS.get(history[-1].level, history[-1].level).lower()}."
        ),
    }
