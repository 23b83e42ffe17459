from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notification_read_all, name="notification-read-all"),
    path("<int:pk>/read/", views.notification_read, name="notification-read"),
    path("<int:pk>/open/", views.notification_open, name="notification-open"),
]
