"""The partnership admin's reference-data pages (code lists and local codes)."""

from django.urls import path

from cases.views import reference as reference_views

urlpatterns = [
    path("reference-data/", reference_views.code_lists, name="reference-data"),
    path("reference-data/new/", reference_views.code_add, name="reference-code-new"),
    path(
        "reference-data/<int:pk>/relabel/",
        reference_views.code_relabel,
        name="reference-code-relabel",
    ),
    path(
        "reference-data/<int:pk>/retire/",
        reference_views.code_retire,
        name="reference-code-retire",
    ),
]
