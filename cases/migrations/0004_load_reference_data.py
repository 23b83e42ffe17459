"""National reference data, effective from 1 April 2019, and the move of existing coded
text (ethnicity, referral source) onto it."""

from datetime import date

from django.db import migrations

EFFECTIVE_FROM = date(2019, 4, 1)

LISTS = {
    "offence": [
        ("008/65", "Stalking involving fear of violence (s.4A)"),
        ("008/66", "Stalking involving serious alarm or distress (s.4A)"),
        ("195/12", "Course of conduct amounting to stalking (s.2A)"),
        ("8L", "Harassment"),
        ("8M", "Racially or religiously aggravated harassment"),
        ("BRO", "Breach of restraining order"),
        ("BSPO", "Breach of stalking protection order"),
        ("BNMO", "Breach of non-molestation order"),
        ("BCRO", "Breach of community resolution order"),
    ],
    "outcome": [
        ("1", "Charged or summonsed"),
        ("1a", "Alternative offence charged"),
        ("3", "Caution or conditional caution"),
        ("3a", "Alternative offence caution"),
        ("5", "Offender deceased"),
        ("8", "Community resolution"),
        ("9", "Prosecution not in the public interest (CPS)"),
        ("10", "Formal action not in the public interest (police)"),
        ("12", "Named suspect too ill to prosecute"),
        ("14", "Victim declines or is unable to support action to identify offender"),
        ("15", "Named suspect, evidential difficulties"),
        ("16", "Victim declines or withdraws support, named suspect identified"),
        ("17", "Prosecution time limit expired"),
        ("18", "Investigation complete, no suspect identified"),
        ("20", "Other agency has investigative primacy"),
        ("21", "Named suspect, investigation not in the public interest"),
    ],
    "relationship": [
        ("former_partner_parent", "Former partner and parent of children together"),
        ("former_partner", "Former partner"),
        ("acquaintance", "Acquaintance"),
        ("online_acquaintance", "Online acquaintance"),
        ("former_friend", "Former friend"),
        ("friend", "Friend"),
        ("colleague", "Colleague"),
        ("client_professional", "Client or patient and professional"),
        ("family", "Family member"),
        ("stranger", "Stranger"),
        ("not_known", "Not known"),
    ],
    "typology": [
        ("rejected", "Rejected"),
        ("resentful", "Resentful"),
        ("intimacy_seeker", "Intimacy seeker"),
        ("incompetent_suitor", "Incompetent suitor"),
        ("predatory", "Predatory"),
    ],
    "ethnicity": [
        ("A1", "Asian or Asian British: Indian"),
        ("A2", "Asian or Asian British: Pakistani"),
        ("A3", "Asian or Asian British: Bangladeshi"),
        ("A4", "Asian or Asian British: Chinese"),
        ("A5", "Asian or Asian British: any other Asian background"),
        ("B1", "Black, Black British, Caribbean or African: Caribbean"),
        ("B2", "Black, Black British, Caribbean or African: African"),
        ("B3", "Black, Black British, Caribbean or African: any other Black background"),
        ("M1", "Mixed or multiple: White and Black Caribbean"),
        ("M2", "Mixed or multiple: White and Black African"),
        ("M3", "Mixed or multiple: White and Asian"),
        ("M4", "Mixed or multiple: any other mixed background"),
        ("W1", "White: English, Welsh, Scottish, Northern Irish or British"),
        ("W2", "White: Irish"),
        ("W3", "White: Gypsy or Irish Traveller"),
        ("W4", "White: Roma"),
        ("W5", "White: any other White background"),
        ("O1", "Other ethnic group: Arab"),
        ("O2", "Other ethnic group: any other ethnic group"),
        ("Z", "Not known"),
    ],
    "referral_source": [
        ("police", "Police"),
        ("probation", "Probation"),
        ("health", "Health"),
        ("advocacy", "Advocacy service"),
        ("marac", "MARAC"),
        ("helpline", "Helpline"),
        ("self_via_advocacy", "Self-referral via advocacy"),
        ("unit", "The stalking unit itself"),
        ("other", "Other"),
    ],
    "closure_reason": [
        ("risk_reduced", "Risk reduced: no further partnership work needed"),
        ("intervention_completed", "Intervention completed"),
        ("not_stalking", "Not stalking after assessment"),
        ("victim_declined", "Victim declined support"),
        ("unable_to_engage", "Unable to engage the perpetrator"),
        ("perpetrator_custody", "Perpetrator in long-term custody"),
        ("perpetrator_deceased", "Perpetrator deceased"),
        ("moved_area", "Moved out of the partnership area: transferred"),
        ("other", "Other"),
    ],
}
NOT_KNOWN_CODES = {("relationship", "not_known"), ("ethnicity", "Z")}
LEGACY_ETHNICITY = {"asian": "A5", "black": "B3", "mixed": "M4", "white": "W5",
                    "other": "O2", "not_known": "Z"}


def load(apps, schema_editor):
    ReferenceCode = apps.get_model("cases", "ReferenceCode")
    codes = {}
    for code_list, rows in LISTS.items():
        for order, (code, label) in enumerate(rows, start=1):
            codes[code_list, code] = ReferenceCode.objects.create(
                code_list=code_list, code=code, label=label, effective_from=EFFECTIVE_FROM,
                sort_order=order, means_not_known=(code_list, code) in NOT_KNOWN_CODES,
            )
    Person = apps.get_model("cases", "Person")
    for legacy, code in LEGACY_ETHNICITY.items():
        Person.objects.filter(legacy_ethnicity=legacy).update(ethnicity=codes["ethnicity", code])
    Referral = apps.get_model("cases", "Referral")
    for source_code, _label in LISTS["referral_source"]:
        Referral.objects.filter(legacy_source=source_code).update(
            source=codes["referral_source", source_code]
        )
    Referral.objects.filter(source__isnull=True).update(source=codes["referral_source", "other"])


def unload(apps, schema_editor):
    apps.get_model("cases", "ReferenceCode").objects.filter(partnership__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_record_screening_reference")]

    operations = [migrations.RunPython(load, unload)]
