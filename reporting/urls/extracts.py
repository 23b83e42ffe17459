"""The research extract: ask for one, the requests, and the partnership admin's decision.
Its run page and downloads are the report runs' (reporting:run-detail)."""

from django.urls import path

from reporting.views import extracts as views

urlpatterns = [
    path("", views.extract_list, name="extract-list"),
    path("new/", views.extract_new, name="extract-new"),
    path("<int:pk>/decide/", views.extract_decide, name="extract-decide"),
]
