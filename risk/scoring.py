"""The one scoring engine: it reads an instrument version's definition and never knows
which tool it is scoring.

A definition (JSON, stored on InstrumentVersion)::

    {
      "schema": 1,
      "about": "...",                      # purpose and use, shown to assessors
      "review_months": {"high": 3, "default": 6},
      "sections": [                        # domains; items are grouped by section
        {"code": "core", "label": "...",
         "applies_when": {"item": "X-00", "in": ["yes"]},   # optional
         "items": [
            {"code": "X-01", "label": "Short neutral label", "scale": "yes_no_not_known",
             "required": true, "applies_when": {...}, "options": [[value, label], ...],
             "multiple": false}
         ]}
      ],
      "scoring": {
        "method": "count_yes" | "sum" | "domain_ratings",
        "items": ["X-01", ...],             # optional: which items score (default: by scale)
        "values": ["yes"],                  # count_yes: which answers count
        "combine": "max",                   # domain_ratings
        "bands": [{"code", "label", "level", "min", "max" (null: no upper bound),
                   "prompts": [{"code", "text"}]}]
      }
    }

Methods (risk tools, with bands onto the common risk level):
  count_yes       score = number of applicable scored items answered with one of ``values``
  sum             score = sum of applicable numeric answers (the 0-3 scale)
  domain_ratings  each scored item is a low/moderate/high rating; score = rank (1-3) of the
                  highest (``combine: max``); the band is read from that rank
Bands map the score onto the tool's own band label and the common low/medium/high level.

Method for measures (psychometrics, questionnaires: instruments whose purpose is not risk),
with no bands and no risk level::

    "scoring": {"method": "scales",
                "scales": [{"code": "total", "label": "...", "items": [...],
                            "combine": "sum" | "mean", "higher": "what a higher score means"}]}

  scales          a score per scale. ``sum`` adds the scale's numeric answers and is None
                  unless every item of the scale has one (a partial sum would read as a
                  lower score); ``mean`` averages the numeric answers given (rounded to two
                  places) and is None when there are none, so "prefer not to say" lowers
                  nothing. The first scale is the primary one (lists and dashboards).
"""

from dataclasses import dataclass

from risk.models import RiskLevel

SCHEMA = 1
PREFER_NOT_TO_SAY = "prefer_not"

