from django.urls import path

from advocacy import views

app_name = "advocacy"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("referrals/", views.referral_queue, name="referral-queue"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral-accept"),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral-decline"),
    path("cases/<int:case_pk>/start/", views.episode_start, name="episode-start"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode-detail"),
    path("episodes/<int:pk>/contacts/new/", views.contact_new, name="contact-new"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode-edit"),
    path("episodes/<int:pk>/close/", views.episode_close, name="episode-close"),
    path("episodes/<int:pk>/safety-plan/", views.safety_plan, name="safety-plan"),
    path("episodes/<int:pk>/safety-plan/new/", views.safety_plan_new, name="safety-plan-new"),
    path("episodes/<int:pk>/target-hardening/new/", views.measure_new, name="measure-new"),
    path(
        "episodes/<int:episode_pk>/target-hardening/<int:pk>/",
        views.measure_edit,
        name="measure-edit",
    ),
]
