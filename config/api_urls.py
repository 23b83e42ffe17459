from django.urls import include, path
from rest_framework.routers import DefaultRouter

from advocacy.api import disclosures as advocacy_disclosures_api
from advocacy.api import episodes as advocacy_episodes_api
from advocacy.api import questionnaires as advocacy_questionnaires_api
from advocacy.api import referrals as advocacy_referrals_api
from advocacy.api import safety as advocacy_safety_api
from cases.api import core as cases_api
from cases.api import events as cases_events_api
from cases.api import people as cases_people_api
from cases.api import record as cases_record_api
from cases.api import reference as cases_reference_api
from cases.api import referrals as cases_referrals_api
from cases.api import screening as cases_screening_api
from imports import api as imports_api
from interventions.api import compliance as interventions_compliance_api
from interventions.api import dashboard as interventions_dashboard_api
from interventions.api import eligibility as interventions_eligibility_api
from interventions.api import enrolments as interventions_enrolments_api
from interventions.api import measures as interventions_measures_api
from interventions.api import programmes as interventions_programmes_api
from interventions.api import reports as interventions_reports_api
from interventions.api import sessions as interventions_sessions_api
from reporting.api import notifications as reporting_notifications_api
from reporting.api import reports as reporting_reports_api
from risk import api as risk_api
from triage.api import actions as triage_actions_api
from triage.api import clinics as triage_clinics_api


class Router(DefaultRouter):
    """No format suffixes (/cases.json): the API speaks JSON only, and a suffix route hands
    every view a ``format`` argument that custom actions do not take (a 500)."""

    include_format_suffixes = False


router = Router()
router.register(r"imports/batches", imports_api.ImportBatchViewSet, basename="import-batch")
router.register(r"imports/(?P<kind>[a-z_]+)/bulk", imports_api.BulkViewSet, basename="import-bulk")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register(
    r"cases/(?P<case_pk>\d+)/parties", cases_api.CasePartyViewSet, basename="case-party"
)
router.register("referrals", cases_referrals_api.ReferralViewSet, basename="referral")
# Each area registers its own endpoints.
for area in (
    cases_screening_api,
    cases_people_api,
    cases_record_api,
    cases_events_api,
    cases_reference_api,
    triage_clinics_api,
    triage_actions_api,
    risk_api,
    advocacy_episodes_api,
    advocacy_referrals_api,
    advocacy_safety_api,
    advocacy_disclosures_api,
    advocacy_questionnaires_api,
    interventions_programmes_api,
    interventions_enrolments_api,
    interventions_sessions_api,
    interventions_measures_api,
    interventions_dashboard_api,
    interventions_eligibility_api,
    interventions_compliance_api,
    interventions_reports_api,
    reporting_notifications_api,
    reporting_reports_api,
):
    area.register(router)

urlpatterns = [
    path("me/", cases_api.me, name="me"),
    path("", include(router.urls)),
]
