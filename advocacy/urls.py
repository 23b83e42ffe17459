from django.urls import path

from advocacy.views import disclosures as disclosure_views
from advocacy.views import episodes as episode_views
from advocacy.views import questionnaires as questionnaire_views
from advocacy.views import referrals as referral_views
from advocacy.views import safety as safety_views

app_name = "advocacy"
urlpatterns = [
    path("", episode_views.caseload, name="caseload"),
    path("team/", episode_views.team_caseload, name="team-caseload"),
    path("referrals/", referral_views.referral_queue, name="referral-queue"),
    path("referrals/direct/", referral_views.self_referral, name="self-referral"),
    path("referrals/<int:pk>/accept/", referral_views.referral_accept, name="referral-accept"),
    path("referrals/<int:pk>/decline/", referral_views.referral_decline, name="referral-decline"),
    path("cases/<int:case_pk>/start/", episode_views.episode_start, name="episode-start"),
    path(
        "cases/<int:case_pk>/risk-updates/",
        disclosure_views.case_risk_updates,
        name="case-risk-updates",
    ),
    path("episodes/<int:pk>/", episode_views.episode_detail, name="episode-detail"),
    path(
        "episodes/<int:pk>/disclosures/",
        disclosure_views.episode_disclosures,
        name="episode-disclosures",
    ),
    path(
        "episodes/<int:pk>/risk-updates/new/",
        disclosure_views.risk_update_new,
        name="risk-update-new",
    ),
    path("episodes/<int:pk>/contacts/", episode_views.episode_contacts, name="episode-contacts"),
    path("episodes/<int:pk>/contacts/new/", episode_views.contact_new, name="contact-new"),
    path("episodes/<int:pk>/edit/", episode_views.episode_edit, name="episode-edit"),
    path("episodes/<int:pk>/close/", episode_views.episode_close, name="episode-close"),
    path("episodes/<int:pk>/safety-plan/", safety_views.safety_plan, name="safety-plan"),
    path(
        "episodes/<int:pk>/questionnaires/",
        questionnaire_views.questionnaires,
        name="questionnaires",
    ),
    path(
        "episodes/<int:pk>/questionnaires/new/",
        questionnaire_views.questionnaire_new,
        name="questionnaire-new",
    ),
    path(
        "episodes/<int:pk>/safety-plan/new/", safety_views.safety_plan_new, name="safety-plan-new"
    ),
    path("episodes/<int:pk>/target-hardening/new/", safety_views.measure_new, name="measure-new"),
    path(
        "episodes/<int:episode_pk>/target-hardening/<int:pk>/",
        safety_views.measure_edit,
        name="measure-edit",
    ),
]
