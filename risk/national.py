"""The national instruments' first versions, loaded by migration 0003.

Frozen: the migration reads these as they were when it ran. To change an instrument, add a
new version (a new dict here under a new name and a new migration), never edit these, so
that every completed assessment keeps the definition it was scored with.

Item codes and short neutral labels only. Licensed question wording is never shipped: a
deployment loads it with ``manage.py load_instrument_wording <file.json>``.
"""

YNK = "yes_no_not_known"
YN = "yes_no"
LMH = "low_moderate_high"


def _items(prefix, labels, scale, start=1):
    return [
        {"code": f"{prefix}-{n:02d}", "label": label, "scale": scale}
        for n, label in enumerate(labels, start=start)
    ]


DASH_LABELS = [
    "Current injury",
    "Very frightened",
    "Fears further harm",
    "Isolated from family or friends",
    "Depressed or suicidal",
    "Recent separation or attempt to separate",
    "Conflict over child contact",
    "Stalking or harassment",
    "Pregnancy or recent birth",
    "Children not the abuser's in household",
    "Abuser has hurt the children",
    "Threats to hurt the children",
    "Abuse happening more often",
    "Abuse getting worse",
    "Controlling or jealous behaviour",
    "Weapons or objects used to hurt",
    "Threats to kill",
    "Strangulation, choking or suffocation",
    "Sexual abuse",
    "Another person has threatened the victim",
    "Abuser has hurt anyone else",
    "Harm to animals or pets",
    "Financial issues",
    "Alcohol, drugs or mental health problems",
    "Abuser has threatened or attempted suicide",
    "Breach of bail, order or agreement",
    "Abuser's criminal history",
]

DASH_V1 = {
    "schema": 1,
    "about": (
        "Domestic Abuse, Stalking and Harassment and Honour Based Violence risk "
        "identification checklist (police, 2009). Count of 'yes' answers: 14 or more is high "
        "risk and a MARAC referral, 10 to 13 medium, under 10 standard. Professional "
        "judgement may raise the level, never lower it."
    ),
    "override": "raise",
    "review_months": {"high": 3, "default": 6},
    "sections": [
        {
            "code": "checklist",
            "label": "Risk identification checklist",
            "items": _items("DASH", DASH_LABELS, YNK),
        }
    ],
    "scoring": {
        "method": "count_yes",
        "values": ["yes"],
        "bands": [
            {"code": "standard", "label": "Standard", "level": "low", "min": 0, "max": 9},
            {"code": "medium", "label": "Medium", "level": "medium", "min": 10, "max": 13},
            {
                "code": "high",
                "label": "High",
                "level": "high",
                "min": 14,
                "max": None,
                "prompts": [{"code": "marac", "text": "Refer to MARAC: 14 or more 'yes' answers."}],
            },
        ],
    },
}

SDASH_LABELS = [
    "Very frightened",
    "Previous criminal history",
    "Incidents with others present",
    "Contact through third parties",
    "Following or loitering",
    "Threats to harm or kill",
    "Damage to property",
    "Sexual violence or threats",
    "Access to weapons",
    "Threats to others or children",
    "Preoccupation with the victim",
]

SDASH_V1 = {
    "schema": 1,
    "about": (
        "Stalking screening questions (S-DASH): a screening aid, not a risk assessment. "
        "Ask when there have been two or more incidents or the victim is very frightened. "
        "Count of 'yes' answers; the bands are a prompt for professional judgement and for "
        "a fuller assessment (SASH or SRP), and may be overridden."
    ),
    "screening_aid": True,
    "asked_when": "Two or more incidents, or the victim is very frightened.",
    "review_months": {"high": 3, "default": 6},
    "sections": [
        {
            "code": "screening",
            "label": "Stalking screening",
            "items": _items("SDASH", SDASH_LABELS, YN),
        }
    ],
    "scoring": {
        "method": "count_yes",
        "values": ["yes"],
        "bands": [
            {"code": "standard", "label": "Standard", "level": "low", "min": 0, "max": 3},
            {"code": "medium", "label": "Medium", "level": "medium", "min": 4, "max": 6},
            {
                "code": "high",
                "label": "High",
                "level": "high",
                "min": 7,
                "max": None,
                "prompts": [
                    {"code": "full_assessment", "text": "Arrange a SASH or SRP assessment."}
                ],
            },
        ],
    },
}

SASH_CORE_LABELS = [
    "Fixation on the victim",
    "Threats made",
    "Violence used",
    "Approaches at home",
    "Approaches at work or elsewhere",
    "Escalation",
    "Several methods of contact",
    "Third parties used",
    "Breach of orders or warnings",
    "Substance misuse",
    "Mental health concerns",
    "Previous stalking",
    "Victim's fear",
]
SASH_EX_PARTNER_LABELS = [
    "Abuse during the relationship",
    "Recent separation",
    "Dispute over children or property",
]
SRP_SRP_PROMPT = {
    "code": "srp",
    "text": "Refer for a Stalking Risk Profile (SRP) by a trained specialist.",
}

