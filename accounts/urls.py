from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("two-factor/", views.otp_verify, name="otp-verify"),
    path("two-factor/set-up/", views.otp_enrol, name="otp-enrol"),
    path("switch-agency/", views.switch_agency, name="switch-agency"),
    path("account/", views.account, name="account"),
    path("account/registration/", views.registration, name="registration"),
    path(
        "account/api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api-token-revoke",
    ),
    path("api-tokens/", views.partnership_api_tokens, name="partnership-api-tokens"),
    path(
        "api-tokens/<int:token_id>/revoke/",
        views.partnership_api_token_revoke,
        name="partnership-api-token-revoke",
    ),
]