# The fixed set of answer scales. Options are (value, label); ``numeric`` scales sum.
SCALES = {
    "yes_no_not_known": {
        "label": "Yes, no or not known",
        "options": [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")],
    },
    "yes_no": {"label": "Yes or no", "options": [("yes", "Yes"), ("no", "No")]},
    "zero_to_three": {
        "label": "0 to 3",
        "options": [("0", "0 (none)"), ("1", "1"), ("2", "2"), ("3", "3 (severe)")],
        "numeric": True,
    },
    "low_moderate_high": {
        "label": "Low, moderate or high",
        "options": [("low", "Low"), ("moderate", "Moderate"), ("high", "High")],
        "ranked": True,
    },
    # Measures (psychometrics and questionnaires): whole-number ratings.
    "one_to_five": {
        "label": "1 to 5",
        "options": [(str(n), str(n)) for n in range(1, 6)],
        "numeric": True,
    },
    "one_to_seven": {
        "label": "1 to 7",
        "options": [(str(n), str(n)) for n in range(1, 8)],
        "numeric": True,
    },
    # A victim questionnaire's agreement scale; "prefer not to say" is an answer that no
    # score counts.
    "agreement_or_prefer_not": {
        "label": "Agreement, 1 to 5, or prefer not to say",
        "options": [
            ("1", "1 Strongly disagree"),
            ("2", "2 Disagree"),
            ("3", "3 Neither agree nor disagree"),
            ("4", "4 Agree"),
            ("5", "5 Strongly agree"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
        "numeric": True,
    },
    # Options come from the item ("options"); "multiple": true allows more than one.
    "choice": {"label": "Choice from a list", "options": []},
    "text": {"label": "Free text", "options": []},
}
# Scales a partnership admin may use for a local tool.
LOCAL_SCALES = ("yes_no_not_known", "zero_to_three", "low_moderate_high")
RATING_RANK = {"low": 1, "moderate": 2, "high": 3}
METHODS = ("count_yes", "sum", "domain_ratings")
# Scoring for instruments whose purpose is not risk (risk.models.InstrumentPurpose).
MEASURE_METHODS = ("scales",)
COMBINE = ("sum", "mean")
# Items each method scores when the definition does not list them.
METHOD_SCALES = {
    "count_yes": ("yes_no", "yes_no_not_known"),
    "sum": ("zero_to_three",),
    "domain_ratings": ("low_moderate_high",),
}
DEFAULT_REVIEW_MONTHS = {"high": 3, "default": 6}


class DefinitionError(ValueError):
    """A definition that cannot be scored: ``errors`` is a list of messages."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    scale: str
    section: str
    required: bool
    options: tuple
    multiple: bool
    applies_when: dict | None


def items(definition):
    """Every item in order, with its section's condition folded in."""
    result = []
    for section in definition.get("sections", []):
        for raw in section.get("items", []):
            scale = raw.get("scale", "")
            options = tuple(
                tuple(o) for o in (raw.get("options") or SCALES.get(scale, {}).get("options", []))
            )
            result.append(
                Item(
                    code=raw["code"],
                    label=raw.get("label", ""),
                    scale=scale,
                    section=section.get("code", ""),
                    required=raw.get("required", scale != "text"),
                    options=options,
                    multiple=bool(raw.get("multiple")),
                    applies_when=raw.get("applies_when") or section.get("applies_when"),
                )
            )
    return result


def _applies(item, answers):
    condition = item.applies_when
    if not condition:
        return True
    return answers.get(condition["item"]) in condition.get("in", [])


def scored_items(definition):
    scoring = definition["scoring"]
    listed = scoring.get("items")
    everything = items(definition)
    if listed:
        return [i for i in everything if i.code in set(listed)]
    scales = METHOD_SCALES[scoring["method"]]
    return [i for i in everything if i.scale in scales]


def validate_definition(definition):
    """Raise DefinitionError listing every problem, or return None."""
    errors = []
    if definition.get("schema") != SCHEMA:
        errors.append(f"schema must be {SCHEMA}")
    all_items = items(definition) if isinstance(definition.get("sections"), list) else []
    if not all_items:
        errors.append("the instrument needs at least one item")
    codes = [i.code for i in all_items]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(f"item codes must be unique: {', '.join(duplicates)}")
    for item in all_items:
        if item.scale not in SCALES:
            errors.append(f"{item.code}: unknown scale {item.scale!r}")
        elif item.scale == "choice" and not item.options:
            errors.append(f"{item.code}: a choice item needs options")
        if item.applies_when and item.applies_when.get("item") not in codes:
            errors.append(f"{item.code}: applies_when names an unknown item")
    scoring = definition.get("scoring") or {}
    method = scoring.get("method")
    if method in MEASURE_METHODS:
        errors.extend(scale_errors(scoring.get("scales"), {i.code: i for i in all_items}))
    elif method not in METHODS:
        errors.append(f"scoring method must be one of {', '.join(METHODS + MEASURE_METHODS)}")
    else:
        for code in scoring.get("items") or []:
            if code not in codes:
                errors.append(f"scoring names an unknown item {code}")
        scored = scored_items(definition) if not errors else []
        wrong = [i.code for i in scored if i.scale not in METHOD_SCALES[method]]
        if wrong:
            errors.append(f"{method} cannot score items {', '.join(wrong)} (wrong scale)")
        if not errors and not scored:
            errors.append(f"{method} has no items to score")
        if not errors:
            errors.extend(
                band_errors(
                    scoring.get("bands") or [], lowest_score(definition), max_score(definition)
                )
            )
    if errors:
        raise DefinitionError(errors)


def scale_errors(scales, by_code):
    if not isinstance(scales, list) or not scales:
        return ["scales needs at least one scale"]
    errors = []
    codes = [scale.get("code") for scale in scales]
    if len(set(codes)) != len(codes) or not all(codes):
        errors.append("every scale needs a unique code")
    for scale in scales:
        name = scale.get("code") or "?"
        if scale.get("combine") not in COMBINE:
            errors.append(f"scale {name}: combine must be sum or mean")
        if not scale.get("items"):
            errors.append(f"scale {name}: needs items")
        for code in scale.get("items") or []:
            item = by_code.get(code)
            if item is None:
                errors.append(f"scale {name} names an unknown item {code}")
            elif not SCALES.get(item.scale, {}).get("numeric"):
                errors.append(f"scale {name} cannot score {code} (not a numeric scale)")
    return errors


def scale_range(definition, scale):
    """(lowest, highest) score a scale can take."""
    by_code = {i.code: i for i in items(definition)}
    bounds = [[int(v) for v, _ in by_code[code].options if v.isdigit()] for code in scale["items"]]
    if scale["combine"] == "mean":
        return min(min(b) for b in bounds), max(max(b) for b in bounds)
    return sum(min(b) for b in bounds), sum(max(b) for b in bounds)


def max_score(definition):
    scored = scored_items(definition)
    method = definition["scoring"]["method"]
    if method == "count_yes":
        return len(scored)
    if method == "sum":
        return sum(max(int(v) for v, _ in i.options) for i in scored)
    return max(RATING_RANK.values())


def lowest_score(definition):
    return 1 if definition["scoring"]["method"] == "domain_ratings" else 0


def band_errors(bands, low, high):
    return [message for _, _, message in band_problems(bands, low, high)]


def band_problems(bands, low, high):
    """Bands must be in order, not overlap, leave no gap, and cover low..high.

    A list of (band index or None, field or None, message), so a form can put each
    message next to the field it is about."""
    problems = []
    if not bands:
        return [(None, None, "add at least one band")]
    levels = set(RiskLevel.values)
    expected = low
    for n, band in enumerate(bands, start=1):
        at = n - 1
        if band.get("level") not in levels:
            problems.append((at, "level", f"band {n}: level must be low, medium or high"))
        if not band.get("label"):
            problems.append((at, "label", f"band {n}: give a label"))
        start, end = band.get("min"), band.get("max")
        if not isinstance(start, int) or (end is not None and not isinstance(end, int)):
            problems.append((at, "min", f"band {n}: from and to must be whole numbers"))
            return problems
        if end is not None and end < start:
            problems.append((at, "max", f"band {n}: 'to' is below 'from'"))
        if start != expected:
            problems.append(
                (
                    at,
                    "min",
                    f"band {n} must start at {expected}: no gap or overlap between bands",
                )
            )
        if end is None:
            if n != len(bands):
                problems.append((at, "max", f"band {n}: only the last band may be open-ended"))
            expected = None
            break
        expected = end + 1
    if expected is not None and expected <= high:
        problems.append(
            (
                len(bands) - 1,
                "max",
                f"the bands stop at {expected - 1}; they must cover scores up to {high}",
            )
        )
    return problems


def clean_answers(definition, answers, *, complete):
    """(cleaned answers, {item code: message}).

    Unknown codes and values are errors; answers to items that do not apply are dropped;
    when ``complete`` every applicable required item needs an answer.
    """
    errors = {}
    by_code = {i.code: i for i in items(definition)}
    cleaned = {}
    for code, value in (answers or {}).items():
        item = by_code.get(code)
        if item is None:
            errors[code] = f"{code} is not an item of this instrument"
            continue
        if value in (None, "", []):
            continue
        if item.scale == "text":
            cleaned[code] = str(value).strip()[:2000]
            continue
        allowed = {v for v, _ in item.options}
        values = value if isinstance(value, list) else [value]
        values = [str(v) for v in values]
        if not item.multiple and len(values) > 1:
            errors[code] = f"Choose one answer for {code}"
        elif any(v not in allowed for v in values):
            errors[code] = f"Choose one of: {', '.join(sorted(allowed))}"
        else:
            cleaned[code] = values if item.multiple else values[0]
    cleaned = {code: v for code, v in cleaned.items() if _applies(by_code[code], cleaned)}
    if complete:
        for item in by_code.values():
            if item.required and _applies(item, cleaned) and item.code not in cleaned:
                errors.setdefault(item.code, f"Answer {item.code} {item.label}".strip())
    return cleaned, errors


def _numeric(value):
    return int(value) if isinstance(value, str) and value.isdigit() else None


def scale_scores(definition, answers):
    """{scale code: {label, score, answered, items, min, max, higher}} in definition order."""
    result = {}
    for scale in definition["scoring"]["scales"]:
        values = [_numeric(answers.get(code)) for code in scale["items"]]
        given = [v for v in values if v is not None]
        if scale["combine"] == "sum":
            total = sum(given) if len(given) == len(values) else None
        else:
            total = round(sum(given) / len(given), 2) if given else None
        low, high = scale_range(definition, scale)
        result[scale["code"]] = {
            "label": scale.get("label", scale["code"]),
            "score": total,
            "answered": len(given),
            "items": len(values),
            "min": low,
            "max": high,
            "higher": scale.get("higher", ""),
        }
    return result


def _score_scales(definition, answers):
    scales = scale_scores(definition, answers)
    primary = next(iter(scales.values()))
    return {
        "method": "scales",
        "score": primary["score"],
        "scales": scales,
        "band": "",
        "band_label": "",
        "level": "",
        "prompts": [],
        "domains": {},
    }


def change(before, after):
    """{scale code: after - before} for the scales both results scored (a measure's pre to
    post change); a positive number means the score went up."""
    pre, post = before.get("scales") or {}, after.get("scales") or {}
    return {
        code: round(post[code]["score"] - scale["score"], 2)
        for code, scale in pre.items()
        if scale["score"] is not None and (post.get(code) or {}).get("score") is not None
    }


def complete_result(definition, answers):
    """(cleaned answers, result, {item code: message}) for a measure or questionnaire
    recorded in one go: every required item answered (the result is None on errors)."""
    cleaned, errors = clean_answers(definition, answers, complete=True)
    return cleaned, (None if errors else score(definition, cleaned)), errors


def scale_rows(before, after):
    """Per scale of either result: {code, label, higher, before, after, change} (None where
    a side is missing or unscored), for showing pre → post or start → end."""
    first = before or after
    delta = change(before, after) if before and after else {}

    def _score(result, code):
        return ((result or {}).get("scales", {}).get(code) or {}).get("score")

    return [
        {
            "code": code,
            "label": scale["label"],
            "higher": scale.get("higher", ""),
            "before": _score(before, code),
            "after": _score(after, code),
            "change": delta.get(code),
        }
        for code, scale in (first or {}).get("scales", {}).items()
    ]


def score(definition, answers):
    """The result as the definition defines it. Answers must already be clean."""
    scoring = definition["scoring"]
    method = scoring["method"]
    if method in MEASURE_METHODS:
        return _score_scales(definition, answers)
    scored = [i for i in scored_items(definition) if _applies(i, answers)]
    domains = {}
    if method == "count_yes":
        counted = set(scoring.get("values") or ["yes"])
        total = sum(1 for i in scored if answers.get(i.code) in counted)
    elif method == "sum":
        total = sum(int(answers[i.code]) for i in scored if i.code in answers)
    else:
        domains = {i.code: answers[i.code] for i in scored if i.code in answers}
        ranks = [RATING_RANK[v] for v in domains.values()]
        total = max(ranks) if scoring.get("combine", "max") == "max" and ranks else 0
    band = band_for(scoring["bands"], total)
    return {
        "method": method,
        "score": total,
        "scored_items": len(scored),
        "band": band.get("code", ""),
        "band_label": band.get("label", ""),
        "level": band.get("level", ""),
        "prompts": list(band.get("prompts", [])),
        "domains": domains,
    }


def band_for(bands, total):
    for band in bands:
        if total >= band["min"] and (band["max"] is None or total <= band["max"]):
            return band
    return {}


def review_months(definition, level):
    months = {**DEFAULT_REVIEW_MONTHS, **(definition.get("review_months") or {})}
    return months.get(level, months["default"])