SASH_V1 = {
    "schema": 1,
    "about": (
        "Screening Assessment for Stalking and Harassment (SASH), for non-specialists: 13 "
        "core items plus 3 asked only when the stalker is an ex-partner. Concern level low, "
        "moderate or high (common scale low, medium, high); moderate or high prompts an SRP."
    ),
    "banding_note": (
        "Banding rule chosen for this product (the published SASH leaves the concern level "
        "to the assessor's judgement of the items): count of items present ('yes') among the "
        "items that apply (13, or 16 for an ex-partner): 0-3 low, 4-7 moderate, 8 or more "
        "high. The assessor can raise or lower the level with a recorded reason. A deployment "
        "with the authors' rule should add a new version with its bands."
    ),
    "review_months": {"high": 3, "default": 6},
    "sections": [
        {
            "code": "relationship",
            "label": "Relationship",
            "items": [
                {"code": "SASH-EP", "label": "Stalker is an ex-partner", "scale": YN},
            ],
        },
        {
            "code": "core",
            "label": "Core items",
            "items": _items("SASH", SASH_CORE_LABELS, YNK),
        },
        {
            "code": "ex_partner",
            "label": "Ex-partner items",
            "applies_when": {"item": "SASH-EP", "in": ["yes"]},
            "items": _items("SASH", SASH_EX_PARTNER_LABELS, YNK, start=14),
        },
    ],
    "scoring": {
        "method": "count_yes",
        "values": ["yes"],
        "items": [f"SASH-{n:02d}" for n in range(1, 17)],
        "bands": [
            {"code": "low", "label": "Low concern", "level": "low", "min": 0, "max": 3},
            {
                "code": "moderate",
                "label": "Moderate concern",
                "level": "medium",
                "min": 4,
                "max": 7,
                "prompts": [SRP_SRP_PROMPT],
            },
            {
                "code": "high",
                "label": "High concern",
                "level": "high",
                "min": 8,
                "max": None,
                "prompts": [SRP_SRP_PROMPT],
            },
        ],
    },
}


def _domain(code, label):
    return [
        {"code": f"SRP-{code}", "label": f"{label}: rating", "scale": LMH},
        {"code": f"SRP-{code}-Q", "label": f"{label}: qualifier", "scale": "text"},
    ]


SRP_V1 = {
    "schema": 1,
    "about": (
        "Stalking Risk Profile (SRP), for trained specialists: the stalker type, then four "
        "risk domains each rated low, moderate or high with a qualifier. The overall level "
        "is the highest domain rating."
    ),
    "review_months": {"high": 3, "default": 6},
    "sections": [
        {
            "code": "type",
            "label": "Stalker type and relationship",
            "items": [
                {
                    "code": "SRP-TYPE",
                    "label": "Stalker type",
                    "scale": "choice",
                    "multiple": True,
                    "options": [
                        ["rejected", "Rejected"],
                        ["resentful", "Resentful"],
                        ["intimacy_seeker", "Intimacy seeker"],
                        ["incompetent_suitor", "Incompetent suitor"],
                        ["predatory", "Predatory"],
                    ],
                },
                {
                    "code": "SRP-REL",
                    "label": "Prior relationship",
                    "scale": "choice",
                    "options": [
                        ["ex_intimate", "Ex-intimate partner"],
                        ["family", "Family member"],
                        ["acquaintance", "Acquaintance or friend"],
                        ["workplace", "Workplace contact"],
                        ["professional", "Professional contact"],
                        ["stranger", "Stranger"],
                        ["public_figure", "Public figure"],
                    ],
                },
            ],
        },
        {"code": "violence", "label": "Violence", "items": _domain("VIO", "Violence")},
        {"code": "persistence", "label": "Persistence", "items": _domain("PER", "Persistence")},
        {"code": "recurrence", "label": "Recurrence", "items": _domain("REC", "Recurrence")},
        {
            "code": "psychosocial",
            "label": "Psychosocial damage to the stalker",
            "items": _domain("PSY", "Psychosocial damage"),
        },
    ],
    "scoring": {
        "method": "domain_ratings",
        "combine": "max",
        "items": ["SRP-VIO", "SRP-PER", "SRP-REC", "SRP-PSY"],
        "bands": [
            {"code": "low", "label": "Low", "level": "low", "min": 1, "max": 1},
            {"code": "moderate", "label": "Moderate", "level": "medium", "min": 2, "max": 2},
            {"code": "high", "label": "High", "level": "high", "min": 3, "max": 3},
        ],
    },
}

NATIONAL_V1 = [
    ("dash", "DASH risk identification checklist", DASH_V1),
    ("s-dash", "S-DASH stalking screening questions", SDASH_V1),
    ("sash", "SASH screening assessment for stalking and harassment", SASH_V1),
    ("srp", "SRP stalking risk profile", SRP_V1),
]
