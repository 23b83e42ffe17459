"""The police daily crime screen: imports, worklist, screening actions, supervisor view."""

from django.urls import path

from cases.views import screening as views

app_name = "screening"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("imports/", views.import_list, name="imports"),
    path("imports/new/", views.import_new, name="import-new"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/actions/", views.entry_actions, name="entry-actions"),
    path("entries/<int:pk>/same-course/", views.entry_same_course, name="entry-same-course"),
    path("entries/<int:pk>/case/", views.entry_link_case, name="entry-link-case"),
    path("entries/<int:pk>/refer/", views.entry_refer, name="entry-refer"),
    path("actions/<int:pk>/decide/", views.reclassification_decide, name="decide"),
    path("supervisor/", views.supervisor, name="supervisor"),
]
