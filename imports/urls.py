from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("new/", views.batch_new, name="new"),
    path("<int:pk>/", views.batch_detail, name="detail"),
    path("<int:pk>/check/", views.batch_check, name="check"),
    path("<int:pk>/commit/", views.batch_commit, name="commit"),
    path("<int:pk>/rollback/", views.batch_rollback, name="rollback"),
]
