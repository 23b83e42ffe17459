"""Reporting's pages, one module per topic; every name is in the "reporting:" namespace."""

from django.urls import include, path

app_name = "reporting"
urlpatterns = [
    path("", include("reporting.urls.notifications")),
    path("reports/", include("reporting.urls.reports")),
    path("reports/dashboard/", include("reporting.urls.dashboards")),
    path("reports/evaluation/", include("reporting.urls.evaluation")),
    path("reports/extracts/", include("reporting.urls.extracts")),
    path("reports/setup/", include("reporting.urls.inputs")),
]
