"""The generic engine on the national definitions as loaded by the migration."""

import pytest

from risk import scoring
from risk.national import NATIONAL_V1
from tests.factories_risk import national_version

pytestmark = pytest.mark.django_db


def _dash(yes):
    return {f"DASH-{n:02d}": ("yes" if n <= yes else "no") for n in range(1, 28)}


def _definition(code):
    return national_version(code).definition


def _score(code, answers):
    definition = _definition(code)
    cleaned, errors = scoring.clean_answers(definition, answers, complete=True)
    assert errors == {}
    return scoring.score(definition, cleaned)


def test_migration_loads_every_national_instrument_with_valid_definitions():
    for code, _, _ in NATIONAL_V1:
        version = national_version(code)
        assert version.version == 1
        assert version.instrument.partnership is None
        assert version.item_wording == {}
        scoring.validate_definition(version.definition)
    assert len(scoring.items(_definition("dash"))) == 27
    assert len(scoring.items(_definition("s-dash"))) == 11


def test_labels_are_short_and_codes_unique():
    for code, _, _ in NATIONAL_V1:
        items = scoring.items(_definition(code))
        assert len({i.code for i in items}) == len(items)
        assert all(0 < len(i.label) <= 60 for i in items)


@pytest.mark.parametrize(
    ("yes", "band", "level", "marac"),
    [
        (0, "standard", "low", False),
        (9, "standard", "low", False),
        (10, "medium", "medium", False),
        (13, "medium", "medium", False),
        (14, "high", "high", True),
        (27, "high", "high", True),
    ],
)
def test_dash_boundaries(yes, band, level, marac):
    result = _score("dash", _dash(yes))
    assert result["score"] == yes
    assert result["band"] == band
    assert result["level"] == level
    assert ("marac" in [p["code"] for p in result["prompts"]]) is marac


def test_dash_not_known_is_an_answer_but_not_a_yes():
    answers = _dash(13)
    answers["DASH-27"] = "not_known"
    assert _score("dash", answers)["score"] == 13


def test_completing_needs_every_item_but_a_draft_does_not():
    definition = _definition("dash")
    answers = _dash(14)
    del answers["DASH-05"]
    _, errors = scoring.clean_answers(definition, answers, complete=True)
    assert list(errors) == ["DASH-05"]
    _, errors = scoring.clean_answers(definition, answers, complete=False)
    assert errors == {}


def test_bad_values_and_unknown_codes_are_errors():
    definition = _definition("dash")
    _, errors = scoring.clean_answers(
        definition, {"DASH-01": "maybe", "NOPE-01": "yes"}, complete=False
    )
    assert set(errors) == {"DASH-01", "NOPE-01"}


def _sash(yes, ex_partner=False, ex_partner_yes=0):
    answers = {"SASH-EP": "yes" if ex_partner else "no"}
    answers.update({f"SASH-{n:02d}": ("yes" if n <= yes else "no") for n in range(1, 14)})
    for n in range(14, 17):
        answers[f"SASH-{n:02d}"] = "yes" if n - 13 <= ex_partner_yes else "no"
    return answers


@pytest.mark.parametrize(
    ("yes", "band", "level", "srp"),
    [
        (3, "low", "low", False),
        (4, "moderate", "medium", True),
        (7, "moderate", "medium", True),
        (8, "high", "high", True),
    ],
)
def test_sash_bands_and_srp_prompt(yes, band, level, srp):
    result = _score("sash", _sash(yes))
    assert (result["band"], result["level"]) == (band, level)
    assert ("srp" in [p["code"] for p in result["prompts"]]) is srp


def test_sash_ex_partner_items_count_only_when_the_case_is_an_ex_partner():
    definition = _definition("sash")
    # Not an ex-partner: the three answers are dropped and not counted or required.
    cleaned, errors = scoring.clean_answers(
        definition, _sash(3, ex_partner=False, ex_partner_yes=3), complete=True
    )
    assert errors == {}
    assert "SASH-14" not in cleaned
    assert scoring.score(definition, cleaned)["score"] == 3
    # An ex-partner: they count (3 + 3 = 6, moderate) and are required.
    assert _score("sash", _sash(3, ex_partner=True, ex_partner_yes=3))["score"] == 6
    answers = _sash(3, ex_partner=True)
    del answers["SASH-15"]
    _, errors = scoring.clean_answers(definition, answers, complete=True)
    assert list(errors) == ["SASH-15"]


