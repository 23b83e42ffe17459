"""Report runs: ask for a report, follow its progress, download it, drill into a figure."""

from django.urls import path

from reporting.views import reports as views

urlpatterns = [
    path("", views.report_home, name="reports"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/again/", views.run_again, name="run-again"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run-retry"),
    path("runs/<int:pk>/files/<int:file_pk>/", views.file_download, name="run-file"),
    path("runs/<int:pk>/figures/<slug:metric>/", views.figure_detail, name="run-figure"),
]
