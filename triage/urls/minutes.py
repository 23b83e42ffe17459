"""Meeting minutes (included under /clinics/, namespace triage)."""

from django.urls import path

from triage.views import minutes as views_minutes

urlpatterns = [
    path("meetings/<int:pk>/minutes/", views_minutes.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes.pdf",
        views_minutes.meeting_minutes_pdf,
        name="meeting-minutes-pdf",
    ),
    path(
        "meetings/<int:pk>/minutes/files/<int:file_pk>.pdf",
        views_minutes.meeting_minutes_file,
        name="meeting-minutes-file",
    ),
    path(
        "meetings/<int:pk>/minutes/retry/",
        views_minutes.meeting_minutes_retry,
        name="meeting-minutes-retry",
    ),
]
