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
