"""Psychometric measures and victim questionnaires, version 1, loaded by migration 0006.

Frozen like risk.national: to change one, add a new version under a new name and a new
migration; every recorded result keeps the definition it was scored with.

Item codes and neutral labels only ("AAQ-II item 1"): the published wording of AAQ-II, CFQ
and PsyFlex is the authors' and is loaded per deployment with
``manage.py load_instrument_wording <file.json>``, like the risk tools' wording.

The victim questionnaires are local to this product (no published instrument was chosen by
the partnerships): a neutral structure of agreement statements, each answered 1 to 5 or
"prefer not to say", scored as the mean of the answers given so that declining an item
never lowers a score. The same satisfaction questionnaire is asked at the start and at the
end of support, so the two can be compared scale by scale.
"""

SEVEN = "one_to_seven"
FIVE = "one_to_five"
AGREE = "agreement_or_prefer_not"


def _numbered(prefix, name, count, scale):
    return [
        {"code": f"{prefix}-{n:02d}", "label": f"{name} item {n}", "scale": scale}
        for n in range(1, count + 1)
    ]


def _total(prefix, count, label, higher):
    return {
        "method": "scales",
        "scales": [
            {
                "code": "total",
                "label": label,
                "items": [f"{prefix}-{n:02d}" for n in range(1, count + 1)],
                "combine": "sum",
                "higher": higher,
            }
        ],
    }


AAQ2_V1 = {
    "schema": 1,
    "about": (
        "Acceptance and Action Questionnaire II (AAQ-II): 7 items rated 1 (never true) to 7 "
        "(always true). Total 7 to 49; a higher total means more psychological "
        "inflexibility (experiential avoidance). Taken before and after an intervention."
    ),
    "sections": [
        {"code": "items", "label": "AAQ-II", "items": _numbered("AAQ2", "AAQ-II", 7, SEVEN)}
    ],
    "scoring": _total("AAQ2", 7, "Psychological inflexibility", "more psychological inflexibility"),
}

CFQ_V1 = {
    "schema": 1,
    "about": (
        "Cognitive Fusion Questionnaire (CFQ, 7 items) rated 1 (never true) to 7 (always "
        "true). Total 7 to 49; a higher total means more cognitive fusion."
    ),
    "sections": [{"code": "items", "label": "CFQ", "items": _numbered("CFQ", "CFQ", 7, SEVEN)}],
    "scoring": _total("CFQ", 7, "Cognitive fusion", "more cognitive fusion"),
}

PSYFLEX_V1 = {
    "schema": 1,
    "about": (
        "PsyFlex: 6 items rated 1 to 5, one per process of psychological flexibility. Total "
        "6 to 30; a higher total means more psychological flexibility (the opposite "
        "direction to AAQ-II). Check the item direction against the licensed scoring "
        "before loading the wording."
    ),
    "sections": [
        {"code": "items", "label": "PsyFlex", "items": _numbered("PSYFLEX", "PsyFlex", 6, FIVE)}
    ],
    "scoring": _total("PSYFLEX", 6, "Psychological flexibility", "more psychological flexibility"),
}

VICTIM_VOICE_V1 = {
    "schema": 1,
    "about": (
        "Victim questionnaire (local, version 1): asked at the start and at the end of "
        "support. Statements answered 1 (strongly disagree) to 5 (strongly agree) or "
        "'prefer not to say'. Each scale is the mean of the answers given; higher is better."
    ),
    "sections": [
        {
            "code": "support",
            "label": "The support and the response",
            "items": [
                {"code": "VV-01", "label": "Feels listened to by the services", "scale": AGREE},
                {"code": "VV-02", "label": "Kept informed about the case", "scale": AGREE},
                {"code": "VV-03", "label": "Knows where to get help", "scale": AGREE},
                {"code": "VV-04", "label": "Satisfied with the support", "scale": AGREE},
            ],
        },
        {
            "code": "safety",
            "label": "Feeling safe",
            "items": [
                {"code": "VV-05", "label": "Feels safe at home", "scale": AGREE},
                {"code": "VV-06", "label": "Feels safe when out", "scale": AGREE},
                {"code": "VV-07", "label": "Feels in control of daily life", "scale": AGREE},
            ],
        },
    ],
    "scoring": {
        "method": "scales",
        "scales": [
            {
                "code": "satisfaction",
                "label": "Satisfaction with the support",
                "items": ["VV-01", "VV-02", "VV-03", "VV-04"],
                "combine": "mean",
                "higher": "more satisfied",
            },
            {
                "code": "safety",
                "label": "Feeling safe",
                "items": ["VV-05", "VV-06", "VV-07"],
                "combine": "mean",
                "higher": "feels safer",
            },
        ],
    },
}

VICTIM_PERCEPTION_V1 = {
    "schema": 1,
    "about": (
        "Victim's view of change in the perpetrator's behaviour (local, version 1): asked at "
        "the end of support (and at the start where the victim has already had help). "
        "Statements answered 1 (strongly disagree) to 5 (strongly agree) or 'prefer not to "
        "say'; the scale is the mean of the answers given; higher means more change seen."
    ),
    "sections": [
        {
            "code": "change",
            "label": "Change in the perpetrator's behaviour",
            "items": [
                {"code": "VP-01", "label": "Unwanted contact has reduced", "scale": AGREE},
                {"code": "VP-02", "label": "Following or turning up has reduced", "scale": AGREE},
                {"code": "VP-03", "label": "Online or phone contact has reduced", "scale": AGREE},
                {"code": "VP-04", "label": "Contact through others has reduced", "scale": AGREE},
                {"code": "VP-05", "label": "Less afraid of the perpetrator", "scale": AGREE},
            ],
        }
    ],
    "scoring": {
        "method": "scales",
        "scales": [
            {
                "code": "change",
                "label": "Change seen in the behaviour",
                "items": ["VP-01", "VP-02", "VP-03", "VP-04", "VP-05"],
                "combine": "mean",
                "higher": "more change for the better",
            }
        ],
    },
}

# (code, name, purpose, definition)
MEASURES_V1 = [
    ("aaq-ii", "AAQ-II acceptance and action questionnaire", "psychometric", AAQ2_V1),
    ("cfq", "CFQ cognitive fusion questionnaire", "psychometric", CFQ_V1),
    ("psyflex", "PsyFlex psychological flexibility", "psychometric", PSYFLEX_V1),
    ("victim-voice", "Victim questionnaire: support and safety", "questionnaire", VICTIM_VOICE_V1),
    (
        "victim-perception",
        "Victim questionnaire: change in the perpetrator's behaviour",
        "questionnaire",
        VICTIM_PERCEPTION_V1,
    ),
]
