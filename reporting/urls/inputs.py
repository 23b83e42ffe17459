"""The report set-up pages (mounted at /reports/setup/): local areas, training events and
staff FTE."""

from django.urls import path

from reporting.views import inputs as views

urlpatterns = [
    path("", views.setup, name="setup"),
    path("areas/", views.local_area_list, name="local-area-list"),
    path("areas/new/", views.local_area_new, name="local-area-new"),
    path("areas/<int:pk>/edit/", views.local_area_edit, name="local-area-edit"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_new, name="training-new"),
    path("training/<int:pk>/edit/", views.training_edit, name="training-edit"),
    path("training/<int:pk>/delete/", views.training_delete, name="training-delete"),
    path("fte/", views.fte_list, name="fte-list"),
    path("fte/new/", views.fte_new, name="fte-new"),
    path("fte/<int:pk>/edit/", views.fte_edit, name="fte-edit"),
    path("fte/<int:pk>/delete/", views.fte_delete, name="fte-delete"),
]
