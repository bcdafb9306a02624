"""Single sign-on and two-factor settings (signin app, django-allauth), from the environment;
config/settings.py imports them and adds the apps, the middleware and the CSP source."""

import environ as _environ

_env = _environ.Env()  # private: settings.py star-imports this module

ACCOUNT_ADAPTER = "signin.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "signin.adapters.SocialAccountAdapter"
MFA_ADAPTER = "signin.adapters.MFAAdapter"
# Accounts are made by administrators or by the identity provider, never signed up for here.
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching by verified email is signin.matching's
SOCIALACCOUNT_REQUESTS_TIMEOUT = _env.int("OIDC_TIMEOUT_SECONDS", default=5)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = _env.str("MFA_TOTP_ISSUER", default="Concord")
# One 30-second step either side: a phone clock a little off still signs in.
MFA_TOTP_TOLERANCE = 1
# Concord's email addresses are typed by administrators, not confirmed by allauth.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Roles that must set up TOTP before using Concord: executive, partner_manager, viewer, staff.
MFA_REQUIRED_ROLES = _env.list("MFA_REQUIRED_ROLES", default=[])
# OpenID Connect: on when OIDC_ISSUER and OIDC_CLIENT_ID are set (signin/oidc.py).
OIDC_ISSUER = _env.str("OIDC_ISSUER", default="").rstrip("/")
OIDC_CLIENT_ID = _env.str("OIDC_CLIENT_ID", default="")
OIDC_CLIENT_SECRET = _env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = _env.str("OIDC_PROVIDER_NAME", default="SSO")
OIDC_CREATE_USERS = _env.bool("OIDC_CREATE_USERS", default=False)
OIDC_ROLE_CLAIM = _env.str("OIDC_ROLE_CLAIM", default="")
OIDC_ROLE_MAP = _env.str("OIDC_ROLE_MAP", default="")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": "sso",
                "name": OIDC_PROVIDER_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_ISSUER},
            }
        ]
        if OIDC_ISSUER and OIDC_CLIENT_ID
        else []
    }
}
