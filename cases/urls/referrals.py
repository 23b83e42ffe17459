from django.urls import path

from cases.views import referrals as referral_views

urlpatterns = [
    path("referrals/", referral_views.referral_list, name="referrals"),
    path("referrals/new/", referral_views.referral_new, name="referral-new"),
    path("referrals/new/check/", referral_views.referral_check, name="referral-check"),
    path("referrals/new/<slug:step>/", referral_views.referral_step, name="referral-step"),
    path("referrals/<int:pk>/", referral_views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/screen/", referral_views.referral_screen, name="referral-screen"),
    path("referrals/<int:pk>/decide/", referral_views.referral_decide, name="referral-decide"),
    path(
        "referrals/<int:pk>/withdraw/", referral_views.referral_withdraw, name="referral-withdraw"
    ),
]
