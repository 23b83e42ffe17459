"""The manager dashboard (included by reporting.urls.core at /reports/dashboard/)."""

from django.urls import path

from reporting.views import dashboards as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
