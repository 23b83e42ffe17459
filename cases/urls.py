from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="new"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/parties/new/", views.party_add, name="party-add"),
    path("<int:pk>/share/", views.case_share, name="share"),
    path("<int:pk>/agencies/<int:agency_id>/unshare/", views.case_unshare, name="unshare"),
]
