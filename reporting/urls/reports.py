"""Report runs: ask for a report, follow its progress, download it, drill into a figure."""

from django.urls import path

from reporting.views import reports as views

urlpatterns = [
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
]
