"""allauth's adapters, fitted to Concord's own sign-in page and roles."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render

from .matching import Refused, match_user

MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"

# The backend a user signed in by allauth is stored with: the one that reads roles with the
# user on every request (config/auth.py), never the throttling backend before it.
USER_BACKEND = "config.auth.UserBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Nobody signs up with a password: administrators create accounts.
        return False

    def get_login_stages(self):
        stages = super().get_login_stages()
        return [("signin.stages.LocalMFAStage" if s == MFA_STAGE else s) for s in stages]

    def login(self, request, user):
        if not hasattr(user, "backend"):
            user.backend = USER_BACKEND
        super().login(request, user)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # Concord's own sign-in says nothing on success; neither do the allauth steps.
        if message_template and "/messages/logged_in" in message_template:
            return
        super().add_message(request, level, message_template, *args, **kwargs)


def refusal(request, message, status=403):
    return render(request, "signin/refused.html", {"message": message}, status=status)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return settings.OIDC_CREATE_USERS

    def is_auto_signup_allowed(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            return
        try:
            user = match_user(sociallogin, may_create=settings.OIDC_CREATE_USERS)
        except Refused as refused:
            raise ImmediateHttpResponse(refusal(request, str(refused))) from refused
        if user is not None:
            sociallogin.connect(request, user)


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": (
            "That code is not right. Enter the 6-digit code your authenticator app shows now: "
            "it changes every 30 seconds."
        ),
    }
