"""Meeting minutes and closing a meeting (included under /clinics/, namespace triage)."""

from django.urls import path

from triage import views_minutes

urlpatterns = [
    path("meetings/<int:pk>/close/", views_minutes.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/minutes/", views_minutes.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/minutes.pdf",
        views_minutes.meeting_minutes_pdf,
        name="meeting-minutes-pdf",
    ),
]
