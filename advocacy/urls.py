from django.urls import path

from advocacy import views

app_name = "advocacy"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("cases/<int:case_pk>/start/", views.episode_start, name="episode-start"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode-detail"),
    path("episodes/<int:pk>/contacts/new/", views.contact_new, name="contact-new"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode-edit"),
    path("episodes/<int:pk>/close/", views.episode_close, name="episode-close"),
]
