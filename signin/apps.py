from django.apps import AppConfig


class SigninConfig(AppConfig):
    """Single sign-on (OpenID Connect) and two-factor authentication, on django-allauth."""

    name = "signin"
    verbose_name = "Sign-in"

    def ready(self):
        from allauth.account.signals import user_logged_in
        from django.core import checks

        from .checks import check_settings
        from .roles import sync_roles_at_sso_login

        user_logged_in.connect(sync_roles_at_sso_login, dispatch_uid="signin.sync_roles")
        checks.register(check_settings)
