"""Criminal-justice events on a case and the "tell the victim" tasks."""

from django.urls import path

from cases.views import events as event_views

urlpatterns = [
    path("<int:pk>/events/", event_views.case_events, name="events"),
    path("<int:pk>/events/new/", event_views.case_event_new, name="event-new"),
    path("parties/<int:pk>/rights/", event_views.party_rights, name="party-rights"),
    path("victim-notifications/", event_views.victim_notifications, name="victim-notifications"),
    path(
        "victim-notifications/<int:pk>/",
        event_views.victim_notification,
        name="victim-notification",
    ),
]