def _srp(**ratings):
    answers = {"SRP-TYPE": ["rejected", "resentful"], "SRP-REL": "ex_intimate"}
    for domain in ("VIO", "PER", "REC", "PSY"):
        answers[f"SRP-{domain}"] = ratings.get(domain, "low")
    answers["SRP-VIO-Q"] = "Imminent if contact order refused"
    return answers


@pytest.mark.parametrize(
    ("ratings", "level"),
    [({}, "low"), ({"REC": "moderate"}, "medium"), ({"PSY": "high", "PER": "moderate"}, "high")],
)
def test_srp_overall_is_the_highest_domain(ratings, level):
    result = _score("srp", _srp(**ratings))
    assert result["level"] == level
    assert result["domains"]["SRP-VIO"] == "low"
    assert set(result["domains"]) == {"SRP-VIO", "SRP-PER", "SRP-REC", "SRP-PSY"}


def test_srp_type_takes_several_values_and_qualifiers_are_optional():
    definition = _definition("srp")
    answers = _srp()
    del answers["SRP-VIO-Q"]
    cleaned, errors = scoring.clean_answers(definition, answers, complete=True)
    assert errors == {}
    assert cleaned["SRP-TYPE"] == ["rejected", "resentful"]
    _, errors = scoring.clean_answers(definition, {"SRP-REL": ["a", "b"]}, complete=False)
    assert "SRP-REL" in errors


def test_bands_must_cover_every_score():
    assert scoring.band_errors([{"label": "L", "level": "low", "min": 0, "max": 3}], 0, 5) == [
        "the bands stop at 3; they must cover scores up to 5"
    ]
    gap = scoring.band_errors(
        [
            {"label": "L", "level": "low", "min": 0, "max": 3},
            {"label": "H", "level": "high", "min": 5, "max": None},
        ],
        0,
        5,
    )
    assert gap and "band 2 must start at 4" in gap[0]
    assert (
        scoring.band_errors(
            [
                {"label": "L", "level": "low", "min": 0, "max": 3},
                {"label": "H", "level": "high", "min": 4, "max": None},
            ],
            0,
            5,
        )
        == []
    )


def test_sum_method_for_a_zero_to_three_tool():
    definition = {
        "schema": 1,
        "sections": [
            {
                "code": "main",
                "label": "Main",
                "items": [
                    {"code": f"L-{n}", "label": f"Item {n}", "scale": "zero_to_three"}
                    for n in range(1, 4)
                ],
            }
        ],
        "scoring": {
            "method": "sum",
            "bands": [
                {"code": "a", "label": "Low", "level": "low", "min": 0, "max": 4},
                {"code": "b", "label": "High", "level": "high", "min": 5, "max": 9},
            ],
        },
    }
    scoring.validate_definition(definition)
    assert scoring.max_score(definition) == 9
    result = scoring.score(definition, {"L-1": "3", "L-2": "2", "L-3": "0"})
    assert (result["score"], result["level"]) == (5, "high")


# --- Measures: psychometrics and victim questionnaires (method "scales") ------------------


def _measure(code, answers, *, complete=True):
    definition = _definition(code)
    cleaned, errors = scoring.clean_answers(definition, answers, complete=complete)
    return scoring.score(definition, cleaned), errors


def _all(prefix, count, value):
    return {f"{prefix}-{n:02d}": str(value) for n in range(1, count + 1)}


@pytest.mark.parametrize(
    ("code", "prefix", "count", "low", "high"),
    [("aaq-ii", "AAQ2", 7, 7, 49), ("cfq", "CFQ", 7, 7, 49), ("psyflex", "PSYFLEX", 6, 6, 30)],
)
def test_psychometric_totals_at_their_boundaries(code, prefix, count, low, high):
    top = 7 if code != "psyflex" else 5
    lowest, errors = _measure(code, _all(prefix, count, 1))
    assert errors == {}
    assert lowest["score"] == low
    assert lowest["scales"]["total"] | {"score": low} == lowest["scales"]["total"]
    assert (lowest["scales"]["total"]["min"], lowest["scales"]["total"]["max"]) == (low, high)
    highest, _ = _measure(code, _all(prefix, count, top))
    assert highest["score"] == high
    # A measure has no risk band or level.
    assert highest["level"] == "" and highest["band"] == ""


