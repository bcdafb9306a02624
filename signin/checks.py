"""A mistyped role in OIDC_ROLE_MAP or MFA_REQUIRED_ROLES stops Concord at start, not at the
first sign-in that reads it."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_settings(app_configs, **kwargs):
    from django.conf import settings

    from .middleware import required_groups
    from .roles import parse_role_map

    errors = []
    for check_id, read in (
        ("signin.E001", lambda: parse_role_map(settings.OIDC_ROLE_MAP)),
        ("signin.E002", required_groups),
    ):
        try:
            read()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id=check_id))
    return errors
