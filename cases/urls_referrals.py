from django.urls import path

from cases import referral_views

urlpatterns = [
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
]
