"""allauth's pages Concord uses, under /accounts/ (Concord's own sign-in page stays)."""

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import views

urlpatterns = [
    path("2fa/", include("allauth.mfa.urls")),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("inactive/", login_not_required(account_views.account_inactive), name="account_inactive"),
    path("sso/<str:provider_id>/login/", views.sso_login, name="openid_connect_login"),
    path(
        "sso/<str:provider_id>/login/callback/",
        views.sso_callback,
        name="openid_connect_callback",
    ),
    path(
        "sso/cancelled/",
        login_not_required(social_views.login_cancelled),
        name="socialaccount_login_cancelled",
    ),
    path(
        "sso/error/", login_not_required(social_views.login_error), name="socialaccount_login_error"
    ),
]
