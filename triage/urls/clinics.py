"""Clinic pages (mounted at /clinics/, namespace triage); the actions tracker and the
minutes are included from their own topic modules under the same namespace."""

from django.urls import include, path

from triage.views import clinics as views

app_name = "triage"

urlpatterns = [
    path("", views.clinic_list, name="clinic-list"),
    path("new/", views.clinic_new, name="clinic-new"),
    path("<int:pk>/", views.clinic_detail, name="clinic-detail"),
    path("<int:pk>/edit/", views.clinic_edit, name="clinic-edit"),
    path("<int:pk>/meetings/new/", views.clinic_meeting_new, name="clinic-meeting-new"),
    path("cases/<int:pk>/discussions/", views.case_discussions, name="clinic-case-discussions"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/start/", views.meeting_start, name="meeting-start"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/reopen/", views.meeting_reopen, name="meeting-reopen"),
    path("meetings/<int:pk>/rebuild/", views.meeting_rebuild, name="meeting-rebuild"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/add-case/", views.meeting_add_case, name="meeting-add-case"),
    path("agenda-items/<int:pk>/move/", views.meeting_item_move, name="meeting-item-move"),
    path("agenda-items/<int:pk>/remove/", views.meeting_item_remove, name="meeting-item-remove"),
    path(
        "agenda-items/<int:pk>/discussion/",
        views.meeting_item_discussion,
        name="meeting-item-discussion",
    ),
    path("", include("triage.urls.actions")),
    path("", include("triage.urls.minutes")),
]
