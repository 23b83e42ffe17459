from django.urls import include, path

from cases.views import core as views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="new"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/share/", views.case_share, name="share"),
    path("<int:pk>/agencies/<int:agency_id>/unshare/", views.case_unshare, name="unshare"),
    # Areas in their own modules; names stay in the "cases:" namespace.
    path("", include("cases.urls.people")),
    path("", include("cases.urls.referrals")),
    path("", include("cases.urls.record")),
    path("", include("cases.urls.events")),
    path("", include("cases.urls.reference")),
]