def test_aaq2_rejects_values_off_its_scale_and_needs_every_item():
    answers = _all("AAQ2", 7, 4) | {"AAQ2-01": "8"}
    _, errors = _measure("aaq-ii", answers)
    assert "AAQ2-01" in errors
    missing = _all("AAQ2", 7, 4)
    del missing["AAQ2-07"]
    result, errors = _measure("aaq-ii", missing)
    assert errors == {"AAQ2-07": "Answer AAQ2-07 AAQ-II item 7"}
    # Scored anyway (a draft), the sum of an incomplete scale is unknown, not a lower total.
    assert result["score"] is None
    assert result["scales"]["total"]["answered"] == 6


def test_questionnaire_mean_leaves_out_prefer_not_to_say():
    answers = {
        "VV-01": "5",
        "VV-02": "4",
        "VV-03": "prefer_not",
        "VV-04": "3",
        "VV-05": "prefer_not",
        "VV-06": "prefer_not",
        "VV-07": "prefer_not",
    }
    result, errors = _measure("victim-voice", answers)
    assert errors == {}
    assert result["scales"]["satisfaction"]["score"] == 4.0
    assert result["scales"]["satisfaction"]["answered"] == 3
    assert result["scales"]["safety"]["score"] is None
    assert result["score"] == 4.0  # the first scale is the primary one


def test_questionnaire_items_need_an_answer_even_if_it_is_prefer_not_to_say():
    _, errors = _measure("victim-perception", {"VP-01": "2"})
    assert set(errors) == {"VP-02", "VP-03", "VP-04", "VP-05"}
    result, _ = _measure("victim-perception", {f"VP-0{n}": str(n) for n in range(1, 6)})
    assert result["scales"]["change"]["score"] == 3.0
    assert (result["scales"]["change"]["min"], result["scales"]["change"]["max"]) == (1, 5)


def test_change_per_scale_between_two_results():
    pre, _ = _measure("aaq-ii", _all("AAQ2", 7, 5))
    post, _ = _measure("aaq-ii", _all("AAQ2", 7, 3))
    assert scoring.change(pre, post) == {"total": -14}
    incomplete = dict(post, scales={"total": dict(post["scales"]["total"], score=None)})
    assert scoring.change(pre, incomplete) == {}


def test_scales_method_is_validated():
    definition = {
        "schema": 1,
        "sections": [{"code": "s", "items": [{"code": "A", "label": "A", "scale": "yes_no"}]}],
        "scoring": {"method": "scales", "scales": [{"code": "t", "items": ["A", "B"]}]},
    }
    with pytest.raises(scoring.DefinitionError) as raised:
        scoring.validate_definition(definition)
    assert set(raised.value.errors) == {
        "scale t: combine must be sum or mean",
        "scale t names an unknown item B",
        "scale t cannot score A (not a numeric scale)",
    }


def test_every_measure_loaded_by_the_migration_is_valid_and_not_a_risk_tool():
    from risk.measures import MEASURES_V1
    from risk.models import Instrument

    for code, _, purpose, _ in MEASURES_V1:
        version = national_version(code)
        scoring.validate_definition(version.definition)
        assert version.instrument.purpose == purpose
    assert Instrument.objects.get(code="dash").purpose == "risk"


def test_scale_rows_show_both_sides_and_the_change():
    pre, _ = _measure("aaq-ii", _all("AAQ2", 7, 4))
    post, _ = _measure("aaq-ii", _all("AAQ2", 7, 2))
    assert scoring.scale_rows(pre, post) == [
        {
            "code": "total",
            "label": "Psychological inflexibility",
            "higher": "more psychological inflexibility",
            "before": 28,
            "after": 14,
            "change": -14,
        }
    ]
    assert scoring.scale_rows(pre, None)[0]["after"] is None
    assert scoring.scale_rows(pre, None)[0]["change"] is None
