from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cases import api as cases_api
from cases import api_people, api_record, api_screening
from reporting import api as reporting_api
from risk import api as risk_api
from triage import api_actions, api_clinics

router = DefaultRouter()
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register(
    r"cases/(?P<case_pk>\d+)/parties", cases_api.CasePartyViewSet, basename="case-party"
)
router.register("referrals", cases_api.ReferralViewSet, basename="referral")
# Each area registers its own endpoints.
for area in (
    api_screening,
    api_people,
    api_record,
    api_clinics,
    api_actions,
    risk_api,
    reporting_api,
):
    area.register(router)

urlpatterns = [
    path("me/", cases_api.me, name="me"),
    path("", include(router.urls)),
]
